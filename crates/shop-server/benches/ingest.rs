//! Benchmark: customer messages coming in while staff clients listen live.
//!
//! Starts a demo shop in-process over TLS, starts a few storefront chats, and POSTs
//! `INGEST_MESSAGES` (default 2,000) customer messages from `INGEST_SENDERS` (default 8)
//! concurrent senders, each its own customer: first with no one listening (the baseline), then
//! with `INGEST_LISTENERS` (default 50) staff streams open on `/api/v1/events`, each on its own
//! connection like separate desktops. Every text carries a unique marker, so each arrival is
//! matched to its POST: it reports throughput, the latency from a POST's start to its delivery
//! on each stream, and fails unless every stream got every message exactly once.
//!
//! `cargo bench -p shop-server --bench ingest`. Progress goes to stderr; the figures are one
//! JSON line on stdout. Everything stays on loopback and every wait has a deadline. Under
//! `scripts/with-postgres.sh` (which sets `SHOP_TEST_POSTGRES`) the shop lives in a fresh
//! PostgreSQL database of that cluster instead of a SQLite file.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use eventsource_stream::Eventsource;
use futures_util::StreamExt;
use inbox_protocol::{Change, ChatSession, CustomerText, Entity, Platform, StartChat};
use reqwest::{Client, StatusCode};
use serde_json::json;
use shop_server::Config;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// A POST phase (every sender, every message) must finish within this.
const SEND_DEADLINE: Duration = Duration::from_secs(300);
/// After the last POST, every stream must have everything within this.
const DELIVERY_DEADLINE: Duration = Duration::from_secs(60);
/// How long a stream that has everything keeps listening for duplicates.
const LINGER: Duration = Duration::from_millis(1_500);
const WARMUP_PER_SENDER: usize = 5;

const LINES: &[&str] = &[
    "Hi! Where is my order? It was supposed to arrive yesterday.",
    "Is the linen throw back in stock anytime soon?",
    "Can I still change the delivery address?",
    "The mug arrived chipped, what should I do?",
    "Do you ship to Norway?",
    "Hej! Kan jag byta vasen mot en annan färg?",
    "Is the oak board dishwasher safe?",
    "What's your return policy?",
];

/// A new database in the `SHOP_TEST_POSTGRES` cluster, when the bench runs beside one.
fn postgres_database() -> Result<Option<String>> {
    let Ok(admin) = std::env::var("SHOP_TEST_POSTGRES") else {
        return Ok(None);
    };
    let name = format!("ingest_{}", std::process::id());
    let create = {
        let (admin, name) = (admin.clone(), name.clone());
        move || -> Result<()> {
            let mut client = postgres::Client::connect(&admin, postgres::NoTls)?;
            client.batch_execute(&format!("CREATE DATABASE {name}"))?;
            Ok(())
        }
    };
    std::thread::spawn(create)
        .join()
        .map_err(|_| anyhow::anyhow!("creating the database panicked"))??;
    let (base, _) = admin.rsplit_once('/').context("a database URL")?;
    Ok(Some(format!("{base}/{name}")))
}

/// The text of message `index` of a phase, carrying its marker.
fn text(phase: char, index: usize) -> String {
    format!("{} (ref {phase}{index:06})", LINES[index % LINES.len()])
}

/// The message index a text's marker names, when it belongs to `phase`.
fn marker(text: &str, phase: char) -> Option<usize> {
    let start = text.rfind("(ref ")? + "(ref ".len();
    let rest = text[start..].strip_prefix(phase)?;
    rest.strip_suffix(')')?.parse().ok()
}

struct Sender {
    client: Client,
    chat: ChatSession,
}

/// When each message's POST started and how long it took.
struct Sent {
    started: Vec<Instant>,
    round_trips_ms: Vec<f64>,
    seconds: f64,
}

async fn post_message(sender: &Sender, url: &str, text: String) -> Result<()> {
    let response = sender
        .client
        .post(format!(
            "{url}/api/v1/storefront/conversations/{}/messages",
            sender.chat.conversation_id
        ))
        .bearer_auth(&sender.chat.token)
        .json(&CustomerText { text })
        .send()
        .await?;
    let status = response.status();
    let body = response.text().await?;
    ensure!(
        status == StatusCode::CREATED,
        "a message POST failed with {status}: {body}"
    );
    Ok(())
}

