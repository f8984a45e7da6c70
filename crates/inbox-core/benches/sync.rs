//! Benchmark: a first sync of a big shop, and catching up after being offline.
//!
//! Seeds a shop server's database with one staff member and `MESSAGES` (default 1,000,000)
//! messages in 100,000 conversations of about 10,000 customers (the same shop and chat text as
//! the search benchmark), written straight into the server's SQLite through its own `Db` and
//! change log. Starts the real server in-process over TLS on loopback, signs in, and times
//! `Inbox::sync_once()` into a fresh mirror: messages per second.
//!
//! The baseline, in the same run: the same message rows, read back from the mirror, bulk
//! inserted in one transaction into a fresh file with the mirror's schema, once without the
//! full-text index and once with it (built by one FTS5 `rebuild` after the inserts, the
//! cheapest way to get the same index). Then the walk is replayed stage by stage (fetching,
//! decoding, applying with and without the index) to show where the time goes.
//!
//! Then catch-up: with the mirror synced and nothing running on its side, `NEW_MESSAGES`
//! (default 10,000) customer messages reach the shop through the server's own
//! `mutations::customer_message`, one transaction each, spread over the 10,000 most recent
//! conversations, and `Inbox::sync_once()` is timed again; the catch-up is then replayed stage
//! by stage on a copy of the mirror as it was before.
//!
//! `cargo bench -p inbox-core --bench sync` (quicker: `MESSAGES=100000 cargo bench ...`;
//! `KEEP_DIR=/an/empty/dir` keeps the shop, the mirror and the replay files). Progress goes to
//! stderr; the figures are one JSON line on stdout.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};
use common::ShopPlan;
use inbox_core::{Account, ApiClient, Inbox, ShopAddress, SyncState, store};
use inbox_protocol::{Delivery, MessageBody, Platform};
use rusqlite::{Connection, params};
use serde_json::json;
use shop_server::storage::Db;
use shop_server::storage::{changes, mutations};
use shop_server::{Config, auth};

const STAFF_EMAIL: &str = "bench@nordlys.example";
const STAFF_PASSWORD: &str = "sync benchmark password";

struct Seeded {
    changes: i64,
    seconds: f64,
}

/// Writes the planned shop into the server's database in one transaction, then its change log.
fn seed(path: &Path, shop: &ShopPlan) -> Result<Seeded> {
    let started = Instant::now();
    let db = Db::open(path)?;
    let password_hash = auth::hash_password(STAFF_PASSWORD);
    // The bulk rows go in over a plain connection (fast, and not the product's write path);
    // the change log is then rebuilt by the server's own storage.
    drop(db);
    let mut raw = Connection::open(path)?;
    let tx = raw.transaction()?;
    (|| -> Result<()> {
        let tx = &tx;
        // Keeps the bulk insert off the disk; it only lives on this connection.
        tx.pragma_update(None, "cache_size", -262_144)?;
        let origin = shop.customers.iter().map(|c| c.since).min().unwrap_or(0);
        tx.execute(
            "INSERT INTO staff (id, email, name, password_hash, chat_permission, created_at)
             VALUES (1, ?1, 'Bench Staff', ?2, 1, ?3)",
            params![STAFF_EMAIL, password_hash, origin],
        )?;
        let mut insert = tx.prepare(
            "INSERT INTO customers (id, name, email, city, country, time_zone, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 'Europe/Stockholm', ?6)",
        )?;
        for c in &shop.customers {
            insert.execute(params![c.id, c.name, c.email, c.city, c.country, c.since])?;
        }
        drop(insert);

        let mut insert = tx.prepare(
            "INSERT INTO conversations (id, customer_id, platform, status, assignee_id,
                                        contact_email, created_at, updated_at, last_message_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
        )?;
        for c in &shop.conversations {
            let customer = &shop.customers[c.customer];
            insert.execute(params![
                c.id,
                customer.id,
                common::PLATFORMS[c.platform],
                if c.open { "open" } else { "closed" },
                c.assigned.then_some(1i64),
                customer.email,
                c.created_at,
                c.last_message_at
            ])?;
        }
        drop(insert);

        let deliveries: Vec<String> = common::PLATFORMS
            .iter()
            .map(|key| {
                let platform = Platform::from_key(key).expect("a platform");
                serde_json::to_string(&Delivery::Platform { platform })
            })
            .collect::<Result<_, _>>()?;
        let mut insert = tx.prepare(
            "INSERT INTO messages (id, conversation_id, author_staff_id, body, delivery, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for m in &shop.messages {
            let c = &shop.conversations[m.conversation];
            let body = serde_json::to_string(&MessageBody::Text {
                text: m.text.clone(),
            })?;
            insert.execute(params![
                m.id,
                c.id,
                (!m.from_customer).then_some(1i64),
                body,
                (!m.from_customer).then(|| deliveries[c.platform].as_str()),
                m.created_at
            ])?;
            if m.id % 250_000 == 0 {
                eprintln!("  seeded {} messages", m.id);
            }
        }
        drop(insert);
        Ok(())
    })()?;
    tx.commit()?;
    drop(raw);
    let db = Db::open(path)?;
    let changes = db.write_blocking(|tx| {
        changes::rebuild(tx)?;
        changes::newest(tx)
    })?;
    Ok(Seeded {
        changes,
        seconds: started.elapsed().as_secs_f64(),
    })
}

