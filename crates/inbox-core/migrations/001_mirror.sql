-- The local mirror of one staff member's view of one shop. Entities are stored as the change
-- feed delivers them; the columns the app filters, sorts or searches on are pulled out.

CREATE TABLE sync_state (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    cursor         TEXT NOT NULL DEFAULT '',
    history_id     TEXT NOT NULL DEFAULT '',
    staff_id       INTEGER NOT NULL DEFAULT 0,
    last_synced_at INTEGER,
    caught_up      INTEGER NOT NULL DEFAULT 0
) STRICT;
INSERT INTO sync_state (id) VALUES (1);

CREATE TABLE staff (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    email       TEXT NOT NULL,
    can_chat    INTEGER NOT NULL,
    data        TEXT NOT NULL
) STRICT;

CREATE TABLE customers (
    id    INTEGER PRIMARY KEY,
    name  TEXT NOT NULL,
    email TEXT NOT NULL,
    data  TEXT NOT NULL
) STRICT;

CREATE TABLE conversations (
    id              INTEGER PRIMARY KEY,
    customer_id     INTEGER NOT NULL,
    status          TEXT NOT NULL,
    assignee_id     INTEGER,
    last_message_at INTEGER NOT NULL,
    data            TEXT NOT NULL
) STRICT;
CREATE INDEX conversations_by_status ON conversations(status, last_message_at DESC, id DESC);
CREATE INDEX conversations_by_customer ON conversations(customer_id);

-- Server messages have their server id; a reply not yet delivered has a negative id (minus its
-- outbox id) until the server's copy replaces it.
CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL,
    from_customer   INTEGER NOT NULL,
    text            TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    data            TEXT NOT NULL
) STRICT;
CREATE INDEX messages_by_conversation ON messages(conversation_id, created_at, id);

CREATE TABLE cart_events (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL,
    data            TEXT NOT NULL
) STRICT;
CREATE INDEX cart_events_by_conversation ON cart_events(conversation_id, id);

CREATE TABLE read_states (
    conversation_id INTEGER PRIMARY KEY,
    data            TEXT NOT NULL
) STRICT;

CREATE TABLE notes (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL,
    data        TEXT NOT NULL
) STRICT;
CREATE INDEX notes_by_customer ON notes(customer_id);

CREATE TABLE carts (
    customer_id INTEGER PRIMARY KEY,
    data        TEXT NOT NULL
) STRICT;

CREATE TABLE orders (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL,
    data        TEXT NOT NULL
) STRICT;
CREATE INDEX orders_by_customer ON orders(customer_id);

-- Full-text search over message text, and over customer names and emails.
CREATE VIRTUAL TABLE messages_fts USING fts5(
    text, content = 'messages', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 0'
);
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO messages_fts (rowid, text) VALUES (new.id, new.text);
END;

CREATE VIRTUAL TABLE customers_fts USING fts5(
    name, email, content = 'customers', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 0'
);
CREATE TRIGGER customers_fts_insert AFTER INSERT ON customers BEGIN
    INSERT INTO customers_fts (rowid, name, email) VALUES (new.id, new.name, new.email);
END;
CREATE TRIGGER customers_fts_delete AFTER DELETE ON customers BEGIN
    INSERT INTO customers_fts (customers_fts, rowid, name, email)
    VALUES ('delete', old.id, old.name, old.email);
END;
CREATE TRIGGER customers_fts_update AFTER UPDATE ON customers BEGIN
    INSERT INTO customers_fts (customers_fts, rowid, name, email)
    VALUES ('delete', old.id, old.name, old.email);
    INSERT INTO customers_fts (rowid, name, email) VALUES (new.id, new.name, new.email);
END;

-- Every staff action, applied locally at once and delivered by one worker, exactly once.
CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    conversation_id  INTEGER,
    action           TEXT NOT NULL,              -- JSON Action
    idempotency_key  TEXT NOT NULL UNIQUE,
    state            TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL DEFAULT 0,
    error_code       TEXT,
    error_detail     TEXT,
    created_at       INTEGER NOT NULL
) STRICT;

CREATE TABLE drafts (
    conversation_id INTEGER PRIMARY KEY,
    text            TEXT NOT NULL,
    updated_at      INTEGER NOT NULL
) STRICT;

-- Attachments downloaded for offline viewing, by content hash, evicted least recently used.
CREATE TABLE attachment_cache (
    sha256       TEXT PRIMARY KEY,
    size         INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL
) STRICT;
CREATE INDEX attachment_cache_by_use ON attachment_cache(last_used_at);
