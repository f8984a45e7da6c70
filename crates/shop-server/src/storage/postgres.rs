//! The PostgreSQL backend, for a shop that outgrows one machine: the same statements as SQLite
//! (placeholders `?N` become `$N`), a writer connection and a pool of readers per instance, and
//! numbered migrations of its own (`migrations/postgres/`).
//!
//! Several instances may share one database. Every write transaction first takes one
//! transaction-scoped advisory lock, so writes from all instances run one at a time and the
//! change log's sequence numbers are taken and committed in the same order: a reader never
//! sees change N+1 before change N, which the feed's cursors rely on. After each commit the
//! writer sends `NOTIFY shop_changes` with the newest sequence number; [`Listener`] turns that
//! doorbell into the same newest-change signal the SQLite backend gives. The log stays the
//! truth: a missed notification only delays a stream until the next one, or the next poll.
//!
//! The blocking `postgres` client runs on the same blocking threads as SQLite's, so the
//! closures above the seam do not care which backend they run on.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use postgres::{Client, IsolationLevel, NoTls, Statement};
use tokio::sync::watch;

use super::pool::Readers;
use super::{Row, Sql, Tx, Value, ValueRef, forward};
use crate::error::{Error, Result};

/// Numbered, append-only migrations; `schema_version` records how many ran.
const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/postgres/001_init.sql"),
    include_str!("../../migrations/postgres/002_presence.sql"),
    include_str!("../../migrations/postgres/003_checkout.sql"),
    include_str!("../../migrations/postgres/004_saved_replies.sql"),
    include_str!("../../migrations/postgres/005_snooze.sql"),
    include_str!("../../migrations/postgres/006_activity.sql"),
];

const READERS: usize = 4;

/// The advisory lock every writer holds for its transaction (any fixed number; "shop").
const WRITE_LOCK: i64 = 0x73686f70;

/// The channel writers notify after each commit.
const CHANNEL: &str = "shop_changes";

impl From<postgres::Error> for Error {
    fn from(e: postgres::Error) -> Error {
        match e.as_db_error() {
            Some(db) => Error::Storage(format!(
                "postgres {}: {}{}",
                db.code().code(),
                db.message(),
                db.detail().map(|d| format!(" ({d})")).unwrap_or_default()
            )),
            None => Error::Storage(format!("postgres: {e}")),
        }
    }
}

/// `?N` (and a bare `?`) to `$N`, outside string literals.
fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut chars = sql.chars().peekable();
    let mut in_string = false;
    let mut next = 1;
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_string = !in_string;
                out.push(c);
            }
            '?' if !in_string => {
                let mut digits = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    digits.push(*d);
                    chars.next();
                }
                if digits.is_empty() {
                    digits = next.to_string();
                    next += 1;
                }
                out.push('$');
                out.push_str(&digits);
            }
            _ => out.push(c),
        }
    }
    out
}

/// One argument, converted to whatever type PostgreSQL inferred for its placeholder.
#[derive(Debug)]
struct Arg<'a>(Value<'a>);

