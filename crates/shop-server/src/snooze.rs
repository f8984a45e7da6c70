//! Snoozed conversations coming back when their time comes, with every desktop closed: one
//! task per instance sleeps until the earliest snooze ends (or at most [`RECHECK`], for
//! snoozes set through another instance), then wakes what is due in one transaction
//! ([`mutations::wake_snoozed`]). A snooze set through this instance pokes the task, so a
//! short snooze is not left waiting for the recheck. Customer messages end snoozes in their
//! own transaction (`mutations::customer_message`); this task only handles time.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use crate::clock::Clock;
use crate::storage::{Db, mutations, records};

/// The longest the task sleeps without looking at the database.
pub const RECHECK: Duration = Duration::from_secs(30);

/// The handle the API holds to tell the task that a snooze changed.
#[derive(Clone, Default)]
pub struct Snoozes {
    changed: Arc<Notify>,
}

impl Snoozes {
    pub fn new() -> Snoozes {
        Snoozes::default()
    }

    /// A snooze was set or ended here: look again now.
    pub fn changed(&self) {
        self.changed.notify_one();
    }

    /// Wakes snoozed conversations as their time comes, until the task is aborted.
    pub async fn run(self, db: Db, clock: Clock) {
        loop {
            let now = clock.now();
            let next = match db.read(records::next_snooze_end).await {
                Ok(next) => next,
                Err(error) => {
                    tracing::warn!(%error, "reading snoozes failed; trying again");
                    None
                }
            };
            if next.is_some_and(|end| end <= now) {
                match db.write(move |tx| mutations::wake_snoozed(tx, now)).await {
                    Ok(woken) => {
                        tracing::info!(woken, "snoozed conversations came back");
                        continue;
                    }
                    Err(error) => tracing::warn!(%error, "waking snoozes failed; trying again"),
                }
            }
            let wait = next
                .map(|end| Duration::from_millis((end - now).max(0) as u64))
                .unwrap_or(RECHECK)
                .clamp(Duration::from_millis(10), RECHECK);
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = self.changed.notified() => {}
                () = clock.moved() => {}
            }
        }
    }
}
