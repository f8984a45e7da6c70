//! Who else is on a conversation right now, and telling the shop what this desktop's user is
//! doing there.
//!
//! Owns the [`Board`] of other people's activity (other staff members viewing or typing, the
//! customer typing) as the feed reports it, and the [`Reporter`] that paces this desktop's own
//! reports: viewing sent when a conversation comes on screen and renewed every
//! [`VIEWING_RENEW_MS`] while it stays, typing at most every [`TYPING_RENEW_MS`], leaving when
//! it goes. Activity lapses within a minute, so it lives in memory and never in the mirror: an
//! app started again has an empty board until the next reports. Lapsing is judged by the
//! server's times against this machine's clock, so it relies on both keeping time.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use inbox_protocol::{
    Activity, ActivityKind, Millis, TYPING_RENEW_MS, VIEWING_RENEW_MS, VIEWING_TTL_MS,
};
use serde::{Deserialize, Serialize};
use tokio::sync::Notify;

use crate::{Shared, SyncState};

/// Someone else at work in a conversation now, as the app shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Present {
    pub conversation_id: i64,
    /// A staff member, or `None` for the conversation's customer.
    pub staff_id: Option<i64>,
    /// Typing (else viewing).
    pub typing: bool,
    /// When this changes on its own (typing or viewing lapses): look again then.
    pub until: Millis,
}

/// Other people's activity, by activity id.
#[derive(Debug, Default)]
pub struct Board {
    rows: Mutex<HashMap<i64, Activity>>,
}

impl Board {
    /// Takes in activities from the feed, leaving out `me`'s own, and forgets what has lapsed
    /// by `now`. Returns the conversations where what is shown changed.
    pub fn receive(&self, activities: Vec<Activity>, me: i64, now: Millis) -> BTreeSet<i64> {
        let mut rows = self.rows.lock().expect("activity board poisoned");
        let mut changed = BTreeSet::new();
        for activity in activities {
            if activity.staff_id == Some(me) {
                continue;
            }
            if rows
                .get(&activity.id)
                .is_some_and(|old| old.at > activity.at)
            {
                continue;
            }
            let was_shown = rows.get(&activity.id).is_some_and(|old| old.present(now));
            if was_shown || activity.present(now) {
                changed.insert(activity.conversation_id);
            }
            rows.insert(activity.id, activity);
        }
        // Kept a while after lapsing, so a report older than the one that ended it can't
        // bring it back.
        rows.retain(|_, a| a.present(now) || now - a.at < VIEWING_TTL_MS);
        changed
    }

    /// Everyone else at work in a conversation at `now`, by conversation, the typing first.
    pub fn present(&self, now: Millis) -> Vec<Present> {
        let rows = self.rows.lock().expect("activity board poisoned");
        let mut present: Vec<Present> = rows
            .values()
            .filter_map(|a| {
                Some(Present {
                    conversation_id: a.conversation_id,
                    staff_id: a.staff_id,
                    typing: a.typing(now),
                    until: a.lapses_at(now)?,
                })
            })
            .collect();
        present.sort_by_key(|p| (p.conversation_id, !p.typing, p.staff_id));
        present
    }

    /// Forgets everyone (the mirror was reset for another shop history).
    pub fn clear(&self) {
        self.rows.lock().expect("activity board poisoned").clear();
    }
}

/// This desktop's own reports, and when the next is due.
#[derive(Debug, Default)]
pub struct Reporter {
    state: Mutex<Reports>,
    /// Wakes the renewing task: the conversation on screen changed, or the shop is back.
    wake: Notify,
}

#[derive(Debug, Default)]
struct Reports {
    /// The conversation on screen.
    viewing: Option<i64>,
    /// When viewing it was last sent; `None` sends at the next chance.
    viewing_sent: Option<Instant>,
    /// Where and when typing was last sent.
    typing_sent: Option<(i64, Instant)>,
}

/// What the renewing task should do next.
#[derive(Debug, PartialEq, Eq)]
enum Next {
    Send(i64),
    Wait(Duration),
    Idle,
}

