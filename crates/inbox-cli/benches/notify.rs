//! Benchmark: from a customer's message (the storefront API's POST) to the desktop
//! notification arriving on the session bus, while other conversations are busy.
//!
//! Starts the demo shop in-process over TLS on loopback, a recording notification server on a
//! private session bus (crates/notify-recorder), and the real `inbox watch` as a child process
//! signed in as a demo staff member, pointed at that bus. One conversation is assigned to
//! that staff member; `BUSY` (default 20) others to a colleague. Then, one at a time, the
//! customer posts `MESSAGES` (default 1,000) messages in the staff member's conversation and
//! the time from just before the POST to the Notify call's arrival at the recorder (stamped
//! by the recorder) is taken, while `RATE` (default 200) customer messages a second flow into
//! the colleague's conversations (they reach the same mirror but notify no one here).
//!
//! The baseline, in the same run: `BASELINE` (default 300) messages the same way with no
//! other traffic. Each message's time is also split at the moment `watch --json` prints the
//! synced batch: shop + sync (POST → mirror) and deciding + delivery (mirror → bus; that
//! includes printing the event, so it is an upper bound).
//!
//! `cargo bench -p inbox-cli --bench notify` (quicker: `MESSAGES=200 BASELINE=50 cargo bench
//! ...`). Needs `dbus-daemon`. Progress goes to stderr; the figures are one JSON line on stdout.

#[path = "../tests/common/mod.rs"]
mod common;

use std::collections::HashMap;
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};
use common::*;
use inbox_core::desktop_notify::MESSAGE_HINT;
use inbox_protocol::*;
use notify_recorder::Recorder;
use serde_json::{Value, json};

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn now_us() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_micros() as u64
}

/// When `watch` printed each synced customer message (µs since the epoch).
type Synced = Arc<Mutex<HashMap<i64, u64>>>;

