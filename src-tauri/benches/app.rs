//! Benchmark: the desktop app's memory, cold start and size, beside an empty Tauri 2 app
//! (`examples/empty_app`) measured in the same run on the same display.
//!
//! Builds both apps as shipped (`--features custom-protocol`, the `dist` profile;
//! `APP_PROFILE=release` measures the release profile's binaries instead), writes a mirror of
//! `MESSAGES` (default 1,000,000) messages in 100,000 conversations, the same generated shop as
//! inbox-core's benchmarks, through `store::apply_all` into a data dir whose `account.json` names
//! it and whose sync position says caught up; with no token the app opens it offline. Then, on
//! one Xvfb display, launches each app `RUNS` times (default 5, after one warm-up launch each
//! that isn't counted; the two apps take turns) through tauri-driver and WebKitWebDriver, as
//! the end-to-end tests do, and records:
//!
//! - cold start: from the WebDriver session request (which starts the app process) until the
//!   first conversation row (`[data-testid=conversation-row]`) is in the page, for the empty
//!   app until its one element is. Checked every 20 ms with a script that also reads the
//!   page's own clock, so the time after the page began loading is reported too. "Cold" means
//!   a new process; the files are in the OS cache after the warm-up.
//! - memory: `SETTLE_MS` (default 2,000) ms after that, the PSS (`/proc/PID/smaps_rollup`) of
//!   the app process and every process under it (WebKitWebProcess, WebKitNetworkProcess). PSS
//!   shares a library's pages among every process mapping it, so other WebKit apps running on
//!   the machine lower it; the private memory (USS) and RSS, which they don't, come along.
//! - the binaries' size, as built and stripped (`dist` strips its own; release keeps line
//!   tables).
//!
//! `cargo bench -p inbox-desktop --bench app --features custom-protocol` (the feature lets the
//! bench share the binaries' compiled dependencies; `make bench-app` builds the UI first).
//! `MIRROR_DIR=/some/dir` keeps the data dir there and reuses it. Needs Xvfb, WebKitWebDriver
//! and tauri-driver (see `make deps`). Progress and a table go to stderr; the figures are one
//! JSON line on stdout.

#[path = "../../crates/inbox-core/benches/common/mod.rs"]
mod common;
mod processes;

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use common::ShopPlan;
use fantoccini::{Client, ClientBuilder};
use inbox_core::Account;
use inbox_core::session::DataDir;
use inbox_core::store::{self, Store};
use inbox_protocol::*;
use processes::{Xvfb, build_binaries, load_average, memory_of_tree, tree, wait_gone};
use serde_json::json;

/// Entities per write transaction while building the mirror, as in inbox-core's benchmarks.
const CHUNK: usize = 50_000;
/// The mirror's shop history and staff member; `account.json` says the same.
const HISTORY_ID: &str = "app-bench-history";
const STAFF_ID: i64 = 1;
/// How long one launch may take to show its first element before the run fails (a ceiling
/// for a loaded machine, not a figure).
const PATIENCE: Duration = Duration::from_secs(60);
const POLL: Duration = Duration::from_millis(20);
/// The aims of issue 4: at most 1.5× the empty app.
const AIM_RATIO: f64 = 1.5;

/// One of the two apps under measurement.
struct App {
    name: &'static str,
    binary: PathBuf,
    args: Vec<String>,
    /// What must be in the page for its first paint to count.
    ready: &'static str,
}

/// One launch's figures.
#[derive(Debug, Clone, Default)]
struct Launch {
    /// Session request to the first element present.
    first_paint_ms: f64,
    /// Session request to the WebDriver session being up (process started, webview attached).
    session_ms: f64,
    /// The page's own clock (`performance.now()`, from its navigation start) when the element
    /// was found.
    in_page_ms: f64,
    /// The page's clock when its HTML and scripts had loaded (`DOMContentLoaded` ended).
    dom_loaded_ms: f64,
    /// PSS in MB by process name (the app, its WebKit children).
    pss_mb: BTreeMap<String, f64>,
    /// The same processes' private memory (USS) and RSS in MB, summed.
    uss_mb: f64,
    rss_mb: f64,
    /// How many elements matched at the first paint and when the memory was measured.
    elements: u64,
    elements_settled: u64,
}

