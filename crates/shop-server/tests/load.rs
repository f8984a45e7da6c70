//! A bounded load test of the public server (loopback, about a minute): 300 customer chat
//! streams open and 20 customer messages a second while a staff client syncs and replies, then
//! 100 parallel wrong-password sign-ins. It asserts what must hold whatever the machine's speed
//! — nothing lost in either direction, every limit answering as designed, no server error —
//! and prints the figures docs/benchmarks.md records (staff sync latency against the idle
//! baseline of the same run, server memory around the burst). Speed is reported, not asserted.
//!
//! `LOAD_SECONDS` (default 20) and `SETTLE_SECONDS` (default 20) lengthen it; run it in release
//! for the recorded figures: `cargo test --release -p shop-server --test load -- --nocapture`.

mod common;

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use futures_util::StreamExt;
use inbox_protocol::*;
use reqwest::StatusCode;

const ADDRESSES: usize = 30;
const CHATS_PER_ADDRESS: usize = 10;
const MESSAGES_PER_SECOND: u64 = 20;

fn seconds(name: &str, default: u64) -> Duration {
    Duration::from_secs(
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default),
    )
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let rank = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[rank.min(samples.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

struct Chat {
    client: reqwest::Client,
    session: ChatSession,
    /// Staff message ids this chat's stream delivered.
    received: Arc<Mutex<BTreeSet<i64>>>,
}

/// The ids of the messages among `changes`.
fn message_ids(changes: Vec<Change>) -> impl Iterator<Item = i64> {
    changes.into_iter().filter_map(|c| match c.entity {
        Entity::Message(m) => Some(m.id),
        _ => None,
    })
}

/// Syncs until every id in `posted` is in `seen` (or 30 s pass).
async fn catch_up(
    shop: &ShopProcess,
    token: &str,
    cursor: &mut String,
    posted: &BTreeSet<i64>,
    seen: &mut BTreeSet<i64>,
) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !posted.is_subset(seen) && Instant::now() < deadline {
        let (_, next, changes) = staff_sync(shop, token, cursor).await;
        *cursor = next;
        seen.extend(message_ids(changes));
    }
}

/// One incremental staff sync from `cursor`, timed; returns the new cursor and what came.
async fn staff_sync(
    shop: &ShopProcess,
    token: &str,
    cursor: &str,
) -> (Duration, String, Vec<Change>) {
    let started = Instant::now();
    let mut changes = Vec::new();
    let mut cursor = cursor.to_owned();
    loop {
        let page: SyncPage = ok(shop
            .client
            .get(format!(
                "{}/api/v1/sync?limit=1000&after={cursor}",
                shop.url
            ))
            .bearer_auth(token)
            .send()
            .await
            .unwrap())
        .await;
        changes.extend(page.changes);
        cursor = page.next_cursor;
        if !page.has_more {
            return (started.elapsed(), cursor, changes);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_server_holds_up_under_chat_load_and_a_sign_in_burst() {
    let load_for = seconds("LOAD_SECONDS", 20);
    let settle_for = seconds("SETTLE_SECONDS", 20);
    let dir = tempfile::tempdir().unwrap();
    let shop = ShopProcess::start(dir.path());
    let staff = shop.sign_in().await;
    let (_, mut cursor, _) = staff_sync(&shop, &staff.token, "").await;

    // Idle baseline: the same incremental syncs with nobody chatting.
    let mut idle = Vec::new();
    for _ in 0..100 {
        let (took, next, _) = staff_sync(&shop, &staff.token, &cursor).await;
        idle.push(took);
        cursor = next;
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let rss_idle = shop.rss_kib();

    // 300 chats from 30 addresses, each with its live stream open.
    let mut chats = Vec::new();
    for a in 0..ADDRESSES {
        let client = shop.client_from(&format!("127.0.1.{}", a + 1));
        for c in 0..CHATS_PER_ADDRESS {
            let session: ChatSession = ok(client
                .post(format!("{}/api/v1/storefront/chats", shop.url))
                .json(&StartChat {
                    name: format!("Load {a}-{c}"),
                    email: format!("load{a}.{c}@example.com"),
                    platform: Platform::OnlineStore,
                })
                .send()
                .await
                .unwrap())
            .await;
            chats.push(Arc::new(Chat {
                client: client.clone(),
                session,
                received: Arc::default(),
            }));
        }
    }
    let mut readers = Vec::new();
    for chat in &chats {
        let response = chat
            .client
            .get(format!("{}{}", shop.url, chat_events_path(&chat.session)))
            .bearer_auth(&chat.session.token)
            .timeout(Duration::from_secs(3600))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "a chat stream opens");
        let chat = chat.clone();
        readers.push(tokio::spawn(async move {
            let mut events = eventsource_stream::Eventsource::eventsource(response.bytes_stream());
            while let Some(Ok(event)) = events.next().await {
                if event.event != "message" {
                    continue;
                }
                if let Ok(ChatEvent::Message(m)) = serde_json::from_str::<ChatEvent>(&event.data)
                    && matches!(m.author, Author::Staff { .. })
                {
                    chat.received.lock().unwrap().insert(m.id);
                }
            }
        }));
    }
    let rss_streams = shop.rss_kib();

    // Load: 20 customer messages a second over the chats, a staff reply every second, and the
    // staff client syncing every 100 ms.
    let posted = Arc::new(Mutex::new(BTreeSet::new()));
    let replies: Arc<Mutex<HashMap<i64, Vec<i64>>>> = Arc::default();
    let errors = Arc::new(Mutex::new(Vec::<String>::new()));
    let started = Instant::now();
    let sender = {
        let (chats, posted, errors, url) = (
            chats.clone(),
            posted.clone(),
            errors.clone(),
            shop.url.clone(),
        );
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(1000 / MESSAGES_PER_SECOND));
            let mut n = 0usize;
            while started.elapsed() < load_for {
                tick.tick().await;
                let chat = &chats[(n * 7) % chats.len()];
                let response = chat
                    .client
                    .post(format!(
                        "{url}/api/v1/storefront/conversations/{}/messages",
                        chat.session.conversation_id
                    ))
                    .bearer_auth(&chat.session.token)
                    .json(&CustomerText {
                        text: format!("message {n}: do you ship to Norway?"),
                    })
                    .send()
                    .await
                    .unwrap();
                if response.status() == StatusCode::CREATED {
                    let m: Message = response.json().await.unwrap();
                    posted.lock().unwrap().insert(m.id);
                } else {
                    errors
                        .lock()
                        .unwrap()
                        .push(format!("message: {}", response.status()));
                }
                n += 1;
            }
        })
    };
    let mut loaded = Vec::new();
    let mut seen = BTreeSet::new();
    let mut next_reply = Instant::now();
    let mut r = 0usize;
    while started.elapsed() < load_for {
        let (took, next, changes) = staff_sync(&shop, &staff.token, &cursor).await;
        loaded.push(took);
        cursor = next;
        seen.extend(message_ids(changes));
        if Instant::now() >= next_reply {
            let chat = &chats[(r * 13) % chats.len()];
            let reply: Message = ok(shop
                .client
                .post(format!(
                    "{}/api/v1/conversations/{}/messages",
                    shop.url, chat.session.conversation_id
                ))
                .bearer_auth(&staff.token)
                .json(&SendMessage::Text {
                    text: format!("reply {r}"),
                })
                .send()
                .await
                .unwrap())
            .await;
            replies
                .lock()
                .unwrap()
                .entry(chat.session.conversation_id)
                .or_default()
                .push(reply.id);
            r += 1;
            next_reply += Duration::from_secs(1);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    sender.await.unwrap();
    assert!(
        errors.lock().unwrap().is_empty(),
        "{:?}",
        errors.lock().unwrap()
    );

    // Nothing lost: every customer message reaches the staff feed, every reply its chat stream.
    let posted = posted.lock().unwrap().clone();
    catch_up(&shop, &staff.token, &mut cursor, &posted, &mut seen).await;
    let missing: Vec<_> = posted.difference(&seen).collect();
    assert!(
        missing.is_empty(),
        "{} messages never reached staff",
        missing.len()
    );
    let replies = replies.lock().unwrap().clone();
    let delivered = |chats: &[Arc<Chat>]| {
        chats.iter().all(|chat| {
            replies
                .get(&chat.session.conversation_id)
                .is_none_or(|ids| {
                    ids.iter()
                        .all(|id| chat.received.lock().unwrap().contains(id))
                })
        })
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while !delivered(&chats) && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        delivered(&chats),
        "a staff reply never reached its chat stream"
    );
    let sent_count = posted.len();
    let reply_count: usize = replies.values().map(Vec::len).sum();

    // The burst: 100 parallel wrong passwords. Each is counted before its check, so at most the
    // free failures (and the one that starts the back-off) run Argon2; the rest are told to wait.
    let rss_before_burst = shop.rss_kib();
    let attacker = shop.client_from("127.0.2.1");
    let guesses = (0..100).map(|i| {
        let (attacker, url) = (attacker.clone(), shop.url.clone());
        async move {
            attacker
                .post(format!("{url}/api/v1/auth/sign-in"))
                .json(&SignInRequest {
                    email: "astrid@nordlys.example".into(),
                    password: format!("guess {i}"),
                })
                .send()
                .await
                .unwrap()
                .status()
        }
    });
    let answers = futures_util::future::join_all(guesses).await;
    let checked = answers
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let limited = answers
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(checked + limited, 100, "{answers:?}");
    assert!(checked <= 6, "{checked} passwords were checked");
    // The staff member still signs in from their own address.
    shop.sign_in().await;
    let rss_after_burst = shop.rss_kib();
    for reader in readers {
        reader.abort();
    }
    tokio::time::sleep(settle_for).await;
    let rss_settled = shop.rss_kib();

    let p50_idle = percentile(&mut idle, 0.5);
    let p99_idle = percentile(&mut idle, 0.99);
    let p50_load = percentile(&mut loaded, 0.5);
    let p99_load = percentile(&mut loaded, 0.99);
    println!(
        "load: {} chat streams, {sent_count} customer messages and {reply_count} staff replies in {} s",
        chats.len(),
        load_for.as_secs()
    );
    println!(
        "staff sync   idle p50 {:.1} ms p99 {:.1} ms | under load p50 {:.1} ms p99 {:.1} ms | p99 ratio {:.2}x",
        ms(p50_idle),
        ms(p99_idle),
        ms(p50_load),
        ms(p99_load),
        p99_load.as_secs_f64() / p99_idle.as_secs_f64().max(1e-6)
    );
    println!(
        "server RSS   idle {} MiB | 300 streams {} MiB | before burst {} MiB | after burst {} MiB (+{} MiB) | {} s later {} MiB",
        rss_idle / 1024,
        rss_streams / 1024,
        rss_before_burst / 1024,
        rss_after_burst / 1024,
        rss_after_burst.saturating_sub(rss_before_burst) / 1024,
        settle_for.as_secs(),
        rss_settled / 1024
    );
    println!("sign-in burst: {checked} checked (401), {limited} told to wait (429)");
    shop.kill();
}

/// `make soak`: half an hour (`SOAK_MINUTES`) of everything at once against one server process:
/// 200 customers in chat and writing, staff syncing, replying and sending images, chat streams
/// dropped and reopened. No request may fail, nothing may be lost, and the server's
/// memory may grow less than 10 % from the end of the warm-up (a fifth of the run) to the end.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "half an hour; run with `make soak`"]
async fn soak() {
    let minutes = std::env::var("SOAK_MINUTES")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(30);
    let run_for = Duration::from_secs(minutes * 60);
    let warm_up = run_for / 5;
    let dir = tempfile::tempdir().unwrap();
    let shop = ShopProcess::start(dir.path());
    let staff = shop.sign_in().await;
    let (_, mut cursor, _) = staff_sync(&shop, &staff.token, "").await;
    let image = {
        let img =
            image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 3, y as u8 * 5, 90]));
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    };

    let started = Instant::now();
    let sample_every = (run_for / 30).max(Duration::from_secs(2));
    let mut next_sample = started + sample_every;
    let mut chats: Vec<Arc<Chat>> = Vec::new();
    let mut streams: Vec<tokio::task::JoinHandle<()>> = Vec::new();
    let mut posted = BTreeSet::new();
    let mut seen = BTreeSet::new();
    let mut replies: Vec<(usize, i64)> = Vec::new();
    let mut samples: Vec<(Duration, u64)> = Vec::new();
    let mut syncs = Vec::new();
    let mut tick = 0u64;
    let open_stream = |chat: Arc<Chat>, url: String| {
        tokio::spawn(async move {
            let Ok(response) = chat
                .client
                .get(format!("{url}{}", chat_events_path(&chat.session)))
                .bearer_auth(&chat.session.token)
                .timeout(Duration::from_secs(3600))
                .send()
                .await
            else {
                return;
            };
            let mut events = eventsource_stream::Eventsource::eventsource(response.bytes_stream());
            while let Some(Ok(event)) = events.next().await {
                if let Ok(ChatEvent::Message(m)) = serde_json::from_str::<ChatEvent>(&event.data)
                    && matches!(m.author, Author::Staff { .. })
                {
                    chat.received.lock().unwrap().insert(m.id);
                }
            }
        })
    };
    while started.elapsed() < run_for {
        tick += 1;
        // 200 customers from 20 addresses, all there from the start so the workload is the same
        // from the warm-up to the end and memory growth means a leak, not more work.
        while chats.len() < 200 {
            let a = chats.len() % 20;
            let client = shop.client_from(&format!("127.0.3.{}", a + 1));
            let session: ChatSession = ok(client
                .post(format!("{}/api/v1/storefront/chats", shop.url))
                .json(&StartChat {
                    name: format!("Soak {}", chats.len()),
                    email: format!("soak{}@example.com", chats.len()),
                    platform: Platform::OnlineStore,
                })
                .send()
                .await
                .unwrap())
            .await;
            let chat = Arc::new(Chat {
                client,
                session,
                received: Arc::default(),
            });
            streams.push(open_stream(chat.clone(), shop.url.clone()));
            chats.push(chat);
        }
        // Five customer messages a second.
        if tick.is_multiple_of(2) && !chats.is_empty() {
            let chat = &chats[(tick as usize * 7) % chats.len()];
            let m: Message = ok(chat
                .client
                .post(format!(
                    "{}/api/v1/storefront/conversations/{}/messages",
                    shop.url, chat.session.conversation_id
                ))
                .bearer_auth(&chat.session.token)
                .json(&CustomerText {
                    text: format!("soak message {tick}"),
                })
                .send()
                .await
                .unwrap())
            .await;
            posted.insert(m.id);
        }
        // Staff: a sync every 100 ms, a reply every 2 s, an image every 10 s.
        let (took, next, changes) = staff_sync(&shop, &staff.token, &cursor).await;
        syncs.push(took);
        cursor = next;
        seen.extend(message_ids(changes));
        if tick.is_multiple_of(20) && !chats.is_empty() {
            let which = (tick as usize * 13) % chats.len();
            let id = chats[which].session.conversation_id;
            let send = if tick.is_multiple_of(100) {
                let upload: Attachment = ok(shop
                    .client
                    .post(format!("{}/api/v1/uploads", shop.url))
                    .bearer_auth(&staff.token)
                    .header("content-type", "image/png")
                    .body(image.clone())
                    .send()
                    .await
                    .unwrap())
                .await;
                SendMessage::Attachment {
                    upload_id: upload.upload_id,
                    text: None,
                }
            } else {
                SendMessage::Text {
                    text: format!("reply {tick}"),
                }
            };
            let reply: Message = ok(shop
                .client
                .post(format!("{}/api/v1/conversations/{id}/messages", shop.url))
                .bearer_auth(&staff.token)
                .json(&send)
                .send()
                .await
                .unwrap())
            .await;
            replies.push((which, reply.id));
        }
        // Every 30 s a tenth of the chat streams drop and reconnect.
        if tick.is_multiple_of(300) {
            for (i, chat) in chats.iter().enumerate() {
                if i % 10 == (tick as usize / 300) % 10 {
                    streams[i].abort();
                    streams[i] = open_stream(chat.clone(), shop.url.clone());
                }
            }
        }
        if Instant::now() >= next_sample {
            next_sample += sample_every;
            samples.push((started.elapsed(), shop.rss_kib()));
            eprintln!(
                "soak {:>4.1} min: {} chats, {} messages, {} replies, RSS {} MiB",
                started.elapsed().as_secs_f64() / 60.0,
                chats.len(),
                posted.len(),
                replies.len(),
                shop.rss_kib() / 1024
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Nothing lost: every customer message in the staff feed, and every reply in its chat's
    // transcript (what a reconnecting widget reloads; streams were dropped along the way).
    catch_up(&shop, &staff.token, &mut cursor, &posted, &mut seen).await;
    assert!(
        posted.is_subset(&seen),
        "customer messages never reached staff"
    );
    for (which, reply) in &replies {
        let chat = &chats[*which];
        let transcript: ChatTranscript = ok(chat
            .client
            .get(format!(
                "{}/api/v1/storefront/conversations/{}",
                shop.url, chat.session.conversation_id
            ))
            .bearer_auth(&chat.session.token)
            .send()
            .await
            .unwrap())
        .await;
        assert!(
            transcript.messages.iter().any(|m| m.id == *reply),
            "a staff reply is missing from its chat"
        );
    }
    let warm = samples
        .iter()
        .find(|(at, _)| *at >= warm_up)
        .or(samples.first())
        .map(|(_, rss)| *rss)
        .unwrap_or(0);
    let end = shop.rss_kib();
    let growth = end as f64 / warm.max(1) as f64 - 1.0;
    let p99 = percentile(&mut syncs, 0.99);
    println!(
        "soak: {minutes} min, {} chats, {} customer messages, {} staff replies ({} images), {} stream reconnects",
        chats.len(),
        posted.len(),
        replies.len(),
        tick / 100,
        (tick / 300) as usize * chats.len() / 10
    );
    println!(
        "soak: staff sync p99 {:.1} ms; RSS after warm-up {} MiB, at the end {} MiB ({:+.1} %)",
        ms(p99),
        warm / 1024,
        end / 1024,
        growth * 100.0
    );
    for stream in streams {
        stream.abort();
    }
    assert!(
        growth < 0.10,
        "RSS grew {:.1} % during the soak",
        growth * 100.0
    );
    shop.kill();
}