impl ToSql for Arg<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self.0 {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(v) => match *ty {
                Type::INT8 => v.to_sql(ty, out),
                Type::INT4 => i32::try_from(v)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(v)?.to_sql(ty, out),
                Type::BOOL => (v != 0).to_sql(ty, out),
                Type::FLOAT8 => (v as f64).to_sql(ty, out),
                Type::TEXT | Type::VARCHAR => v.to_string().as_str().to_sql(ty, out),
                _ => Err(format!("an integer can't be bound to a {ty} placeholder").into()),
            },
            Value::Real(v) => match *ty {
                Type::FLOAT4 => (v as f32).to_sql(ty, out),
                _ => v.to_sql(ty, out),
            },
            Value::Text(v) => v.to_sql(ty, out),
            Value::Blob(v) => v.to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

struct PgRow(postgres::Row);

impl Row for PgRow {
    fn value(&self, index: usize) -> Result<ValueRef<'_>> {
        let column = self
            .0
            .columns()
            .get(index)
            .ok_or_else(|| Error::Storage(format!("no column {index}")))?;
        let ty = column.type_().clone();
        let get_err = |e: postgres::Error| Error::Storage(format!("column {index}: {e}"));
        Ok(match ty {
            Type::INT8 => opt(
                self.0.try_get::<_, Option<i64>>(index).map_err(get_err)?,
                ValueRef::Int,
            ),
            Type::INT4 => opt(
                self.0.try_get::<_, Option<i32>>(index).map_err(get_err)?,
                |v| ValueRef::Int(v.into()),
            ),
            Type::INT2 => opt(
                self.0.try_get::<_, Option<i16>>(index).map_err(get_err)?,
                |v| ValueRef::Int(v.into()),
            ),
            Type::BOOL => opt(
                self.0.try_get::<_, Option<bool>>(index).map_err(get_err)?,
                |v| ValueRef::Int(v.into()),
            ),
            Type::FLOAT8 => opt(
                self.0.try_get::<_, Option<f64>>(index).map_err(get_err)?,
                ValueRef::Real,
            ),
            Type::FLOAT4 => opt(
                self.0.try_get::<_, Option<f32>>(index).map_err(get_err)?,
                |v| ValueRef::Real(v.into()),
            ),
            Type::BYTEA => opt(
                self.0.try_get::<_, Option<&[u8]>>(index).map_err(get_err)?,
                ValueRef::Blob,
            ),
            // TEXT, VARCHAR, NAME, and citext (an extension's type, known by name).
            _ => opt(
                self.0.try_get::<_, Option<&str>>(index).map_err(get_err)?,
                ValueRef::Text,
            ),
        })
    }
}

fn opt<'a, T>(value: Option<T>, f: impl FnOnce(T) -> ValueRef<'a>) -> ValueRef<'a> {
    value.map_or(ValueRef::Null, f)
}

/// A connection with the statements it has prepared.
struct Conn {
    /// Always `Some` until dropped (see [`Drop`]).
    client: Option<Client>,
    statements: HashMap<String, Statement>,
}

impl Conn {
    fn connect(url: &str) -> Result<Conn> {
        let client = Client::connect(url, NoTls)?;
        Ok(Conn {
            client: Some(client),
            statements: HashMap::new(),
        })
    }

    fn parts(&mut self) -> (&mut Client, &mut HashMap<String, Statement>) {
        (
            self.client.as_mut().expect("an open connection"),
            &mut self.statements,
        )
    }

    fn is_closed(&self) -> bool {
        self.client.as_ref().is_none_or(Client::is_closed)
    }
}

/// The blocking client closes its connection by blocking on a runtime of its own, which
/// tokio forbids on an async worker, where the last handle to a `Db` may well be dropped; the
/// close happens on a thread of its own instead.
impl Drop for Conn {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            let _ = std::thread::Builder::new()
                .name("pg-close".into())
                .spawn(move || drop(client));
        }
    }
}

/// One transaction, as the seam sees it.
struct PgTx<'c> {
    tx: RefCell<postgres::Transaction<'c>>,
    statements: RefCell<&'c mut HashMap<String, Statement>>,
}

impl PgTx<'_> {
    fn statement(&self, sql: &str) -> Result<Statement> {
        if let Some(statement) = self.statements.borrow().get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.tx.borrow_mut().prepare(&numbered(sql))?;
        self.statements
            .borrow_mut()
            .insert(sql.to_owned(), statement.clone());
        Ok(statement)
    }
}

