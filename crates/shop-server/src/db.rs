//! The shop's SQLite database: one writer connection, a small pool of readers, numbered
//! migrations, and the broadcast of the newest change so live streams wake up.
//!
//! Every query runs on a blocking thread (`spawn_blocking`), never on the async workers.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use tokio::sync::{Semaphore, watch};

use crate::error::{Error, Result};

/// Numbered, append-only migrations; `PRAGMA user_version` records how many ran.
const MIGRATIONS: &[&str] = &[include_str!("../migrations/001_init.sql")];

const READERS: usize = 4;

#[derive(Clone)]
pub struct Db {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    reader_permits: Semaphore,
    latest_seq: watch::Sender<i64>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("path", &self.inner.path)
            .finish()
    }
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "busy_timeout", 5_000)?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

/// Brings a database up to the newest schema; refuses one newer than this binary knows.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let version = usize::try_from(version).unwrap_or(usize::MAX);
    if version > MIGRATIONS.len() {
        return Err(Error::Other(format!(
            "the database is at schema version {version}, newer than this server knows ({}); \
             upgrade the server",
            MIGRATIONS.len()
        )));
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(version) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (index + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}

impl Db {
    pub fn open(path: &Path) -> Result<Db> {
        let mut writer = Connection::open(path)?;
        configure(&writer)?;
        migrate(&mut writer)?;
        let mut readers = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            let reader = Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?;
            reader.pragma_update(None, "busy_timeout", 5_000)?;
            reader.set_prepared_statement_cache_capacity(64);
            readers.push(reader);
        }
        let latest: i64 =
            writer.query_row("SELECT coalesce(max(seq), 0) FROM changes", [], |r| {
                r.get(0)
            })?;
        let (latest_seq, _) = watch::channel(latest);
        Ok(Db {
            inner: Arc::new(Inner {
                path: path.to_owned(),
                writer: Mutex::new(writer),
                readers: Mutex::new(readers),
                reader_permits: Semaphore::new(READERS),
                latest_seq,
            }),
        })
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// The newest change's sequence number, updated after every commit.
    pub fn subscribe(&self) -> watch::Receiver<i64> {
        self.inner.latest_seq.subscribe()
    }

    pub fn latest_seq(&self) -> i64 {
        *self.inner.latest_seq.borrow()
    }

    /// Runs `f` in one immediate write transaction, commits, and wakes the live streams.
    pub async fn write<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T> + Send + 'static,
    {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || inner.write_blocking(f)).await?
    }

    /// The same as [`Db::write`], for callers already on a blocking thread.
    pub fn write_blocking<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        self.inner.write_blocking(f)
    }

    /// Runs `f` on a reader connection (a consistent snapshot for its duration).
    pub async fn read<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        let permit = self
            .inner
            .reader_permits
            .acquire()
            .await
            .map_err(|_| Error::Closed)?;
        let inner = self.inner.clone();
        let result = tokio::task::spawn_blocking(move || {
            let conn = inner.readers.lock().expect("reader pool poisoned").pop();
            let conn = conn.expect("a permit guarantees a free reader");
            let result = (|| {
                let tx = conn.unchecked_transaction()?;
                let value = f(&tx)?;
                tx.finish()?;
                Ok(value)
            })();
            inner
                .readers
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

impl Inner {
    fn write_blocking<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.writer.lock().expect("writer poisoned");
        let tx = Transaction::new(&mut conn, TransactionBehavior::Immediate)?;
        let value = f(&tx)?;
        let latest: i64 = tx.query_row("SELECT coalesce(max(seq), 0) FROM changes", [], |r| {
            r.get(0)
        })?;
        tx.commit()?;
        drop(conn);
        self.latest_seq.send_if_modified(|seq| {
            let changed = *seq != latest;
            *seq = latest;
            changed
        });
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_run_once_and_refuse_a_newer_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shop.db");
        drop(Db::open(&path).unwrap());
        // Reopening is a no-op.
        drop(Db::open(&path).unwrap());
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", MIGRATIONS.len() as i64 + 1)
            .unwrap();
        drop(conn);
        let err = Db::open(&path).unwrap_err().to_string();
        assert!(err.contains("newer than this server knows"), "{err}");
    }
}
