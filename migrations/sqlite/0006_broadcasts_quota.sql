-- Broadcasts, their batches, the quota ledger and the shared rate limiter
-- (SPEC §4, §5).

-- A patient may refuse marketing messages and still get their reminders.
ALTER TABLE friends ADD COLUMN marketing_opt_out INTEGER NOT NULL DEFAULT 0;

-- How a clinic sends: its LINE plan, quiet hours, the frequency cap and
-- the advertising check. One row per clinic, made on first use.
CREATE TABLE delivery_settings (
    clinic_id            INTEGER PRIMARY KEY REFERENCES clinics(id),
    plan                 TEXT    NOT NULL DEFAULT 'light',
    -- The month's ceiling as LINE last reported it (NULL: none).
    line_limit           INTEGER,
    -- Minutes after midnight, Japan time; start = end turns quiet hours off.
    quiet_start          INTEGER NOT NULL DEFAULT 1260,
    quiet_end            INTEGER NOT NULL DEFAULT 480,
    -- Marketing messages per friend per month.
    frequency_cap        INTEGER NOT NULL DEFAULT 4,
    -- Messages of the month that only operational sends may use.
    operational_reserve  INTEGER NOT NULL DEFAULT 0,
    -- Flagged messages wait for an admin's approval.
    require_ad_approval  INTEGER NOT NULL DEFAULT 0,
    -- The clinic's own rules (model::adcheck::AdRule JSON list).
    ad_rules             TEXT    NOT NULL DEFAULT '[]',
    updated_at           INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE broadcasts (
    id                    INTEGER PRIMARY KEY,
    clinic_id             INTEGER NOT NULL REFERENCES clinics(id),
    public_id             TEXT    NOT NULL UNIQUE,
    title                 TEXT    NOT NULL,
    -- model::message::Bundle JSON (what the composer made).
    bundle                TEXT    NOT NULL,
    -- LINE message objects JSON, fixed when the send starts.
    messages              TEXT    NOT NULL DEFAULT '[]',
    -- model::audience JSON.
    audience              TEXT    NOT NULL,
    -- marketing or operational
    purpose               TEXT    NOT NULL,
    -- awaiting_approval, scheduled, sending, held (quiet hours), paused,
    -- done, cancelled, stopped
    status                TEXT    NOT NULL,
    -- Why it is held, paused or stopped (a code the pages translate).
    reason                TEXT    NOT NULL DEFAULT '',
    scheduled_at          INTEGER,
    -- Held until then (quiet hours).
    resume_at             INTEGER,
    started_at            INTEGER,
    finished_at           INTEGER,
    -- The JST month its quota was reserved in.
    quota_month           TEXT    NOT NULL DEFAULT '',
    total                 INTEGER NOT NULL DEFAULT 0,
    delivered             INTEGER NOT NULL DEFAULT 0,
    failed                INTEGER NOT NULL DEFAULT 0,
    -- Left out by the frequency cap when recipients were fixed.
    capped                INTEGER NOT NULL DEFAULT 0,
    consecutive_failures  INTEGER NOT NULL DEFAULT 0,
    ad_flags              INTEGER NOT NULL DEFAULT 0,
    approved_by           INTEGER REFERENCES users(id),
    created_by            INTEGER REFERENCES users(id),
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL
);
CREATE INDEX broadcasts_by_clinic ON broadcasts (clinic_id, created_at);
CREATE INDEX broadcasts_by_status ON broadcasts (status, scheduled_at);

-- Up to 500 recipients each, written with the send before any LINE call.
CREATE TABLE broadcast_batches (
    id                INTEGER PRIMARY KEY,
    broadcast_id      INTEGER NOT NULL REFERENCES broadcasts(id),
    clinic_id         INTEGER NOT NULL REFERENCES clinics(id),
    -- JSON lists, in the same order: LINE user IDs and friend IDs.
    recipients        TEXT    NOT NULL,
    friend_ids        TEXT    NOT NULL,
    size              INTEGER NOT NULL,
    -- Sent as X-Line-Retry-Key on the first attempt and every retry.
    retry_key         TEXT    NOT NULL,
    -- pending, done, failed, released (never sent: stopped or cancelled)
    status            TEXT    NOT NULL DEFAULT 'pending',
    attempts          INTEGER NOT NULL DEFAULT 0,
    first_attempt_at  INTEGER,
    next_attempt_at   INTEGER NOT NULL DEFAULT 0,
    lease_until       INTEGER,
    request_id        TEXT,
    error             TEXT    NOT NULL DEFAULT '',
    done_at           INTEGER
);
CREATE INDEX broadcast_batches_due ON broadcast_batches (status, next_attempt_at, id);
CREATE INDEX broadcast_batches_by_broadcast ON broadcast_batches (broadcast_id, status);

-- The month's figures per clinic; a reservation is one conditional UPDATE
-- of this row, so concurrent sends on any number of instances can never
-- together pass the ceiling.
CREATE TABLE quota_months (
    clinic_id      INTEGER NOT NULL REFERENCES clinics(id),
    month          TEXT    NOT NULL,
    -- Settled: accepted by LINE.
    used           INTEGER NOT NULL DEFAULT 0,
    -- Reserved by sends not yet settled.
    reserved       INTEGER NOT NULL DEFAULT 0,
    -- Counted by LINE beyond our own sends (LINE's own app).
    outside        INTEGER NOT NULL DEFAULT 0,
    reconciled_at  INTEGER,
    PRIMARY KEY (clinic_id, month)
);

-- Every reservation, settlement and release, for the quota page and audit.
CREATE TABLE quota_entries (
    id         INTEGER PRIMARY KEY,
    clinic_id  INTEGER NOT NULL REFERENCES clinics(id),
    month      TEXT    NOT NULL,
    at         INTEGER NOT NULL,
    -- reserve, settle, release, reconcile
    kind       TEXT    NOT NULL,
    -- broadcast:<public id>, automation, line_app
    source     TEXT    NOT NULL,
    amount     INTEGER NOT NULL
);
CREATE INDEX quota_entries_by_month ON quota_entries (clinic_id, month, at);
-- A single push is counted once per retry key (`push:<key>`).
CREATE INDEX quota_entries_by_source ON quota_entries (clinic_id, source);

-- Marketing messages each friend received in a month (the frequency cap).
CREATE TABLE friend_month_sends (
    friend_id  INTEGER NOT NULL REFERENCES friends(id),
    month      TEXT    NOT NULL,
    marketing  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (friend_id, month)
);

-- Requests per short window per channel and endpoint, shared by every
-- instance (LINE's token buckets).
CREATE TABLE rate_windows (
    scope   TEXT    NOT NULL,
    win     INTEGER NOT NULL,
    used    INTEGER NOT NULL,
    PRIMARY KEY (scope, win)
);