impl Launch {
    fn pss_total(&self) -> f64 {
        self.pss_mb.values().sum()
    }
}

fn main() -> Result<()> {
    let runs = common::env_count("RUNS", 5)?;
    let messages = common::env_count("MESSAGES", 1_000_000)?;
    let settle = Duration::from_millis(common::env_count("SETTLE_MS", 2_000)? as u64);
    let load_before = load_average();
    eprintln!(
        "desktop app benchmark: {runs} launches of each app, {messages} messages, load {load_before}"
    );

    let (inbox_bin, empty_bin) = build_binaries()?;

    let temp = tempfile::tempdir()?;
    let data_dir = match std::env::var_os("MIRROR_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => temp.path().join("data"),
    };
    let mirror = write_mirror(&data_dir, messages)?;
    let mirror_mb = std::fs::metadata(&mirror)?.len() as f64 / 1e6;

    let apps = [
        App {
            name: "empty",
            binary: empty_bin,
            args: Vec::new(),
            ready: "#empty-app",
        },
        App {
            name: "inbox",
            binary: inbox_bin,
            args: vec!["--data-dir".into(), data_dir.display().to_string()],
            ready: "[data-testid=conversation-row]",
        },
    ];

    let xvfb = Xvfb::start().map_err(anyhow::Error::msg)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let mut results: Vec<Vec<Launch>> = vec![Vec::new(), Vec::new()];
    // Round 0 warms the OS file cache and WebKit's on-disk caches for both; it isn't counted.
    for round in 0..=runs {
        // The apps take turns going first, so neither always meets the other's leftovers.
        let order: [usize; 2] = if round % 2 == 0 { [0, 1] } else { [1, 0] };
        for i in order {
            let app = &apps[i];
            let home = temp.path().join(format!("home-{}", app.name));
            let launch = runtime
                .block_on(launch(app, &xvfb.display, &home, settle))
                .with_context(|| format!("launching the {} app", app.name))?;
            eprintln!(
                "  {} {:>5}: first paint {:>6.0} ms (session {:>5.0} ms, in page {:>5.0} ms), PSS {:>5.1} MB {:?}, USS {:>5.1} MB, {} element(s), {} when measured",
                if round == 0 {
                    "warm-up".to_owned()
                } else {
                    format!("run {round}  ")
                },
                app.name,
                launch.first_paint_ms,
                launch.session_ms,
                launch.in_page_ms,
                launch.pss_total(),
                launch.pss_mb,
                launch.uss_mb,
                launch.elements,
                launch.elements_settled,
            );
            if round > 0 {
                results[i].push(launch);
            }
        }
    }
    drop(xvfb);
    let load_after = load_average();

    let empty = summarise(apps[0].name, &results[0]);
    let inbox = summarise(apps[1].name, &results[1]);
    let sizes = [&apps[0].binary, &apps[1].binary]
        .map(|path| binary_sizes(path, temp.path()))
        .into_iter()
        .collect::<Result<Vec<_>>>()?;
    let start_ratio = inbox.first_paint_ms / empty.first_paint_ms;
    let pss_ratio = inbox.pss_mb / empty.pss_mb;
    let uss_ratio = inbox.uss_mb / empty.uss_mb;

    eprintln!();
    eprintln!("medians of {runs} launches each, load {load_before} before, {load_after} after:");
    eprintln!(
        "  {:<6} {:>12} {:>10} {:>10} {:>10} {:>10} {:>12} {:>12}",
        "app", "first paint", "session", "in page", "PSS", "USS", "as built", "stripped"
    );
    for (summary, (built, stripped)) in [&empty, &inbox].iter().zip(&sizes) {
        eprintln!(
            "  {:<6} {:>9.0} ms {:>7.0} ms {:>7.0} ms {:>7.1} MB {:>7.1} MB {:>9.1} MB {:>9.1} MB",
            summary.name,
            summary.first_paint_ms,
            summary.session_ms,
            summary.in_page_ms,
            summary.pss_mb,
            summary.uss_mb,
            *built as f64 / 1e6,
            *stripped as f64 / 1e6,
        );
    }
    eprintln!(
        "  inbox / empty: first paint {start_ratio:.2}×, PSS {pss_ratio:.2}× (aims ≤ {AIM_RATIO}×); USS {uss_ratio:.2}×"
    );

    let line = json!({
        "bench": "app",
        "profile": processes::profile(),
        "runs": runs,
        "settle_ms": settle.as_millis() as u64,
        "messages": messages,
        "conversations": messages.div_ceil(common::MESSAGES_PER_CONVERSATION),
        "mirror_mb": common::round(mirror_mb, 0),
        "load_average": {"before": load_before, "after": load_after},
        "empty": empty.to_json(&results[0]),
        "inbox": inbox.to_json(&results[1]),
        "binary": {"empty": size_json(&sizes[0]), "inbox": size_json(&sizes[1])},
        "ratio": {
            "first_paint": common::round(start_ratio, 2),
            "pss": common::round(pss_ratio, 2),
            "uss": common::round(uss_ratio, 2),
        },
        "aims": {"first_paint_ratio": AIM_RATIO, "pss_ratio": AIM_RATIO},
        "meets_aims": start_ratio <= AIM_RATIO && pss_ratio <= AIM_RATIO,
    });
    println!("{line}");
    Ok(())
}

