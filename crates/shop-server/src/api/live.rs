//! Live push over Server-Sent Events, for staff and for customers' chats.
//!
//! A stream keeps no copy of the shop: it remembers the last sequence number it covered, takes
//! what the fan-out ([`crate::fanout`]) already read and encoded for every stream, and shows
//! what its viewer may see. When it lags behind the fan-out, or starts from an older cursor, it
//! reads the stretch it lacks from the change log itself and rejoins, so a slow or resuming
//! client lags but never misses a change, and `Last-Event-ID` resumes exactly where it stopped.
//!
//! A stream also ends when its viewer may no longer watch: a staff stream at sign-out (at once
//! on this instance), revocation or expiry (at the next recheck); a chat stream when its
//! session ends. Open streams are capped per token, per address and in all. The chat stream
//! marks the customer online while it is open ([`crate::presence`]).

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use futures_util::future::BoxFuture;
use inbox_protocol::*;
use serde::Deserialize;
use tokio::sync::broadcast;
use utoipa::IntoParams;

use super::extract::{
    ApiPath, ApiQuery, ChatStaff, ClientIp, CustomerAuth, bearer_hash, staff_for_token,
};
use crate::AppState;
use crate::error::Result;
use crate::fanout::{self, Fanout, LiveChange};
use crate::storage::Shop;
use crate::storage::{Db, Sql, changes, records};

/// Changes read from the log per catch-up read.
const BATCH: i64 = 500;

/// Chat streams recheck their session this many times less often than staff streams.
const CHAT_RECHECK_FACTOR: u32 = 6;

/// What every live stream of a server shares.
#[derive(Debug, Clone)]
pub struct Live {
    pub fanout: Fanout,
    /// The token hash of every sign-out and every changed chat session, so the one stream of
    /// this instance that holds that token rechecks at once (the others only compare hashes).
    sessions: broadcast::Sender<Arc<[u8]>>,
    /// How often an open stream checks that its viewer may still watch.
    pub recheck: Duration,
}

impl Live {
    pub fn new(fanout: Fanout, recheck: Duration) -> Live {
        Live {
            fanout,
            sessions: broadcast::channel(256).0,
            recheck,
        }
    }

    /// Tells this instance's streams that the token with this hash was signed out, or its chat
    /// session ended or moved to another customer.
    pub fn session_changed(&self, token_hash: &[u8]) {
        // Nobody listening is fine.
        let _ = self.sessions.send(token_hash.into());
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// Start after this cursor; the `Last-Event-ID` header, when sent, wins.
    after: Option<String>,
}

/// Who watches a stream: what they may see of each change, how they read what they missed,
/// and whether they may go on watching.
trait Viewer: Send + Sync + 'static {
    fn pick(&self, item: &LiveChange) -> Option<Event>;
    /// Events after `after` from the log, how far the read reached, and whether there is more.
    fn catch_up(&self, db: &Db, after: i64) -> BoxFuture<'static, Result<(Vec<Event>, i64, bool)>>;
    fn still_allowed(&self, db: &Db) -> BoxFuture<'static, bool>;
    /// The hash of the token this stream was opened with.
    fn token_hash(&self) -> &[u8];
}

/// A stream's position and what it has read but not yet sent.
struct Follow<V> {
    db: Db,
    viewer: Arc<V>,
    last_seq: i64,
    /// True while the stream must read from the log before taking from the fan-out again.
    behind: bool,
    live: broadcast::Receiver<Arc<LiveChange>>,
    sessions: broadcast::Receiver<Arc<[u8]>>,
    recheck: tokio::time::Interval,
    buffer: VecDeque<Event>,
    /// Held for the stream's lifetime: its place under the caps, and presence for chats.
    _hold: Box<dyn Send>,
}

