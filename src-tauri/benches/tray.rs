//! Benchmark: the app staff leave running all day, its window closed to the tray while
//! customers keep writing, beside the empty Tauri app (`examples/empty_app`) idling on the same
//! display for the same minutes.
//!
//! Starts the real shop server in-process on 127.0.0.1 over TLS with its own CA (the demo shop,
//! as the end-to-end tests do), signs a staff member in through the shop's API and leaves the
//! account and its token in a data dir (`INBOX_TOKEN_STORE=file`), so the release app starts
//! signed in, as it does after a restart. Both apps run on one Xvfb display with a private
//! D-Bus session bus whose notification server records every notification (the app notifies
//! while hidden; nothing is ever shown). After `WARMUP_S` (default 15) seconds for the first sync
//! and paint, the app's window is closed as a window manager's close button does, so it lives in
//! the tray; a first customer message is waited for as a notification, so the app is known to be
//! live. Then, for `MINUTES` (default 10) minutes, customers post a message every `INTERVAL_MS`
//! (default 1,000) ms, a new customer starting a chat every `PER_CUSTOMER` (default 20)
//! messages. The PSS (`/proc/PID/smaps_rollup`) of each app and every process under it (the
//! WebKit web and network processes) is read at the start of the hidden period, once a minute,
//! and at the end, 10 s after the last message; the growth is end against start (the baseline:
//! the start figure of the same run). USS and RSS come along; USS doesn't depend on what else
//! maps the same libraries. At the end the app is stopped and its mirror is asked how many of
//! the messages it holds.
//!
//! `cargo bench -p inbox-desktop --bench tray --features custom-protocol` (`make bench-tray`).
//! Needs Xvfb and dbus-daemon. Progress goes to stderr; the figures are one JSON line on stdout.

#[path = "../../crates/inbox-core/benches/common/mod.rs"]
mod common;
mod processes;
#[path = "../../tests/e2e/shop.rs"]
#[allow(dead_code)]
mod shop;
#[path = "../../tests/e2e/x11.rs"]
#[allow(dead_code)]
mod x11;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};
use inbox_core::session::DataDir;
use inbox_core::store::Store;
use inbox_core::{Account, ApiClient, ShopAddress};
use notify_recorder::Recorder;
use processes::{Memory, Xvfb, build_binaries, load_average, memory_of_tree};
use serde_json::json;
use shop::Shop;
use x11::Screen;

/// PSS of a process tree, all its processes together.
trait Total {
    fn pss_total(&self) -> f64;
}

impl Total for Memory {
    fn pss_total(&self) -> f64 {
        self.pss_mb.values().sum()
    }
}

/// Issue 15's aim: PSS grows by at most 5 % over the hidden period.
const AIM_GROWTH_PCT: f64 = 5.0;
/// What every message the customers post here says, to count them in the mirror.
const MARK: &str = "tray-bench";
const PATIENCE: Duration = Duration::from_secs(60);

fn main() -> Result<()> {
    let minutes = common::env_count("MINUTES", 10)?;
    let interval = Duration::from_millis(common::env_count("INTERVAL_MS", 1_000)? as u64);
    let per_customer = common::env_count("PER_CUSTOMER", 20)?.max(1);
    let warmup = Duration::from_secs(common::env_count("WARMUP_S", 15)? as u64);
    let load_before = load_average();
    eprintln!(
        "tray benchmark: {minutes} min hidden, a customer message every {} ms, load {load_before}",
        interval.as_millis()
    );
    let (inbox_bin, empty_bin) = build_binaries()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(run(
        Plan {
            minutes,
            interval,
            per_customer,
            warmup,
            load_before,
        },
        &inbox_bin,
        &empty_bin,
    ))
}

struct Plan {
    minutes: usize,
    interval: Duration,
    per_customer: usize,
    warmup: Duration,
    load_before: String,
}

/// One reading of both apps.
struct Sample {
    minute: f64,
    inbox: Memory,
    empty: Memory,
}

