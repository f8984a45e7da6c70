-- Snooze: the time a snoozed conversation comes back, pulled out of its JSON so the Open list
-- can leave snoozed conversations out and the Snoozed list can find them; and the shop as the
-- server last described it (name, currency, time zone: "tomorrow 09:00" is the shop's 09:00).
ALTER TABLE conversations ADD COLUMN snoozed_until INTEGER;
UPDATE conversations SET snoozed_until = json_extract(data, '$.snoozed_until');
CREATE INDEX conversations_snoozed ON conversations(snoozed_until) WHERE snoozed_until IS NOT NULL;
ALTER TABLE sync_state ADD COLUMN shop TEXT;
