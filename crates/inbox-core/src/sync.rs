//! The sync engine: catch up through the change feed, then stay live on the event stream;
//! reconnect with backoff and jitter; apply every batch together with its cursor.
//!
//! States: Idle → Syncing{progress} → Live, and Offline{since} while the shop can't be reached.
//! A refused token moves to SignedOut and stops (no retry loop); a 429 waits as long as the shop
//! asks. A cursor the shop no longer knows (another database, a wiped shop) starts over from
//! the beginning rather than leaving a gap.

use std::collections::BTreeSet;
use std::sync::atomic::Ordering;
use std::time::Duration;

use futures_util::{FutureExt, StreamExt};
use inbox_protocol::*;

use crate::Shared;
use crate::error::{Error, Result};
use crate::events::{Arrived, Event, SyncState};
use crate::notifications::{self, Decided};
use crate::outbox;
use crate::store::{self, Prepared, now_ms};

/// Changes per page in a catch-up.
pub const PAGE: u32 = 5_000;
/// Most live changes applied in one transaction.
const LIVE_BATCH: usize = 500;

/// What a batch changed, to tell listeners after the commit.
#[derive(Debug, Default)]
pub struct Applied {
    pub conversations: BTreeSet<i64>,
    pub customers: BTreeSet<i64>,
    pub staff: bool,
    pub saved_replies: bool,
    /// The batch belongs to the mirror's first sync.
    pub first_sync: bool,
    /// Customer messages: (conversation, message).
    pub messages: Vec<(i64, i64)>,
    /// What the batch notifies this staff member of (nothing while no one listens).
    pub decided: Decided,
    /// Conversations where who else is at work changed.
    pub activity: BTreeSet<i64>,
}

/// Applies changes (prepared for the mirror) and moves the cursor, in one transaction.
pub async fn apply_batch(
    shared: &Shared,
    changes: Vec<Prepared>,
    cursor: String,
    caught_up: bool,
) -> Result<Applied> {
    let me = shared.me;
    let notify = shared.notifier.context();
    let (activities, changes): (Vec<Prepared>, Vec<Prepared>) = changes
        .into_iter()
        .partition(|c| matches!(c.entity, Entity::Activity(_)));
    let activity = shared.board.receive(
        activities
            .into_iter()
            .filter_map(|c| match c.entity {
                Entity::Activity(a) => Some(a),
                _ => None,
            })
            .collect(),
        me,
        now_ms(),
    );
    let mut applied = shared
        .store
        .write(move |tx| {
            let mut applied = Applied {
                first_sync: !store::position(tx)?.caught_up,
                ..Applied::default()
            };
            // Assignments and new conversations are changes of state: what the mirror held
            // before this batch is needed to see them.
            let before = match (&notify, applied.first_sync) {
                (Some(_), false) => notifications::before(
                    tx,
                    changes.iter().filter_map(|c| match &c.entity {
                        Entity::Conversation(c) => Some(c.id),
                        _ => None,
                    }),
                )?,
                _ => notifications::Before::new(),
            };
            store::apply_prepared(tx, &changes)?;
            for change in &changes {
                match &change.entity {
                    Entity::Conversation(c) => {
                        applied.conversations.insert(c.id);
                    }
                    Entity::Message(m) => {
                        applied.conversations.insert(m.conversation_id);
                        if matches!(m.author, Author::Customer { .. }) {
                            applied.messages.push((m.conversation_id, m.id));
                        }
                    }
                    Entity::CartEvent(e) => {
                        applied.conversations.insert(e.conversation_id);
                    }
                    Entity::OrderEvent(e) => {
                        applied.conversations.insert(e.conversation_id);
                    }
                    Entity::ReadState(r) => {
                        applied.conversations.insert(r.conversation_id);
                    }
                    Entity::Customer(c) => {
                        applied.customers.insert(c.id);
                    }
                    Entity::Cart(c) => {
                        applied.customers.insert(c.customer_id);
                    }
                    Entity::Note(n) => {
                        applied.customers.insert(n.customer_id);
                    }
                    Entity::NoteDeleted { customer_id, .. } => {
                        applied.customers.insert(*customer_id);
                    }
                    Entity::Order(o) => {
                        applied.customers.insert(o.customer_id);
                    }
                    Entity::Staff(_) => applied.staff = true,
                    Entity::SavedReply(_) | Entity::SavedReplyDeleted { .. } => {
                        applied.saved_replies = true;
                    }
                    // Taken out above, for the board.
                    Entity::Activity(_) => {}
                }
            }
            store::set_cursor(tx, &cursor, now_ms(), caught_up)?;
            if caught_up {
                store::refresh_recent(tx)?;
            }
            outbox::reapply_pending(tx, me, now_ms())?;
            // Judged against the mirror as the user sees it, pending local actions included
            // (assigning a conversation to myself doesn't notify me).
            applied.decided = match notify {
                Some(cx) if !applied.first_sync => {
                    notifications::for_batch(tx, me, &applied.messages, &before, &cx)?
                }
                Some(cx) if caught_up => notifications::for_first_sync(tx, me, &cx)?,
                _ => Decided::default(),
            };
            Ok(applied)
        })
        .await?;
    applied.activity = activity;
    Ok(applied)
}

