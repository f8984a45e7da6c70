//! Live push over Server-Sent Events.
//!
//! A stream never keeps its own copy of the shop: it remembers the last sequence number it
//! sent, sleeps on the database's "newest change" signal, and reads what came after from the
//! change log. So a slow or reconnecting client can lag but never miss a change, and
//! `Last-Event-ID` resumes exactly where the client stopped. The chat stream also marks the
//! customer online for as long as it is open.

use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use inbox_protocol::*;
use serde::Deserialize;
use tokio::sync::watch;
use utoipa::IntoParams;

use super::extract::{ApiPath, ApiQuery, ChatStaff, CustomerAuth};
use crate::AppState;
use crate::changes;
use crate::db::Db;
use crate::error::Result;
use crate::mutations;

const BATCH: i64 = 500;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// Start after this cursor; the `Last-Event-ID` header, when sent, wins.
    after: Option<String>,
}

fn entity_name(entity: &Entity) -> &'static str {
    match entity {
        Entity::Staff(_) => "staff",
        Entity::Customer(_) => "customer",
        Entity::Conversation(_) => "conversation",
        Entity::Message(_) => "message",
        Entity::CartEvent(_) => "cart_event",
        Entity::ReadState(_) => "read_state",
        Entity::Note(_) => "note",
        Entity::NoteDeleted { .. } => "note_deleted",
        Entity::Cart(_) => "cart",
        Entity::Order(_) => "order",
    }
}

/// Where a stream is, and what it has read but not yet sent.
struct Follow<T, G> {
    db: Db,
    last_seq: i64,
    latest: watch::Receiver<i64>,
    buffer: VecDeque<T>,
    /// Held for the stream's lifetime (presence).
    _guard: G,
}

/// Turns "read what came after `seq`" into an endless stream of events.
fn follow<T, G, R, E>(
    state: Follow<T, G>,
    read: R,
    to_event: E,
) -> impl Stream<Item = Result<Event, Infallible>>
where
    T: Send + 'static,
    G: Send + 'static,
    R: Fn(&Db, i64) -> futures_util::future::BoxFuture<'static, Result<(Vec<T>, i64)>>
        + Send
        + 'static,
    E: Fn(T) -> Event + Send + 'static,
{
    futures_util::stream::unfold(
        (state, read, to_event),
        |(mut st, read, to_event)| async move {
            loop {
                if let Some(item) = st.buffer.pop_front() {
                    let event = to_event(item);
                    return Some((Ok(event), (st, read, to_event)));
                }
                let latest = *st.latest.borrow_and_update();
                if latest > st.last_seq {
                    match read(&st.db, st.last_seq).await {
                        Ok((items, last)) => {
                            // Nothing visible up to `latest`: everything before it was seen.
                            st.last_seq = if items.is_empty() {
                                latest.max(last)
                            } else {
                                last
                            };
                            st.buffer.extend(items);
                        }
                        Err(error) => {
                            tracing::warn!(%error, "live stream ended");
                            return None;
                        }
                    }
                    continue;
                }
                if st.latest.changed().await.is_err() {
                    return None;
                }
            }
        },
    )
}

#[utoipa::path(
    get, path = "/api/v1/events", tag = "sync", security(("bearer" = [])), params(EventsQuery,
        ("Last-Event-ID" = Option<String>, Header, description = "Resume after this event's id (a cursor)")),
    responses((status = 200, content_type = "text/event-stream", body = Change,
               description = "Server-Sent Events; each event's `id` is its cursor and its `data` a \
                              `Change`; a comment line at least every 15 s keeps the stream alive"))
)]
pub async fn staff_events(
    State(state): State<AppState>,
    ChatStaff(staff): ChatStaff,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<EventsQuery>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let resume = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or(query.after);
    let latest = state.db.subscribe();
    // A new stream without a cursor starts at "now"; the feed is for catching up.
    let start = match resume {
        Some(cursor) => {
            changes::parse_cursor(&state.shop, &cursor, state.db.committed_seq().await?)?
        }
        None => state.db.latest_seq(),
    };
    let shop = state.shop.clone();
    let staff_id = staff.id;
    let read = move |db: &Db, after: i64| -> futures_util::future::BoxFuture<'static, _> {
        let db = db.clone();
        let shop = shop.clone();
        Box::pin(async move {
            db.read(move |conn| {
                let (page, last) = changes::page(conn, &shop, after, staff_id, BATCH, false)?;
                Ok((page.changes, last))
            })
            .await
        })
    };
    let to_event = |change: Change| {
        Event::default()
            .id(change.cursor.clone())
            .event(entity_name(&change.entity))
            .json_data(&change)
            .unwrap_or_default()
    };
    let follow_state = Follow {
        db: state.db.clone(),
        last_seq: start,
        latest,
        buffer: VecDeque::new(),
        _guard: (),
    };
    Ok(Sse::new(follow(follow_state, read, to_event))
        .keep_alive(KeepAlive::new().interval(state.heartbeat)))
}

