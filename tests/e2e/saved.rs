//! Saved replies in the composer: `/` in an empty reply (English) or the command palette's
//! "Infoga sparat svar" (Swedish) lists the shop's saved replies; the chosen one fills in the
//! customer's name and attaches its products, and Send delivers text and products as one
//! message the shop holds. And in Settings: a reply is given a product and a pasted image,
//! which the shop then holds, and inserting and sending it shows the product card and the
//! image in the thread.

use inbox_protocol::*;

use super::harness::Desktop;
use super::shop::Shop;
use super::{
    open_conversation, paste_png_into, row, set_language, signed_in_app, wait_on_shop, wait_script,
    whole_test,
};

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
    set_language(&app, "sv").await;
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

#[tokio::test(flavor = "multi_thread")]
async fn a_saved_reply_given_a_product_and_an_image_in_settings_is_sent_with_both_in_english_and_swedish()
 {
    whole_test(a_saved_reply_given_a_product_and_an_image_steps()).await;
}

/// In Settings, gives the saved reply `title` the product `product` and the sample image
/// (pasted into its text), saves it, and waits until the shop holds both; `lang` names the
/// screenshot.
async fn give_product_and_image(
    app: &mut Desktop,
    shop: &Shop,
    title: &str,
    product: &Product,
    lang: &str,
) {
    app.click("[data-testid=open-settings]").await;
    app.click(&format!(
        "[data-testid=saved-reply-row][data-title={title:?}] [data-testid=saved-reply-edit]"
    ))
    .await;
    app.find("[data-testid=saved-reply-form]").await;
    app.click("[data-testid=saved-reply-choose-products]").await;
    let word = product.title.split_whitespace().next().unwrap();
    app.fill(
        "[data-testid=saved-reply-products-chooser] [data-testid=product-search]",
        word,
    )
    .await;
    app.click(&format!(
        "[data-testid=saved-reply-products-chooser] [data-testid=product-option][data-id=\"{}\"]",
        product.id
    ))
    .await;
    app.wait_text(
        "[data-testid=saved-reply-product]",
        "the chosen product",
        |t| t.contains(&product.title),
    )
    .await;
    app.click("[data-testid=saved-reply-products-done]").await;
    paste_png_into(app, "[data-testid=saved-reply-body]").await;
    let shown = wait_script(
        app,
        "const i = document.querySelector('[data-testid=saved-reply-thumbnail] img'); \
         return !!i && i.complete && i.naturalWidth > 0;",
    )
    .await;
    assert!(shown, "the uploaded image's thumbnail shows");
    app.screenshot(&format!("saved-reply-editor-{lang}")).await;
    app.click("[data-testid=saved-reply-save]").await;
    app.wait_gone("[data-testid=saved-reply-form]").await;
    app.click("[data-testid=settings-close]").await;
    app.wait_gone("[data-testid=settings-panel]").await;

    // Saved through the outbox: the shop holds the product and the image.
    let start = std::time::Instant::now();
    loop {
        let detail = shop.saved_reply(title).await;
        if detail.saved_reply.product_ids.contains(&product.id)
            && detail
                .image
                .as_ref()
                .is_some_and(|i| i.kind == MediaKind::Image)
        {
            break;
        }
        assert!(
            start.elapsed() < super::harness::PATIENCE,
            "the shop never held “{title}” with its product and image: {detail:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

/// Waits until the shop holds, in `id`, a products message starting with `greeting` with
/// `product` and, after it, an image.
async fn wait_for_product_and_image(shop: &Shop, id: i64, greeting: &str, product: i64) {
    wait_on_shop(shop, id, "the saved reply's product and image", |d| {
        let Some(at) = d.messages.iter().position(|m| match &m.body {
            MessageBody::Products { text, products } => {
                text.as_deref().is_some_and(|t| t.starts_with(greeting))
                    && products.iter().any(|p| p.product_id == product)
            }
            _ => false,
        }) else {
            return false;
        };
        d.messages[at..].iter().any(|m| {
            matches!(&m.body, MessageBody::Attachment { attachment, .. } if attachment.kind == MediaKind::Image)
        })
    })
    .await;
}

/// Waits until `count` sent images show in the thread, loaded.
async fn wait_for_sent_images(app: &Desktop, count: usize) {
    let script = format!(
        "return Array.from(document.querySelectorAll(\
           '[data-testid=message][data-state=sent] [data-testid=attachment-image]')) \
         .filter(i => i.complete && i.naturalWidth > 0).length >= {count};"
    );
    assert!(wait_script(app, &script).await, "{count} sent images show");
}

async fn a_saved_reply_given_a_product_and_an_image_steps() {
    let mut shop = Shop::start().await;
    let data = tempfile::tempdir().unwrap();
    let mut app = signed_in_app("saved-reply-editor", &shop, data.path()).await;
    let chat = shop
        .customer("Saga Holm", "saga@example.se", "Can I return a soap?")
        .await;
    let id = chat.conversation_id;
    app.find(&row(id)).await;

    // English: "Returns" gets a soap and the image, then goes out with both.
    let soap = shop.product("Birch Tar Soap").await;
    give_product_and_image(&mut app, &shop, "Returns", &soap, "en").await;
    open_conversation(&app, id).await;
    app.click("[data-testid=composer-input]").await;
    app.press("/").await;
    choose_saved_reply(&app, "Returns").await;
    let attached = app
        .wait_text(
            "[data-testid=saved-reply-attached]",
            "the product and image attached",
            |t| t.contains("Birch Tar Soap") && t.contains("Image"),
        )
        .await;
    assert!(attached.contains("Returns"), "{attached}");
    app.screenshot("saved-reply-with-image-inserted-en").await;
    app.click("[data-testid=composer-send]").await;
    app.wait_gone("[data-testid=saved-reply-attached]").await;
    wait_for_product_and_image(&shop, id, "Hi Saga, you can return", soap.id).await;
    app.wait_text(
        "[data-testid=conversation]",
        "the product card in the thread",
        |t| t.contains("Birch Tar Soap"),
    )
    .await;
    wait_for_sent_images(&app, 1).await;
    app.screenshot("saved-reply-with-image-sent-en").await;

    // Swedish: "Returer" gets a candle and the image, inserted from the palette.
    set_language(&app, "sv").await;
    let candle = shop.product("Doftljus Skogsglänta").await;
    give_product_and_image(&mut app, &shop, "Returer", &candle, "sv").await;
    app.click("[data-testid=composer-input]").await;
    app.keys("\u{e009}k\u{e000}").await;
    app.fill("[data-testid=palette-input]", "Infoga sparat")
        .await;
    app.wait_text("[data-testid=palette-item]", "the palette's command", |t| {
        t.contains("Infoga sparat svar")
    })
    .await;
    app.press(ENTER).await;
    choose_saved_reply(&app, "Returer").await;
    app.wait_text(
        "[data-testid=saved-reply-attached]",
        "the Swedish product and image attached",
        |t| t.contains("Doftljus Skogsglänta") && t.contains("Bild"),
    )
    .await;
    app.screenshot("saved-reply-with-image-inserted-sv").await;
    app.click("[data-testid=composer-send]").await;
    app.wait_gone("[data-testid=saved-reply-attached]").await;
    wait_for_product_and_image(&shop, id, "Hej Saga! Du kan returnera", candle.id).await;
    app.wait_text(
        "[data-testid=conversation]",
        "the Swedish product card in the thread",
        |t| t.contains("Doftljus Skogsglänta"),
    )
    .await;
    wait_for_sent_images(&app, 2).await;
    app.screenshot("saved-reply-with-image-sent-sv").await;
    app.close().await;
    shop.stop().await;
}