fn size_json(&(built, stripped): &(u64, u64)) -> serde_json::Value {
    json!({
        "as_built_mb": common::round(built as f64 / 1e6, 2),
        "stripped_mb": common::round(stripped as f64 / 1e6, 2),
    })
}

/// Medians over one app's launches.
struct Summary {
    name: &'static str,
    first_paint_ms: f64,
    session_ms: f64,
    in_page_ms: f64,
    dom_loaded_ms: f64,
    pss_mb: f64,
    uss_mb: f64,
    rss_mb: f64,
}

impl Summary {
    fn to_json(&self, launches: &[Launch]) -> serde_json::Value {
        let mut by_process: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
        for launch in launches {
            for (name, mb) in &launch.pss_mb {
                by_process.entry(name).or_default().push(*mb);
            }
        }
        let by_process: BTreeMap<&str, f64> = by_process
            .into_iter()
            .map(|(name, values)| (name, common::round(median(values), 1)))
            .collect();
        json!({
            "first_paint_ms": common::round(self.first_paint_ms, 0),
            "session_ms": common::round(self.session_ms, 0),
            "in_page_ms": common::round(self.in_page_ms, 0),
            "dom_loaded_ms": common::round(self.dom_loaded_ms, 0),
            "pss_mb": common::round(self.pss_mb, 1),
            "uss_mb": common::round(self.uss_mb, 1),
            "rss_mb": common::round(self.rss_mb, 1),
            "pss_mb_by_process": by_process,
            "first_paint_ms_all": launches.iter().map(|l| common::round(l.first_paint_ms, 0)).collect::<Vec<_>>(),
            "pss_mb_all": launches.iter().map(|l| common::round(l.pss_total(), 1)).collect::<Vec<_>>(),
            "elements_at_first_paint": launches.iter().map(|l| l.elements).collect::<Vec<_>>(),
            "elements_when_measured": launches.iter().map(|l| l.elements_settled).collect::<Vec<_>>(),
        })
    }
}

