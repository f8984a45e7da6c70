//! The wall clock, in the milliseconds the API speaks. Mutations take the time as an argument;
//! only the edges (handlers, background tasks) read it, here or through a [`Clock`].
//!
//! A [`Clock`] is the time a server's timed work runs by (snoozes ending): the system's, or a
//! manual one that tests move forward, which wakes whatever waits on it.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use inbox_protocol::Millis;
use tokio::sync::Notify;

pub fn now_ms() -> Millis {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

#[derive(Clone)]
pub struct Clock(Arc<Inner>);

struct Inner {
    /// `None` for the system clock.
    manual: Option<AtomicI64>,
    moved: Notify,
}

impl Clock {
    pub fn system() -> Clock {
        Clock(Arc::new(Inner {
            manual: None,
            moved: Notify::new(),
        }))
    }

    /// A clock that stands at `at` until [`Clock::set`] moves it.
    pub fn manual(at: Millis) -> Clock {
        Clock(Arc::new(Inner {
            manual: Some(AtomicI64::new(at)),
            moved: Notify::new(),
        }))
    }

    pub fn now(&self) -> Millis {
        match &self.0.manual {
            Some(at) => at.load(Ordering::SeqCst),
            None => now_ms(),
        }
    }

    /// Moves a manual clock and wakes its waiters; the system clock can't be set.
    pub fn set(&self, at: Millis) {
        let Some(manual) = &self.0.manual else {
            panic!("the system clock can't be set");
        };
        manual.store(at, Ordering::SeqCst);
        self.0.moved.notify_waiters();
    }

    /// Resolves when a manual clock is moved; never for the system clock, whose time a waiter
    /// follows by sleeping.
    pub async fn moved(&self) {
        match &self.0.manual {
            Some(_) => self.0.moved.notified().await,
            None => std::future::pending().await,
        }
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0.manual {
            Some(at) => write!(f, "Clock::manual({})", at.load(Ordering::SeqCst)),
            None => f.write_str("Clock::system()"),
        }
    }
}
