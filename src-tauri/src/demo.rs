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

/// The demo shop's port, kept between runs so its address (and so the client's account and
/// mirror) stay the same; another free port when something else has it.
const DEMO_PORT: u16 = 8444;

/// Deletes the demo shop's data, so the next start seeds a new shop; the app's folder (its
/// settings, drafts and mirror, which syncs the new shop afresh by its history id) stays.
pub fn reset_shop(dir: &Path) -> Result<(), String> {
    let shop = dir.join("shop");
    match std::fs::remove_dir_all(&shop) {
        Ok(()) => {
            println!("Started the demo shop over (deleted {})", shop.display());
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("can't delete {}: {e}", shop.display())),
    }
}

/// Starts the demo shop (its data kept in `dir/shop` between runs) and signs in to it, keeping
/// the client's folder (`dir/client`: mirror, settings, drafts) from run to run. The shop runs
/// until the app ends. `open_storefront` opens its storefront in the system's browser.
pub async fn start(dir: &Path, open_storefront: bool) -> Result<(DataDir, Account), String> {
    let config = |port: u16| {
        let mut config = shop_server::Config::new(dir.join("shop"));
        config.demo = true;
        config.simulate_per_minute = SIMULATE_PER_MINUTE;
        config.listen = std::net::SocketAddr::from(([127, 0, 0, 1], port));
        config
    };
    let running = match shop_server::start(config(DEMO_PORT)).await {
        Ok(running) => running,
        Err(e) => {
            tracing::info!("port {DEMO_PORT} is taken ({e}); the demo shop takes another");
            shop_server::start(config(0))
                .await
                .map_err(|e| format!("the demo shop didn't start: {e}"))?
        }
    };
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

    // Signed in again each run (a fresh token); the mirror carries on from where it was.
    let data = DataDir {
        path: dir.join("client"),
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
    let staff = &signed_in.account.staff;
    println!(
        "Demo shop: {url}/store (its storefront, with the customers' chat)\n\
         Signed in as {name} <{email}>\n\
         Demo data: {dir} (delete it to start the shop over)",
        url = announcement.url,
        name = staff.name,
        email = staff.email,
        dir = dir.display(),
    );
    if open_storefront {
        let store = format!("{}/store", announcement.url);
        match tauri_plugin_opener::open_url(&store, None::<&str>) {
            Ok(()) => println!(
                "Opened the storefront in your browser; it warns about the certificate until \
                 you trust {ca}",
                ca = dir.join("shop/tls/ca.pem").display()
            ),
            Err(e) => println!("Couldn't open the storefront ({e}); open {store} yourself"),
        }
    }
    Ok((data, signed_in.account))
}
