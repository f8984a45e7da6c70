//! The mirror: one SQLite file per (shop, staff member), holding every entity the change feed
//! carries, the sync cursor, the outbox and drafts.
//!
//! One writer connection, a small pool of readers, WAL; all work on blocking threads. A page
//! of the feed is applied together with its cursor in one transaction, so a crash means the
//! page is fetched again, never that it is half applied or skipped.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use inbox_protocol::*;
use rusqlite::{
    Connection, OpenFlags, OptionalExtension, Row, ToSql, Transaction, TransactionBehavior, params,
};
use serde::de::DeserializeOwned;
use tokio::sync::Semaphore;

use crate::error::{Error, Result};
use crate::views::*;

/// Numbered, append-only migrations; `PRAGMA user_version` records how many ran.
pub const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/001_mirror.sql"),
    include_str!("../migrations/002_notified.sql"),
    include_str!("../migrations/003_recent_search.sql"),
    include_str!("../migrations/004_outbox_history.sql"),
    include_str!("../migrations/005_order_events.sql"),
    include_str!("../migrations/006_saved_replies.sql"),
    include_str!("../migrations/007_snooze.sql"),
    include_str!("../migrations/008_metrics.sql"),
];

const READERS: usize = 3;

#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    permits: Semaphore,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.inner.path)
            .finish()
    }
}

/// Brings a mirror up to the newest schema, refusing one newer than this binary knows.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    migrate_to(conn, MIGRATIONS.len())
}

/// Migrates up to `target` migrations (tests stop early to seed an old schema).
pub fn migrate_to(conn: &mut Connection, target: usize) -> Result<()> {
    let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if found > MIGRATIONS.len() as i64 {
        return Err(Error::DatabaseTooNew {
            found,
            known: MIGRATIONS.len() as i64,
        });
    }
    for (index, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .take(target)
        .skip(found as usize)
    {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (index + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}

/// Keeps one plan per cached statement (the query planner stability guarantee). Without it
/// SQLite marks a statement for re-preparing whenever a value bound to a `LIMIT ?` (or a
/// `LIKE ?`) is bound again, so every search prepared its statements anew.
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
    // Room for every multi-row upsert `apply_all` prepares, besides the app's other statements.
    conn.set_prepared_statement_cache_capacity(128);
    Ok(())
}

/// Page cache of each reader connection, in KiB. SQLite's default (2 MiB) holds a fraction of
/// a big mirror's conversations; a name search that matches a few hundred customers reads
/// thousands of conversation rows, about a third faster from a larger cache.
const READER_CACHE_KIB: i64 = 16 * 1024;

/// A read-only connection configured like the store's readers (benchmarks use it too).
pub fn open_reader(path: &Path) -> Result<Connection> {
    let reader = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    stable_plans(&reader)?;
    reader.pragma_update(None, "busy_timeout", 5_000)?;
    reader.pragma_update(None, "cache_size", -READER_CACHE_KIB)?;
    reader.set_prepared_statement_cache_capacity(64);
    Ok(reader)
}

impl Store {
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut writer = Connection::open(path)?;
        configure(&writer)?;
        migrate(&mut writer)?;
        let readers = (0..READERS)
            .map(|_| open_reader(path))
            .collect::<Result<Vec<_>>>()?;
        Ok(Store {
            inner: Arc::new(Inner {
                path: path.to_owned(),
                writer: Mutex::new(writer),
                readers: Mutex::new(readers),
                permits: Semaphore::new(READERS),
            }),
        })
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    pub async fn write<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T> + Send + 'static,
    {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = inner.writer.lock().expect("writer poisoned");
            let tx = Transaction::new(&mut conn, TransactionBehavior::Immediate)?;
            let value = f(&tx)?;
            tx.commit()?;
            Ok(value)
        })
        .await?
    }

    pub async fn read<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        let _permit = self
            .inner
            .permits
            .acquire()
            .await
            .map_err(|_| Error::Stopped)?;
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let conn = inner
                .readers
                .lock()
                .expect("pool poisoned")
                .pop()
                .expect("a permit means a reader");
            let result = (|| {
                let tx = conn.unchecked_transaction()?;
                let value = f(&tx)?;
                tx.finish()?;
                Ok(value)
            })();
            inner.readers.lock().expect("pool poisoned").push(conn);
            result
        })
        .await?
    }
}

pub fn now_ms() -> Millis {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

fn data<T: DeserializeOwned>(row: &Row<'_>, idx: usize) -> rusqlite::Result<T> {
    let text: String = row.get(idx)?;
    serde_json::from_str(&text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn key<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// Where the mirror is in the shop's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncPosition {
    pub cursor: String,
    pub history_id: String,
    pub staff_id: i64,
    pub last_synced_at: Option<Millis>,
    /// The first full sync has finished at least once.
    pub caught_up: bool,
}

pub fn position(conn: &Connection) -> Result<SyncPosition> {
    Ok(conn.query_row(
        "SELECT cursor, history_id, staff_id, last_synced_at, caught_up FROM sync_state WHERE id = 1",
        [],
        |r| {
            Ok(SyncPosition {
                cursor: r.get(0)?,
                history_id: r.get(1)?,
                staff_id: r.get(2)?,
                last_synced_at: r.get(3)?,
                caught_up: r.get(4)?,
            })
        },
    )?)
}

/// Forgets every entity (a different shop history, a shop that lost our place, or a different
/// staff member): the next sync starts from the beginning.
///
/// What was queued or typed before stays on this computer but can no longer go anywhere: the
/// shop's ids may now name other customers' conversations (a shop restored from a backup, or a
/// new one, hands them out again). Outbox items are set aside as failed with `shop_reset`
/// ([`crate::outbox::set_aside_for_reset`]) and drafts are dropped: a draft is keyed by conversation
/// id, so kept it would open in whichever conversation has that id now. A mirror that never
/// synced has no history to lose; what it holds is adopted by the first one.
pub fn reset(tx: &Transaction<'_>, history_id: &str, staff_id: i64) -> Result<()> {
    let before = position(tx)?;
    tx.execute_batch(
        "INSERT INTO recent_messages_fts (recent_messages_fts) VALUES ('delete-all');
         UPDATE recent_messages SET first_id = 9223372036854775807 WHERE id = 1;
         DELETE FROM staff; DELETE FROM customers; DELETE FROM conversations;
         DELETE FROM messages WHERE id > 0; DELETE FROM cart_events; DELETE FROM read_states;
         DELETE FROM notes WHERE id > 0; DELETE FROM carts; DELETE FROM orders;
         DELETE FROM order_events; DELETE FROM saved_replies;",
    )?;
    if before.history_id.is_empty() {
        tx.execute(
            "UPDATE outbox SET history_id = ?1 WHERE history_id = ''",
            [history_id],
        )?;
        tx.execute(
            "UPDATE drafts SET history_id = ?1 WHERE history_id = ''",
            [history_id],
        )?;
    } else {
        let set_aside = crate::outbox::set_aside_for_reset(tx)?;
        let drafts = tx.execute("DELETE FROM drafts", [])?;
        if set_aside + drafts > 0 {
            tracing::info!(
                outbox = set_aside,
                drafts,
                "the shop's history changed: queued actions set aside, drafts dropped"
            );
        }
    }
    tx.execute(
        "UPDATE sync_state SET cursor = '', history_id = ?1, staff_id = ?2, caught_up = 0 WHERE id = 1",
        params![history_id, staff_id],
    )?;
    Ok(())
}

/// How many of the newest messages search looks at first (`003_recent_search.sql`): enough
/// that a word in one message of a few hundred fills a page of hits from them alone, few enough
/// that a one-letter prefix merges in a couple of milliseconds. The window holds between this
/// many and twice this many message ids.
pub const RECENT_MESSAGES: i64 = 20_000;

/// The first message id in the recent-messages search window; `i64::MAX` while there is none.
pub fn recent_first_id(conn: &Connection) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT first_id FROM recent_messages WHERE id = 1")?
        .query_row([], |r| r.get(0))?)
}

