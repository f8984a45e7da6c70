//! Snooze in the real window: Z on a conversation, a choice in the picker, the conversation
//! waits in Snoozed saying until when, and comes back to Open when its time comes (the shop's
//! clock, moved by the test) with "Back from snooze" on the desktop, or when the customer
//! writes; in English and in Swedish, with screenshots of both.

use super::harness::{self, Desktop};
use super::shop::Shop;
use super::{open_conversation, row, set_language, sign_in_at_once, wait_on_shop, whole_test};

#[tokio::test(flavor = "multi_thread")]
async fn a_snoozed_conversation_waits_and_comes_back() {
    whole_test(a_snoozed_conversation_waits_and_comes_back_steps()).await;
}

/// The list's first conversation other than `not`, once one is drawn.
async fn another(app: &Desktop, not: i64) -> i64 {
    let css = format!("[data-testid=conversation-row]:not([data-id=\"{not}\"])");
    app.find(&css).await;
    let id = app
        .script(&format!(
            "return Number(document.querySelector('{}').dataset.id);",
            css.replace('\'', "\\'")
        ))
        .await;
    serde_json::from_value(id).expect("an id")
}

async fn a_snoozed_conversation_waits_and_comes_back_steps() {
    let recorder = notify_recorder::Recorder::start()
        .await
        .expect("a private bus with the recorder");
    let clock = shop_server::clock::Clock::manual(shop_server::clock::now_ms());
    let mut shop = Shop::start_with(clock.clone()).await;
    let data = tempfile::tempdir().unwrap();
    let mut app = Desktop::launch(
        "snooze",
        &["--data-dir".into(), data.path().display().to_string()],
        &[
            ("INBOX_TOKEN_STORE".into(), "file".into()),
            (
                "DBUS_SESSION_BUS_ADDRESS".into(),
                recorder.address().to_owned(),
            ),
        ],
    )
    .await;
    sign_in_at_once(&app, &shop).await;

    // A customer asks to be contacted tomorrow; Z on the conversation, "Tomorrow".
    let chat = shop
        .customer(
            "Tove Lind",
            "tove@example.se",
            "Kan ni höra av er i morgon förmiddag?",
        )
        .await;
    let id = chat.conversation_id;
    app.find(&row(id)).await;
    open_conversation(&app, id).await;
    app.press("z").await;
    let tomorrow = app
        .wait_text("[data-testid=snooze-tomorrow]", "the choices", |t| {
            t.starts_with("Tomorrow")
        })
        .await;
    assert!(tomorrow.contains("9:00"), "tomorrow morning: {tomorrow:?}");
    let custom = app
        .script("return document.querySelector('[data-testid=snooze-date]').value;")
        .await;
    let custom = custom.as_str().unwrap_or_default().to_owned();
    assert!(
        custom.len() == 10 && custom.as_bytes()[4] == b'-' && custom.as_bytes()[7] == b'-',
        "the custom date starts at tomorrow's: {custom:?}"
    );
    app.screenshot("picker-en").await;
    app.click("[data-testid=snooze-tomorrow]").await;
    app.wait_gone(&row(id)).await;
    wait_on_shop(&shop, id, "the snooze", |d| {
        d.conversation.snoozed_until.is_some()
    })
    .await;
    let until = shop
        .detail(id)
        .await
        .conversation
        .snoozed_until
        .expect("snoozed");
    app.wait_text("[data-testid=header-snoozed]", "until when", |t| {
        t.starts_with("Snoozed until")
    })
    .await;

    // It waits in Snoozed, saying until when.
    app.click("[data-testid=tab-snoozed]").await;
    app.wait_text(
        &format!("{} [data-testid=row-snoozed]", row(id)),
        "the snoozed row",
        |t| t.starts_with("Until"),
    )
    .await;
    app.screenshot("snoozed-en").await;

    // Its time comes: back in Open, and the desktop says so (another conversation is open).
    app.click("[data-testid=tab-open]").await;
    let other = another(&app, id).await;
    open_conversation(&app, other).await;
    clock.set(until + 1_000);
    app.find(&row(id)).await;
    let key = id.to_string();
    let told = recorder
        .wait_for(harness::PATIENCE, |call| {
            call.hints
                .get("x-inbox-conversation-id")
                .map(String::as_str)
                == Some(key.as_str())
                && call.body.contains("Back from snooze")
        })
        .await
        .expect("a notification that it is back");
    assert!(told.summary.contains("Tove Lind"), "{told:?}");
    app.screenshot("back-en").await;

    // In Swedish: snoozed from the conversation's own button, and back when the customer
    // writes.
    set_language(&app, "sv").await;
    open_conversation(&app, id).await;
    app.click("[data-testid=action-snooze]").await;
    app.wait_text("[data-testid=snooze-next_week]", "the choices", |t| {
        t.starts_with("Nästa vecka")
    })
    .await;
    app.screenshot("picker-sv").await;
    app.click("[data-testid=snooze-next_week]").await;
    app.wait_gone(&row(id)).await;
    app.wait_text("[data-testid=header-snoozed]", "until when", |t| {
        t.starts_with("Snoozad till")
    })
    .await;
    app.click("[data-testid=tab-snoozed]").await;
    app.wait_text(
        &format!("{} [data-testid=row-snoozed]", row(id)),
        "the snoozed row",
        |t| t.starts_with("Till"),
    )
    .await;
    app.screenshot("snoozed-sv").await;
    shop.say(&chat, "Hej igen, en sak till!").await;
    app.click("[data-testid=tab-open]").await;
    app.find(&row(id)).await;
    app.wait_gone("[data-testid=header-snoozed]").await;
    let back = shop.detail(id).await;
    assert_eq!(
        back.conversation.snoozed_until, None,
        "the customer's message ended it"
    );
    app.screenshot("back-sv").await;
    app.close().await;
    shop.stop().await;
}
