//! The shop's storage: the only module tree of the server that holds SQL.
//!
//! Everything the server keeps (the change log, the entities, every write, sign-in tokens and
//! sessions, idempotency rows, upload metadata, the email outbox) is read and written by the
//! functions of these modules, over one small seam:
//!
//! - [`Sql`], a connection or transaction that runs a statement with [`Value`] arguments and
//!   hands back [`Row`]s. A backend implements it once ([`sqlite`] today); the statements above
//!   it are written once, in the SQL both SQLite and PostgreSQL speak (`?N` placeholders, which
//!   a backend that numbers them differently rewrites), so every backend runs the same queries
//!   and one shared test suite checks them.
//! - [`Tx`], a write transaction: [`mutations`] take one, readers get a plain [`Sql`], so a
//!   read path can't write by mistake.
//! - [`Db`], the handle the server holds: [`Db::read`] and [`Db::write`] run a closure on a
//!   blocking thread with a reader or the writer, and `write` wakes the live streams after it
//!   commits.
//!
//! Why a statement-level seam rather than one trait method per query: with a method per query,
//! each backend writes every query again and the two drift; here the queries are shared and a
//! backend is a few hundred lines of connection handling and type mapping.
//!
//! Nothing here knows about HTTP.

pub mod changes;
pub mod checkout;
pub mod copy;
pub mod entities;
pub mod mutations;
mod pool;
pub mod postgres;
pub mod records;
pub mod sqlite;

use std::path::Path;

use tokio::sync::watch;

use crate::error::{Error, Result};

pub use entities::Shop;

/// Moves a backend's newest-change signal forward, never back: racing writers (and, on
/// PostgreSQL, other instances' notifications) can't make it go back.
pub(crate) fn forward(signal: &watch::Sender<i64>, latest: i64) {
    signal.send_if_modified(|seq| {
        let forward = latest > *seq;
        if forward {
            *seq = latest;
        }
        forward
    });
}

/// Where the shop keeps its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// A SQLite file (the embedded default, in the data directory).
    Sqlite(std::path::PathBuf),
    /// A PostgreSQL database, `postgres://user@host:port/name`, shared by several instances.
    Postgres(String),
}

/// The handle the server holds on its storage, whichever backend.
#[derive(Clone, Debug)]
pub struct Db(Backend);

#[derive(Clone, Debug)]
enum Backend {
    Sqlite(sqlite::SqliteDb),
    Postgres(postgres::PgDb),
}

impl Db {
    /// Opens a SQLite database file, creating and migrating it as needed.
    pub fn open(path: &Path) -> Result<Db> {
        Ok(Db(Backend::Sqlite(sqlite::SqliteDb::open(path)?)))
    }

    /// Opens either backend, migrating it as needed. Blocks (connecting, migrating).
    pub fn connect(database: &Database) -> Result<Db> {
        match database {
            Database::Sqlite(path) => Db::open(path),
            Database::Postgres(url) => Ok(Db(Backend::Postgres(postgres::PgDb::open(url)?))),
        }
    }

    /// The SQLite file, when that is the backend (tests inspect it directly).
    pub fn sqlite_path(&self) -> Option<&Path> {
        match &self.0 {
            Backend::Sqlite(db) => Some(db.path()),
            Backend::Postgres(_) => None,
        }
    }

    /// The newest change's sequence number, updated after every commit (on PostgreSQL, after
    /// every other instance's commit too).
    pub fn subscribe(&self) -> watch::Receiver<i64> {
        match &self.0 {
            Backend::Sqlite(db) => db.subscribe(),
            Backend::Postgres(db) => db.subscribe(),
        }
    }

    pub fn latest_seq(&self) -> i64 {
        match &self.0 {
            Backend::Sqlite(db) => db.latest_seq(),
            Backend::Postgres(db) => db.latest_seq(),
        }
    }

    /// The newest committed change, read from the log itself: a reader can see a commit a
    /// moment before the signal announces it, so cursor checks ask here.
    pub async fn committed_seq(&self) -> Result<i64> {
        self.read(|db| changes::newest(db)).await
    }

    /// Runs `f` in one write transaction, commits, and wakes the live streams.
    pub async fn write<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Tx<'_>) -> Result<T> + Send + 'static,
    {
        let db = self.clone();
        tokio::task::spawn_blocking(move || db.write_blocking(f)).await?
    }

