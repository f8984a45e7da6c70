//! End-to-end: the real app window (Xvfb, tauri-driver, WebKitWebDriver) against the real
//! shop server over TLS. Each test walks a staff member's workflow through the UI and checks
//! what the window shows and what the shop holds. Screenshots: `target/e2e-screenshots/`.
//!
//! Run with `make e2e` (the UI must be built first: `make ui`).

mod activity;
mod checkout;
mod harness;
mod layout;
mod lifecycle;
mod links;
mod metrics;
mod outbox;
mod prefetch;
mod saved;
mod shop;
mod snooze;
mod triage;
mod x11;
mod xvfb;

use std::time::Duration;

use harness::Desktop;
use inbox_protocol::*;
use serde_json::json;
use shop::Shop;

/// What a hostile customer types as their name and message: it must show as text and run
/// nothing.
const HOSTILE: &str = "<img src=x onerror=\"window.__xss=1\">";

/// A stuck window or driver fails the test instead of hanging the run.
async fn whole_test(steps: impl std::future::Future<Output = ()>) {
    if tokio::time::timeout(Duration::from_secs(600), steps)
        .await
        .is_err()
    {
        panic!("the test did not finish in 10 minutes");
    }
}

/// Starts the app on a fresh data dir and signs in through the sign-in screen.
async fn signed_in_app(name: &str, shop: &Shop, data: &std::path::Path) -> Desktop {
    let mut app = Desktop::launch(
        name,
        &["--data-dir".into(), data.display().to_string()],
        &[("INBOX_TOKEN_STORE".into(), "file".into())],
    )
    .await;
    sign_in(&mut app, shop).await;
    app
}

/// Chooses the language in Settings, as staff do (the window is wide: Settings is in the bar).
async fn set_language(app: &Desktop, lang: &str) {
    app.click("[data-testid=open-settings]").await;
    app.find("[data-testid=settings-language]")
        .await
        .select_by_value(lang)
        .await
        .unwrap();
    app.click("[data-testid=settings-close]").await;
    app.wait_gone("[data-testid=settings-panel]").await;
}

/// Signs in as Astrid with the right password at once and waits until live.
async fn sign_in_at_once(app: &Desktop, shop: &Shop) {
    let who = shop.staff("astrid@nordlys.example");
    app.fill("[data-testid=signin-shop]", shop.url()).await;
    app.fill("[data-testid=signin-ca]", &shop.ca().display().to_string())
        .await;
    app.fill("[data-testid=signin-email]", &who.email).await;
    app.fill("[data-testid=signin-password]", &who.password)
        .await;
    app.click("[data-testid=signin-submit]").await;
    wait_state(app, "live").await;
}

/// Signs in through the sign-in screen (a wrong password first, then the right one) and waits
/// for the first sync.
async fn sign_in(app: &mut Desktop, shop: &Shop) {
    let who = shop.staff("astrid@nordlys.example");
    app.fill("[data-testid=signin-shop]", shop.url()).await;
    app.fill("[data-testid=signin-ca]", &shop.ca().display().to_string())
        .await;
    app.fill("[data-testid=signin-email]", &who.email).await;
    app.fill("[data-testid=signin-password]", "not the password")
        .await;
    app.screenshot("sign-in").await;
    app.click("[data-testid=signin-submit]").await;
    let error = app
        .wait_text(
            "[data-testid=signin-error]",
            "a wrong-password error",
            |t| !t.is_empty(),
        )
        .await;
    assert!(
        error.to_lowercase().contains("password"),
        "the error names the password: {error:?}"
    );
    app.fill("[data-testid=signin-password]", &who.password)
        .await;
    app.click("[data-testid=signin-submit]").await;
    wait_state(app, "live").await;
}

async fn wait_state(app: &Desktop, state: &str) {
    wait_state_within(app, state, harness::PATIENCE).await;
}

