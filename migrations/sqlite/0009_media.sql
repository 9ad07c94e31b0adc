-- Pictures staff upload for messages (SPEC §4). LINE fetches them by URL,
-- so each is served at /media/<token>; the token is random and unguessable.
CREATE TABLE media (
    id            INTEGER PRIMARY KEY,
    clinic_id     INTEGER NOT NULL REFERENCES clinics(id),
    token         TEXT    NOT NULL UNIQUE,
    content_type  TEXT    NOT NULL,
    width         INTEGER NOT NULL,
    height        INTEGER NOT NULL,
    byte_size     INTEGER NOT NULL,
    original      BLOB    NOT NULL,
    -- A smaller JPEG for LINE's preview (≤ 1 MB); NULL when the original
    -- is small enough to be its own preview.
    preview       BLOB,
    created_by    INTEGER REFERENCES users(id),
    created_at    INTEGER NOT NULL
);
CREATE INDEX media_by_clinic ON media (clinic_id, created_at);
