//! Who else is on it, in the real window: Maja, a colleague signed in through the API, views
//! and types in a conversation and the row and header say so ("Maja is typing…"); the app
//! tells the shop what its own user does; a reply begun before Maja's answer asks first
//! (Review, or Send anyway); the customer's typing shows too. In English and in Swedish, with
//! screenshots of both.

use inbox_protocol::ActivityKind;

use super::harness::{self, Desktop};
use super::shop::Shop;
use super::{open_conversation, row, set_language, sign_in_at_once, wait_on_shop, whole_test};

#[tokio::test(flavor = "multi_thread")]
async fn a_colleague_viewing_and_typing_shows_and_a_stale_reply_asks_first() {
    whole_test(a_colleague_viewing_and_typing_shows_and_a_stale_reply_asks_first_steps()).await;
}

/// Waits until the shop has the app's user doing `what` in the conversation.
async fn shop_sees(
    shop: &Shop,
    id: i64,
    me: i64,
    what: &str,
    check: impl Fn(&inbox_protocol::Activity) -> bool,
) {
    let start = std::time::Instant::now();
    loop {
        if shop.activity_of(id, me).await.is_some_and(|a| check(&a)) {
            return;
        }
        assert!(
            start.elapsed() < harness::PATIENCE,
            "the shop never heard the app's user was {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

fn now() -> i64 {
    shop_server::clock::now_ms()
}

/// Maja types in the conversation until the header says so (a report holds for 6 s, so it is
/// said again if the window took longer to show it).
async fn maja_types_until(app: &Desktop, shop: &Shop, id: i64, header: &str) {
    for _ in 0..5 {
        shop.colleague_is(id, Some(ActivityKind::Typing)).await;
        let said = std::time::Instant::now();
        while said.elapsed() < std::time::Duration::from_secs(4) {
            let shown = app
                .script(
                    "const e = document.querySelector('[data-testid=conversation-activity]'); \
                     return e ? e.textContent.trim() : '';",
                )
                .await;
            if shown.as_str() == Some(header) {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
    panic!("the header never said {header:?}");
}

async fn a_colleague_viewing_and_typing_shows_and_a_stale_reply_asks_first_steps() {
    let mut shop = Shop::start().await;
    let data = tempfile::tempdir().unwrap();
    let mut app = Desktop::launch(
        "activity",
        &["--data-dir".into(), data.path().display().to_string()],
        &[("INBOX_TOKEN_STORE".into(), "file".into())],
    )
    .await;
    sign_in_at_once(&app, &shop).await;
    let astrid = shop.staff_member("astrid@nordlys.example").await.id;

    let chat = shop
        .customer(
            "Cecilia Berg",
            "cecilia@example.se",
            "Finns klänningen i storlek 38?",
        )
        .await;
    let id = chat.conversation_id;
    app.find(&row(id)).await;

    // Maja opens it: the row says so before Astrid does anything.
    shop.colleague_is(id, Some(ActivityKind::Viewing)).await;
    app.wait_text(
        &format!("{} [data-testid=row-activity]", row(id)),
        "Maja viewing, in the row",
        |t| t == "Maja is viewing",
    )
    .await;

    // Astrid opens it too: the shop hears she is viewing, and the header says Maja is.
    open_conversation(&app, id).await;
    shop_sees(&shop, id, astrid, "viewing", |a| a.present(now())).await;
    app.wait_text(
        "[data-testid=conversation-activity]",
        "Maja viewing, in the header",
        |t| t == "Maja is viewing",
    )
    .await;

    // Maja types: "Maja is typing…" in the header and the row.
    maja_types_until(&app, &shop, id, "Maja is typing…").await;
    app.wait_text(
        &format!("{} [data-testid=row-activity]", row(id)),
        "Maja typing, in the row",
        |t| t == "Maja is typing…",
    )
    .await;
    app.screenshot("typing-en").await;

    // Astrid starts a reply (the shop hears her typing); Maja answers first.
    let reply = "Hej Cecilia! Ja, den finns i 38.";
    app.fill("[data-testid=composer-input]", reply).await;
    shop_sees(&shop, id, astrid, "typing", |a| a.typing(now())).await;
    shop.colleague_replies(id, "Hej! Storlek 38 finns i lager.")
        .await;
    app.wait_text(
        "[data-testid=message][data-side=staff] [data-testid=message-text]",
        "Maja's reply",
        |t| t.contains("Storlek 38 finns i lager"),
    )
    .await;
    app.click("[data-testid=composer-send]").await;
    let guard = app
        .wait_text("[data-testid=composer-guard]", "the question", |t| {
            t.starts_with("Maja replied")
        })
        .await;
    assert!(
        guard.contains("just now") || guard.contains("seconds ago"),
        "{guard:?}"
    );
    app.screenshot("overtaken-en").await;
    let sent_before = shop.detail(id).await.messages.len();

    // Review: nothing is sent, the text stays; sending again goes (nothing newer came).
    app.click("[data-testid=composer-review]").await;
    app.wait_gone("[data-testid=composer-guard]").await;
    assert_eq!(shop.detail(id).await.messages.len(), sent_before);
    let kept = app
        .script("return document.querySelector('[data-testid=composer-input]').value;")
        .await;
    assert_eq!(kept.as_str(), Some(reply), "the reply is kept");
    app.click("[data-testid=composer-send]").await;
    wait_on_shop(&shop, id, "Astrid's reply", |d| {
        d.messages.iter().any(|m| m.body.text() == Some(reply))
    })
    .await;
    shop_sees(&shop, id, astrid, "no longer typing once sent", |a| {
        a.present(now()) && !a.typing(now())
    })
    .await;

    // In Swedish: the customer types, and a reply overtaken goes with "Skicka ändå".
    set_language(&app, "sv").await;
    maja_types_until(&app, &shop, id, "Maja skriver…").await;
    app.screenshot("typing-sv").await;
    shop.colleague_is(id, None).await;
    shop.customer_types(&chat).await;
    app.wait_text(
        "[data-testid=conversation-activity]",
        "the customer typing",
        |t| t == "Cecilia Berg skriver…",
    )
    .await;
    app.screenshot("customer-typing-sv").await;

    let again = "Vill du att jag reserverar en åt dig?";
    app.fill("[data-testid=composer-input]", again).await;
    shop.colleague_replies(id, "Jag kan reservera den åt dig.")
        .await;
    app.wait_text(
        "[data-testid=message][data-side=staff] [data-testid=message-text]",
        "Maja's second reply",
        |t| t.contains("Jag kan reservera den"),
    )
    .await;
    app.click("[data-testid=composer-send]").await;
    app.wait_text("[data-testid=composer-guard]", "the question", |t| {
        t.starts_with("Maja svarade") && t.contains("Skicka ändå")
    })
    .await;
    app.screenshot("overtaken-sv").await;
    app.click("[data-testid=composer-send-anyway]").await;
    wait_on_shop(&shop, id, "the reply sent anyway", |d| {
        d.messages.iter().any(|m| m.body.text() == Some(again))
    })
    .await;
    app.wait_gone("[data-testid=composer-guard]").await;
    app.close().await;
    shop.stop().await;
}
