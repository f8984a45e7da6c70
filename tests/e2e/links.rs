//! Links the shop sends open in the system browser at absolute https addresses: "View product"
//! on a shared product and the profile's Manage link. The opener here is a stand-in
//! `xdg-open` first on the app's PATH that writes down what it was given; nothing else is
//! faked.

use std::os::unix::fs::PermissionsExt;

use super::harness::{Desktop, PATIENCE};
use super::shop::Shop;
use super::{open_conversation, row, sign_in_at_once, whole_test};

/// What the stand-in opener was handed so far, one call per line.
fn opened(log: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

async fn wait_opened(log: &std::path::Path, check: impl Fn(&str) -> bool) -> String {
    let start = std::time::Instant::now();
    loop {
        if let Some(url) = opened(log).into_iter().find(|u| check(u)) {
            return url;
        }
        assert!(
            start.elapsed() < PATIENCE,
            "the opener never got it; it got {:?}",
            opened(log)
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn shop_links_open_in_the_browser_at_absolute_https_addresses() {
    whole_test(shop_links_open_in_the_browser_at_absolute_https_addresses_steps()).await;
}

async fn shop_links_open_in_the_browser_at_absolute_https_addresses_steps() {
    let bin = tempfile::tempdir().unwrap();
    let log = bin.path().join("opened.txt");
    let opener = bin.path().join("xdg-open");
    std::fs::write(
        &opener,
        format!("#!/bin/sh\nprintf '%s\\n' \"$*\" >> '{}'\n", log.display()),
    )
    .unwrap();
    std::fs::set_permissions(&opener, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        bin.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );

    let mut shop = Shop::start().await;
    let data = tempfile::tempdir().unwrap();
    let app = Desktop::launch(
        "links",
        &["--data-dir".into(), data.path().display().to_string()],
        &[
            ("INBOX_TOKEN_STORE".into(), "file".into()),
            ("PATH".into(), path),
        ],
    )
    .await;
    sign_in_at_once(&app, &shop).await;

    let chat = shop
        .customer(
            "Nils Berg",
            "nils@example.se",
            "Vilken mugg passar till te?",
        )
        .await;
    let id = chat.conversation_id;
    app.find(&row(id)).await;
    open_conversation(&app, id).await;

    // Share one product, then open it as the customer would see it.
    app.click("[data-testid=composer-products]").await;
    app.find("[data-testid=product-picker]").await;
    app.fill("[data-testid=product-search]", "").await;
    app.wait_text("[data-testid=product-option]", "products", |t| {
        !t.is_empty()
    })
    .await;
    app.click("[data-testid=product-option]").await;
    app.click("[data-testid=product-share]").await;
    app.click("[data-testid=product-card] [data-testid=product-view]")
        .await;
    let product_prefix = format!("{}/store/products/", shop.url());
    let url = wait_opened(&log, |u| u.starts_with(&product_prefix)).await;
    assert!(url.starts_with("https://"), "{url}");
    assert!(
        url.len() > product_prefix.len(),
        "a product's own page: {url}"
    );

    // The profile's Manage link: the customer's page at the shop.
    app.click("[data-testid=profile-manage]").await;
    let customer_prefix = format!("{}/admin/customers/", shop.url());
    wait_opened(&log, |u| u.starts_with(&customer_prefix)).await;
    assert!(
        opened(&log).iter().all(|u| u.starts_with("https://")),
        "only absolute https addresses reach the opener: {:?}",
        opened(&log)
    );
    assert!(
        app.find_all("[data-testid=error-toast]").await.is_empty(),
        "no error shown"
    );

    // Nothing navigates the window away from the app or opens a window of its own, whatever
    // the webview is asked (a middle click or a context menu's "open in new window" ask it the
    // same): the page stays, and its conversation with it.
    let away = format!("{}/store", shop.url());
    let popup = app
        .script(&format!(
            "const w = window.open({away:?}); return w === null ? 'none' : 'opened';"
        ))
        .await;
    assert_eq!(popup, serde_json::json!("none"), "no window of its own");
    app.script(&format!("window.location.href = {away:?}; return null;"))
        .await;
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let still = app
        .script("return [location.protocol, location.host].join('//');")
        .await;
    assert!(
        matches!(
            still.as_str(),
            Some("tauri://localhost" | "http://tauri.localhost")
        ),
        "the app's own page: {still}"
    );
    app.find(&row(id)).await;
    app.close().await;
    shop.stop().await;
}
