//! The storefront chat widget in a real browser: Debian's Chromium, driven over WebDriver
//! (chromedriver), against the real shop server in-process over TLS with the test CA trusted
//! by the browser itself. Staff act through the staff API, as the desktop app does. Every step
//! leaves a screenshot in `$CARGO_TARGET_DIR/browser-screenshots/`.
//!
//! Run with `cargo test -p shop-server --test browser` (`make browser-test`); needs
//! `chromium`, `chromium-driver` and `libnss3-tools` (scripts/install-deps.sh installs them).

mod common;

use std::time::{Duration, Instant};

use common::{TestShop, change_of, next_matching, ok};
use harness::{Browser, PATIENCE};
use inbox_protocol::*;
use reqwest::Method;
use serde_json::json;

/// One browser at a time: `cargo test` runs tests in parallel, and two Chromiums on a
/// two-core CI machine make each other slow enough to hit the test's patience.
static ONE_BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The customer's name and first message try to run script in the page; the staff reply too.
const HOSTILE_NAME: &str = "Ada <img src=x onerror=\"window.__pwned='name'\"> Lovelace";
const HOSTILE_MESSAGE: &str = "<script>window.__pwned='message'</script><b>Is this in stock?</b>";
const HOSTILE_REPLY: &str = "<img src=x onerror=\"window.__pwned='reply'\">Yes, it is!";

async fn conversation(shop: &TestShop, token: &str, id: i64) -> ConversationDetail {
    shop.get(&format!("/api/v1/conversations/{id}"), token)
        .await
}

