//! The storage seam on whichever backend this run uses: the SQLite file by default, a
//! PostgreSQL database under scripts/with-postgres.sh (`make pg-test`). Every backend must give
//! the same guarantees the feed and the live streams rely on.

mod common;

use std::time::Duration;

use shop_server::storage::{Database, Db, changes, mutations};

/// A fresh, empty database of this run's backend.
fn database(dir: &std::path::Path) -> Database {
    match common::postgres_database_with(false) {
        Some(url) => Database::Postgres(url),
        None => Database::Sqlite(dir.join("shop.db")),
    }
}

fn open(database: &Database) -> Db {
    let database = database.clone();
    std::thread::spawn(move || Db::connect(&database))
        .join()
        .expect("opening")
        .expect("the database opens")
}

#[tokio::test(flavor = "multi_thread")]
async fn racing_writers_leave_a_log_read_in_commit_order_and_a_signal_that_only_moves_forward() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(&database(dir.path()));
    let mut watcher = db.subscribe();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let record = seen.clone();
    let watching = tokio::spawn(async move {
        while watcher.changed().await.is_ok() {
            record.lock().unwrap().push(*watcher.borrow_and_update());
        }
    });
    let writers: Vec<_> = (0..6)
        .map(|w| {
            let db = db.clone();
            std::thread::spawn(move || {
                for i in 0..60 {
                    db.write_blocking(|tx| {
                        changes::touch(tx, changes::Kind::Message, w * 1_000 + i, 0)
                    })
                    .unwrap();
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().unwrap();
    }
    let committed = db.committed_seq().await.unwrap();
    assert_eq!(
        db.latest_seq(),
        committed,
        "the signal ends at the newest commit"
    );
    let rows = db.read(|sql| changes::after(sql, 0, 10_000)).await.unwrap();
    assert_eq!(rows.len(), 360, "every change is in the log once");
    assert!(rows.windows(2).all(|w| w[0].0 < w[1].0));
    tokio::time::sleep(Duration::from_millis(50)).await;
    watching.abort();
    let seen = seen.lock().unwrap().clone();
    assert!(!seen.is_empty());
    assert!(
        seen.windows(2).all(|w| w[0] < w[1]),
        "the signal only moves forward"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reopened_database_keeps_its_shop_and_migrates_nothing_twice() {
    let dir = tempfile::tempdir().unwrap();
    let database = database(dir.path());
    let first = open(&database);
    let history = first
        .write(|tx| {
            let (shop, _) = shop_server::open_shop(tx, "Shop", "SEK", "Europe/Stockholm", None)?;
            mutations::set_meta(tx, "probe", "kept")?;
            Ok(shop.history_id)
        })
        .await
        .unwrap();
    drop(first);
    let again = open(&database);
    let (kept, probe) = again
        .write(|tx| {
            let (shop, _) =
                shop_server::open_shop(tx, "Another name", "EUR", "Europe/Paris", None)?;
            Ok((shop, shop_server::storage::records::meta(tx, "probe")?))
        })
        .await
        .unwrap();
    assert_eq!(
        kept.history_id, history,
        "the shop's history id survives a restart"
    );
    assert_eq!(kept.name, "Shop");
    assert_eq!(
        kept.time_zone, "Europe/Stockholm",
        "the time zone is the shop's, set when it was made"
    );
    assert_eq!(probe.as_deref(), Some("kept"));
}

/// Two servers on one PostgreSQL database: a commit through one wakes the other's streams.
#[tokio::test(flavor = "multi_thread")]
async fn a_commit_on_one_instance_wakes_the_other() {
    let Some(url) = common::postgres_database_with(false) else {
        // One SQLite file is served by one process; there is no other instance to wake.
        return;
    };
    let database = Database::Postgres(url);
    let a = open(&database);
    let b = open(&database);
    let mut on_b = b.subscribe();
    let before = *on_b.borrow_and_update();
    a.write(|tx| changes::touch(tx, changes::Kind::Message, 42, 0))
        .await
        .unwrap();
    let committed = a.latest_seq();
    assert!(committed > before);
    tokio::time::timeout(Duration::from_secs(5), async {
        while *on_b.borrow_and_update() < committed {
            on_b.changed().await.unwrap();
        }
    })
    .await
    .expect("instance B hears of A's commit");
    let seen_on_b = b
        .read(move |sql| changes::after(sql, before, 10))
        .await
        .unwrap();
    assert_eq!(seen_on_b.len(), 1);
    assert_eq!(seen_on_b[0].2, 42);
}
