//! Several shop-server processes serving one shop from one PostgreSQL database (`make
//! pg-test`): what a customer does on one instance reaches staff streams on another, and a
//! dead instance's customers go offline when its presence leases run out. On a SQLite run
//! there is only ever one instance (the data-dir lock), so these tests have nothing to do.

mod common;

use std::time::Duration;

use common::*;
use eventsource_stream::Eventsource;
use futures_util::StreamExt;
use inbox_protocol::*;

const LEASE_SECONDS: u64 = 3;

/// The next conversation change for `id` on a staff stream that satisfies `wanted`.
async fn conversation_becomes(
    events: &mut (impl futures_util::Stream<Item = eventsource_stream::Event> + Unpin),
    id: i64,
    within: Duration,
    wanted: impl Fn(&Conversation) -> bool,
) -> Conversation {
    tokio::time::timeout(within, async {
        while let Some(event) = events.next().await {
            if event.event != "conversation" {
                continue;
            }
            if let Entity::Conversation(c) = change_of(&event).entity
                && c.id == id
                && wanted(&c)
            {
                return c;
            }
        }
        panic!("the stream ended");
    })
    .await
    .expect("the change arrives in time")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_customer_on_one_instance_reaches_staff_on_another_and_a_dead_instance_lets_go() {
    let Some(url) = postgres_database() else {
        eprintln!("not a PostgreSQL run: one SQLite shop has one instance");
        return;
    };
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let media = tempfile::tempdir().unwrap();
    let media_dir = media.path().to_str().unwrap().to_owned();
    let lease = LEASE_SECONDS.to_string();
    let args = [
        "--database",
        url.as_str(),
        "--presence-lease",
        lease.as_str(),
        "--media-dir",
        media_dir.as_str(),
    ];
    let a = ShopProcess::start_with(dir_a.path(), &args);
    let b = ShopProcess::start_with(dir_b.path(), &args);

    // Staff sign in on B (the token is in the shared database) and listen there.
    let session = b.sign_in().await;
    let response = b
        .client
        .get(format!("{}/api/v1/events", b.url))
        .bearer_auth(&session.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    let mut staff_on_b = response
        .bytes_stream()
        .eventsource()
        .map(|e| e.expect("an event"));

    // An image uploaded through A is served by B (one media dir).
    let image = {
        let img = image::RgbImage::from_fn(40, 30, |x, y| image::Rgb([x as u8, y as u8, 7]));
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    };
    let upload: Attachment = ok(a
        .client
        .post(format!("{}/api/v1/uploads", a.url))
        .bearer_auth(&session.token)
        .header("content-type", "image/png")
        .body(image.clone())
        .send()
        .await
        .unwrap())
    .await;
    let served = b
        .client
        .get(format!("{}{}", b.url, upload.url))
        .send()
        .await
        .unwrap();
    let status = served.status();
    let body = served.bytes().await.unwrap();
    assert_eq!(
        status,
        reqwest::StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&body)
    );
    assert_eq!(body.as_ref(), image.as_slice());

    // A customer chats on A.
    let chat: ChatSession = ok(a
        .client
        .post(format!("{}/api/v1/storefront/chats", a.url))
        .json(&StartChat {
            name: "Two Instances".into(),
            email: "two@example.com".into(),
            platform: Platform::OnlineStore,
        })
        .send()
        .await
        .unwrap())
    .await;
    let mut sent = Vec::new();
    for i in 0..5 {
        let message: Message = ok(a
            .client
            .post(format!(
                "{}/api/v1/storefront/conversations/{}/messages",
                a.url, chat.conversation_id
            ))
            .bearer_auth(&chat.token)
            .json(&CustomerText {
                text: format!("message {i} from instance A"),
            })
            .send()
            .await
            .unwrap())
        .await;
        sent.push(message.id);
    }
    // Each message reaches B's stream once, in order.
    let mut received = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), async {
        while received.len() < sent.len() {
            let event = staff_on_b.next().await.expect("the stream goes on");
            if let Entity::Message(m) = change_of(&event).entity
                && m.conversation_id == chat.conversation_id
            {
                received.push(m.id);
            }
        }
    })
    .await
    .expect("A's messages reach B");
    assert_eq!(received, sent, "nothing lost or doubled, in order");

    // The customer's chat stream is on A: staff on B see them online...
    let customer_stream = a
        .client
        .get(format!("{}{}", a.url, chat_events_path(&chat)))
        .bearer_auth(&chat.token)
        .send()
        .await
        .unwrap();
    assert_eq!(customer_stream.status(), reqwest::StatusCode::OK);
    conversation_becomes(
        &mut staff_on_b,
        chat.conversation_id,
        Duration::from_secs(10),
        |c| c.customer_online,
    )
    .await;

    // ...and when A dies without a word, offline again within the lease (plus one renewal
    // period for B to notice), not never.
    let killed = std::time::Instant::now();
    a.kill();
    let offline = conversation_becomes(
        &mut staff_on_b,
        chat.conversation_id,
        Duration::from_secs(LEASE_SECONDS * 3),
        |c| !c.customer_online,
    )
    .await;
    assert!(!offline.customer_online);
    assert!(
        killed.elapsed() < Duration::from_secs(LEASE_SECONDS * 2),
        "offline after {:?}",
        killed.elapsed()
    );
    drop(customer_stream);

    // B goes on serving: the feed on B holds every message A took, once.
    let detail: ConversationDetail = ok(b
        .client
        .get(format!(
            "{}/api/v1/conversations/{}",
            b.url, chat.conversation_id
        ))
        .bearer_auth(&session.token)
        .send()
        .await
        .unwrap())
    .await;
    let ids: Vec<i64> = detail
        .messages
        .iter()
        .filter(|m| matches!(m.author, Author::Customer { .. }))
        .map(|m| m.id)
        .collect();
    assert_eq!(ids, sent);
}