async fn run(plan: Plan, inbox_bin: &Path, empty_bin: &Path) -> Result<()> {
    let temp = tempfile::tempdir()?;
    let xvfb = Xvfb::start().map_err(anyhow::Error::msg)?;
    let recorder = Recorder::start()
        .await
        .context("a private D-Bus with the recording notification server (apt install dbus)")?;
    let shop = Shop::start().await;

    // Signed in as the app would be after a restart: the account and its token in the data dir.
    let data_dir = temp.path().join("data");
    let account = sign_in(&shop, &data_dir).await?;

    let mut inbox = Running::spawn(
        inbox_bin,
        &["--data-dir".into(), data_dir.display().to_string()],
        &xvfb.display,
        recorder.address(),
        &temp.path().join("home-inbox"),
    )?;
    let mut empty = Running::spawn(
        empty_bin,
        &[],
        &xvfb.display,
        recorder.address(),
        &temp.path().join("home-empty"),
    )?;

    let screen = Screen::open(&xvfb.display);
    let window = screen.window(inbox.pid());
    screen.wait_shown(window, true).await;
    eprintln!(
        "both apps are up; {} s for the first sync and paint",
        plan.warmup.as_secs()
    );
    tokio::time::sleep(plan.warmup).await;

    // Closed as a window manager closes it: the app goes on in the tray.
    screen.close(window);
    screen.wait_shown(window, false).await;
    recorder
        .wait_for(PATIENCE, |call| {
            call.hints.get("x-inbox-kind").map(String::as_str) == Some("still_running")
        })
        .await
        .context("the close did not say the app keeps running in the tray")?;
    ensure!(
        x11::is_running(inbox.pid()),
        "closing the window ended the app"
    );

    // The app is live: a customer's first message comes as a notification.
    let mut chats = Vec::new();
    let first = format!("{MARK} 0: Hej! Finns koppen i blått?");
    chats.push(shop.customer("Kund 0", "kund0@example.se", &first).await);
    recorder
        .wait_for(PATIENCE, |call| call.body.contains(&first))
        .await
        .context("no notification for a customer's message while hidden")?;
    let notified_before = recorder.calls().len();
    tokio::time::sleep(Duration::from_secs(5)).await;

    let started = Instant::now();
    let mut samples = vec![Sample {
        minute: 0.0,
        inbox: memory_of_tree(inbox.pid())?,
        empty: memory_of_tree(empty.pid())?,
    }];
    report(&samples[0]);

    let mut sent = 1;
    let mut next_sample = Duration::from_secs(60);
    let hidden_for = Duration::from_secs(60 * plan.minutes as u64);
    let mut ticks = tokio::time::interval(plan.interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticks.tick().await;
    while started.elapsed() < hidden_for {
        ticks.tick().await;
        let text = format!("{MARK} {sent}: Hur lång är leveranstiden till Umeå? ({sent})");
        if sent % plan.per_customer == 0 {
            let n = chats.len();
            chats.push(
                shop.customer(&format!("Kund {n}"), &format!("kund{n}@example.se"), &text)
                    .await,
            );
        } else {
            // The customers take turns, each chat getting a message now and then.
            shop.say(&chats[sent % chats.len()], &text).await;
        }
        sent += 1;
        if started.elapsed() >= next_sample {
            next_sample += Duration::from_secs(60);
            samples.push(Sample {
                minute: started.elapsed().as_secs_f64() / 60.0,
                inbox: memory_of_tree(inbox.pid())?,
                empty: memory_of_tree(empty.pid())?,
            });
            report(samples.last().expect("a sample"));
        }
    }
    // The last messages land, then the end figure.
    tokio::time::sleep(Duration::from_secs(10)).await;
    ensure!(x11::is_running(inbox.pid()), "the app ended while hidden");
    ensure!(!screen.is_shown(window), "the window came back by itself");
    samples.push(Sample {
        minute: started.elapsed().as_secs_f64() / 60.0,
        inbox: memory_of_tree(inbox.pid())?,
        empty: memory_of_tree(empty.pid())?,
    });
    report(samples.last().expect("a sample"));
    let notified = recorder.calls().len() - notified_before;

    inbox.stop();
    empty.stop();
    drop(xvfb);
    let in_mirror = messages_in_mirror(&account, &data_dir).await?;
    let load_after = load_average();

    let start = &samples[0];
    let end = samples.last().expect("an end sample");
    let growth = |a: f64, b: f64| (b / a - 1.0) * 100.0;
    let inbox_growth = growth(start.inbox.pss_total(), end.inbox.pss_total());
    let empty_growth = growth(start.empty.pss_total(), end.empty.pss_total());
    eprintln!();
    eprintln!(
        "{} min hidden, {sent} messages in {} chats ({in_mirror} in the mirror, {notified} notifications), load {} before, {load_after} after:",
        plan.minutes,
        chats.len(),
        plan.load_before
    );
    eprintln!(
        "  inbox (hidden, live): PSS {:.1} → {:.1} MB ({inbox_growth:+.1} %, aim ≤ {AIM_GROWTH_PCT} %), USS {:.1} → {:.1} MB ({:+.1} %)",
        start.inbox.pss_total(),
        end.inbox.pss_total(),
        start.inbox.uss_mb,
        end.inbox.uss_mb,
        growth(start.inbox.uss_mb, end.inbox.uss_mb),
    );
    eprintln!(
        "  empty (idle, shown):  PSS {:.1} → {:.1} MB ({empty_growth:+.1} %), USS {:.1} → {:.1} MB ({:+.1} %)",
        start.empty.pss_total(),
        end.empty.pss_total(),
        start.empty.uss_mb,
        end.empty.uss_mb,
        growth(start.empty.uss_mb, end.empty.uss_mb),
    );

    let app_json = |pick: fn(&Sample) -> &Memory| {
        let (a, b) = (pick(start), pick(end));
        json!({
            "start": memory_json(a),
            "end": memory_json(b),
            "pss_growth_pct": common::round(growth(a.pss_total(), b.pss_total()), 1),
            "uss_growth_pct": common::round(growth(a.uss_mb, b.uss_mb), 1),
            "rss_growth_pct": common::round(growth(a.rss_mb, b.rss_mb), 1),
            "pss_mb_by_minute": samples.iter().map(|s| common::round(pick(s).pss_total(), 1)).collect::<Vec<_>>(),
            "uss_mb_by_minute": samples.iter().map(|s| common::round(pick(s).uss_mb, 1)).collect::<Vec<_>>(),
        })
    };
    let line = json!({
        "bench": "tray",
        "profile": processes::profile(),
        "minutes": plan.minutes,
        "interval_ms": plan.interval.as_millis() as u64,
        "per_customer": plan.per_customer,
        "warmup_s": plan.warmup.as_secs(),
        "sample_minutes": samples.iter().map(|s| common::round(s.minute, 2)).collect::<Vec<_>>(),
        "messages_sent": sent,
        "chats": chats.len(),
        "messages_in_mirror": in_mirror,
        "notifications_while_hidden": notified,
        "load_average": {"before": plan.load_before, "after": load_after},
        "inbox_hidden": app_json(|s| &s.inbox),
        "empty_idle": app_json(|s| &s.empty),
        "aim": {"pss_growth_pct": AIM_GROWTH_PCT},
        "meets_aim": inbox_growth <= AIM_GROWTH_PCT,
    });
    println!("{line}");
    Ok(())
}

fn report(sample: &Sample) {
    eprintln!(
        "  {:>5.1} min: inbox PSS {:>6.1} MB {:?}, USS {:>6.1} MB; empty PSS {:>6.1} MB, USS {:>6.1} MB",
        sample.minute,
        sample.inbox.pss_total(),
        sample.inbox.pss_mb,
        sample.inbox.uss_mb,
        sample.empty.pss_total(),
        sample.empty.uss_mb,
    );
}

fn memory_json(memory: &Memory) -> serde_json::Value {
    let by_process: BTreeMap<&str, f64> = memory
        .pss_mb
        .iter()
        .map(|(name, mb)| (name.as_str(), common::round(*mb, 1)))
        .collect();
    json!({
        "pss_mb": common::round(memory.pss_total(), 1),
        "uss_mb": common::round(memory.uss_mb, 1),
        "rss_mb": common::round(memory.rss_mb, 1),
        "pss_mb_by_process": by_process,
    })
}

/// Signs Astrid in through the shop's API and leaves what the app reads at start: the account
/// (trusting the shop's CA) and the token in the data dir's token file.
async fn sign_in(shop: &Shop, data_dir: &Path) -> Result<Account> {
    let who = shop.staff("astrid@nordlys.example");
    let address = ShopAddress {
        url: shop.url().to_owned(),
        ca_pem: Some(std::fs::read(shop.ca())?),
    };
    let session = ApiClient::new(&address)?
        .sign_in(&who.email, &who.password)
        .await?;
    let account = Account {
        shop_url: shop.url().trim_end_matches('/').to_owned(),
        ca_path: Some(shop.ca().to_owned()),
        staff: session.staff,
    };
    let data = DataDir::new(Some(data_dir.to_owned()))?;
    data.save_account(&account)?;
    std::fs::write(data_dir.join("token"), &session.token)?;
    Ok(account)
}

/// How many of the customers' messages the app's mirror holds (read after the app stopped).
async fn messages_in_mirror(account: &Account, data_dir: &Path) -> Result<i64> {
    let store = Store::open(&account.dir(data_dir).join("mirror.db"))?;
    let like = format!("%{MARK}%");
    let count = store
        .read(move |c| {
            Ok(c.query_row(
                "SELECT count(*) FROM messages WHERE id > 0 AND data LIKE ?1",
                [&like],
                |r| r.get::<_, i64>(0),
            )?)
        })
        .await?;
    Ok(count)
}

/// An app started straight (no WebDriver), as a person starts it.
struct Running {
    child: Child,
}

impl Running {
    fn spawn(
        binary: &Path,
        args: &[String],
        display: &str,
        bus: &str,
        home: &Path,
    ) -> Result<Running> {
        std::fs::create_dir_all(home)?;
        let log = std::fs::File::create(home.join("stderr.log"))?;
        let child = Command::new(binary)
            .args(args)
            .env("DISPLAY", display)
            // As in the end-to-end tests: software rendering, Xvfb has no GPU.
            .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
            .env("LIBGL_ALWAYS_SOFTWARE", "1")
            .env("INBOX_TOKEN_STORE", "file")
            .env("DBUS_SESSION_BUS_ADDRESS", bus)
            // Each app's WebKit caches, settings and log in a folder of its own.
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_CACHE_HOME", home.join("cache"))
            .env("XDG_CONFIG_HOME", home.join("config"))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        Ok(Running { child })
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGTERM; what hasn't ended 10 s later is killed with everything under it.
    fn stop(&mut self) {
        if self.child.try_wait().ok().flatten().is_some() {
            return;
        }
        let _ = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .stderr(Stdio::null())
            .status();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if self.child.try_wait().ok().flatten().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        processes::wait_gone(self.pid());
        let _ = self.child.wait();
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop();
    }
}
