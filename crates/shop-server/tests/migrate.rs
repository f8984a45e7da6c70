//! `shop-server migrate`: a shop moves from SQLite to PostgreSQL whole (every row, the change
//! log and the history id), and a desktop's cursor from before the move goes on working after
//! it. Runs under `make pg-test`, where there is a PostgreSQL cluster to move to.

mod common;

use common::*;
use inbox_protocol::*;
use shop_server::storage::{Database, Db, copy};

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_shop_moves_to_postgres_whole_and_cursors_carry_on() {
    let Some(url) = postgres_database_with(false) else {
        eprintln!("not a PostgreSQL run: nowhere to move a shop to");
        return;
    };
    // A SQLite demo shop in use: a staff member syncs it and a customer chats.
    let shop = TestShop::on_sqlite(|_| {}).await;
    let session = shop.sign_in().await;
    let chat = shop.start_chat("Moving Day", "moving@example.com").await;
    shop.customer_says(&chat, "Before the move").await;
    // …and checks out, so the move carries an order with its lines and its discount rules.
    let products: ProductList = shop.get("/api/v1/storefront/products", "").await;
    let variant = products
        .products
        .iter()
        .flat_map(|p| &p.variants)
        .find(|v| v.stock > 0)
        .expect("something in stock")
        .id;
    let path = |rest: &str| {
        format!(
            "/api/v1/storefront/conversations/{}/{rest}",
            chat.conversation_id
        )
    };
    let added = shop
        .send(
            reqwest::Method::POST,
            &path("cart"),
            &chat.token,
            &CartChange {
                variant_id: variant,
                action: CartAction::Added,
                quantity: None,
            },
        )
        .await;
    let _: CartEvent = ok(added).await;
    let paid = shop
        .send(
            reqwest::Method::POST,
            &path("orders"),
            &chat.token,
            &PlaceOrder {
                email: "moving@example.com".into(),
                shipping_address: ShippingAddress {
                    name: "Moving Day".into(),
                    line1: "Flyttgatan 1".into(),
                    line2: None,
                    postal_code: "111 11".into(),
                    city: "Stockholm".into(),
                    country: "SE".into(),
                },
                shipping_method: "express".into(),
                card_number: TEST_CARD_SUCCEEDS.into(),
            },
        )
        .await;
    let _: OrderConfirmation = ok(paid).await;
    let before = shop.full_sync(&session.token).await;
    let cursor = before.last().expect("a synced shop").cursor.clone();
    let sqlite = shop.db_path();
    let dir = tempfile::tempdir().unwrap();
    // Stopped, its files kept.
    let TestShop {
        server, dir: kept, ..
    } = shop;
    server.expect("running").shutdown().await;

    // The command a shop runs.
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_shop-server"))
        .args(["migrate", "--from"])
        .arg(format!("sqlite:{}", sqlite.display()))
        .args(["--to", url.as_str()])
        .status()
        .expect("migrate runs");
    assert!(status.success());

    // Every row of every table is the same on both sides.
    let (from, to) = (
        Database::Sqlite(sqlite.clone()),
        Database::Postgres(url.clone()),
    );
    let (left, right) = std::thread::spawn(move || {
        let dump = |database: &Database| {
            let db = Db::connect(database).expect("opens");
            db.read_blocking(copy::dump).expect("dumps")
        };
        (dump(&from), dump(&to))
    })
    .join()
    .unwrap();
    assert!(left.len() > 10_000, "the demo shop is big: {}", left.len());
    assert!(left == right, "the moved shop differs from the original");
    assert!(
        left.iter().any(|row| row.starts_with("order_lines:")),
        "the checkout's order lines were part of the move"
    );

    // A second move into the now full database is refused.
    let again = std::process::Command::new(env!("CARGO_BIN_EXE_shop-server"))
        .args(["migrate", "--from"])
        .arg(format!("sqlite:{}", sqlite.display()))
        .args(["--to", url.as_str()])
        .output()
        .expect("migrate runs");
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("already holds a shop"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );

    // The server on PostgreSQL: the old token and the old cursor work, and the page after the
    // cursor is exactly what happened since.
    let moved = TestShop::with(|config| {
        config.database = Some(url.clone());
        config.data_dir = dir.path().to_owned();
    })
    .await;
    let token = session.token.clone();
    let empty: SyncPage = moved
        .get(&format!("/api/v1/sync?after={cursor}"), &token)
        .await;
    assert!(empty.changes.is_empty(), "nothing happened since the move");
    let reply = moved
        .send(
            reqwest::Method::POST,
            &format!("/api/v1/conversations/{}/messages", chat.conversation_id),
            &token,
            &SendMessage::Text {
                text: "After the move".into(),
            },
        )
        .await;
    let reply: Message = ok(reply).await;
    let page: SyncPage = moved
        .get(&format!("/api/v1/sync?after={cursor}"), &token)
        .await;
    assert!(
        page.changes
            .iter()
            .any(|c| matches!(&c.entity, Entity::Message(m) if m.id == reply.id)),
        "the reply written after the move follows the old cursor"
    );
    assert!(
        reply.id
            > before
                .iter()
                .filter_map(|c| match &c.entity {
                    Entity::Message(m) => Some(m.id),
                    _ => None,
                })
                .max()
                .unwrap(),
        "new ids follow the moved ones"
    );
    moved.stop().await;
    drop(kept);
}
