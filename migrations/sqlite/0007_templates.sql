-- 定型文: message bundles saved for reuse, in folders (SPEC §4).
CREATE TABLE message_templates (
    id          INTEGER PRIMARY KEY,
    clinic_id   INTEGER NOT NULL REFERENCES clinics(id),
    public_id   TEXT    NOT NULL UNIQUE,
    -- A folder's name; '' for none.
    folder      TEXT    NOT NULL DEFAULT '',
    name        TEXT    NOT NULL,
    -- model::message::Bundle JSON.
    bundle      TEXT    NOT NULL,
    created_by  INTEGER REFERENCES users(id),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    UNIQUE (clinic_id, folder, name)
);
