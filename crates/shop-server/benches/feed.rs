//! Benchmark: a staff client's first sync of a big shop through the change feed.
//!
//! Seeds a fresh database with one staff member, customers, conversations and `MESSAGES`
//! (default 1,000,000) short text messages, starts the real server in-process over TLS, signs in
//! and walks the whole `/api/v1/sync` feed with `limit=5000`, decoding every page into a
//! `SyncPage` like a client. The baseline, in the same run, reads the same message rows straight
//! from SQLite on a connection of its own. Afterwards it replays the server's share of the walk
//! in-process (the change log query, entity loading, JSON encoding) to show where the time goes.
//!
//! `cargo bench -p shop-server --bench feed` (a quick run: `MESSAGES=100000 cargo bench ...`).
//! Progress goes to stderr; the figures are one JSON line on stdout.

mod common;

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};
use inbox_protocol::{Delivery, Entity, MessageBody, Platform, SyncPage};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rusqlite::{Connection, OpenFlags, params};
use serde_json::json;
use shop_server::storage::Db;
use shop_server::storage::Shop;
use shop_server::storage::changes;
use shop_server::{Config, auth};

const PAGE_LIMIT: i64 = 5000;
const STAFF_EMAIL: &str = "bench@nordlys.example";
const STAFF_PASSWORD: &str = "feed benchmark password";

/// How the seeded messages fall into conversations: conversations run in waves of
/// `CONCURRENT` at a time, their messages interleaved, each with `PER_CONVERSATION` messages
/// alternating customer and staff, so a million messages make 100,000 conversations.
const PER_CONVERSATION: usize = 10;
const CONCURRENT: usize = 50;
const WAVE: usize = PER_CONVERSATION * CONCURRENT;
const CONVERSATIONS_PER_CUSTOMER: usize = 4;
/// One message a minute: a million messages span about two years.
const MESSAGE_INTERVAL_MS: i64 = 60_000;

/// Where message `i` goes: its conversation (0-based) and its place in it.
fn placement(i: usize) -> (usize, usize) {
    let (wave, j) = (i / WAVE, i % WAVE);
    (wave * CONCURRENT + j % CONCURRENT, j / CONCURRENT)
}

fn conversations_for(messages: usize) -> usize {
    (messages / WAVE) * CONCURRENT + (messages % WAVE).min(CONCURRENT)
}

