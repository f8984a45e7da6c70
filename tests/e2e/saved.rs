//! Saved replies in the composer: `/` in an empty reply (English) or the command palette's
//! "Infoga sparat svar" (Swedish) lists the shop's saved replies; the chosen one fills in the
//! customer's name and attaches its products, and Send delivers text and products as one
//! message the shop holds.

use inbox_protocol::*;

use super::harness::Desktop;
use super::shop::Shop;
use super::{open_conversation, row, signed_in_app, wait_on_shop, whole_test};

const ENTER: &str = "\u{E007}";

#[tokio::test(flavor = "multi_thread")]
async fn a_saved_reply_with_products_is_inserted_and_sent_in_english_and_swedish() {
    whole_test(a_saved_reply_with_products_is_inserted_and_sent_steps()).await;
}

/// Chooses the saved reply whose title is `title` in the open picker, by searching for it.
async fn choose_saved_reply(app: &Desktop, title: &str) {
    app.find("[data-testid=saved-reply-picker]").await;
    app.fill("[data-testid=saved-reply-search]", title).await;
    app.wait_text(
        "[data-testid=saved-reply-item]",
        "the saved reply found",
        |t| t.starts_with(title),
    )
    .await;
    app.press(ENTER).await;
    app.wait_gone("[data-testid=saved-reply-picker]").await;
}

/// Waits until the shop holds a products message in `id` whose text starts with `greeting`,
/// with the products `ids`.
async fn wait_for_products(shop: &Shop, id: i64, greeting: &str, ids: &[i64]) {
    wait_on_shop(shop, id, "the saved reply with its products", |d| {
        d.messages.iter().any(|m| match &m.body {
            MessageBody::Products { text, products } => {
                text.as_deref().is_some_and(|t| t.starts_with(greeting))
                    && products.iter().map(|p| p.product_id).collect::<Vec<_>>() == ids
            }
            _ => false,
        })
    })
    .await;
}

async fn a_saved_reply_with_products_is_inserted_and_sent_steps() {
    let mut shop = Shop::start().await;
    let data = tempfile::tempdir().unwrap();
    let mut app = signed_in_app("saved-replies", &shop, data.path()).await;
    let chat = shop
        .customer(
            "Saga Holm",
            "saga@example.se",
            "What should I give as a present?",
        )
        .await;
    let id = chat.conversation_id;
    app.find(&row(id)).await;
    open_conversation(&app, id).await;

    // English: `/` in the empty composer.
    app.click("[data-testid=composer-input]").await;
    app.press("/").await;
    choose_saved_reply(&app, "Wool care").await;
    let text = app
        .script("return document.querySelector('[data-testid=composer-input]').value;")
        .await;
    let text = text.as_str().unwrap_or_default().to_owned();
    assert!(
        text.starts_with("Hi Saga, wool mostly needs airing"),
        "{text}"
    );
    let attached = app
        .wait_text(
            "[data-testid=saved-reply-attached]",
            "the products attached",
            |t| t.contains("Birch Tar Soap"),
        )
        .await;
    assert!(attached.contains("Wool care"), "{attached}");
    app.screenshot("saved-reply-inserted-en").await;
    app.click("[data-testid=composer-send]").await;
    app.wait_gone("[data-testid=saved-reply-attached]").await;
    let sent = shop.saved_reply_products("Wool care").await;
    wait_for_products(&shop, id, "Hi Saga, wool mostly needs airing", &sent).await;
    app.wait_text(
        "[data-testid=conversation]",
        "the products in the thread",
        |t| t.contains("Birch Tar Soap"),
    )
    .await;
    app.screenshot("saved-reply-sent-en").await;

    // Swedish: the command palette.
    app.click("[data-testid=open-settings]").await;
    app.find("[data-testid=settings-language]")
        .await
        .select_by_value("sv")
        .await
        .unwrap();
    app.click("[data-testid=settings-close]").await;
    app.wait_gone("[data-testid=settings-panel]").await;
    app.click("[data-testid=composer-input]").await;
    app.keys("\u{e009}k\u{e000}").await;
    app.fill("[data-testid=palette-input]", "Infoga sparat")
        .await;
    app.wait_text("[data-testid=palette-item]", "the palette's command", |t| {
        t.contains("Infoga sparat svar")
    })
    .await;
    app.press(ENTER).await;
    choose_saved_reply(&app, "Presenttips").await;
    app.wait_text(
        "[data-testid=saved-reply-attached]",
        "the Swedish products attached",
        |t| t.contains("Från det sparade svaret") && t.contains("Doftljus Skogsglänta"),
    )
    .await;
    app.screenshot("saved-reply-inserted-sv").await;
    app.click("[data-testid=composer-send]").await;
    app.wait_gone("[data-testid=saved-reply-attached]").await;
    let gifts = shop.saved_reply_products("Presenttips").await;
    wait_for_products(&shop, id, "Hej Saga! Här är tre", &gifts).await;
    app.wait_text(
        "[data-testid=conversation]",
        "the Swedish products in the thread",
        |t| t.contains("Doftljus Skogsglänta"),
    )
    .await;
    app.screenshot("saved-reply-sent-sv").await;
    app.close().await;
    shop.stop().await;
}
