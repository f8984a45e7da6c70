//! What the engine tells listeners: ids of what changed, never the new state (listeners ask
//! the store again). A listener that falls behind gets [`Event::Resync`] instead of a gap.

use inbox_protocol::Millis;
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

/// The sync engine's observable state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SyncState {
    Idle,
    /// Catching up through the feed: `done` of `total` changes so far.
    Syncing {
        done: u64,
        total: Option<u64>,
    },
    Live,
    Offline {
        since: Millis,
        reason: String,
    },
    /// The token was refused: sign in again.
    SignedOut,
    Error {
        code: String,
        detail: String,
    },
}

/// A customer message that reached the mirror.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Arrived {
    pub conversation_id: i64,
    pub message_id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// One synced batch changed these: one event per transaction, so a catch-up of thousands of
    /// changes is a handful of events. `live` is false during a catch-up.
    Synced {
        conversations: Vec<i64>,
        customers: Vec<i64>,
        staff: bool,
        /// The shop's saved replies changed.
        saved_replies: bool,
        messages: Vec<Arrived>,
        live: bool,
        /// Part of the mirror's first sync: history, not news.
        first_sync: bool,
    },
    /// Who else is at work in these conversations changed (see [`crate::Inbox::activity`]).
    Activity {
        conversations: Vec<i64>,
    },
    /// A local action changed a conversation.
    ConversationChanged {
        id: i64,
    },
    OutboxChanged {
        id: i64,
        conversation_id: Option<i64>,
    },
    SyncState(SyncState),
    /// The listener missed events: refetch everything it shows.
    Resync,
}

/// The sending side of the engine's events.
#[derive(Debug, Clone)]
pub struct Events {
    tx: broadcast::Sender<Event>,
}

impl Default for Events {
    fn default() -> Events {
        Events {
            tx: broadcast::channel(1024).0,
        }
    }
}

impl Events {
    pub fn emit(&self, event: Event) {
        // No listener is fine.
        let _ = self.tx.send(event);
    }

    pub fn subscribe(&self) -> Listener {
        Listener {
            rx: self.tx.subscribe(),
        }
    }
}

#[derive(Debug)]
pub struct Listener {
    rx: broadcast::Receiver<Event>,
}

impl Listener {
    /// The next event; `None` once the engine is gone.
    pub async fn next(&mut self) -> Option<Event> {
        match self.rx.recv().await {
            Ok(event) => Some(event),
            Err(broadcast::error::RecvError::Lagged(_)) => Some(Event::Resync),
            Err(broadcast::error::RecvError::Closed) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_lagging_listener_is_told_to_resync() {
        let events = Events::default();
        let mut listener = events.subscribe();
        for id in 0..2_000 {
            events.emit(Event::ConversationChanged { id });
        }
        assert_eq!(listener.next().await, Some(Event::Resync));
        // After the resync it carries on with what is still buffered.
        assert!(matches!(
            listener.next().await,
            Some(Event::ConversationChanged { .. })
        ));
    }
}