/// POSTs messages `0..count` of a phase, sender `s` taking every `senders`-th one in turn.
async fn send_all(senders: &[Arc<Sender>], url: &str, count: usize, phase: char) -> Result<Sent> {
    let mut tasks = JoinSet::new();
    let first = Instant::now();
    for (s, sender) in senders.iter().enumerate() {
        let (sender, url, step) = (sender.clone(), url.to_owned(), senders.len());
        tasks.spawn(async move {
            let mut done = Vec::new();
            for index in (s..count).step_by(step) {
                let started = Instant::now();
                post_message(&sender, &url, text(phase, index)).await?;
                done.push((index, started, started.elapsed()));
            }
            anyhow::Ok(done)
        });
    }
    let mut started = vec![first; count];
    let mut round_trips_ms = Vec::with_capacity(count);
    let all = tokio::time::timeout(SEND_DEADLINE, async {
        while let Some(done) = tasks.join_next().await {
            for (index, at, took) in done?? {
                started[index] = at;
                round_trips_ms.push(took.as_secs_f64() * 1e3);
            }
        }
        anyhow::Ok(())
    })
    .await;
    match all {
        Ok(result) => result?,
        Err(_) => bail!("the senders did not finish within {SEND_DEADLINE:?}"),
    }
    ensure!(
        round_trips_ms.len() == count,
        "some messages were never sent"
    );
    round_trips_ms.sort_by(f64::total_cmp);
    Ok(Sent {
        started,
        round_trips_ms,
        seconds: first.elapsed().as_secs_f64(),
    })
}

/// What one stream received of a phase: each message's arrival, and repeats.
struct Heard {
    arrivals: Vec<Option<Instant>>,
    duplicates: Vec<usize>,
}

/// Reads a staff stream until it has all `count` messages of `phase` (then lingers a little to
/// catch duplicates) or the deadline passes.
async fn listen(
    response: reqwest::Response,
    count: usize,
    phase: char,
    mut deadline: watch::Receiver<tokio::time::Instant>,
) -> Result<Heard> {
    let mut events = response.bytes_stream().eventsource();
    let mut heard = Heard {
        arrivals: vec![None; count],
        duplicates: Vec::new(),
    };
    let mut received = 0;
    let mut linger_until = None;
    loop {
        let until = linger_until.unwrap_or_else(|| *deadline.borrow_and_update());
        let next = tokio::select! {
            next = events.next() => next,
            () = tokio::time::sleep_until(until) => return Ok(heard),
            changed = deadline.changed(), if linger_until.is_none() => match changed {
                Ok(()) => continue,
                Err(_) => return Ok(heard),
            },
        };
        let event = next.context("the stream ended early")??;
        let at = Instant::now();
        if event.event != "message" {
            continue;
        }
        let change: Change = serde_json::from_str(&event.data).context("event data is a Change")?;
        let Entity::Message(message) = change.entity else {
            continue;
        };
        let Some(index) = message.body.text().and_then(|t| marker(t, phase)) else {
            continue;
        };
        ensure!(index < count, "a marker names message {index} of {count}");
        if heard.arrivals[index].is_some() {
            heard.duplicates.push(index);
        } else {
            heard.arrivals[index] = Some(at);
            received += 1;
            if received == count {
                linger_until = Some(tokio::time::Instant::now() + LINGER);
            }
        }
    }
}

