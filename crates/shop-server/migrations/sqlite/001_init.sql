-- The shop's database. Times are Unix milliseconds; money is integer minor units.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE staff (
    id              INTEGER PRIMARY KEY,
    email           TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name            TEXT NOT NULL,
    password_hash   TEXT NOT NULL,
    chat_permission INTEGER NOT NULL DEFAULT 1,
    created_at      INTEGER NOT NULL
) STRICT;

CREATE TABLE staff_tokens (
    token_hash BLOB PRIMARY KEY,
    staff_id   INTEGER NOT NULL REFERENCES staff(id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
) STRICT;

CREATE TABLE customers (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL,
    email           TEXT NOT NULL UNIQUE COLLATE NOCASE,
    phone           TEXT,
    city            TEXT,
    country         TEXT,
    time_zone       TEXT,
    created_at      INTEGER NOT NULL,
    email_marketing INTEGER NOT NULL DEFAULT 0,
    sms_marketing   INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE customer_notes (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    author_id   INTEGER NOT NULL REFERENCES staff(id),
    body        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    deleted_at  INTEGER -- kept as a tombstone so the feed can tell clients
) STRICT;
CREATE INDEX customer_notes_by_customer ON customer_notes(customer_id);

CREATE TABLE products (
    id           INTEGER PRIMARY KEY,
    title        TEXT NOT NULL,
    handle       TEXT NOT NULL UNIQUE,
    description  TEXT NOT NULL DEFAULT '',
    image        TEXT,
    online_store INTEGER NOT NULL DEFAULT 1,
    created_at   INTEGER NOT NULL
) STRICT;

CREATE TABLE variants (
    id          INTEGER PRIMARY KEY,
    product_id  INTEGER NOT NULL REFERENCES products(id),
    title       TEXT NOT NULL,
    options     TEXT NOT NULL DEFAULT '[]', -- JSON array of "Name: Value"
    price_minor INTEGER NOT NULL,
    stock       INTEGER NOT NULL DEFAULT 0,
    position    INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX variants_by_product ON variants(product_id, position);

CREATE TABLE discount_codes (
    id         INTEGER PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    summary    TEXT NOT NULL,
    starts_at  INTEGER NOT NULL,
    ends_at    INTEGER
) STRICT;

CREATE TABLE carts (
    customer_id   INTEGER PRIMARY KEY REFERENCES customers(id),
    discount_code TEXT,
    updated_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE cart_lines (
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    variant_id  INTEGER NOT NULL REFERENCES variants(id),
    quantity    INTEGER NOT NULL CHECK (quantity > 0),
    added_at    INTEGER NOT NULL,
    PRIMARY KEY (customer_id, variant_id)
) STRICT;

CREATE TABLE orders (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    number      INTEGER NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL,
    total_minor INTEGER NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('open', 'paid', 'fulfilled', 'cancelled', 'refunded'))
) STRICT;
CREATE INDEX orders_by_customer ON orders(customer_id, created_at);

CREATE TABLE conversations (
    id              INTEGER PRIMARY KEY,
    customer_id     INTEGER NOT NULL REFERENCES customers(id),
    platform        TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    assignee_id     INTEGER REFERENCES staff(id),
    contact_email   TEXT NOT NULL,
    customer_online INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    last_message_at INTEGER NOT NULL
) STRICT;
CREATE INDEX conversations_by_customer ON conversations(customer_id, platform, status);

-- One row per topic per conversation; the newest labelling wins.
CREATE TABLE conversation_topics (
    conversation_id INTEGER NOT NULL REFERENCES conversations(id),
    topic           TEXT NOT NULL,
    confidence      REAL NOT NULL,
    message_id      INTEGER NOT NULL,
    labelled_at     INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, topic)
) STRICT;

CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id),
    author_staff_id INTEGER REFERENCES staff(id), -- NULL: the customer wrote it
    body            TEXT NOT NULL,                -- JSON MessageBody
    delivery        TEXT,                         -- JSON Delivery, staff messages only
    created_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX messages_by_conversation ON messages(conversation_id, id);

CREATE TABLE cart_events (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id),
    action          TEXT NOT NULL CHECK (action IN ('added', 'removed')),
    product_id      INTEGER NOT NULL REFERENCES products(id),
    product_title   TEXT NOT NULL, -- full title; the wire shows it only under 41 characters
    quantity        INTEGER NOT NULL,
    created_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX cart_events_by_conversation ON cart_events(conversation_id, id);

CREATE TABLE read_states (
    conversation_id      INTEGER NOT NULL REFERENCES conversations(id),
    staff_id             INTEGER NOT NULL REFERENCES staff(id),
    last_read_message_id INTEGER,
    marked_unread        INTEGER NOT NULL DEFAULT 0,
    updated_at           INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, staff_id)
) STRICT;

CREATE TABLE uploads (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('image', 'video')),
    mime        TEXT NOT NULL,
    size        INTEGER NOT NULL,
    width       INTEGER,
    height      INTEGER,
    sha256      TEXT NOT NULL,
    uploader_id INTEGER REFERENCES staff(id),
    created_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE email_outbox (
    id         INTEGER PRIMARY KEY,
    message_id INTEGER NOT NULL REFERENCES messages(id),
    to_address TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    sent_at    INTEGER
) STRICT;

CREATE TABLE customer_sessions (
    token_hash      BLOB PRIMARY KEY,
    customer_id     INTEGER NOT NULL REFERENCES customers(id),
    conversation_id INTEGER NOT NULL REFERENCES conversations(id),
    created_at      INTEGER NOT NULL
) STRICT;

-- A retried mutation with the same key answers with the first response.
CREATE TABLE idempotency_keys (
    scope        TEXT NOT NULL, -- 'staff:ID' or 'customer:ID'
    key          TEXT NOT NULL,
    request_hash BLOB NOT NULL,
    status       INTEGER NOT NULL,
    response     TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
) STRICT;

-- The change log behind the sync feed: one row per entity (per staff member for read states),
-- moved to a new seq whenever the entity changes, so the feed carries each entity once.
CREATE TABLE changes (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    kind      TEXT NOT NULL,
    entity_id INTEGER NOT NULL,
    staff_id  INTEGER NOT NULL DEFAULT 0, -- 0: every staff member sees it
    UNIQUE (kind, entity_id, staff_id)
) STRICT;