/// Keeps the recent-messages search window on the newest messages. Once the mirror has caught
/// up (never during a first sync, which would index every message twice) and whenever the
/// newest id has moved [`RECENT_MESSAGES`] past the window, it is rebuilt over the newest
/// [`RECENT_MESSAGES`] ids: one statement, one compact index segment, about a tenth of a
/// second. Otherwise it costs two lookups. Local echoes (negative ids) stay below the window.
pub fn refresh_recent(tx: &Transaction<'_>) -> Result<()> {
    refresh_recent_window(tx, RECENT_MESSAGES)
}

pub(crate) fn refresh_recent_window(tx: &Transaction<'_>, size: i64) -> Result<()> {
    let first = recent_first_id(tx)?;
    let newest: Option<i64> = tx
        .prepare_cached("SELECT max(id) FROM messages")?
        .query_row([], |r| r.get(0))?;
    let Some(newest) = newest.filter(|&id| id > 0) else {
        return Ok(());
    };
    if first != i64::MAX && newest < first.saturating_add(2 * size) {
        return Ok(());
    }
    let new_first = newest.saturating_sub(size - 1).max(1);
    if new_first == first {
        return Ok(());
    }
    tx.execute_batch(
        "INSERT INTO recent_messages_fts (recent_messages_fts) VALUES ('delete-all')",
    )?;
    tx.prepare_cached("UPDATE recent_messages SET first_id = ?1 WHERE id = 1")?
        .execute([new_first])?;
    tx.prepare_cached(
        "INSERT INTO recent_messages_fts (rowid, text) SELECT id, text FROM messages WHERE id >= ?1",
    )?
    .execute([new_first])?;
    Ok(())
}

pub fn set_cursor(tx: &Transaction<'_>, cursor: &str, now: Millis, caught_up: bool) -> Result<()> {
    tx.prepare_cached(
        "UPDATE sync_state SET cursor = ?1, last_synced_at = ?2, caught_up = max(caught_up, ?3) WHERE id = 1",
    )?
    .execute(params![cursor, now, caught_up])?;
    Ok(())
}

/// A multi-row upsert into one table: `INSERT … VALUES (…), (…) … ON CONFLICT (key) DO UPDATE`
/// every other column, for 1, 2, 4, … up to `max_rows` rows. The first column is the key.
///
/// Rows are written in order, full statements of `max_rows` first and the rest in power-of-two
/// statements, so at most `log2(max_rows) + 1` different statements are ever prepared. SQLite
/// handles a multi-row upsert's rows one after another with the same conflict rule, so the
/// outcome is that of one statement per row.
struct Upsert {
    table: &'static str,
    columns: &'static [&'static str],
    max_rows: usize,
    sql: OnceLock<Vec<String>>,
}

