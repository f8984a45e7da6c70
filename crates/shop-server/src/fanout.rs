//! One read per commit: a single task reads each new change from the log once, encodes it once
//! (as the staff `Change` and, where a chat may see it, as the customer's `ChatEvent`), and
//! hands the encoded items to every live stream through one broadcast channel.
//!
//! Each item says which stretch of the log it covers, `(prev, seq]`, so a stream can tell a
//! gap from a quiet spell: a stream that lagged behind the channel, started from an older
//! cursor, or missed items while nobody was listening reads the stretch it lacks from the log
//! itself ([`crate::storage::changes::page`], [`crate::storage::changes::chat_page`]) and then rejoins. Streams
//! never buffer without bound and never skip. This module never writes.

use std::sync::Arc;

use inbox_protocol::{Change, ChatEvent, Entity};
use tokio::sync::broadcast;

use crate::error::{Error, Result};
use crate::storage::Shop;
use crate::storage::changes::{self, Kind};
use crate::storage::{Db, Sql};

/// Changes read from the log per read.
const PAGE: i64 = 500;

/// Items the channel holds before a slow stream is told it lagged (and catches up from the
/// log). Items are small (one entity's JSON each), so this bounds memory to a few MB.
const CHANNEL: usize = 2_048;

/// One change, encoded once for every stream.
#[derive(Debug)]
pub struct LiveChange {
    /// The item covers the log after `prev` up to and including `seq`.
    pub prev: i64,
    pub seq: i64,
    /// 0: every staff member may see it; otherwise only this staff member (read states).
    pub staff_id: i64,
    pub cursor: Arc<str>,
    /// The SSE event name and the `Change` as JSON; `None` when the entity is gone.
    pub staff: Option<(&'static str, Arc<str>)>,
    /// What a customer's chat may see of it.
    pub chat: Option<ChatItem>,
}

/// A change a chat stream may show: a message, cart or order event of one conversation, or one
/// customer's cart.
#[derive(Debug)]
pub struct ChatItem {
    pub conversation_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub name: &'static str,
    pub json: Arc<str>,
}

impl ChatItem {
    pub fn visible_to(&self, conversation_id: i64, customer_id: i64) -> bool {
        self.conversation_id == Some(conversation_id) || self.customer_id == Some(customer_id)
    }
}

/// The SSE event name of a staff change.
pub fn entity_name(entity: &Entity) -> &'static str {
    match entity {
        Entity::Staff(_) => "staff",
        Entity::Customer(_) => "customer",
        Entity::Conversation(_) => "conversation",
        Entity::Message(_) => "message",
        Entity::CartEvent(_) => "cart_event",
        Entity::ReadState(_) => "read_state",
        Entity::Note(_) => "note",
        Entity::NoteDeleted { .. } => "note_deleted",
        Entity::SavedReply(_) => "saved_reply",
        Entity::SavedReplyDeleted { .. } => "saved_reply_deleted",
        Entity::Activity(_) => "activity",
        Entity::Cart(_) => "cart",
        Entity::Order(_) => "order",
        Entity::OrderEvent(_) => "order_event",
    }
}

/// The SSE event name of a chat event.
pub fn chat_name(event: &ChatEvent) -> &'static str {
    match event {
        ChatEvent::Message(_) => "message",
        ChatEvent::CartEvent(_) => "cart_event",
        ChatEvent::Cart(_) => "cart",
        ChatEvent::OrderEvent(_) => "order_event",
    }
}

/// The shared channel; cloning it is cheap.
#[derive(Debug, Clone)]
pub struct Fanout {
    sender: broadcast::Sender<Arc<LiveChange>>,
}

impl Fanout {
    /// Starts the reader task for `db`; the server aborts it when it stops.
    pub fn start(db: Db, shop: Shop) -> (Fanout, tokio::task::JoinHandle<()>) {
        let (sender, _) = broadcast::channel(CHANNEL);
        let fanout = Fanout { sender };
        let task = tokio::spawn(run(db, shop, fanout.sender.clone()));
        (fanout, task)
    }

    /// A receiver of every item published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<LiveChange>> {
        self.sender.subscribe()
    }
}

async fn run(db: Db, shop: Shop, sender: broadcast::Sender<Arc<LiveChange>>) {
    let mut latest = db.subscribe();
    let mut last = *latest.borrow_and_update();
    loop {
        let newest = *latest.borrow_and_update();
        if newest > last {
            if sender.receiver_count() == 0 {
                // Nobody listens: nothing to encode. A stream that starts later reads what
                // it needs from the log, as every item after this says where it starts.
                last = newest;
                continue;
            }
            let shop = shop.clone();
            match db.read(move |conn| read_page(conn, &shop, last)).await {
                Ok((items, to)) => {
                    last = to;
                    for item in items {
                        // No receiver left is fine: the next read notices.
                        let _ = sender.send(Arc::new(item));
                    }
                }
                Err(error) => {
                    tracing::warn!(%error, "live fan-out could not read the change log");
                    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                }
            }
            continue;
        }
        if latest.changed().await.is_err() {
            return;
        }
    }
}

/// Reads and encodes up to a page of changes after `after`; returns them and how far they
/// reach.
fn read_page(conn: &dyn Sql, shop: &Shop, after: i64) -> Result<(Vec<LiveChange>, i64)> {
    let rows = changes::after(conn, after, PAGE)?;
    let mut items = Vec::with_capacity(rows.len());
    let mut prev = after;
    for (seq, kind, entity_id, staff_id) in rows {
        let kind = Kind::from_key(&kind)
            .ok_or_else(|| Error::Other(format!("unknown change kind {kind}")))?;
        let entity = changes::load(conn, shop, kind, entity_id, staff_id)?;
        let cursor: Arc<str> = changes::cursor(shop, seq).into();
        let chat = entity.as_ref().and_then(chat_item).transpose()?;
        let staff = match entity {
            Some(entity) => {
                let name = entity_name(&entity);
                let change = Change {
                    cursor: cursor.to_string(),
                    entity,
                };
                Some((name, serde_json::to_string(&change)?.into()))
            }
            None => None,
        };
        items.push(LiveChange {
            prev,
            seq,
            staff_id,
            cursor,
            staff,
            chat,
        });
        prev = seq;
    }
    Ok((items, prev))
}

fn chat_item(entity: &Entity) -> Option<Result<ChatItem>> {
    let (event, conversation_id, customer_id) = match entity {
        Entity::Message(m) => (ChatEvent::Message(m.clone()), Some(m.conversation_id), None),
        Entity::CartEvent(e) => (
            ChatEvent::CartEvent(e.clone()),
            Some(e.conversation_id),
            None,
        ),
        Entity::Cart(c) => (ChatEvent::Cart(c.clone()), None, Some(c.customer_id)),
        Entity::OrderEvent(e) => (
            ChatEvent::OrderEvent(e.clone()),
            Some(e.conversation_id),
            None,
        ),
        _ => return None,
    };
    Some(
        serde_json::to_string(&event)
            .map_err(Error::from)
            .map(|json| ChatItem {
                conversation_id,
                customer_id,
                name: chat_name(&event),
                json: json.into(),
            }),
    )
}
