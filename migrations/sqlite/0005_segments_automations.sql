-- Saved segments, the change log that keeps in-memory segment indexes
-- current on every instance, and automations with their queue and runs (SPEC §3).
CREATE TABLE segments (
    id           INTEGER PRIMARY KEY,
    clinic_id    INTEGER NOT NULL REFERENCES clinics(id),
    public_id    TEXT    NOT NULL UNIQUE,
    name         TEXT    NOT NULL,
    description  TEXT    NOT NULL DEFAULT '',
    -- model::segment::Rule as JSON.
    rule         TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    UNIQUE (clinic_id, name)
);

-- One row per change to what a segment can see of a friend (tags, fields,
-- status, birth date, a new friend), written in the change's transaction.
-- Each instance reads the rows after the last it applied.
CREATE TABLE segment_changes (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    clinic_id  INTEGER NOT NULL,
    friend_id  INTEGER NOT NULL,
    at         INTEGER NOT NULL
);
CREATE INDEX segment_changes_by_clinic ON segment_changes (clinic_id, seq);
CREATE INDEX segment_changes_by_time ON segment_changes (clinic_id, at);

CREATE TABLE automations (
    id          INTEGER PRIMARY KEY,
    clinic_id   INTEGER NOT NULL REFERENCES clinics(id),
    public_id   TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    -- model::automation::Automation as JSON.
    definition  TEXT    NOT NULL,
    -- The trigger's kind, to find the automations an event may fire.
    trigger_on  TEXT    NOT NULL,
    enabled     INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    UNIQUE (clinic_id, name)
);

-- Something happened to a friend that automations may answer, written in
-- the same transaction as the happening itself, so a crash loses none.
CREATE TABLE automation_queue (
    id            INTEGER PRIMARY KEY,
    clinic_id     INTEGER NOT NULL REFERENCES clinics(id),
    friend_id     INTEGER NOT NULL REFERENCES friends(id),
    -- model::automation::Trigger as JSON (what happened).
    happened      TEXT    NOT NULL,
    reply_token   TEXT,
    event_at      INTEGER NOT NULL,
    -- 0 for LINE's events and staff; one more for each automation in a chain.
    depth         INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    -- A worker holds the entry until then; after a crash another takes it.
    lease_until   INTEGER,
    done_at       INTEGER
);
CREATE INDEX automation_queue_pending ON automation_queue (done_at, id);

CREATE TABLE automation_runs (
    id             INTEGER PRIMARY KEY,
    queue_id       INTEGER NOT NULL REFERENCES automation_queue(id),
    automation_id  INTEGER NOT NULL REFERENCES automations(id),
    clinic_id      INTEGER NOT NULL REFERENCES clinics(id),
    friend_id      INTEGER NOT NULL REFERENCES friends(id),
    -- running, done, skipped (the condition did not hold), failed
    status         TEXT    NOT NULL,
    -- Actions finished; a resumed run goes on from here.
    actions_done   INTEGER NOT NULL DEFAULT 0,
    -- Sent as X-Line-Retry-Key with every attempt of this run's pushes.
    retry_key      TEXT    NOT NULL,
    error          TEXT    NOT NULL DEFAULT '',
    started_at     INTEGER NOT NULL,
    finished_at    INTEGER,
    UNIQUE (queue_id, automation_id)
);
CREATE INDEX automation_runs_by_automation ON automation_runs (automation_id, started_at);