impl Upsert {
    const fn new(table: &'static str, columns: &'static [&'static str], max_rows: usize) -> Self {
        assert!(max_rows.is_power_of_two());
        // SQLite's default limit on parameters in one statement.
        assert!(max_rows * columns.len() <= 32_766);
        Upsert {
            table,
            columns,
            max_rows,
            sql: OnceLock::new(),
        }
    }

    /// The statement for `2^k` rows.
    fn sql(&self, k: u32) -> &str {
        let statements = self.sql.get_or_init(|| {
            let width = self.columns.len();
            let update = self.columns[1..]
                .iter()
                .map(|c| format!("{c} = excluded.{c}"))
                .collect::<Vec<_>>()
                .join(", ");
            (0..=self.max_rows.ilog2())
                .map(|k| {
                    let rows = (0..1usize << k)
                        .map(|row| {
                            let params = (1..=width)
                                .map(|c| format!("?{}", row * width + c))
                                .collect::<Vec<_>>()
                                .join(",");
                            format!("({params})")
                        })
                        .collect::<Vec<_>>()
                        .join(",");
                    format!(
                        "INSERT INTO {} ({}) VALUES {rows} ON CONFLICT ({}) DO UPDATE SET {update}",
                        self.table,
                        self.columns.join(", "),
                        self.columns[0]
                    )
                })
                .collect()
        });
        &statements[k as usize]
    }

    /// Upserts `rows` in order; `values` gives a row's column values, in `columns` order.
    fn write<T>(
        &self,
        tx: &Transaction<'_>,
        rows: &[T],
        mut values: impl FnMut(&T, &mut dyn FnMut(&dyn ToSql) -> Result<()>) -> Result<()>,
    ) -> Result<()> {
        let width = self.columns.len();
        let mut rest = rows;
        while !rest.is_empty() {
            let k = rest.len().min(self.max_rows).ilog2();
            let (chunk, tail) = rest.split_at(1 << k);
            let mut stmt = tx.prepare_cached(self.sql(k))?;
            for (i, row) in chunk.iter().enumerate() {
                let mut index = i * width;
                values(row, &mut |value| {
                    index += 1;
                    Ok(stmt.raw_bind_parameter(index, value)?)
                })?;
                debug_assert_eq!(index, (i + 1) * width, "{} values", self.table);
            }
            stmt.raw_execute()?;
            rest = tail;
        }
        Ok(())
    }
}

/// Messages go in statements of up to this many rows (6 parameters each).
///
/// Why so many: FTS5 moves its pending index entries to disk whenever a statement opens a
/// savepoint, and every upsert whose trigger writes the full-text index opens one. Applied one
/// statement each, every message became a tiny index segment for FTS5 to merge again and
/// again: more than half of a first sync's time, and most of a catch-up's. Each statement is
/// one segment now, and a page of 5,000 messages five of them (4,096 + 512 + 256 + 128 + 8)
/// rather than twelve with statements of 512, which leaves FTS5 about a quarter less merging.
/// The largest statement takes about 10 ms to prepare, once per connection.
const MESSAGE_ROWS: usize = 4096;
/// Other entities, whose statements write no full-text index (customers' a small one).
const ROWS: usize = 64;

static MESSAGES: Upsert = Upsert::new(
    "messages",
    &[
        "id",
        "conversation_id",
        "from_customer",
        "text",
        "created_at",
        "data",
    ],
    MESSAGE_ROWS,
);
static CUSTOMERS: Upsert = Upsert::new("customers", &["id", "name", "email", "data"], ROWS);
static CONVERSATIONS: Upsert = Upsert::new(
    "conversations",
    &[
        "id",
        "customer_id",
        "status",
        "assignee_id",
        "last_message_at",
        "snoozed_until",
        "data",
    ],
    ROWS,
);
static CART_EVENTS: Upsert = Upsert::new("cart_events", &["id", "conversation_id", "data"], ROWS);
static READ_STATES: Upsert = Upsert::new("read_states", &["conversation_id", "data"], ROWS);
static CARTS: Upsert = Upsert::new("carts", &["customer_id", "data"], ROWS);
static ORDERS: Upsert = Upsert::new("orders", &["id", "customer_id", "data"], ROWS);

/// An entity with the JSON the mirror stores for it (its `data` column), made before the write
/// transaction. Serializing is about a seventh of what writing a first sync costs the single
/// writer thread, so sync prepares each page where it fetched and decoded it, while the writer
/// is still busy with the page before ([`apply_prepared`]).
#[derive(Debug, Clone)]
pub struct Prepared {
    pub entity: Entity,
    data: String,
}

impl Prepared {
    pub fn new(entity: Entity) -> Result<Prepared> {
        let data = match &entity {
            Entity::Staff(s) => serde_json::to_string(s)?,
            Entity::Customer(c) => serde_json::to_string(c)?,
            Entity::Conversation(c) => serde_json::to_string(c)?,
            Entity::Message(m) => serde_json::to_string(m)?,
            Entity::CartEvent(e) => serde_json::to_string(e)?,
            Entity::ReadState(r) => serde_json::to_string(r)?,
            Entity::Note(n) => serde_json::to_string(n)?,
            Entity::NoteDeleted { .. } => String::new(),
            Entity::SavedReply(r) => serde_json::to_string(r)?,
            Entity::SavedReplyDeleted { .. } => String::new(),
            // Held in memory by the sync engine (crate::activity), never in the mirror.
            Entity::Activity(_) => String::new(),
            Entity::Cart(c) => serde_json::to_string(c)?,
            Entity::Order(o) => serde_json::to_string(o)?,
            Entity::OrderEvent(e) => serde_json::to_string(e)?,
        };
        Ok(Prepared { entity, data })
    }
}

/// [`apply_all`] for entities whose stored JSON is already made.
pub fn apply_prepared<'a>(
    tx: &Transaction<'_>,
    entities: impl IntoIterator<Item = &'a Prepared>,
) -> Result<()> {
    write_all(
        tx,
        entities
            .into_iter()
            .map(|p| (&p.entity, Some(p.data.as_str()))),
    )
}

/// Writes many entities' current states into the mirror: the same as [`apply`] for each in
/// turn, only much faster for many. The kinds a feed page is made of (messages, conversations,
/// customers, cart events, read states, carts, orders) are written in multi-row statements
/// ([`Upsert`]), after the rest; staff and notes one by one, in order (a note and its
/// deletion share a table).
///
/// The outcome is that of applying one by one: each kind of entity is written to its own
/// table and nothing [`apply`] does reads or changes another kind's, so only the order within
/// a kind matters, and each kind keeps its order.
pub fn apply_all<'a>(
    tx: &Transaction<'_>,
    entities: impl IntoIterator<Item = &'a Entity>,
) -> Result<()> {
    write_all(tx, entities.into_iter().map(|e| (e, None)))
}

/// The JSON of an entity's `data` column: as prepared, or made now.
fn stored_json<'a, T: serde::Serialize>(
    prepared: Option<&'a str>,
    value: &T,
) -> Result<Cow<'a, str>> {
    Ok(match prepared {
        Some(json) => Cow::Borrowed(json),
        None => Cow::Owned(serde_json::to_string(value)?),
    })
}

