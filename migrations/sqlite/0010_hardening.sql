-- Security hardening (issue 12).

-- A member is disabled in one clinic, not everywhere: an admin of one
-- clinic can end someone's access there and nowhere else.
ALTER TABLE memberships ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;

-- An invitation of an existing account to another clinic: the membership
-- (clinic and role) is added only when they accept it. NULL for the
-- invitation of a new account, whose membership exists from the start.
ALTER TABLE invitations ADD COLUMN clinic_id INTEGER REFERENCES clinics(id);
ALTER TABLE invitations ADD COLUMN role TEXT;

-- The LINE channel a friend came through and a send started on, as
-- "sandbox:" or "line:<channel ID>": the sandbox never takes a real
-- channel's friends as its people, and a send never moves to another
-- channel when the clinic switches.
ALTER TABLE friends ADD COLUMN channel_key TEXT NOT NULL DEFAULT '';
ALTER TABLE broadcasts ADD COLUMN channel_key TEXT NOT NULL DEFAULT '';
UPDATE friends SET channel_key = COALESCE(
    (SELECT c.mode || ':' || c.channel_id FROM line_channels c WHERE c.clinic_id = friends.clinic_id), '');
UPDATE broadcasts SET channel_key = COALESCE(
    (SELECT c.mode || ':' || c.channel_id FROM line_channels c WHERE c.clinic_id = broadcasts.clinic_id), '');

-- The audit chain's hashes are keyed (HMAC with a key derived from
-- YORISOI_SECRET_KEY). A new database is keyed from its first entry; an
-- existing chain is verified and keyed once at the next start.
ALTER TABLE audit_head ADD COLUMN keyed INTEGER NOT NULL DEFAULT 0;
UPDATE audit_head SET keyed = 1 WHERE seq = 0;
