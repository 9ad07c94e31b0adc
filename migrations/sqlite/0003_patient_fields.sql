-- Patient fields and the staff memo on a friend (SPEC §2). Empty = not known.
ALTER TABLE friends ADD COLUMN patient_number TEXT NOT NULL DEFAULT '';
ALTER TABLE friends ADD COLUMN name_kana      TEXT NOT NULL DEFAULT '';
ALTER TABLE friends ADD COLUMN birth_date     TEXT NOT NULL DEFAULT '';
ALTER TABLE friends ADD COLUMN sex            TEXT NOT NULL DEFAULT '';
ALTER TABLE friends ADD COLUMN memo           TEXT NOT NULL DEFAULT '';
ALTER TABLE friends ADD COLUMN profile_fetched_at INTEGER;

-- One patient number per clinic (empty ones do not count).
CREATE UNIQUE INDEX friends_patient_number ON friends (clinic_id, patient_number) WHERE patient_number <> '';

-- The friend list's "added between" filter.
CREATE INDEX friends_by_clinic_followed ON friends (clinic_id, first_followed_at);
