-- A staff member's own LINE account, per clinic (LINE user IDs differ per
-- provider), for test sends: linked by writing a one-time code to the
-- clinic's account.
CREATE TABLE staff_line_links (
    user_id          BIGINT NOT NULL REFERENCES users(id),
    clinic_id        BIGINT NOT NULL REFERENCES clinics(id),
    -- The pending code and until when it is good; cleared once used.
    code             TEXT,
    code_expires_at  BIGINT,
    line_user_id     TEXT,
    linked_at        BIGINT,
    PRIMARY KEY (user_id, clinic_id)
);
CREATE INDEX staff_line_links_by_code ON staff_line_links (clinic_id, code);
