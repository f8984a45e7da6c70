//! Snooze over HTTPS against the real server, on SQLite and (under `make pg-test`) PostgreSQL:
//! a snoozed conversation comes back when its time comes (by a manual clock the test moves)
//! and when the customer writes, staff see it happen live and in the feed, and the rules
//! (open conversations only, a time ahead but not too far ahead, who may snooze) hold.

mod common;

use common::*;
use inbox_protocol::*;
use reqwest::{Method, StatusCode};
use shop_server::clock::{Clock, now_ms};

const HOUR: Millis = 60 * 60 * 1000;

async fn snooze(shop: &TestShop, token: &str, id: i64, until: Option<Millis>) -> reqwest::Response {
    shop.send(
        Method::PUT,
        &format!("/api/v1/conversations/{id}/snooze"),
        token,
        &SetSnooze { until },
    )
    .await
}

async fn conversation(shop: &TestShop, token: &str, id: i64) -> Conversation {
    let detail: ConversationDetail = shop
        .get(&format!("/api/v1/conversations/{id}"), token)
        .await;
    detail.conversation
}

#[tokio::test(flavor = "multi_thread")]
async fn a_snoozed_conversation_comes_back_when_its_time_comes() {
    let clock = Clock::manual(now_ms());
    let shop = TestShop::with(|config| config.clock = clock.clone()).await;
    let session = shop.sign_in().await;
    let chat = shop.start_chat("Cecilia Berg", "cecilia@example.se").await;
    shop.customer_says(&chat, "Kan ni höra av er i morgon?")
        .await;
    let id = chat.conversation_id;
    let until = clock.now() + 3 * HOUR;

    let snoozed: Conversation = ok(snooze(&shop, &session.token, id, Some(until)).await).await;
    assert_eq!(snoozed.snoozed_until, Some(until));
    assert_eq!(snoozed.status, ConversationStatus::Open);
    assert_eq!(snoozed.woke_at, None);
    let synced = shop.full_sync(&session.token).await;
    let in_feed = synced
        .iter()
        .rev()
        .find_map(|c| match &c.entity {
            Entity::Conversation(c) if c.id == id => Some(c.clone()),
            _ => None,
        })
        .expect("the conversation is in the feed");
    assert_eq!(
        in_feed.snoozed_until,
        Some(until),
        "the feed carries the snooze"
    );

    // A minute early, nothing happens; the stream below sees only what comes after.
    let mut stream = shop.events("/api/v1/events", &session.token, None).await;
    clock.set(until - 60_000);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        conversation(&shop, &session.token, id).await.snoozed_until,
        Some(until),
        "not yet"
    );

    clock.set(until + 5);
    let woke = next_matching(&mut stream, |e| match change_of(e).entity {
        Entity::Conversation(c) if c.id == id && c.snoozed_until.is_none() => Some(c),
        _ => None,
    })
    .await;
    assert_eq!(woke.woke_at, Some(until + 5), "it says when it came back");
    assert_eq!(woke.status, ConversationStatus::Open);
    let now = conversation(&shop, &session.token, id).await;
    assert_eq!((now.snoozed_until, now.woke_at), (None, Some(until + 5)));
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_customer_message_ends_a_snooze() {
    let shop = TestShop::demo().await;
    let session = shop.sign_in().await;
    let chat = shop.start_chat("Astrid Lind", "astrid@example.se").await;
    shop.customer_says(&chat, "Hej!").await;
    let id = chat.conversation_id;
    let snoozed: Conversation =
        ok(snooze(&shop, &session.token, id, Some(now_ms() + 24 * HOUR)).await).await;
    assert!(snoozed.snoozed_until.is_some());

    let mut stream = shop.events("/api/v1/events", &session.token, None).await;
    let sent = shop.customer_says(&chat, "Jag har en fråga till").await;
    let back = next_matching(&mut stream, |e| match change_of(e).entity {
        Entity::Conversation(c) if c.id == id => Some(c),
        _ => None,
    })
    .await;
    assert_eq!(
        back.snoozed_until, None,
        "the customer's message brings it back"
    );
    assert_eq!(
        back.woke_at, None,
        "the message is the news, not the snooze"
    );
    let message = next_matching(&mut stream, |e| match change_of(e).entity {
        Entity::Message(m) if m.conversation_id == id => Some(m),
        _ => None,
    })
    .await;
    assert_eq!(
        message.id, sent.id,
        "and the message follows its conversation"
    );
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn only_an_open_conversation_snoozes_and_only_ahead() {
    let shop = TestShop::demo().await;
    let session = shop.sign_in().await;
    let chat = shop.start_chat("Maja Ek", "maja@example.se").await;
    shop.customer_says(&chat, "Hallå").await;
    let id = chat.conversation_id;
    let set_status = |status: ConversationStatus| {
        let (shop, token) = (&shop, session.token.clone());
        async move {
            let path = format!("/api/v1/conversations/{id}/status");
            ok::<Conversation>(
                shop.send(Method::PUT, &path, &token, &SetStatus { status })
                    .await,
            )
            .await
        }
    };

    for (until, why) in [
        (now_ms() - 1_000, "in the past"),
        (now_ms() + MAX_SNOOZE_MS + HOUR, "more than a year ahead"),
    ] {
        let refused = problem(
            snooze(&shop, &session.token, id, Some(until)).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(refused.code, ProblemCode::MalformedPayload, "{why}");
    }

    // Closing ends a snooze, and a closed conversation can't be snoozed.
    ok::<Conversation>(snooze(&shop, &session.token, id, Some(now_ms() + HOUR)).await).await;
    let closed = set_status(ConversationStatus::Closed).await;
    assert_eq!(closed.snoozed_until, None, "closing ends the snooze");
    let refused = problem(
        snooze(&shop, &session.token, id, Some(now_ms() + HOUR)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(refused.code, ProblemCode::ConversationClosed);
    assert!(refused.detail.contains("reopen"), "{}", refused.detail);

    // Reopened, it snoozes, and `until: null` ends the snooze by hand (no "woke" news).
    set_status(ConversationStatus::Open).await;
    ok::<Conversation>(snooze(&shop, &session.token, id, Some(now_ms() + HOUR)).await).await;
    let ended: Conversation = ok(snooze(&shop, &session.token, id, None).await).await;
    assert_eq!((ended.snoozed_until, ended.woke_at), (None, None));

    let missing = problem(
        snooze(&shop, &session.token, 999_999, Some(now_ms() + HOUR)).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(missing.code, ProblemCode::NotFound);
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn snoozing_is_for_staff_with_the_chat_permission_and_safe_to_retry() {
    let shop = TestShop::demo().await;
    let session = shop.sign_in().await;
    let chat = shop.start_chat("Nils Holm", "nils@example.se").await;
    shop.customer_says(&chat, "Hej").await;
    let id = chat.conversation_id;
    let path = format!("/api/v1/conversations/{id}/snooze");
    let until = now_ms() + 2 * HOUR;

    // A customer's chat token is not a staff token; no token at all is refused too.
    for token in [Some(chat.token.as_str()), None] {
        let response = shop
            .request(Method::PUT, &path, token)
            .json(&SetSnooze { until: Some(until) })
            .send()
            .await
            .unwrap();
        assert_eq!(
            problem(response, StatusCode::UNAUTHORIZED).await.code,
            ProblemCode::Unauthenticated
        );
    }
    let without = shop.sign_in_as(&shop.staff_member(false)).await;
    let response = snooze(&shop, &without.token, id, Some(until)).await;
    assert_eq!(
        problem(response, StatusCode::FORBIDDEN).await.code,
        ProblemCode::PermissionDenied
    );

    // The same key twice is one snooze; the same key with another time is refused.
    let send = |until: Millis| {
        shop.request(Method::PUT, &path, Some(&session.token))
            .header(IDEMPOTENCY_KEY_HEADER, "snooze-once")
            .json(&SetSnooze { until: Some(until) })
            .send()
    };
    let first: Conversation = ok(send(until).await.unwrap()).await;
    let again: Conversation = ok(send(until).await.unwrap()).await;
    assert_eq!(first, again);
    let reused = problem(
        send(until + 1).await.unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(reused.code, ProblemCode::IdempotencyKeyReused);
    assert_eq!(
        conversation(&shop, &session.token, id).await.snoozed_until,
        Some(until)
    );
    shop.stop().await;
}
