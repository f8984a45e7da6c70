//! Whether a customer is in their chat right now: online while at least one of their chat
//! streams is open on this server. The count lives in memory and the flag in the conversation
//! (a change staff see), decided inside the writer so racing connects and disconnects settle
//! on the truth.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::error::Result;
use crate::storage::Db;
use crate::storage::mutations;

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
    pub async fn connect(&self, db: &Db, conversation_id: i64) -> Result<PresenceGuard> {
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

pub struct PresenceGuard {
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
