//! Whether a customer is in their chat right now: online while at least one of their chat
//! streams is open on any instance of the server.
//!
//! Each instance counts its own open streams per conversation in memory and holds a lease row
//! for each such conversation in the database ([`mutations::hold_presence`]), renewed every
//! third of the lease while the instance runs ([`Presence::keep`]). Any instance also ends
//! leases nobody renewed, so when an instance dies (kill -9, a lost machine) its customers go
//! offline within one lease, with no clean-up by anyone. The flag staff see lives in the
//! conversation and is settled inside the writer, so racing connects and disconnects agree.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::clock::now_ms;
use crate::error::Result;
use crate::storage::Db;
use crate::storage::mutations;

/// How many chat streams each conversation has open on this instance.
#[derive(Debug, Clone)]
pub struct Presence {
    open: Arc<Mutex<HashMap<i64, usize>>>,
    /// This instance's name on its leases.
    instance: Arc<str>,
    lease: Duration,
}

impl Presence {
    pub fn new(lease: Duration) -> Presence {
        Presence {
            open: Arc::default(),
            instance: crate::auth::new_token("in_").into(),
            lease,
        }
    }

    fn count(&self, conversation_id: i64) -> usize {
        self.open
            .lock()
            .expect("presence poisoned")
            .get(&conversation_id)
            .copied()
            .unwrap_or(0)
    }

    fn expiry(&self, now: i64) -> i64 {
        now + self.lease.as_millis() as i64
    }

    /// Writes this instance's lease on a conversation as its stream count now says.
    async fn settle(&self, db: &Db, conversation_id: i64) -> Result<()> {
        let presence = self.clone();
        db.write(move |tx| {
            // Counted inside the writer, so racing connects and disconnects settle on the truth.
            let now = now_ms();
            mutations::hold_presence(
                tx,
                conversation_id,
                &presence.instance,
                presence.count(conversation_id),
                now,
                presence.expiry(now),
            )
        })
        .await
    }

    /// Marks the customer online and returns a guard that lets go of this instance's lease
    /// when the last stream of the conversation on it closes.
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
        self.settle(db, conversation_id).await?;
        Ok(guard)
    }

    /// Renews this instance's leases and ends those nobody renewed, every third of a lease,
    /// for as long as the server runs.
    pub async fn keep(self, db: Db) {
        let mut every = tokio::time::interval(self.lease / 3);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            let presence = self.clone();
            let result = db
                .write(move |tx| {
                    let now = now_ms();
                    mutations::renew_presence(tx, &presence.instance, presence.expiry(now))?;
                    mutations::expire_presence(tx, now)
                })
                .await;
            match result {
                Ok(0) => {}
                Ok(ended) => tracing::info!(ended, "ended presence another instance left behind"),
                Err(error) => tracing::warn!(%error, "could not renew presence leases"),
            }
        }
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
                if let Err(error) = presence.settle(&db, id).await {
                    tracing::warn!(%error, "could not mark a customer offline");
                }
            });
        }
    }
}