const VIEWING_RENEW: Duration = Duration::from_millis(VIEWING_RENEW_MS as u64);
const TYPING_RENEW: Duration = Duration::from_millis(TYPING_RENEW_MS as u64);

impl Reporter {
    /// The conversation on screen is now `conversation_id`; returns the one left, if another.
    fn view(&self, conversation_id: Option<i64>) -> Option<i64> {
        let mut state = self.state.lock().expect("reporter poisoned");
        if state.viewing == conversation_id {
            return None;
        }
        let left = state.viewing.take();
        state.viewing = conversation_id;
        state.viewing_sent = None;
        if state
            .typing_sent
            .is_some_and(|(id, _)| Some(id) != conversation_id)
        {
            state.typing_sent = None;
        }
        drop(state);
        self.wake.notify_one();
        left
    }

    /// A key was pressed in `conversation_id`: whether to report typing now.
    fn typed(&self, conversation_id: i64, at: Instant) -> bool {
        let mut state = self.state.lock().expect("reporter poisoned");
        if let Some((id, sent)) = state.typing_sent
            && id == conversation_id
            && at.duration_since(sent) < TYPING_RENEW
        {
            return false;
        }
        state.typing_sent = Some((conversation_id, at));
        // Typing is viewing too, on the server: the renewal can wait its full interval.
        if state.viewing == Some(conversation_id) {
            state.viewing_sent = Some(at);
        }
        true
    }

    /// A message went: the server ended the typing, so the next key press reports again.
    fn sent(&self, conversation_id: i64) {
        let mut state = self.state.lock().expect("reporter poisoned");
        if state
            .typing_sent
            .is_some_and(|(id, _)| id == conversation_id)
        {
            state.typing_sent = None;
        }
    }

    /// The connection is back: whatever is on screen is reported again at once.
    fn reconnected(&self) {
        self.state.lock().expect("reporter poisoned").viewing_sent = None;
        self.wake.notify_one();
    }

    fn next(&self, now: Instant) -> Next {
        let mut state = self.state.lock().expect("reporter poisoned");
        let Some(id) = state.viewing else {
            return Next::Idle;
        };
        match state.viewing_sent {
            Some(sent) if now.duration_since(sent) < VIEWING_RENEW => {
                Next::Wait(VIEWING_RENEW - now.duration_since(sent))
            }
            _ => {
                state.viewing_sent = Some(now);
                Next::Send(id)
            }
        }
    }
}

/// Sends one report if the shop is reachable; a report that fails is dropped (the next one
/// follows within seconds, and the last lapses on its own).
async fn send(shared: &Shared, conversation_id: i64, activity: Option<ActivityKind>) {
    if shared.state() != SyncState::Live {
        return;
    }
    if let Err(error) = shared.api.report_activity(conversation_id, activity).await {
        tracing::debug!(%error, conversation_id, "activity report dropped");
    }
}

/// The conversation on screen changed (`None`: none, or the window is hidden).
pub(crate) async fn viewing(shared: &Shared, conversation_id: Option<i64>) {
    if let Some(left) = shared.reporter.view(conversation_id) {
        send(shared, left, None).await;
    }
}

/// A key was pressed in a conversation's composer.
pub(crate) async fn typing(shared: &Shared, conversation_id: i64) {
    if shared.reporter.typed(conversation_id, Instant::now()) {
        send(shared, conversation_id, Some(ActivityKind::Typing)).await;
    }
}

/// A reply went out from this desktop.
pub(crate) fn message_sent(shared: &Shared, conversation_id: i64) {
    shared.reporter.sent(conversation_id);
}

/// The connection to the shop is back.
pub(crate) fn reconnected(shared: &Shared) {
    shared.reporter.reconnected();
}

