//! `--simulate N`: demo customers keep chatting, so a person watching the inbox sees it live.
//!
//! It goes through the same mutations as real customers (messages, cart changes, coming and
//! going), so staff clients can't tell a simulated customer from a real one.

use std::time::Duration;

use inbox_protocol::{CartAction, CartChange, Platform, StartChat};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::AppState;
use crate::error::Result;
use crate::storage::{mutations, records};

const LINES: &[&str] = &[
    "Hi! Do you ship to Norway, and what does it cost?",
    "Hej! Hur lång tid tar leveransen till Göteborg?",
    "Is the linen shirt true to size? I'm usually a medium.",
    "Finns den här i storlek 38?",
    "My order hasn't arrived yet, can you check where it is?",
    "Var är min beställning? Jag beställde för en vecka sedan.",
    "Can I still change the address on my order?",
    "Kan jag ändra min order innan den skickas?",
    "I'd like to return a sweater that doesn't fit, how do I do that?",
    "Jag vill returnera en kudde som var trasig när den kom.",
    "Do you have any discount codes right now?",
    "Har ni någon rabattkod för studenter?",
    "What are your opening hours in the Stockholm shop?",
    "Vilka öppettider har butiken på lördagar?",
    "We run a small café and would like to buy mugs wholesale.",
    "Säljer ni i grossistledet till återförsäljare?",
    "Thanks so much!",
    "Tack för hjälpen!",
    "Are you there?",
    "hello?",
];

/// Runs until aborted: about `per_minute` customer messages a minute, spread at random.
pub async fn run(state: AppState, per_minute: u32) {
    let mut rng = StdRng::from_os_rng();
    let pause = Duration::from_secs_f64(60.0 / f64::from(per_minute.max(1)));
    loop {
        let jitter: f64 = rng.random_range(0.5..1.5);
        tokio::time::sleep(pause.mul_f64(jitter)).await;
        let seed: u64 = rng.random();
        if let Err(error) = step(&state, seed).await {
            tracing::warn!(%error, "simulated customer failed");
        }
    }
}

async fn step(state: &AppState, seed: u64) -> Result<()> {
    let classifier = state.classifier.clone();
    state
        .db
        .write(move |tx| {
            let mut rng = StdRng::seed_from_u64(seed);
            let now = crate::clock::now_ms();
            let customer = records::random_customer(tx)?;
            let Some((name, email)) = customer else {
                return Ok(());
            };
            let platform = match rng.random_range(0..10) {
                0 => Platform::Instagram,
                1 => Platform::Messenger,
                2 => Platform::ShopApp,
                _ => Platform::OnlineStore,
            };
            let (customer_id, conversation_id) = mutations::start_chat(
                tx,
                &StartChat {
                    name,
                    email,
                    platform,
                },
                mutations::Resume::OpenConversation,
                now,
            )?;
            if platform == Platform::OnlineStore {
                // Most storefront customers are still on the page when they write.
                mutations::set_online(tx, conversation_id, rng.random_bool(0.7))?;
                if rng.random_bool(0.25) {
                    let variant = records::random_variant_in_stock(tx)?;
                    if let Some(variant_id) = variant {
                        let change = CartChange {
                            variant_id,
                            action: CartAction::Added,
                            quantity: Some(1),
                        };
                        // Stock can run out under the simulation; that is not a failure.
                        let _ =
                            mutations::change_cart(tx, customer_id, conversation_id, &change, now);
                    }
                }
            }
            let line = LINES[rng.random_range(0..LINES.len())];
            mutations::customer_message(tx, classifier.as_ref(), conversation_id, line, now)?;
            Ok(())
        })
        .await
}
