-- Rich menus (SPEC §8). These tables hold what LINE should show; a worker
-- (engine/src/rich_menus/sync.rs) brings LINE to it and writes down here
-- what LINE has, step by step, so a crash leaves nothing lost or doubled.

-- A menu: one tab, or a group of tabs joined by aliases.
CREATE TABLE rich_menus (
    id           INTEGER PRIMARY KEY,
    clinic_id    INTEGER NOT NULL REFERENCES clinics(id),
    public_id    TEXT    NOT NULL UNIQUE,
    name         TEXT    NOT NULL,
    -- The tabs as being edited: JSON list of model::rich_menu::MenuTab.
    -- Drafts never reach LINE.
    draft        TEXT    NOT NULL,
    -- The tabs as last published, and which publication that is (0: never
    -- published). Each publication is a new set of LINE menus: LINE never
    -- lets a menu or its picture change.
    published    TEXT,
    version      INTEGER NOT NULL DEFAULT 0,
    archived_at  INTEGER,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    UNIQUE (clinic_id, name)
);

-- What LINE has of each tab of each publication.
CREATE TABLE line_rich_menus (
    id          INTEGER PRIMARY KEY,
    clinic_id   INTEGER NOT NULL REFERENCES clinics(id),
    menu_id     INTEGER NOT NULL REFERENCES rich_menus(id),
    version     INTEGER NOT NULL,
    tab         INTEGER NOT NULL,
    -- LINE's rich menu ID; NULL while being created. The menu is created
    -- under a name carrying this row's ID, so one whose answer was lost
    -- in a crash is found on LINE and taken, not made twice.
    line_id     TEXT,
    image_done  INTEGER NOT NULL DEFAULT 0,
    -- Its alias points here (tabs only).
    alias_done  INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    -- Deleted on LINE (kept an hour for the creations/deletions budget).
    deleted_at  INTEGER,
    UNIQUE (menu_id, version, tab)
);
CREATE INDEX line_rich_menus_by_clinic ON line_rich_menus (clinic_id, created_at);

-- Who sees which menu, in order: the first rule that holds wins; nobody
-- matched sees the default. A rule names a segment (or everyone) and a
-- date range (or always).
CREATE TABLE rich_menu_rules (
    id          INTEGER PRIMARY KEY,
    clinic_id   INTEGER NOT NULL REFERENCES clinics(id),
    public_id   TEXT    NOT NULL UNIQUE,
    position    INTEGER NOT NULL,
    menu_id     INTEGER NOT NULL REFERENCES rich_menus(id),
    segment_id  INTEGER REFERENCES segments(id),
    starts_at   INTEGER,
    ends_at     INTEGER,
    created_at  INTEGER NOT NULL
);
CREATE INDEX rich_menu_rules_by_clinic ON rich_menu_rules (clinic_id, position);

-- One row a clinic: its default menu, and the worker's place.
CREATE TABLE rich_menu_states (
    id              INTEGER PRIMARY KEY,
    clinic_id       INTEGER NOT NULL UNIQUE REFERENCES clinics(id),
    default_menu_id INTEGER REFERENCES rich_menus(id),
    -- What LINE has as the API default (LINE's rich menu ID).
    line_default    TEXT,
    -- When the worker should look next: NULL when LINE is in step and no
    -- rule starts or ends ahead.
    due_at          INTEGER,
    lease_until     INTEGER,
    -- How far the segment change log has been read (NULL: not yet).
    segment_seq     INTEGER,
    -- Why the last attempt stopped (an error code), until one succeeds.
    last_error      TEXT,
    failures        INTEGER NOT NULL DEFAULT 0,
    synced_at       INTEGER
);
CREATE INDEX rich_menu_states_due ON rich_menu_states (due_at);

-- Which menu each friend should see (NULL: the default) and by which rule,
-- and the menu LINE links them to (NULL: none, so they see the default).
CREATE TABLE friend_rich_menus (
    friend_id  INTEGER PRIMARY KEY REFERENCES friends(id),
    clinic_id  INTEGER NOT NULL REFERENCES clinics(id),
    menu_id    INTEGER REFERENCES rich_menus(id),
    rule_id    INTEGER REFERENCES rich_menu_rules(id),
    linked     TEXT
);
CREATE INDEX friend_rich_menus_by_clinic ON friend_rich_menus (clinic_id, menu_id);
