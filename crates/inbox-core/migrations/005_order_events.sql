-- Orders a customer placed from their chat, shown in the conversation ("Order #1234 placed").
-- A mirror from before syncs them from the shop's feed like any other entity; older orders
-- placed from a chat arrive when the shop next touches them.
CREATE TABLE order_events (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL,
    data            TEXT NOT NULL
) STRICT;
CREATE INDEX order_events_by_conversation ON order_events(conversation_id, id);
