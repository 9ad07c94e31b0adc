-- A sequence started when a friend enters a segment (セグメントに入ったとき)
-- remembers who is inside, so that only an entry — outside before, inside
-- now — enrols. `segment_seq` is how far it has read the segment change
-- log; NULL until it first looks (then those already inside are
-- remembered, not enrolled: they did not enter).
ALTER TABLE sequences ADD COLUMN segment_seq BIGINT;

CREATE TABLE sequence_segment_members (
    sequence_id BIGINT NOT NULL REFERENCES sequences(id),
    friend_id   BIGINT NOT NULL REFERENCES friends(id),
    PRIMARY KEY (sequence_id, friend_id)
);

UPDATE sequences SET listens_for = 'segment_entered' WHERE starts_when LIKE '%"kind":"segment_entered"%';
