//! Who else is on a conversation, over HTTPS against the real server, on SQLite and (under
//! `make pg-test`) PostgreSQL: a staff member's viewing and typing reach the others live and
//! lapse on their own (by a manual clock the test moves), a message ends its author's typing,
//! the customer's typing comes from their chat, renewals too soon are not written, and who may
//! report what is checked.

mod common;

use common::*;
use futures_util::Stream;
use inbox_protocol::*;
use reqwest::{Method, StatusCode};
use shop_server::DemoStaff;
use shop_server::clock::{Clock, now_ms};

async fn report(
    shop: &TestShop,
    token: &str,
    id: i64,
    activity: Option<ActivityKind>,
) -> reqwest::Response {
    shop.send(
        Method::PUT,
        &format!("/api/v1/conversations/{id}/activity"),
        token,
        &ReportActivity { activity },
    )
    .await
}

async fn customer_typing(shop: &TestShop, chat: &ChatSession, typing: bool) -> reqwest::Response {
    shop.send(
        Method::POST,
        &format!(
            "/api/v1/storefront/conversations/{}/typing",
            chat.conversation_id
        ),
        &chat.token,
        &CustomerTyping { typing },
    )
    .await
}

/// The next activity in a conversation on a staff stream.
async fn next_activity(
    stream: &mut (impl Stream<Item = eventsource_stream::Event> + Unpin),
    id: i64,
) -> Activity {
    next_matching(stream, |e| match change_of(e).entity {
        Entity::Activity(a) if a.conversation_id == id => Some(a),
        _ => None,
    })
    .await
}

/// The conversation's activities as the feed holds them, with their cursors.
async fn in_feed(shop: &TestShop, token: &str, id: i64) -> Vec<(String, Activity)> {
    shop.full_sync(token)
        .await
        .into_iter()
        .filter_map(|c| match c.entity {
            Entity::Activity(a) if a.conversation_id == id => Some((c.cursor, a)),
            _ => None,
        })
        .collect()
}

