-- Appointments, step sequences and their enrolments (SPEC §6, §7).

-- A clinic's departments (診療科) and how many patients a slot takes.
CREATE TABLE departments (
    id            INTEGER PRIMARY KEY,
    clinic_id     INTEGER NOT NULL REFERENCES clinics(id),
    public_id     TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    -- Length of one bookable slot, and patients per slot.
    slot_minutes  INTEGER NOT NULL DEFAULT 30,
    capacity      INTEGER NOT NULL DEFAULT 1,
    created_at    INTEGER NOT NULL,
    UNIQUE (clinic_id, name)
);

CREATE TABLE appointments (
    id             INTEGER PRIMARY KEY,
    clinic_id      INTEGER NOT NULL REFERENCES clinics(id),
    public_id      TEXT    NOT NULL UNIQUE,
    friend_id      INTEGER NOT NULL REFERENCES friends(id),
    department_id  INTEGER NOT NULL REFERENCES departments(id),
    -- Its current time: reminders are worked out from it when they go.
    starts_at      INTEGER NOT NULL,
    -- model::appointment::AppointmentStatus
    status         TEXT    NOT NULL,
    -- model::appointment::ChangedBy of the last change.
    changed_by     TEXT    NOT NULL,
    -- When it was booked, or last moved: a reminder whose moment was
    -- already past then is skipped, not caught up.
    planned_at     INTEGER NOT NULL,
    -- The booking system's own number, for a CSV import run twice.
    external_ref   TEXT,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX appointments_by_day ON appointments (clinic_id, starts_at);
CREATE INDEX appointments_by_friend ON appointments (friend_id, starts_at);
CREATE UNIQUE INDEX appointments_by_external_ref ON appointments (clinic_id, external_ref) WHERE external_ref IS NOT NULL;

CREATE TABLE sequences (
    id           INTEGER PRIMARY KEY,
    clinic_id    INTEGER NOT NULL REFERENCES clinics(id),
    public_id    TEXT    NOT NULL UNIQUE,
    name         TEXT    NOT NULL,
    -- model::sequence::Trigger JSON (starts_when), and the stop conditions
    -- JSON list (stops).
    starts_when  TEXT    NOT NULL,
    stops        TEXT    NOT NULL DEFAULT '[]',
    -- active or paused
    status       TEXT    NOT NULL DEFAULT 'active',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);

-- A step keeps its ID when the sequence is edited, so a friend who passed
-- it is never sent it again.
CREATE TABLE sequence_steps (
    id            INTEGER PRIMARY KEY,
    sequence_id   INTEGER NOT NULL REFERENCES sequences(id),
    public_id     TEXT    NOT NULL UNIQUE,
    -- model::sequence::StepTiming JSON; due_order sorts the timeline.
    timing        TEXT    NOT NULL,
    -- marketing or operational (reminders)
    purpose       TEXT    NOT NULL,
    -- model::sequence::StepCondition JSON, or NULL for none.
    condition     TEXT,
    -- model::message::Bundle JSON.
    bundle        TEXT    NOT NULL,
    removed       INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX sequence_steps_by_sequence ON sequence_steps (sequence_id);

CREATE TABLE enrolments (
    id              INTEGER PRIMARY KEY,
    clinic_id       INTEGER NOT NULL REFERENCES clinics(id),
    sequence_id     INTEGER NOT NULL REFERENCES sequences(id),
    friend_id       INTEGER NOT NULL REFERENCES friends(id),
    appointment_id  INTEGER REFERENCES appointments(id),
    enrolled_at     INTEGER NOT NULL,
    -- active, stopped, finished
    status          TEXT    NOT NULL DEFAULT 'active',
    stop_reason     TEXT    NOT NULL DEFAULT '',
    -- The earliest moment one of its steps may be due: where the
    -- scheduler looks. Worked out again whenever the anchor moves.
    next_due_at     INTEGER,
    -- Held by one scheduler at a time.
    lease_until     INTEGER,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX enrolments_due ON enrolments (next_due_at) WHERE status = 'active';
CREATE INDEX enrolments_by_sequence ON enrolments (sequence_id, status);
CREATE INDEX enrolments_by_friend ON enrolments (friend_id);
CREATE INDEX enrolments_by_appointment ON enrolments (appointment_id);

-- One row per step a friend reached: sent once (its retry key), or skipped
-- with the reason. The unique key is what makes a step go at most once per
-- plan: a step counting from an appointment belongs to the appointment's
-- plan (plan_at: when it was booked or last moved), so a moved appointment
-- gets its reminders for the new time; other steps have plan_at 0.
CREATE TABLE step_sends (
    id             INTEGER PRIMARY KEY,
    enrolment_id   INTEGER NOT NULL REFERENCES enrolments(id),
    step_id        INTEGER NOT NULL REFERENCES sequence_steps(id),
    plan_at        INTEGER NOT NULL DEFAULT 0,
    -- pending (being sent), sent, skipped, failed
    status         TEXT    NOT NULL,
    reason         TEXT    NOT NULL DEFAULT '',
    retry_key      TEXT    NOT NULL,
    due_at         INTEGER NOT NULL,
    at             INTEGER NOT NULL,
    UNIQUE (enrolment_id, step_id, plan_at)
);
CREATE INDEX step_sends_by_step ON step_sends (step_id, status);