fn announce(shared: &Shared, mut applied: Applied, live: bool, decided: &mut Decided) {
    decided.extend(std::mem::take(&mut applied.decided));
    if !applied.activity.is_empty() {
        shared.events.emit(Event::Activity {
            conversations: std::mem::take(&mut applied.activity).into_iter().collect(),
        });
    }
    if applied.conversations.is_empty()
        && applied.customers.is_empty()
        && !applied.staff
        && !applied.saved_replies
    {
        return;
    }
    shared.events.emit(Event::Synced {
        conversations: applied.conversations.into_iter().collect(),
        customers: applied.customers.into_iter().collect(),
        staff: applied.staff,
        saved_replies: applied.saved_replies,
        messages: applied
            .messages
            .into_iter()
            .map(|(conversation_id, message_id)| Arrived {
                conversation_id,
                message_id,
            })
            .collect(),
        live,
        first_sync: applied.first_sync,
    });
}

/// Makes sure the mirror belongs to this shop history and staff member (wipes it otherwise),
/// and keeps what the shop says of itself. Both the live engine and `sync_once` start here.
pub(crate) async fn check_history(shared: &Shared) -> Result<()> {
    let me = shared.api.me().await?;
    if me.staff.id != shared.me {
        return Err(Error::Input(format!(
            "this token belongs to {} but the mirror to another staff member",
            me.staff.email
        )));
    }
    let position = shared.store.read(store::position).await?;
    if position.history_id != me.shop.history_id || position.staff_id != me.staff.id {
        let (history, staff) = (me.shop.history_id.clone(), me.staff.id);
        shared
            .store
            .write(move |tx| store::reset(tx, &history, staff))
            .await?;
        shared.board.clear();
        shared.events.emit(Event::Resync);
    }
    // The shop's name and time zone, for what the app works out offline (saved replies'
    // `{shop.name}`, snooze times).
    let shop = me.shop;
    shared
        .store
        .write(move |tx| store::set_shop(tx, &shop))
        .await?;
    Ok(())
}

/// A page of the feed, decoded and prepared for the mirror.
struct Page {
    changes: Vec<Prepared>,
    next_cursor: String,
    has_more: bool,
    remaining: Option<i64>,
}

/// Fetches the page after `cursor` and prepares it: decoding and serializing for the mirror
/// happen here, on the task that fetches, not on the writer thread.
async fn fetch_page(shared: &Shared, cursor: &str, count: bool) -> Result<Page> {
    let page = shared
        .api
        .sync_page(cursor, shared.sync_page(), count)
        .await?;
    Ok(Page {
        changes: prepare(page.changes)?,
        next_cursor: page.next_cursor,
        has_more: page.has_more,
        remaining: page.remaining,
    })
}

fn prepare(changes: Vec<Change>) -> Result<Vec<Prepared>> {
    changes
        .into_iter()
        .map(|c| Prepared::new(c.entity))
        .collect()
}

/// Pages through the feed until the mirror has everything; returns the cursor.
///
/// The next page is asked for while the current one is written: the shop's work, the
/// transfer, the decoding and the serializing for the mirror overlap the mirror's writing (on two cores a first sync of a big
/// shop takes about a quarter less time). Pages are still applied whole, in order, each with
/// its cursor; a failed write stops before the next page is looked at, and what the next
/// request brought (a page, an unknown cursor, an error) is handled only after the write.
///
/// What the pages notify is sent once the catch-up ends (or fails part-way): a few fresh
/// messages one by one, otherwise one summary.
pub async fn catch_up(shared: &Shared) -> Result<String> {
    let mut decided = Decided::default();
    let result = catch_up_deciding(shared, &mut decided).await;
    if !decided.is_empty() {
        let lang = shared.notifier.lang();
        shared
            .notifier
            .send(decided.settle(lang, Some(notifications::FLOOD)));
    }
    result
}

