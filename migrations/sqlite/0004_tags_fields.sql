-- Tags in folders, custom typed fields, and their values on friends (SPEC §3).
CREATE TABLE tag_folders (
    id          INTEGER PRIMARY KEY,
    clinic_id   INTEGER NOT NULL REFERENCES clinics(id),
    public_id   TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    position    INTEGER NOT NULL DEFAULT 0,
    UNIQUE (clinic_id, name)
);

CREATE TABLE tags (
    id           INTEGER PRIMARY KEY,
    clinic_id    INTEGER NOT NULL REFERENCES clinics(id),
    public_id    TEXT    NOT NULL UNIQUE,
    folder_id    INTEGER REFERENCES tag_folders(id),
    name         TEXT    NOT NULL,
    color        TEXT    NOT NULL,
    description  TEXT    NOT NULL DEFAULT '',
    -- When staff attach it ("operating rule"), so everyone applies it alike.
    rule_text    TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    UNIQUE (clinic_id, name)
);

CREATE TABLE friend_tags (
    friend_id   INTEGER NOT NULL REFERENCES friends(id),
    tag_id      INTEGER NOT NULL REFERENCES tags(id),
    clinic_id   INTEGER NOT NULL REFERENCES clinics(id),
    applied_at  INTEGER NOT NULL,
    PRIMARY KEY (friend_id, tag_id)
);
CREATE INDEX friend_tags_by_tag ON friend_tags (tag_id, applied_at);

CREATE TABLE custom_fields (
    id          INTEGER PRIMARY KEY,
    clinic_id   INTEGER NOT NULL REFERENCES clinics(id),
    public_id   TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    -- text, number, date, single_choice, multi_choice
    field_type  TEXT    NOT NULL,
    -- JSON array of choices (choice types only).
    choices     TEXT    NOT NULL DEFAULT '[]',
    position    INTEGER NOT NULL DEFAULT 0,
    UNIQUE (clinic_id, name)
);

CREATE TABLE friend_field_values (
    friend_id   INTEGER NOT NULL REFERENCES friends(id),
    field_id    INTEGER NOT NULL REFERENCES custom_fields(id),
    clinic_id   INTEGER NOT NULL REFERENCES clinics(id),
    -- The typed value as model::segment::Value JSON (several for multi-choice).
    value       TEXT    NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (friend_id, field_id)
);
CREATE INDEX friend_field_values_by_field ON friend_field_values (field_id);
