-- The worker asks for the oldest unapplied events. A partial index holds
-- only those (a few thousand at most) instead of every event ever received,
-- and gives them in the order asked for (event_time, then id).
DROP INDEX webhook_inbox_pending;
CREATE INDEX webhook_inbox_pending ON webhook_inbox(event_time, id) WHERE processed_at IS NULL;