    /// The same as [`Db::write`], for callers already on a blocking thread.
    pub fn write_blocking<T>(&self, f: impl FnOnce(&Tx<'_>) -> Result<T>) -> Result<T> {
        match &self.0 {
            Backend::Sqlite(db) => db.write_blocking(f),
            Backend::Postgres(db) => db.write_blocking(f),
        }
    }

    /// Runs `f` on a connection of its own, in one snapshot, for callers on a blocking thread
    /// (moving a shop).
    pub fn read_blocking<T>(&self, f: impl FnOnce(&dyn Sql) -> Result<T>) -> Result<T> {
        match &self.0 {
            Backend::Sqlite(db) => db.read_blocking(f),
            Backend::Postgres(db) => db.read_blocking(f),
        }
    }

    /// Runs `f` on a reader (a consistent snapshot for its duration).
    pub async fn read<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&dyn Sql) -> Result<T> + Send + 'static,
    {
        match &self.0 {
            Backend::Sqlite(db) => db.read(f).await,
            Backend::Postgres(db) => db.read(f).await,
        }
    }
}

/// An argument bound to a statement's placeholder.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(&'a str),
    Blob(&'a [u8]),
}

/// What can be bound as an argument; see [`args!`](crate::args).
pub trait ToValue {
    fn to_value(&self) -> Value<'_>;
}

macro_rules! int_to_value {
    ($($t:ty),*) => {$(
        impl ToValue for $t {
            fn to_value(&self) -> Value<'_> {
                Value::Int(i64::try_from(*self).expect("fits a 64-bit integer"))
            }
        }
    )*};
}
int_to_value!(i64, i32, u32, u16, u8, usize, u64);

impl ToValue for bool {
    fn to_value(&self) -> Value<'_> {
        Value::Int(i64::from(*self))
    }
}
impl ToValue for f64 {
    fn to_value(&self) -> Value<'_> {
        Value::Real(*self)
    }
}
impl ToValue for str {
    fn to_value(&self) -> Value<'_> {
        Value::Text(self)
    }
}
impl ToValue for String {
    fn to_value(&self) -> Value<'_> {
        Value::Text(self)
    }
}
impl ToValue for [u8] {
    fn to_value(&self) -> Value<'_> {
        Value::Blob(self)
    }
}
impl ToValue for Vec<u8> {
    fn to_value(&self) -> Value<'_> {
        Value::Blob(self)
    }
}
impl<const N: usize> ToValue for [u8; N] {
    fn to_value(&self) -> Value<'_> {
        Value::Blob(self)
    }
}
impl<T: ToValue> ToValue for Option<T> {
    fn to_value(&self) -> Value<'_> {
        match self {
            Some(value) => value.to_value(),
            None => Value::Null,
        }
    }
}
impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> Value<'_> {
        (**self).to_value()
    }
}

/// The arguments of a statement, bound by reference: `args![id, &text, now]`.
#[macro_export]
macro_rules! args {
    ($($arg:expr),* $(,)?) => {
        &[$($crate::storage::ToValue::to_value(&$arg)),*][..]
    };
}

/// One column of a row as it came from the database.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValueRef<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(&'a str),
    Blob(&'a [u8]),
}

impl ValueRef<'_> {
    fn kind(&self) -> &'static str {
        match self {
            ValueRef::Null => "null",
            ValueRef::Int(_) => "integer",
            ValueRef::Real(_) => "real",
            ValueRef::Text(_) => "text",
            ValueRef::Blob(_) => "blob",
        }
    }
}

/// What a column can be read as; see [`Row::get`](trait.Row.html#method.get).
pub trait FromValue: Sized {
    fn from_value(value: ValueRef<'_>) -> Result<Self>;
}

fn wrong_type(value: ValueRef<'_>, wanted: &str) -> Error {
    Error::Storage(format!("a {} column read as {wanted}", value.kind()))
}

impl FromValue for i64 {
    fn from_value(value: ValueRef<'_>) -> Result<Self> {
        match value {
            ValueRef::Int(v) => Ok(v),
            other => Err(wrong_type(other, "an integer")),
        }
    }
}
macro_rules! int_from_value {
    ($($t:ty),*) => {$(
        impl FromValue for $t {
            fn from_value(value: ValueRef<'_>) -> Result<Self> {
                let v = i64::from_value(value)?;
                <$t>::try_from(v)
                    .map_err(|_| Error::Storage(format!("{v} is out of range for {}", stringify!($t))))
            }
        }
    )*};
}
int_from_value!(i32, u32, u16, u8, usize, u64);

impl FromValue for bool {
    fn from_value(value: ValueRef<'_>) -> Result<Self> {
        Ok(i64::from_value(value)? != 0)
    }
}
impl FromValue for f64 {
    fn from_value(value: ValueRef<'_>) -> Result<Self> {
        match value {
            ValueRef::Real(v) => Ok(v),
            ValueRef::Int(v) => Ok(v as f64),
            other => Err(wrong_type(other, "a number")),
        }
    }
}
impl FromValue for String {
    fn from_value(value: ValueRef<'_>) -> Result<Self> {
        match value {
            ValueRef::Text(v) => Ok(v.to_owned()),
            other => Err(wrong_type(other, "text")),
        }
    }
}
impl FromValue for Vec<u8> {
    fn from_value(value: ValueRef<'_>) -> Result<Self> {
        match value {
            ValueRef::Blob(v) => Ok(v.to_vec()),
            ValueRef::Text(v) => Ok(v.as_bytes().to_vec()),
            other => Err(wrong_type(other, "bytes")),
        }
    }
}
impl<T: FromValue> FromValue for Option<T> {
    fn from_value(value: ValueRef<'_>) -> Result<Self> {
        match value {
            ValueRef::Null => Ok(None),
            other => T::from_value(other).map(Some),
        }
    }
}

/// One row of a result.
pub trait Row {
    /// The column at `index` (from 0).
    fn value(&self, index: usize) -> Result<ValueRef<'_>>;
}

impl dyn Row + '_ {
    /// The column at `index` (from 0) as a `T`.
    pub fn get<T: FromValue>(&self, index: usize) -> Result<T> {
        T::from_value(self.value(index)?)
            .map_err(|e| Error::Storage(format!("column {index}: {e}")))
    }