/// Polls the staff API until `check` holds for the conversation.
async fn staff_sees(
    shop: &TestShop,
    token: &str,
    id: i64,
    what: &str,
    check: impl Fn(&ConversationDetail) -> bool,
) -> ConversationDetail {
    let start = Instant::now();
    loop {
        let detail = conversation(shop, token, id).await;
        if check(&detail) {
            return detail;
        }
        assert!(start.elapsed() < PATIENCE, "staff never saw {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn staff_sends(shop: &TestShop, token: &str, id: i64, body: &SendMessage) -> Message {
    ok(shop
        .send(
            Method::POST,
            &format!("/api/v1/conversations/{id}/messages"),
            token,
            body,
        )
        .await)
    .await
}

/// The chat this browser has with the shop, from the widget's own storage.
async fn conversation_id(browser: &Browser, shop_url: &str) -> i64 {
    let value = browser
        .wait_js(
            "a stored chat session",
            "const raw = localStorage.getItem('nordlys.chat.v1:' + arguments[0]);
             return raw ? JSON.parse(raw).conversation_id : null;",
            vec![json!(shop_url)],
        )
        .await;
    value.as_i64().expect("a conversation id")
}

async fn start_chat(browser: &Browser, name: &str, email: &str) {
    browser
        .in_widget(".bubble")
        .await
        .click()
        .await
        .expect("open the chat");
    let name_field = browser.in_widget("#name").await;
    name_field.send_keys(name).await.expect("type the name");
    browser
        .in_widget("#email")
        .await
        .send_keys(email)
        .await
        .expect("type the email");
    browser
        .in_widget(".start__form button[type=submit]")
        .await
        .click()
        .await
        .expect("start the chat");
    browser.in_widget(".conversation #composer-text").await;
}

async fn customer_types(browser: &Browser, text: &str) {
    let composer = browser.in_widget("#composer-text").await;
    composer.send_keys(text).await.expect("type");
    composer.send_keys("\u{E007}").await.expect("Enter sends");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_chats_with_staff_in_a_real_browser() {
    let _one = ONE_BROWSER.lock().await;
    let shop = TestShop::demo().await;
    let staff = shop.sign_in().await;
    let products: ProductList = shop.get("/api/v1/storefront/products", "").await;
    // The seeds' rule: a cart event names a product only when its name is under 41 characters.
    let in_stock = |len: usize| {
        products
            .products
            .iter()
            .find(|p| {
                p.online_store
                    && p.title.chars().count() == len
                    && p.variants.first().is_some_and(|v| v.stock > 0)
            })
            .unwrap_or_else(|| panic!("a demo product with a {len}-character name in stock"))
            .clone()
    };
    let (named, unnamed) = (in_stock(40), in_stock(41));

    let mut browser = Browser::launch("chat", &[&shop.ca], "en-US", (1280, 900)).await;
    browser
        .client
        .goto(&format!("{}/store", shop.url))
        .await
        .expect("open the store");
    browser.in_widget(".bubble").await;
    browser.screenshot("store").await;

    // Start a chat with a name that is markup.
    start_chat(&browser, HOSTILE_NAME, "ada@example.com").await;
    let id = conversation_id(&browser, &shop.url).await;
    browser.wait_widget_text(".status", "Online").await;
    staff_sees(&shop, &staff.token, id, "the customer online", |d| {
        d.conversation.customer_online
    })
    .await;
    browser.screenshot("chat-started").await;

    // Messages both ways, live; staff see the customer typing first.
    let mut staff_stream = shop.events("/api/v1/events", &staff.token, None).await;
    customer_types(&browser, HOSTILE_MESSAGE).await;
    let typing = next_matching(&mut staff_stream, |e| match change_of(e).entity {
        Entity::Activity(a) if a.conversation_id == id && a.staff_id.is_none() => Some(a),
        _ => None,
    })
    .await;
    assert!(
        typing.typing_until > typing.at,
        "the widget reported typing: {typing:?}"
    );
    staff_sees(&shop, &staff.token, id, "the customer's message", |d| {
        d.messages
            .iter()
            .any(|m| m.body.text() == Some(HOSTILE_MESSAGE))
    })
    .await;
    browser
        .wait_widget_text(".msg--customer:not(.msg--pending) .text", "<script>")
        .await;
    staff_sends(
        &shop,
        &staff.token,
        id,
        &SendMessage::Text {
            text: HOSTILE_REPLY.into(),
        },
    )
    .await;
    browser
        .wait_widget_text(".msg--staff .text", "Yes, it is!")
        .await;
    browser.screenshot("messages-both-ways").await;

    // Customer text and staff text are text: shown as typed, nothing ran, no element made.
    let texts = browser.widget_texts(".text").await;
    assert!(texts.iter().any(|t| t == HOSTILE_MESSAGE), "{texts:?}");
    assert!(texts.iter().any(|t| t == HOSTILE_REPLY), "{texts:?}");
    let who = browser.widget_texts(".foot span").await.join("");
    assert!(who.contains(HOSTILE_NAME), "the name shows as typed: {who}");
    let ran = browser
        .js(
            "const root = document.getElementById('nordlys-chat').shadowRoot;
             return { pwned: window.__pwned ?? null,
                      scripts: root.querySelectorAll('script').length,
                      bold: root.querySelectorAll('b').length,
                      broken: [...root.querySelectorAll('img')].filter(i => i.getAttribute('src') === 'x').length };",
            vec![],
        )
        .await;
    assert_eq!(
        ran,
        json!({"pwned": null, "scripts": 0, "bold": 0, "broken": 0}),
        "hostile text made elements or ran"
    );

    // Cart changes from the store page appear in the staff thread, named only under 41 chars.
    for product in [&named, &unnamed] {
        browser
            .click_in_page(&format!(
                "#product-{} .product-card__actions .button--primary",
                product.id
            ))
            .await;
        browser
            .wait_js(
                "the cart line",
                "return document.querySelector('#cart-body')?.textContent.includes(arguments[0]);",
                vec![json!(product.title)],
            )
            .await;
    }
    browser
        .click_in_page(&format!(
            "#product-{} .product-card__actions .button--ghost",
            named.id
        ))
        .await;
    let detail = staff_sees(&shop, &staff.token, id, "three cart events", |d| {
        d.cart_events.len() == 3
    })
    .await;
    let events: Vec<_> = detail
        .cart_events
        .iter()
        .map(|e| (e.action, e.product_id, e.product_name.clone()))
        .collect();
    assert_eq!(
        events,
        vec![
            (CartAction::Added, named.id, Some(named.title.clone())),
            (CartAction::Added, unnamed.id, None),
            (CartAction::Removed, named.id, Some(named.title.clone())),
        ]
    );
    browser
        .wait_widget_text(
            ".event",
            &format!("You removed {} from your cart", named.title),
        )
        .await;
    browser
        .wait_widget_text(".event", "You added a product to your cart")
        .await;
    browser.screenshot("cart-events").await;

    // A shared product card opens its product page.
    let shared = products
        .products
        .iter()
        .find(|p| p.online_store && p.id != named.id && p.id != unnamed.id)
        .expect("another product");
    staff_sends(
        &shop,
        &staff.token,
        id,
        &SendMessage::Products {
            text: Some("Have a look at this one".into()),
            product_ids: vec![shared.id],
        },
    )
    .await;
    browser
        .in_widget("a.product")
        .await
        .click()
        .await
        .expect("open the shared product");
    let path = browser
        .wait_js(
            "the product page",
            "return document.querySelector('.product-card.is-highlighted') ? location.pathname : null;",
            vec![],
        )
        .await;
    assert_eq!(path, json!(shared.url), "the product's own page");
    let highlighted = browser
        .find(".product-card.is-highlighted .product-card__title")
        .await
        .text()
        .await
        .expect("title");
    assert_eq!(highlighted, shared.title);
    browser.screenshot("shared-product-opened").await;

    // A shared image renders.
    let png = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../assets/products/mug.png"
    ))
    .expect("a demo image");
    let attachment: Attachment = ok(shop
        .request(Method::POST, "/api/v1/uploads", Some(&staff.token))
        .header("content-type", "image/png")
        .body(png)
        .send()
        .await
        .expect("upload"))
    .await;
    staff_sends(
        &shop,
        &staff.token,
        id,
        &SendMessage::Attachment {
            upload_id: attachment.upload_id.clone(),
            text: Some("The mug in daylight".into()),
        },
    )
    .await;
    browser.in_widget("img.media").await;
    let size = browser
        .wait_js(
            "the shared image decoded",
            "const img = document.getElementById('nordlys-chat').shadowRoot.querySelector('img.media');
             img.scrollIntoView();
             return img.complete && img.naturalWidth > 0 ? [img.naturalWidth, img.naturalHeight] : null;",
            vec![],
        )
        .await;
    assert_eq!(size, json!([320, 320]), "the image the shop sent");
    browser.screenshot("shared-image").await;

    // Clicking a shared discount code applies it: the cart shows it, the shop has it.
    let discounts: DiscountList = shop.get("/api/v1/discounts?q=", &staff.token).await;
    let discount = discounts
        .discounts
        .iter()
        .find(|d| d.status == DiscountStatus::Active)
        .expect("an active demo code");
    staff_sends(
        &shop,
        &staff.token,
        id,
        &SendMessage::Discount {
            discount_id: discount.id,
        },
    )
    .await;
    browser
        .in_widget(".discount__code")
        .await
        .click()
        .await
        .expect("click the code");
    browser
        .wait_widget_text(".discount__status", "Applied to your cart")
        .await;
    browser
        .wait_js(
            "the code on the cart",
            "return document.querySelector('#cart-discount:not([hidden])')?.textContent.includes(arguments[0]);",
            vec![json!(discount.code)],
        )
        .await;
    let profile: CustomerProfile = shop
        .get(
            &format!("/api/v1/customers/{}", detail.conversation.customer_id),
            &staff.token,
        )
        .await;
    assert_eq!(
        profile.cart.and_then(|c| c.discount_code).as_deref(),
        Some(discount.code.as_str()),
        "the shop stored the code on the customer's cart"
    );
    browser.screenshot("discount-applied").await;

    // An expired code typed into the cart is refused with the reason; the cart keeps its code.
    let expired = discounts
        .discounts
        .iter()
        .find(|d| d.status == DiscountStatus::Expired)
        .expect("an expired demo code");
    // The panel sits over the cart, as for a customer: close it first.
    browser
        .in_widget(".head .icon-button")
        .await
        .click()
        .await
        .expect("close the chat");
    browser.click_in_page("#discount-code").await;
    browser
        .find("#discount-code")
        .await
        .send_keys(&format!("{}\u{E007}", expired.code))
        .await
        .expect("type the expired code");
    browser
        .wait_js(
            "the refusal",
            "const e = document.querySelector('#discount-error:not([hidden])');
             return e && e.textContent.includes(arguments[0]) && e.textContent.includes(\"can't be used right now\");",
            vec![json!(expired.code)],
        )
        .await;
    let still = browser
        .js(
            "return document.querySelector('#cart-discount').textContent;",
            vec![],
        )
        .await;
    assert!(
        still.as_str().unwrap_or_default().contains(&discount.code),
        "the cart keeps the code it had: {still}"
    );
    let profile: CustomerProfile = shop
        .get(
            &format!("/api/v1/customers/{}", detail.conversation.customer_id),
            &staff.token,
        )
        .await;
    assert_eq!(
        profile.cart.and_then(|c| c.discount_code).as_deref(),
        Some(discount.code.as_str()),
        "the refused code changed nothing at the shop"
    );
    browser.screenshot("expired-code-refused").await;

    // With the panel closed, a reply shows as unread on the button; opening it reads it.
    staff_sends(
        &shop,
        &staff.token,
        id,
        &SendMessage::Text {
            text: "Anything else I can help with?".into(),
        },
    )
    .await;
    browser.wait_widget_text(".badge:not([hidden])", "1").await;
    let bubble = browser.in_widget(".bubble").await;
    assert_eq!(
        bubble.attr("aria-label").await.expect("label").as_deref(),
        Some("Chat with us, 1 new reply")
    );
    browser.screenshot("unread-reply").await;
    bubble.click().await.expect("open the chat");
    browser
        .wait_widget_text(".msg--staff .text", "Anything else")
        .await;
    browser
        .wait_js(
            "the badge cleared",
            "return document.getElementById('nordlys-chat').shadowRoot.querySelector('.badge').hidden;",
            vec![],
        )
        .await;

    // axe-core finds nothing on the page with the chat open and full.
    let violations = browser.axe_violations().await;
    assert!(violations.is_empty(), "axe-core: {violations:#?}");

    // Staff see the customer leave when the tab closes, and come back when one opens.
    let store_tab = browser.client.window().await.expect("this tab");
    let blank = browser.client.new_window(true).await.expect("a new tab");
    browser
        .client
        .switch_to_window(store_tab)
        .await
        .expect("back to the store");
    browser
        .client
        .close_window()
        .await
        .expect("close the store's tab");
    browser
        .client
        .switch_to_window(blank.handle)
        .await
        .expect("the other tab");
    staff_sees(&shop, &staff.token, id, "the customer offline", |d| {
        !d.conversation.customer_online
    })
    .await;
    browser.screenshot("store-tab-closed").await;
    browser
        .client
        .goto(&format!("{}/store", shop.url))
        .await
        .expect("open the store again");
    staff_sees(&shop, &staff.token, id, "the customer online again", |d| {
        d.conversation.customer_online
    })
    .await;
    browser.in_widget(".bubble").await;
    browser.screenshot("store-tab-reopened").await;

    let ran = browser.js("return window.__pwned ?? null;", vec![]).await;
    assert_eq!(ran, json!(null));
    browser.close().await;
    shop.stop().await;
}

/// The page's money as the page writes it (the browser's first language, the shop's currency).
const PAGE_MONEY: &str =
    "const f = new Intl.NumberFormat(navigator.languages?.[0] ?? navigator.language, \
     { style: 'currency', currency: arguments[1], trailingZeroDisplay: 'stripIfInteger' });
     const digits = f.resolvedOptions().maximumFractionDigits ?? 2;
     const money = (minor) => f.format(minor / 10 ** digits);";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_checks_out_with_a_shared_code_in_a_real_browser() {
    let _one = ONE_BROWSER.lock().await;
    let shop = TestShop::demo().await;
    let staff = shop.sign_in().await;
    // Two codes to share: one that will have expired by checkout, one that stays good.
    let now = shop_server::clock::now_ms();
    shop.server()
        .state
        .db
        .write(move |tx| {
            use shop_server::checkout::DiscountRule;
            use shop_server::storage::mutations::add_discount;
            let late = add_discount(
                tx,
                "LASTCALL20",
                "20% off, today only",
                &DiscountRule::percent(20),
                now - 60_000,
                None,
            )?;
            let good = add_discount(
                tx,
                "THANKS10",
                "10% off your order",
                &DiscountRule::percent(10),
                now - 60_000,
                None,
            )?;
            Ok((late, good))
        })
        .await
        .unwrap();
    let discounts: DiscountList = shop.get("/api/v1/discounts?q=", &staff.token).await;
    let code = |name: &str| {
        discounts
            .discounts
            .iter()
            .find(|d| d.code == name)
            .expect("the test code")
            .clone()
    };
    let (late, good) = (code("LASTCALL20"), code("THANKS10"));
    let products: ProductList = shop.get("/api/v1/storefront/products", "").await;
    let product = products
        .products
        .iter()
        .find(|p| p.online_store && p.variants.first().is_some_and(|v| v.stock > 2))
        .expect("a demo product in stock")
        .clone();

    let mut browser = Browser::launch("checkout", &[&shop.ca], "en-US", (1280, 900)).await;
    browser
        .client
        .goto(&format!("{}/store", shop.url))
        .await
        .expect("open the store");
    start_chat(&browser, "Cecilia Berg", "cecilia@example.se").await;
    let id = conversation_id(&browser, &shop.url).await;
    let customer_id = conversation(&shop, &staff.token, id)
        .await
        .conversation
        .customer_id;
    let close_chat = async |browser: &Browser| {
        browser
            .in_widget(".head .icon-button")
            .await
            .click()
            .await
            .expect("close the chat");
    };
    close_chat(&browser).await;
    browser
        .click_in_page(&format!(
            "#product-{} .product-card__actions .button--primary",
            product.id
        ))
        .await;
    browser
        .wait_js(
            "the cart line",
            "return document.querySelector('#cart-body')?.textContent.includes(arguments[0]);",
            vec![json!(product.title)],
        )
        .await;

    // A code shared while it was good, applied from the chat, then expired before checkout.
    staff_sends(
        &shop,
        &staff.token,
        id,
        &SendMessage::Discount {
            discount_id: late.id,
        },
    )
    .await;
    browser
        .in_widget(".bubble")
        .await
        .click()
        .await
        .expect("open the chat");
    browser
        .in_widget(".discount__code")
        .await
        .click()
        .await
        .expect("click the code");
    browser
        .wait_widget_text(".discount__status", "Applied to your cart")
        .await;
    shop.server()
        .state
        .db
        .write(move |tx| {
            tx.execute(
                "UPDATE discount_codes SET ends_at = ?1 WHERE code = 'LASTCALL20'",
                shop_server::args![shop_server::clock::now_ms() - 1],
            )
        })
        .await
        .unwrap();
    close_chat(&browser).await;
    browser.click_in_page("#checkout-button").await;
    browser
        .wait_js(
            "the expired code refused at checkout",
            "const e = document.querySelector('#checkout-discount-refused');
             return e && e.textContent.includes('The code LASTCALL20 has expired');",
            vec![],
        )
        .await;
    let discounted = browser
        .js(
            "return document.querySelector('#checkout-discount') !== null;",
            vec![],
        )
        .await;
    assert_eq!(
        discounted,
        json!(false),
        "no discount from the expired code"
    );
    browser.screenshot("expired-code-refused-at-checkout").await;
    browser
        .click_in_page("#checkout-discount-refused button")
        .await;
    browser
        .wait_js(
            "the expired code removed",
            "return document.querySelector('#checkout-total') && !document.querySelector('#checkout-discount-refused');",
            vec![],
        )
        .await;

    // A good code clicked in the chat: the checkout total shows it, as the shop prices it.
    staff_sends(
        &shop,
        &staff.token,
        id,
        &SendMessage::Discount {
            discount_id: good.id,
        },
    )
    .await;
    browser
        .in_widget(".bubble")
        .await
        .click()
        .await
        .expect("open the chat");
    browser
        .wait_widget_text(".discount__code", &good.code)
        .await;
    browser
        .js(
            "const codes = document.getElementById('nordlys-chat').shadowRoot.querySelectorAll('.discount__code');
             codes[codes.length - 1].click();",
            vec![],
        )
        .await;
    browser
        .wait_widget_text(".discount__status", "Applied to your cart")
        .await;
    close_chat(&browser).await;
    let price = product.variants[0].price.minor;
    let off = (price * 1_000 + 5_000) / 10_000;
    let total = price - off + 4_900;
    browser
        .wait_js(
            "the code's discount in the checkout total",
            &format!(
                "{PAGE_MONEY}
                 const d = document.querySelector('#checkout-discount');
                 const t = document.querySelector('#checkout-total');
                 return !!d && !!t && d.textContent.includes(money(arguments[0]))
                     && t.textContent === money(arguments[2]);"
            ),
            vec![json!(off), json!("SEK"), json!(total)],
        )
        .await;
    browser.screenshot("shared-code-in-checkout-total").await;

    // The declined test card: an error, no order, the cart as it was.
    let cart_before = shop
        .get::<CustomerProfile>(&format!("/api/v1/customers/{customer_id}"), &staff.token)
        .await
        .cart;
    for (field, text) in [
        ("#checkout-line1", "Storgatan 1"),
        ("#checkout-postal", "903 26"),
        ("#checkout-city", "Umeå"),
        ("#checkout-card", "4000 0000 0000 0002"),
    ] {
        browser
            .find(field)
            .await
            .send_keys(text)
            .await
            .expect("type");
    }
    browser.click_in_page("#pay-button").await;
    browser
        .wait_js(
            "the declined card's message",
            "const e = document.querySelector('#checkout-error:not([hidden])');
             return e && e.textContent.includes('declined');",
            vec![],
        )
        .await;
    browser.screenshot("card-declined").await;
    let profile: CustomerProfile = shop
        .get(&format!("/api/v1/customers/{customer_id}"), &staff.token)
        .await;
    assert_eq!(
        profile.cart, cart_before,
        "the declined card left the cart as it was"
    );
    assert!(profile.orders.is_empty(), "no order for a declined card");

    // The success card: the confirmation, and staff see the order as the last order.
    let card = browser.find("#checkout-card").await;
    card.clear().await.expect("clear the card");
    card.send_keys("4242 4242 4242 4242")
        .await
        .expect("type the card");
    browser.click_in_page("#pay-button").await;
    let heading = browser
        .wait_js(
            "the order confirmation",
            "const h = document.querySelector('#order-confirmation h1');
             return h && h.textContent;",
            vec![],
        )
        .await;
    browser.screenshot("order-confirmed").await;
    let profile: CustomerProfile = shop
        .get(&format!("/api/v1/customers/{customer_id}"), &staff.token)
        .await;
    let order = profile.last_order.expect("the order is the last order");
    assert_eq!(order.total.minor, total);
    assert_eq!(
        heading.as_str(),
        Some(format!("Thank you! Order {} is placed", order.name).as_str())
    );
    assert!(
        profile.cart.is_none_or(|c| c.lines.is_empty()),
        "the cart is empty"
    );
    // The conversation shows it: in the chat, and to staff.
    browser
        .wait_widget_text(".event--order", &format!("Order {} placed", order.name))
        .await;
    let detail = conversation(&shop, &staff.token, id).await;
    assert_eq!(
        detail
            .order_events
            .iter()
            .map(|e| e.order_name.as_str())
            .collect::<Vec<_>>(),
        [order.name.as_str()]
    );
    browser
        .wait_js(
            "the emptied cart",
            "return document.getElementById('cart-count').textContent === '0';",
            vec![],
        )
        .await;
    let violations = browser.axe_violations().await;
    assert!(violations.is_empty(), "axe-core: {violations:#?}");
    browser.close().await;
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_swedish_phone_uses_the_widget_by_keyboard_at_360_px() {
    let _one = ONE_BROWSER.lock().await;
    let shop = TestShop::demo().await;
    let staff = shop.sign_in().await;
    let mut browser = Browser::launch("swedish-phone", &[&shop.ca], "sv-SE", (360, 740)).await;
    browser
        .client
        .goto(&format!("{}/store", shop.url))
        .await
        .expect("open the store");
    let bubble = browser.in_widget(".bubble").await;
    assert_eq!(
        bubble.attr("aria-label").await.expect("label").as_deref(),
        Some("Chatta med oss")
    );
    browser.screenshot("store").await;

    // Keyboard only: focus the button, Enter opens the panel on the name field.
    browser
        .js(
            "document.getElementById('nordlys-chat').shadowRoot.querySelector('.bubble').focus();",
            vec![],
        )
        .await;
    browser.keys("\u{E007}").await;
    browser.in_widget(".panel").await;
    assert_eq!(browser.widget_focus().await, "name");
    browser
        .wait_widget_text("#title", "Chatta med Nordlys Studio")
        .await;
    browser
        .wait_widget_text("label[for=name]", "Ditt namn")
        .await;
    browser.screenshot("start-form").await;
    // Enter with no email says why, in Swedish, and keeps focus on the field to fix.
    browser.keys("Astrid\u{E004}\u{E007}").await;
    browser
        .wait_widget_text("[role=alert]", "Skriv en e-postadress")
        .await;
    assert_eq!(browser.widget_focus().await, "email");
    browser.keys("astrid.k@example.se\u{E007}").await;
    browser.in_widget("#composer-text").await;
    browser.wait_widget_text(".status", "Online").await;
    assert_eq!(browser.widget_focus().await, "composer-text");
    let placeholder = browser
        .in_widget("#composer-text")
        .await
        .attr("placeholder")
        .await
        .expect("placeholder");
    assert_eq!(placeholder.as_deref(), Some("Skriv ett meddelande…"));

    browser.keys("Hej! Finns koppen i blått?\u{E007}").await;
    let id = conversation_id(&browser, &shop.url).await;
    staff_sees(&shop, &staff.token, id, "the Swedish message", |d| {
        d.messages
            .iter()
            .any(|m| m.body.text() == Some("Hej! Finns koppen i blått?"))
    })
    .await;
    staff_sends(
        &shop,
        &staff.token,
        id,
        &SendMessage::Text {
            text: "Hej Astrid! Ja, den finns i blått.".into(),
        },
    )
    .await;
    browser
        .wait_widget_text(".msg--staff .text", "Ja, den finns i blått")
        .await;

    // Proving the email: the code the shop emails, typed into the widget.
    browser
        .in_widget(".verify .link-button")
        .await
        .click()
        .await
        .expect("ask for a code");
    browser
        .wait_widget_text(".verify", "Vi har skickat en kod till astrid.k@example.se")
        .await;
    let outbox: EmailOutbox = shop.get("/api/v1/demo/outbox", "").await;
    let email = outbox
        .emails
        .iter()
        .find(|e| e.to == "astrid.k@example.se")
        .expect("the code's email");
    let code: String = email
        .body
        .split("Your code is ")
        .nth(1)
        .expect("a code in the email")
        .chars()
        .take(6)
        .collect();
    browser
        .in_widget("#verify-code")
        .await
        .send_keys(&format!("{code}\u{E007}"))
        .await
        .expect("type the code");
    browser
        .wait_widget_text(".verify", "E-posten är bekräftad")
        .await;
    let detail = conversation(&shop, &staff.token, id).await;
    let profile: CustomerProfile = shop
        .get(
            &format!("/api/v1/customers/{}", detail.conversation.customer_id),
            &staff.token,
        )
        .await;
    assert!(
        profile.customer.email_verified,
        "the shop has the email proven"
    );
    browser.screenshot("email-verified").await;

    // At 360 px the panel is the screen: nothing sticks out sideways.
    let fit = browser
        .js(
            "const panel = document.getElementById('nordlys-chat').shadowRoot.querySelector('.panel');
             const r = panel.getBoundingClientRect();
             const composer = panel.querySelector('.composer').getBoundingClientRect();
             return { width: innerWidth, left: r.left, right: r.right,
                      composer: composer.right <= innerWidth && composer.bottom <= innerHeight,
                      scroll: panel.scrollWidth <= panel.clientWidth };",
            vec![],
        )
        .await;
    assert_eq!(fit["width"], json!(360), "{fit}");
    assert_eq!(fit["left"], json!(0), "{fit}");
    assert_eq!(fit["right"], json!(360), "{fit}");
    assert_eq!(fit["composer"], json!(true), "{fit}");
    assert_eq!(fit["scroll"], json!(true), "{fit}");
    browser.screenshot("chat-at-360px").await;

    let violations = browser.axe_violations().await;
    assert!(violations.is_empty(), "axe-core: {violations:#?}");

    // The full-screen panel is a modal dialog: Tab goes round its controls, never to the page
    // hidden behind it.
    let panel = browser.in_widget(".panel").await;
    assert_eq!(
        panel.attr("aria-modal").await.expect("attr").as_deref(),
        Some("true")
    );
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..12 {
        browser.keys("\u{E004}").await;
        let focus = browser.widget_focus().await;
        assert!(!focus.is_empty(), "Tab left the panel for the page");
        seen.insert(focus);
    }
    assert!(seen.contains("composer-text") && seen.len() > 3, "{seen:?}");
    browser.shift_tab().await;
    assert!(!browser.widget_focus().await.is_empty());
    browser
        .js(
            "document.getElementById('nordlys-chat').shadowRoot.getElementById('composer-text').focus();",
            vec![],
        )
        .await;

    // Escape closes the panel and gives focus back to the button.
    browser.keys("\u{E00C}").await;
    browser.in_widget(".bubble").await;
    assert_eq!(browser.widget_focus().await, "bubble");
    browser.screenshot("closed").await;
    browser.close().await;
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_widget_rides_out_a_shop_restart_and_loses_nothing() {
    let _one = ONE_BROWSER.lock().await;
    let mut shop = TestShop::demo().await;
    let addr = shop.server().addr;
    let mut browser = Browser::launch("restart", &[&shop.ca], "en-US", (1280, 900)).await;
    browser
        .client
        .goto(&format!("{}/store", shop.url))
        .await
        .expect("open the store");
    start_chat(&browser, "Linn", "linn@example.com").await;
    browser.wait_widget_text(".status", "Online").await;
    let id = conversation_id(&browser, &shop.url).await;

    // The shop goes away: the widget says so, and what the customer writes waits.
    shop.server.take().expect("running").shutdown().await;
    browser.wait_widget_text(".status", "Reconnecting").await;
    browser
        .wait_widget_text(".note", "Until then, our replies go to your email")
        .await;
    customer_types(&browser, "Are you still there?").await;
    browser
        .wait_widget_text(".msg--pending .text", "Are you still there?")
        .await;
    browser.screenshot("shop-down").await;

    // It comes back on the same address with the same data: the message arrives once, the
    // stream is live again, and a reply reaches the customer.
    let mut config = shop_server::Config::new(shop.dir.path());
    config.database = shop.database.clone();
    config.demo = true;
    config.heartbeat = Duration::from_secs(1);
    config.listen = addr;
    shop.server = Some(shop_server::start(config).await.expect("the shop restarts"));
    let staff = shop.sign_in().await;
    staff_sees(
        &shop,
        &staff.token,
        id,
        "the message written while the shop was down",
        |d| {
            d.messages
                .iter()
                .any(|m| m.body.text() == Some("Are you still there?"))
                && d.conversation.customer_online
        },
    )
    .await;
    browser.wait_widget_text(".status", "Online").await;
    staff_sends(
        &shop,
        &staff.token,
        id,
        &SendMessage::Text {
            text: "Still here, Linn!".into(),
        },
    )
    .await;
    browser
        .wait_widget_text(".msg--staff .text", "Still here, Linn!")
        .await;
    let pending = browser.widget_texts(".msg--pending").await;
    assert!(pending.is_empty(), "nothing left unsent: {pending:?}");
    let detail = conversation(&shop, &staff.token, id).await;
    let copies = detail
        .messages
        .iter()
        .filter(|m| m.body.text() == Some("Are you still there?"))
        .count();
    assert_eq!(copies, 1, "sent exactly once");
    browser.screenshot("shop-back").await;
    browser.close().await;
    shop.stop().await;
}

/// A shop's own site on another origin, with the snippet from the README and a strict CSP.
fn host_page(shop_url: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Another site</title>
  <script src="{shop_url}/store/widget.js" data-shop-name="Nordlys Studio" async></script>
  <script src="/host.js" defer></script>
</head>
<body>
  <main><h1>A shop's own site</h1><button id="add" type="button">Add a mug</button></main>
</body>
</html>"#
    )
}

/// What the README tells a shop to allow in its own CSP.
fn host_csp(shop_url: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' {shop_url}; connect-src {shop_url}; \
         img-src 'self' {shop_url} data:; style-src 'self'; object-src 'none'; base-uri 'none'"
    )
}

/// The host site's own script: its "add to cart" button calls the widget's API.
const HOST_JS: &str = "document.getElementById('add').addEventListener('click', () =>
  window.NordlysChat.changeCart(Number(document.body.dataset.variant), 'added', 'Mug'));";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_embed_snippet_works_on_an_allowed_origin_and_only_there() {
    let _one = ONE_BROWSER.lock().await;
    use axum::response::IntoResponse;
    // The other site: plain HTTP on another loopback port (another origin).
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let host_origin = format!("http://{}", listener.local_addr().expect("addr"));
    let allowed = {
        let origin = host_origin.clone();
        TestShop::with(move |config| config.allowed_origins = vec![origin]).await
    };
    let refused = TestShop::demo().await;
    let products: ProductList = allowed.get("/api/v1/storefront/products", "").await;
    let mug = products
        .products
        .iter()
        .find(|p| {
            p.online_store
                && p.variants.first().is_some_and(|v| v.stock > 0)
                && p.title.chars().count() < 41
        })
        .expect("a product in stock")
        .clone();
    let page = |shop_url: String, variant: i64| {
        move || async move {
            (
                [
                    ("content-type", "text/html; charset=utf-8".to_owned()),
                    ("content-security-policy", host_csp(&shop_url)),
                ],
                host_page(&shop_url)
                    .replace("<body>", &format!("<body data-variant=\"{variant}\">")),
            )
                .into_response()
        }
    };
    let app = axum::Router::new()
        .route(
            "/",
            axum::routing::get(page(allowed.url.clone(), mug.variants[0].id)),
        )
        .route(
            "/other",
            axum::routing::get(page(refused.url.clone(), mug.variants[0].id)),
        )
        .route(
            "/host.js",
            axum::routing::get(|| async { ([("content-type", "text/javascript")], HOST_JS) }),
        );
    let host = tokio::spawn(async move { axum::serve(listener, app).await });

    let staff = allowed.sign_in().await;
    let mut browser =
        Browser::launch("embed", &[&allowed.ca, &refused.ca], "en-US", (1280, 900)).await;
    browser
        .client
        .goto(&host_origin)
        .await
        .expect("the other site");
    browser.in_widget(".bubble").await;
    browser.screenshot("other-site").await;
    start_chat(&browser, "Grace", "grace@example.com").await;
    browser.wait_widget_text(".status", "Online").await;
    let id = conversation_id(&browser, &allowed.url).await;
    customer_types(&browser, "Hello from your own site").await;
    staff_sees(
        &allowed,
        &staff.token,
        id,
        "the message from the other site",
        |d| {
            d.messages
                .iter()
                .any(|m| m.body.text() == Some("Hello from your own site"))
                && d.conversation.customer_online
        },
    )
    .await;
    browser.click_in_page("#add").await;
    staff_sees(
        &allowed,
        &staff.token,
        id,
        "the cart event from the other site",
        |d| {
            d.cart_events
                .iter()
                .any(|e| e.action == CartAction::Added && e.product_id == mug.id)
        },
    )
    .await;
    staff_sends(
        &allowed,
        &staff.token,
        id,
        &SendMessage::Text {
            text: "Welcome, Grace".into(),
        },
    )
    .await;
    browser
        .wait_widget_text(".msg--staff .text", "Welcome, Grace")
        .await;
    browser
        .wait_widget_text(".event", &format!("You added {}", mug.title))
        .await;
    browser.screenshot("chatting-from-other-site").await;
    let violations = browser.axe_violations().await;
    assert!(
        violations.is_empty(),
        "axe-core on the other site: {violations:#?}"
    );

    // A shop that doesn't name this site: the browser keeps its answers from the page.
    browser
        .client
        .goto(&format!("{host_origin}/other"))
        .await
        .expect("the other site, other shop");
    start_chat_expecting_failure(&browser).await;
    browser
        .wait_widget_text("[role=alert]", "We couldn't reach the shop")
        .await;
    browser.screenshot("origin-not-allowed").await;
    browser.close().await;
    host.abort();
    allowed.stop().await;
    refused.stop().await;
}

