-- Organizations (法人), clinics, staff accounts, sessions, throttling, audit.
-- Times are UTC milliseconds since the Unix epoch (BIGINT in PostgreSQL).
-- Flags are 0/1 integers so both dialects decode them the same way.

CREATE TABLE organizations (
    id            INTEGER PRIMARY KEY,
    public_id     TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    require_totp  INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);

CREATE TABLE clinics (
    id               INTEGER PRIMARY KEY,
    public_id        TEXT    NOT NULL UNIQUE,
    organization_id  INTEGER NOT NULL REFERENCES organizations(id),
    name             TEXT    NOT NULL,
    departments      TEXT    NOT NULL DEFAULT '',
    created_at       INTEGER NOT NULL
);
CREATE INDEX clinics_by_organization ON clinics(organization_id);

CREATE TABLE users (
    id                   INTEGER PRIMARY KEY,
    public_id            TEXT    NOT NULL UNIQUE,
    organization_id      INTEGER NOT NULL REFERENCES organizations(id),
    email                TEXT    NOT NULL UNIQUE,
    display_name         TEXT    NOT NULL,
    password_hash        TEXT,
    totp_secret_enc      TEXT,
    totp_pending_enc     TEXT,
    totp_last_step       INTEGER NOT NULL DEFAULT 0,
    disabled             INTEGER NOT NULL DEFAULT 0,
    created_at           INTEGER NOT NULL,
    password_changed_at  INTEGER
);
CREATE INDEX users_by_organization ON users(organization_id);

CREATE TABLE memberships (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    clinic_id   INTEGER NOT NULL REFERENCES clinics(id),
    role        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (user_id, clinic_id)
);
CREATE INDEX memberships_by_clinic ON memberships(clinic_id);

CREATE TABLE invitations (
    id          INTEGER PRIMARY KEY,
    token_hash  TEXT    NOT NULL UNIQUE,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    created_by  INTEGER NOT NULL REFERENCES users(id),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
);

CREATE TABLE sessions (
    id            INTEGER PRIMARY KEY,
    token_hash    TEXT    NOT NULL UNIQUE,
    user_id       INTEGER NOT NULL REFERENCES users(id),
    clinic_id     INTEGER NOT NULL REFERENCES clinics(id),
    stage         TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL
);
CREATE INDEX sessions_by_user ON sessions(user_id);

CREATE TABLE login_throttle (
    key              TEXT    PRIMARY KEY,
    failures         INTEGER NOT NULL,
    last_failure_at  INTEGER NOT NULL,
    locked_until     INTEGER NOT NULL
);

CREATE TABLE audit_log (
    id               INTEGER PRIMARY KEY,
    seq              INTEGER NOT NULL UNIQUE,
    at               INTEGER NOT NULL,
    organization_id  INTEGER,
    clinic_id        INTEGER,
    actor_user_id    INTEGER,
    actor_label      TEXT    NOT NULL,
    action           TEXT    NOT NULL,
    target           TEXT    NOT NULL,
    detail           TEXT    NOT NULL,
    ip               TEXT    NOT NULL,
    prev_hash        TEXT    NOT NULL,
    hash             TEXT    NOT NULL
);
CREATE INDEX audit_by_org_time ON audit_log(organization_id, seq);

-- The head of the hash chain: one row, updated first in every append so the
-- append holds the write lock before it reads the previous hash.
CREATE TABLE audit_head (
    id    INTEGER PRIMARY KEY,
    seq   INTEGER NOT NULL,
    hash  TEXT    NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