type MessageRow = (i64, i64, bool, String, i64, String);

/// The message rows exactly as the mirror stored them.
fn mirror_rows(path: &Path) -> Result<Vec<MessageRow>> {
    let conn = Connection::open(path)?;
    let mut stmt = conn.prepare(
        "SELECT id, conversation_id, from_customer, text, created_at, data FROM messages ORDER BY id",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// The baseline: the same rows in one transaction, a prepared insert each, into a fresh file
/// with the mirror's schema and settings. Without the full-text index (its insert trigger
/// dropped), or with it built the cheapest way SQLite knows: the same inserts, then one FTS5
/// `rebuild` over all of them, in the same transaction.
fn bulk_insert(path: &Path, rows: &[MessageRow], fts: bool) -> Result<f64> {
    let mut conn = Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    store::migrate(&mut conn)?;
    conn.execute_batch("DROP TRIGGER messages_fts_insert;")?;
    let started = Instant::now();
    let tx = conn.transaction()?;
    {
        let mut insert = tx.prepare(
            "INSERT INTO messages (id, conversation_id, from_customer, text, created_at, data)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for (id, conversation, from_customer, text, at, data) in rows {
            insert.execute(params![id, conversation, from_customer, text, at, data])?;
        }
    }
    if fts {
        tx.execute(
            "INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')",
            [],
        )?;
    }
    tx.commit()?;
    Ok(started.elapsed().as_secs_f64())
}

/// Where a first sync's time goes, replayed stage by stage after the timed run.
#[derive(Default)]
struct Breakdown {
    /// Requesting every page and receiving its body: the server's work plus HTTPS on loopback.
    fetch: f64,
    /// Decoding the bodies into `SyncPage`s and preparing their entities for the mirror
    /// (`store::Prepared`: the JSON it stores), which sync does off the writer thread.
    decode: f64,
    /// `store::apply_prepared` for every page plus its cursor, one transaction a page, into a
    /// fresh mirror, and the same into a mirror without the message full-text triggers.
    apply: f64,
    apply_without_fts: f64,
    pages: usize,
    megabytes: f64,
}

async fn fetch_pages(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    after: &str,
    page: u32,
) -> Result<(Vec<impl AsRef<[u8]> + use<>>, f64)> {
    let mut bodies = Vec::new();
    let mut cursor = after.to_owned();
    let started = Instant::now();
    loop {
        let body = client
            .get(format!(
                "{url}/api/v1/sync?after={}&limit={page}&count={}",
                inbox_core::api::encode(&cursor),
                bodies.is_empty()
            ))
            .bearer_auth(token)
            .send()
            .await?
            .error_for_status()?
            .bytes()
            .await?;
        // Only the paging fields; decoding is timed on its own below.
        #[derive(serde::Deserialize)]
        struct Paging {
            next_cursor: String,
            has_more: bool,
        }
        let paging: Paging = serde_json::from_slice(&body)?;
        bodies.push(body);
        if !paging.has_more {
            return Ok((bodies, started.elapsed().as_secs_f64()));
        }
        cursor = paging.next_cursor;
    }
}

/// A page as sync applies it: its entities prepared for the mirror, and where it leads.
struct Page {
    changes: Vec<store::Prepared>,
    next_cursor: String,
    has_more: bool,
}

/// Applies pages to the mirror at `path` (a fresh file, or a copy of the synced mirror).
fn apply_pages(path: &Path, pages: &[Page], fts: bool) -> Result<f64> {
    let mut conn = Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.set_prepared_statement_cache_capacity(64);
    store::migrate(&mut conn)?;
    if !fts {
        conn.execute_batch(
            "DROP TRIGGER messages_fts_insert; DROP TRIGGER messages_fts_update;
             DROP TRIGGER messages_fts_delete;",
        )?;
    }
    let started = Instant::now();
    for page in pages {
        let tx = rusqlite::Transaction::new(&mut conn, rusqlite::TransactionBehavior::Immediate)?;
        store::apply_prepared(&tx, &page.changes)?;
        store::set_cursor(&tx, &page.next_cursor, 0, !page.has_more)?;
        tx.commit()?;
    }
    Ok(started.elapsed().as_secs_f64())
}

/// Replays a walk of the feed from `after` stage by stage, applying it to the mirror files
/// `with_fts` and `without_fts` (fresh, or copies of the mirror where the walk started).
async fn breakdown(
    address: &ShopAddress,
    token: &str,
    after: &str,
    with_fts: PathBuf,
    without_fts: PathBuf,
) -> Result<Breakdown> {
    let pem = address.ca_pem.clone().context("a CA")?;
    let client = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(&pem)?])
        .build()?;
    let page = inbox_core::sync::PAGE;
    let (bodies, fetch) = fetch_pages(&client, &address.url, token, after, page).await?;
    let started = Instant::now();
    let pages = bodies
        .iter()
        .map(|b| {
            let page: inbox_protocol::SyncPage = serde_json::from_slice(b.as_ref())?;
            Ok(Page {
                changes: page
                    .changes
                    .into_iter()
                    .map(|c| store::Prepared::new(c.entity))
                    .collect::<Result<_, _>>()?,
                next_cursor: page.next_cursor,
                has_more: page.has_more,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let decode = started.elapsed().as_secs_f64();
    let megabytes = bodies.iter().map(|b| b.as_ref().len()).sum::<usize>() as f64 / 1e6;
    drop(bodies);
    let count = pages.len();
    let (apply, apply_without_fts) = tokio::task::spawn_blocking(move || -> Result<(f64, f64)> {
        let with = apply_pages(&with_fts, &pages, true)?;
        let without = apply_pages(&without_fts, &pages, false)?;
        Ok((with, without))
    })
    .await??;
    Ok(Breakdown {
        fetch,
        decode,
        apply,
        apply_without_fts,
        pages: count,
        megabytes,
    })
}

async fn count_messages(inbox: &Inbox) -> Result<i64> {
    Ok(inbox
        .store()
        .read(|c| Ok(c.query_row("SELECT count(*) FROM messages", [], |r| r.get(0))?))
        .await?)
}

/// Prints the sync's progress every few seconds until dropped.
fn progress(inbox: Arc<Inbox>, started: Instant) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(10)).await;
            if let SyncState::Syncing { done, total } = inbox.sync_state() {
                eprintln!(
                    "  {done} of {} changes, {:.0} s",
                    total.unwrap_or_default(),
                    started.elapsed().as_secs_f64()
                );
            }
        }
    })
}

