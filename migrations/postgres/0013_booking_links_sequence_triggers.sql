-- A patient's booking link (予約ページ) may be opened many times but makes
-- one change: its nonce is written here in the same transaction as the
-- booking, move or cancellation it made.
CREATE TABLE booking_link_uses (
    nonce      TEXT    NOT NULL PRIMARY KEY,
    clinic_id  BIGINT  NOT NULL REFERENCES clinics(id),
    used_at    BIGINT  NOT NULL
);

-- The kind of happening (`model::automation::Happening::kind`) that starts
-- a sequence, when one does (friend added, tag added): the webhook queues
-- such a happening only when an automation or a sequence listens for it.
ALTER TABLE sequences ADD COLUMN listens_for TEXT;
