-- Search as you type over a big mirror.
--
-- The newest messages are indexed a second time, in a full-text index small enough that a
-- prefix ("o", "ord", "best") is cheap: FTS5 answers a prefix by merging the postings of every
-- word that starts with it, which in the full index of a million messages takes 10 to 200 ms
-- for a common prefix. Search looks here first and goes on in the full index, below the window,
-- only when the newest messages don't hold enough hits. The window holds exactly the messages
-- whose id is at least `first_id`; `store::refresh_recent` moves it (none until the first
-- sync has finished, so a first sync indexes every message once).
CREATE TABLE recent_messages (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    first_id INTEGER NOT NULL
) STRICT;
INSERT INTO recent_messages (id, first_id) VALUES (1, 9223372036854775807);

CREATE VIRTUAL TABLE recent_messages_fts USING fts5(
    text, content = 'messages', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 0'
);
CREATE TRIGGER recent_messages_fts_insert AFTER INSERT ON messages
WHEN new.id >= (SELECT first_id FROM recent_messages WHERE id = 1) BEGIN
    INSERT INTO recent_messages_fts (rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER recent_messages_fts_delete AFTER DELETE ON messages
WHEN old.id >= (SELECT first_id FROM recent_messages WHERE id = 1) BEGIN
    INSERT INTO recent_messages_fts (recent_messages_fts, rowid, text)
    VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER recent_messages_fts_update AFTER UPDATE OF text ON messages
WHEN old.id >= (SELECT first_id FROM recent_messages WHERE id = 1) BEGIN
    INSERT INTO recent_messages_fts (recent_messages_fts, rowid, text)
    VALUES ('delete', old.id, old.text);
    INSERT INTO recent_messages_fts (rowid, text) VALUES (new.id, new.text);
END;

-- The full index merges its segments 16 at a time rather than FTS5's default 4: a first sync
-- writes a segment every few thousand messages, and merging them four by four rewrites every
-- posting five or six times (with flushing, a quarter of what applying a first sync cost;
-- about half of that goes). Lookups read a few more segments; prefixes typed as you type go
-- to the small index above.
INSERT INTO messages_fts (messages_fts, rank) VALUES ('automerge', 16);
INSERT INTO messages_fts (messages_fts, rank) VALUES ('crisismerge', 64);

-- A customer's conversations newest first, answered from the index alone: a name shared by
-- hundreds of customers (thousands of conversations) no longer reads every conversation row.
DROP INDEX conversations_by_customer;
CREATE INDEX conversations_by_customer ON conversations(customer_id, last_message_at DESC, status);
