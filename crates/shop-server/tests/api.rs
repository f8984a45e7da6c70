//! The Inbox API end to end: a real shop server over TLS, driven through real HTTPS the way
//! the desktop client and the chat widget use it.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;
use futures_util::StreamExt;
use inbox_protocol::*;
use reqwest::{Method, StatusCode};

#[tokio::test(flavor = "multi_thread")]
async fn signing_in_and_out_and_expired_tokens() {
    let shop = TestShop::demo().await;
    let staff = shop.staff_member(true);

    let wrong = shop
        .request(Method::POST, "/api/v1/auth/sign-in", None)
        .json(&SignInRequest {
            email: staff.email.clone(),
            password: "not it".into(),
        })
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(wrong, StatusCode::UNAUTHORIZED).await.code,
        ProblemCode::InvalidCredentials
    );

    let session = shop.sign_in_as(&staff).await;
    assert_eq!(session.staff.email, staff.email);
    let me: Me = shop.get("/api/v1/me", &session.token).await;
    assert_eq!(me.staff.id, session.staff.id);
    assert_eq!(me.shop.currency, "SEK");

    // The token is stored hashed: it does not appear in the database.
    let token = session.token.clone();
    let raw: i64 = shop
        .server()
        .state
        .db
        .read(move |db| {
            db.query_row(
                "SELECT count(*) FROM staff_tokens WHERE token_hash = ?1",
                shop_server::args![token.as_bytes()],
                |r| r.get(0),
            )
        })
        .await
        .unwrap();
    assert_eq!(raw, 0);

    let out = shop
        .request(Method::POST, "/api/v1/auth/sign-out", Some(&session.token))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    let after = shop
        .request(Method::GET, "/api/v1/me", Some(&session.token))
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(after, StatusCode::UNAUTHORIZED).await.code,
        ProblemCode::Unauthenticated
    );

    let none = shop
        .request(Method::GET, "/api/v1/sync", None)
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(none, StatusCode::UNAUTHORIZED).await.code,
        ProblemCode::Unauthenticated
    );
    shop.stop().await;

    // A shop whose tokens expire at once.
    let shop = TestShop::with(|c| c.staff_token_ttl_ms = 1).await;
    let session = shop.sign_in().await;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let expired = shop
        .request(Method::GET, "/api/v1/me", Some(&session.token))
        .send()
        .await
        .unwrap();
    let p = problem(expired, StatusCode::UNAUTHORIZED).await;
    assert_eq!(p.code, ProblemCode::TokenExpired);
    assert!(p.detail.contains("sign in again"), "{}", p.detail);
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn failed_sign_ins_are_rate_limited() {
    let shop = TestShop::demo().await;
    let staff = shop.staff_member(true);
    let mut last = None;
    for _ in 0..11 {
        last = Some(
            shop.request(Method::POST, "/api/v1/auth/sign-in", None)
                .json(&SignInRequest {
                    email: staff.email.clone(),
                    password: "guess".into(),
                })
                .send()
                .await
                .unwrap(),
        );
    }
    let response = last.unwrap();
    assert!(response.headers().get("retry-after").is_some());
    assert_eq!(
        problem(response, StatusCode::TOO_MANY_REQUESTS).await.code,
        ProblemCode::RateLimited
    );
    shop.stop().await;
}

/// Ids per entity kind, straight from the tables.
async fn ids_in_db(shop: &TestShop, staff_id: i64) -> BTreeMap<&'static str, BTreeSet<i64>> {
    shop.server()
        .state
        .db
        .read(move |db| {
            let ids = |sql: &str| -> shop_server::error::Result<BTreeSet<i64>> {
                Ok(db
                    .query_map(sql, shop_server::args![], |r| r.get(0))?
                    .into_iter()
                    .collect())
            };
            Ok(BTreeMap::from([
                ("staff", ids("SELECT id FROM staff")?),
                ("customer", ids("SELECT id FROM customers")?),
                ("conversation", ids("SELECT id FROM conversations")?),
                ("message", ids("SELECT id FROM messages")?),
                ("cart_event", ids("SELECT id FROM cart_events")?),
                (
                    "note",
                    ids("SELECT id FROM customer_notes WHERE deleted_at IS NULL")?,
                ),
                (
                    "saved_reply",
                    ids("SELECT id FROM saved_replies WHERE deleted_at IS NULL")?,
                ),
                ("cart", ids("SELECT customer_id FROM carts")?),
                ("order", ids("SELECT id FROM orders")?),
                (
                    "order_event",
                    ids("SELECT id FROM orders WHERE conversation_id IS NOT NULL")?,
                ),
                (
                    "read_state",
                    ids(&format!(
                        "SELECT conversation_id FROM read_states WHERE staff_id = {staff_id}"
                    ))?,
                ),
            ]))
        })
        .await
        .unwrap()
}

fn ids_in_feed(changes: &[Change]) -> BTreeMap<&'static str, BTreeSet<i64>> {
    let mut ids: BTreeMap<&'static str, BTreeSet<i64>> = BTreeMap::new();
    for change in changes {
        let (kind, id) = match &change.entity {
            Entity::Staff(s) => ("staff", s.id),
            Entity::Customer(c) => ("customer", c.id),
            Entity::Conversation(c) => ("conversation", c.id),
            Entity::Message(m) => ("message", m.id),
            Entity::CartEvent(e) => ("cart_event", e.id),
            Entity::Note(n) => ("note", n.id),
            Entity::NoteDeleted { .. } => continue,
            Entity::SavedReply(r) => ("saved_reply", r.id),
            Entity::SavedReplyDeleted { .. } => continue,
            Entity::Activity(a) => ("activity", a.id),
            Entity::Cart(c) => ("cart", c.customer_id),
            Entity::Order(o) => ("order", o.id),
            Entity::OrderEvent(e) => ("order_event", e.id),
            Entity::ReadState(r) => ("read_state", r.conversation_id),
        };
        assert!(
            ids.entry(kind).or_default().insert(id),
            "{kind} {id} came twice"
        );
    }
    ids
}

