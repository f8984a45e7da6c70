//! The change log behind the sync feed and the live stream.
//!
//! Every write that alters an entity calls [`touch`] in the same transaction. The log keeps one
//! row per entity, moved to a fresh sequence number on each change, so a client walking the
//! feed from any cursor receives every entity that changed since, once, in its current state.
//! Cursors name the shop's history as well as the position, so a cursor from another database
//! (or a garbage one) is refused rather than silently answered with an empty page.

use inbox_protocol::{Change, Entity, SyncPage};

use super::entities::{self as store, Shop};
use super::{Sql, Tx};
use crate::args;
use crate::error::{Error, Result};

/// What kind of entity a change row points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Staff,
    Customer,
    Conversation,
    Message,
    CartEvent,
    /// `entity_id` is the conversation; the row belongs to one staff member.
    ReadState,
    Note,
    SavedReply,
    Activity,
    /// `entity_id` is the customer.
    Cart,
    Order,
    /// `entity_id` is the order; only orders placed from a chat have one.
    OrderEvent,
}

impl Kind {
    fn key(self) -> &'static str {
        match self {
            Kind::Staff => "staff",
            Kind::Customer => "customer",
            Kind::Conversation => "conversation",
            Kind::Message => "message",
            Kind::CartEvent => "cart_event",
            Kind::ReadState => "read_state",
            Kind::Note => "note",
            Kind::SavedReply => "saved_reply",
            Kind::Activity => "activity",
            Kind::Cart => "cart",
            Kind::Order => "order",
            Kind::OrderEvent => "order_event",
        }
    }

    pub fn from_key(key: &str) -> Option<Kind> {
        [
            Kind::Staff,
            Kind::Customer,
            Kind::Conversation,
            Kind::Message,
            Kind::CartEvent,
            Kind::ReadState,
            Kind::Note,
            Kind::SavedReply,
            Kind::Activity,
            Kind::Cart,
            Kind::Order,
            Kind::OrderEvent,
        ]
        .into_iter()
        .find(|k| k.key() == key)
    }
}

/// Records that an entity changed. `staff_id` scopes the change to one staff member (read
/// states); everyone else passes 0.
pub fn touch(tx: &Tx<'_>, kind: Kind, entity_id: i64, staff_id: i64) -> Result<()> {
    tx.execute(
        "DELETE FROM changes WHERE kind = ?1 AND entity_id = ?2 AND staff_id = ?3",
        args![kind.key(), entity_id, staff_id],
    )?;
    tx.execute(
        "INSERT INTO changes (kind, entity_id, staff_id) VALUES (?1, ?2, ?3)",
        args![kind.key(), entity_id, staff_id],
    )?;
    Ok(())
}

/// The newest change in a snapshot (0 for none).
pub fn newest(db: &dyn Sql) -> Result<i64> {
    db.query_row("SELECT coalesce(max(seq), 0) FROM changes", args![], |r| {
        r.get(0)
    })
}