/// [`apply_all`], with each entity's stored JSON if it is already made.
fn write_all<'a>(
    tx: &Transaction<'_>,
    entities: impl IntoIterator<Item = (&'a Entity, Option<&'a str>)>,
) -> Result<()> {
    let mut messages = Vec::new();
    let mut customers = Vec::new();
    let mut conversations = Vec::new();
    let mut cart_events = Vec::new();
    let mut read_states = Vec::new();
    let mut carts = Vec::new();
    let mut orders = Vec::new();
    for (entity, json) in entities {
        match entity {
            Entity::Message(m) => messages.push((m, json)),
            Entity::Customer(c) => customers.push((c, json)),
            Entity::Conversation(c) => conversations.push((c, json)),
            Entity::CartEvent(e) => cart_events.push((e, json)),
            Entity::ReadState(r) => read_states.push((r, json)),
            Entity::Cart(c) => carts.push((c, json)),
            Entity::Order(o) => orders.push((o, json)),
            other @ (Entity::Staff(_)
            | Entity::Note(_)
            | Entity::NoteDeleted { .. }
            | Entity::SavedReply(_)
            | Entity::SavedReplyDeleted { .. }
            | Entity::Activity(_)
            | Entity::OrderEvent(_)) => apply(tx, other)?,
        }
    }
    CUSTOMERS.write(tx, &customers, |&(c, json), value| {
        value(&c.id)?;
        value(&c.name)?;
        value(&c.email)?;
        value(&stored_json(json, c)?.as_ref())
    })?;
    CONVERSATIONS.write(tx, &conversations, |&(c, json), value| {
        value(&c.id)?;
        value(&c.customer_id)?;
        value(&key(&c.status))?;
        value(&c.assignee_id)?;
        value(&c.last_message_at)?;
        value(&c.snoozed_until)?;
        value(&stored_json(json, c)?.as_ref())
    })?;
    CART_EVENTS.write(tx, &cart_events, |&(e, json), value| {
        value(&e.id)?;
        value(&e.conversation_id)?;
        value(&stored_json(json, e)?.as_ref())
    })?;
    READ_STATES.write(tx, &read_states, |&(r, json), value| {
        value(&r.conversation_id)?;
        value(&stored_json(json, r)?.as_ref())
    })?;
    CARTS.write(tx, &carts, |&(c, json), value| {
        value(&c.customer_id)?;
        value(&stored_json(json, c)?.as_ref())
    })?;
    ORDERS.write(tx, &orders, |&(o, json), value| {
        value(&o.id)?;
        value(&o.customer_id)?;
        value(&stored_json(json, o)?.as_ref())
    })?;
    MESSAGES.write(tx, &messages, |&(m, json), value| {
        value(&m.id)?;
        value(&m.conversation_id)?;
        value(&matches!(m.author, Author::Customer { .. }))?;
        value(&m.body.text().unwrap_or_default())?;
        value(&m.created_at)?;
        value(&stored_json(json, m)?.as_ref())
    })
}

/// Writes one entity's current state into the mirror. Each kind of entity is written to its
/// own table and reads no other ([`apply_all`] relies on it).
pub fn apply(tx: &Transaction<'_>, entity: &Entity) -> Result<()> {
    match entity {
        Entity::Staff(s) => {
            tx.prepare_cached(
                "INSERT INTO staff (id, name, email, can_chat, data) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (id) DO UPDATE SET name = ?2, email = ?3, can_chat = ?4, data = ?5",
            )?
            .execute(params![
                s.id,
                s.name,
                s.email,
                s.can_chat(),
                serde_json::to_string(s)?
            ])?;
        }
        Entity::Customer(c) => {
            tx.prepare_cached(
                "INSERT INTO customers (id, name, email, data) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (id) DO UPDATE SET name = ?2, email = ?3, data = ?4",
            )?
            .execute(params![c.id, c.name, c.email, serde_json::to_string(c)?])?;
        }
        Entity::Conversation(c) => {
            tx.prepare_cached(
                "INSERT INTO conversations (id, customer_id, status, assignee_id, last_message_at,
                   snoozed_until, data)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (id) DO UPDATE SET customer_id = ?2, status = ?3, assignee_id = ?4,
                   last_message_at = ?5, snoozed_until = ?6, data = ?7",
            )?
            .execute(params![
                c.id,
                c.customer_id,
                key(&c.status),
                c.assignee_id,
                c.last_message_at,
                c.snoozed_until,
                serde_json::to_string(c)?
            ])?;
        }
        Entity::Message(m) => {
            let text = m.body.text().unwrap_or_default();
            tx.prepare_cached(
                "INSERT INTO messages (id, conversation_id, from_customer, text, created_at, data)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (id) DO UPDATE SET conversation_id = ?2, from_customer = ?3,
                   text = ?4, created_at = ?5, data = ?6",
            )?
            .execute(params![
                m.id,
                m.conversation_id,
                matches!(m.author, Author::Customer { .. }),
                text,
                m.created_at,
                serde_json::to_string(m)?
            ])?;
        }
        Entity::CartEvent(e) => {
            tx.prepare_cached(
                "INSERT INTO cart_events (id, conversation_id, data) VALUES (?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET conversation_id = ?2, data = ?3",
            )?
            .execute(params![e.id, e.conversation_id, serde_json::to_string(e)?])?;
        }
        Entity::ReadState(r) => {
            tx.prepare_cached(
                "INSERT INTO read_states (conversation_id, data) VALUES (?1, ?2)
                 ON CONFLICT (conversation_id) DO UPDATE SET data = ?2",
            )?
            .execute(params![r.conversation_id, serde_json::to_string(r)?])?;
        }
        Entity::Note(n) => {
            tx.prepare_cached(
                "INSERT INTO notes (id, customer_id, data) VALUES (?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET customer_id = ?2, data = ?3",
            )?
            .execute(params![n.id, n.customer_id, serde_json::to_string(n)?])?;
        }
        Entity::NoteDeleted { id, .. } => {
            tx.prepare_cached("DELETE FROM notes WHERE id = ?1")?
                .execute([id])?;
        }
        Entity::SavedReply(r) => {
            tx.prepare_cached(
                "INSERT INTO saved_replies (id, data) VALUES (?1, ?2)
                 ON CONFLICT (id) DO UPDATE SET data = ?2",
            )?
            .execute(params![r.id, serde_json::to_string(r)?])?;
        }
        Entity::SavedReplyDeleted { id } => {
            tx.prepare_cached("DELETE FROM saved_replies WHERE id = ?1")?
                .execute([id])?;
        }
        // Lapses within a minute: the sync engine keeps it in memory (crate::activity).
        Entity::Activity(_) => {}
        Entity::Cart(c) => {
            tx.prepare_cached(
                "INSERT INTO carts (customer_id, data) VALUES (?1, ?2)
                 ON CONFLICT (customer_id) DO UPDATE SET data = ?2",
            )?
            .execute(params![c.customer_id, serde_json::to_string(c)?])?;
        }
        Entity::Order(o) => {
            tx.prepare_cached(
                "INSERT INTO orders (id, customer_id, data) VALUES (?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET customer_id = ?2, data = ?3",
            )?
            .execute(params![o.id, o.customer_id, serde_json::to_string(o)?])?;
        }
        Entity::OrderEvent(e) => {
            tx.prepare_cached(
                "INSERT INTO order_events (id, conversation_id, data) VALUES (?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET conversation_id = ?2, data = ?3",
            )?
            .execute(params![e.id, e.conversation_id, serde_json::to_string(e)?])?;
        }
    }
    Ok(())
}