#[tokio::test(flavor = "multi_thread")]
async fn the_change_feed_pages_through_the_whole_shop() {
    let shop = TestShop::demo().await;
    let session = shop.sign_in().await;

    let first: SyncPage = shop
        .get("/api/v1/sync?limit=100&count=true", &session.token)
        .await;
    assert!(first.has_more);
    assert_eq!(first.changes.len(), 100);
    let total = first.remaining.expect("asked to count");

    let changes = shop.full_sync(&session.token).await;
    assert_eq!(changes.len() as i64, total, "the count matched the walk");

    let in_db = ids_in_db(&shop, session.staff.id).await;
    let in_feed = ids_in_feed(&changes);
    for (kind, ids) in &in_db {
        assert_eq!(
            in_feed.get(kind).cloned().unwrap_or_default(),
            *ids,
            "{kind} ids differ"
        );
    }
    assert!(
        in_db["message"].len() > 1_000,
        "the demo shop has many messages"
    );
    assert!(
        !in_db["read_state"].is_empty(),
        "some read states belong to this staff member"
    );

    // Field by field for messages and conversations, against the raw rows.
    type RawMessage = (i64, (i64, Option<i64>, String, i64));
    let raw: BTreeMap<i64, (i64, Option<i64>, String, i64)> = shop
        .server()
        .state
        .db
        .read(|db| {
            db.query_map(
                "SELECT id, conversation_id, author_staff_id, body, created_at FROM messages",
                shop_server::args![],
                |r| -> shop_server::error::Result<RawMessage> {
                    Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
                },
            )
        })
        .await
        .unwrap()
        .into_iter()
        .collect();
    let mut conversations = BTreeMap::new();
    for change in &changes {
        match &change.entity {
            Entity::Message(m) => {
                let (conversation_id, staff, body, created_at) = &raw[&m.id];
                assert_eq!(m.conversation_id, *conversation_id);
                assert_eq!(m.created_at, *created_at);
                assert_eq!(m.body, serde_json::from_str::<MessageBody>(body).unwrap());
                match (&m.author, staff) {
                    (Author::Staff { staff_id }, Some(s)) => assert_eq!(staff_id, s),
                    (Author::Customer { .. }, None) => {}
                    other => panic!("author mismatch: {other:?}"),
                }
            }
            Entity::Conversation(c) => {
                conversations.insert(c.id, c.clone());
            }
            _ => {}
        }
    }
    let rows: Vec<(i64, String, Option<i64>, String, i64)> = shop
        .server()
        .state
        .db
        .read(|db| {
            db.query_map(
                "SELECT id, status, assignee_id, platform, last_message_at FROM conversations",
                shop_server::args![],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
        })
        .await
        .unwrap();
    for (id, status, assignee, platform, last) in rows {
        let c = &conversations[&id];
        assert_eq!(serde_json::to_value(c.status).unwrap(), status.as_str());
        assert_eq!(c.assignee_id, assignee);
        assert_eq!(c.platform.key(), platform);
        assert_eq!(c.last_message_at, last);
        // Labels are newest first.
        assert!(
            c.topics
                .windows(2)
                .all(|w| w[0].labelled_at >= w[1].labelled_at)
        );
        assert!(c.topics.iter().all(|t| t.confidence >= CONFIDENCE_GATE));
    }

    // An up-to-date cursor gives an empty page, not an error.
    let last = &changes.last().unwrap().cursor;
    let empty: SyncPage = shop
        .get(&format!("/api/v1/sync?after={last}"), &session.token)
        .await;
    assert!(empty.changes.is_empty() && !empty.has_more);
    assert_eq!(&empty.next_cursor, last);
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn garbage_and_future_cursors_are_refused() {
    let shop = TestShop::demo().await;
    let session = shop.sign_in().await;
    let page: SyncPage = shop.get("/api/v1/sync?limit=1", &session.token).await;
    let (history, _) = page.next_cursor.split_once('.').unwrap();
    for cursor in [
        "garbage",
        "zz.12",
        &format!("{history}.999999999"),
        &format!("{history}.-4"),
        "0123456789abcdef.1",
    ] {
        let response = shop
            .request(
                Method::GET,
                &format!("/api/v1/sync?after={cursor}"),
                Some(&session.token),
            )
            .send()
            .await
            .unwrap();
        let p = problem(response, StatusCode::BAD_REQUEST).await;
        assert_eq!(p.code, ProblemCode::InvalidCursor, "cursor {cursor}");
    }
    let bad_limit = shop
        .request(Method::GET, "/api/v1/sync?limit=0", Some(&session.token))
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(bad_limit, StatusCode::BAD_REQUEST).await.code,
        ProblemCode::MalformedPayload
    );
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_customer_message_arrives_live_and_in_the_feed() {
    let shop = TestShop::demo().await;
    let session = shop.sign_in().await;
    let changes = shop.full_sync(&session.token).await;
    let cursor = changes.last().unwrap().cursor.clone();
    let mut stream = shop.events("/api/v1/events", &session.token, None).await;

    let chat = shop.start_chat("Astrid Lind", "astrid@example.se").await;
    let sent = shop
        .customer_says(&chat, "Hur mycket kostar frakten till Kiruna?")
        .await;

    let live = next_matching(&mut stream, |e| match change_of(e).entity {
        Entity::Message(m) if m.id == sent.id => Some((e.id.clone(), m)),
        _ => None,
    })
    .await;
    assert_eq!(
        live.1.body,
        MessageBody::Text {
            text: "Hur mycket kostar frakten till Kiruna?".into()
        }
    );
    assert_eq!(
        live.0.split_once('.').map(|(h, _)| h),
        cursor.split_once('.').map(|(h, _)| h),
        "event ids are cursors"
    );

    let page: SyncPage = shop
        .get(&format!("/api/v1/sync?after={cursor}"), &session.token)
        .await;
    let found: Vec<_> = page
        .changes
        .iter()
        .filter_map(|c| match &c.entity {
            Entity::Message(m) => Some(m.id),
            _ => None,
        })
        .collect();
    assert_eq!(found, vec![sent.id]);
    assert!(page.changes.iter().any(
        |c| matches!(&c.entity, Entity::Conversation(conv) if conv.id == chat.conversation_id)
    ));
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn live_events_resume_after_last_event_id_without_a_gap() {
    let shop = TestShop::demo().await;
    let session = shop.sign_in().await;
    let chat = shop.start_chat("Bo Ek", "bo@example.se").await;

    let mut stream = shop.events("/api/v1/events", &session.token, None).await;
    let first = shop.customer_says(&chat, "first").await;
    let last_id = next_matching(&mut stream, |e| match change_of(e).entity {
        Entity::Message(m) if m.id == first.id => Some(e.id.clone()),
        _ => None,
    })
    .await;
    drop(stream);

    // Sent while nobody listens.
    let mut missed = Vec::new();
    for i in 0..5 {
        missed.push(
            shop.customer_says(&chat, &format!("while away {i}"))
                .await
                .id,
        );
    }
    let mut resumed = shop
        .events("/api/v1/events", &session.token, Some(&last_id))
        .await;
    let mut seen = Vec::new();
    while seen.len() < missed.len() {
        let id = next_matching(&mut resumed, |e| match change_of(e).entity {
            Entity::Message(m) => Some(m.id),
            _ => None,
        })
        .await;
        seen.push(id);
    }
    assert_eq!(seen, missed, "every missed message, once, in order");

    // The resumed stream stays live.
    let after = shop.customer_says(&chat, "and now").await;
    let got = next_matching(&mut resumed, |e| match change_of(e).entity {
        Entity::Message(m) => Some(m.id),
        _ => None,
    })
    .await;
    assert_eq!(got, after.id);

    // A heartbeat comment arrives on an idle stream (the test server beats every second), so
    // the stream's bytes keep flowing; eventsource-stream drops comments, so check the raw body.
    let raw = shop
        .request(Method::GET, "/api/v1/events", Some(&session.token))
        .send()
        .await
        .unwrap();
    let mut bytes = raw.bytes_stream();
    let chunk = tokio::time::timeout(std::time::Duration::from_secs(5), bytes.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&chunk).starts_with(':'),
        "a heartbeat comment"
    );
    shop.stop().await;
}

async fn conversation_for_staff(shop: &TestShop) -> (Session, ChatSession) {
    let session = shop.sign_in().await;
    let chat = shop.start_chat("Cecilia Berg", "cecilia@example.se").await;
    shop.customer_says(&chat, "Hej! Jag behöver hjälp").await;
    (session, chat)
}

async fn products(shop: &TestShop, token: &str, online_store: bool) -> Vec<Product> {
    let list: ProductList = shop
        .get(
            &format!("/api/v1/products?limit=100&online_store={online_store}"),
            token,
        )
        .await;
    list.products
}

#[tokio::test(flavor = "multi_thread")]
async fn sharing_products_checks_count_and_sales_channel() {
    let shop = TestShop::demo().await;
    let (session, chat) = conversation_for_staff(&shop).await;
    let path = format!("/api/v1/conversations/{}/messages", chat.conversation_id);
    let all = products(&shop, &session.token, false).await;
    let on_store: Vec<i64> = all
        .iter()
        .filter(|p| p.online_store)
        .map(|p| p.id)
        .collect();
    let off_store = all
        .iter()
        .find(|p| !p.online_store)
        .expect("an off-store product");
    // The staff product picker lists online-store products only.
    assert!(
        products(&shop, &session.token, true)
            .await
            .iter()
            .all(|p| p.online_store)
    );

    let four = SendMessage::Products {
        text: None,
        product_ids: on_store[..4].to_vec(),
    };
    let p = problem(
        shop.send(Method::POST, &path, &session.token, &four).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p.code, ProblemCode::TooManyProducts);
    assert!(p.detail.contains("up to 3"), "{}", p.detail);

    let off = SendMessage::Products {
        text: None,
        product_ids: vec![on_store[0], off_store.id],
    };
    let p = problem(
        shop.send(Method::POST, &path, &session.token, &off).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p.code, ProblemCode::ProductUnavailable);
    assert!(p.detail.contains(&off_store.title), "{}", p.detail);

    let three = SendMessage::Products {
        text: Some("These three!".into()),
        product_ids: on_store[..3].to_vec(),
    };
    let sent: Message = ok(shop.send(Method::POST, &path, &session.token, &three).await).await;
    match sent.body {
        MessageBody::Products { text, products } => {
            assert_eq!(text.as_deref(), Some("These three!"));
            assert_eq!(
                products.iter().map(|p| p.product_id).collect::<Vec<_>>(),
                on_store[..3]
            );
        }
        other => panic!("not a product message: {other:?}"),
    }
    // Nothing of the refused sends reached the conversation.
    let detail: ConversationDetail = shop
        .get(
            &format!("/api/v1/conversations/{}", chat.conversation_id),
            &session.token,
        )
        .await;
    assert_eq!(detail.messages.len(), 2);
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn only_active_discount_codes_can_be_shared() {
    let shop = TestShop::demo().await;
    let (session, chat) = conversation_for_staff(&shop).await;
    let path = format!("/api/v1/conversations/{}/messages", chat.conversation_id);
    let codes: DiscountList = shop.get("/api/v1/discounts", &session.token).await;
    let of = |status| {
        codes
            .discounts
            .iter()
            .find(|d| d.status == status)
            .expect("a code of each status")
            .clone()
    };
    for status in [DiscountStatus::Expired, DiscountStatus::Scheduled] {
        let code = of(status);
        let send = SendMessage::Discount {
            discount_id: code.id,
        };
        let p = problem(
            shop.send(Method::POST, &path, &session.token, &send).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(p.code, ProblemCode::DiscountInactive);
        assert!(
            p.detail.contains(&code.code) && p.detail.contains("admin"),
            "{}",
            p.detail
        );
    }
    let active = of(DiscountStatus::Active);
    let sent: Message = ok(shop
        .send(
            Method::POST,
            &path,
            &session.token,
            &SendMessage::Discount {
                discount_id: active.id,
            },
        )
        .await)
    .await;
    assert!(
        matches!(sent.body, MessageBody::Discount { ref discount } if discount.code == active.code)
    );

    // The customer clicks it: it is stored on the cart for checkout.
    let cart: Cart = ok(shop
        .send(
            Method::POST,
            &format!(
                "/api/v1/storefront/conversations/{}/discount",
                chat.conversation_id
            ),
            &chat.token,
            &ApplyDiscount {
                code: active.code.clone(),
            },
        )
        .await)
    .await;
    assert_eq!(cart.discount_code.as_deref(), Some(active.code.as_str()));
    shop.stop().await;
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(width, height, image::Rgb([10, 120, 200]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

#[tokio::test(flavor = "multi_thread")]
async fn uploads_are_checked_and_sent_as_attachments() {
    let shop = TestShop::demo().await;
    let (session, chat) = conversation_for_staff(&shop).await;
    let upload = |mime: &'static str, bytes: Vec<u8>| {
        shop.request(Method::POST, "/api/v1/uploads", Some(&session.token))
            .header("content-type", mime)
            .body(bytes)
            .send()
    };

    let p = problem(
        upload("image/png", b"definitely not a png".to_vec())
            .await
            .unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p.code, ProblemCode::CorruptMedia);
    assert!(p.detail.contains("damaged"), "{}", p.detail);

    let p = problem(
        upload("application/x-msdownload", b"MZ".to_vec())
            .await
            .unwrap(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
    )
    .await;
    assert_eq!(p.code, ProblemCode::UnsupportedMedia);

    let oversize = vec![0u8; MAX_IMAGE_BYTES + 1];
    let p = problem(
        upload("image/jpeg", oversize).await.unwrap(),
        StatusCode::PAYLOAD_TOO_LARGE,
    )
    .await;
    assert_eq!(p.code, ProblemCode::AttachmentTooLarge);
    assert!(p.detail.contains("20 MB"), "{}", p.detail);

    let attachment: Attachment = ok(upload("image/png", png(40, 30)).await.unwrap()).await;
    assert_eq!((attachment.width, attachment.height), (Some(40), Some(30)));
    let send = SendMessage::Attachment {
        upload_id: attachment.upload_id.clone(),
        text: Some("Here's a photo".into()),
    };
    let sent: Message = ok(shop
        .send(
            Method::POST,
            &format!("/api/v1/conversations/{}/messages", chat.conversation_id),
            &session.token,
            &send,
        )
        .await)
    .await;
    assert!(
        matches!(sent.body, MessageBody::Attachment { ref attachment, .. } if attachment.kind == MediaKind::Image)
    );

    // The customer's widget can load it, byte for byte.
    let served = shop
        .request(Method::GET, &attachment.url, None)
        .send()
        .await
        .unwrap();
    assert_eq!(served.headers()["content-type"], "image/png");
    assert_eq!(served.bytes().await.unwrap().to_vec(), png(40, 30));
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn one_idempotency_key_sends_one_message() {
    let shop = TestShop::demo().await;
    let (session, chat) = conversation_for_staff(&shop).await;
    let path = format!("/api/v1/conversations/{}/messages", chat.conversation_id);
    let send = SendMessage::Text {
        text: "Tack, vi skickar den i dag!".into(),
    };
    let mut ids = Vec::new();
    for _ in 0..2 {
        let response = shop
            .request(Method::POST, &path, Some(&session.token))
            .header("Idempotency-Key", "reply-7f3a")
            .json(&send)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        ids.push(response.json::<Message>().await.unwrap().id);
    }
    assert_eq!(ids[0], ids[1], "the retry answered with the first message");
    let detail: ConversationDetail = shop
        .get(
            &format!("/api/v1/conversations/{}", chat.conversation_id),
            &session.token,
        )
        .await;
    let replies = detail
        .messages
        .iter()
        .filter(|m| m.body.text() == Some("Tack, vi skickar den i dag!"))
        .count();
    assert_eq!(replies, 1);

    // The same key for another request is refused rather than silently answered.
    let other = shop
        .request(Method::POST, &path, Some(&session.token))
        .header("Idempotency-Key", "reply-7f3a")
        .json(&SendMessage::Text {
            text: "something else".into(),
        })
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(other, StatusCode::UNPROCESSABLE_ENTITY).await.code,
        ProblemCode::IdempotencyKeyReused
    );
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn customers_reach_only_their_own_chat() {
    let shop = TestShop::demo().await;
    let alice = shop.start_chat("Alice", "alice@example.com").await;
    let bob = shop.start_chat("Bob", "bob@example.com").await;
    shop.customer_says(&bob, "my secret order question").await;

    for path in [
        format!("/api/v1/storefront/conversations/{}", bob.conversation_id),
        format!(
            "/api/v1/storefront/conversations/{}/events",
            bob.conversation_id
        ),
    ] {
        let response = shop
            .request(Method::GET, &path, Some(&alice.token))
            .send()
            .await
            .unwrap();
        assert_eq!(
            problem(response, StatusCode::FORBIDDEN).await.code,
            ProblemCode::PermissionDenied
        );
    }
    let write = shop
        .send(
            Method::POST,
            &format!(
                "/api/v1/storefront/conversations/{}/messages",
                bob.conversation_id
            ),
            &alice.token,
            &CustomerText { text: "hi".into() },
        )
        .await;
    assert_eq!(
        problem(write, StatusCode::FORBIDDEN).await.code,
        ProblemCode::PermissionDenied
    );

    // A customer token is no staff token.
    let staff_api = shop
        .request(Method::GET, "/api/v1/sync", Some(&alice.token))
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(staff_api, StatusCode::UNAUTHORIZED).await.code,
        ProblemCode::Unauthenticated
    );

    let own: ChatTranscript = shop
        .get(
            &format!("/api/v1/storefront/conversations/{}", alice.conversation_id),
            &alice.token,
        )
        .await;
    assert!(own.messages.is_empty());

    // Typing Bob's email into a chat does not hand over Bob's conversation or customer record:
    // it starts a new conversation with an unverified customer of its own (see hardening.rs).
    let impostor = shop.start_chat("Not Bob", "bob@example.com").await;
    assert_ne!(impostor.customer_id, bob.customer_id);
    assert!(!impostor.email_verified);
    assert_ne!(impostor.conversation_id, bob.conversation_id);
    let seen: ChatTranscript = shop
        .get(
            &format!(
                "/api/v1/storefront/conversations/{}",
                impostor.conversation_id
            ),
            &impostor.token,
        )
        .await;
    assert!(seen.messages.is_empty() && seen.cart.is_none());
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn assignment_needs_the_chat_permission() {
    let shop = TestShop::demo().await;
    let (session, chat) = conversation_for_staff(&shop).await;
    let path = format!("/api/v1/conversations/{}/assignee", chat.conversation_id);
    let staff: StaffList = shop.get("/api/v1/staff", &session.token).await;
    let without = staff
        .staff
        .iter()
        .find(|s| !s.can_chat())
        .expect("a staff member without chat");
    let with = staff
        .staff
        .iter()
        .find(|s| s.can_chat() && s.id != session.staff.id)
        .expect("a colleague");

    let p = problem(
        shop.send(
            Method::PUT,
            &path,
            &session.token,
            &SetAssignee {
                staff_id: Some(without.id),
            },
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p.code, ProblemCode::StaffCannotChat);
    assert!(p.detail.contains(&without.name), "{}", p.detail);

    let assigned: Conversation = ok(shop
        .send(
            Method::PUT,
            &path,
            &session.token,
            &SetAssignee {
                staff_id: Some(with.id),
            },
        )
        .await)
    .await;
    assert_eq!(assigned.assignee_id, Some(with.id));
    let unassigned: Conversation = ok(shop
        .send(
            Method::PUT,
            &path,
            &session.token,
            &SetAssignee { staff_id: None },
        )
        .await)
    .await;
    assert_eq!(unassigned.assignee_id, None);
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn conversations_close_reopen_and_are_marked_unread() {
    let shop = TestShop::demo().await;
    let (session, chat) = conversation_for_staff(&shop).await;
    let id = chat.conversation_id;
    let status = format!("/api/v1/conversations/{id}/status");
    let closed: Conversation = ok(shop
        .send(
            Method::PUT,
            &status,
            &session.token,
            &SetStatus {
                status: ConversationStatus::Closed,
            },
        )
        .await)
    .await;
    assert_eq!(closed.status, ConversationStatus::Closed);
    let reopened: Conversation = ok(shop
        .send(
            Method::PUT,
            &status,
            &session.token,
            &SetStatus {
                status: ConversationStatus::Open,
            },
        )
        .await)
    .await;
    assert_eq!(reopened.status, ConversationStatus::Open);

    // There is no delete.
    let delete = shop
        .request(
            Method::DELETE,
            &format!("/api/v1/conversations/{id}"),
            Some(&session.token),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(delete, StatusCode::METHOD_NOT_ALLOWED).await.code,
        ProblemCode::MethodNotAllowed
    );

    // A customer writing into a closed conversation reopens it.
    ok::<Conversation>(
        shop.send(
            Method::PUT,
            &status,
            &session.token,
            &SetStatus {
                status: ConversationStatus::Closed,
            },
        )
        .await,
    )
    .await;
    shop.customer_says(&chat, "One more question!").await;
    let detail: ConversationDetail = shop
        .get(&format!("/api/v1/conversations/{id}"), &session.token)
        .await;
    assert_eq!(detail.conversation.status, ConversationStatus::Open);

    let read_path = format!("/api/v1/conversations/{id}/read-state");
    let read: ReadState = ok(shop
        .send(
            Method::PUT,
            &read_path,
            &session.token,
            &SetReadState {
                unread: false,
                last_read_message_id: None,
            },
        )
        .await)
    .await;
    assert_eq!(
        read.last_read_message_id,
        detail.messages.last().map(|m| m.id)
    );
    let unread: ReadState = ok(shop
        .send(
            Method::PUT,
            &read_path,
            &session.token,
            &SetReadState {
                unread: true,
                last_read_message_id: None,
            },
        )
        .await)
    .await;
    assert!(unread.marked_unread);
    assert_eq!(unread.staff_id, session.staff.id);
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn replies_to_a_customer_who_left_are_emailed() {
    let shop = TestShop::demo().await;
    let (session, chat) = conversation_for_staff(&shop).await;
    let path = format!("/api/v1/conversations/{}/messages", chat.conversation_id);

    // While the widget is open the customer is online and the reply goes to the chat.
    let mut widget = shop
        .events(
            &format!(
                "/api/v1/storefront/conversations/{}/events",
                chat.conversation_id
            ),
            &chat.token,
            None,
        )
        .await;
    let detail: ConversationDetail = shop
        .get(
            &format!("/api/v1/conversations/{}", chat.conversation_id),
            &session.token,
        )
        .await;
    assert!(detail.conversation.customer_online);
    let live: Message = ok(shop
        .send(
            Method::POST,
            &path,
            &session.token,
            &SendMessage::Text {
                text: "Hi Cecilia!".into(),
            },
        )
        .await)
    .await;
    assert_eq!(
        live.delivery,
        Some(Delivery::Platform {
            platform: Platform::OnlineStore
        })
    );
    let received = next_matching(&mut widget, |e| {
        let event: ChatEvent = serde_json::from_str(&e.data).unwrap();
        match event {
            ChatEvent::Message(m) if m.id == live.id => Some(m),
            _ => None,
        }
    })
    .await;
    assert_eq!(received.body.text(), Some("Hi Cecilia!"));

    // The customer leaves: they go offline and the next reply is emailed.
    drop(widget);
    let mut offline = false;
    for _ in 0..100 {
        let detail: ConversationDetail = shop
            .get(
                &format!("/api/v1/conversations/{}", chat.conversation_id),
                &session.token,
            )
            .await;
        if !detail.conversation.customer_online {
            offline = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(offline, "the customer went offline when the widget closed");
    let emailed: Message = ok(shop
        .send(
            Method::POST,
            &path,
            &session.token,
            &SendMessage::Text {
                text: "Your parcel left today.".into(),
            },
        )
        .await)
    .await;
    assert_eq!(
        emailed.delivery,
        Some(Delivery::Email {
            address: "cecilia@example.se".into()
        })
    );
    let outbox: EmailOutbox = ok(shop
        .request(Method::GET, "/api/v1/demo/outbox", None)
        .send()
        .await
        .unwrap())
    .await;
    let email = outbox
        .emails
        .iter()
        .find(|e| e.message_id == Some(emailed.id))
        .expect("recorded in the outbox");
    assert_eq!(email.to, "cecilia@example.se");
    assert!(email.body.contains("Your parcel left today."));
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn cart_events_name_products_only_under_41_characters() {
    let shop = TestShop::demo().await;
    let (session, chat) = conversation_for_staff(&shop).await;
    let all = products(&shop, &session.token, true).await;
    let with_len = |n: usize| {
        all.iter()
            .find(|p| p.title.chars().count() == n && p.variants.iter().any(|v| v.stock > 0))
            .unwrap_or_else(|| panic!("a product named with {n} characters"))
    };
    let path = format!(
        "/api/v1/storefront/conversations/{}/cart",
        chat.conversation_id
    );
    let mut events = Vec::new();
    for n in [40, 41] {
        let product = with_len(n);
        let variant = product.variants.iter().find(|v| v.stock > 0).unwrap();
        let event: CartEvent = ok(shop
            .send(
                Method::POST,
                &path,
                &chat.token,
                &CartChange {
                    variant_id: variant.id,
                    action: CartAction::Added,
                    quantity: None,
                },
            )
            .await)
        .await;
        events.push((product.title.clone(), event));
    }
    assert_eq!(
        events[0].1.product_name.as_deref(),
        Some(events[0].0.as_str())
    );
    assert_eq!(events[1].1.product_name, None);

    // Staff see the same in the conversation, and the cart with both lines.
    let detail: ConversationDetail = shop
        .get(
            &format!("/api/v1/conversations/{}", chat.conversation_id),
            &session.token,
        )
        .await;
    assert_eq!(
        detail
            .cart_events
            .iter()
            .map(|e| e.product_name.clone())
            .collect::<Vec<_>>(),
        vec![Some(events[0].0.clone()), None]
    );
    let profile: CustomerProfile = shop
        .get(
            &format!("/api/v1/customers/{}", chat.customer_id),
            &session.token,
        )
        .await;
    let cart = profile.cart.expect("an active cart");
    assert_eq!(cart.lines.len(), 2);
    assert_eq!(
        cart.subtotal.minor,
        cart.lines
            .iter()
            .map(|l| l.unit_price.minor * l.quantity)
            .sum::<i64>()
    );
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_requests_get_problems() {
    let shop = TestShop::demo().await;
    let (session, chat) = conversation_for_staff(&shop).await;
    let path = format!("/api/v1/conversations/{}/messages", chat.conversation_id);
    let broken = shop
        .request(Method::POST, &path, Some(&session.token))
        .header("content-type", "application/json")
        .body("{\"type\": \"text\", \"txt\": 1")
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(broken, StatusCode::BAD_REQUEST).await.code,
        ProblemCode::MalformedPayload
    );
    let empty = shop
        .send(
            Method::POST,
            &path,
            &session.token,
            &SendMessage::Text { text: "   ".into() },
        )
        .await;
    assert_eq!(
        problem(empty, StatusCode::UNPROCESSABLE_ENTITY).await.code,
        ProblemCode::MalformedPayload
    );
    let unknown = shop
        .request(
            Method::GET,
            "/api/v1/conversations/999999999",
            Some(&session.token),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(unknown, StatusCode::NOT_FOUND).await.code,
        ProblemCode::NotFound
    );
    let nowhere = shop
        .request(Method::GET, "/api/v1/nowhere", None)
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(nowhere, StatusCode::NOT_FOUND).await.code,
        ProblemCode::NotFound
    );
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn notes_are_added_edited_and_deleted() {
    let shop = TestShop::demo().await;
    let (session, chat) = conversation_for_staff(&shop).await;
    let base = format!("/api/v1/customers/{}/notes", chat.customer_id);
    let note: Note = ok(shop
        .send(
            Method::POST,
            &base,
            &session.token,
            &NoteBody {
                body: "Prefers email".into(),
            },
        )
        .await)
    .await;
    let edited: Note = ok(shop
        .send(
            Method::PUT,
            &format!("{base}/{}", note.id),
            &session.token,
            &NoteBody {
                body: "Prefers SMS".into(),
            },
        )
        .await)
    .await;
    assert_eq!(edited.body, "Prefers SMS");
    let profile: CustomerProfile = shop
        .get(
            &format!("/api/v1/customers/{}", chat.customer_id),
            &session.token,
        )
        .await;
    assert_eq!(
        profile
            .notes
            .iter()
            .map(|n| n.body.as_str())
            .collect::<Vec<_>>(),
        ["Prefers SMS"]
    );
    let deleted = shop
        .request(
            Method::DELETE,
            &format!("{base}/{}", note.id),
            Some(&session.token),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let changes = shop.full_sync(&session.token).await;
    assert!(
        changes
            .iter()
            .any(|c| matches!(c.entity, Entity::NoteDeleted { id, .. } if id == note.id))
    );
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn plain_http_is_refused() {
    let shop = TestShop::demo().await;
    let plain = reqwest::Client::new();
    let url = shop.url.replace("https://", "http://");
    let answered = plain.get(format!("{url}/api/v1/health")).send().await;
    assert!(
        !answered.is_ok_and(|r| r.status().is_success()),
        "plain HTTP got an answer"
    );
    // A client that does not trust the shop's CA cannot connect.
    let stranger = reqwest::Client::builder()
        .tls_certs_only([])
        .build()
        .unwrap();
    assert!(
        stranger
            .get(format!("{}/api/v1/health", shop.url))
            .send()
            .await
            .is_err()
    );
    let health: Health = ok(shop
        .request(Method::GET, "/api/v1/health", None)
        .send()
        .await
        .unwrap())
    .await;
    assert_eq!(health.status, "ok");
    let served = shop
        .request(Method::GET, "/api/v1/openapi.json", None)
        .send()
        .await
        .unwrap();
    assert_eq!(
        served.text().await.unwrap(),
        shop_server::api::openapi_json(),
        "the served spec is the generated one"
    );
    shop.stop().await;
}

#[test]
fn the_committed_openapi_document_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/api/openapi.json");
    let generated = shop_server::api::openapi_json();
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/api/openapi.json is stale; regenerate it with `make openapi`"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_model_labels_customer_messages_newest_first() {
    let shop = TestShop::demo().await;
    let session = shop.sign_in().await;
    let chat = shop.start_chat("Ines Falk", "ines@example.com").await;
    let labels = |detail: &ConversationDetail| {
        detail
            .conversation
            .topics
            .iter()
            .map(|t| t.topic)
            .collect::<Vec<_>>()
    };
    let path = format!("/api/v1/conversations/{}", chat.conversation_id);

    shop.customer_says(&chat, "hi").await;
    let detail: ConversationDetail = shop.get(&path, &session.token).await;
    assert_eq!(
        labels(&detail),
        Vec::<Topic>::new(),
        "small talk gets no label"
    );

    shop.customer_says(&chat, "How much is shipping to Norway?")
        .await;
    let detail: ConversationDetail = shop.get(&path, &session.token).await;
    assert_eq!(labels(&detail), vec![Topic::Shipping]);
    assert!(detail.conversation.topics[0].confidence >= CONFIDENCE_GATE);

    shop.customer_says(
        &chat,
        "Also, can I return the sweater I got last week? It doesn't fit.",
    )
    .await;
    let detail: ConversationDetail = shop.get(&path, &session.token).await;
    assert_eq!(
        labels(&detail),
        vec![Topic::Returns, Topic::Shipping],
        "newest first"
    );

    // A topic that comes back moves to the front.
    shop.customer_says(&chat, "Vad kostar frakten till Kiruna?")
        .await;
    let detail: ConversationDetail = shop.get(&path, &session.token).await;
    assert_eq!(labels(&detail), vec![Topic::Shipping, Topic::Returns]);
    shop.stop().await;
}

/// The embedded widget's CORS: the storefront API answers exactly the configured origins; the
/// staff API, pages and other origins get no CORS headers at all.
#[tokio::test]
async fn cors_answers_only_the_allowed_origins_and_only_on_the_storefront() {
    let shop = TestShop::with(|config| {
        config.allowed_origins = vec!["https://Shop.Example:443/".into()];
    })
    .await;
    let preflight = |path: &str, origin: &str| {
        shop.request(Method::OPTIONS, path, None)
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization, content-type, idempotency-key",
            )
            .send()
    };
    let allow = |response: &reqwest::Response| {
        response
            .headers()
            .get("access-control-allow-origin")
            .map(|v| v.to_str().unwrap_or_default().to_owned())
    };

    let ok_preflight = preflight("/api/v1/storefront/chats", "https://shop.example")
        .await
        .expect("preflight");
    assert_eq!(ok_preflight.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        allow(&ok_preflight).as_deref(),
        Some("https://shop.example")
    );
    let headers = ok_preflight.headers();
    assert!(
        headers["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .contains("POST")
    );
    let allowed_headers = headers["access-control-allow-headers"].to_str().unwrap();
    for header in ["authorization", "content-type", "idempotency-key"] {
        assert!(allowed_headers.contains(header), "{allowed_headers}");
    }
    assert!(headers.get("access-control-allow-credentials").is_none());

    // Another origin, or the staff API from the allowed one: no CORS, as before.
    for (path, origin) in [
        ("/api/v1/storefront/chats", "https://evil.example"),
        ("/api/v1/storefront/chats", "http://shop.example"),
        ("/api/v1/auth/sign-in", "https://shop.example"),
        ("/api/v1/sync", "https://shop.example"),
    ] {
        let response = preflight(path, origin).await.expect("preflight");
        assert_eq!(allow(&response), None, "{path} from {origin}");
        assert_ne!(
            response.status(),
            StatusCode::NO_CONTENT,
            "{path} from {origin}"
        );
    }

    // Real requests: readable by the allowed origin (with Retry-After), not by others.
    let from = |origin: &'static str| {
        shop.request(Method::POST, "/api/v1/storefront/chats", None)
            .header("origin", origin)
            .json(&StartChat {
                name: "Ada".into(),
                email: "ada@example.com".into(),
                platform: Platform::OnlineStore,
            })
            .send()
    };
    let response = from("https://shop.example").await.expect("start chat");
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(allow(&response).as_deref(), Some("https://shop.example"));
    assert_eq!(
        response.headers()["access-control-expose-headers"],
        "retry-after"
    );
    assert!(
        response.headers()["vary"]
            .to_str()
            .unwrap()
            .contains("origin")
    );
    let response = from("https://evil.example").await.expect("start chat");
    assert_eq!(allow(&response), None);
    let staff = shop
        .request(Method::GET, "/api/v1/health", None)
        .header("origin", "https://shop.example")
        .send()
        .await
        .expect("health");
    assert_eq!(allow(&staff), None);
    shop.stop().await;
}

/// A configured origin that is not an origin stops the server from starting.
#[tokio::test]
async fn an_allowed_origin_that_is_not_one_is_refused_at_start() {
    let dir = tempfile::tempdir().expect("dir");
    let mut config = shop_server::Config::new(dir.path());
    config.allowed_origins = vec!["*".into()];
    let error = shop_server::start(config)
        .await
        .err()
        .expect("a wildcard is refused");
    assert!(error.to_string().contains("not an origin"), "{error}");
}

// ---- Checkout ------------------------------------------------------------------------------

/// What a checkout test sells: variants with prices that round, few in stock, and codes of
/// every kind, written through the same mutations a platform import uses.
struct Catalog {
    /// 19.99 SEK, twenty in stock.
    mug: i64,
    /// 3.33 SEK, one in stock.
    candle: i64,
}

async fn checkout_catalog(shop: &TestShop) -> Catalog {
    use shop_server::checkout::{DiscountKind, DiscountRule};
    use shop_server::storage::mutations::{self, NewProduct, NewVariant};
    let now = shop_server::clock::now_ms();
    let hour = 3_600_000;
    shop.server()
        .state
        .db
        .write(move |tx| {
            let product = |title: &'static str, handle: &'static str, price, stock| NewProduct {
                title,
                handle,
                description: "",
                image: None,
                online_store: true,
                variants: vec![NewVariant {
                    title: "Default",
                    options: &[],
                    price_minor: price,
                    stock,
                }],
            };
            let (_, mug) = mutations::add_product(
                tx,
                &product("Checkout mug", "checkout-mug", 1_999, 20),
                now,
            )?;
            let (_, candle) = mutations::add_product(
                tx,
                &product("Checkout candle", "checkout-candle", 333, 1),
                now,
            )?;
            let codes = [
                ("PCT15", DiscountRule::percent(15), now - hour, None),
                (
                    "FIXED100",
                    DiscountRule {
                        kind: DiscountKind::FixedAmount,
                        value: 10_000,
                        minimum_subtotal: 20_000,
                        once_per_customer: false,
                    },
                    now - hour,
                    None,
                ),
                (
                    "ONCE10",
                    DiscountRule {
                        once_per_customer: true,
                        ..DiscountRule::percent(10)
                    },
                    now - hour,
                    None,
                ),
                (
                    "SHIPFREE",
                    DiscountRule {
                        kind: DiscountKind::FreeShipping,
                        ..DiscountRule::percent(0)
                    },
                    now - hour,
                    Some(now + hour),
                ),
            ];
            for (code, rule, starts, ends) in codes {
                mutations::add_discount(tx, code, code, &rule, starts, ends)?;
            }
            Ok(Catalog {
                mug: mug[0],
                candle: candle[0],
            })
        })
        .await
        .unwrap()
}

fn storefront_path(chat: &ChatSession, rest: &str) -> String {
    format!(
        "/api/v1/storefront/conversations/{}/{rest}",
        chat.conversation_id
    )
}

async fn add_to_cart(shop: &TestShop, chat: &ChatSession, variant_id: i64, quantity: i64) {
    let response = shop
        .send(
            Method::POST,
            &storefront_path(chat, "cart"),
            &chat.token,
            &CartChange {
                variant_id,
                action: CartAction::Added,
                quantity: Some(quantity),
            },
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK, "added to the cart");
}

async fn apply_code(shop: &TestShop, chat: &ChatSession, code: &str) -> reqwest::Response {
    shop.send(
        Method::POST,
        &storefront_path(chat, "discount"),
        &chat.token,
        &ApplyDiscount { code: code.into() },
    )
    .await
}

async fn quote(shop: &TestShop, chat: &ChatSession, shipping: &str) -> CheckoutQuote {
    shop.get(
        &storefront_path(chat, &format!("checkout?shipping={shipping}")),
        &chat.token,
    )
    .await
}

fn order_for(email: &str, card: &str) -> PlaceOrder {
    PlaceOrder {
        email: email.into(),
        shipping_address: ShippingAddress {
            name: "Cecilia Berg".into(),
            line1: "Storgatan 1".into(),
            line2: None,
            postal_code: "903 26".into(),
            city: "Umeå".into(),
            country: "SE".into(),
        },
        shipping_method: "standard".into(),
        card_number: card.into(),
    }
}

async fn pay(
    shop: &TestShop,
    chat: &ChatSession,
    order: &PlaceOrder,
    key: Option<&str>,
) -> reqwest::Response {
    let mut request = shop
        .request(
            Method::POST,
            &storefront_path(chat, "orders"),
            Some(&chat.token),
        )
        .json(order);
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    request.send().await.unwrap()
}

async fn transcript_cart(shop: &TestShop, chat: &ChatSession) -> Option<Cart> {
    let transcript: ChatTranscript = shop
        .get(
            &format!("/api/v1/storefront/conversations/{}", chat.conversation_id),
            &chat.token,
        )
        .await;
    transcript.cart
}

async fn count_orders(shop: &TestShop, customer_id: i64) -> i64 {
    shop.server()
        .state
        .db
        .read(move |db| {
            db.query_row(
                "SELECT count(*) FROM orders WHERE customer_id = ?1",
                shop_server::args![customer_id],
                |r| r.get(0),
            )
        })
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn checkout_prices_lines_discounts_and_shipping_in_minor_units() {
    let shop = TestShop::demo().await;
    let catalog = checkout_catalog(&shop).await;
    let chat = shop.start_chat("Cecilia Berg", "cecilia@example.se").await;

    // Nothing to check out yet.
    let empty = shop
        .request(
            Method::GET,
            &storefront_path(&chat, "checkout"),
            Some(&chat.token),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(empty, StatusCode::UNPROCESSABLE_ENTITY).await.code,
        ProblemCode::CartEmpty
    );

    add_to_cart(&shop, &chat, catalog.mug, 3).await;
    let plain = quote(&shop, &chat, "standard").await;
    assert_eq!(plain.lines.len(), 1);
    assert_eq!(plain.lines[0].line_total.minor, 5_997);
    assert_eq!(plain.subtotal.minor, 5_997);
    assert_eq!(plain.shipping.price.minor, 4_900);
    assert_eq!(plain.total.minor, 10_897);
    assert_eq!(plain.discount, None);
    let currencies: BTreeSet<&str> = [
        &plain.subtotal,
        &plain.total,
        &plain.shipping.price,
        &plain.lines[0].unit_price,
        &plain.lines[0].line_total,
    ]
    .into_iter()
    .map(|m| m.currency.as_str())
    .collect();
    assert_eq!(
        currencies,
        BTreeSet::from(["SEK"]),
        "one currency: the shop's"
    );
    assert_eq!(
        plain
            .shipping_options
            .iter()
            .map(|o| o.id.as_str())
            .collect::<Vec<_>>(),
        ["standard", "express"]
    );

    // A percentage rounds half up to a whole öre: 15 % of 59.97 is 8.9955, so 9.00 off.
    assert_eq!(
        apply_code(&shop, &chat, "pct15").await.status(),
        StatusCode::OK
    );
    let pct = quote(&shop, &chat, "express").await;
    let discount = pct.discount.expect("the code applies");
    assert_eq!(discount.code, "PCT15");
    assert_eq!(discount.amount.minor, 900);
    assert_eq!(pct.shipping.price.minor, 12_900);
    assert_eq!(pct.total.minor, 5_997 - 900 + 12_900);

    // Free shipping takes the shipping off.
    assert_eq!(
        apply_code(&shop, &chat, "SHIPFREE").await.status(),
        StatusCode::OK
    );
    let free = quote(&shop, &chat, "standard").await;
    assert_eq!(free.discount.unwrap().amount.minor, 4_900);
    assert_eq!(free.total.minor, 5_997);

    // A fixed amount with a minimum subtotal: refused below it, with the reason, and the
    // order too, with the cart kept.
    assert_eq!(
        apply_code(&shop, &chat, "FIXED100").await.status(),
        StatusCode::OK
    );
    let below = quote(&shop, &chat, "standard").await;
    assert_eq!(below.discount, None);
    let refused = below.discount_refused.expect("refused below the minimum");
    assert_eq!(refused.problem, ProblemCode::DiscountNotApplicable);
    assert!(
        refused.reason.contains("at least 200.00 SEK"),
        "{}",
        refused.reason
    );
    assert_eq!(below.total.minor, 10_897, "priced without the code");
    let order = order_for("cecilia@example.se", "4242 4242 4242 4242");
    let response = pay(&shop, &chat, &order, None).await;
    let refusal = problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(refusal.code, ProblemCode::DiscountNotApplicable);
    assert!(refusal.detail.contains("at least 200.00 SEK"));
    assert_eq!(count_orders(&shop, chat.customer_id).await, 0);
    // 19.99 × 11 = 219.89 clears the minimum: 100.00 off.
    add_to_cart(&shop, &chat, catalog.mug, 8).await;
    let above = quote(&shop, &chat, "standard").await;
    assert_eq!(above.discount_refused, None);
    assert_eq!(above.discount.unwrap().amount.minor, 10_000);
    assert_eq!(above.total.minor, 21_989 - 10_000 + 4_900);

    // A code applied while active that has expired since is refused at checkout, saying so.
    assert_eq!(
        apply_code(&shop, &chat, "PCT15").await.status(),
        StatusCode::OK
    );
    let now = shop_server::clock::now_ms();
    shop.server()
        .state
        .db
        .write(move |tx| {
            tx.execute(
                "UPDATE discount_codes SET ends_at = ?1 WHERE code = 'PCT15'",
                shop_server::args![now - 1],
            )
        })
        .await
        .unwrap();
    let expired = quote(&shop, &chat, "standard").await;
    let refused = expired
        .discount_refused
        .expect("the expired code is refused");
    assert_eq!(refused.problem, ProblemCode::DiscountInactive);
    assert_eq!(refused.reason, "the code PCT15 has expired");
    let cart_before = transcript_cart(&shop, &chat).await.unwrap();
    let response = pay(&shop, &chat, &order, None).await;
    let refusal = problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(refusal.code, ProblemCode::DiscountInactive);
    assert!(refusal.detail.contains("has expired"), "{}", refusal.detail);
    let cart_after = transcript_cart(&shop, &chat).await.unwrap();
    assert_eq!(cart_after.lines, cart_before.lines, "the cart is kept");
    assert_eq!(cart_after.discount_code.as_deref(), Some("PCT15"));

    // Taking the code off prices the order without it.
    let cart: Cart = ok(shop
        .request(
            Method::DELETE,
            &storefront_path(&chat, "discount"),
            Some(&chat.token),
        )
        .send()
        .await
        .unwrap())
    .await;
    assert_eq!(cart.discount_code, None);
    let without = quote(&shop, &chat, "standard").await;
    assert_eq!((without.discount, without.discount_refused), (None, None));
    assert_eq!(without.total.minor, 21_989 + 4_900);

    // Another chat can't price or pay for this cart.
    let other = shop.start_chat("Someone", "someone@example.se").await;
    for (method, rest) in [(Method::GET, "checkout"), (Method::POST, "orders")] {
        let response = shop
            .request(method, &storefront_path(&chat, rest), Some(&other.token))
            .json(&order)
            .send()
            .await
            .unwrap();
        assert_eq!(
            problem(response, StatusCode::FORBIDDEN).await.code,
            ProblemCode::PermissionDenied
        );
    }
    assert_eq!(count_orders(&shop, chat.customer_id).await, 0);
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn placing_an_order_pays_once_takes_stock_and_empties_the_cart() {
    let shop = TestShop::demo().await;
    let catalog = checkout_catalog(&shop).await;
    let session = shop.sign_in().await;
    let chat = shop.start_chat("Cecilia Berg", "cecilia@example.se").await;
    let rival = shop.start_chat("Rival", "rival@example.se").await;
    add_to_cart(&shop, &chat, catalog.mug, 2).await;
    add_to_cart(&shop, &chat, catalog.candle, 1).await;
    add_to_cart(&shop, &rival, catalog.candle, 1).await;
    assert_eq!(
        apply_code(&shop, &chat, "ONCE10").await.status(),
        StatusCode::OK
    );
    let quoted = quote(&shop, &chat, "standard").await;
    // 2 × 19.99 + 3.33 = 43.31; 10 % is 4.331, so 4.33 off.
    assert_eq!(quoted.subtotal.minor, 4_331);
    assert_eq!(quoted.discount.as_ref().unwrap().amount.minor, 433);
    assert_eq!(quoted.total.minor, 4_331 - 433 + 4_900);

    // The declined card: a 402, no order, the cart exactly as it was.
    let cart_before = transcript_cart(&shop, &chat).await.unwrap();
    let declined = pay(
        &shop,
        &chat,
        &order_for("cecilia@example.se", "4000 0000 0000 0002"),
        Some("pay-1"),
    )
    .await;
    assert_eq!(
        problem(declined, StatusCode::PAYMENT_REQUIRED).await.code,
        ProblemCode::PaymentDeclined
    );
    assert_eq!(count_orders(&shop, chat.customer_id).await, 0);
    assert_eq!(transcript_cart(&shop, &chat).await.unwrap(), cart_before);
    // Not a test card: refused as a provider's test mode refuses it.
    let unknown = pay(
        &shop,
        &chat,
        &order_for("cecilia@example.se", "5555 5555 5555 4444"),
        None,
    )
    .await;
    assert_eq!(
        problem(unknown, StatusCode::UNPROCESSABLE_ENTITY)
            .await
            .code,
        ProblemCode::MalformedPayload
    );

    // Pay, and the same Pay retried (twice at once, then once more): one order.
    let order = order_for("cecilia@example.se", "4242424242424242");
    let (first, second) = tokio::join!(
        pay(&shop, &chat, &order, Some("pay-2")),
        pay(&shop, &chat, &order, Some("pay-2"))
    );
    assert_eq!(first.status(), StatusCode::CREATED);
    assert_eq!(second.status(), StatusCode::CREATED);
    let first: OrderConfirmation = first.json().await.unwrap();
    let second: OrderConfirmation = second.json().await.unwrap();
    let third: OrderConfirmation = ok(pay(&shop, &chat, &order, Some("pay-2")).await).await;
    assert_eq!(first, second);
    assert_eq!(first, third);
    assert_eq!(count_orders(&shop, chat.customer_id).await, 1);
    let placed = &first.order;
    assert_eq!(placed.status, OrderStatus::Paid);
    assert_eq!(placed.total, quoted.total);
    assert_eq!(first.total, quoted.total);
    assert_eq!(first.discount, quoted.discount);
    assert_eq!(first.lines, quoted.lines);
    assert!(placed.name.starts_with('#'));

    // A new Pay (another key) finds nothing left to pay for.
    let again = pay(&shop, &chat, &order, Some("pay-3")).await;
    assert_eq!(
        problem(again, StatusCode::UNPROCESSABLE_ENTITY).await.code,
        ProblemCode::CartEmpty
    );

    // The cart is empty, its code gone.
    let cart = transcript_cart(&shop, &chat).await.unwrap();
    assert!(cart.lines.is_empty());
    assert_eq!(cart.discount_code, None);

    // Stock went down.
    let stock = |variant: i64| {
        let db = shop.server().state.db.clone();
        async move {
            db.read(move |db| {
                db.query_row(
                    "SELECT stock FROM variants WHERE id = ?1",
                    shop_server::args![variant],
                    |r| r.get::<i64>(0),
                )
            })
            .await
            .unwrap()
        }
    };
    assert_eq!(stock(catalog.mug).await, 18);
    assert_eq!(stock(catalog.candle).await, 0);

    // The rival's candle is gone: refused with a clear message, their cart kept.
    let rival_cart = transcript_cart(&shop, &rival).await.unwrap();
    let refused = pay(
        &shop,
        &rival,
        &order_for("rival@example.se", "4242424242424242"),
        Some("pay-r"),
    )
    .await;
    let refused = problem(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(refused.code, ProblemCode::ProductUnavailable);
    assert!(
        refused.detail.contains("“Checkout candle” is out of stock"),
        "{}",
        refused.detail
    );
    assert_eq!(transcript_cart(&shop, &rival).await.unwrap(), rival_cart);
    assert_eq!(count_orders(&shop, rival.customer_id).await, 0);

    // Staff see the order as the customer's last order, and in the feed.
    let profile: CustomerProfile = shop
        .get(
            &format!("/api/v1/customers/{}", chat.customer_id),
            &session.token,
        )
        .await;
    assert_eq!(profile.last_order.as_ref(), Some(placed));
    assert_eq!(profile.orders.first(), Some(placed));
    assert_eq!(profile.customer.kind, CustomerKind::Returning);
    assert_eq!(profile.customer.total_spent, placed.total);
    let feed = shop.full_sync(&session.token).await;
    assert!(
        feed.iter()
            .any(|c| matches!(&c.entity, Entity::Order(o) if o == placed))
    );

    // The conversation shows "Order #… placed": to staff (detail and feed) and in the chat.
    let event = OrderEvent {
        id: placed.id,
        conversation_id: chat.conversation_id,
        order_id: placed.id,
        order_name: placed.name.clone(),
        total: placed.total.clone(),
        created_at: placed.created_at,
    };
    let detail: ConversationDetail = shop
        .get(
            &format!("/api/v1/conversations/{}", chat.conversation_id),
            &session.token,
        )
        .await;
    assert_eq!(detail.order_events, std::slice::from_ref(&event));
    assert!(
        feed.iter()
            .any(|c| matches!(&c.entity, Entity::OrderEvent(e) if *e == event))
    );
    let transcript: ChatTranscript = shop
        .get(
            &format!("/api/v1/storefront/conversations/{}", chat.conversation_id),
            &chat.token,
        )
        .await;
    assert_eq!(transcript.order_events, std::slice::from_ref(&event));
    let rivals: ChatTranscript = shop
        .get(
            &format!("/api/v1/storefront/conversations/{}", rival.conversation_id),
            &rival.token,
        )
        .await;
    assert!(rivals.order_events.is_empty());
    // A chat stream from the start replays it.
    let me: Me = shop.get("/api/v1/me", &session.token).await;
    let start = format!("{}.0", me.shop.history_id);
    let mut stream = shop
        .events(&chat_events_path(&chat), &chat.token, Some(&start))
        .await;
    let streamed = next_matching(&mut stream, |e| {
        (e.event == "order_event").then(|| e.data.clone())
    })
    .await;
    let streamed: ChatEvent = serde_json::from_str(&streamed).unwrap();
    assert_eq!(streamed, ChatEvent::OrderEvent(event));

    // The once-per-customer code: not again for this customer, nor for this email elsewhere.
    add_to_cart(&shop, &chat, catalog.mug, 1).await;
    assert_eq!(
        apply_code(&shop, &chat, "ONCE10").await.status(),
        StatusCode::OK
    );
    let used = quote(&shop, &chat, "standard").await;
    assert!(
        used.discount_refused
            .as_ref()
            .is_some_and(|r| r.reason.contains("once per customer")),
        "{used:?}"
    );
    let elsewhere = shop.start_chat("Cecilia", "CECILIA@example.se").await;
    add_to_cart(&shop, &elsewhere, catalog.mug, 1).await;
    assert_eq!(
        apply_code(&shop, &elsewhere, "ONCE10").await.status(),
        StatusCode::OK
    );
    let response = pay(
        &shop,
        &elsewhere,
        &order_for("cecilia@example.se", "4242424242424242"),
        None,
    )
    .await;
    assert_eq!(
        problem(response, StatusCode::UNPROCESSABLE_ENTITY)
            .await
            .code,
        ProblemCode::DiscountNotApplicable
    );
    shop.stop().await;
}

/// The log keeps one row per entity, so a customer's message replaces the row of an assignment
/// made just before it. A reader taking both at once (a stream catching up, the fan-out woken
/// once for two commits) must meet the conversation, with its new assignee, before the
/// message, or a desktop decides the message's notification on the old assignee.
#[tokio::test(flavor = "multi_thread")]
async fn a_customer_message_comes_after_its_conversation_in_the_log() {
    let shop = TestShop::demo().await;
    let session = shop.sign_in().await;
    let chat = shop.start_chat("Olle Andersson", "olle@example.se").await;
    let before = shop.full_sync(&session.token).await;
    let cursor = before.last().expect("a shop with history").cursor.clone();

    let maja = shop.demo_staff()[1].clone();
    let maja_id = shop.sign_in_as(&maja).await.staff.id;
    let path = format!("/api/v1/conversations/{}/assignee", chat.conversation_id);
    let _: Conversation = ok(shop
        .send(
            Method::PUT,
            &path,
            &session.token,
            &SetAssignee {
                staff_id: Some(maja_id),
            },
        )
        .await)
    .await;
    let message = shop.customer_says(&chat, "Är ni öppna i morgon?").await;

    let page: SyncPage = shop
        .get(
            &format!("/api/v1/sync?limit=1000&after={cursor}"),
            &session.token,
        )
        .await;
    let at = |find: &dyn Fn(&Entity) -> bool| page.changes.iter().position(|c| find(&c.entity));
    let conversation = at(&|e| {
        matches!(e, Entity::Conversation(c)
        if c.id == chat.conversation_id && c.assignee_id == Some(maja_id))
    })
    .expect("the conversation, assigned to Maja");
    let said = at(&|e| matches!(e, Entity::Message(m) if m.id == message.id))
        .expect("the customer's message");
    assert!(
        conversation < said,
        "the conversation ({conversation}) comes before its message ({said})"
    );
    shop.stop().await;
}