struct Sample {
    total_ms: f64,
    to_mirror_ms: f64,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

struct Figures {
    p50: f64,
    p99: f64,
    max: f64,
    mirror_p50: f64,
    mirror_p99: f64,
}

fn figures(samples: &[Sample]) -> Figures {
    let mut total: Vec<f64> = samples.iter().map(|s| s.total_ms).collect();
    let mut mirror: Vec<f64> = samples.iter().map(|s| s.to_mirror_ms).collect();
    total.sort_by(f64::total_cmp);
    mirror.sort_by(f64::total_cmp);
    Figures {
        p50: percentile(&total, 50.0),
        p99: percentile(&total, 99.0),
        max: *total.last().unwrap(),
        mirror_p50: percentile(&mirror, 50.0),
        mirror_p99: percentile(&mirror, 99.0),
    }
}

/// Posts `n` messages one after another, each waiting for its notification on the bus.
async fn measure(
    recorder: &Recorder,
    synced: &Synced,
    customer: &inbox_core::ApiClient,
    chat: &ChatSession,
    n: u64,
    label: &str,
) -> Result<Vec<Sample>> {
    let mut samples = Vec::new();
    for i in 0..n {
        let started = now_us();
        let m = customer_says(customer, chat, &format!("{label} {i}: har ni den i blått?")).await;
        let id = m.id.to_string();
        let call = recorder
            .wait_for(Duration::from_secs(30), |c| {
                c.hint(MESSAGE_HINT) == Some(id.as_str())
            })
            .await?;
        let mirrored = synced.lock().unwrap().get(&m.id).copied();
        let mirrored = mirrored.unwrap_or(call.received_at_us);
        samples.push(Sample {
            total_ms: (call.received_at_us.saturating_sub(started)) as f64 / 1000.0,
            to_mirror_ms: (mirrored.saturating_sub(started)) as f64 / 1000.0,
        });
        if (i + 1) % 100 == 0 {
            eprintln!("{label}: {} of {n}", i + 1);
        }
    }
    Ok(samples)
}

async fn run() -> Result<()> {
    let (messages, baseline, rate, busy) = (
        env("MESSAGES", 1_000),
        env("BASELINE", 300),
        env("RATE", 200),
        env("BUSY", 20),
    );
    eprintln!("starting the demo shop, the recorder and `inbox watch`…");
    let shop = Shop::start().await;
    let recorder = Recorder::start().await?;
    let cli = Cli::new();
    cli.login(&shop).await;
    cli.run(&["sync"]).await.ok();

    let (_, me) = shop.api_as(shop.staff()).await;
    let (colleague_api, colleague) = shop.api_as(&shop.colleagues()[0]).await;
    let (customer, chat) = shop.customer("Elsa Öberg", "elsa@example.se").await;
    set_assignee(&colleague_api, chat.conversation_id, me.staff.id).await?;
    let mut others = Vec::new();
    for i in 0..busy {
        let (api, other) = shop
            .customer(&format!("Kund {i}"), &format!("busy{i}@example.se"))
            .await;
        set_assignee(&colleague_api, other.conversation_id, colleague.staff.id).await?;
        others.push((api, other));
    }

    let mut command = cli.command(&["watch", "--json"]);
    command
        .env("DBUS_SESSION_BUS_ADDRESS", recorder.address())
        .stderr(Stdio::inherit());
    let mut watch = command.spawn()?;
    let stdout = watch.stdout.take().context("stdout")?;
    let synced: Synced = Arc::default();
    let (live_tx, live_rx) = std::sync::mpsc::channel();
    {
        let synced = synced.clone();
        std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                let at = now_us();
                let Ok(v) = serde_json::from_str::<Value>(&line) else {
                    continue;
                };
                if v["event"] == "sync_state" && v["state"] == "live" {
                    let _ = live_tx.send(());
                }
                if v["event"] == "synced" {
                    let mut synced = synced.lock().unwrap();
                    for m in v["messages"].as_array().into_iter().flatten() {
                        if let Some(id) = m["message_id"].as_i64() {
                            synced.insert(id, at);
                        }
                    }
                }
            }
        });
    }
    tokio::task::spawn_blocking(move || live_rx.recv_timeout(Duration::from_secs(120))).await??;

    eprintln!("baseline: {baseline} messages, nothing else flowing");
    let quiet = measure(&recorder, &synced, &customer, &chat, baseline, "baseline").await?;

    eprintln!("{messages} messages while {rate} a second flow into {busy} other conversations");
    let posted = Arc::new(AtomicU64::new(0));
    let load = {
        let posted = posted.clone();
        let others = Arc::new(others);
        tokio::spawn(async move {
            let permits = Arc::new(tokio::sync::Semaphore::new(32));
            let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / rate.max(1)));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            let mut n = 0usize;
            loop {
                tick.tick().await;
                let permit = permits.clone().acquire_owned().await.unwrap();
                let (others, posted) = (others.clone(), posted.clone());
                n += 1;
                tokio::spawn(async move {
                    let (api, chat) = &others[n % others.len()];
                    customer_says(api, chat, &format!("busy {n}")).await;
                    posted.fetch_add(1, Ordering::Relaxed);
                    drop(permit);
                });
            }
        })
    };
    // Let the load settle before measuring.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (load_started, posted_before) = (Instant::now(), posted.load(Ordering::Relaxed));
    let loaded = measure(&recorder, &synced, &customer, &chat, messages, "loaded").await?;
    let achieved = (posted.load(Ordering::Relaxed) - posted_before) as f64
        / load_started.elapsed().as_secs_f64();
    load.abort();

    let calls = recorder.calls();
    let unexpected = calls.iter().filter(|c| c.body.starts_with("busy ")).count();
    if unexpected > 0 {
        bail!("{unexpected} notifications for the colleague's conversations");
    }
    let _ = std::process::Command::new("kill")
        .args(["-INT", &watch.id().to_string()])
        .status();
    let _ = watch.wait();

    let (q, l) = (figures(&quiet), figures(&loaded));
    eprintln!(
        "baseline:   p50 {:.1} ms, p99 {:.1} ms (POST → mirror p50 {:.1} ms)",
        q.p50, q.p99, q.mirror_p50
    );
    eprintln!(
        "under load: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms (POST → mirror p50 {:.1}, p99 {:.1} ms); {achieved:.0} other messages/s",
        l.p50, l.p99, l.max, l.mirror_p50, l.mirror_p99
    );
    println!(
        "{}",
        json!({
            "bench": "notify_latency",
            "messages": messages,
            "background_per_s_target": rate,
            "background_per_s_achieved": (achieved * 10.0).round() / 10.0,
            "busy_conversations": busy,
            "p50_ms": round(l.p50),
            "p99_ms": round(l.p99),
            "max_ms": round(l.max),
            "to_mirror_p50_ms": round(l.mirror_p50),
            "to_mirror_p99_ms": round(l.mirror_p99),
            "baseline_messages": baseline,
            "baseline_p50_ms": round(q.p50),
            "baseline_p99_ms": round(q.p99),
            "baseline_to_mirror_p50_ms": round(q.mirror_p50),
            "p50_vs_baseline": round(l.p50 / q.p50),
            "p99_vs_baseline": round(l.p99 / q.p99),
            "notifications_on_bus": calls.len(),
        })
    );
    Ok(())
}

fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

async fn set_assignee(api: &inbox_core::ApiClient, conversation_id: i64, to: i64) -> Result<()> {
    let _: Option<Conversation> = api
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/conversations/{conversation_id}/assignee"),
            &format!("bench-assign-{conversation_id}-{to}"),
            Some(&SetAssignee { staff_id: Some(to) }),
        )
        .await?;
    Ok(())
}

fn main() -> Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run())
}