const FIRST_NAMES: &[&str] = &[
    "Astrid", "Erik", "Maja", "Lars", "Ingrid", "Oskar", "Elsa", "Nils", "Freja", "Johan", "Sofia",
    "Anders", "Liv", "Karin", "Emil", "Hanna", "Mats", "Sara", "Olof", "Ebba",
];
const LAST_NAMES: &[&str] = &[
    "Lindqvist",
    "Berg",
    "Holm",
    "Nyström",
    "Sandberg",
    "Ek",
    "Lund",
    "Dahl",
    "Strand",
    "Falk",
    "Sjöberg",
    "Åkesson",
    "Wikström",
    "Forsberg",
    "Hedlund",
];
const CITIES: &[(&str, &str)] = &[
    ("Stockholm", "SE"),
    ("Göteborg", "SE"),
    ("Malmö", "SE"),
    ("Uppsala", "SE"),
    ("Oslo", "NO"),
    ("Bergen", "NO"),
    ("København", "DK"),
    ("Helsinki", "FI"),
];
const PRODUCTS: &[&str] = &[
    "linen throw",
    "oak serving board",
    "wool blanket",
    "stoneware mug",
    "birch candle holder",
    "ceramic vase",
    "sheepskin rug",
    "glass carafe",
];
const CUSTOMER_LINES: &[&str] = &[
    "Hi! Where is my order #{order}? It was supposed to arrive on {day}.",
    "Hello, is the {product} back in stock anytime soon?",
    "Can I still change the address on order #{order}?",
    "The {product} arrived chipped, what should I do?",
    "Do you ship to Norway? I'd love the {product}.",
    "Thanks, that worked!",
    "Is the {product} dishwasher safe?",
    "Hej! Kan jag byta {product} mot en annan färg?",
    "I never got a confirmation email for #{order}.",
    "Could you hold the {product} for me until {day}?",
    "Perfect, thank you so much 🙏",
    "What's your return policy for the {product}?",
];
const STAFF_LINES: &[&str] = &[
    "Hi! Order #{order} left our warehouse yesterday; you should have it by {day}.",
    "Thanks for reaching out! The {product} is back in stock next week.",
    "I've updated the address on #{order} for you.",
    "So sorry about that! I'll send a new {product} today, no need to return the old one.",
    "Yes, we ship to all of Scandinavia, usually in 3–5 days.",
    "Happy to help! Anything else?",
    "It is, the glaze is dishwasher safe.",
    "Absolut, jag ordnar ett byte åt dig.",
    "I've resent the confirmation for #{order}, check your spam folder too.",
    "I've put one {product} aside for you until {day}.",
    "You're welcome, have a lovely day!",
    "You can return the {product} within 30 days, free of charge.",
];
const DAYS: &[&str] = &[
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
const PLATFORMS: &[Platform] = &[
    Platform::OnlineStore,
    Platform::OnlineStore,
    Platform::ShopApp,
    Platform::Messenger,
    Platform::Instagram,
    Platform::Email,
];

fn line(rng: &mut StdRng, lines: &[&str], order: usize) -> String {
    let template = lines.choose(rng).expect("lines are not empty");
    template
        .replace("{order}", &(10_000 + order).to_string())
        .replace("{day}", DAYS.choose(rng).expect("days"))
        .replace("{product}", PRODUCTS.choose(rng).expect("products"))
}

struct Seeded {
    customers: usize,
    conversations: usize,
    changes: i64,
    seconds: f64,
}

/// Writes the shop in one transaction through the server's own `Db`, then fills the change log.
fn seed(path: &Path, messages: usize) -> Result<Seeded> {
    let started = Instant::now();
    let db = Db::open(path)?;
    let password_hash = auth::hash_password(STAFF_PASSWORD);
    let conversations = conversations_for(messages);
    let customers = conversations.div_ceil(CONVERSATIONS_PER_CUSTOMER).max(1);
    let now = shop_server::clock::now_ms();
    let base = now - messages as i64 * MESSAGE_INTERVAL_MS;
    let at = |i: usize| base + i as i64 * MESSAGE_INTERVAL_MS;

    // Each conversation's first and last message times, for its row.
    let mut span = vec![(i64::MAX, i64::MIN); conversations];
    for i in 0..messages {
        let (c, _) = placement(i);
        span[c] = (span[c].0.min(at(i)), span[c].1.max(at(i)));
    }

    // The bulk rows go in over a plain connection (fast, and not the product's write path);
    // the change log is then rebuilt by the server's own storage.
    drop(db);
    let mut raw = Connection::open(path)?;
    let tx = raw.transaction()?;
    (|| -> Result<()> {
        let tx = &tx;
        // A large cache keeps the bulk insert off the disk; it only lives on this connection.
        tx.pragma_update(None, "cache_size", -262_144)?;
        let mut rng = StdRng::seed_from_u64(7);
        tx.execute(
            "INSERT INTO staff (id, email, name, password_hash, chat_permission, created_at)
             VALUES (1, ?1, 'Bench Staff', ?2, 1, ?3)",
            params![STAFF_EMAIL, password_hash, base],
        )?;

        let mut insert = tx.prepare(
            "INSERT INTO customers (id, name, email, city, country, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        let mut customer_emails = Vec::with_capacity(customers);
        for id in 1..=customers {
            let first = FIRST_NAMES.choose(&mut rng).expect("names");
            let last = LAST_NAMES.choose(&mut rng).expect("names");
            let (city, country) = CITIES.choose(&mut rng).expect("cities");
            let email = format!("{}{id}@example.com", first.to_lowercase());
            let since = base - rng.random_range(0..365) * 86_400_000;
            insert.execute(params![
                id as i64,
                format!("{first} {last}"),
                email,
                city,
                country,
                since
            ])?;
            customer_emails.push(email);
        }
        drop(insert);

        let mut insert = tx.prepare(
            "INSERT INTO conversations (id, customer_id, platform, status, assignee_id,
                                        contact_email, created_at, updated_at, last_message_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
        )?;
        let mut platforms = Vec::with_capacity(conversations);
        for (c, &(first, last)) in span.iter().enumerate() {
            let customer = c % customers;
            let platform = *PLATFORMS.choose(&mut rng).expect("platforms");
            platforms.push(platform);
            let open = conversations - c <= CONCURRENT;
            let assignee = rng.random_bool(0.7).then_some(1i64);
            insert.execute(params![
                c as i64 + 1,
                customer as i64 + 1,
                platform.key(),
                if open { "open" } else { "closed" },
                assignee,
                customer_emails[customer],
                first,
                last
            ])?;
        }
        drop(insert);

        let deliveries = Platform::ALL
            .iter()
            .map(|&platform| {
                let json = serde_json::to_string(&Delivery::Platform { platform })?;
                Ok((platform, json))
            })
            .collect::<Result<Vec<_>, serde_json::Error>>()?;
        let mut insert = tx.prepare(
            "INSERT INTO messages (id, conversation_id, author_staff_id, body, delivery, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for i in 0..messages {
            let (c, k) = placement(i);
            let from_customer = k % 2 == 0;
            let text = line(
                &mut rng,
                if from_customer {
                    CUSTOMER_LINES
                } else {
                    STAFF_LINES
                },
                c,
            );
            let body = serde_json::to_string(&MessageBody::Text { text })?;
            let delivery = (!from_customer).then(|| {
                deliveries
                    .iter()
                    .find(|(p, _)| *p == platforms[c])
                    .map(|(_, json)| json.as_str())
                    .expect("every platform has a delivery")
            });
            insert.execute(params![
                i as i64 + 1,
                c as i64 + 1,
                (!from_customer).then_some(1i64),
                body,
                delivery,
                at(i)
            ])?;
            if (i + 1) % 250_000 == 0 {
                eprintln!("  seeded {} messages", i + 1);
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
    drop(db);
    Ok(Seeded {
        customers,
        conversations,
        changes,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// A reader connection opened the way the server opens its own.
fn reader(path: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.pragma_update(None, "busy_timeout", 5_000)?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

struct Baseline {
    rows: usize,
    seconds: f64,
}

/// The same message rows straight from SQLite: one ordered scan, every body decoded.
fn read_straight(path: &Path) -> Result<Baseline> {
    let conn = reader(path)?;
    let started = Instant::now();
    let mut stmt = conn.prepare(
        "SELECT id, conversation_id, author_staff_id, body, delivery, created_at
           FROM messages ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    let mut count = 0;
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let conversation_id: i64 = row.get(1)?;
        let author: Option<i64> = row.get(2)?;
        let body: String = row.get(3)?;
        let delivery: Option<String> = row.get(4)?;
        let created_at: i64 = row.get(5)?;
        let body: MessageBody = serde_json::from_str(&body)
            .with_context(|| format!("message {id} has a body that is not a MessageBody"))?;
        black_box((id, conversation_id, author, body, delivery, created_at));
        count += 1;
    }
    Ok(Baseline {
        rows: count,
        seconds: started.elapsed().as_secs_f64(),
    })
}

#[derive(Default)]
struct Walk {
    pages: usize,
    changes: usize,
    messages: usize,
    bytes: usize,
    /// From sending a request to holding its whole body.
    fetch: Duration,
    /// Decoding bodies into `SyncPage`.
    decode: Duration,
    seconds: f64,
}

/// Pages through the whole feed like a client doing its first sync.
async fn walk_feed(client: &reqwest::Client, url: &str, token: &str) -> Result<Walk> {
    let mut walk = Walk::default();
    let mut cursor = String::new();
    let mut last_message_id = 0;
    let started = Instant::now();
    loop {
        let sent = Instant::now();
        let response = client
            .get(format!(
                "{url}/api/v1/sync?limit={PAGE_LIMIT}&after={cursor}"
            ))
            .bearer_auth(token)
            .send()
            .await?;
        let status = response.status();
        let body = response.bytes().await?;
        ensure!(
            status.is_success(),
            "page {} failed with {status}: {}",
            walk.pages + 1,
            String::from_utf8_lossy(&body)
        );
        let fetched = Instant::now();
        let page: SyncPage = serde_json::from_slice(&body).context("a page is a SyncPage")?;
        walk.decode += fetched.elapsed();
        walk.fetch += fetched - sent;
        walk.bytes += body.len();
        walk.pages += 1;
        walk.changes += page.changes.len();
        for change in &page.changes {
            if let Entity::Message(message) = &change.entity {
                ensure!(
                    message.id > last_message_id,
                    "message {} came after message {last_message_id}",
                    message.id
                );
                last_message_id = message.id;
                walk.messages += 1;
            }
        }
        if walk.pages % 40 == 0 {
            eprintln!(
                "  {} pages, {} messages, {:.1} s",
                walk.pages,
                walk.messages,
                started.elapsed().as_secs_f64()
            );
        }
        if !page.has_more {
            break;
        }
        cursor = page.next_cursor;
    }
    walk.seconds = started.elapsed().as_secs_f64();
    Ok(walk)
}

/// The server's share of the walk, replayed in-process on a reader of its own, stage by stage.
#[derive(Default)]
struct ServerShare {
    /// Reading `seq, kind, entity_id` pages from the change log alone.
    log: Duration,
    /// `changes::page`: the log plus loading every entity into its wire form.
    page: Duration,
    /// Encoding each page as the JSON body.
    encode: Duration,
    /// `store::message` for every message on its own (included in `page`).
    message_loads: Duration,
    /// `store::conversation` for every conversation on its own (included in `page`).
    conversation_loads: Duration,
}

fn server_share(
    path: &Path,
    shop: &Shop,
    staff_id: i64,
    seeded: (usize, usize),
) -> Result<ServerShare> {
    let (messages, conversations) = seeded;
    let conn = reader(path)?;
    let mut share = ServerShare::default();

    let mut after = 0;
    let mut stmt = conn.prepare(
        "SELECT seq, kind, entity_id FROM changes
          WHERE seq > ?1 AND staff_id IN (0, ?2) ORDER BY seq LIMIT ?3",
    )?;
    loop {
        let started = Instant::now();
        let rows: Vec<(i64, String, i64)> = stmt
            .query_map(params![after, staff_id, PAGE_LIMIT + 1], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        share.log += started.elapsed();
        let more = rows.len() as i64 > PAGE_LIMIT;
        match rows.get(PAGE_LIMIT as usize - 1) {
            Some(&(seq, _, _)) if more => after = seq,
            _ => break,
        }
    }
    drop(stmt);

    let mut after = 0;
    loop {
        let tx = conn.unchecked_transaction()?;
        let started = Instant::now();
        let (page, last) = changes::page(&*tx, shop, after, staff_id, PAGE_LIMIT, false)?;
        let loaded = Instant::now();
        let body = serde_json::to_vec(&page)?;
        share.encode += loaded.elapsed();
        share.page += loaded - started;
        black_box(body);
        tx.finish()?;
        if !page.has_more {
            break;
        }
        after = last;
    }

    // In one read transaction, as `changes::page` runs: outside one, every lookup would take
    // and drop SQLite's read lock, a cost the server never pays.
    let tx = conn.unchecked_transaction()?;
    let started = Instant::now();
    for id in 1..=messages as i64 {
        black_box(
            shop_server::storage::entities::message(&*tx, id)?
                .context("every seeded message loads")?,
        );
    }
    share.message_loads = started.elapsed();
    let started = Instant::now();
    for id in 1..=conversations as i64 {
        black_box(
            shop_server::storage::entities::conversation(&*tx, id)?
                .context("every seeded conversation loads")?,
        );
    }
    share.conversation_loads = started.elapsed();
    tx.finish()?;
    Ok(share)
}

fn per_second(count: usize, seconds: f64) -> f64 {
    count as f64 / seconds
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> Result<()> {
    let messages = common::env_count("MESSAGES", 1_000_000)?;
    let dir = tempfile::tempdir()?;
    let db_path = dir.path().join("shop.db");
    eprintln!(
        "feed benchmark ({} build): seeding {messages} messages into {}",
        common::profile(),
        dir.path().display()
    );
    let seeded = {
        let path = db_path.clone();
        tokio::task::spawn_blocking(move || seed(&path, messages)).await??
    };
    eprintln!(
        "seeded {} customers, {} conversations, {messages} messages, {} changes in {:.1} s",
        seeded.customers, seeded.conversations, seeded.changes, seeded.seconds
    );

    let mut config = Config::new(dir.path());
    config.limits = shop_server::limits::LimitsConfig::many_customers_from_one_address();
    // One staff token stands for every desktop the bench opens a stream for.
    config.limits.streams_per_token = 10_000;
    config.demo = false;
    let running = shop_server::start(config).await?;
    let url = running.url().to_owned();
    let ca = running
        .announcement
        .ca
        .clone()
        .context("the server made a local CA")?;
    let client = common::client_for(&ca)?;
    let token = common::sign_in(&client, &url, STAFF_EMAIL, STAFF_PASSWORD).await?;

    eprintln!("baseline: reading the message rows straight from SQLite");
    let baseline = {
        let path = db_path.clone();
        tokio::task::spawn_blocking(move || read_straight(&path)).await??
    };
    ensure!(
        baseline.rows == messages,
        "SQLite holds {} messages, not {messages}",
        baseline.rows
    );
    let sqlite_rate = per_second(baseline.rows, baseline.seconds);
    eprintln!(
        "  {} rows in {:.2} s: {:.0} rows/s",
        baseline.rows, baseline.seconds, sqlite_rate
    );

    eprintln!("feed: walking /api/v1/sync with limit={PAGE_LIMIT}");
    let walk = walk_feed(&client, &url, &token).await?;
    ensure!(
        walk.messages == messages,
        "the feed served {} messages, not {messages}",
        walk.messages
    );
    ensure!(
        walk.changes as i64 == seeded.changes,
        "the feed served {} changes, the log holds {}",
        walk.changes,
        seeded.changes
    );
    let feed_rate = per_second(walk.messages, walk.seconds);
    eprintln!(
        "  {} pages, {} changes ({} messages, {:.0} MB) in {:.2} s: {:.0} messages/s",
        walk.pages,
        walk.changes,
        walk.messages,
        walk.bytes as f64 / 1e6,
        walk.seconds,
        feed_rate
    );

    eprintln!("where the time goes: replaying the server's share in-process");
    let share = {
        let path = db_path.clone();
        let shop = running.state.shop.clone();
        let conversations = seeded.conversations;
        tokio::task::spawn_blocking(move || {
            server_share(&path, &shop, 1, (messages, conversations))
        })
        .await??
    };
    running.shutdown().await;

    let seconds = |d: Duration| common::round(d.as_secs_f64(), 3);
    let load = share.page.saturating_sub(share.log);
    // What the client waited for beyond the server's own work.
    let transport = walk.fetch.saturating_sub(share.page + share.encode);
    for (stage, took) in [
        ("change log query", share.log),
        ("loading entities (changes::page minus the log)", load),
        (
            "  of which store::message, every message",
            share.message_loads,
        ),
        (
            "  of which store::conversation, every one",
            share.conversation_loads,
        ),
        ("JSON encoding on the server", share.encode),
        ("JSON decoding in the client", walk.decode),
        ("the rest: HTTP, TLS, axum, blocking-pool hops", transport),
    ] {
        eprintln!(
            "  {stage:<48} {:>7.2} s  {:>5.1} %",
            took.as_secs_f64(),
            100.0 * took.as_secs_f64() / walk.seconds
        );
    }

    let ratio = feed_rate / sqlite_rate;
    eprintln!(
        "feed {feed_rate:.0} msg/s, SQLite {sqlite_rate:.0} rows/s, ratio {ratio:.3} on {} cores",
        common::cores()
    );
    println!(
        "{}",
        json!({
            "bench": "feed",
            "profile": common::profile(),
            "messages": messages,
            "changes": walk.changes,
            "pages": walk.pages,
            "page_limit": PAGE_LIMIT,
            "megabytes": common::round(walk.bytes as f64 / 1e6, 1),
            "feed_msgs_per_s": feed_rate.round(),
            "sqlite_rows_per_s": sqlite_rate.round(),
            "ratio": common::round(ratio, 4),
            "seconds": common::round(walk.seconds, 3),
            "sqlite_seconds": common::round(baseline.seconds, 3),
            "seed_seconds": common::round(seeded.seconds, 1),
            "breakdown_seconds": {
                "log_query": seconds(share.log),
                "entity_loads": seconds(load),
                "message_loads": seconds(share.message_loads),
                "conversation_loads": seconds(share.conversation_loads),
                "server_encode": seconds(share.encode),
                "client_decode": seconds(walk.decode),
                "transport": seconds(transport),
            },
        })
    );
    Ok(())
}
