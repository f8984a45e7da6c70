//! Benchmark: the metrics view over a big mirror, for a 90-day period and the 90 days before.
//!
//! Builds a mirror of `MESSAGES` (default 1,000,000) messages in 100,000 conversations of about
//! 10,000 customers over two years (the shop of `common::plan`), with four staff members
//! (conversations assigned to one of them or to nobody), zero to three topic labels per
//! conversation, and orders (about two per conversation's customer, a fifth of them within a
//! week after one of that customer's conversations starts, in every status), through the real
//! store (`store::apply_all` in large transactions, as sync applies pages). Then runs
//! `metrics::metrics(conn, query)` on a reader configured like the app's.
//!
//! The baseline, in the same run and on the same file: the same figures (the totals of both
//! periods, checked equal) from a plain scan of the same rows without the metrics indexes:
//! every conversation, every message and every order read once in table order, and counted
//! in Rust.
//!
//! `cargo bench -p inbox-core --bench metrics` (quicker: `MESSAGES=100000 cargo bench ...`;
//! `REPS` and `SCAN_REPS` set the runs; `MIRROR_DIR=/some/dir` keeps the mirror there and
//! reuses it next time). Progress goes to stderr; the figures are one JSON line on stdout.

mod common;

use std::collections::HashMap;
use std::hint::black_box;
use std::time::Instant;

use anyhow::{Result, ensure};
use common::ShopPlan;
use inbox_core::metrics::{self, Figures, MetricsQuery, Period, Started};
use inbox_core::store::{self, Store};
use inbox_protocol::*;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rusqlite::Connection;
use serde_json::json;

const CHUNK: usize = 50_000;
const DAY: i64 = 86_400_000;
const AIM_MS: f64 = 200.0;

fn customer(c: &common::CustomerPlan) -> Customer {
    Customer {
        id: c.id,
        name: c.name.clone(),
        email: c.email.clone(),
        email_verified: true,
        phone: None,
        city: Some(c.city.to_owned()),
        country: Some(c.country.to_owned()),
        time_zone: Some("Europe/Stockholm".into()),
        kind: CustomerKind::Returning,
        customer_since: c.since,
        total_spent: Money {
            minor: 0,
            currency: "SEK".into(),
        },
        email_marketing: false,
        sms_marketing: false,
        admin_url: format!("https://admin.example/customers/{}", c.id),
    }
}

/// Everything besides messages, with the labels, assignees and orders drawn from a seeded RNG.
fn entities(shop: &ShopPlan) -> Vec<Entity> {
    let mut rng = StdRng::seed_from_u64(0x3e7c5);
    let mut out: Vec<Entity> = (1..=4)
        .map(|id| {
            Entity::Staff(Staff {
                id,
                name: format!("Staff {id}"),
                email: format!("staff{id}@nordlys.example"),
                permissions: vec![Permission::OnlineStoreChat],
            })
        })
        .collect();
    out.extend(shop.customers.iter().map(|c| Entity::Customer(customer(c))));
    let mut order_id = 0;
    for c in &shop.conversations {
        let customer_id = shop.customers[c.customer].id;
        let mut topics: Vec<TopicLabel> = Vec::new();
        for _ in 0..rng.random_range(0..=3) {
            let topic = *Topic::ALL.choose(&mut rng).expect("topics");
            if !topics.iter().any(|l| l.topic == topic) {
                topics.push(TopicLabel {
                    topic,
                    confidence: 0.93,
                    message_id: 0,
                    labelled_at: c.created_at,
                });
            }
        }
        out.push(Entity::Conversation(Conversation {
            id: c.id,
            customer_id,
            platform: Platform::from_key(common::PLATFORMS[c.platform]).expect("a platform"),
            status: if c.open {
                ConversationStatus::Open
            } else {
                ConversationStatus::Closed
            },
            assignee_id: c.assigned.then(|| rng.random_range(1..=4)),
            contact_email: String::new(),
            customer_online: false,
            created_at: c.created_at,
            updated_at: c.last_message_at,
            last_message_at: c.last_message_at,
            topics,
            snoozed_until: None,
            woke_at: None,
        }));
        // About one order in five follows a conversation within the week; the rest anywhere.
        for _ in 0..2 {
            order_id += 1;
            let created_at = if rng.random_bool(0.2) {
                c.created_at + rng.random_range(0..8 * DAY)
            } else {
                c.created_at - rng.random_range(0..300 * DAY)
            };
            let status = *[
                OrderStatus::Open,
                OrderStatus::Paid,
                OrderStatus::Fulfilled,
                OrderStatus::Fulfilled,
                OrderStatus::Cancelled,
                OrderStatus::Refunded,
            ]
            .choose(&mut rng)
            .expect("statuses");
            out.push(Entity::Order(Order {
                id: order_id,
                customer_id,
                name: format!("#{}", 1000 + order_id),
                created_at,
                total: Money {
                    minor: 34_900,
                    currency: "SEK".into(),
                },
                status,
                admin_url: String::new(),
            }));
        }
    }
    out
}