async fn catch_up_deciding(shared: &Shared, decided: &mut Decided) -> Result<String> {
    let position = shared.store.read(store::position).await?;
    let mut cursor = position.cursor;
    let mut done = 0u64;
    let mut total = None;
    let mut first = true;
    let mut ahead: Option<Result<Page>> = None;
    loop {
        let page = match ahead.take() {
            Some(page) => page,
            None => fetch_page(shared, &cursor, first).await,
        };
        let page = match page {
            Err(Error::Rejected(p)) if p.code == ProblemCode::InvalidCursor => {
                // The shop doesn't know our place any more: start over, keep nothing stale.
                let history = shared.api.me().await?.shop.history_id;
                let me = shared.me;
                shared
                    .store
                    .write(move |tx| store::reset(tx, &history, me))
                    .await?;
                shared.events.emit(Event::Resync);
                cursor.clear();
                first = true;
                continue;
            }
            other => other?,
        };
        if first {
            total = page.remaining.map(|r| r as u64);
            first = false;
        }
        done += page.changes.len() as u64;
        let has_more = page.has_more;
        let next = page.next_cursor.clone();
        if !page.changes.is_empty() || next != cursor {
            let apply = apply_batch(shared, page.changes, next.clone(), !has_more);
            let fetch = async {
                if has_more {
                    Some(fetch_page(shared, &next, false).await)
                } else {
                    None
                }
            };
            let mut apply = std::pin::pin!(apply);
            let mut fetch = std::pin::pin!(fetch);
            let mut fetched = None;
            let applied = loop {
                tokio::select! {
                    applied = &mut apply => break applied?,
                    page = &mut fetch, if fetched.is_none() => fetched = Some(page),
                }
            };
            announce(shared, applied, false, decided);
            if has_more {
                shared.set_state(SyncState::Syncing { done, total });
            }
            ahead = match fetched {
                Some(page) => page,
                None => fetch.await,
            };
        } else if has_more {
            shared.set_state(SyncState::Syncing { done, total });
        }
        cursor = next;
        if !has_more {
            return Ok(cursor);
        }
    }
}

/// Follows the live stream from `cursor` until it breaks.
async fn follow(shared: &Shared, mut cursor: String) -> Result<()> {
    let mut stream = shared.api.events(&cursor).await?;
    shared.set_state(SyncState::Live);
    shared.outbox_wake.notify_one();
    loop {
        let first = match stream.next().await {
            Some(change) => change?,
            None => return Err(Error::Network("the live stream ended".into())),
        };
        let mut batch = vec![first];
        while batch.len() < LIVE_BATCH {
            match stream.next().now_or_never() {
                Some(Some(change)) => batch.push(change?),
                _ => break,
            }
        }
        cursor = batch.last().map(|c| c.cursor.clone()).unwrap_or(cursor);
        let applied = apply_batch(shared, prepare(batch)?, cursor.clone(), true).await?;
        let mut decided = Decided::default();
        announce(shared, applied, true, &mut decided);
        if !decided.is_empty() {
            let lang = shared.notifier.lang();
            shared.notifier.send(decided.settle(lang, None));
        }
    }
}

/// Reconnect delays: exponential from twice the retry base (1 s by default) to 60 s, with
/// jitter, reset once live again.
#[derive(Debug, Default)]
struct Backoff {
    failures: u32,
}

impl Backoff {
    fn next(&mut self, retry_base: Duration) -> Duration {
        self.failures = self.failures.saturating_add(1);
        let base = retry_base
            .saturating_mul(1 << self.failures.min(7))
            .min(Duration::from_secs(60));
        base.mul_f64(rand::random_range(0.5..1.0))
    }
}

/// Runs until signed out or stopped.
pub async fn run(shared: std::sync::Arc<Shared>) {
    let mut backoff = Backoff::default();
    let mut offline_since = None;
    loop {
        let session = async {
            check_history(&shared).await?;
            let cursor = catch_up(&shared).await?;
            // The shop knows our place in its history: the outbox may send to it.
            shared.shop_confirmed.store(true, Ordering::Release);
            follow(&shared, cursor).await
        };
        let error = match session.await {
            Ok(()) => continue,
            Err(error) => error,
        };
        // Whoever answers after a break may be another shop (replaced, restored): the outbox
        // looks again before it sends anything.
        shared.shop_confirmed.store(false, Ordering::Release);
        // A session that got live resets the backoff: only consecutive failures grow it.
        if matches!(shared.state(), SyncState::Live) {
            backoff = Backoff::default();
            offline_since = None;
        }
        let wait = match &error {
            Error::SignedOut(_) => {
                shared.set_state(SyncState::SignedOut);
                return;
            }
            Error::Transient {
                retry_after: Some(wait),
                ..
            } => *wait,
            Error::Network(_) | Error::Transient { .. } => backoff.next(shared.api.retry_base()),
            _ => {
                shared.set_state(SyncState::Error {
                    code: error.code(),
                    detail: error.to_string(),
                });
                backoff.next(shared.api.retry_base())
            }
        };
        if error.is_retryable() {
            let since = *offline_since.get_or_insert_with(now_ms);
            shared.set_state(SyncState::Offline {
                since,
                reason: error.to_string(),
            });
        }
        tracing::debug!(%error, ?wait, "sync will retry");
        tokio::time::sleep(wait).await;
    }
}