fn summarise(name: &'static str, launches: &[Launch]) -> Summary {
    let pick = |f: fn(&Launch) -> f64| median(launches.iter().map(f).collect());
    Summary {
        name,
        first_paint_ms: pick(|l| l.first_paint_ms),
        session_ms: pick(|l| l.session_ms),
        in_page_ms: pick(|l| l.in_page_ms),
        dom_loaded_ms: pick(|l| l.dom_loaded_ms),
        pss_mb: pick(|l| l.pss_total()),
        uss_mb: pick(|l| l.uss_mb),
        rss_mb: pick(|l| l.rss_mb),
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    common::percentile(&values, 0.5)
}

// ---------------------------------------------------------------------------------------------
// The binaries

/// The binary's size as built and stripped of symbols and line tables.
fn binary_sizes(path: &Path, scratch: &Path) -> Result<(u64, u64)> {
    let built = std::fs::metadata(path)?.len();
    let stripped = scratch.join(format!(
        "{}.stripped",
        path.file_name().unwrap_or_default().to_string_lossy()
    ));
    let status = Command::new("strip")
        .arg("--strip-all")
        .arg(path)
        .arg("-o")
        .arg(&stripped)
        .status()
        .context("running strip (binutils)")?;
    ensure!(status.success(), "strip failed on {}", path.display());
    Ok((built, std::fs::metadata(&stripped)?.len()))
}

// ---------------------------------------------------------------------------------------------
// The mirror

fn customer(c: &common::CustomerPlan) -> Customer {
    Customer {
        id: c.id,
        name: c.name.clone(),
        email: c.email.clone(),
        email_verified: true,
        phone: None,
        city: Some(c.city.to_owned()),
        country: Some(c.country.to_owned()),
        time_zone: Some("Europe/Stockholm".into()),
        kind: if c.id % 3 == 0 {
            CustomerKind::Returning
        } else {
            CustomerKind::New
        },
        customer_since: c.since,
        total_spent: Money {
            minor: (c.id % 7) * 34_900,
            currency: "SEK".into(),
        },
        email_marketing: c.id % 2 == 0,
        sms_marketing: false,
        admin_url: format!("https://admin.example/customers/{}", c.id),
    }
}

/// A conversation with one or two topic labels, as the shop's classifier gives most.
fn conversation(shop: &ShopPlan, c: &common::ConversationPlan, first_message: i64) -> Conversation {
    let label = |k: usize| TopicLabel {
        topic: Topic::ALL[k % Topic::ALL.len()],
        confidence: 0.8,
        message_id: first_message,
        labelled_at: c.created_at,
    };
    let topics = match c.id % 4 {
        0 => Vec::new(),
        1 => vec![label(c.id as usize / 4), label(c.id as usize / 4 + 3)],
        _ => vec![label(c.id as usize / 4)],
    };
    Conversation {
        id: c.id,
        customer_id: shop.customers[c.customer].id,
        platform: Platform::from_key(common::PLATFORMS[c.platform]).expect("a platform"),
        status: if c.open {
            ConversationStatus::Open
        } else {
            ConversationStatus::Closed
        },
        assignee_id: c.assigned.then_some(STAFF_ID),
        contact_email: shop.customers[c.customer].email.clone(),
        customer_online: false,
        created_at: c.created_at,
        updated_at: c.last_message_at,
        last_message_at: c.last_message_at,
        topics,
        snoozed_until: None,
        woke_at: None,
    }
}

fn message(shop: &ShopPlan, m: &common::MessagePlan) -> Message {
    let c = &shop.conversations[m.conversation];
    let platform = Platform::from_key(common::PLATFORMS[c.platform]).expect("a platform");
    Message {
        id: m.id,
        conversation_id: c.id,
        author: if m.from_customer {
            Author::Customer {
                customer_id: shop.customers[c.customer].id,
            }
        } else {
            Author::Staff { staff_id: STAFF_ID }
        },
        body: MessageBody::Text {
            text: m.text.clone(),
        },
        delivery: (!m.from_customer).then_some(Delivery::Platform { platform }),
        created_at: m.created_at,
    }
}

/// Writes the data dir the app opens: `account.json` and the account's mirror, synced up to
/// date as far as the mirror can tell. Reuses one written earlier for the same shop size.
fn write_mirror(data_dir: &Path, messages: usize) -> Result<PathBuf> {
    let account = Account {
        shop_url: "https://shop.app-bench.invalid".into(),
        ca_path: None,
        staff: Staff {
            id: STAFF_ID,
            name: "Bench Staff".into(),
            email: "bench@nordlys.example".into(),
            permissions: vec![Permission::OnlineStoreChat, Permission::Customers],
        },
    };
    let data = DataDir::new(Some(data_dir.to_owned()))?;
    data.save_account(&account)?;
    let path = account.dir(data_dir).join("mirror.db");
    let done = data_dir.join(format!("bench-mirror-{messages}.done"));
    if done.exists() && path.exists() {
        eprintln!("reusing the mirror in {}", path.display());
        return Ok(path);
    }
    if path.exists() {
        std::fs::remove_file(&path)?;
    }
    eprintln!("planning a shop of {messages} messages");
    let shop = common::plan(messages, common::now_ms());
    eprintln!(
        "writing {} customers, {} conversations ({} open), {} messages to {}",
        shop.customers.len(),
        shop.conversations.len(),
        shop.conversations.iter().filter(|c| c.open).count(),
        shop.messages.len(),
        path.display()
    );
    let started = Instant::now();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let store = Store::open(&path)?;
        store
            .write(|tx| store::reset(tx, HISTORY_ID, STAFF_ID))
            .await?;
        write_shop(&store, &shop).await?;
        // Caught up: the app shows the mirror as a synced one, not as a first sync under way.
        store
            .write(|tx| store::set_cursor(tx, "app-bench", store::now_ms(), true))
            .await?;
        anyhow::Ok(())
    })?;
    std::fs::write(&done, b"")?;
    eprintln!(
        "  written in {:.1} s, {:.0} MB",
        started.elapsed().as_secs_f64(),
        std::fs::metadata(&path)?.len() as f64 / 1e6
    );
    Ok(path)
}