fn message(shop: &ShopPlan, m: &common::MessagePlan) -> Message {
    let c = &shop.conversations[m.conversation];
    Message {
        id: m.id,
        conversation_id: c.id,
        author: if m.from_customer {
            Author::Customer {
                customer_id: shop.customers[c.customer].id,
            }
        } else {
            Author::Staff {
                staff_id: 1 + m.id % 4,
            }
        },
        body: MessageBody::Text {
            text: m.text.clone(),
        },
        delivery: None,
        created_at: m.created_at,
    }
}

async fn build(store: &Store, shop: &ShopPlan) -> Result<()> {
    let mut pending = entities(shop);
    let mut messages = shop.messages.iter();
    let mut written = 0;
    loop {
        while pending.len() < CHUNK {
            match messages.next() {
                Some(m) => pending.push(Entity::Message(message(shop, m))),
                None => break,
            }
        }
        if pending.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::take(&mut pending);
        written += chunk.len();
        store
            .write(move |tx| {
                store::apply_all(tx, &chunk)?;
                Ok(())
            })
            .await?;
        if written % 250_000 < CHUNK {
            eprintln!("  {written} entities written");
        }
    }
}

/// The baseline: the totals of both periods from one plain read of every conversation,
/// message and order, in table order, counted in Rust.
fn scan(conn: &Connection, query: MetricsQuery) -> Result<(Figures, Figures)> {
    struct Facts {
        customer_id: i64,
        started_at: i64,
        current: bool,
        /// (created_at, id, from_customer) of its messages.
        messages: Vec<(i64, i64, bool)>,
    }
    let mut conversations: HashMap<i64, Facts> = HashMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT id, customer_id, json_extract(data, '$.created_at') FROM conversations",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let started_at: i64 = row.get(2)?;
        let current = query.current.contains(started_at);
        if current || query.previous.contains(started_at) {
            conversations.insert(
                row.get(0)?,
                Facts {
                    customer_id: row.get(1)?,
                    started_at,
                    current,
                    messages: Vec::new(),
                },
            );
        }
    }
    let mut stmt =
        conn.prepare_cached("SELECT conversation_id, created_at, id, from_customer FROM messages")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        if let Some(c) = conversations.get_mut(&row.get::<_, i64>(0)?) {
            c.messages.push((row.get(1)?, row.get(2)?, row.get(3)?));
        }
    }
    let mut orders: HashMap<i64, Vec<i64>> = HashMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT customer_id, json_extract(data, '$.created_at'), json_extract(data, '$.status')
         FROM orders",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        if row.get::<_, String>(2)? != "open" {
            orders.entry(row.get(0)?).or_default().push(row.get(1)?);
        }
    }
    let (mut current, mut previous) = (Vec::new(), Vec::new());
    for (id, c) in conversations {
        let asked = c.messages.iter().filter(|m| m.2).map(|m| m.0).min();
        let first_response_ms = asked.and_then(|asked| {
            c.messages
                .iter()
                .filter(|m| !m.2 && m.1 > 0 && m.0 >= asked)
                .map(|m| m.0 - asked)
                .min()
        });
        let sale = orders.get(&c.customer_id).is_some_and(|o| {
            o.iter()
                .any(|&at| at >= c.started_at && at < c.started_at + metrics::SALE_WINDOW_MS)
        });
        let started = Started {
            id,
            assignee_id: None,
            platform: Platform::OnlineStore,
            topics: Vec::new(),
            first_response_ms,
            sale,
        };
        if c.current {
            current.push(started);
        } else {
            previous.push(started);
        }
    }
    Ok((metrics::figures(&current), metrics::figures(&previous)))
}

fn time_ms<T>(f: &mut dyn FnMut() -> Result<T>) -> Result<(f64, T)> {
    let start = Instant::now();
    let value = f()?;
    Ok((start.elapsed().as_secs_f64() * 1e3, value))
}

