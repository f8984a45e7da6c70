//! The mirror against a real shop server over TLS: first sync, live push, and working offline.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use inbox_core::*;
use inbox_protocol::*;
use serde_json::Value;

struct Shop {
    server: Option<shop_server::Running>,
    dir: tempfile::TempDir,
    ca: std::path::PathBuf,
    url: String,
    addr: SocketAddr,
}

impl Shop {
    async fn start() -> Shop {
        let dir = tempfile::tempdir().unwrap();
        let server = Shop::run(dir.path(), None).await;
        Shop {
            ca: server.announcement.ca.clone().unwrap(),
            url: server.url().to_owned(),
            addr: server.addr,
            server: Some(server),
            dir,
        }
    }

    async fn run(dir: &Path, addr: Option<SocketAddr>) -> shop_server::Running {
        let mut config = shop_server::Config::new(dir.join("shop"));
        config.limits = shop_server::limits::LimitsConfig::many_customers_from_one_address();
        config.demo = true;
        config.heartbeat = Duration::from_secs(1);
        if let Some(addr) = addr {
            config.listen = addr;
        }
        shop_server::start(config).await.unwrap()
    }

    async fn stop(&mut self) {
        self.server.take().unwrap().shutdown().await;
    }

    /// Starts again on the same address and data.
    async fn restart(&mut self) {
        self.server = Some(Shop::run(self.dir.path(), Some(self.addr)).await);
    }

    /// Starts again on the same address and certificate with a new database, as a shop set
    /// up again from scratch: a new history whose ids are handed out again from the start.
    async fn replace(&mut self) {
        for file in ["shop.db", "shop.db-wal", "shop.db-shm"] {
            let _ = std::fs::remove_file(self.dir.path().join("shop").join(file));
        }
        self.restart().await;
    }

    fn credentials(&self) -> shop_server::DemoStaff {
        let staff = self
            .server
            .as_ref()
            .unwrap()
            .announcement
            .demo_staff
            .clone()
            .unwrap();
        staff.into_iter().find(|s| s.chat_permission).unwrap()
    }

    fn address(&self) -> ShopAddress {
        ShopAddress {
            url: self.url.clone(),
            ca_pem: Some(std::fs::read(&self.ca).unwrap()),
        }
    }

    /// Signs in and opens a mirror in its own data dir.
    async fn inbox(&self, data: &Path) -> (Inbox, String) {
        self.inbox_as(data, &self.credentials()).await
    }

    /// The demo staff members with the chat permission.
    fn chatters(&self) -> Vec<shop_server::DemoStaff> {
        let staff = self
            .server
            .as_ref()
            .unwrap()
            .announcement
            .demo_staff
            .clone();
        staff
            .unwrap()
            .into_iter()
            .filter(|s| s.chat_permission)
            .collect()
    }

    /// Signs in as `who` and opens a mirror in its own data dir.
    async fn inbox_as(&self, data: &Path, who: &shop_server::DemoStaff) -> (Inbox, String) {
        let session = ApiClient::new(&self.address())
            .unwrap()
            .sign_in(&who.email, &who.password)
            .await
            .unwrap();
        let account = Account {
            shop_url: self.url.clone(),
            ca_path: Some(self.ca.clone()),
            staff: session.staff,
        };
        (
            Inbox::open(data, account, Some(session.token.clone())).unwrap(),
            session.token,
        )
    }

    async fn customer(&self) -> (ApiClient, ChatSession) {
        self.customer_named("Saga Holm", "saga@example.se").await
    }

    async fn customer_named(&self, name: &str, email: &str) -> (ApiClient, ChatSession) {
        let api = ApiClient::new(&self.address()).unwrap();
        let chat: ChatSession = api
            .send(
                reqwest::Method::POST,
                "/api/v1/storefront/chats",
                &format!("start-{email}"),
                Some(&StartChat {
                    name: name.into(),
                    email: email.into(),
                    platform: Platform::OnlineStore,
                }),
            )
            .await
            .unwrap()
            .unwrap();
        (api.with_token(chat.token.clone()), chat)
    }
}

async fn customer_says(api: &ApiClient, chat: &ChatSession, text: &str) -> Message {
    let key = format!("{:x}", rand::random::<u64>());
    api.send(
        reqwest::Method::POST,
        &format!(
            "/api/v1/storefront/conversations/{}/messages",
            chat.conversation_id
        ),
        &key,
        Some(&CustomerText { text: text.into() }),
    )
    .await
    .unwrap()
    .unwrap()
}

/// Every entity in the shop as the feed gives it, keyed by kind and id.
async fn shop_entities(shop: &Shop, token: &str) -> BTreeMap<(String, i64), Value> {
    let api = ApiClient::new(&shop.address()).unwrap().with_token(token);
    let mut all = BTreeMap::new();
    let mut cursor = String::new();
    loop {
        let page = api.sync_page(&cursor, 5_000, false).await.unwrap();
        for change in page.changes {
            // Through text, as on the wire: `to_value` would widen f32 confidences to f64.
            let value: Value =
                serde_json::from_str(&serde_json::to_string(&change.entity).unwrap()).unwrap();
            let kind = value["entity"].as_str().unwrap().to_owned();
            let data = value["data"].clone();
            let id = match &change.entity {
                Entity::Cart(c) => c.customer_id,
                Entity::ReadState(r) => r.conversation_id,
                _ => data["id"].as_i64().unwrap(),
            };
            all.insert((kind, id), data);
        }
        cursor = page.next_cursor;
        if !page.has_more {
            return all;
        }
    }
}