fn bound<'a>(args: &'a [Value<'a>]) -> Vec<Arg<'a>> {
    args.iter().map(|v| Arg(*v)).collect()
}

impl Sql for PgTx<'_> {
    fn execute(&self, sql: &str, args: &[Value<'_>]) -> Result<usize> {
        let statement = self.statement(sql)?;
        let args = bound(args);
        let refs: Vec<&(dyn ToSql + Sync)> = args.iter().map(|a| a as _).collect();
        Ok(self.tx.borrow_mut().execute(&statement, &refs)? as usize)
    }

    fn for_each(
        &self,
        sql: &str,
        args: &[Value<'_>],
        each: &mut dyn FnMut(&dyn Row) -> Result<()>,
    ) -> Result<()> {
        let statement = self.statement(sql)?;
        let args = bound(args);
        let refs: Vec<&(dyn ToSql + Sync)> = args.iter().map(|a| a as _).collect();
        // Collected first, so `each` may run queries of its own on this transaction.
        let rows = self.tx.borrow_mut().query(&statement, &refs)?;
        for row in rows {
            each(&PgRow(row))?;
        }
        Ok(())
    }

    fn execute_batch(&self, sql: &str) -> Result<()> {
        Ok(self.tx.borrow_mut().batch_execute(sql)?)
    }
}

#[derive(Clone)]
pub struct PgDb {
    inner: Arc<Inner>,
}

struct Inner {
    url: String,
    writer: Mutex<Conn>,
    readers: Arc<Readers<Conn>>,
    latest_seq: watch::Sender<i64>,
}

impl std::fmt::Debug for PgDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgDb").finish_non_exhaustive()
    }
}

/// Brings the database up to the newest schema, one instance at a time; refuses one newer than
/// this binary knows.
fn migrate(conn: &mut Conn) -> Result<()> {
    let mut tx = conn.parts().0.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")?;
    let version: Option<i64> = tx
        .query_opt("SELECT version FROM schema_version", &[])?
        .map(|r| r.get(0));
    let version = usize::try_from(version.unwrap_or(0)).unwrap_or(usize::MAX);
    if version > MIGRATIONS.len() {
        return Err(Error::Other(format!(
            "the database is at schema version {version}, newer than this server knows ({}); \
             upgrade the server",
            MIGRATIONS.len()
        )));
    }
    for sql in MIGRATIONS.iter().skip(version) {
        tx.batch_execute(sql)?;
    }
    tx.execute("DELETE FROM schema_version", &[])?;
    tx.execute(
        "INSERT INTO schema_version (version) VALUES ($1)",
        &[&(MIGRATIONS.len() as i64)],
    )?;
    tx.commit()?;
    Ok(())
}

fn newest(client: &mut impl postgres::GenericClient) -> Result<i64> {
    Ok(client
        .query_one("SELECT coalesce(max(seq), 0) FROM changes", &[])?
        .get(0))
}

impl PgDb {
    /// Connects (`postgres://user@host:port/db`), migrates, and starts listening for other
    /// instances' commits. Call from a blocking context.
    pub fn open(url: &str) -> Result<PgDb> {
        let mut writer = Conn::connect(url)?;
        migrate(&mut writer)?;
        let mut readers = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            readers.push(Conn::connect(url)?);
        }
        let latest = newest(writer.parts().0)?;
        let (latest_seq, _) = watch::channel(latest);
        let db = PgDb {
            inner: Arc::new(Inner {
                url: url.to_owned(),
                writer: Mutex::new(writer),
                readers: Readers::new(readers),
                latest_seq,
            }),
        };
        Listener::start(&db)?;
        Ok(db)
    }

    pub fn subscribe(&self) -> watch::Receiver<i64> {
        self.inner.latest_seq.subscribe()
    }

    pub fn latest_seq(&self) -> i64 {
        *self.inner.latest_seq.borrow()
    }

    pub fn write_blocking<T>(&self, f: impl FnOnce(&Tx<'_>) -> Result<T>) -> Result<T> {
        self.inner.write_blocking(f)
    }

    /// Runs `f` on a connection of its own, in one snapshot.
    pub fn read_blocking<T>(&self, f: impl FnOnce(&dyn Sql) -> Result<T>) -> Result<T> {
        let mut conn = Conn::connect(&self.inner.url)?;
        read_on(&mut conn, f)
    }

    pub async fn read<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&dyn Sql) -> Result<T> + Send + 'static,
    {
        let url = self.inner.url.clone();
        self.inner
            .readers
            .clone()
            .run(move |conn| {
                let result = read_on(conn, f);
                // A connection that broke is replaced rather than handed out again.
                if conn.is_closed() {
                    match Conn::connect(&url) {
                        Ok(fresh) => *conn = fresh,
                        Err(error) => tracing::warn!(%error, "could not reconnect a reader"),
                    }
                }
                result
            })
            .await
    }
}

