-- The metrics view (`metrics.rs`): conversations that started in a period, and for each its
-- first customer message and first staff reply.
--
-- Conversations by when they started: the start is only in the stored JSON, so the index is
-- on the expression the metrics query filters on (it must be written the same way there).
CREATE INDEX conversations_by_start ON conversations(json_extract(data, '$.created_at'));

-- A conversation's messages in time order, now with who wrote each, so the first customer
-- message and the first staff reply are found in the index without reading the message rows.
-- It replaces the narrower index rather than adding a second one: every query that used the
-- old one (a conversation's messages in order) reads the same prefix, and a first sync writes
-- one index on messages, not two.
DROP INDEX messages_by_conversation;
CREATE INDEX messages_by_conversation ON messages(conversation_id, created_at, id, from_customer);

-- A customer's orders by when they were placed, with their status: whether a conversation was
-- followed by a sale within 7 days is a range search here, not a read of each of the
-- customer's orders. It replaces the index on the customer alone, which it serves as well.
DROP INDEX orders_by_customer;
CREATE INDEX orders_by_customer ON orders(
    customer_id, json_extract(data, '$.created_at'), json_extract(data, '$.status')
);
