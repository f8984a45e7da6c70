-- Snooze: the time a snoozed conversation comes back, pulled out of its JSON so the Open list
-- can leave snoozed conversations out and the Snoozed list can find them; and the shop's time
-- zone beside its name (kept from `/me` at each sync's start): "tomorrow 09:00" is the shop's.
ALTER TABLE conversations ADD COLUMN snoozed_until INTEGER;
UPDATE conversations SET snoozed_until = json_extract(data, '$.snoozed_until');
CREATE INDEX conversations_snoozed ON conversations(snoozed_until) WHERE snoozed_until IS NOT NULL;
ALTER TABLE sync_state ADD COLUMN shop_time_zone TEXT NOT NULL DEFAULT '';