/// The whole shop through `store::apply_all` in big transactions, as sync writes pages.
async fn write_shop(store: &Store, shop: &ShopPlan) -> Result<()> {
    let mut first_message = vec![0; shop.conversations.len()];
    for m in shop.messages.iter().rev() {
        first_message[m.conversation] = m.id;
    }
    let staff = Entity::Staff(Staff {
        id: STAFF_ID,
        name: "Bench Staff".into(),
        email: "bench@nordlys.example".into(),
        permissions: vec![Permission::OnlineStoreChat, Permission::Customers],
    });
    let mut pending = vec![staff];
    pending.extend(shop.customers.iter().map(|c| Entity::Customer(customer(c))));
    pending.extend(
        shop.conversations
            .iter()
            .enumerate()
            .map(|(i, c)| Entity::Conversation(conversation(shop, c, first_message[i]))),
    );
    let mut messages = shop.messages.iter();
    loop {
        while pending.len() < CHUNK {
            match messages.next() {
                Some(m) => pending.push(Entity::Message(message(shop, m))),
                None => break,
            }
        }
        if pending.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::take(&mut pending);
        store.write(move |tx| store::apply_all(tx, &chunk)).await?;
    }
}

// ---------------------------------------------------------------------------------------------
// Launching and measuring

/// Starts tauri-driver, launches the app through a WebDriver session, waits for its first
/// element, lets it settle, measures, and stops everything it started.
async fn launch(app: &App, display: &str, home: &Path, settle: Duration) -> Result<Launch> {
    std::fs::create_dir_all(home)?;
    let (port, native_port) = (free_port()?, free_port()?);
    let driver = Command::new(tauri_driver())
        .args(["--port", &port.to_string()])
        .args(["--native-port", &native_port.to_string()])
        .env("DISPLAY", display)
        // As in the end-to-end tests: software rendering, Xvfb has no GPU.
        .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
        .env("LIBGL_ALWAYS_SOFTWARE", "1")
        // No keychain and no token file: the app opens the mirror offline.
        .env("INBOX_TOKEN_STORE", "file")
        // Each app's WebKit caches, settings and log in a folder of its own.
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("starting tauri-driver (cargo install tauri-driver --locked --version ^2)")?;
    let mut driver = Driver(driver);
    wait_for_port(port).await?;
    wait_for_port(native_port).await?;

    let capabilities = json!({
        "browserName": "wry",
        "tauri:options": { "application": app.binary, "args": app.args },
    });
    let capabilities = capabilities.as_object().expect("an object").clone();
    let started = Instant::now();
    let client = ClientBuilder::rustls()?
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .context("a WebDriver session with the app")?;
    let session_ms = ms(started.elapsed());
    let found = wait_for(&client, app.ready, started).await?;
    let first_paint_ms = ms(started.elapsed());

    tokio::time::sleep(settle).await;
    let elements_settled = client
        .execute(
            "return document.querySelectorAll(arguments[0]).length;",
            vec![json!(app.ready)],
        )
        .await?
        .as_u64()
        .unwrap_or(0);
    let app_pid = find_app(driver.0.id(), &app.binary)?;
    let memory = memory_of_tree(app_pid)?;

    let _ = client.close().await;
    driver.stop();
    wait_gone(app_pid);
    Ok(Launch {
        first_paint_ms,
        session_ms,
        in_page_ms: found.in_page_ms,
        dom_loaded_ms: found.dom_loaded_ms,
        pss_mb: memory.pss_mb,
        uss_mb: memory.uss_mb,
        rss_mb: memory.rss_mb,
        elements: found.elements,
        elements_settled,
    })
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// What the page said when the element first matched.
struct Found {
    in_page_ms: f64,
    dom_loaded_ms: f64,
    elements: u64,
}

/// Waits until `css` matches something in the page. Errors while the page is still loading
/// count as "not yet".
async fn wait_for(client: &Client, css: &str, started: Instant) -> Result<Found> {
    let script = "const n = document.querySelectorAll(arguments[0]).length;
                  if (n === 0) return null;
                  const nav = performance.getEntriesByType('navigation')[0];
                  return [performance.now(), nav ? nav.domContentLoadedEventEnd : null, n];";
    loop {
        if let Ok(serde_json::Value::Array(found)) = client.execute(script, vec![json!(css)]).await
        {
            let number = |i: usize| found.get(i).and_then(|v| v.as_f64()).unwrap_or(f64::NAN);
            return Ok(Found {
                in_page_ms: number(0),
                dom_loaded_ms: number(1),
                elements: found.get(2).and_then(|v| v.as_u64()).unwrap_or(0),
            });
        }
        if started.elapsed() > PATIENCE {
            bail!("{css} did not appear within {PATIENCE:?}");
        }
        tokio::time::sleep(POLL).await;
    }
}

/// tauri-driver, stopped with SIGTERM so it takes WebKitWebDriver (and the app) down with it;
/// SIGKILL would leave WebKitWebDriver behind.
struct Driver(Child);

impl Driver {
    fn stop(&mut self) {
        if self.0.try_wait().ok().flatten().is_some() {
            return; // Stopped already.
        }
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .stderr(Stdio::null())
            .status();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if self.0.try_wait().ok().flatten().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The app's process: the one below tauri-driver (and WebKitWebDriver) running `binary`.
fn find_app(driver: u32, binary: &Path) -> Result<u32> {
    let binary = binary.canonicalize()?;
    tree(driver)
        .into_iter()
        .find(|pid| std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|exe| exe == binary))
        .with_context(|| format!("no {} process under tauri-driver", binary.display()))
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

async fn wait_for_port(port: u16) -> Result<()> {
    let start = Instant::now();
    while start.elapsed() < PATIENCE {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!("nothing listens on port {port}")
}

fn tauri_driver() -> PathBuf {
    if let Some(path) = std::env::var_os("TAURI_DRIVER") {
        return path.into();
    }
    let installed = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .map(|home| home.join("bin/tauri-driver"));
    match installed {
        Some(path) if path.exists() => path,
        _ => PathBuf::from("tauri-driver"),
    }
}
