-- Checkout in the storefront (see migrations/sqlite/004_checkout.sql): discount rules, how an
-- order was priced and shipped, its conversation, and its lines.

ALTER TABLE discount_codes ADD COLUMN kind TEXT NOT NULL DEFAULT 'percentage'
    CHECK (kind IN ('percentage', 'fixed_amount', 'free_shipping'));
ALTER TABLE discount_codes ADD COLUMN value BIGINT NOT NULL DEFAULT 0 CHECK (value >= 0);
ALTER TABLE discount_codes ADD COLUMN minimum_subtotal_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE discount_codes ADD COLUMN once_per_customer BIGINT NOT NULL DEFAULT 0;

ALTER TABLE orders ADD COLUMN conversation_id BIGINT REFERENCES conversations(id);
ALTER TABLE orders ADD COLUMN contact_email CITEXT;
ALTER TABLE orders ADD COLUMN shipping_address TEXT;
ALTER TABLE orders ADD COLUMN shipping_method TEXT;
ALTER TABLE orders ADD COLUMN subtotal_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN discount_code CITEXT;
ALTER TABLE orders ADD COLUMN discount_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN shipping_minor BIGINT NOT NULL DEFAULT 0;
CREATE INDEX orders_by_conversation ON orders(conversation_id) WHERE conversation_id IS NOT NULL;
CREATE INDEX orders_by_discount ON orders(discount_code) WHERE discount_code IS NOT NULL;

CREATE TABLE order_lines (
    order_id         BIGINT NOT NULL REFERENCES orders(id),
    position         BIGINT NOT NULL,
    variant_id       BIGINT NOT NULL REFERENCES variants(id),
    product_title    TEXT NOT NULL,
    options          TEXT NOT NULL DEFAULT '[]',
    quantity         BIGINT NOT NULL CHECK (quantity > 0),
    unit_price_minor BIGINT NOT NULL,
    PRIMARY KEY (order_id, position)
);
