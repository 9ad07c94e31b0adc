-- What a sequence step does besides (or instead of) its message when it is
-- reached: model::automation::Action JSON list (tags, fields, starting or
-- stopping a sequence). Applied before the step is recorded as done, so a
-- crash in between applies them again (each is idempotent) and never skips
-- them.
ALTER TABLE sequence_steps ADD COLUMN actions TEXT NOT NULL DEFAULT '[]';