/// How many chat streams each conversation has open; the customer is online while any is.
#[derive(Debug, Clone, Default)]
pub struct Presence {
    open: Arc<Mutex<HashMap<i64, usize>>>,
}

impl Presence {
    fn count(&self, conversation_id: i64) -> usize {
        self.open
            .lock()
            .expect("presence poisoned")
            .get(&conversation_id)
            .copied()
            .unwrap_or(0)
    }

    /// Marks the customer online and returns a guard that marks them offline when the last
    /// stream of the conversation closes.
    async fn connect(&self, db: &Db, conversation_id: i64) -> Result<PresenceGuard> {
        *self
            .open
            .lock()
            .expect("presence poisoned")
            .entry(conversation_id)
            .or_default() += 1;
        let guard = PresenceGuard {
            presence: self.clone(),
            db: db.clone(),
            conversation_id,
        };
        let presence = self.clone();
        db.write(move |tx| {
            // Decide inside the writer, so racing connects and disconnects settle on the truth.
            let online = presence.count(conversation_id) > 0;
            mutations::set_online(tx, conversation_id, online)
        })
        .await?;
        Ok(guard)
    }
}

struct PresenceGuard {
    presence: Presence,
    db: Db,
    conversation_id: i64,
}

impl Drop for PresenceGuard {
    fn drop(&mut self) {
        {
            let mut open = self.presence.open.lock().expect("presence poisoned");
            if let Some(n) = open.get_mut(&self.conversation_id) {
                *n -= 1;
                if *n == 0 {
                    open.remove(&self.conversation_id);
                }
            }
        }
        let (db, presence, id) = (self.db.clone(), self.presence.clone(), self.conversation_id);
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let result = db
                    .write(move |tx| mutations::set_online(tx, id, presence.count(id) > 0))
                    .await;
                if let Err(error) = result {
                    tracing::warn!(%error, "could not mark a customer offline");
                }
            });
        }
    }
}

#[utoipa::path(
    get, path = "/api/v1/storefront/conversations/{id}/events", tag = "storefront", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The chat's conversation id"),
           ("Last-Event-ID" = Option<String>, Header, description = "Resume after this event's id")),
    responses((status = 200, content_type = "text/event-stream", body = ChatEvent,
               description = "The chat's new messages, cart events and cart; the customer shows as \
                              online while this stream is open"))
)]
pub async fn chat_events(
    State(state): State<AppState>,
    customer: CustomerAuth,
    ApiPath(id): ApiPath<i64>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let customer = customer.check(id)?;
    let latest = state.db.subscribe();
    let start = match headers.get("last-event-id").and_then(|v| v.to_str().ok()) {
        Some(cursor) => {
            changes::parse_cursor(&state.shop, cursor, state.db.committed_seq().await?)?
        }
        None => state.db.latest_seq(),
    };
    let guard = state.presence.connect(&state.db, id).await?;
    let shop = state.shop.clone();
    let read = move |db: &Db, after: i64| -> futures_util::future::BoxFuture<'static, _> {
        let db = db.clone();
        let shop = shop.clone();
        Box::pin(async move {
            db.read(move |conn| {
                let (events, last) =
                    changes::chat_page(conn, &shop, after, customer.customer_id, id, BATCH)?;
                Ok((
                    events
                        .into_iter()
                        .map(|(seq, e)| (e, changes::cursor(&shop, seq)))
                        .collect(),
                    last,
                ))
            })
            .await
        })
    };
    let to_event = |(event, cursor): (ChatEvent, String)| {
        let name = match &event {
            ChatEvent::Message(_) => "message",
            ChatEvent::CartEvent(_) => "cart_event",
            ChatEvent::Cart(_) => "cart",
        };
        Event::default()
            .id(cursor)
            .event(name)
            .json_data(&event)
            .unwrap_or_default()
    };
    let follow_state = Follow {
        db: state.db.clone(),
        last_seq: start,
        latest,
        buffer: VecDeque::new(),
        _guard: guard,
    };
    Ok(Sse::new(follow(follow_state, read, to_event))
        .keep_alive(KeepAlive::new().interval(state.heartbeat)))
}
