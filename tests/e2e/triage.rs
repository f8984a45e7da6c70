//! Triage by keyboard in the real window, where one wrong keystroke reaches a customer: keys go
//! where staff expect (docs/ARCHITECTURE.md, "Focus"). Each step is one that went wrong when the
//! app was tried as a new user would.

use super::harness::Desktop;
use super::shop::Shop;
use super::{open_conversation, row, signed_in_app, staff_messages, whole_test};
use inbox_protocol::*;

const ENTER: &str = "\u{E007}";
const ESCAPE: &str = "\u{E00C}";

#[tokio::test(flavor = "multi_thread")]
async fn keys_go_where_staff_expect() {
    whole_test(keys_go_where_staff_expect_steps()).await;
}

/// The open list's conversation ids, top to bottom, as drawn.
async fn row_ids(app: &Desktop) -> Vec<i64> {
    let ids = app
        .script(
            "return [...document.querySelectorAll('[data-testid=conversation-row]')] \
               .map(r => Number(r.dataset.id));",
        )
        .await;
    serde_json::from_value(ids).expect("ids")
}

async fn shown(app: &Desktop, id: i64) {
    app.find(&format!("[data-testid=conversation][data-id=\"{id}\"]"))
        .await;
}

async fn keys_go_where_staff_expect_steps() {
    let shop = Shop::start().await;
    let data = tempfile::tempdir().unwrap();
    let mut app = signed_in_app("triage", &shop, data.path()).await;
    for (name, email) in [
        ("Maja Ek", "maja@example.se"),
        ("Olle Berg", "olle@example.se"),
        ("Saga Lund", "saga@example.se"),
        ("Ture Holm", "ture@example.se"),
    ] {
        let chat = shop.customer(name, email, "Hej! En fråga.").await;
        app.find(&row(chat.conversation_id)).await;
    }

    // Click a row, then j and Enter: the next row opens, not the clicked one again.
    let ids = row_ids(&app).await;
    open_conversation(&app, ids[0]).await;
    assert_eq!(app.focused().await, "conversation-list");
    app.press(&format!("j{ENTER}")).await;
    shown(&app, ids[1]).await;

    // Edit a note and type "e": the note gets the letter; the conversation stays open.
    app.fill("[data-testid=note-input]", "Vill ha kvitto").await;
    app.click("[data-testid=note-add]").await;
    app.find("[data-testid=note-edit]").await;
    app.click("[data-testid=note-edit]").await;
    app.find("[data-testid=note-edit-field]").await;
    assert_eq!(app.focused().await, "note-edit-field");
    app.press("e").await;
    let note = app
        .script("return document.querySelector('[data-testid=note-edit-field]').value;")
        .await;
    assert_eq!(note, serde_json::json!("Vill ha kvittoe"));
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    assert_eq!(
        shop.detail(ids[1]).await.conversation.status,
        ConversationStatus::Open,
        "typing in the note closed nothing"
    );
    app.screenshot("note-edit-typed").await;
    app.press(ESCAPE).await;

    // Reply on the top row, then Escape, j, j, Enter: the second row below opens, and no "jj"
    // reaches the customer.
    let top = row_ids(&app).await[0];
    open_conversation(&app, top).await;
    app.click("[data-testid=composer-input]").await;
    app.press(&format!("Tack, vi kollar!{ENTER}")).await;
    app.find("[data-testid=message][data-side=staff][data-state=delivered]")
        .await;
    let sent = staff_messages(&app, "delivered").await;
    let order = row_ids(&app).await;
    let at = order
        .iter()
        .position(|id| *id == top)
        .expect("still listed");
    app.press(&format!("{ESCAPE}jj{ENTER}")).await;
    shown(&app, order[at + 2]).await;
    app.screenshot("escape-j-j-enter").await;
    let texts: Vec<String> = shop
        .detail(top)
        .await
        .messages
        .iter()
        .filter_map(|m| match &m.body {
            MessageBody::Text { text } => Some(text.clone()),
            _ => None,
        })
        .collect();
    assert!(
        !texts.iter().any(|t| t.contains("jj")),
        "nothing typed after Escape was sent: {texts:?}"
    );
    open_conversation(&app, top).await;
    assert_eq!(staff_messages(&app, "delivered").await, sent);
    app.close().await;
}