/// Every entity in the mirror, keyed the same way.
fn mirror_entities(path: &Path) -> BTreeMap<(String, i64), Value> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut all = BTreeMap::new();
    for (kind, table, id) in [
        ("staff", "staff", "id"),
        ("customer", "customers", "id"),
        ("conversation", "conversations", "id"),
        ("message", "messages", "id"),
        ("cart_event", "cart_events", "id"),
        ("read_state", "read_states", "conversation_id"),
        ("note", "notes", "id"),
        ("saved_reply", "saved_replies", "id"),
        ("cart", "carts", "customer_id"),
        ("order", "orders", "id"),
        ("order_event", "order_events", "id"),
    ] {
        let mut stmt = conn
            .prepare(&format!("SELECT {id}, data FROM {table}"))
            .unwrap();
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
            .unwrap();
        for row in rows {
            let (id, data) = row.unwrap();
            all.insert((kind.to_owned(), id), serde_json::from_str(&data).unwrap());
        }
    }
    all
}

async fn wait_for<F: Fn() -> Fut, Fut: Future<Output = bool>>(what: &str, check: F) {
    for _ in 0..400 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test(flavor = "multi_thread")]
async fn first_sync_mirrors_the_demo_shop_exactly() {
    let shop = Shop::start().await;
    let data = tempfile::tempdir().unwrap();
    let (inbox, token) = shop.inbox(data.path()).await;
    let mut events = inbox.events();
    inbox.sync_once().await.unwrap();

    let expected = shop_entities(&shop, &token).await;
    let mirrored = mirror_entities(inbox.store().path());
    assert!(
        expected.len() > 5_000,
        "the demo shop is sizeable: {}",
        expected.len()
    );
    let missing: Vec<_> = expected
        .keys()
        .filter(|k| !mirrored.contains_key(*k))
        .take(5)
        .collect();
    assert!(missing.is_empty(), "not mirrored: {missing:?}");
    let extra: Vec<_> = mirrored
        .keys()
        .filter(|k| !expected.contains_key(*k))
        .take(5)
        .collect();
    assert!(extra.is_empty(), "mirrored but not in the shop: {extra:?}");
    for (key, value) in &expected {
        assert_eq!(&mirrored[key], value, "{key:?} differs");
    }

    // Progress was reported as n of total.
    let mut progress = Vec::new();
    while let Ok(Some(event)) = tokio::time::timeout(Duration::from_millis(10), events.next()).await
    {
        if let Event::SyncState(SyncState::Syncing { done, total }) = event {
            progress.push((done, total));
        }
    }
    assert!(!progress.is_empty(), "progress events");
    let total = progress[0].1.expect("the first page counts the total");
    assert!(progress.windows(2).all(|w| w[0].0 < w[1].0) && progress.iter().all(|p| p.0 <= total));

    // Lists come out of the mirror: open, newest first, with at most two labels.
    let open = inbox.conversations(ListFilter::default()).await.unwrap();
    assert!(!open.is_empty());
    assert!(
        open.windows(2)
            .all(|w| w[0].last_message_at >= w[1].last_message_at)
    );
    assert!(
        open.iter()
            .all(|c| c.status == ConversationStatus::Open && c.topics.len() <= 2)
    );
    let mine = inbox
        .conversations(ListFilter {
            assignment: Assignment::Mine,
            ..ListFilter::default()
        })
        .await
        .unwrap();
    assert!(
        mine.iter()
            .all(|c| c.assignee_id == Some(inbox.account().staff.id))
    );
    let unassigned = inbox
        .conversations(ListFilter {
            assignment: Assignment::Unassigned,
            ..ListFilter::default()
        })
        .await
        .unwrap();
    assert!(unassigned.iter().all(|c| c.assignee_id.is_none()));

    // The tray's count: the unread rows of those two lists.
    let unread = mine.iter().chain(&unassigned).filter(|c| c.unread).count();
    assert!(unread > 0, "the demo shop has unread conversations");
    assert_eq!(inbox.unread_count().await.unwrap() as usize, unread);
    let first = unassigned.iter().find(|c| c.unread).unwrap().id;
    inbox.set_unread(first, false).await.unwrap();
    assert_eq!(inbox.unread_count().await.unwrap() as usize, unread - 1);
    shop_stop(shop).await;
}