fn main() -> Result<()> {
    let messages = common::env_count("MESSAGES", 1_000_000)?;
    let reps = common::env_count("REPS", 50)?;
    let scan_reps = common::env_count("SCAN_REPS", 5)?;
    let temp = tempfile::tempdir()?;
    let dir = match std::env::var_os("MIRROR_DIR") {
        Some(dir) => std::path::PathBuf::from(dir),
        None => temp.path().to_owned(),
    };
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("metrics-mirror-{messages}.db"));
    let reuse = path.exists();
    eprintln!(
        "metrics benchmark ({} build): planning {messages} messages",
        common::profile()
    );
    // The plan's "now" is a whole day, so a kept mirror and a new plan agree on the period.
    let now = common::now_ms() / DAY * DAY;
    let shop = common::plan(messages, now);
    eprintln!(
        "building a mirror of {} customers, {} conversations, {} messages in {}",
        shop.customers.len(),
        shop.conversations.len(),
        shop.messages.len(),
        path.display()
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .build()?;
    let started = Instant::now();
    runtime.block_on(async {
        let store = Store::open(&path)?;
        if !reuse {
            build(&store, &shop).await?;
        }
        anyhow::Ok(())
    })?;
    let build_seconds = started.elapsed().as_secs_f64();
    let db_bytes = std::fs::metadata(&path)?.len();
    if reuse {
        eprintln!("  reusing the mirror built earlier");
    } else {
        eprintln!(
            "  built in {build_seconds:.1} s, {:.0} MB",
            db_bytes as f64 / 1e6
        );
    }

    let conn = store::open_reader(&path)?;
    let stored: i64 = conn.query_row("SELECT count(*) FROM messages", [], |r| r.get(0))?;
    ensure!(
        stored as usize == messages,
        "the mirror holds {stored} messages"
    );
    // The last 90 whole days up to the plan's "now", and the 90 before.
    let query = MetricsQuery {
        current: Period {
            from: now - 90 * DAY,
            to: now,
        },
        previous: Period {
            from: now - 180 * DAY,
            to: now - 90 * DAY,
        },
    };

    eprintln!("metrics::metrics over 90 days and the 90 before, {reps} runs");
    let mut fast = Vec::new();
    let mut result = None;
    for rep in 0..reps + 2 {
        let (ms, m) = time_ms(&mut || Ok(black_box(metrics::metrics(&conn, query)?)))?;
        if rep >= 2 {
            fast.push(ms);
        }
        result = Some(m);
    }
    let m = result.expect("a run");
    eprintln!("baseline: a plain scan of every conversation, message and order, {scan_reps} runs");
    let mut slow = Vec::new();
    let mut totals = None;
    for _ in 0..scan_reps {
        let (ms, t) = time_ms(&mut || scan(&conn, query))?;
        slow.push(ms);
        totals = Some(t);
    }
    let (current, previous) = totals.expect("a run");
    ensure!(
        current == m.total.current && previous == m.total.previous,
        "the scan counted {current:?} / {previous:?}, metrics {:?}",
        m.total
    );
    fast.sort_by(f64::total_cmp);
    slow.sort_by(f64::total_cmp);
    let (p50, p95, max) = (
        common::percentile(&fast, 0.5),
        common::percentile(&fast, 0.95),
        fast[fast.len() - 1],
    );
    let scan_p50 = common::percentile(&slow, 0.5);
    eprintln!(
        "  metrics p50 {p50:.1} ms, p95 {p95:.1} ms, max {max:.1} ms; scan p50 {scan_p50:.1} ms; {:.1}x",
        scan_p50 / p50
    );
    eprintln!(
        "  current: {:?}\n  previous: {:?}\n  rows: {} staff, {} topic, {} platform",
        m.total.current,
        m.total.previous,
        m.by_staff.len(),
        m.by_topic.len(),
        m.by_platform.len()
    );
    println!(
        "{}",
        json!({
            "bench": "metrics",
            "profile": common::profile(),
            "messages": messages,
            "conversations": shop.conversations.len(),
            "customers": shop.customers.len(),
            "db_megabytes": common::round(db_bytes as f64 / 1e6, 0),
            "build_seconds": if reuse { serde_json::Value::Null } else { json!(common::round(build_seconds, 1)) },
            "period_days": 90,
            "conversations_current": m.total.current.conversations,
            "conversations_previous": m.total.previous.conversations,
            "metrics": {"runs": fast.len(), "p50_ms": common::round(p50, 2), "p95_ms": common::round(p95, 2), "max_ms": common::round(max, 2)},
            "scan": {"runs": slow.len(), "p50_ms": common::round(scan_p50, 1)},
            "ratio_p50": common::round(scan_p50 / p50, 1),
            "aim_ms": AIM_MS,
            "meets_aim": p95 <= AIM_MS,
        })
    );
    Ok(())
}