pub fn conversation(conn: &Connection, id: i64) -> Result<Option<Conversation>> {
    Ok(conn
        .prepare_cached("SELECT data FROM conversations WHERE id = ?1")?
        .query_row([id], |r| data(r, 0))
        .optional()?)
}

pub fn customer(conn: &Connection, id: i64) -> Result<Option<Customer>> {
    Ok(conn
        .prepare_cached("SELECT data FROM customers WHERE id = ?1")?
        .query_row([id], |r| data(r, 0))
        .optional()?)
}

/// Every saved reply in the mirror, by title.
pub fn saved_replies(conn: &Connection) -> Result<Vec<SavedReply>> {
    let mut replies: Vec<SavedReply> = conn
        .prepare_cached("SELECT data FROM saved_replies")?
        .query_map([], |r| data(r, 0))?
        .collect::<rusqlite::Result<_>>()?;
    replies.sort_by_key(|a| (a.title.to_lowercase(), a.id));
    Ok(replies)
}

pub fn saved_reply(conn: &Connection, id: i64) -> Result<Option<SavedReply>> {
    Ok(conn
        .prepare_cached("SELECT data FROM saved_replies WHERE id = ?1")?
        .query_row([id], |r| data(r, 0))
        .optional()?)
}

/// The shop's name as `/me` last told it; empty before the first sync.
pub fn shop_name(conn: &Connection) -> Result<String> {
    Ok(
        conn.query_row("SELECT shop_name FROM sync_state WHERE id = 1", [], |r| {
            r.get(0)
        })?,
    )
}

/// The shop's IANA time zone as `/me` last told it; empty before the first sync.
pub fn shop_time_zone(conn: &Connection) -> Result<String> {
    Ok(conn.query_row(
        "SELECT shop_time_zone FROM sync_state WHERE id = 1",
        [],
        |r| r.get(0),
    )?)
}

/// Keeps what the shop says of itself: its name (`{shop.name}` in saved replies) and time
/// zone (snooze times).
pub fn set_shop(tx: &Transaction<'_>, shop: &ShopInfo) -> Result<()> {
    tx.execute(
        "UPDATE sync_state SET shop_name = ?1, shop_time_zone = ?2 WHERE id = 1",
        params![shop.name, shop.time_zone],
    )?;
    Ok(())
}