fn read_on<T>(conn: &mut Conn, f: impl FnOnce(&dyn Sql) -> Result<T>) -> Result<T> {
    let (client, statements) = conn.parts();
    // A consistent snapshot for the closure's whole duration, as SQLite's readers give.
    let tx = client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()?;
    let pg = PgTx {
        tx: RefCell::new(tx),
        statements: RefCell::new(statements),
    };
    let value = f(&pg)?;
    pg.tx.into_inner().commit()?;
    Ok(value)
}

impl Inner {
    fn write_blocking<T>(&self, f: impl FnOnce(&Tx<'_>) -> Result<T>) -> Result<T> {
        let mut guard = self.writer.lock().expect("writer poisoned");
        if guard.is_closed() {
            *guard = Conn::connect(&self.url)?;
        }
        let (value, latest) = {
            let (client, statements) = guard.parts();
            let mut tx = client.transaction()?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])?;
            let pg = PgTx {
                tx: RefCell::new(tx),
                statements: RefCell::new(statements),
            };
            let value = f(&Tx::new(&pg))?;
            let mut tx = pg.tx.into_inner();
            let latest = newest(&mut tx)?;
            tx.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &latest.to_string()])?;
            tx.commit()?;
            (value, latest)
        };
        drop(guard);
        forward(&self.latest_seq, latest);
        Ok(value)
    }
}

/// Hears other instances' commits (`LISTEN shop_changes`) and moves this instance's
/// newest-change signal; polls the log too, so a lost connection or notification only delays.
struct Listener;

impl Listener {
    const POLL: Duration = Duration::from_secs(2);

    fn start(db: &PgDb) -> Result<()> {
        let inner = Arc::downgrade(&db.inner);
        let url = db.inner.url.clone();
        std::thread::Builder::new()
            .name("pg-listener".into())
            .spawn(move || {
                loop {
                    let Some(alive) = inner.upgrade() else {
                        return;
                    };
                    drop(alive);
                    if let Err(error) = Self::listen(&url, &inner) {
                        tracing::warn!(%error, "listening for other instances' changes; retrying");
                        std::thread::sleep(Self::POLL);
                    }
                }
            })?;
        Ok(())
    }

    fn listen(url: &str, inner: &std::sync::Weak<Inner>) -> Result<()> {
        let mut client = Client::connect(url, NoTls)?;
        client.batch_execute(&format!("LISTEN {CHANNEL}"))?;
        loop {
            let Some(alive) = inner.upgrade() else {
                return Ok(());
            };
            let latest = newest(&mut client)?;
            forward(&alive.latest_seq, latest);
            // Each notification carries the newest change at its commit; a quiet spell ends
            // the wait and the log is read again.
            let mut notifications = client.notifications();
            let mut waiting = notifications.timeout_iter(Self::POLL);
            while let Some(notification) = waiting.next()? {
                if let Ok(seq) = notification.payload().parse::<i64>() {
                    forward(&alive.latest_seq, seq);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::numbered;

    #[test]
    fn placeholders_are_numbered_the_postgres_way_outside_strings() {
        assert_eq!(
            numbered("SELECT ?1, ?2 WHERE a = '?' AND b LIKE ?1 ESCAPE '\\'"),
            "SELECT $1, $2 WHERE a = '?' AND b LIKE $1 ESCAPE '\\'"
        );
        assert_eq!(numbered("VALUES (?, ?)"), "VALUES ($1, $2)");
    }
}