fn rate(count: usize, seconds: f64) -> f64 {
    count as f64 / seconds
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> Result<()> {
    let count = common::env_count("INGEST_MESSAGES", 2_000)?;
    let senders = common::env_count("INGEST_SENDERS", 8)?;
    let listeners = common::env_count("INGEST_LISTENERS", 50)?;
    ensure!(listeners <= 500, "INGEST_LISTENERS is capped at 500");
    ensure!(senders <= 100, "INGEST_SENDERS is capped at 100");
    ensure!(count <= 100_000, "INGEST_MESSAGES is capped at 100,000");
    eprintln!(
        "ingest benchmark ({} build): {count} messages from {senders} senders, {listeners} \
         listeners",
        common::profile()
    );

    let dir = tempfile::tempdir()?;
    let mut config = Config::new(dir.path());
    config.limits = shop_server::limits::LimitsConfig::many_customers_from_one_address();
    // One staff token stands for every desktop the bench opens a stream for.
    config.limits.streams_per_token = 10_000;
    config.demo = true;
    config.database = postgres_database()?;
    let backend = if config.database.is_some() {
        "postgres"
    } else {
        "sqlite"
    };
    eprintln!("storage: {backend}");
    let running = shop_server::start(config).await?;
    let url = running.url().to_owned();
    let ca = running
        .announcement
        .ca
        .clone()
        .context("the server made a local CA")?;
    let staff = running
        .announcement
        .demo_staff
        .clone()
        .context("a demo shop announces its staff")?
        .into_iter()
        .find(|s| s.chat_permission)
        .context("a demo staff member can chat")?;
    let staff_client = common::client_for(&ca)?;
    let token = common::sign_in(&staff_client, &url, &staff.email, &staff.password).await?;

    // One chat per sender, each customer on a connection of their own.
    let mut chat_senders = Vec::with_capacity(senders);
    for s in 0..senders {
        let client = common::client_for(&ca)?;
        let response = client
            .post(format!("{url}/api/v1/storefront/chats"))
            .json(&StartChat {
                name: format!("Bench Customer {s}"),
                email: format!("bench.customer{s}@example.com"),
                platform: Platform::OnlineStore,
            })
            .send()
            .await?;
        ensure!(
            response.status() == StatusCode::CREATED,
            "starting a chat failed with {}",
            response.status()
        );
        let chat: ChatSession = response.json().await?;
        chat_senders.push(Arc::new(Sender { client, chat }));
    }
    for sender in &chat_senders {
        for i in 0..WARMUP_PER_SENDER {
            post_message(sender, &url, text('w', i)).await?;
        }
    }

    eprintln!("baseline: {count} POSTs, no listeners");
    let quiet = send_all(&chat_senders, &url, count, 'a').await?;
    let quiet_rate = rate(count, quiet.seconds);
    eprintln!("  {:.2} s: {quiet_rate:.0} messages/s", quiet.seconds);

    eprintln!("opening {listeners} staff streams");
    let (deadline, deadline_rx) =
        watch::channel(tokio::time::Instant::now() + SEND_DEADLINE + DELIVERY_DEADLINE);
    let mut streams = JoinSet::new();
    for l in 0..listeners {
        let client = common::client_for(&ca)?;
        let response = client
            .get(format!("{url}/api/v1/events"))
            .bearer_auth(&token)
            .timeout(SEND_DEADLINE + DELIVERY_DEADLINE + LINGER)
            .send()
            .await?;
        ensure!(
            response.status() == StatusCode::OK,
            "stream {l} was refused with {}",
            response.status()
        );
        let deadline = deadline_rx.clone();
        // The client must outlive the stream: its connection pool owns the connection.
        streams.spawn(async move {
            let heard = listen(response, count, 'b', deadline).await;
            drop(client);
            (l, heard)
        });
    }

    eprintln!("with listeners: {count} POSTs");
    let live = send_all(&chat_senders, &url, count, 'b').await?;
    let live_rate = rate(count, live.seconds);
    eprintln!("  {:.2} s: {live_rate:.0} messages/s", live.seconds);
    deadline.send_replace(tokio::time::Instant::now() + DELIVERY_DEADLINE);

    let mut latencies_ms = Vec::with_capacity(count * listeners);
    let mut failures = Vec::new();
    while let Some(joined) = streams.join_next().await {
        let (l, heard) = joined?;
        let heard = match heard {
            Ok(heard) => heard,
            Err(error) => {
                failures.push(format!("stream {l}: {error:#}"));
                continue;
            }
        };
        let missing = heard.arrivals.iter().filter(|a| a.is_none()).count();
        if missing > 0 || !heard.duplicates.is_empty() {
            failures.push(format!(
                "stream {l}: {missing} of {count} messages missing, {} duplicates (first: {:?})",
                heard.duplicates.len(),
                heard.duplicates.first()
            ));
        }
        for (index, arrival) in heard.arrivals.iter().enumerate() {
            if let Some(arrival) = arrival {
                let latency = arrival.saturating_duration_since(live.started[index]);
                latencies_ms.push(latency.as_secs_f64() * 1e3);
            }
        }
    }
    running.shutdown().await;
    if !failures.is_empty() {
        for failure in &failures {
            eprintln!("FAILED {failure}");
        }
        bail!(
            "{} of {listeners} streams did not receive every message exactly once",
            failures.len()
        );
    }
    latencies_ms.sort_by(f64::total_cmp);
    let (p50, p99, max) = (
        common::percentile(&latencies_ms, 0.50),
        common::percentile(&latencies_ms, 0.99),
        latencies_ms.last().copied().unwrap_or(f64::NAN),
    );
    let ratio = live_rate / quiet_rate;
    eprintln!(
        "every stream got all {count} messages once; POST start to delivery over {} pairs: \
         p50 {p50:.1} ms, p99 {p99:.1} ms, max {max:.1} ms",
        latencies_ms.len()
    );
    eprintln!(
        "POST round trip p50/p99: {:.1}/{:.1} ms without listeners, {:.1}/{:.1} ms with",
        common::percentile(&quiet.round_trips_ms, 0.5),
        common::percentile(&quiet.round_trips_ms, 0.99),
        common::percentile(&live.round_trips_ms, 0.5),
        common::percentile(&live.round_trips_ms, 0.99),
    );
    eprintln!(
        "with listeners {live_rate:.0} msg/s, without {quiet_rate:.0} msg/s, ratio {ratio:.3} \
         on {} cores",
        common::cores()
    );
    println!(
        "{}",
        json!({
            "bench": "ingest",
            "profile": common::profile(),
            "messages": count,
            "senders": senders,
            "listeners": listeners,
            "backend": backend,
            "msgs_per_s": live_rate.round(),
            "baseline_msgs_per_s": quiet_rate.round(),
            "ratio": common::round(ratio, 4),
            "latency_ms": {
                "p50": common::round(p50, 2),
                "p99": common::round(p99, 2),
                "max": common::round(max, 2),
            },
            "post_round_trip_ms": {
                "p50": common::round(common::percentile(&live.round_trips_ms, 0.5), 2),
                "p99": common::round(common::percentile(&live.round_trips_ms, 0.99), 2),
                "baseline_p50": common::round(common::percentile(&quiet.round_trips_ms, 0.5), 2),
                "baseline_p99": common::round(common::percentile(&quiet.round_trips_ms, 0.99), 2),
            },
            "deliveries": latencies_ms.len(),
            "seconds": common::round(live.seconds, 3),
            "baseline_seconds": common::round(quiet.seconds, 3),
        })
    );
    Ok(())
}
