-- A clinic's LINE channel (or the sandbox), the durable webhook inbox, and
-- the friends (patients and staff as LINE users) with their timeline.

CREATE TABLE line_channels (
    clinic_id      INTEGER PRIMARY KEY REFERENCES clinics(id),
    mode           TEXT    NOT NULL,
    channel_id     TEXT    NOT NULL DEFAULT '',
    secret_enc     TEXT    NOT NULL,
    token_enc      TEXT,
    bot_user_id    TEXT    NOT NULL DEFAULT '',
    updated_at     INTEGER NOT NULL
);

CREATE TABLE webhook_inbox (
    id                INTEGER PRIMARY KEY,
    clinic_id         INTEGER NOT NULL REFERENCES clinics(id),
    webhook_event_id  TEXT    NOT NULL,
    event_type        TEXT    NOT NULL,
    event_time        INTEGER NOT NULL,
    body              TEXT    NOT NULL,
    received_at       INTEGER NOT NULL,
    processed_at      INTEGER,
    UNIQUE (clinic_id, webhook_event_id)
);
CREATE INDEX webhook_inbox_pending ON webhook_inbox(processed_at, event_time);

CREATE TABLE friends (
    id                 INTEGER PRIMARY KEY,
    clinic_id          INTEGER NOT NULL REFERENCES clinics(id),
    public_id          TEXT    NOT NULL UNIQUE,
    line_user_id       TEXT    NOT NULL,
    display_name       TEXT    NOT NULL DEFAULT '',
    picture_url        TEXT    NOT NULL DEFAULT '',
    status             TEXT    NOT NULL,
    -- Time (of LINE's event) of the last follow/block applied; an older event
    -- arriving late never overrides a newer state.
    status_changed_at  INTEGER NOT NULL DEFAULT 0,
    first_followed_at  INTEGER,
    blocked_at         INTEGER,
    unblocked_at       INTEGER,
    created_at         INTEGER NOT NULL,
    UNIQUE (clinic_id, line_user_id)
);

CREATE TABLE friend_events (
    id                INTEGER PRIMARY KEY,
    clinic_id         INTEGER NOT NULL REFERENCES clinics(id),
    friend_id         INTEGER NOT NULL REFERENCES friends(id),
    at                INTEGER NOT NULL,
    kind              TEXT    NOT NULL,
    detail            TEXT    NOT NULL,
    line_message_id   TEXT
);
CREATE INDEX friend_events_timeline ON friend_events(friend_id, at);
CREATE INDEX friends_by_clinic ON friends(clinic_id, id);
CREATE INDEX friends_by_clinic_status ON friends(clinic_id, status, id);
