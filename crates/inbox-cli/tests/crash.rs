//! The engine as a separate process (`inbox sync`), SIGKILLed part-way through a first sync and
//! part-way through delivering queued replies, then run again: the mirror passes
//! `PRAGMA integrity_check`, ends equal to the shop, and no reply is lost or doubled.

mod common;

use std::process::Child;
use std::time::{Duration, Instant};

use common::*;
use inbox_core::ConversationSummary;

/// Polls `ready` every few milliseconds while `child` runs, then SIGKILLs it. Returns whether
/// the kill landed while it was still running (a child may also just finish first).
async fn kill_when(child: &mut Child, what: &str, ready: impl Fn() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        if ready() {
            // `Child::kill` is SIGKILL on Unix: no destructor, no rollback, no goodbye.
            child.kill().unwrap();
            child.wait().unwrap();
            return true;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

const ROWS: &str = "SELECT (SELECT count(*) FROM messages) + (SELECT count(*) FROM customers)
    + (SELECT count(*) FROM conversations) + (SELECT count(*) FROM orders)";

#[tokio::test(flavor = "multi_thread")]
async fn a_first_sync_killed_part_way_resumes_and_mirrors_the_shop_exactly() {
    let shop = Shop::start().await;
    let cli = Cli::new();
    cli.login(&shop).await;
    let expected = shop_entities(&shop.api().await).await;
    let total = expected
        .keys()
        .filter(|(kind, _)| {
            ["message", "customer", "conversation", "order"].contains(&kind.as_str())
        })
        .count() as i64;

    // Small pages make a first sync hundreds of transactions long; kill it at three depths.
    let mut interrupted = 0;
    for quarter in 1..=3 {
        let mut child = cli.spawn(&["sync", "--page-size", "20"]);
        let mirror = || cli.data.path().join("shops");
        let killed = kill_when(&mut child, "the sync to make progress", || {
            let Some(path) = find_mirror(&mirror()) else {
                return false;
            };
            let cursor_moved = mirror_count(
                &path,
                "SELECT length(cursor) > 0 AND caught_up = 0 FROM sync_state",
            ) == Some(1);
            cursor_moved && mirror_count(&path, ROWS).unwrap_or(0) >= total * quarter / 4
        })
        .await;
        let path = cli.mirror();
        eprintln!(
            "first sync killed: {killed}, with {:?} of {total} rows",
            mirror_count(&path, ROWS)
        );
        assert_eq!(integrity(&path), "ok", "after a kill at {quarter}/4");
        if killed && mirror_count(&path, "SELECT caught_up FROM sync_state") == Some(0) {
            interrupted += 1;
        }
    }
    assert!(
        interrupted >= 2,
        "the first sync was cut short part-way ({interrupted} of 3 kills landed)"
    );

    // Run again to the end: resumed from the saved cursor, the mirror is the shop.
    cli.run(&["sync"]).await.ok();
    let path = cli.mirror();
    assert_eq!(integrity(&path), "ok");
    assert_eq!(
        mirror_count(&path, "SELECT caught_up FROM sync_state"),
        Some(1)
    );
    assert_same(&expected, &mirror_entities(&path));
}

fn find_mirror(shops: &std::path::Path) -> Option<std::path::PathBuf> {
    // shops/<shop>/<staff id>/mirror.db
    let shop = std::fs::read_dir(shops).ok()?.next()?.ok()?.path();
    let staff = std::fs::read_dir(shop).ok()?.next()?.ok()?.path();
    let path = staff.join("mirror.db");
    path.exists().then_some(path)
}

#[tokio::test(flavor = "multi_thread")]
async fn replies_queued_offline_and_killed_mid_delivery_reach_the_shop_exactly_once() {
    let mut shop = Shop::start().await;
    let cli = Cli::new();
    cli.login(&shop).await;
    cli.run(&["sync"]).await.ok();
    let open: Vec<ConversationSummary> = cli.run(&["conversations", "--json"]).await.json();
    let target = open[0].id;

    // Twenty replies written while the shop is away: each `send` tries, fails and queues.
    shop.stop().await;
    let texts: Vec<String> = (1..=20)
        .map(|n| format!("Svar nummer {n} från kraschtestet"))
        .collect();
    for text in &texts {
        let run = cli.run(&["send", &target.to_string(), text]).await;
        assert!(run.ok().stdout.contains("queued"), "{run:#?}");
    }
    let path = cli.mirror();
    let queued = || mirror_count(&path, "SELECT count(*) FROM outbox").unwrap_or(-1);
    assert_eq!(queued(), 20);
    // The mirror as it is before any delivery, to bring back below.
    let before = tempfile::tempdir().unwrap();
    let files = ["mirror.db", "mirror.db-wal", "mirror.db-shm"];
    for file in files {
        let from = path.with_file_name(file);
        if from.exists() {
            std::fs::copy(&from, before.path().join(file)).unwrap();
        }
    }

    // The shop is back; each sync is killed after a few more deliveries.
    shop.restart().await;
    let mut interrupted = 0;
    for left in [17, 11, 5] {
        let mut child = cli.spawn(&["sync"]);
        let killed = kill_when(&mut child, "deliveries", || (0..=left).contains(&queued())).await;
        eprintln!("sync killed: {killed}, with {} queued", queued());
        assert_eq!(integrity(&path), "ok", "after a kill with {left} left");
        if killed && queued() > 0 {
            interrupted += 1;
        }
    }
    assert!(
        interrupted >= 2,
        "deliveries were cut short part-way ({interrupted} of 3 kills landed)"
    );

    // One more sync finishes the job.
    cli.run(&["sync"]).await.ok();
    assert_eq!(integrity(&path), "ok");
    assert_eq!(queued(), 0, "the outbox is empty");
    let detail = shop.conversation(target).await;
    for text in &texts {
        let copies = detail
            .messages
            .iter()
            .filter(|m| m.body.text() == Some(text.as_str()))
            .count();
        assert_eq!(copies, 1, "{text:?} is on the shop exactly once");
    }
    // In order, as written.
    let order: Vec<&str> = detail
        .messages
        .iter()
        .filter_map(|m| m.body.text())
        .filter(|t| t.contains("kraschtestet"))
        .collect();
    assert_eq!(order, texts.iter().map(String::as_str).collect::<Vec<_>>());
    // The mirror holds the shop's copies and no local echo.
    assert_eq!(
        mirror_count(&path, "SELECT count(*) FROM messages WHERE id < 0"),
        Some(0)
    );
    assert_eq!(
        mirror_count(
            &path,
            "SELECT count(*) FROM messages WHERE text LIKE '%kraschtestet'"
        ),
        Some(20)
    );
    assert_same(
        &shop_entities(&shop.api().await).await,
        &mirror_entities(&path),
    );

    // The worst moment to die is after the shop took a reply and before the mirror noted it.
    // Bringing back the mirror from before any delivery is that, for all twenty at once: the
    // next sync sends them again with the same idempotency keys, and the shop keeps one copy.
    for file in files {
        let _ = std::fs::remove_file(path.with_file_name(file));
        let from = before.path().join(file);
        if from.exists() {
            std::fs::copy(&from, path.with_file_name(file)).unwrap();
        }
    }
    assert_eq!(queued(), 20);
    let again = cli
        .run(&["sync", "--json"])
        .await
        .json::<serde_json::Value>();
    assert_eq!(again["delivered"], 20, "{again}");
    assert_eq!(queued(), 0);
    let detail = shop.conversation(target).await;
    for text in &texts {
        let copies = detail
            .messages
            .iter()
            .filter(|m| m.body.text() == Some(text.as_str()))
            .count();
        assert_eq!(copies, 1, "{text:?} is still on the shop exactly once");
    }
    assert_same(
        &shop_entities(&shop.api().await).await,
        &mirror_entities(&path),
    );
    shop.stop().await;
}
