-- Outbox items and drafts belong to the shop history they were written in. A shop that is
-- replaced or restored from a backup hands out its ids again, so after the mirror starts over
-- conversation 105 may be another customer's: a reply queued for the old 105 must not go to
-- the new one. Rows written before this migration belong to the history the mirror holds.
ALTER TABLE outbox ADD COLUMN history_id TEXT NOT NULL DEFAULT '';
ALTER TABLE drafts ADD COLUMN history_id TEXT NOT NULL DEFAULT '';
UPDATE outbox SET history_id = (SELECT history_id FROM sync_state WHERE id = 1);
UPDATE drafts SET history_id = (SELECT history_id FROM sync_state WHERE id = 1);