/// Up to `limit` rows of the log after `after`, oldest first: `(seq, kind, entity_id, staff_id)`.
pub fn after(db: &dyn Sql, after: i64, limit: i64) -> Result<Vec<(i64, String, i64, i64)>> {
    db.query_map(
        "SELECT seq, kind, entity_id, staff_id FROM changes WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        args![after, limit],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )
}

/// Encodes a position in this shop's history.
pub fn cursor(shop: &Shop, seq: i64) -> String {
    format!("{}.{seq}", shop.history_id)
}

/// Decodes a cursor; the empty cursor is the start of history.
pub fn parse_cursor(shop: &Shop, cursor: &str, latest: i64) -> Result<i64> {
    if cursor.is_empty() {
        return Ok(0);
    }
    let invalid = |why: &str| {
        Error::bad_request(
            inbox_protocol::ProblemCode::InvalidCursor,
            format!("{why}; sync again from the empty cursor"),
        )
    };
    let (history, seq) = cursor
        .split_once('.')
        .ok_or_else(|| invalid("malformed cursor"))?;
    if history != shop.history_id {
        return Err(invalid("the cursor belongs to another shop history"));
    }
    let seq: i64 = seq.parse().map_err(|_| invalid("malformed cursor"))?;
    if seq < 0 || seq > latest {
        return Err(invalid("the cursor is ahead of the shop's history"));
    }
    Ok(seq)
}

/// Loads the current state of one changed entity, as `staff_id` may see it.
pub fn load(
    conn: &dyn Sql,
    shop: &Shop,
    kind: Kind,
    entity_id: i64,
    staff_id: i64,
) -> Result<Option<Entity>> {
    Ok(match kind {
        Kind::Staff => store::staff(conn, entity_id)?.map(Entity::Staff),
        Kind::Customer => store::customer(conn, shop, entity_id)?.map(Entity::Customer),
        Kind::Conversation => store::conversation(conn, entity_id)?.map(Entity::Conversation),
        Kind::Message => store::message(conn, entity_id)?.map(Entity::Message),
        Kind::CartEvent => store::cart_event(conn, entity_id)?.map(Entity::CartEvent),
        Kind::ReadState => Some(Entity::ReadState(store::read_state(
            conn, entity_id, staff_id,
        )?)),
        Kind::Note => store::note_entity(conn, entity_id)?,
        Kind::SavedReply => store::saved_reply_entity(conn, entity_id)?,
        Kind::Activity => store::activity(conn, entity_id)?.map(Entity::Activity),
        Kind::Cart => store::cart(conn, shop, entity_id)?.map(Entity::Cart),
        Kind::Order => store::order(conn, shop, entity_id)?.map(Entity::Order),
        Kind::OrderEvent => store::order_event(conn, shop, entity_id)?.map(Entity::OrderEvent),
    })
}

/// The changes after `after_seq` visible to `staff_id`, oldest first, with the sequence number
/// of the last change it looked at.
pub fn page(
    conn: &dyn Sql,
    shop: &Shop,
    after_seq: i64,
    staff_id: i64,
    limit: i64,
    count: bool,
) -> Result<(SyncPage, i64)> {
    let rows: Vec<(i64, String, i64)> = conn.query_map(
        "SELECT seq, kind, entity_id FROM changes
          WHERE seq > ?1 AND staff_id IN (0, ?2) ORDER BY seq LIMIT ?3",
        args![after_seq, staff_id, limit + 1],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let has_more = rows.len() as i64 > limit;
    let mut changes = Vec::with_capacity(rows.len().min(limit as usize));
    let mut last_seq = after_seq;
    for (seq, kind, entity_id) in rows.into_iter().take(limit as usize) {
        last_seq = seq;
        let kind = Kind::from_key(&kind)
            .ok_or_else(|| Error::Other(format!("unknown change kind {kind}")))?;
        if let Some(entity) = load(conn, shop, kind, entity_id, staff_id)? {
            changes.push(Change {
                cursor: cursor(shop, seq),
                entity,
            });
        }
    }
    let remaining = if count {
        Some(conn.query_row(
            "SELECT count(*) FROM changes WHERE seq > ?1 AND staff_id IN (0, ?2)",
            args![after_seq, staff_id],
            |r| r.get(0),
        )?)
    } else {
        None
    };
    Ok((
        SyncPage {
            changes,
            next_cursor: cursor(shop, last_seq),
            has_more,
            remaining,
        },
        last_seq,
    ))
}

/// A chat's events with their sequence numbers, how far the read reached, and whether there is
/// more to read.
pub type ChatPage = (Vec<(i64, inbox_protocol::ChatEvent)>, i64, bool);

/// What a customer's chat widget sees after `after_seq`: its own conversation's messages, cart
/// and order events, and its own cart, filtered in SQL so a chat far behind reads only its own rows.
/// Returns the events with their sequence numbers, how far the read reaches in the log, and
/// whether there is more to read: a page that is not full reaches the newest change, so a
/// stream can move past everything it did not see without skipping anything it should.
pub fn chat_page(
    conn: &dyn Sql,
    shop: &Shop,
    after_seq: i64,
    customer_id: i64,
    conversation_id: i64,
    limit: i64,
) -> Result<ChatPage> {
    use inbox_protocol::ChatEvent;
    let rows: Vec<(i64, String, i64)> = conn.query_map(
        "SELECT seq, kind, entity_id FROM changes
              WHERE seq > ?1 AND staff_id = 0 AND (
                    (kind = 'message' AND entity_id IN
                        (SELECT id FROM messages WHERE conversation_id = ?2))
                 OR (kind = 'cart_event' AND entity_id IN
                        (SELECT id FROM cart_events WHERE conversation_id = ?2))
                 OR (kind = 'order_event' AND entity_id IN
                        (SELECT id FROM orders WHERE conversation_id = ?2))
                 OR (kind = 'cart' AND entity_id = ?3))
              ORDER BY seq LIMIT ?4",
        args![after_seq, conversation_id, customer_id, limit],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let more = rows.len() as i64 >= limit;
    let mut events = Vec::with_capacity(rows.len());
    let mut last_seq = after_seq;
    for (seq, kind, entity_id) in rows {
        last_seq = seq;
        let event = match Kind::from_key(&kind) {
            Some(Kind::Message) => store::message(conn, entity_id)?.map(ChatEvent::Message),
            Some(Kind::CartEvent) => store::cart_event(conn, entity_id)?.map(ChatEvent::CartEvent),
            Some(Kind::Cart) => store::cart(conn, shop, customer_id)?.map(ChatEvent::Cart),
            Some(Kind::OrderEvent) => {
                store::order_event(conn, shop, entity_id)?.map(ChatEvent::OrderEvent)
            }
            _ => None,
        };
        events.extend(event.map(|e| (seq, e)));
    }
    if !more {
        // Everything up to the newest change in this snapshot was looked at.
        last_seq = last_seq.max(newest(conn)?);
    }
    Ok((events, last_seq, more))
}

/// Puts every entity of a freshly seeded database into the log, oldest first.
pub fn rebuild(tx: &Tx<'_>) -> Result<()> {
    tx.execute("DELETE FROM changes", args![])?;
    tx.execute_batch(
        "INSERT INTO changes (kind, entity_id, staff_id)
           SELECT 'staff', id, 0 FROM staff ORDER BY id;
         INSERT INTO changes (kind, entity_id, staff_id)
           SELECT 'customer', id, 0 FROM customers ORDER BY created_at, id;
         INSERT INTO changes (kind, entity_id, staff_id)
           SELECT 'order', id, 0 FROM orders ORDER BY created_at, id;
         INSERT INTO changes (kind, entity_id, staff_id)
           SELECT 'cart', customer_id, 0 FROM carts ORDER BY updated_at, customer_id;
         INSERT INTO changes (kind, entity_id, staff_id)
           SELECT 'note', id, 0 FROM customer_notes ORDER BY created_at, id;
         INSERT INTO changes (kind, entity_id, staff_id)
           SELECT 'saved_reply', id, 0 FROM saved_replies ORDER BY created_at, id;
         INSERT INTO changes (kind, entity_id, staff_id)
           SELECT 'conversation', id, 0 FROM conversations ORDER BY last_message_at, id;
         INSERT INTO changes (kind, entity_id, staff_id)
           SELECT 'message', id, 0 FROM messages ORDER BY id;
         INSERT INTO changes (kind, entity_id, staff_id)
           SELECT 'cart_event', id, 0 FROM cart_events ORDER BY id;
         INSERT INTO changes (kind, entity_id, staff_id)
           SELECT 'order_event', id, 0 FROM orders WHERE conversation_id IS NOT NULL
            ORDER BY created_at, id;
         INSERT INTO changes (kind, entity_id, staff_id)
           SELECT 'read_state', conversation_id, staff_id FROM read_states
            ORDER BY updated_at, conversation_id, staff_id;",
    )?;
    Ok(())
}