    /// A column holding JSON.
    pub fn json<T: serde::de::DeserializeOwned>(&self, index: usize) -> Result<T> {
        match self.value(index)? {
            ValueRef::Text(text) => Ok(serde_json::from_str(text)?),
            other => Err(wrong_type(other, "JSON")),
        }
    }

    /// A column holding a serde enum's name (`"open"`, `"online_store"`).
    pub fn enum_key<T: serde::de::DeserializeOwned>(&self, index: usize) -> Result<T> {
        let key: String = self.get(index)?;
        Ok(serde_json::from_value(serde_json::Value::String(key))?)
    }
}

/// A connection or transaction that runs statements: what a backend implements.
pub trait Sql {
    /// Runs a statement; returns how many rows it changed.
    fn execute(&self, sql: &str, args: &[Value<'_>]) -> Result<usize>;

    /// Runs a query, calling `each` for every row, in order, until it returns an error.
    fn for_each(
        &self,
        sql: &str,
        args: &[Value<'_>],
        each: &mut dyn FnMut(&dyn Row) -> Result<()>,
    ) -> Result<()>;

    /// Runs several statements without arguments (schema changes, tests' fixtures).
    fn execute_batch(&self, sql: &str) -> Result<()>;
}

impl dyn Sql + '_ {
    /// The first row of a query, if there is one.
    pub fn query_opt<T>(
        &self,
        sql: &str,
        args: &[Value<'_>],
        f: impl FnOnce(&dyn Row) -> Result<T>,
    ) -> Result<Option<T>> {
        let mut f = Some(f);
        let mut found = None;
        self.for_each(sql, args, &mut |row| {
            if let Some(f) = f.take() {
                found = Some(f(row)?);
            }
            Ok(())
        })?;
        Ok(found)
    }

    /// The first row of a query that always returns one (an aggregate, `RETURNING`).
    pub fn query_row<T>(
        &self,
        sql: &str,
        args: &[Value<'_>],
        f: impl FnOnce(&dyn Row) -> Result<T>,
    ) -> Result<T> {
        self.query_opt(sql, args, f)?
            .ok_or_else(|| Error::Storage(format!("no row from: {sql}")))
    }

    /// Every row of a query.
    pub fn query_map<T>(
        &self,
        sql: &str,
        args: &[Value<'_>],
        mut f: impl FnMut(&dyn Row) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut out = Vec::new();
        self.for_each(sql, args, &mut |row| {
            out.push(f(row)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// Whether a query returns any row.
    pub fn exists(&self, sql: &str, args: &[Value<'_>]) -> Result<bool> {
        Ok(self.query_opt(sql, args, |_| Ok(()))?.is_some())
    }
}

/// A write transaction. Only [`Db::write`] makes one, so only code given one can write.
pub struct Tx<'a> {
    sql: &'a dyn Sql,
}

impl<'a> Tx<'a> {
    pub(crate) fn new(sql: &'a dyn Sql) -> Tx<'a> {
        Tx { sql }
    }
}

impl<'a> std::ops::Deref for Tx<'a> {
    type Target = dyn Sql + 'a;

    fn deref(&self) -> &Self::Target {
        self.sql
    }
}

/// A transaction reads like any connection.
impl Sql for Tx<'_> {
    fn execute(&self, sql: &str, args: &[Value<'_>]) -> Result<usize> {
        self.sql.execute(sql, args)
    }

    fn for_each(
        &self,
        sql: &str,
        args: &[Value<'_>],
        each: &mut dyn FnMut(&dyn Row) -> Result<()>,
    ) -> Result<()> {
        self.sql.for_each(sql, args, each)
    }

    fn execute_batch(&self, sql: &str) -> Result<()> {
        self.sql.execute_batch(sql)
    }
}
