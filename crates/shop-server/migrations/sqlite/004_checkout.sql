-- Checkout in the storefront. A discount code carries the rules the server prices by; an order
-- keeps how it was priced, where it goes and what was bought; an order placed from a chat names
-- its conversation, where staff see it as an "Order #1234 placed" event.
--
-- Codes from before have no rules (0 % off): a shop platform import fills them in.

ALTER TABLE discount_codes ADD COLUMN kind TEXT NOT NULL DEFAULT 'percentage'
    CHECK (kind IN ('percentage', 'fixed_amount', 'free_shipping'));
-- Hundredths of a percent of the subtotal for 'percentage' (1500 is 15 %), minor units for
-- 'fixed_amount', unused for 'free_shipping'.
ALTER TABLE discount_codes ADD COLUMN value INTEGER NOT NULL DEFAULT 0 CHECK (value >= 0);
ALTER TABLE discount_codes ADD COLUMN minimum_subtotal_minor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE discount_codes ADD COLUMN once_per_customer INTEGER NOT NULL DEFAULT 0;

-- Orders imported from the platform have only a number, a total and a status; the columns below
-- are what a storefront checkout also knows.
ALTER TABLE orders ADD COLUMN conversation_id INTEGER REFERENCES conversations(id);
ALTER TABLE orders ADD COLUMN contact_email TEXT COLLATE NOCASE;
ALTER TABLE orders ADD COLUMN shipping_address TEXT; -- JSON ShippingAddress
ALTER TABLE orders ADD COLUMN shipping_method TEXT;
ALTER TABLE orders ADD COLUMN subtotal_minor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN discount_code TEXT COLLATE NOCASE;
ALTER TABLE orders ADD COLUMN discount_minor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN shipping_minor INTEGER NOT NULL DEFAULT 0;
CREATE INDEX orders_by_conversation ON orders(conversation_id) WHERE conversation_id IS NOT NULL;
CREATE INDEX orders_by_discount ON orders(discount_code) WHERE discount_code IS NOT NULL;

-- What an order bought, at the price it was bought at.
CREATE TABLE order_lines (
    order_id         INTEGER NOT NULL REFERENCES orders(id),
    position         INTEGER NOT NULL,
    variant_id       INTEGER NOT NULL REFERENCES variants(id),
    product_title    TEXT NOT NULL,
    options          TEXT NOT NULL DEFAULT '[]', -- JSON array of "Name: Value"
    quantity         INTEGER NOT NULL CHECK (quantity > 0),
    unit_price_minor INTEGER NOT NULL,
    PRIMARY KEY (order_id, position)
) STRICT;