pub fn staff(conn: &Connection) -> Result<Vec<Staff>> {
    let rows = conn
        .prepare_cached("SELECT data FROM staff ORDER BY name")?
        .query_map([], |r| data(r, 0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

pub fn staff_member(conn: &Connection, id: i64) -> Result<Option<Staff>> {
    Ok(conn
        .prepare_cached("SELECT data FROM staff WHERE id = ?1")?
        .query_row([id], |r| data(r, 0))
        .optional()?)
}

pub fn read_state(conn: &Connection, conversation_id: i64) -> Result<Option<ReadState>> {
    Ok(conn
        .prepare_cached("SELECT data FROM read_states WHERE conversation_id = ?1")?
        .query_row([conversation_id], |r| data(r, 0))
        .optional()?)
}

pub fn cart(conn: &Connection, customer_id: i64) -> Result<Option<Cart>> {
    Ok(conn
        .prepare_cached("SELECT data FROM carts WHERE customer_id = ?1")?
        .query_row([customer_id], |r| data(r, 0))
        .optional()?)
}

/// Whether a conversation has customer messages this staff member has not read.
pub fn is_unread(read: Option<&ReadState>, last_customer_message: Option<i64>) -> bool {
    match read {
        Some(r) if r.marked_unread => true,
        Some(r) => {
            last_customer_message.is_some_and(|m| r.last_read_message_id.is_none_or(|l| m > l))
        }
        None => last_customer_message.is_some(),
    }
}

/// The conversation list, newest activity first.
pub fn list(conn: &Connection, filter: &ListFilter, me: i64) -> Result<Vec<ConversationSummary>> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.data, coalesce(cu.name, ''), coalesce(cu.email, ''),
                (SELECT json_extract(m.data, '$.body') FROM messages m
                  WHERE m.conversation_id = c.id
                  ORDER BY m.created_at DESC, m.id DESC LIMIT 1),
                (SELECT max(m.id) FROM messages m WHERE m.conversation_id = c.id AND m.from_customer = 1),
                r.data,
                coalesce(json_extract(cu.data, '$.email_verified'), 1)
           FROM conversations c
           LEFT JOIN customers cu ON cu.id = c.customer_id
           LEFT JOIN read_states r ON r.conversation_id = c.id
          WHERE c.status = CASE ?1 WHEN 'closed' THEN 'closed' ELSE 'open' END
            AND (?1 = 'closed' OR (?1 = 'snoozed') = (c.snoozed_until IS NOT NULL))
            AND (?2 = 'all' OR (?2 = 'mine' AND c.assignee_id = ?3)
                 OR (?2 = 'unassigned' AND c.assignee_id IS NULL))
          ORDER BY c.last_message_at DESC, c.id DESC
          LIMIT ?4 OFFSET ?5",
    )?;
    let rows = stmt
        .query_map(
            params![
                key(&filter.status),
                key(&filter.assignment),
                me,
                filter.limit,
                filter.offset
            ],
            |r| {
                let conversation: Conversation = data(r, 0)?;
                let read: Option<String> = r.get(5)?;
                let read: Option<ReadState> = read.and_then(|t| serde_json::from_str(&t).ok());
                let last_customer: Option<i64> = r.get(4)?;
                Ok(ConversationSummary {
                    id: conversation.id,
                    customer_id: conversation.customer_id,
                    customer_name: r.get(1)?,
                    customer_email: r.get(2)?,
                    customer_email_verified: r.get(6)?,
                    platform: conversation.platform,
                    status: conversation.status,
                    snoozed_until: conversation.snoozed_until,
                    assignee_id: conversation.assignee_id,
                    customer_online: conversation.customer_online,
                    last_message_at: conversation.last_message_at,
                    last_message: r
                        .get::<_, Option<String>>(3)?
                        .and_then(|body| serde_json::from_str(&body).ok()),
                    unread: is_unread(read.as_ref(), last_customer),
                    topics: conversation
                        .topics
                        .iter()
                        .take(LIST_LABELS)
                        .map(|t| t.topic)
                        .collect(),
                })
            },
        )?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Open conversations that are this staff member's or nobody's, not snoozed, and have something
/// unread (as [`is_unread`] says): the tray's count.
pub fn unread_count(conn: &Connection, me: i64) -> Result<u32> {
    Ok(conn
        .prepare_cached(
            "SELECT count(*)
               FROM conversations c
               LEFT JOIN read_states r ON r.conversation_id = c.id
              WHERE c.status = 'open' AND c.snoozed_until IS NULL
                AND (c.assignee_id IS NULL OR c.assignee_id = ?1)
                AND (coalesce(json_extract(r.data, '$.marked_unread'), 0) = 1
                     OR EXISTS (SELECT 1 FROM messages m
                                 WHERE m.conversation_id = c.id AND m.from_customer = 1
                                   AND m.id > coalesce(json_extract(r.data, '$.last_read_message_id'), -1)))",
        )?
        .query_row([me], |r| r.get(0))?)
}

/// Outbox state of local messages, by their (negative) message id.
fn local_delivery(conn: &Connection, message_id: i64) -> Result<(SendState, Option<i64>)> {
    let outbox_id = -message_id;
    let row: Option<(String, Option<String>, Option<String>)> = conn
        .prepare_cached("SELECT state, error_code, error_detail FROM outbox WHERE id = ?1")?
        .query_row([outbox_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    Ok(match row {
        Some((state, code, detail)) if state == "failed" => (
            SendState::Failed {
                code: code.unwrap_or_default(),
                detail: detail.unwrap_or_default(),
            },
            Some(outbox_id),
        ),
        Some(_) => (SendState::Pending, Some(outbox_id)),
        None => (SendState::Pending, None),
    })
}

pub fn conversation_view(conn: &Connection, id: i64) -> Result<ConversationView> {
    let conversation =
        conversation(conn, id)?.ok_or_else(|| Error::NotFound(format!("conversation {id}")))?;
    let mut timeline = Vec::new();
    let messages: Vec<Message> = conn
        .prepare_cached(
            "SELECT data FROM messages WHERE conversation_id = ?1 ORDER BY created_at, id",
        )?
        .query_map([id], |r| data(r, 0))?
        .collect::<rusqlite::Result<_>>()?;
    for message in messages {
        let (send_state, outbox_id) = if message.id < 0 {
            local_delivery(conn, message.id)?
        } else {
            (SendState::Sent, None)
        };
        timeline.push(TimelineItem::Message(MessageView {
            message,
            send_state,
            outbox_id,
        }));
    }
    let events: Vec<CartEvent> = conn
        .prepare_cached("SELECT data FROM cart_events WHERE conversation_id = ?1 ORDER BY id")?
        .query_map([id], |r| data(r, 0))?
        .collect::<rusqlite::Result<_>>()?;
    timeline.extend(events.into_iter().map(TimelineItem::CartEvent));
    let orders: Vec<OrderEvent> = conn
        .prepare_cached("SELECT data FROM order_events WHERE conversation_id = ?1 ORDER BY id")?
        .query_map([id], |r| data(r, 0))?
        .collect::<rusqlite::Result<_>>()?;
    timeline.extend(orders.into_iter().map(TimelineItem::OrderEvent));
    timeline.sort_by_key(|item| item.at());
    let customer = customer(conn, conversation.customer_id)?;
    let assignee = match conversation.assignee_id {
        Some(staff_id) => staff_member(conn, staff_id)?,
        None => None,
    };
    let draft = conn
        .prepare_cached("SELECT text FROM drafts WHERE conversation_id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    Ok(ConversationView {
        read_state: read_state(conn, id)?,
        cart: cart(conn, conversation.customer_id)?.filter(|c| !c.lines.is_empty()),
        customer,
        assignee,
        conversation,
        timeline,
        draft,
    })
}

pub fn profile(conn: &Connection, customer_id: i64, now: Millis) -> Result<ProfileView> {
    let customer = customer(conn, customer_id)?
        .ok_or_else(|| Error::NotFound(format!("customer {customer_id}")))?;
    let mut notes: Vec<Note> = conn
        .prepare_cached("SELECT data FROM notes WHERE customer_id = ?1")?
        .query_map([customer_id], |r| data(r, 0))?
        .collect::<rusqlite::Result<_>>()?;
    notes.sort_by_key(|n| std::cmp::Reverse((n.created_at, n.id)));
    let mut orders: Vec<Order> = conn
        .prepare_cached("SELECT data FROM orders WHERE customer_id = ?1")?
        .query_map([customer_id], |r| data(r, 0))?
        .collect::<rusqlite::Result<_>>()?;
    orders.sort_by_key(|o| std::cmp::Reverse((o.created_at, o.id)));
    Ok(ProfileView {
        last_order: last_order_within_window(&orders, now).cloned(),
        cart: cart(conn, customer_id)?,
        customer,
        notes,
        orders,
    })
}

pub fn draft(conn: &Connection, conversation_id: i64) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT text FROM drafts WHERE conversation_id = ?1")?
        .query_row([conversation_id], |r| r.get(0))
        .optional()?)
}

pub fn save_draft(
    tx: &Transaction<'_>,
    conversation_id: i64,
    text: &str,
    now: Millis,
) -> Result<()> {
    if text.trim().is_empty() {
        tx.execute(
            "DELETE FROM drafts WHERE conversation_id = ?1",
            [conversation_id],
        )?;
    } else {
        // A draft belongs to the history it was typed in (see [`reset`]).
        tx.execute(
            "INSERT INTO drafts (conversation_id, text, updated_at, history_id)
             VALUES (?1, ?2, ?3, (SELECT history_id FROM sync_state WHERE id = 1))
             ON CONFLICT (conversation_id) DO UPDATE
                SET text = ?2, updated_at = ?3, history_id = excluded.history_id",
            params![conversation_id, text, now],
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(last: Option<i64>, unread: bool) -> ReadState {
        ReadState {
            conversation_id: 1,
            staff_id: 1,
            last_read_message_id: last,
            marked_unread: unread,
            updated_at: 0,
        }
    }

    #[test]
    fn unread_means_a_customer_message_after_the_last_read_one_or_marked() {
        assert!(!is_unread(None, None));
        assert!(is_unread(None, Some(5)));
        assert!(!is_unread(Some(&read(Some(5), false)), Some(5)));
        assert!(is_unread(Some(&read(Some(4), false)), Some(5)));
        assert!(is_unread(Some(&read(Some(9), true)), Some(5)));
        assert!(is_unread(Some(&read(None, false)), Some(1)));
    }

    fn message(id: i64, conversation_id: i64, text: &str) -> Entity {
        Entity::Message(Message {
            id,
            conversation_id,
            author: if id % 2 == 0 {
                Author::Customer { customer_id: 7 }
            } else {
                Author::Staff { staff_id: 1 }
            },
            body: MessageBody::Text { text: text.into() },
            delivery: None,
            created_at: 1_000 + id,
        })
    }

    fn conversation(id: i64) -> Entity {
        Entity::Conversation(Conversation {
            id,
            customer_id: 7,
            platform: Platform::OnlineStore,
            status: ConversationStatus::Open,
            assignee_id: None,
            contact_email: "saga@example.se".into(),
            customer_online: false,
            created_at: 1,
            updated_at: 2,
            last_message_at: 2,
            topics: Vec::new(),
            snoozed_until: None,
            woke_at: None,
        })
    }

    /// Every message row and the ids each word finds through the full-text index.
    fn contents(conn: &Connection) -> (Vec<Vec<String>>, Vec<Vec<i64>>) {
        let rows = conn
            .prepare(
                "SELECT id, conversation_id, from_customer, text, created_at, data
                   FROM messages ORDER BY id",
            )
            .unwrap()
            .query_map([], |r| {
                (0..6)
                    .map(|i| Ok(format!("{:?}", r.get_ref(i)?)))
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let found = ["order", "leverans", "ändrad", "väska", "m700"]
            .iter()
            .map(|word| {
                conn.prepare(
                    "SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?1 ORDER BY rowid",
                )
                .unwrap()
                .query_map([word], |r| r.get(0))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap()
            })
            .collect();
        (rows, found)
    }

    #[test]
    fn applying_many_at_once_is_applying_one_by_one() {
        // Runs longer than one statement takes, conversations in between, a message delivered
        // twice with new text (the index must forget the old words), one moved to another
        // conversation.
        let mut entities = vec![conversation(1)];
        entities.extend((1..=1300).map(|id| {
            let words = ["order", "leverans", "väska"][id as usize % 3];
            message(id, 1 + id % 5, &format!("m{id} {words}"))
        }));
        entities.push(conversation(2));
        entities.push(message(700, 2, "ändrad order"));
        entities.extend((1301..=1310).map(|id| message(id, 2, &format!("m{id} leverans"))));
        // As in a catch-up: each message followed by the conversation it touched.
        for id in 1311..=1330 {
            entities.push(message(id, 3 + id % 2, &format!("m{id} order")));
            entities.push(conversation(3 + id % 2));
        }
        entities.push(message(5, 3, "m5 väska"));
        entities.push(message(701, 2, "ändrad"));
        entities.push(message(701, 2, "m701 leverans"));

        let one_by_one = {
            let mut conn = Connection::open_in_memory().unwrap();
            migrate(&mut conn).unwrap();
            let tx = conn.transaction().unwrap();
            for entity in &entities {
                apply(&tx, entity).unwrap();
            }
            tx.commit().unwrap();
            conn
        };
        let all_at_once = {
            let mut conn = Connection::open_in_memory().unwrap();
            migrate(&mut conn).unwrap();
            let tx = conn.transaction().unwrap();
            apply_all(&tx, &entities).unwrap();
            tx.commit().unwrap();
            conn
        };
        let expected = contents(&one_by_one);
        assert_eq!(expected.0.len(), 1330);
        assert!(!expected.1[4].contains(&700), "m700 was replaced");
        assert_eq!(contents(&all_at_once), expected);
        for conn in [&one_by_one, &all_at_once] {
            conn.execute(
                "INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)",
                [],
            )
            .unwrap();
        }
        let conversations = |conn: &Connection| -> i64 {
            conn.query_row("SELECT count(*) FROM conversations", [], |r| r.get(0))
                .unwrap()
        };
        assert_eq!(conversations(&all_at_once), 4);
    }

    /// Every row of every ordinary table (the full-text tables' own storage left out), by
    /// table.
    fn tables(conn: &Connection) -> Vec<(String, Vec<String>)> {
        let names: Vec<String> = conn
            .prepare(
                "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE '%fts%'
                  ORDER BY name",
            )
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        names
            .into_iter()
            .map(|name| {
                let mut stmt = conn
                    .prepare(&format!("SELECT * FROM {name} ORDER BY 1"))
                    .unwrap();
                let width = stmt.column_count();
                let rows = stmt
                    .query_map([], |r| {
                        (0..width)
                            .map(|i| Ok(format!("{:?}", r.get_ref(i)?)))
                            .collect::<rusqlite::Result<Vec<_>>>()
                            .map(|row| row.join(" | "))
                    })
                    .unwrap()
                    .collect::<rusqlite::Result<_>>()
                    .unwrap();
                (name, rows)
            })
            .collect()
    }

    #[test]
    fn every_kind_applied_at_once_is_applied_one_by_one() {
        let customer = |id: i64, name: &str| {
            Entity::Customer(Customer {
                id,
                name: name.into(),
                email: format!("kund{id}@example.se"),
                email_verified: true,
                phone: None,
                city: None,
                country: None,
                time_zone: None,
                kind: CustomerKind::New,
                customer_since: 1,
                total_spent: Money {
                    minor: id,
                    currency: "SEK".into(),
                },
                email_marketing: false,
                sms_marketing: false,
                admin_url: String::new(),
            })
        };
        let closed = |id: i64| {
            let Entity::Conversation(mut c) = conversation(id) else {
                unreachable!()
            };
            c.status = ConversationStatus::Closed;
            c.assignee_id = Some(id % 3);
            Entity::Conversation(c)
        };
        let read = |conversation_id: i64, last: i64| {
            Entity::ReadState(ReadState {
                conversation_id,
                staff_id: 1,
                last_read_message_id: Some(last),
                marked_unread: false,
                updated_at: last,
            })
        };
        let note = |id: i64, body: &str| {
            Entity::Note(Note {
                id,
                customer_id: 7,
                author_id: 1,
                body: body.into(),
                created_at: id,
                updated_at: id,
            })
        };
        let order = |id: i64, status: OrderStatus| {
            Entity::Order(Order {
                id,
                customer_id: id % 9,
                name: format!("#{id}"),
                created_at: id,
                total: Money {
                    minor: 100,
                    currency: "SEK".into(),
                },
                status,
                admin_url: String::new(),
            })
        };
        let cart = |customer_id: i64, at: i64| {
            Entity::Cart(Cart {
                customer_id,
                lines: Vec::new(),
                subtotal: Money {
                    minor: at,
                    currency: "SEK".into(),
                },
                discount_code: None,
                updated_at: at,
            })
        };
        let cart_event = |id: i64, conversation_id: i64| {
            Entity::CartEvent(CartEvent {
                id,
                conversation_id,
                action: CartAction::Added,
                product_id: 3,
                product_name: Some("Ullfilt".into()),
                quantity: 1,
                created_at: id,
            })
        };
        // More of each kind than one statement takes, each kind's entities interleaved with
        // the others', and updates to rows written earlier in the same batch.
        let mut entities = Vec::new();
        for i in 1..=150i64 {
            entities.push(customer(i, &format!("Åsa Öberg {i}")));
            entities.push(conversation(i));
            entities.push(message(i, i, &format!("m{i} order")));
            entities.push(read(i, i));
            entities.push(cart_event(i, i));
            entities.push(order(i, OrderStatus::Open));
            entities.push(cart(i % 20, i));
            if i % 10 == 0 {
                entities.push(note(i, "ring tillbaka"));
            }
            if i % 20 == 0 {
                entities.push(Entity::NoteDeleted {
                    id: i - 10,
                    customer_id: 7,
                });
            }
        }
        for i in (1..=150i64).step_by(7) {
            entities.push(customer(i, &format!("Göran Sjöberg {i}")));
            entities.push(closed(i));
            entities.push(read(i, i + 1_000));
            entities.push(order(i, OrderStatus::Refunded));
            entities.push(cart_event(i, i + 1));
            entities.push(note(i * 1_000, "nytt"));
            entities.push(note(i * 1_000, "ändrat"));
        }
        entities.push(Entity::NoteDeleted {
            id: 150,
            customer_id: 7,
        });
        entities.push(note(150, "tillbaka igen"));
        entities.push(Entity::Staff(Staff {
            id: 1,
            name: "Saga".into(),
            email: "saga@example.se".into(),
            permissions: vec![Permission::OnlineStoreChat],
        }));

        let fresh = || {
            let mut conn = Connection::open_in_memory().unwrap();
            migrate(&mut conn).unwrap();
            conn
        };
        let mut one_by_one = fresh();
        let tx = one_by_one.transaction().unwrap();
        for entity in &entities {
            apply(&tx, entity).unwrap();
        }
        tx.commit().unwrap();
        let mut all_at_once = fresh();
        let tx = all_at_once.transaction().unwrap();
        apply_all(&tx, &entities).unwrap();
        tx.commit().unwrap();
        let mut prepared = fresh();
        let tx = prepared.transaction().unwrap();
        let ready: Vec<Prepared> = entities
            .iter()
            .map(|e| Prepared::new(e.clone()).unwrap())
            .collect();
        apply_prepared(&tx, &ready).unwrap();
        tx.commit().unwrap();

        let expected = tables(&one_by_one);
        let count = |table: &str| expected.iter().find(|(t, _)| t == table).unwrap().1.len();
        assert_eq!(count("customers"), 150);
        assert_eq!(count("notes"), 15 + 22 - 7);
        assert_eq!(count("carts"), 20);
        assert_eq!(tables(&all_at_once), expected);
        assert_eq!(tables(&prepared), expected);
        let names = |conn: &Connection, word: &str| -> Vec<i64> {
            conn.prepare(
                "SELECT rowid FROM customers_fts WHERE customers_fts MATCH ?1 ORDER BY rowid",
            )
            .unwrap()
            .query_map([word], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
        };
        for word in ["åsa", "göran", "sjöberg", "kund8"] {
            assert_eq!(
                names(&all_at_once, word),
                names(&one_by_one, word),
                "{word}"
            );
        }
        assert_eq!(names(&all_at_once, "göran").len(), 22);
        all_at_once
            .execute(
                "INSERT INTO customers_fts (customers_fts, rank) VALUES ('integrity-check', 1)",
                [],
            )
            .unwrap();
    }

    #[test]
    fn a_list_row_carries_its_newest_message_even_without_text() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        let tx = conn.transaction().unwrap();
        let discount = Entity::Message(Message {
            id: 3,
            conversation_id: 1,
            author: Author::Staff { staff_id: 1 },
            body: MessageBody::Discount {
                discount: DiscountCard {
                    discount_id: 4,
                    code: "VÅR10".into(),
                    summary: "10 % off".into(),
                },
            },
            delivery: None,
            created_at: 1_003,
        });
        apply_all(
            &tx,
            &[
                conversation(1),
                message(2, 1, "Har ni rabatter?"),
                discount.clone(),
            ],
        )
        .unwrap();
        tx.commit().unwrap();
        let rows = list(&conn, &ListFilter::default(), 1).unwrap();
        let Entity::Message(sent) = discount else {
            unreachable!()
        };
        assert_eq!(rows[0].last_message, Some(sent.body), "not the older text");
        assert!(rows[0].unread, "the customer's message is unread");
    }

    #[test]
    fn a_newer_database_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.db");
        drop(Store::open(&path).unwrap());
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        drop(conn);
        let err = Store::open(&path).unwrap_err();
        assert!(
            matches!(err, Error::DatabaseTooNew { found: 99, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("update the app"));
    }
}