async fn shop_stop(mut shop: Shop) {
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_customer_message_lands_in_the_mirror_while_live() {
    let shop = Shop::start().await;
    let data = tempfile::tempdir().unwrap();
    let (inbox, _) = shop.inbox(data.path()).await;
    let mut events = inbox.events();
    inbox.start();
    wait_for("live", || async { inbox.sync_state() == SyncState::Live }).await;

    let (customer, chat) = shop.customer().await;
    let sent = customer_says(&customer, &chat, "Har ni den blå koppen i lager?").await;
    let arrived = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if let Some(Event::Synced { messages, live, .. }) = events.next().await
                && messages.iter().any(|m| m.message_id == sent.id)
            {
                return live;
            }
        }
    })
    .await
    .expect("the message arrives");
    assert!(arrived, "it came live, not in a catch-up");
    let view = inbox.conversation(chat.conversation_id).await.unwrap();
    assert!(
        view.timeline
            .iter()
            .any(|i| matches!(i, TimelineItem::Message(m) if m.message.id == sent.id))
    );
    let list = inbox.conversations(ListFilter::default()).await.unwrap();
    assert_eq!(list[0].id, chat.conversation_id, "newest first");
    assert!(list[0].unread);
    assert_eq!(
        list[0].last_message.as_ref().and_then(|b| b.text()),
        Some("Har ni den blå koppen i lager?")
    );
    inbox.stop();
    shop_stop(shop).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_order_placed_in_the_chat_shows_live_in_the_conversation_and_the_profile() {
    let shop = Shop::start().await;
    let data = tempfile::tempdir().unwrap();
    let (inbox, _) = shop.inbox(data.path()).await;
    inbox.start();
    wait_for("live", || async { inbox.sync_state() == SyncState::Live }).await;

    let (customer, chat) = shop.customer().await;
    customer_says(&customer, &chat, "Jag tar den!").await;
    let products: ProductList = customer.get("/api/v1/storefront/products").await.unwrap();
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
    let _: CartEvent = customer
        .send(
            reqwest::Method::POST,
            &path("cart"),
            "cart-1",
            Some(&CartChange {
                variant_id: variant,
                action: CartAction::Added,
                quantity: None,
            }),
        )
        .await
        .unwrap()
        .unwrap();
    let placed: OrderConfirmation = customer
        .send(
            reqwest::Method::POST,
            &path("orders"),
            "pay-1",
            Some(&PlaceOrder {
                email: "saga@example.se".into(),
                shipping_address: ShippingAddress {
                    name: "Saga Holm".into(),
                    line1: "Kungsgatan 2".into(),
                    line2: None,
                    postal_code: "111 43".into(),
                    city: "Stockholm".into(),
                    country: "SE".into(),
                },
                shipping_method: "standard".into(),
                card_number: TEST_CARD_SUCCEEDS.into(),
            }),
        )
        .await
        .unwrap()
        .unwrap();

    // Live: the conversation shows the order, the profile has it as the last order, the cart
    // is empty.
    wait_for("the order event in the conversation", || async {
        inbox
            .conversation(chat.conversation_id)
            .await
            .is_ok_and(|view| {
                view.timeline.iter().any(|item| {
                    matches!(item, TimelineItem::OrderEvent(e)
                        if e.order_id == placed.order.id && e.order_name == placed.order.name)
                })
            })
    })
    .await;
    wait_for("the order as the last order", || async {
        inbox
            .profile(chat.customer_id)
            .await
            .is_ok_and(|p| p.last_order.as_ref() == Some(&placed.order))
    })
    .await;
    let profile = inbox.profile(chat.customer_id).await.unwrap();
    assert_eq!(profile.orders, std::slice::from_ref(&placed.order));
    assert!(profile.cart.is_none_or(|c| c.lines.is_empty()));
    let view = inbox.conversation(chat.conversation_id).await.unwrap();
    assert!(
        matches!(view.timeline.last(), Some(TimelineItem::OrderEvent(_))),
        "the order is the newest thing in the conversation"
    );
    inbox.stop();
    shop_stop(shop).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn offline_everything_reads_and_a_queued_reply_is_delivered_once() {
    let mut shop = Shop::start().await;
    let data = tempfile::tempdir().unwrap();
    let (inbox, token) = shop.inbox(data.path()).await;
    let (customer, chat) = shop.customer().await;
    customer_says(&customer, &chat, "Jag vill returnera min beställning").await;
    inbox.start();
    wait_for("live", || async { inbox.sync_state() == SyncState::Live }).await;
    wait_for("the new conversation", || async {
        inbox.conversation(chat.conversation_id).await.is_ok()
    })
    .await;

    shop.stop().await;
    wait_for("offline", || async {
        matches!(inbox.sync_state(), SyncState::Offline { .. })
    })
    .await;

    // Every conversation, open and closed, can be listed, shown and searched.
    for (folder, status) in [
        (Folder::Open, ConversationStatus::Open),
        (Folder::Closed, ConversationStatus::Closed),
    ] {
        let list = inbox
            .conversations(ListFilter {
                status: folder,
                limit: 10_000,
                ..ListFilter::default()
            })
            .await
            .unwrap();
        assert!(!list.is_empty(), "{status:?} conversations offline");
        for summary in list.iter().take(50) {
            let view = inbox.conversation(summary.id).await.unwrap();
            assert_eq!(view.conversation.status, status);
        }
    }
    let hits = inbox.search("beställ", 20).await.unwrap();
    assert!(
        hits.iter()
            .any(|h| h.conversation_id == chat.conversation_id),
        "prefix search with å/ä/ö offline"
    );
    let by_email = inbox.search("saga@example.se", 20).await.unwrap();
    assert_eq!(
        by_email.first().map(|h| h.conversation_id),
        Some(chat.conversation_id)
    );

    // A reply queued offline shows at once as pending.
    let outbox_id = inbox
        .reply(
            chat.conversation_id,
            "Självklart, vi skickar en returetikett!",
        )
        .await
        .unwrap();
    let view = inbox.conversation(chat.conversation_id).await.unwrap();
    let pending = view.timeline.iter().find_map(|i| match i {
        TimelineItem::Message(m) if m.outbox_id == Some(outbox_id) => Some(m.send_state.clone()),
        _ => None,
    });
    assert_eq!(pending, Some(SendState::Pending));

    // The shop comes back: the reply is delivered, once.
    shop.restart().await;
    wait_for("delivery", || async {
        let view = inbox.conversation(chat.conversation_id).await.unwrap();
        view.timeline.iter().any(|i| matches!(i, TimelineItem::Message(m) if m.message.id > 0 && m.message.body.text() == Some("Självklart, vi skickar en returetikett!")))
            && !view.timeline.iter().any(|i| matches!(i, TimelineItem::Message(m) if m.message.id < 0))
    })
    .await;
    let api = ApiClient::new(&shop.address()).unwrap().with_token(token);
    let detail: ConversationDetail = api
        .get(&format!("/api/v1/conversations/{}", chat.conversation_id))
        .await
        .unwrap();
    let copies = detail
        .messages
        .iter()
        .filter(|m| m.body.text() == Some("Självklart, vi skickar en returetikett!"))
        .count();
    assert_eq!(copies, 1, "delivered exactly once");
    inbox.stop();
    shop_stop(shop).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_action_fails_with_the_shops_code_and_keeps_the_text() {
    let shop = Shop::start().await;
    let data = tempfile::tempdir().unwrap();
    let (inbox, _) = shop.inbox(data.path()).await;
    inbox.sync_once().await.unwrap();
    let (customer, chat) = shop.customer().await;
    customer_says(&customer, &chat, "hej").await;
    inbox.sync_once().await.unwrap();

    // An off-store product: refused by the shop, permanently.
    let off_store: ProductList = ApiClient::new(&shop.address())
        .unwrap()
        .with_token(shop_token(&shop).await)
        .get("/api/v1/products?online_store=false&limit=100")
        .await
        .unwrap();
    let product = off_store.products.iter().find(|p| !p.online_store).unwrap();
    let card = ProductCard {
        product_id: product.id,
        title: product.title.clone(),
        price: product.variants[0].price.clone(),
        image_url: None,
        url: product.url.clone(),
    };
    let id = inbox
        .share_products(chat.conversation_id, vec![card], Some("Kolla här!".into()))
        .await
        .unwrap();
    inbox.flush_outbox().await.unwrap();
    let view = inbox.conversation(chat.conversation_id).await.unwrap();
    let state = view.timeline.iter().find_map(|i| match i {
        TimelineItem::Message(m) if m.outbox_id == Some(id) => Some(m.send_state.clone()),
        _ => None,
    });
    assert!(
        matches!(state, Some(SendState::Failed { ref code, .. }) if code == "product_unavailable"),
        "{state:?}"
    );

    // Discarding puts the text back in the draft.
    inbox.discard(id).await.unwrap();
    let view = inbox.conversation(chat.conversation_id).await.unwrap();
    assert_eq!(view.draft.as_deref(), Some("Kolla här!"));
    assert!(
        !view
            .timeline
            .iter()
            .any(|i| matches!(i, TimelineItem::Message(m) if m.message.id < 0))
    );

    // Four products are refused before anything is queued.
    let four = vec![view_card(); 4];
    assert!(matches!(
        inbox.share_products(chat.conversation_id, four, None).await,
        Err(Error::Input(_))
    ));
    shop_stop(shop).await;
}

fn view_card() -> ProductCard {
    ProductCard {
        product_id: 1,
        title: "x".into(),
        price: Money {
            minor: 1,
            currency: "SEK".into(),
        },
        image_url: None,
        url: "/".into(),
    }
}

async fn shop_token(shop: &Shop) -> String {
    let who = shop.credentials();
    ApiClient::new(&shop.address())
        .unwrap()
        .sign_in(&who.email, &who.password)
        .await
        .unwrap()
        .token
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reply_held_up_by_a_lost_connection_goes_out_as_soon_as_the_shop_is_back() {
    let mut shop = Shop::start().await;
    let data = tempfile::tempdir().unwrap();
    let (inbox, token) = shop.inbox(data.path()).await;
    let (customer, chat) = shop.customer().await;
    customer_says(&customer, &chat, "Hallå?").await;
    inbox.start();
    wait_for("live", || async { inbox.sync_state() == SyncState::Live }).await;
    wait_for("the conversation", || async {
        inbox.conversation(chat.conversation_id).await.is_ok()
    })
    .await;
    shop.stop().await;
    let id = inbox
        .reply(chat.conversation_id, "Nu är vi tillbaka!")
        .await
        .unwrap();

    // The worker has tried and lost the connection; pretend it has backed off for an hour.
    let mirror = inbox.store().path().to_owned();
    wait_for("a failed attempt", || {
        let mirror = mirror.clone();
        async move {
            let conn = rusqlite::Connection::open(&mirror).unwrap();
            conn.query_row("SELECT attempts FROM outbox WHERE id = ?1", [id], |r| {
                r.get::<_, i64>(0)
            })
            .unwrap()
                > 0
        }
    })
    .await;
    let conn = rusqlite::Connection::open(&mirror).unwrap();
    conn.busy_timeout(Duration::from_secs(5)).unwrap();
    conn.execute(
        "UPDATE outbox SET next_attempt_at = ?2 WHERE id = ?1",
        rusqlite::params![id, inbox_core::store::now_ms() + 3_600_000],
    )
    .unwrap();
    let why: String = conn
        .query_row("SELECT error_code FROM outbox WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(why, "network");
    drop(conn);

    shop.restart().await;
    wait_for("delivery right after reconnecting", || async {
        let view = inbox.conversation(chat.conversation_id).await.unwrap();
        view.timeline.iter().any(|i| matches!(i, TimelineItem::Message(m) if m.message.id > 0 && m.message.body.text() == Some("Nu är vi tillbaka!")))
    })
    .await;
    let api = ApiClient::new(&shop.address()).unwrap().with_token(token);
    let detail: ConversationDetail = api
        .get(&format!("/api/v1/conversations/{}", chat.conversation_id))
        .await
        .unwrap();
    assert_eq!(
        detail
            .messages
            .iter()
            .filter(|m| m.body.text() == Some("Nu är vi tillbaka!"))
            .count(),
        1
    );
    inbox.stop();
    shop_stop(shop).await;
}

/// The shop is set up again from scratch while a reply to Saga waits offline. The new shop
/// hands Saga's conversation id to Nils: the reply must never reach him, whether the outbox
/// gets to the new shop before the sync engine has looked (as `inbox send` or a worker
/// retrying on its own timer would) or after the mirror has started over.
#[tokio::test(flavor = "multi_thread")]
async fn a_reply_queued_before_the_shop_was_reset_is_never_sent_to_whoever_has_its_id_now() {
    let mut shop = Shop::start().await;
    let data = tempfile::tempdir().unwrap();
    let (inbox, _) = shop.inbox(data.path()).await;
    let (customer, saga) = shop.customer().await;
    customer_says(&customer, &saga, "Var är mitt paket?").await;
    inbox.sync_once().await.unwrap();
    let id = saga.conversation_id;

    shop.stop().await;
    let reply = "Hej Saga! Ditt paket till Storgatan 4 kommer imorgon.";
    let queued = inbox.reply(id, reply).await.unwrap();
    let closing = inbox
        .set_status(id, ConversationStatus::Closed)
        .await
        .unwrap();
    inbox
        .save_draft(id, "Saga, din rabattkod är SAGA20")
        .await
        .unwrap();
    drop(inbox);

    shop.replace().await;
    let (customer, nils) = shop.customer_named("Nils Berg", "nils@example.se").await;
    customer_says(&customer, &nils, "Hej, jag har en fråga").await;
    assert_eq!(
        nils.conversation_id, id,
        "the new shop hands out the id again"
    );

    // Signed in again to the new shop: before any sync, nothing goes out.
    let (inbox, token) = shop.inbox(data.path()).await;
    assert_eq!(inbox.flush_outbox().await.unwrap(), 0);
    let reset = SendState::Failed {
        code: "shop_reset".into(),
        detail: "the shop was reset; this was not sent".into(),
    };
    let states: Vec<_> = inbox
        .outbox()
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.id, e.state))
        .collect();
    assert_eq!(
        states,
        [(queued, reset.clone()), (closing, reset.clone())],
        "set aside, not sent"
    );

    // The mirror starts over on the new history; the old items stay set aside.
    inbox.sync_once().await.unwrap();
    assert_eq!(inbox.flush_outbox().await.unwrap(), 0);
    let view = inbox.conversation(id).await.unwrap();
    assert_eq!(
        view.customer.as_ref().map(|c| c.name.as_str()),
        Some("Nils Berg")
    );
    assert_eq!(view.draft, None, "Saga's draft is not in Nils's composer");
    assert_eq!(view.conversation.status, ConversationStatus::Open);
    let echo = view.timeline.iter().find_map(|i| match i {
        TimelineItem::Message(m) if m.outbox_id == Some(queued) => Some(m.send_state.clone()),
        _ => None,
    });
    assert_eq!(echo, Some(reset), "shown as not sent, and why");

    // It can't be retried, and discarding it doesn't put it in Nils's composer.
    assert!(matches!(inbox.retry(queued).await, Err(Error::ShopReset)));
    inbox.discard(queued).await.unwrap();
    assert_eq!(inbox.conversation(id).await.unwrap().draft, None);

    // The new shop never got any of it.
    let api = ApiClient::new(&shop.address()).unwrap().with_token(token);
    let detail: ConversationDetail = api
        .get(&format!("/api/v1/conversations/{id}"))
        .await
        .unwrap();
    assert!(
        detail.messages.iter().all(|m| m.body.text() != Some(reply)),
        "{:?}",
        detail.messages
    );
    assert_eq!(detail.conversation.status, ConversationStatus::Open);

    // What is written now goes to Nils.
    inbox.reply(id, "Hej Nils, vad undrar du?").await.unwrap();
    assert_eq!(inbox.flush_outbox().await.unwrap(), 1);
    shop_stop(shop).await;
}

/// The demo shop's saved reply with this title, from the mirror.
async fn saved_reply_titled(inbox: &Inbox, title: &str) -> SavedReply {
    inbox
        .saved_replies("")
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.title == title)
        .unwrap_or_else(|| panic!("the demo shop's “{title}”"))
}

#[tokio::test(flavor = "multi_thread")]
async fn saved_replies_sync_fill_in_the_customer_and_edit_offline_through_the_outbox() {
    let mut shop = Shop::start().await;
    let data = tempfile::tempdir().unwrap();
    let (inbox, token) = shop.inbox(data.path()).await;
    let (customer, chat) = shop.customer_named("Saga Holm", "saga@example.se").await;
    customer_says(&customer, &chat, "Hur lång är leveranstiden?").await;
    inbox.sync_once().await.unwrap();

    let all = inbox.saved_replies("").await.unwrap();
    assert_eq!(all.len(), 12, "the demo shop's dozen");
    let found: Vec<String> = inbox
        .saved_replies("leverans")
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.title)
        .collect();
    assert_eq!(found, ["Leveranstider"]);

    // Filled in from the mirror: the customer, the shop's name, the signed-in staff member.
    let greeting = saved_reply_titled(&inbox, "Hälsning").await;
    let me = inbox
        .account()
        .staff
        .name
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let me_api = ApiClient::new(&shop.address())
        .unwrap()
        .with_token(token.clone());
    let shop_name = me_api.me().await.unwrap().shop.name;
    assert_eq!(
        inbox
            .fill_saved_reply(greeting.id, chat.conversation_id)
            .await
            .unwrap(),
        format!(
            "Hej Saga! Tack för att du hör av dig till {shop_name}. Vad kan jag hjälpa till med?"
        )
    );
    let returns = saved_reply_titled(&inbox, "Returns").await;
    assert!(
        inbox
            .fill_saved_reply(returns.id, chat.conversation_id)
            .await
            .unwrap()
            .ends_with(&format!("return label. /{me}"))
    );

    // Offline: an edit and a deletion show at once and wait in the outbox.
    shop.stop().await;
    let delivery = saved_reply_titled(&inbox, "Delivery times").await;
    let edited = SavedReplyBody {
        title: "Delivery times".into(),
        body: "Hi {customer.first_name}, we ship within one working day.".into(),
        product_ids: Vec::new(),
        discount_id: None,
        image_upload_id: None,
    };
    inbox
        .edit_saved_reply(delivery.id, edited.clone())
        .await
        .unwrap();
    inbox.delete_saved_reply(greeting.id).await.unwrap();
    assert_eq!(
        inbox
            .fill_saved_reply(delivery.id, chat.conversation_id)
            .await
            .unwrap(),
        "Hi Saga, we ship within one working day."
    );
    assert!(
        !inbox
            .saved_replies("")
            .await
            .unwrap()
            .iter()
            .any(|r| r.id == greeting.id)
    );
    let kinds: Vec<String> = inbox
        .outbox()
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, ["edit_saved_reply", "delete_saved_reply"]);
    // A saved reply the shop would refuse is refused before anything is queued.
    let too_long = SavedReplyBody {
        body: "x".repeat(MAX_SAVED_REPLY_BODY_CHARS + 1),
        ..edited.clone()
    };
    assert!(matches!(
        inbox.add_saved_reply(too_long).await,
        Err(Error::Input(_))
    ));

    // The shop is back: both are delivered, and the shop holds what the mirror showed.
    shop.restart().await;
    inbox.flush_outbox().await.unwrap();
    inbox.sync_once().await.unwrap();
    assert!(inbox.outbox().await.unwrap().is_empty(), "delivered");
    let detail: SavedReplyDetail = me_api
        .get(&format!("/api/v1/saved-replies/{}", delivery.id))
        .await
        .unwrap();
    assert_eq!(detail.saved_reply.body, edited.body);
    let gone = me_api
        .get::<SavedReplyDetail>(&format!("/api/v1/saved-replies/{}", greeting.id))
        .await;
    assert!(
        matches!(gone, Err(Error::Rejected(p)) if p.code == ProblemCode::NotFound),
        "deleted at the shop"
    );

    // A new one, created through the outbox, arrives in the mirror from the feed.
    inbox
        .add_saved_reply(SavedReplyBody {
            title: "Öppettider".into(),
            body: "Hej {customer.first_name}! Vi svarar vardagar 9–17.".into(),
            ..edited
        })
        .await
        .unwrap();
    inbox.flush_outbox().await.unwrap();
    inbox.sync_once().await.unwrap();
    let new = saved_reply_titled(&inbox, "Öppettider").await;
    assert_eq!(
        inbox
            .fill_saved_reply(new.id, chat.conversation_id)
            .await
            .unwrap(),
        "Hej Saga! Vi svarar vardagar 9–17."
    );
    // A conversation the mirror doesn't know has no customer name: the greeting still reads.
    assert_eq!(
        inbox.fill_saved_reply(new.id, 987_654).await.unwrap(),
        "Hej! Vi svarar vardagar 9–17."
    );
    shop_stop(shop).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_saved_reply_goes_out_with_its_products_and_one_with_an_expired_code_is_refused_like_a_direct_share()
 {
    let shop = Shop::start().await;
    let data = tempfile::tempdir().unwrap();
    let (inbox, token) = shop.inbox(data.path()).await;
    let (customer, chat) = shop.customer_named("Saga Holm", "saga@example.se").await;
    customer_says(&customer, &chat, "Vad ska jag ge i present?").await;
    inbox.sync_once().await.unwrap();

    // Products: inserted as the product picker shares them, sent with the filled-in text.
    let gifts = saved_reply_titled(&inbox, "Presenttips").await;
    let insert = inbox
        .insert_saved_reply(gifts.id, chat.conversation_id)
        .await
        .unwrap();
    assert_eq!(
        insert
            .products
            .iter()
            .map(|c| c.product_id)
            .collect::<Vec<_>>(),
        gifts.product_ids
    );
    assert_eq!(
        insert.text,
        "Hej Saga! Här är tre av våra mest omtyckta presenter just nu:"
    );
    let queued = inbox
        .send_saved_reply(chat.conversation_id, &insert, &insert.text)
        .await
        .unwrap();
    assert_eq!(queued.len(), 1);
    inbox.flush_outbox().await.unwrap();
    let api = ApiClient::new(&shop.address()).unwrap().with_token(token);
    let detail: ConversationDetail = api
        .get(&format!("/api/v1/conversations/{}", chat.conversation_id))
        .await
        .unwrap();
    let sent = detail.messages.last().unwrap();
    match &sent.body {
        MessageBody::Products { text, products } => {
            assert_eq!(text.as_deref(), Some(insert.text.as_str()));
            assert_eq!(
                products.iter().map(|p| p.product_id).collect::<Vec<_>>(),
                gifts.product_ids
            );
        }
        other => panic!("sent as {other:?}"),
    }

    // An active code goes too, as a discount message after the text.
    let welcome = saved_reply_titled(&inbox, "First order discount").await;
    let insert = inbox
        .insert_saved_reply(welcome.id, chat.conversation_id)
        .await
        .unwrap();
    assert_eq!(
        insert.discount.as_ref().map(|d| d.code.as_str()),
        Some("WELCOME10")
    );
    let queued = inbox
        .send_saved_reply(chat.conversation_id, &insert, &insert.text)
        .await
        .unwrap();
    assert_eq!(queued.len(), 2);
    inbox.flush_outbox().await.unwrap();
    let detail: ConversationDetail = api
        .get(&format!("/api/v1/conversations/{}", chat.conversation_id))
        .await
        .unwrap();
    let last_two: Vec<&MessageBody> = detail
        .messages
        .iter()
        .rev()
        .take(2)
        .map(|m| &m.body)
        .collect();
    assert!(
        matches!(last_two[0], MessageBody::Discount { discount } if discount.code == "WELCOME10")
    );
    assert!(
        matches!(last_two[1], MessageBody::Text { text } if text.starts_with("Hi Saga, welcome to"))
    );

    // The summer reply still carries last summer's code: refused with the same problem as
    // sharing that code by hand, and nothing is queued.
    let summer = saved_reply_titled(&inbox, "Sommarrea").await;
    let before = inbox.outbox().await.unwrap().len();
    let refused = inbox
        .insert_saved_reply(summer.id, chat.conversation_id)
        .await
        .unwrap_err();
    let codes = inbox.search_discounts("SOMMAR20").await.unwrap();
    let expired = codes.iter().find(|c| c.code == "SOMMAR20").unwrap();
    assert_eq!(expired.status, DiscountStatus::Expired);
    let direct = inbox
        .share_discount(chat.conversation_id, expired)
        .await
        .unwrap_err();
    match (&refused, &direct) {
        (Error::Rejected(a), Error::Rejected(b)) => {
            assert_eq!(a.code, ProblemCode::DiscountInactive);
            assert_eq!(a, b, "the same problem as a direct share");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(inbox.outbox().await.unwrap().len(), before);
    shop_stop(shop).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_saved_reply_with_an_image_sends_it_with_the_text_as_an_attached_file_would_be() {
    let shop = Shop::start().await;
    let data = tempfile::tempdir().unwrap();
    let (inbox, token) = shop.inbox(data.path()).await;
    let (customer, chat) = shop.customer_named("Saga Holm", "saga@example.se").await;
    customer_says(&customer, &chat, "Hur ser lådan ut?").await;
    let api = ApiClient::new(&shop.address()).unwrap().with_token(token);
    let mut png = Vec::new();
    image::RgbImage::from_pixel(8, 6, image::Rgb([30, 90, 160]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let upload = api.upload("image/png", png).await.unwrap();
    let reply: SavedReply = api
        .send(
            reqwest::Method::POST,
            "/api/v1/saved-replies",
            "saved-image",
            Some(&SavedReplyBody {
                title: "Presentlåda".into(),
                body: "Hej {customer.first_name}! Så här ser presentlådan ut:".into(),
                product_ids: Vec::new(),
                discount_id: None,
                image_upload_id: Some(upload.upload_id.clone()),
            }),
        )
        .await
        .unwrap()
        .unwrap();
    inbox.sync_once().await.unwrap();

    let insert = inbox
        .insert_saved_reply(reply.id, chat.conversation_id)
        .await
        .unwrap();
    assert_eq!(
        insert.image.as_ref().map(|i| &i.sha256),
        Some(&upload.sha256)
    );
    let path = insert.image_path.clone().expect("the image on disk");
    assert!(path.exists(), "{}", path.display());
    inbox
        .send_saved_reply(chat.conversation_id, &insert, &insert.text)
        .await
        .unwrap();
    inbox.flush_outbox().await.unwrap();
    let detail: ConversationDetail = api
        .get(&format!("/api/v1/conversations/{}", chat.conversation_id))
        .await
        .unwrap();
    match &detail.messages.last().unwrap().body {
        MessageBody::Attachment { text, attachment } => {
            assert_eq!(
                text.as_deref(),
                Some("Hej Saga! Så här ser presentlådan ut:")
            );
            assert_eq!(attachment.kind, MediaKind::Image);
            assert_eq!((attachment.width, attachment.height), (Some(8), Some(6)));
        }
        other => panic!("sent as {other:?}"),
    }
    shop_stop(shop).await;
}

/// Waits for an activity event about `id` and returns what the board then shows there.
async fn activity_in(inbox: &Inbox, events: &mut Listener, id: i64) -> Vec<activity::Present> {
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if let Some(Event::Activity { conversations }) = events.next().await
                && conversations.contains(&id)
            {
                return inbox
                    .activity()
                    .into_iter()
                    .filter(|p| p.conversation_id == id)
                    .collect();
            }
        }
    })
    .await
    .expect("an activity event")
}

#[tokio::test(flavor = "multi_thread")]
async fn another_staff_members_viewing_and_typing_and_the_customers_typing_reach_the_app() {
    let shop = Shop::start().await;
    let chatters = shop.chatters();
    let (jonas_data, maja_data) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (jonas, _) = shop.inbox_as(jonas_data.path(), &chatters[0]).await;
    let (maja, _) = shop.inbox_as(maja_data.path(), &chatters[1]).await;
    let jonas_id = jonas.account().staff.id;
    let (customer, chat) = shop.customer().await;
    customer_says(&customer, &chat, "Finns tröjan i grönt?").await;
    let id = chat.conversation_id;
    let mut events = maja.events();
    for inbox in [&jonas, &maja] {
        inbox.start();
    }
    wait_for("both live", || async {
        jonas.sync_state() == SyncState::Live && maja.sync_state() == SyncState::Live
    })
    .await;

    // Jonas opens the conversation: Maja's app hears he is viewing it.
    jonas.report_viewing(Some(id)).await;
    let shown = activity_in(&maja, &mut events, id).await;
    assert_eq!(shown.len(), 1);
    assert_eq!(
        (shown[0].staff_id, shown[0].typing),
        (Some(jonas_id), false)
    );
    assert!(shown[0].until > now(), "until it lapses");
    assert!(
        jonas.activity().is_empty(),
        "nobody is shown their own activity"
    );

    jonas.report_typing(id).await;
    let shown = activity_in(&maja, &mut events, id).await;
    assert_eq!((shown[0].staff_id, shown[0].typing), (Some(jonas_id), true));

    // His reply ends the typing; he still views it.
    jonas.reply(id, "Ja, i M och L.").await.unwrap();
    let shown = activity_in(&maja, &mut events, id).await;
    assert_eq!(
        (shown[0].staff_id, shown[0].typing),
        (Some(jonas_id), false)
    );

    // The customer types in the widget.
    customer
        .send::<_, serde_json::Value>(
            reqwest::Method::POST,
            &format!("/api/v1/storefront/conversations/{id}/typing"),
            "typing-1",
            Some(&CustomerTyping { typing: true }),
        )
        .await
        .unwrap();
    let shown = activity_in(&maja, &mut events, id).await;
    assert_eq!(
        shown
            .iter()
            .map(|p| (p.staff_id, p.typing))
            .collect::<Vec<_>>(),
        vec![(None, true), (Some(jonas_id), false)],
        "the typing first"
    );

    // Jonas hides the window: he leaves at once, not when his viewing lapses.
    jonas.report_viewing(None).await;
    let shown = activity_in(&maja, &mut events, id).await;
    assert_eq!(
        shown.iter().map(|p| p.staff_id).collect::<Vec<_>>(),
        vec![None]
    );
    for inbox in [&jonas, &maja] {
        inbox.stop();
    }
    shop_stop(shop).await;
}

fn now() -> Millis {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

#[tokio::test(flavor = "multi_thread")]
async fn the_editor_gives_a_saved_reply_an_uploaded_image_and_offline_nothing_is_uploaded() {
    let mut shop = Shop::start().await;
    let data = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let (inbox, _) = shop.inbox(data.path()).await;
    inbox.sync_once().await.unwrap();

    // The demo shop's English wool reply carries an image besides its products.
    let wool = saved_reply_titled(&inbox, "Wool care").await;
    let detail = inbox.saved_reply_detail(wool.id).await.unwrap();
    assert_eq!(detail.products.len(), 2);
    assert_eq!(
        detail.image.as_ref().map(|i| i.kind),
        Some(MediaKind::Image)
    );

    // A large photo is uploaded as an attached one is sent: shrunk first.
    let photo = files.path().join("retur.png");
    let mut png = Vec::new();
    image::RgbImage::from_pixel(3000, 1500, image::Rgb([30, 90, 160]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    std::fs::write(&photo, &png).unwrap();
    let image = inbox.upload_saved_reply_image(&photo).await.unwrap();
    assert_eq!(image.kind, MediaKind::Image);
    assert_eq!((image.width, image.height), (Some(2048), Some(1024)));

    // Saved through the outbox like any edit; the mirror has it at once, the shop once sent.
    let returns = saved_reply_titled(&inbox, "Returns").await;
    let edited = SavedReplyBody {
        title: returns.title.clone(),
        body: returns.body.clone(),
        product_ids: detail.saved_reply.product_ids.clone(),
        discount_id: None,
        image_upload_id: Some(image.upload_id.clone()),
    };
    inbox.edit_saved_reply(returns.id, edited).await.unwrap();
    assert_eq!(
        saved_reply_titled(&inbox, "Returns").await.image_upload_id,
        Some(image.upload_id.clone())
    );
    assert_eq!(inbox.flush_outbox().await.unwrap(), 1);
    let at_shop = inbox.saved_reply_detail(returns.id).await.unwrap();
    assert_eq!(at_shop.image.map(|i| i.sha256), Some(image.sha256.clone()));
    assert_eq!(at_shop.products.len(), 2);

    // Offline the upload fails as a network failure and nothing waits in the outbox; the reply
    // can still be edited (here: its image removed), through the outbox.
    shop.stop().await;
    let refused = inbox.upload_saved_reply_image(&photo).await.unwrap_err();
    assert_eq!(refused.code(), "network");
    assert!(inbox.outbox().await.unwrap().is_empty());
    inbox
        .edit_saved_reply(
            returns.id,
            SavedReplyBody {
                title: returns.title.clone(),
                body: returns.body.clone(),
                product_ids: Vec::new(),
                discount_id: None,
                image_upload_id: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        saved_reply_titled(&inbox, "Returns").await.image_upload_id,
        None
    );
    assert_eq!(inbox.outbox().await.unwrap().len(), 1);
}