async fn start_chat_expecting_failure(browser: &Browser) {
    browser
        .in_widget(".bubble")
        .await
        .click()
        .await
        .expect("open the chat");
    browser
        .in_widget("#name")
        .await
        .send_keys("Grace")
        .await
        .expect("name");
    browser
        .in_widget("#email")
        .await
        .send_keys("grace@example.com")
        .await
        .expect("email");
    browser
        .in_widget(".start__form button[type=submit]")
        .await
        .click()
        .await
        .expect("start");
}

mod harness {
    //! Debian's Chromium under its chromedriver, trusting the test shop's CA through an NSS
    //! database of its own (no certificate check is switched off), with screenshots of each step
    //! in `$CARGO_TARGET_DIR/browser-screenshots/`. Each [`Browser`] has its own HOME, profile and
    //! driver port; dropping it ends the session and the driver.

    use std::net::TcpListener;
    use std::path::{Path, PathBuf};
    use std::process::{Child, Command, Stdio};
    use std::time::{Duration, Instant};

    use fantoccini::elements::{Element, ShadowRoot};
    use fantoccini::{Client, ClientBuilder, Locator};
    use serde_json::{Value, json};

    /// How long anything the page should do may take before a test gives up (a ceiling on a loaded
    /// machine, not a timing assertion).
    pub const PATIENCE: Duration = Duration::from_secs(30);

