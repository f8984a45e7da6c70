//! The readers a backend keeps open: a permit per connection, so a request waits for a free
//! reader on the async side and never holds a blocking thread while it waits.

use std::sync::{Arc, Mutex};

use tokio::sync::Semaphore;

use crate::error::{Error, Result};

pub(crate) struct Readers<C> {
    free: Mutex<Vec<C>>,
    permits: Semaphore,
}

impl<C: Send + 'static> Readers<C> {
    pub(crate) fn new(connections: Vec<C>) -> Arc<Readers<C>> {
        Arc::new(Readers {
            permits: Semaphore::new(connections.len()),
            free: Mutex::new(connections),
        })
    }

    /// Runs `f` with a free connection on a blocking thread, then puts the connection back
    /// (`f` may replace one that broke).
    pub(crate) async fn run<T, F>(self: Arc<Self>, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut C) -> Result<T> + Send + 'static,
    {
        let permit = self.permits.acquire().await.map_err(|_| Error::Closed)?;
        let readers = self.clone();
        let result = tokio::task::spawn_blocking(move || {
            let conn = readers.free.lock().expect("reader pool poisoned").pop();
            let mut conn = conn.expect("a permit guarantees a free reader");
            let result = f(&mut conn);
            readers
                .free
                .lock()
                .expect("reader pool poisoned")
                .push(conn);
            result
        })
        .await?;
        drop(permit);
        result
    }
}