fn follow<V: Viewer>(start: Follow<V>) -> impl Stream<Item = Result<Event, Infallible>> {
    futures_util::stream::unfold(start, |mut st| async move {
        loop {
            if let Some(event) = st.buffer.pop_front() {
                return Some((Ok(event), st));
            }
            if st.behind {
                match st.viewer.catch_up(&st.db, st.last_seq).await {
                    Ok((events, reached, more)) => {
                        st.buffer.extend(events);
                        st.last_seq = st.last_seq.max(reached);
                        st.behind = more;
                    }
                    Err(error) => {
                        tracing::warn!(%error, "live stream ended");
                        return None;
                    }
                }
                continue;
            }
            tokio::select! {
                changed = st.sessions.recv() => {
                    let mine = match &changed {
                        Ok(hash) => **hash == *st.viewer.token_hash(),
                        // Missed some: ask the database rather than guess.
                        Err(broadcast::error::RecvError::Lagged(_)) => true,
                        Err(broadcast::error::RecvError::Closed) => return None,
                    };
                    if mine && !st.viewer.still_allowed(&st.db).await {
                        return None;
                    }
                }
                _ = st.recheck.tick() => {
                    if !st.viewer.still_allowed(&st.db).await {
                        return None;
                    }
                }
                item = st.live.recv() => match item {
                    Ok(item) if item.seq <= st.last_seq => {}
                    // A stretch of the log this stream has not covered: read it first.
                    Ok(item) if item.prev > st.last_seq => st.behind = true,
                    Ok(item) => {
                        st.last_seq = item.seq;
                        st.buffer.extend(st.viewer.pick(&item));
                    }
                    Err(broadcast::error::RecvError::Lagged(_)) => st.behind = true,
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
            }
        }
    })
}

fn start_follow<V: Viewer>(
    state: &AppState,
    viewer: V,
    live: broadcast::Receiver<Arc<LiveChange>>,
    start: i64,
    recheck_every: Duration,
    hold: Box<dyn Send>,
) -> Follow<V> {
    let mut recheck = tokio::time::interval(recheck_every);
    recheck.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // The first tick is immediate; the token was checked a moment ago.
    recheck.reset();
    Follow {
        db: state.db.clone(),
        viewer: Arc::new(viewer),
        last_seq: start,
        behind: true,
        live,
        sessions: state.live.sessions.subscribe(),
        recheck,
        buffer: VecDeque::new(),
        _hold: hold,
    }
}

/// The newest change in a snapshot.
fn newest(conn: &dyn Sql) -> Result<i64> {
    changes::newest(conn)
}

struct StaffViewer {
    shop: Shop,
    staff_id: i64,
    token_hash: Vec<u8>,
}

impl Viewer for StaffViewer {
    fn pick(&self, item: &LiveChange) -> Option<Event> {
        if item.staff_id != 0 && item.staff_id != self.staff_id {
            return None;
        }
        let (name, json) = item.staff.as_ref()?;
        Some(
            Event::default()
                .id(&*item.cursor)
                .event(*name)
                .data(&**json),
        )
    }

    fn catch_up(&self, db: &Db, after: i64) -> BoxFuture<'static, Result<(Vec<Event>, i64, bool)>> {
        let (db, shop, staff_id) = (db.clone(), self.shop.clone(), self.staff_id);
        Box::pin(async move {
            db.read(move |conn| {
                let (page, last) = changes::page(conn, &shop, after, staff_id, BATCH, false)?;
                let events = page
                    .changes
                    .into_iter()
                    .map(|change| {
                        Event::default()
                            .id(change.cursor.clone())
                            .event(fanout::entity_name(&change.entity))
                            .json_data(&change)
                            .unwrap_or_default()
                    })
                    .collect();
                let reached = if page.has_more { last } else { newest(conn)? };
                Ok((events, reached, page.has_more))
            })
            .await
        })
    }

    fn token_hash(&self) -> &[u8] {
        &self.token_hash
    }

    fn still_allowed(&self, db: &Db) -> BoxFuture<'static, bool> {
        let (db, hash) = (db.clone(), self.token_hash.clone());
        Box::pin(async move {
            db.read(move |conn| Ok(staff_for_token(conn, &hash).is_ok_and(|s| s.can_chat())))
                .await
                .unwrap_or(false)
        })
    }
}

