//! The SQLite backend, the embedded default: one writer connection, a small pool of readers,
//! numbered migrations, and the broadcast of the newest change so live streams wake up.
//!
//! Every query runs on a blocking thread (`spawn_blocking`), never on the async workers.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use tokio::sync::watch;

use super::pool::Readers;
use super::{Row, Sql, Tx, Value, ValueRef, forward};
use crate::error::{Error, Result};

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Error {
        Error::Storage(e.to_string())
    }
}

fn bind<'a>(value: &Value<'a>) -> rusqlite::types::ToSqlOutput<'a> {
    use rusqlite::types::{ToSqlOutput, ValueRef as R};
    ToSqlOutput::Borrowed(match *value {
        Value::Null => R::Null,
        Value::Int(v) => R::Integer(v),
        Value::Real(v) => R::Real(v),
        Value::Text(v) => R::Text(v.as_bytes()),
        Value::Blob(v) => R::Blob(v),
    })
}

struct Arg<'a, 'v>(&'a Value<'v>);

impl rusqlite::ToSql for Arg<'_, '_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(bind(self.0))
    }
}

fn params<'a, 'v>(args: &'a [Value<'v>]) -> impl rusqlite::Params + 'a {
    rusqlite::params_from_iter(args.iter().map(Arg))
}

impl Row for rusqlite::Row<'_> {
    fn value(&self, index: usize) -> Result<ValueRef<'_>> {
        use rusqlite::types::ValueRef as R;
        Ok(match self.get_ref(index)? {
            R::Null => ValueRef::Null,
            R::Integer(v) => ValueRef::Int(v),
            R::Real(v) => ValueRef::Real(v),
            R::Text(v) => ValueRef::Text(
                std::str::from_utf8(v).map_err(|e| Error::Storage(format!("text column: {e}")))?,
            ),
            R::Blob(v) => ValueRef::Blob(v),
        })
    }
}

impl Sql for Connection {
    fn execute(&self, sql: &str, args: &[Value<'_>]) -> Result<usize> {
        Ok(self.prepare_cached(sql)?.execute(params(args))?)
    }

    fn for_each(
        &self,
        sql: &str,
        args: &[Value<'_>],
        each: &mut dyn FnMut(&dyn Row) -> Result<()>,
    ) -> Result<()> {
        let mut statement = self.prepare_cached(sql)?;
        let mut rows = statement.query(params(args))?;
        while let Some(row) = rows.next()? {
            each(row)?;
        }
        Ok(())
    }

    fn execute_batch(&self, sql: &str) -> Result<()> {
        Ok(Connection::execute_batch(self, sql)?)
    }
}

/// Numbered, append-only migrations; `PRAGMA user_version` records how many ran.
const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/sqlite/001_init.sql"),
    include_str!("../../migrations/sqlite/002_identity.sql"),
    include_str!("../../migrations/sqlite/003_presence.sql"),
    include_str!("../../migrations/sqlite/004_checkout.sql"),
    include_str!("../../migrations/sqlite/005_saved_replies.sql"),
    include_str!("../../migrations/sqlite/006_snooze.sql"),
    include_str!("../../migrations/sqlite/007_activity.sql"),
];

const READERS: usize = 4;

#[derive(Clone)]
pub struct SqliteDb {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Arc<Readers<Connection>>,
    latest_seq: watch::Sender<i64>,
}

impl std::fmt::Debug for SqliteDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteDb")
            .field("path", &self.inner.path)
            .finish()
    }
}

/// Keeps one plan per cached statement: without it SQLite re-prepares every statement whose
/// plan depended on a bound value (a `LIMIT ?`, say) each time the cache hands it out again.
fn stable_plans(conn: &Connection) -> rusqlite::Result<()> {
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    Ok(())
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    stable_plans(conn)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "busy_timeout", 5_000)?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

/// Brings a database up to the newest schema; refuses one newer than this binary knows.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    migrate_to(conn, MIGRATIONS.len())
}

/// Runs the migrations up to `target` (tests stop at an older version to seed old rows).
fn migrate_to(conn: &mut Connection, target: usize) -> Result<()> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let version = usize::try_from(version).unwrap_or(usize::MAX);
    if version > MIGRATIONS.len() {
        return Err(Error::Other(format!(
            "the database is at schema version {version}, newer than this server knows ({}); \
             upgrade the server",
            MIGRATIONS.len()
        )));
    }
    // SQLite's way to change a table's constraints is to rebuild it, which needs foreign keys
    // off (the pragma is a no-op inside a transaction); each step checks them before it commits.
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    let result = (|| -> Result<()> {
        for (index, sql) in MIGRATIONS.iter().enumerate().take(target).skip(version) {
            let tx = conn.transaction()?;
            tx.execute_batch(sql)?;
            let broken: Option<String> = rusqlite::OptionalExtension::optional(tx.query_row(
                "SELECT \"table\" FROM pragma_foreign_key_check LIMIT 1",
                [],
                |r| r.get(0),
            ))?;
            if let Some(table) = broken {
                return Err(Error::Other(format!(
                    "migration {} would break the foreign keys of {table}",
                    index + 1
                )));
            }
            tx.pragma_update(None, "user_version", (index + 1) as i64)?;
            tx.commit()?;
        }
        Ok(())
    })();
    conn.pragma_update(None, "foreign_keys", "ON")?;
    result
}

