-- Saved replies: text with variables that staff insert in the composer, shared by the whole
-- shop, optionally with up to three products, a discount code and an image to send with it.
-- A deleted reply keeps its row, emptied, as the tombstone the feed tells desktops about.
CREATE TABLE saved_replies (
    id              INTEGER PRIMARY KEY,
    title           TEXT NOT NULL,
    body            TEXT NOT NULL,
    product_ids     TEXT NOT NULL DEFAULT '[]', -- JSON array of product ids, in order
    discount_id     INTEGER REFERENCES discount_codes(id),
    image_upload_id TEXT REFERENCES uploads(id),
    author_id       INTEGER NOT NULL REFERENCES staff(id),
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    deleted_at      INTEGER
) STRICT;