    pub fn screenshot_dir() -> PathBuf {
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
        target.join("browser-screenshots")
    }

    fn free_port() -> u16 {
        TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free loopback port")
    }

    fn program(env: &str, default: &str) -> PathBuf {
        std::env::var_os(env)
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(default))
    }

    /// A HOME whose NSS database trusts `ca_pem` as a root for web sites: Chromium on Linux reads
    /// locally trusted roots from `$HOME/.pki/nssdb`.
    fn home_trusting(cas: &[&[u8]]) -> tempfile::TempDir {
        let home = tempfile::tempdir().expect("a HOME for the browser");
        let db = home.path().join(".pki/nssdb");
        std::fs::create_dir_all(&db).expect("nssdb folder");
        let db_arg = format!("sql:{}", db.display());
        let run = |args: &[&str]| {
            let status = Command::new(program("CERTUTIL", "certutil"))
                .args(args)
                .stdout(Stdio::null())
                .status()
                .expect("certutil runs (apt install libnss3-tools; scripts/install-deps.sh does)");
            assert!(status.success(), "certutil {args:?} failed");
        };
        run(&["-d", &db_arg, "-N", "--empty-password"]);
        for (n, ca_pem) in cas.iter().enumerate() {
            let ca = home.path().join(format!("test-ca-{n}.pem"));
            std::fs::write(&ca, ca_pem).expect("CA file");
            // "C,,": a CA trusted to issue server certificates, nothing else.
            run(&[
                "-d",
                &db_arg,
                "-A",
                "-t",
                "C,,",
                "-n",
                &format!("inbox test shop CA {n}"),
                "-i",
                ca.to_str().expect("utf-8 path"),
            ]);
        }
        home
    }

    pub struct Browser {
        pub client: Client,
        driver: Child,
        _home: tempfile::TempDir,
        name: String,
        shots: u32,
    }

    impl Browser {
        /// Headless Chromium speaking `lang` (as the browser's first language) at `width`×`height`.
        pub async fn launch(
            name: &str,
            cas: &[&[u8]],
            lang: &str,
            (width, height): (u32, u32),
        ) -> Browser {
            let home = home_trusting(cas);
            // This run's screenshots only: an earlier run's "failed" shot must not linger.
            if let Ok(entries) = std::fs::read_dir(screenshot_dir()) {
                for entry in entries.flatten() {
                    if entry
                        .file_name()
                        .to_string_lossy()
                        .starts_with(&format!("{name}-"))
                    {
                        let _ = std::fs::remove_file(entry.path());
                    }
                }
            }
            let port = free_port();
            let mut driver = Command::new(program("CHROMEDRIVER", "chromedriver"));
            // A process group of its own, so a failing test takes Chromium down with the driver.
            #[cfg(unix)]
            std::os::unix::process::CommandExt::process_group(&mut driver, 0);
            let driver = driver
                .arg(format!("--port={port}"))
                .env("HOME", home.path())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect(
                    "chromedriver runs (apt install chromium-driver; scripts/install-deps.sh does)",
                );
            wait_for_port(port).await;
            let profile = home.path().join("profile");
            // A desktop window is at least 500 px wide; a phone's width is emulated.
            let phone = (width < 500).then(|| {
            json!({ "deviceMetrics": { "width": width, "height": height, "pixelRatio": 2.0, "touch": true } })
        });
            let capabilities = json!({
                "browserName": "chrome",
                "goog:chromeOptions": {
                    "binary": program("CHROMIUM", "/usr/bin/chromium"),
                    "args": [
                        "--headless=new",
                        // The sandbox needs user namespaces, which CI containers (running as root)
                        // don't give; it is the process sandbox, not a certificate check.
                        "--no-sandbox",
                        "--disable-dev-shm-usage",
                        "--disable-gpu",
                        "--no-first-run",
                        "--disable-extensions",
                        "--disable-background-networking",
                        format!("--user-data-dir={}", profile.display()),
                        format!("--window-size={width},{height}"),
                        format!("--lang={lang}"),
                    ],
                    "prefs": { "intl.accept_languages": lang },
                },
            });
            let mut capabilities = capabilities;
            if let Some(phone) = phone {
                capabilities["goog:chromeOptions"]["mobileEmulation"] = phone;
            }
            let client = ClientBuilder::rustls()
                .expect("a WebDriver client")
                .capabilities(capabilities.as_object().expect("an object").clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
                .expect("a WebDriver session with chromium");
            Browser {
                client,
                driver,
                _home: home,
                name: name.to_owned(),
                shots: 0,
            }
        }

        /// Saves a screenshot as `browser-screenshots/<test>-<n>-<what>.png`.
        pub async fn screenshot(&mut self, what: &str) {
            self.shots += 1;
            eprintln!("[{}] {:02} {what}", self.name, self.shots);
            let png = self.client.screenshot().await.expect("a screenshot");
            let dir = screenshot_dir();
            std::fs::create_dir_all(&dir).expect("the screenshot folder");
            std::fs::write(
                dir.join(format!("{}-{:02}-{what}.png", self.name, self.shots)),
                png,
            )
            .expect("the screenshot is saved");
        }

        async fn failure(&self, why: String) -> ! {
            if let Ok(png) = self.client.screenshot().await {
                let dir = screenshot_dir();
                let _ = std::fs::create_dir_all(&dir);
                let _ = std::fs::write(dir.join(format!("{}-failed.png", self.name)), png);
            }
            panic!("[{}] {why}", self.name)
        }

        pub async fn js(&self, script: &str, args: Vec<Value>) -> Value {
            self.client
                .execute(script, args)
                .await
                .expect("the script runs")
        }

        /// Polls `script` (a function body) until it returns something truthy; that value.
        pub async fn wait_js(&self, what: &str, script: &str, args: Vec<Value>) -> Value {
            let start = Instant::now();
            loop {
                let value = self.js(script, args.clone()).await;
                let truthy = match &value {
                    Value::Null => false,
                    Value::Bool(b) => *b,
                    Value::String(s) => !s.is_empty(),
                    Value::Number(n) => n.as_f64() != Some(0.0),
                    _ => true,
                };
                if truthy {
                    return value;
                }
                if start.elapsed() > PATIENCE {
                    self.failure(format!("waited {PATIENCE:?} for {what}; last {value}"))
                        .await;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }

        /// The widget's shadow root, once the widget is on the page.
        pub async fn widget(&self) -> ShadowRoot {
            let host = self.find("#nordlys-chat").await;
            host.shadow_root()
                .await
                .expect("the widget has a shadow root")
        }

        /// The first element matching `css` in the page, waiting for it.
        pub async fn find(&self, css: &str) -> Element {
            match self
                .client
                .wait()
                .at_most(PATIENCE)
                .for_element(Locator::Css(css))
                .await
            {
                Ok(element) => element,
                Err(e) => {
                    self.failure(format!("no element {css:?} appeared: {e}"))
                        .await
                }
            }
        }

        /// Scrolls the page's `css` to the middle of the screen (clear of the sticky header and
        /// the chat) and clicks it.
        pub async fn click_in_page(&self, css: &str) {
            let element = self.find(css).await;
            self.js(
                "document.querySelector(arguments[0]).scrollIntoView({ block: 'center' });",
                vec![json!(css)],
            )
            .await;
            if let Err(e) = element.click().await {
                self.failure(format!("clicking {css:?}: {e}")).await;
            }
        }

        /// The first displayed element matching `css` inside the widget, waiting for it.
        pub async fn in_widget(&self, css: &str) -> Element {
            let start = Instant::now();
            loop {
                let root = self.widget().await;
                if let Ok(element) = root.find(Locator::Css(css)).await
                    && element.is_displayed().await.unwrap_or(false)
                {
                    return element;
                }
                if start.elapsed() > PATIENCE {
                    self.failure(format!("no visible {css:?} in the widget"))
                        .await;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }

        /// Text content of everything matching `css` inside the widget.
        pub async fn widget_texts(&self, css: &str) -> Vec<String> {
            let value = self
            .js(
                "const root = document.getElementById('nordlys-chat')?.shadowRoot;
                 return root ? [...root.querySelectorAll(arguments[0])].map(e => e.textContent) : [];",
                vec![json!(css)],
            )
            .await;
            serde_json::from_value(value).expect("a list of strings")
        }

        /// Waits until some element matching `css` in the widget has text containing `text`.
        pub async fn wait_widget_text(&self, css: &str, text: &str) {
            self.wait_js(
                &format!("{css:?} containing {text:?}"),
                "const root = document.getElementById('nordlys-chat')?.shadowRoot;
             return !!root && [...root.querySelectorAll(arguments[0])]
                 .some(e => e.textContent.includes(arguments[1]));",
                vec![json!(css), json!(text)],
            )
            .await;
        }

        /// axe-core's violations on the page (the widget's shadow root included), as
        /// "rule: nodes" lines; empty when clean.
        pub async fn axe_violations(&self) -> Vec<String> {
            let axe = std::fs::read_to_string(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/widget/node_modules/axe-core/axe.min.js"
            ))
            .expect("axe-core is installed (scripts/install-deps.sh runs npm ci in widget/)");
            self.js(&axe, vec![]).await;
            let result = self
                .client
                .execute_async(
                    "const done = arguments[arguments.length - 1];
                 // Contrast is judged as a person sees it once the panel has finished fading
                 // in: axe mid-animation reads text at partial opacity.
                 const roots = [document, ...[...document.querySelectorAll('*')]
                   .map(e => e.shadowRoot).filter(Boolean)];
                 const ending = roots.flatMap(r => r.getAnimations())
                   .filter(a => a.effect && a.effect.getComputedTiming().endTime !== Infinity);
                 Promise.all(ending.map(a => a.finished))
                   .then(() => axe.run(document, { resultTypes: ['violations'] }))
                   .then(r => done(r.violations.map(v =>
                     `${v.id}: ${v.nodes.map(n => JSON.stringify(n.target)).join(', ')}`)))
                   .catch(e => done([`axe failed: ${e}`]));",
                    vec![],
                )
                .await
                .expect("axe runs");
            serde_json::from_value(result).expect("a list of strings")
        }

        /// Presses keys on whatever has focus, as a keyboard does (WebDriver key codes for Enter,
        /// Tab, Escape: see [`Key`](fantoccini::key::Key)).
        pub async fn keys(&self, text: &str) {
            use fantoccini::actions::{InputSource, KeyAction, KeyActions};
            let mut actions = KeyActions::new("keyboard".into());
            for value in text.chars() {
                actions = actions
                    .then(KeyAction::Down { value })
                    .then(KeyAction::Up { value });
            }
            self.client
                .perform_actions(actions)
                .await
                .expect("the keys are pressed");
        }

        /// Shift+Tab, as a chord.
        pub async fn shift_tab(&self) {
            use fantoccini::actions::{InputSource, KeyAction, KeyActions};
            let (shift, tab) = ('\u{E008}', '\u{E004}');
            let actions = KeyActions::new("keyboard".into())
                .then(KeyAction::Down { value: shift })
                .then(KeyAction::Down { value: tab })
                .then(KeyAction::Up { value: tab })
                .then(KeyAction::Up { value: shift });
            self.client
                .perform_actions(actions)
                .await
                .expect("Shift+Tab is pressed");
        }

        /// The id of what has focus inside the widget ("" for nothing there).
        pub async fn widget_focus(&self) -> String {
            let value = self
                .js(
                    "const root = document.getElementById('nordlys-chat')?.shadowRoot;
                 const active = root?.activeElement;
                 return active ? (active.id || active.className) : '';",
                    vec![],
                )
                .await;
            value.as_str().unwrap_or_default().to_owned()
        }

        pub async fn close(self) {
            let _ = self.client.clone().close().await;
            // Drop ends the driver and anything left of its group.
        }
    }

    impl Drop for Browser {
        fn drop(&mut self) {
            // The driver's group: chromedriver and the Chromium it started (this test's own).
            #[cfg(unix)]
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", self.driver.id())])
                .stderr(Stdio::null())
                .status();
            let _ = self.driver.kill();
            let _ = self.driver.wait();
        }
    }

    async fn wait_for_port(port: u16) {
        let start = Instant::now();
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            assert!(
                start.elapsed() < PATIENCE,
                "chromedriver did not listen on {port}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
