-- The shop's saved replies, synced from the feed like notes, and the shop's name, which a saved
-- reply's `{shop.name}` is filled with (kept up to date from `/me` at each sync's start).
CREATE TABLE saved_replies (
    id   INTEGER PRIMARY KEY,
    data TEXT NOT NULL
) STRICT;
ALTER TABLE sync_state ADD COLUMN shop_name TEXT NOT NULL DEFAULT '';
