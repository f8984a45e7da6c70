//! A customer pays at the storefront's checkout while a staff member has their conversation
//! open: the profile panel shows the new order as the last order and the thread says it was
//! placed, live, without a reload.

use super::shop::Shop;
use super::{open_conversation, row, signed_in_app, whole_test};

#[tokio::test(flavor = "multi_thread")]
async fn an_order_placed_at_checkout_shows_in_the_open_profile() {
    whole_test(an_order_placed_at_checkout_shows_in_the_open_profile_steps()).await;
}

async fn an_order_placed_at_checkout_shows_in_the_open_profile_steps() {
    let mut shop = Shop::start().await;
    let data = tempfile::tempdir().unwrap();
    let mut app = signed_in_app("checkout", &shop, data.path()).await;
    let chat = shop
        .customer("Greta Sjö", "greta@example.se", "Jag beställer nu!")
        .await;
    let id = chat.conversation_id;
    app.find(&row(id)).await;
    open_conversation(&app, id).await;
    app.find("[data-testid=profile-panel]").await;
    assert!(
        app.find_all("[data-testid=profile-orders]")
            .await
            .is_empty(),
        "a new customer has no orders yet"
    );

    let order = shop.customer_orders(&chat).await;
    let last = app
        .wait_text(
            "[data-testid=profile-orders]",
            "the new order in the profile",
            |t| t.contains(&order.name),
        )
        .await;
    assert!(last.contains("Paid") || last.contains("Betald"), "{last}");
    app.wait_text("[data-testid=order-event]", "the order event", |t| {
        t.contains(&order.name)
    })
    .await;
    app.screenshot("order-in-profile").await;
    app.close().await;
    shop.stop().await;
}
