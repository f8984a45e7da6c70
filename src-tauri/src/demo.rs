//! `--demo`: the demo shop runs inside the app on a loopback port, with simulated customers,
//! and the app signs in to it as a demo staff member. Nothing leaves the machine.

use std::path::Path;
use std::time::Duration;

use inbox_core::Account;
use inbox_core::session::{self, DataDir};

/// Simulated customer messages a minute.
const SIMULATE_PER_MINUTE: u32 = 6;
/// Who the demo signs in as: the owner, who may chat.
const DEMO_EMAIL: &str = "astrid@nordlys.example";

/// Starts the demo shop (its data kept in `dir/shop` between runs) and signs in to it with a
/// fresh mirror in `dir/client`. The shop runs until the app ends.
pub async fn start(dir: &Path) -> Result<(DataDir, Account), String> {
    let mut config = shop_server::Config::new(dir.join("shop"));
    config.demo = true;
    config.simulate_per_minute = SIMULATE_PER_MINUTE;
    let running = shop_server::start(config)
        .await
        .map_err(|e| format!("the demo shop didn't start: {e}"))?;
    let announcement = running.announcement.clone();
    let password = announcement
        .demo_staff
        .iter()
        .flatten()
        .find(|s| s.email == DEMO_EMAIL)
        .map(|s| s.password.clone())
        .ok_or("the demo shop has no demo staff")?;
    // The shop lives as long as the app: nothing stops it before exit.
    std::mem::forget(running);

    // A new port each run makes a new shop address, so the client starts over each time.
    let client = dir.join("client");
    let _ = std::fs::remove_dir_all(&client);
    let data = DataDir {
        path: client.clone(),
    };
    let signed_in = tokio::time::timeout(
        Duration::from_secs(30),
        session::sign_in(
            &data,
            &announcement.url,
            announcement.ca.clone(),
            DEMO_EMAIL,
            &password,
        ),
    )
    .await
    .map_err(|_| "the demo shop didn't answer".to_owned())?
    .map_err(|e| format!("can't sign in to the demo shop: {e}"))?;
    Ok((data, signed_in.account))
}
