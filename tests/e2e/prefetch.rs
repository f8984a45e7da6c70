//! Offline history is whole: an image sent into a conversation this app never opened is
//! fetched in the background after the sync that brought it, and shows with the shop stopped.

use std::path::Path;
use std::time::{Duration, Instant};

use super::harness::PATIENCE;
use super::shop::{Shop, sample_png};
use super::{open_conversation, row, signed_in_app, wait_script, wait_state, whole_test};

/// Whether a file with this name is anywhere under `dir`.
fn holds(dir: &Path, name: &str) -> bool {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .any(|entry| {
            let path = entry.path();
            if path.is_dir() {
                holds(&path, name)
            } else {
                path.file_name().is_some_and(|n| n == name)
            }
        })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_conversation_never_opened_shows_its_images_with_the_shop_stopped() {
    whole_test(a_conversation_never_opened_shows_its_images_with_the_shop_stopped_steps()).await;
}

async fn a_conversation_never_opened_shows_its_images_with_the_shop_stopped_steps() {
    let mut shop = Shop::start().await;
    let data = tempfile::tempdir().unwrap();
    let mut app = signed_in_app("prefetch", &shop, data.path()).await;
    let chat = shop
        .customer("Alva Ström", "alva@example.se", "Hur ser den gröna ut?")
        .await;
    let id = chat.conversation_id;
    app.find(&row(id)).await;
    let sent = shop.colleague_sends_image(id, sample_png()).await;

    // Nobody opens the conversation; the image reaches the cache by itself.
    let start = Instant::now();
    while !holds(data.path(), &sent.sha256) {
        assert!(start.elapsed() < PATIENCE, "the image was never prefetched");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    shop.stop().await;
    wait_state(&app, "offline").await;
    open_conversation(&app, id).await;
    app.find("[data-testid=attachment-image]").await;
    assert!(
        wait_script(
            &app,
            "const img = document.querySelector('[data-testid=attachment-image]'); \
             return !!img && img.complete && img.naturalWidth === 320;"
        )
        .await,
        "the image shows offline"
    );
    app.screenshot("image-offline").await;
    app.close().await;
}
