-- Staff-only channels (職員連絡, SPEC §9).

-- The staff member a friend is, once they linked their LINE with a code:
-- such a friend is out of every patient audience (segments, counts,
-- broadcasts, sequences), and the only kind of friend a staff post reaches.
ALTER TABLE friends ADD COLUMN staff_user_id INTEGER REFERENCES users(id);
CREATE INDEX friends_staff ON friends(clinic_id, staff_user_id) WHERE staff_user_id IS NOT NULL;

-- A rich menu rule for linked staff (who are in no segment): 1.
ALTER TABLE rich_menu_rules ADD COLUMN for_staff INTEGER NOT NULL DEFAULT 0;

CREATE TABLE staff_channels (
    id            INTEGER PRIMARY KEY,
    clinic_id     INTEGER NOT NULL REFERENCES clinics(id),
    public_id     TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    description   TEXT    NOT NULL DEFAULT '',
    -- JSON lists of role names: whose members belong, and who may post.
    member_roles  TEXT    NOT NULL,
    poster_roles  TEXT    NOT NULL,
    archived_at   INTEGER,
    created_at    INTEGER NOT NULL,
    UNIQUE (clinic_id, name)
);

-- Members chosen by person, beside those chosen by role.
CREATE TABLE staff_channel_people (
    channel_id  INTEGER NOT NULL REFERENCES staff_channels(id),
    user_id     INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (channel_id, user_id)
);

CREATE TABLE staff_posts (
    id               INTEGER PRIMARY KEY,
    clinic_id        INTEGER NOT NULL REFERENCES clinics(id),
    channel_id       INTEGER NOT NULL REFERENCES staff_channels(id),
    public_id        TEXT    NOT NULL UNIQUE,
    author_user_id   INTEGER NOT NULL REFERENCES users(id),
    -- The version members see now; each edit after sending adds one.
    version          INTEGER NOT NULL,
    ack_required     INTEGER NOT NULL,
    -- How long after sending the one reminder goes (NULL: none), and when
    -- the current version's reminder is due (NULL once it was made).
    remind_after_ms  INTEGER,
    remind_at        INTEGER,
    created_at       INTEGER NOT NULL
);
CREATE INDEX staff_posts_by_channel ON staff_posts(channel_id, id);
CREATE INDEX staff_posts_reminders ON staff_posts(remind_at) WHERE remind_at IS NOT NULL;

-- Every version's text as sent: an acknowledgement names the one it read.
CREATE TABLE staff_post_versions (
    post_id         INTEGER NOT NULL REFERENCES staff_posts(id),
    version         INTEGER NOT NULL,
    -- JSON of model::staff_channel::PostContent.
    content         TEXT    NOT NULL,
    author_user_id  INTEGER NOT NULL REFERENCES users(id),
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (post_id, version)
);

-- One push to one member: fixed from memberships and staff links on the
-- server when the post (or its reminder) is made, then sent under its
-- retry key, so a crash resends nothing twice.
CREATE TABLE staff_deliveries (
    id            INTEGER PRIMARY KEY,
    clinic_id     INTEGER NOT NULL REFERENCES clinics(id),
    post_id       INTEGER NOT NULL REFERENCES staff_posts(id),
    version       INTEGER NOT NULL,
    user_id       INTEGER NOT NULL REFERENCES users(id),
    -- post | reminder
    kind          TEXT    NOT NULL,
    line_user_id  TEXT    NOT NULL,
    retry_key     TEXT    NOT NULL,
    -- pending | sent | failed | dropped (no longer a linked member)
    status        TEXT    NOT NULL,
    at            INTEGER NOT NULL,
    lease_until   INTEGER,
    UNIQUE (post_id, version, user_id, kind)
);
CREATE INDEX staff_deliveries_pending ON staff_deliveries(id) WHERE status = 'pending';

CREATE TABLE staff_acks (
    post_id  INTEGER NOT NULL REFERENCES staff_posts(id),
    version  INTEGER NOT NULL,
    user_id  INTEGER NOT NULL REFERENCES users(id),
    at       INTEGER NOT NULL,
    PRIMARY KEY (post_id, version, user_id)
);

-- A member's LINE reply, under the post they last received.
CREATE TABLE staff_replies (
    id       INTEGER PRIMARY KEY,
    post_id  INTEGER NOT NULL REFERENCES staff_posts(id),
    user_id  INTEGER NOT NULL REFERENCES users(id),
    text     TEXT    NOT NULL,
    at       INTEGER NOT NULL
);
CREATE INDEX staff_replies_by_post ON staff_replies(post_id, id);

-- 職員の声: anonymous on purpose. No user, friend or LINE ID, and only the
-- day (a time could be matched with who was on shift).
CREATE TABLE staff_voices (
    id           INTEGER PRIMARY KEY,
    clinic_id    INTEGER NOT NULL REFERENCES clinics(id),
    text         TEXT    NOT NULL,
    received_on  TEXT    NOT NULL
);
