//! Triage by keyboard in the real window, where one wrong keystroke reaches a customer: keys go
//! where staff expect (docs/ARCHITECTURE.md, "Focus"). Each step is one that went wrong when the
//! app was tried as a new user would.

use super::harness::Desktop;
use super::shop::Shop;
use super::{open_conversation, paste_png, row, search, signed_in_app, staff_messages, whole_test};
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
    let mut shop = Shop::start().await;
    let data = tempfile::tempdir().unwrap();
    let mut app = signed_in_app("triage", &shop, data.path()).await;
    let mut chats = Vec::new();
    for (name, email) in [
        ("Maja Ek", "maja@example.se"),
        ("Olle Berg", "olle@example.se"),
        ("Saga Lund", "saga@example.se"),
        ("Ture Holm", "ture@example.se"),
    ] {
        let chat = shop.customer(name, email, "Hej! En fråga.").await;
        app.find(&row(chat.conversation_id)).await;
        chats.push(chat);
    }

    // With the pointer over the list, a customer writing doesn't move the rows: the move
    // waits behind a bar, and applies when clicked.
    let before = row_ids(&app).await;
    app.hover(&row(before[1])).await;
    shop.say(&chats[0], "Är ni kvar?").await;
    app.find("[data-testid=list-waiting]").await;
    assert_eq!(row_ids(&app).await, before, "the rows held still");
    app.screenshot("list-held").await;
    app.click("[data-testid=list-waiting]").await;
    app.wait_gone("[data-testid=list-waiting]").await;
    assert_eq!(
        row_ids(&app).await[0],
        chats[0].conversation_id,
        "applied, the customer who wrote is on top"
    );

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
    app.find("[data-testid=message][data-side=staff][data-state=sent]")
        .await;
    let sent = staff_messages(&app, "sent").await;
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
    assert_eq!(staff_messages(&app, "sent").await, sent);
    app.close().await;
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_thread_scrolls_where_staff_read() {
    whole_test(the_thread_scrolls_where_staff_read_steps()).await;
}

/// How `css`'s element sits in the thread's view: "whole", "partly" or "out".
async fn in_view(app: &Desktop, css: &str) -> String {
    let script = format!(
        "const t = document.getElementById('timeline').getBoundingClientRect(); \
         const e = document.querySelector({css:?}); if (!e) return 'missing'; \
         const r = e.getBoundingClientRect(); \
         if (r.top >= t.top - 1 && r.bottom <= t.bottom + 1) return 'whole'; \
         return (r.bottom > t.top && r.top < t.bottom) ? 'partly' : 'out';"
    );
    app.script(&script)
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn wait_in_view(app: &Desktop, css: &str, want: &str) {
    let start = std::time::Instant::now();
    loop {
        let now = in_view(app, css).await;
        if now == want {
            return;
        }
        assert!(
            start.elapsed() < super::harness::PATIENCE,
            "{css} stayed {now}, not {want}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

async fn the_thread_scrolls_where_staff_read_steps() {
    let mut shop = Shop::start().await;
    let data = tempfile::tempdir().unwrap();
    let mut app = signed_in_app("thread", &shop, data.path()).await;
    // A long conversation: a question with a rare word, then 40 more messages.
    let chat = shop
        .customer("Vera Sund", "vera@example.se", "Har ni kanelbullsformar?")
        .await;
    for n in 1..=40 {
        shop.say(
            &chat,
            &format!("Och en sak till, nummer {n}, om leveransen."),
        )
        .await;
    }
    let id = chat.conversation_id;
    app.find(&row(id)).await;

    // A search hit opens the conversation at that message, marked, not at the bottom.
    let hit = search(&app, "kanelbullsformar", id).await;
    app.click(&hit).await;
    let marked = "[data-testid=message][data-hit=true]";
    app.find(marked).await;
    wait_in_view(&app, marked, "whole").await;
    app.screenshot("search-hit").await;

    // Reading up the thread, a new message doesn't move it: a jump says what came.
    app.script("document.getElementById('timeline').scrollTop = 0; return true;")
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let first = "[data-testid=message]:first-of-type";
    let before = in_view(&app, first).await;
    shop.say(&chat, "Hallå, är ni där?").await;
    app.find("[data-testid=thread-jump]").await;
    assert_eq!(in_view(&app, first).await, before, "the thread stayed put");
    app.screenshot("new-below").await;
    app.click("[data-testid=thread-jump]").await;
    app.wait_gone("[data-testid=thread-jump]").await;

    // Closing and reopening at the bottom keeps the newest in view.
    let newest = "[data-testid=message]:last-of-type";
    wait_in_view(&app, newest, "whole").await;
    app.click("[data-testid=action-close]").await;
    app.find(".banner").await;
    wait_in_view(&app, newest, "whole").await;
    app.click("[data-testid=action-reopen]").await;
    app.wait_gone(".banner").await;
    wait_in_view(&app, newest, "whole").await;

    // An image sent at the bottom shows whole once it has loaded.
    paste_png(&app).await;
    app.find("[data-testid=attachment-preview]").await;
    app.click("[data-testid=composer-send]").await;
    let image = "[data-testid=message][data-side=staff] [data-testid=attachment-image]";
    app.find(image).await;
    wait_in_view(&app, image, "whole").await;
    app.screenshot("image-sent").await;
    app.close().await;
    shop.stop().await;
}