fn assert_no_content(response: &reqwest::Response) {
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_staff_members_viewing_and_typing_reach_the_others_and_lapse() {
    let clock = Clock::manual(now_ms());
    let shop = TestShop::with(|config| config.clock = clock.clone()).await;
    // Times from here on are the manual clock's (starting a shop on PostgreSQL takes a while).
    let start = now_ms();
    clock.set(start);
    let chatters: Vec<DemoStaff> = shop
        .demo_staff()
        .into_iter()
        .filter(|s| s.chat_permission)
        .collect();
    let (jonas, maja) = (
        shop.sign_in_as(&chatters[0]).await,
        shop.sign_in_as(&chatters[1]).await,
    );
    let chat = shop.start_chat("Cecilia Berg", "cecilia@example.se").await;
    shop.customer_says(&chat, "Har ni storlek 38?").await;
    let id = chat.conversation_id;
    let mut stream = shop.events("/api/v1/events", &maja.token, None).await;

    assert_no_content(&report(&shop, &jonas.token, id, Some(ActivityKind::Viewing)).await);
    let viewing = next_activity(&mut stream, id).await;
    assert_eq!(viewing.staff_id, Some(jonas.staff.id));
    assert_eq!(viewing.viewing_until, start + VIEWING_TTL_MS);
    assert!(viewing.present(start) && !viewing.typing(start));
    assert!(
        !viewing.present(start + VIEWING_TTL_MS),
        "viewing lapses on its own"
    );

    // Renewing sooner than a third of its life changes nothing anyone sees: not written.
    let (cursor, _) = in_feed(&shop, &maja.token, id).await.remove(0);
    clock.set(start + 5_000);
    assert_no_content(&report(&shop, &jonas.token, id, Some(ActivityKind::Viewing)).await);
    assert_eq!(in_feed(&shop, &maja.token, id).await[0].0, cursor);

    clock.set(start + 20_000);
    assert_no_content(&report(&shop, &jonas.token, id, Some(ActivityKind::Typing)).await);
    let typing = next_activity(&mut stream, id).await;
    assert_eq!(typing.typing_until, start + 20_000 + TYPING_TTL_MS);
    assert_eq!(
        typing.viewing_until,
        start + 20_000 + VIEWING_TTL_MS,
        "typing is viewing too"
    );
    assert!(typing.typing(start + 20_000));
    assert!(
        !typing.typing(start + 20_000 + TYPING_TTL_MS) && typing.present(start + 30_000),
        "typing lapses before viewing"
    );

    // Sending the reply ends the typing, not the viewing.
    clock.set(start + 22_000);
    let reply = shop
        .send(
            Method::POST,
            &format!("/api/v1/conversations/{id}/messages"),
            &jonas.token,
            &SendMessage::Text {
                text: "Ja, den finns i 38.".into(),
            },
        )
        .await;
    assert_eq!(reply.status(), StatusCode::CREATED);
    let sent = next_activity(&mut stream, id).await;
    assert!(
        !sent.typing(start + 22_000) && sent.present(start + 22_000),
        "{sent:?} at {}",
        start + 22_000
    );

    // Leaving ends both at once; leaving again writes nothing.
    assert_no_content(&report(&shop, &jonas.token, id, None).await);
    let left = next_activity(&mut stream, id).await;
    assert!(!left.present(start + 22_000));
    let (cursor, _) = in_feed(&shop, &maja.token, id).await.remove(0);
    assert_no_content(&report(&shop, &jonas.token, id, None).await);
    assert_eq!(in_feed(&shop, &maja.token, id).await[0].0, cursor);

    // Everyone's activity is one row per person in the feed, however often renewed.
    assert_no_content(&report(&shop, &maja.token, id, Some(ActivityKind::Viewing)).await);
    let feed = in_feed(&shop, &jonas.token, id).await;
    let mut who: Vec<_> = feed.iter().map(|(_, a)| a.staff_id).collect();
    who.sort();
    let mut expected = vec![Some(jonas.staff.id), Some(maja.staff.id)];
    expected.sort();
    assert_eq!(who, expected);
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_customers_typing_comes_from_their_chat_and_ends_with_their_message() {
    let shop = TestShop::demo().await;
    let session = shop.sign_in().await;
    let chat = shop.start_chat("Astrid Lind", "astrid@example.se").await;
    shop.customer_says(&chat, "Hej!").await;
    let id = chat.conversation_id;
    let mut stream = shop.events("/api/v1/events", &session.token, None).await;

    let before = now_ms();
    assert_no_content(&customer_typing(&shop, &chat, true).await);
    let typing = next_activity(&mut stream, id).await;
    assert_eq!(typing.staff_id, None, "the customer");
    assert!(typing.typing(now_ms()));
    assert!(typing.typing_until >= before + TYPING_TTL_MS);
    assert_eq!(typing.viewing_until, 0);

    shop.customer_says(&chat, "Hur lång är leveranstiden?")
        .await;
    let stopped = next_activity(&mut stream, id).await;
    assert!(!stopped.typing(now_ms()), "the message ends the typing");

    assert_no_content(&customer_typing(&shop, &chat, true).await);
    assert!(next_activity(&mut stream, id).await.typing(now_ms()));
    assert_no_content(&customer_typing(&shop, &chat, false).await);
    assert!(!next_activity(&mut stream, id).await.typing(now_ms()));
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn who_may_report_activity_is_checked_and_a_flood_is_limited() {
    let shop = TestShop::demo().await;
    let session = shop.sign_in().await;
    let chat = shop.start_chat("Astrid Lind", "astrid@example.se").await;
    let other = shop.start_chat("Nils Ek", "nils@example.se").await;
    let id = chat.conversation_id;

    let anonymous = shop
        .request(
            Method::PUT,
            &format!("/api/v1/conversations/{id}/activity"),
            None,
        )
        .json(&ReportActivity {
            activity: Some(ActivityKind::Viewing),
        })
        .send()
        .await
        .expect("request");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let without = shop.sign_in_as(&shop.staff_member(false)).await;
    problem(
        report(&shop, &without.token, id, Some(ActivityKind::Viewing)).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(
        report(&shop, &session.token, 999_999, Some(ActivityKind::Viewing)).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // A chat's token reaches its own conversation only, and never the staff route.
    let elsewhere = shop
        .send(
            Method::POST,
            &format!(
                "/api/v1/storefront/conversations/{}/typing",
                other.conversation_id
            ),
            &chat.token,
            &CustomerTyping { typing: true },
        )
        .await;
    assert!(
        matches!(
            elsewhere.status(),
            StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
        ),
        "{}",
        elsewhere.status()
    );
    let as_staff = report(&shop, &chat.token, id, Some(ActivityKind::Viewing)).await;
    assert_eq!(as_staff.status(), StatusCode::UNAUTHORIZED);
    assert!(
        in_feed(&shop, &session.token, other.conversation_id)
            .await
            .is_empty()
    );

    // The widget reports every 3 s at most; a script hammering the route is refused.
    let mut refused = None;
    for _ in 0..50 {
        let response = customer_typing(&shop, &chat, true).await;
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            refused = Some(response);
            break;
        }
        assert_no_content(&response);
    }
    let refused = refused.expect("a flood of typing reports is limited");
    assert!(refused.headers().contains_key("retry-after"));
    shop.stop().await;
}
