//! Nothing fails silently: an action the shop refuses stays in the Outbox view with the shop's
//! reason, until staff retry or discard it.

use super::shop::Shop;
use super::{open_conversation, row, signed_in_app, whole_test};

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_action_shows_its_reason_in_the_outbox() {
    whole_test(a_refused_action_shows_its_reason_in_the_outbox_steps()).await;
}

async fn a_refused_action_shows_its_reason_in_the_outbox_steps() {
    let mut shop = Shop::start().await;
    let data = tempfile::tempdir().unwrap();
    let mut app = signed_in_app("outbox", &shop, data.path()).await;
    let chat = shop
        .customer("Tove Lind", "tove@example.se", "Kan ni spara min storlek?")
        .await;
    let id = chat.conversation_id;
    app.find(&row(id)).await;
    open_conversation(&app, id).await;

    // A note longer than the shop takes (5,000 characters), as a paste would put it in.
    app.find("[data-testid=note-input]").await;
    app.script(
        "const input = document.querySelector('[data-testid=note-input]'); \
         input.value = 'x'.repeat(5001); \
         input.dispatchEvent(new Event('input', { bubbles: true })); return true;",
    )
    .await;
    app.click("[data-testid=note-add]").await;

    // The header says something was not done; the Outbox says what and why.
    app.find("[data-testid=open-outbox][data-failed=\"1\"]")
        .await;
    app.click("[data-testid=open-outbox]").await;
    let entry = "[data-testid=outbox-entry][data-state=failed][data-kind=add_note]";
    app.find(entry).await;
    let what = app
        .wait_text(
            &format!("{entry} [data-testid=outbox-what]"),
            "the action",
            |t| !t.is_empty(),
        )
        .await;
    assert_eq!(what, "Add note");
    let reason = app
        .wait_text(
            &format!("{entry} [data-testid=outbox-reason]"),
            "the shop's reason",
            |t| t.contains("5000"),
        )
        .await;
    assert!(reason.starts_with("Not done:"), "{reason}");
    app.wait_text(entry, "the customer", |t| t.contains("Tove Lind"))
        .await;
    app.screenshot("outbox-refused").await;

    // Discarded, it is gone from the Outbox and the header.
    app.click(&format!("{entry} [data-testid=outbox-discard]"))
        .await;
    app.find("[data-testid=outbox-empty]").await;
    app.find("[data-testid=open-outbox][data-count=\"0\"]")
        .await;
    app.close().await;
    shop.stop().await;
}