/// Reports viewing whatever is on screen, and renews it while it stays there.
pub(crate) async fn renew(shared: std::sync::Arc<Shared>) {
    loop {
        match shared.reporter.next(Instant::now()) {
            Next::Send(id) => send(&shared, id, Some(ActivityKind::Viewing)).await,
            Next::Wait(wait) => {
                tokio::select! {
                    () = tokio::time::sleep(wait) => {}
                    () = shared.reporter.wake.notified() => {}
                }
            }
            Next::Idle => shared.reporter.wake.notified().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn activity(
        id: i64,
        staff_id: Option<i64>,
        at: Millis,
        viewing: Millis,
        typing: Millis,
    ) -> Activity {
        Activity {
            id,
            conversation_id: 7,
            staff_id,
            viewing_until: viewing,
            typing_until: typing,
            at,
        }
    }

    #[test]
    fn the_board_shows_others_until_they_lapse_and_never_me() {
        let board = Board::default();
        let changed = board.receive(
            vec![
                activity(1, Some(2), 1_000, 46_000, 7_000),
                activity(2, Some(5), 1_000, 46_000, 0),
                activity(3, None, 1_000, 0, 7_000),
            ],
            5,
            2_000,
        );
        assert_eq!(changed, BTreeSet::from([7]));
        let shown = board.present(2_000);
        assert_eq!(
            shown,
            vec![
                Present {
                    conversation_id: 7,
                    staff_id: None,
                    typing: true,
                    until: 7_000
                },
                Present {
                    conversation_id: 7,
                    staff_id: Some(2),
                    typing: true,
                    until: 7_000
                },
            ],
            "typing first, and not my own"
        );
        assert_eq!(
            board.present(8_000),
            vec![Present {
                conversation_id: 7,
                staff_id: Some(2),
                typing: false,
                until: 46_000
            }],
            "typing lapses into viewing, the customer's into nothing"
        );
        assert!(board.present(46_000).is_empty());
    }

    #[test]
    fn an_older_report_arriving_late_does_not_undo_a_newer_one_and_lapsed_news_is_no_change() {
        let board = Board::default();
        board.receive(vec![activity(1, Some(2), 5_000, 5_000, 5_000)], 9, 5_000);
        assert!(board.present(5_000).is_empty(), "left");
        let changed = board.receive(vec![activity(1, Some(2), 1_000, 46_000, 0)], 9, 6_000);
        assert!(changed.is_empty() && board.present(6_000).is_empty());
        let changed = board.receive(vec![activity(4, None, 1_000, 0, 3_000)], 9, 6_000);
        assert!(changed.is_empty(), "lapsed before it came: nothing to show");
    }

    #[test]
    fn viewing_is_renewed_on_its_interval_and_typing_is_paced() {
        let reporter = Reporter::default();
        let t0 = Instant::now();
        assert_eq!(reporter.next(t0), Next::Idle);
        assert_eq!(reporter.view(Some(3)), None);
        assert_eq!(reporter.next(t0), Next::Send(3));
        assert_eq!(
            reporter.next(t0 + Duration::from_secs(5)),
            Next::Wait(Duration::from_secs(15))
        );
        assert_eq!(reporter.next(t0 + VIEWING_RENEW), Next::Send(3));

        assert!(reporter.typed(3, t0 + Duration::from_secs(21)));
        assert!(!reporter.typed(3, t0 + Duration::from_secs(22)), "paced");
        assert!(reporter.typed(3, t0 + Duration::from_secs(24)));
        reporter.sent(3);
        assert!(
            reporter.typed(3, t0 + Duration::from_secs(25)),
            "after a send, at once"
        );

        assert_eq!(
            reporter.view(Some(4)),
            Some(3),
            "switching leaves the first"
        );
        assert_eq!(reporter.next(t0 + Duration::from_secs(26)), Next::Send(4));
        assert!(reporter.typed(4, t0 + Duration::from_secs(26)));
        assert_eq!(reporter.view(None), Some(4), "hidden");
        assert_eq!(reporter.next(t0 + Duration::from_secs(60)), Next::Idle);
        assert_eq!(reporter.view(None), None, "nothing left twice");
    }
}