async fn wait_state_within(app: &Desktop, state: &str, patience: Duration) {
    let start = std::time::Instant::now();
    loop {
        let current = app
            .find("[data-testid=sync-status]")
            .await
            .attr("data-state")
            .await
            .ok()
            .flatten()
            .unwrap_or_default();
        if current == state {
            return;
        }
        assert!(
            start.elapsed() < patience,
            "the sync status never became {state} (it is {current})"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn row(id: i64) -> String {
    format!("[data-testid=conversation-row][data-id=\"{id}\"]")
}

/// Opens a conversation from the list (the current tab) and waits for its view.
/// Types `query` into the search box and waits until its own results (not those of what was
/// typed before, which the list shows until the new ones come) list conversation `id`; returns
/// that hit's selector.
async fn search(app: &Desktop, query: &str, id: i64) -> String {
    app.fill("[data-testid=search-input]", query).await;
    let hit = format!(
        "[data-testid=search-results][data-query={query:?}] \
         [data-testid=search-result][data-conversation-id=\"{id}\"]"
    );
    app.find(&hit).await;
    hit
}

/// Right-clicks a conversation's row (as a mouse would: a `contextmenu` event at its middle)
/// and waits for its menu.
async fn row_menu(app: &Desktop, id: i64) {
    let element = app.find(&row(id)).await;
    app.client
        .execute(
            "const r = arguments[0].getBoundingClientRect(); \
             arguments[0].dispatchEvent(new MouseEvent('contextmenu', { bubbles: true, \
               cancelable: true, button: 2, clientX: r.left + r.width / 2, clientY: r.top + r.height / 2 })); \
             return true;",
            vec![serde_json::to_value(&element).expect("an element reference")],
        )
        .await
        .expect("the right click is sent");
    app.find("[data-testid=row-menu]").await;
}

async fn open_conversation(app: &Desktop, id: i64) {
    app.click(&row(id)).await;
    app.find(&format!("[data-testid=conversation][data-id=\"{id}\"]"))
        .await;
}

async fn staff_messages(app: &Desktop, state: &str) -> usize {
    app.find_all(&format!(
        "[data-testid=message][data-side=staff][data-state={state}]"
    ))
    .await
    .len()
}

/// Waits until the shop holds a conversation for which `check` is true.
async fn wait_on_shop(
    shop: &Shop,
    id: i64,
    what: &str,
    check: impl Fn(&ConversationDetail) -> bool,
) {
    let start = std::time::Instant::now();
    loop {
        let detail = shop.detail(id).await;
        if check(&detail) {
            return;
        }
        assert!(
            start.elapsed() < harness::PATIENCE,
            "the shop never showed {what}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_staff_member_works_through_a_conversation() {
    whole_test(a_staff_member_works_through_a_conversation_steps()).await;
}

async fn a_staff_member_works_through_a_conversation_steps() {
    let mut shop = Shop::start().await;
    let data = tempfile::tempdir().unwrap();
    let mut app = signed_in_app("workflow", &shop, data.path()).await;
    // Anything the CSP refuses from here on (an inline style, a foreign URL) is recorded.
    app.script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation', \
         e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI)); return true;",
    )
    .await;
    app.screenshot("list").await;

    // A customer with a hostile name writes in: the row appears live, as text.
    let chat = shop
        .customer(
            HOSTILE,
            "xss.tester@example.com",
            &format!("Hej! {HOSTILE}"),
        )
        .await;
    let id = chat.conversation_id;
    eprintln!("[workflow] customer wrote in conversation {id}");
    let name = app
        .wait_text(
            &format!("{} [data-testid=row-name]", row(id)),
            "the new row",
            |t| !t.is_empty(),
        )
        .await;
    assert_eq!(name, HOSTILE, "the name shows as typed");
    open_conversation(&app, id).await;
    let text = app
        .wait_text(
            "[data-testid=message][data-side=customer] [data-testid=message-text]",
            "the message",
            |t| t.contains("Hej!"),
        )
        .await;
    assert!(
        text.contains(HOSTILE),
        "the message shows as typed: {text:?}"
    );
    let ran = app
        .script("return [window.__xss === undefined, document.querySelectorAll('img[src=\"x\"]').length]")
        .await;
    assert_eq!(
        ran,
        json!([true, 0]),
        "customer text ran nothing and made no element"
    );
    app.screenshot("conversation").await;

    // Reply.
    app.fill(
        "[data-testid=composer-input]",
        "Hej! Vi kollar på det direkt.",
    )
    .await;
    app.click("[data-testid=composer-send]").await;
    app.wait_text(
        "[data-testid=message][data-side=staff][data-state=sent] [data-testid=message-text]",
        "the sent reply",
        |t| t.contains("Vi kollar på det direkt."),
    )
    .await;
    wait_on_shop(&shop, id, "the reply", |d| {
        d.messages
            .iter()
            .filter(|m| m.body.text() == Some("Hej! Vi kollar på det direkt."))
            .count()
            == 1
    })
    .await;

    // Share two products.
    app.click("[data-testid=composer-products]").await;
    app.find("[data-testid=product-picker]").await;
    app.fill("[data-testid=product-search]", "").await;
    app.wait_text("[data-testid=product-option]", "products", |t| {
        !t.is_empty()
    })
    .await;
    let options = app.find_all("[data-testid=product-option]").await;
    assert!(
        options.len() >= 4,
        "the demo shop has four or more products"
    );
    options[0].click().await.unwrap();
    options[1].click().await.unwrap();
    app.screenshot("product-picker").await;
    app.click("[data-testid=product-share]").await;
    app.wait_text(
        "[data-testid=message][data-side=staff][data-state=sent]",
        "the shared products",
        |_| true,
    )
    .await;
    wait_on_shop(&shop, id, "two shared products", |d| {
        d.messages.iter().any(
            |m| matches!(&m.body, MessageBody::Products { products, .. } if products.len() == 2),
        )
    })
    .await;

    // A fourth product cannot be added.
    app.click("[data-testid=composer-products]").await;
    app.wait_text("[data-testid=product-option]", "products", |t| {
        !t.is_empty()
    })
    .await;
    let options = app.find_all("[data-testid=product-option]").await;
    for option in &options[..3] {
        option.click().await.unwrap();
    }
    let fourth = &options[3];
    assert_eq!(
        fourth.attr("aria-disabled").await.unwrap().as_deref(),
        Some("true"),
        "a fourth product is disabled"
    );
    let _ = fourth.click().await;
    assert_eq!(
        fourth.attr("aria-selected").await.unwrap().as_deref(),
        Some("false"),
        "a fourth product stays unselected"
    );
    app.find("[data-testid=product-limit]").await;
    app.screenshot("fourth-product").await;
    app.keys("\u{e00c}").await; // Escape
    app.wait_gone("[data-testid=product-picker]").await;

    // An expired discount code: the error tells staff to update it in the shop admin.
    let expired = shop.inactive_discount().await;
    app.click("[data-testid=composer-discount]").await;
    app.fill("[data-testid=discount-search]", &expired.code)
        .await;
    app.click(&format!(
        "[data-testid=discount-option][data-code=\"{}\"]",
        expired.code
    ))
    .await;
    let error = app
        .wait_text(
            "[data-testid=discount-error]",
            "the inactive-code error",
            |t| !t.is_empty(),
        )
        .await;
    assert!(error.to_lowercase().contains("admin"), "{error:?}");
    app.screenshot("expired-discount").await;
    app.keys("\u{e00c}").await;
    app.wait_gone("[data-testid=discount-picker]").await;

    // An image, pasted.
    paste_png(&app).await;
    app.find("[data-testid=attachment-preview]").await;
    app.click("[data-testid=composer-send]").await;
    app.find(
        "[data-testid=message][data-side=staff][data-state=sent] [data-testid=attachment-image]",
    )
    .await;
    wait_on_shop(&shop, id, "the image", |d| {
        d.messages.iter().any(|m| {
            matches!(&m.body, MessageBody::Attachment { attachment, .. } if attachment.kind == MediaKind::Image)
        })
    })
    .await;
    let loaded = wait_script(
        &app,
        "const i = document.querySelector('[data-testid=message][data-state=sent] [data-testid=attachment-image]'); return !!i && i.complete && i.naturalWidth > 0;",
    )
    .await;
    assert!(loaded, "the sent image shows");
    app.screenshot("image").await;

    // Close: it moves to Closed, where search by email finds it; reopen: back in Open.
    app.click("[data-testid=action-close]").await;
    app.wait_gone(&row(id)).await;
    wait_on_shop(&shop, id, "closed", |d| {
        d.conversation.status == ConversationStatus::Closed
    })
    .await;
    app.click("[data-testid=tab-closed]").await;
    app.find(&row(id)).await;
    let hit = search(&app, "xss.tester@example.com", id).await;
    app.screenshot("search").await;
    app.click(&hit).await;
    app.find(&format!("[data-testid=conversation][data-id=\"{id}\"]"))
        .await;
    app.click("[data-testid=action-reopen]").await;
    wait_on_shop(&shop, id, "reopened", |d| {
        d.conversation.status == ConversationStatus::Open
    })
    .await;
    app.click("[data-testid=tab-open]").await;
    app.find(&row(id)).await;

    // Mark unread.
    app.click("[data-testid=action-unread]").await;
    app.wait_text(&row(id), "the unread mark", |_| true).await;
    let start = std::time::Instant::now();
    while app
        .find(&row(id))
        .await
        .attr("data-unread")
        .await
        .unwrap()
        .as_deref()
        != Some("true")
    {
        assert!(start.elapsed() < harness::PATIENCE, "never marked unread");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Assign to Jonas, then unassign.
    let jonas = shop.staff_member("jonas@nordlys.example").await;
    open_conversation(&app, id).await;
    app.click("[data-testid=action-assign]").await;
    app.fill("[data-testid=assign-search]", "Jonas").await;
    app.click(&format!(
        "[data-testid=assign-option][data-id=\"{}\"]",
        jonas.id
    ))
    .await;
    wait_on_shop(&shop, id, "assigned to Jonas", |d| {
        d.conversation.assignee_id == Some(jonas.id)
    })
    .await;
    app.wait_text(
        &format!("{} [data-testid=row-assignee]", row(id)),
        "Jonas's badge",
        |t| t.contains(jonas.name.split(' ').next().unwrap_or("Jonas")),
    )
    .await;
    app.screenshot("assigned").await;
    app.click("[data-testid=action-assign]").await;
    app.click("[data-testid=assign-unassign]").await;
    wait_on_shop(&shop, id, "unassigned", |d| {
        d.conversation.assignee_id.is_none()
    })
    .await;

    // The same from the conversation list, by the row's menu (a right click).
    row_menu(&app, id).await;
    app.screenshot("row-menu").await;
    app.click("[data-testid=row-menu-assign]").await;
    app.click(&format!(
        "[data-testid=assign-option][data-id=\"{}\"]",
        jonas.id
    ))
    .await;
    wait_on_shop(&shop, id, "assigned from the list", |d| {
        d.conversation.assignee_id == Some(jonas.id)
    })
    .await;
    row_menu(&app, id).await;
    app.click("[data-testid=row-menu-unassign]").await;
    wait_on_shop(&shop, id, "unassigned from the list", |d| {
        d.conversation.assignee_id.is_none()
    })
    .await;

    // Swedish.
    app.click("[data-testid=open-settings]").await;
    let language = app.find("[data-testid=settings-language]").await;
    language.select_by_value("sv").await.unwrap();
    app.wait_text("[data-testid=tab-open]", "Swedish labels", |t| {
        t.contains("Öppna")
    })
    .await;
    app.screenshot("settings-swedish").await;
    app.click("[data-testid=settings-close]").await;
    app.wait_text("[data-testid=tab-closed]", "Swedish labels", |t| {
        t.contains("Stängda")
    })
    .await;
    app.screenshot("list-swedish").await;
    assert_eq!(
        app.script("return window.__csp").await,
        json!([]),
        "the CSP refused nothing the app needs"
    );
    app.close().await;
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn offline_the_app_reads_everything_and_delivers_a_queued_reply_once() {
    whole_test(offline_the_app_reads_everything_and_delivers_a_queued_reply_once_steps()).await;
}

async fn offline_the_app_reads_everything_and_delivers_a_queued_reply_once_steps() {
    let mut shop = Shop::start().await;
    let data = tempfile::tempdir().unwrap();
    let chat = shop
        .customer(
            "Saga Holm",
            "saga@example.se",
            "Jag vill returnera min beställning",
        )
        .await;
    let mut app = signed_in_app("offline", &shop, data.path()).await;
    let open = shop.conversation_ids(inbox_core::Folder::Open).await;
    let closed = shop.conversation_ids(inbox_core::Folder::Closed).await;
    assert!(!open.is_empty() && !closed.is_empty());
    app.find(&row(chat.conversation_id)).await;

    shop.stop().await;
    wait_state(&app, "offline").await;
    app.screenshot("offline").await;

    // Every conversation, open and closed, opens from the mirror: walked with the keyboard.
    for (tab, ids) in [("tab-open", &open), ("tab-closed", &closed)] {
        app.click(&format!("[data-testid={tab}]")).await;
        let mut seen = std::collections::BTreeSet::new();
        app.click("[data-testid=conversation-row]").await;
        for _ in 0..ids.len() + 3 {
            let shown = app
                .find("[data-testid=conversation]")
                .await
                .attr("data-id")
                .await
                .unwrap()
                .and_then(|id| id.parse::<i64>().ok());
            seen.extend(shown);
            if seen.len() == ids.len() {
                break;
            }
            app.keys("j").await;
            app.keys("\u{e007}").await; // Enter
        }
        let expected: std::collections::BTreeSet<i64> = ids.iter().copied().collect();
        assert_eq!(seen, expected, "every {tab} conversation opened offline");
    }

    // Search works offline, by keyword with Swedish letters and by email.
    search(&app, "beställ", chat.conversation_id).await;
    let hit = search(&app, "saga@example.se", chat.conversation_id).await;
    app.click(&hit).await;
    app.find(&format!(
        "[data-testid=conversation][data-id=\"{}\"]",
        chat.conversation_id
    ))
    .await;

    // A reply queued offline shows as pending...
    let reply = "Självklart, vi skickar en returetikett!";
    app.fill("[data-testid=composer-input]", reply).await;
    app.click("[data-testid=composer-send]").await;
    app.wait_text(
        "[data-testid=message][data-side=staff][data-state=pending] [data-testid=message-text]",
        "the pending reply",
        |t| t.contains(reply),
    )
    .await;
    app.screenshot("queued-offline").await;
    assert_eq!(staff_messages(&app, "sent").await, 0);

    // ...and is delivered once when the shop is back.
    shop.restart().await;
    // Reconnecting backs off up to a minute while the shop is away.
    wait_state_within(&app, "live", Duration::from_secs(90)).await;
    app.wait_text(
        "[data-testid=message][data-side=staff][data-state=sent] [data-testid=message-text]",
        "the delivered reply",
        |t| t.contains(reply),
    )
    .await;
    wait_on_shop(&shop, chat.conversation_id, "the reply", |d| {
        d.messages.iter().any(|m| m.body.text() == Some(reply))
    })
    .await;
    // Settle: nothing is still pending, then count the shop's copies.
    app.wait_gone("[data-testid=message][data-state=pending]")
        .await;
    let detail = shop.detail(chat.conversation_id).await;
    let copies = detail
        .messages
        .iter()
        .filter(|m| m.body.text() == Some(reply))
        .count();
    assert_eq!(copies, 1, "delivered exactly once");
    app.close().await;
    shop.stop().await;
}

async fn wait_script(app: &Desktop, script: &str) -> bool {
    let start = std::time::Instant::now();
    while start.elapsed() < harness::PATIENCE {
        if app.script(script).await == json!(true) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// Pastes a PNG into the composer, as the clipboard would.
async fn paste_png(app: &Desktop) {
    paste_png_into(app, "[data-testid=composer-input]").await;
}

/// Pastes the sample PNG into the field `css` as the clipboard would.
async fn paste_png_into(app: &Desktop, css: &str) {
    let png = shop::sample_png();
    let script = "
        const bytes = Uint8Array.from(atob(arguments[0]), c => c.charCodeAt(0));
        const file = new File([bytes], 'photo.png', { type: 'image/png' });
        const data = new DataTransfer();
        data.items.add(file);
        const event = new Event('paste', { bubbles: true, cancelable: true });
        Object.defineProperty(event, 'clipboardData', { value: data });
        document.querySelector(arguments[1]).dispatchEvent(event);
        return true;";
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(png);
    app.client
        .execute(script, vec![json!(encoded), json!(css)])
        .await
        .expect("the paste runs");
}

#[tokio::test(flavor = "multi_thread")]
async fn clicking_a_notification_opens_its_conversation() {
    whole_test(clicking_a_notification_opens_its_conversation_steps()).await;
}

async fn clicking_a_notification_opens_its_conversation_steps() {
    // A private session bus with a recording notification server: the app's notifications
    // go there, and nothing on this machine can answer in its place.
    let recorder = notify_recorder::Recorder::start()
        .await
        .expect("a private bus with the recorder");
    let mut shop = Shop::start().await;
    let data = tempfile::tempdir().unwrap();
    let mut app = Desktop::launch(
        "notification",
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

    // A new customer writes: the conversation is unassigned, so Astrid hears about it.
    let chat = shop
        .customer("Elin Dahl", "elin@example.se", "Finns koppen i grönt?")
        .await;
    let id = chat.conversation_id.to_string();
    let shown = recorder
        .wait_for(harness::PATIENCE, |call| {
            call.hints
                .get("x-inbox-conversation-id")
                .map(String::as_str)
                == Some(id.as_str())
                && call.body.contains("Finns koppen i grönt?")
        })
        .await
        .expect("a notification for the customer's message");
    assert!(shown.summary.contains("Elin Dahl"), "{shown:?}");
    app.screenshot("before-click").await;

    // Clicking it (the server invokes its default action) opens that conversation.
    recorder
        .invoke(shown.id, "default")
        .await
        .expect("the click is sent");
    app.find(&format!("[data-testid=conversation][data-id=\"{id}\"]"))
        .await;
    app.screenshot("opened-from-notification").await;
    app.close().await;
    shop.stop().await;
}
