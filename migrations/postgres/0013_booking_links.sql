-- A patient's booking link (予約ページ) may be opened many times but makes
-- one change: its nonce is written here in the same transaction as the
-- booking, move or cancellation it made.
CREATE TABLE booking_link_uses (
    nonce      TEXT    NOT NULL PRIMARY KEY,
    clinic_id  BIGINT  NOT NULL REFERENCES clinics(id),
    used_at    BIGINT  NOT NULL
);