/// CPU seconds this process has used so far (the client, the server and their TLS together),
/// where the system tells: with other work on the machine, the CPU a sync takes moves much
/// less between runs than the time it takes.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.get(stat.rfind(')')? + 2..)?.split(' ').collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    // Linux reports these in clock ticks of 1/100 s.
    Some(ticks / 100.0)
}

fn per_second(count: f64, seconds: f64) -> f64 {
    count / seconds
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> Result<()> {
    let messages = common::env_count("MESSAGES", 1_000_000)?;
    let new_messages = common::env_count("NEW_MESSAGES", 10_000)?;
    // `KEEP_DIR` keeps the shop, the mirror and the replay files there, to look at later.
    let temp = tempfile::tempdir()?;
    let dir = match std::env::var_os("KEEP_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => temp.path().to_owned(),
    };
    let shop_dir = dir.join("shop");
    std::fs::create_dir_all(&shop_dir)?;
    eprintln!(
        "sync benchmark ({} build): seeding {messages} messages into {}",
        common::profile(),
        shop_dir.display()
    );
    let shop = Arc::new(common::plan(messages, common::now_ms()));
    let seeded = {
        let (path, shop) = (shop_dir.join("shop.db"), shop.clone());
        tokio::task::spawn_blocking(move || seed(&path, &shop)).await??
    };
    eprintln!(
        "  {} customers, {} conversations, {messages} messages, {} changes in {:.1} s",
        shop.customers.len(),
        shop.conversations.len(),
        seeded.changes,
        seeded.seconds
    );

    let mut config = Config::new(&shop_dir);
    config.limits = shop_server::limits::LimitsConfig::many_customers_from_one_address();
    let running = shop_server::start(config).await?;
    let ca = running
        .announcement
        .ca
        .clone()
        .context("the server made a local CA")?;
    let address = ShopAddress {
        url: running.url().to_owned(),
        ca_pem: Some(std::fs::read(&ca)?),
    };
    let session = ApiClient::new(&address)?
        .sign_in(STAFF_EMAIL, STAFF_PASSWORD)
        .await?;
    let account = Account {
        shop_url: running.url().to_owned(),
        ca_path: Some(ca),
        staff: session.staff,
    };
    let data_dir = dir.join("client");
    let token = session.token.clone();
    let inbox = Arc::new(Inbox::open(&data_dir, account, Some(session.token))?);
    let mirror_path = inbox.store().path().to_owned();

    eprintln!("first sync: Inbox::sync_once() into a fresh mirror");
    let started = Instant::now();
    let cpu_before = cpu_seconds();
    let ticker = progress(inbox.clone(), started);
    let synced = inbox.sync_once().await;
    ticker.abort();
    synced?;
    let sync_seconds = started.elapsed().as_secs_f64();
    let sync_cpu = cpu_seconds()
        .zip(cpu_before)
        .map(|(after, before)| after - before);
    let mirrored = count_messages(&inbox).await?;
    ensure!(
        mirrored as usize == messages,
        "the mirror holds {mirrored} messages, not {messages}"
    );
    let sync_rate = per_second(messages as f64, sync_seconds);
    eprintln!(
        "  {messages} messages ({} changes) in {sync_seconds:.2} s: {sync_rate:.0} messages/s; \
         {:.1} s of CPU (client and server)",
        seeded.changes,
        sync_cpu.unwrap_or(f64::NAN)
    );

    eprintln!("baseline: the same message rows bulk inserted in one transaction");
    let rows = {
        let path = mirror_path.clone();
        tokio::task::spawn_blocking(move || mirror_rows(&path)).await??
    };
    let baseline_dir = dir.join("baseline");
    std::fs::create_dir_all(&baseline_dir)?;
    let rows = Arc::new(rows);
    let (plain_seconds, fts_seconds) = {
        let (rows, dir) = (rows.clone(), baseline_dir.clone());
        tokio::task::spawn_blocking(move || -> Result<(f64, f64)> {
            let plain = bulk_insert(&dir.join("plain.db"), &rows, false)?;
            let fts = bulk_insert(&dir.join("fts.db"), &rows, true)?;
            Ok((plain, fts))
        })
        .await??
    };
    drop(rows);
    let plain_rate = per_second(messages as f64, plain_seconds);
    let fts_rate = per_second(messages as f64, fts_seconds);
    eprintln!(
        "  without FTS {plain_seconds:.2} s: {plain_rate:.0} rows/s; with FTS {fts_seconds:.2} s: \
         {fts_rate:.0} rows/s"
    );

    eprintln!("where the time goes: the same walk replayed stage by stage");
    let split = breakdown(
        &address,
        &token,
        "",
        baseline_dir.join("replay-fts.db"),
        baseline_dir.join("replay-plain.db"),
    )
    .await?;
    let stages = [
        ("fetching pages (server + HTTPS)", split.fetch),
        ("decoding and preparing pages", split.decode),
        ("applying (store::apply_prepared, tx a page)", split.apply),
        (
            "  of which the message FTS triggers",
            split.apply - split.apply_without_fts,
        ),
    ];
    for (stage, seconds) in stages {
        eprintln!(
            "  {stage:<46} {seconds:>7.2} s  {:>5.1} % of the sync",
            100.0 * seconds / sync_seconds
        );
    }
    eprintln!(
        "  ({} pages, {:.0} MB; the stages add up to more than the sync when they overlap)",
        split.pages, split.megabytes
    );

    eprintln!("catch-up: {new_messages} customer messages arrive while the mirror is offline");
    // Two copies of the synced mirror, to replay the catch-up on stage by stage afterwards.
    let before = inbox.position().await?.cursor;
    let copies = [
        baseline_dir.join("catch-up-fts.db"),
        baseline_dir.join("catch-up-plain.db"),
    ];
    {
        let (mirror, copies) = (mirror_path.clone(), copies.clone());
        tokio::task::spawn_blocking(move || -> Result<()> {
            let conn = Connection::open(&mirror)?;
            for copy in &copies {
                conn.execute("VACUUM INTO ?1", [copy.to_string_lossy()])?;
            }
            Ok(())
        })
        .await??;
    }
    let incoming = common::new_customer_messages(&shop, new_messages);
    let conversations_touched = incoming
        .iter()
        .map(|(c, _)| *c)
        .collect::<std::collections::HashSet<_>>()
        .len();
    let (db, classifier) = (running.state.db.clone(), running.state.classifier.clone());
    let ids: Vec<i64> = shop.conversations.iter().map(|c| c.id).collect();
    let written = Instant::now();
    tokio::task::spawn_blocking(move || -> Result<()> {
        for (c, text) in incoming {
            db.write_blocking(|tx| {
                mutations::customer_message(
                    tx,
                    classifier.as_ref(),
                    ids[c],
                    &text,
                    shop_server::clock::now_ms(),
                )
            })?;
        }
        Ok(())
    })
    .await??;
    eprintln!(
        "  written into {conversations_touched} conversations in {:.1} s",
        written.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    let cpu_before = cpu_seconds();
    inbox.sync_once().await?;
    let catch_up_seconds = started.elapsed().as_secs_f64();
    let catch_up_cpu = cpu_seconds()
        .zip(cpu_before)
        .map(|(after, before)| after - before);
    let mirrored = count_messages(&inbox).await?;
    ensure!(
        mirrored as usize == messages + new_messages,
        "after catching up the mirror holds {mirrored} messages, not {}",
        messages + new_messages
    );
    eprintln!(
        "  caught up in {catch_up_seconds:.3} s (aim <= 1 s); {:.2} s of CPU",
        catch_up_cpu.unwrap_or(f64::NAN)
    );
    let [with_fts, without_fts] = copies;
    let catch_up_split = breakdown(&address, &token, &before, with_fts, without_fts).await?;
    for (stage, seconds) in [
        ("fetching pages (server + HTTPS)", catch_up_split.fetch),
        ("decoding and preparing pages", catch_up_split.decode),
        ("applying", catch_up_split.apply),
        (
            "  of which the message FTS triggers",
            catch_up_split.apply - catch_up_split.apply_without_fts,
        ),
    ] {
        eprintln!("  {stage:<46} {seconds:>7.3} s");
    }
    running.shutdown().await;

    let ratio_plain = sync_rate / plain_rate;
    let ratio_fts = sync_rate / fts_rate;
    eprintln!(
        "first sync {sync_rate:.0} msg/s (aim >= 100000); {ratio_plain:.2}x a bare insert \
         without FTS, {ratio_fts:.2}x one with FTS (aim >= 0.5x); catch-up {catch_up_seconds:.3} \
         s. 2-core machine, others compiling: figures may be pessimistic"
    );
    println!(
        "{}",
        json!({
            "bench": "sync",
            "profile": common::profile(),
            "messages": messages,
            "conversations": shop.conversations.len(),
            "customers": shop.customers.len(),
            "changes": seeded.changes,
            "seed_seconds": common::round(seeded.seconds, 1),
            "first_sync": {
                "page_size": inbox_core::sync::PAGE,
                "seconds": common::round(sync_seconds, 2),
                "cpu_seconds": sync_cpu.map(|s| common::round(s, 1)),
                "msgs_per_s": sync_rate.round(),
            },
            "bulk_insert_plain": {
                "seconds": common::round(plain_seconds, 2),
                "rows_per_s": plain_rate.round(),
            },
            "bulk_insert_fts": {
                "seconds": common::round(fts_seconds, 2),
                "rows_per_s": fts_rate.round(),
            },
            "breakdown_seconds": {
                "pages": split.pages,
                "megabytes": common::round(split.megabytes, 0),
                "fetch": common::round(split.fetch, 2),
                "decode": common::round(split.decode, 2),
                "apply": common::round(split.apply, 2),
                "apply_fts_share": common::round(split.apply - split.apply_without_fts, 2),
            },
            "ratio_to_plain": common::round(ratio_plain, 3),
            "ratio_to_fts": common::round(ratio_fts, 3),
            "catch_up": {
                "new_messages": new_messages,
                "conversations": conversations_touched,
                "seconds": common::round(catch_up_seconds, 3),
                "cpu_seconds": catch_up_cpu.map(|s| common::round(s, 2)),
                "breakdown_seconds": {
                    "pages": catch_up_split.pages,
                    "fetch": common::round(catch_up_split.fetch, 3),
                    "decode": common::round(catch_up_split.decode, 3),
                    "apply": common::round(catch_up_split.apply, 3),
                    "apply_fts_share": common::round(catch_up_split.apply - catch_up_split.apply_without_fts, 3),
                },
            },
            "aims": { "msgs_per_s": 100_000, "ratio": 0.5, "catch_up_seconds": 1.0 },
            "meets_aims": sync_rate >= 100_000.0 && ratio_fts >= 0.5 && catch_up_seconds <= 1.0,
        })
    );
    Ok(())
}
