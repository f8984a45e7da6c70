-- Snooze: an open conversation set aside until a time. `snoozed_until` is set while it is
-- snoozed; `woke_at` records when it last came back because its time came, so desktops can
-- notify once for each wake. The partial index is what the wake task reads.
ALTER TABLE conversations ADD COLUMN snoozed_until INTEGER;
ALTER TABLE conversations ADD COLUMN woke_at INTEGER;
CREATE INDEX conversations_snoozed ON conversations(snoozed_until) WHERE snoozed_until IS NOT NULL;