#[utoipa::path(
    get, path = "/api/v1/events", tag = "sync", security(("bearer" = [])), params(EventsQuery,
        ("Last-Event-ID" = Option<String>, Header, description = "Resume after this event's id (a cursor)")),
    responses((status = 200, content_type = "text/event-stream", body = Change,
               description = "Server-Sent Events; each event's `id` is its cursor and its `data` a \
                              `Change`; a comment line at least every 15 s keeps the stream alive. \
                              The stream ends soon after its token is signed out, revoked or expires."))
)]
pub async fn staff_events(
    State(state): State<AppState>,
    ChatStaff(staff): ChatStaff,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<EventsQuery>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let token_hash = bearer_hash(&headers);
    let place = state.limits.streams.enter(&token_hash, ip)?;
    let resume = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or(query.after);
    // Subscribed before the start is decided, so nothing published in between is lost.
    let live = state.live.fanout.subscribe();
    // A new stream without a cursor starts at "now"; the feed is for catching up.
    let start = match resume {
        Some(cursor) => {
            changes::parse_cursor(&state.shop, &cursor, state.db.committed_seq().await?)?
        }
        None => state.db.latest_seq(),
    };
    let viewer = StaffViewer {
        shop: state.shop.clone(),
        staff_id: staff.id,
        token_hash,
    };
    let follow = start_follow(
        &state,
        viewer,
        live,
        start,
        state.live.recheck,
        Box::new(place),
    );
    Ok(Sse::new(follow_stream(follow)).keep_alive(KeepAlive::new().interval(state.heartbeat)))
}

fn follow_stream<V: Viewer>(
    follow_state: Follow<V>,
) -> impl Stream<Item = Result<Event, Infallible>> {
    follow(follow_state)
}

struct ChatViewer {
    shop: Shop,
    customer: CustomerAuth,
    token_hash: Vec<u8>,
}

impl Viewer for ChatViewer {
    fn pick(&self, item: &LiveChange) -> Option<Event> {
        let chat = item.chat.as_ref()?;
        chat.visible_to(self.customer.conversation_id, self.customer.customer_id)
            .then(|| {
                Event::default()
                    .id(&*item.cursor)
                    .event(chat.name)
                    .data(&*chat.json)
            })
    }

    fn catch_up(&self, db: &Db, after: i64) -> BoxFuture<'static, Result<(Vec<Event>, i64, bool)>> {
        let (db, shop, customer) = (db.clone(), self.shop.clone(), self.customer);
        Box::pin(async move {
            db.read(move |conn| {
                let (events, reached, more) = changes::chat_page(
                    conn,
                    &shop,
                    after,
                    customer.customer_id,
                    customer.conversation_id,
                    BATCH,
                )?;
                let events = events
                    .into_iter()
                    .map(|(seq, event)| {
                        Event::default()
                            .id(changes::cursor(&shop, seq))
                            .event(fanout::chat_name(&event))
                            .json_data(&event)
                            .unwrap_or_default()
                    })
                    .collect();
                Ok((events, reached, more))
            })
            .await
        })
    }

    fn token_hash(&self) -> &[u8] {
        &self.token_hash
    }

    fn still_allowed(&self, db: &Db) -> BoxFuture<'static, bool> {
        let (db, hash) = (db.clone(), self.token_hash.clone());
        let customer = self.customer;
        Box::pin(async move {
            // Ended, expired, or moved to the shop's customer by a verification: the widget
            // reconnects and sees what it now may.
            db.read(move |conn| {
                Ok(
                    records::live_session_customer(conn, &hash, crate::clock::now_ms())?
                        == Some(customer.customer_id),
                )
            })
            .await
            .unwrap_or(false)
        })
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
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<i64>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let customer = customer.check(id)?;
    let token_hash = bearer_hash(&headers);
    let place = state.limits.streams.enter(&token_hash, ip)?;
    let live = state.live.fanout.subscribe();
    let start = match headers.get("last-event-id").and_then(|v| v.to_str().ok()) {
        Some(cursor) => {
            changes::parse_cursor(&state.shop, cursor, state.db.committed_seq().await?)?
        }
        None => state.db.latest_seq(),
    };
    let online = state.presence.connect(&state.db, id).await?;
    let viewer = ChatViewer {
        shop: state.shop.clone(),
        customer,
        token_hash,
    };
    // Chat sessions end through this instance (at once, above) or expire after 30 days, so
    // thousands of chat streams recheck the database only now and then.
    let follow = start_follow(
        &state,
        viewer,
        live,
        start,
        state.live.recheck * CHAT_RECHECK_FACTOR,
        Box::new((place, online)),
    );
    Ok(Sse::new(follow_stream(follow)).keep_alive(KeepAlive::new().interval(state.heartbeat)))
}