impl SqliteDb {
    pub fn open(path: &Path) -> Result<SqliteDb> {
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
            stable_plans(&reader)?;
            readers.push(reader);
        }
        let latest = super::changes::newest(&writer)?;
        let (latest_seq, _) = watch::channel(latest);
        Ok(SqliteDb {
            inner: Arc::new(Inner {
                path: path.to_owned(),
                writer: Mutex::new(writer),
                readers: Readers::new(readers),
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

    pub fn write_blocking<T>(&self, f: impl FnOnce(&Tx<'_>) -> Result<T>) -> Result<T> {
        self.inner.write_blocking(f)
    }

    /// Runs `f` on a read-only connection of its own, in one snapshot.
    pub fn read_blocking<T>(&self, f: impl FnOnce(&dyn Sql) -> Result<T>) -> Result<T> {
        let conn = Connection::open_with_flags(&self.inner.path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        conn.pragma_update(None, "busy_timeout", 5_000)?;
        let tx = conn.unchecked_transaction()?;
        let value = f(&*tx)?;
        tx.finish()?;
        Ok(value)
    }

    /// Runs `f` on a reader connection (a consistent snapshot for its duration).
    pub async fn read<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&dyn Sql) -> Result<T> + Send + 'static,
    {
        self.inner
            .readers
            .clone()
            .run(move |conn| {
                let tx = conn.unchecked_transaction()?;
                let value = f(&*tx)?;
                tx.finish()?;
                Ok(value)
            })
            .await
    }
}

impl Inner {
    fn write_blocking<T>(&self, f: impl FnOnce(&Tx<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.writer.lock().expect("writer poisoned");
        let tx = Transaction::new(&mut conn, TransactionBehavior::Immediate)?;
        let value = f(&Tx::new(&*tx))?;
        let latest = super::changes::newest(&*tx)?;
        tx.commit()?;
        // Published while still holding the writer, and only ever forward.
        forward(&self.latest_seq, latest);
        drop(conn);
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::Db;

    #[test]
    fn customers_chats_and_emails_from_before_verification_keep_their_ids_and_links() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shop.db");
        let mut conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "foreign_keys", "ON").unwrap();
        migrate_to(&mut conn, 1).unwrap();
        conn.execute_batch(
            "INSERT INTO staff (id, email, name, password_hash, created_at)
               VALUES (1, 'a@shop.example', 'A', 'x', 0);
             INSERT INTO customers (id, name, email, created_at) VALUES (7, 'Bob', 'bob@example.com', 1);
             INSERT INTO conversations (id, customer_id, platform, contact_email, created_at,
                                        updated_at, last_message_at)
               VALUES (3, 7, 'online_store', 'bob@example.com', 1, 1, 1);
             INSERT INTO messages (id, conversation_id, author_staff_id, body, created_at)
               VALUES (5, 3, 1, '{}', 2);
             INSERT INTO customer_notes (customer_id, author_id, body, created_at, updated_at)
               VALUES (7, 1, 'note', 1, 1);
             INSERT INTO email_outbox (message_id, to_address, subject, body, created_at)
               VALUES (5, 'bob@example.com', 's', 'b', 2);
             INSERT INTO customer_sessions (token_hash, customer_id, conversation_id, created_at)
               VALUES (x'00', 7, 3, 10);",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let (verified, email): (bool, String) = conn
            .query_row(
                "SELECT email_verified, email FROM customers WHERE id = 7",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert!(verified, "customers from before were the shop's own");
        assert_eq!(email, "bob@example.com");
        let kind: String = conn
            .query_row(
                "SELECT kind FROM email_outbox WHERE message_id = 5",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(kind, "reply");
        let expires: i64 = conn
            .query_row("SELECT expires_at FROM customer_sessions", [], |r| r.get(0))
            .unwrap();
        assert_eq!(expires, 10 + 30 * 24 * 60 * 60 * 1000);
        let broken: i64 = conn
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(broken, 0);
        // A second verified Bob is refused; an unverified one with his email is not.
        assert!(
            conn.execute(
                "INSERT INTO customers (name, email, created_at) VALUES ('B2', 'BOB@example.com', 3)",
                [],
            )
            .is_err()
        );
        conn.execute(
            "INSERT INTO customers (name, email, email_verified, created_at)
             VALUES ('Not Bob', 'bob@example.com', 0, 3)",
            [],
        )
        .unwrap();
    }

    #[test]
    fn codes_and_orders_from_before_checkout_keep_their_meaning() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shop.db");
        let mut conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "foreign_keys", "ON").unwrap();
        migrate_to(&mut conn, 3).unwrap();
        conn.execute_batch(
            "INSERT INTO customers (id, name, email, created_at) VALUES (7, 'Bob', 'bob@example.com', 1);
             INSERT INTO discount_codes (id, code, summary, starts_at) VALUES (2, 'OLD10', '10% off', 0);
             INSERT INTO orders (id, customer_id, number, created_at, total_minor, status)
               VALUES (4, 7, 1001, 5, 34900, 'paid');",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        // An imported code has no rules until the platform states them: it takes nothing off.
        let rule: (String, i64, i64, bool) = conn
            .query_row(
                "SELECT kind, value, minimum_subtotal_minor, once_per_customer
                   FROM discount_codes WHERE id = 2",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap();
        assert_eq!(rule, ("percentage".to_owned(), 0, 0, false));
        // An imported order keeps its total and belongs to no chat, so it has no event.
        let order: (i64, Option<i64>, Option<String>, i64) = conn
            .query_row(
                "SELECT total_minor, conversation_id, discount_code, subtotal_minor
                   FROM orders WHERE id = 4",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap();
        assert_eq!(order, (34_900, None, None, 0));
        let lines: i64 = conn
            .query_row("SELECT count(*) FROM order_lines", [], |r| r.get(0))
            .unwrap();
        assert_eq!(lines, 0);
    }

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
