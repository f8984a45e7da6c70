-- An email typed into the chat widget is a claim, not proof. A storefront chat gets a customer
-- record of its own (unverified) and is linked to the shop's customer with that email only after
-- the customer proves the address with a code sent to it. Emails are therefore unique among
-- verified customers only, so `customers` is rebuilt without its UNIQUE constraint (foreign keys
-- are off during a migration and checked before it commits; see `db::migrate`).

CREATE TABLE customers_new (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL,
    email           TEXT NOT NULL COLLATE NOCASE,
    email_verified  INTEGER NOT NULL DEFAULT 1,
    phone           TEXT,
    city            TEXT,
    country         TEXT,
    time_zone       TEXT,
    created_at      INTEGER NOT NULL,
    email_marketing INTEGER NOT NULL DEFAULT 0,
    sms_marketing   INTEGER NOT NULL DEFAULT 0
) STRICT;
INSERT INTO customers_new (id, name, email, email_verified, phone, city, country, time_zone,
                           created_at, email_marketing, sms_marketing)
    SELECT id, name, email, 1, phone, city, country, time_zone, created_at, email_marketing,
           sms_marketing
      FROM customers;
DROP TABLE customers;
ALTER TABLE customers_new RENAME TO customers;
CREATE UNIQUE INDEX customers_by_verified_email ON customers(email) WHERE email_verified = 1;
CREATE INDEX customers_by_email ON customers(email);

-- A code sent to a chat's email; only its hash is kept. One pending code per chat.
CREATE TABLE email_verifications (
    conversation_id INTEGER PRIMARY KEY REFERENCES conversations(id),
    code_hash       BLOB NOT NULL,
    sent_at         INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0
) STRICT;

-- The email outbox also carries verification codes, which belong to no message.
CREATE TABLE email_outbox_new (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL DEFAULT 'reply' CHECK (kind IN ('reply', 'verification')),
    message_id INTEGER REFERENCES messages(id),
    to_address TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    sent_at    INTEGER,
    CHECK ((kind = 'reply') = (message_id IS NOT NULL))
) STRICT;
INSERT INTO email_outbox_new (id, kind, message_id, to_address, subject, body, created_at, sent_at)
    SELECT id, 'reply', message_id, to_address, subject, body, created_at, sent_at FROM email_outbox;
DROP TABLE email_outbox;
ALTER TABLE email_outbox_new RENAME TO email_outbox;

-- Chat sessions expire, and "Not you? Start over" ends one on the server.
ALTER TABLE customer_sessions ADD COLUMN expires_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customer_sessions ADD COLUMN ended_at INTEGER;
UPDATE customer_sessions SET expires_at = created_at + 30 * 24 * 60 * 60 * 1000;
CREATE INDEX customer_sessions_by_expiry ON customer_sessions(expires_at);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys(created_at);
CREATE INDEX staff_tokens_by_expiry ON staff_tokens(expires_at);
