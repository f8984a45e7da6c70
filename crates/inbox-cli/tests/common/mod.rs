//! What the CLI tests share: a real shop server in this process over TLS with demo data, and
//! the `inbox` binary run as a child process against it, with its own data dir and the token in
//! a file (test machines have no keychain to rely on).

// Each test binary uses its own part of this module.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use inbox_core::ApiClient;
use inbox_core::ShopAddress;
use inbox_protocol::*;
use serde_json::Value;

pub struct Shop {
    server: Option<shop_server::Running>,
    dir: tempfile::TempDir,
    pub ca: PathBuf,
    pub url: String,
    addr: SocketAddr,
    staff: shop_server::DemoStaff,
    colleagues: Vec<shop_server::DemoStaff>,
}

impl Shop {
    pub async fn start() -> Shop {
        let dir = tempfile::tempdir().unwrap();
        let server = Shop::run(dir.path(), None).await;
        let mut can_chat = server
            .announcement
            .demo_staff
            .clone()
            .unwrap()
            .into_iter()
            .filter(|s| s.chat_permission);
        let staff = can_chat.next().unwrap();
        let colleagues = can_chat.collect();
        Shop {
            colleagues,
            ca: server.announcement.ca.clone().unwrap(),
            url: server.url().to_owned(),
            addr: server.addr,
            server: Some(server),
            dir,
            staff,
        }
    }

    async fn run(dir: &Path, addr: Option<SocketAddr>) -> shop_server::Running {
        let mut config = shop_server::Config::new(dir.join("shop"));
        config.limits = shop_server::limits::LimitsConfig::many_customers_from_one_address();
        config.demo = true;
        config.heartbeat = Duration::from_secs(1);
        if let Some(addr) = addr {
            config.listen = addr;
        }
        shop_server::start(config).await.unwrap()
    }

    pub async fn stop(&mut self) {
        self.server.take().unwrap().shutdown().await;
    }

    /// Starts again on the same address with the same data.
    pub async fn restart(&mut self) {
        self.server = Some(Shop::run(self.dir.path(), Some(self.addr)).await);
    }

    /// A staff member who can chat: the one the CLI signs in as.
    pub fn staff(&self) -> &shop_server::DemoStaff {
        &self.staff
    }

    /// The other staff members who can chat.
    pub fn colleagues(&self) -> &[shop_server::DemoStaff] {
        &self.colleagues
    }

    /// The shop's API as `staff`, with a session of its own.
    pub async fn api_as(&self, staff: &shop_server::DemoStaff) -> (ApiClient, Session) {
        let session = ApiClient::new(&self.address())
            .unwrap()
            .sign_in(&staff.email, &staff.password)
            .await
            .unwrap();
        let api = ApiClient::new(&self.address())
            .unwrap()
            .with_token(session.token.clone());
        (api, session)
    }

    pub fn address(&self) -> ShopAddress {
        ShopAddress {
            url: self.url.clone(),
            ca_pem: Some(std::fs::read(&self.ca).unwrap()),
        }
    }

    /// The shop's API as the same staff member, with a session of its own.
    pub async fn api(&self) -> ApiClient {
        let session = ApiClient::new(&self.address())
            .unwrap()
            .sign_in(&self.staff.email, &self.staff.password)
            .await
            .unwrap();
        ApiClient::new(&self.address())
            .unwrap()
            .with_token(session.token)
    }

    /// A conversation as the shop holds it.
    pub async fn conversation(&self, id: i64) -> ConversationDetail {
        self.api()
            .await
            .get(&format!("/api/v1/conversations/{id}"))
            .await
            .unwrap()
    }

    /// A customer starting a chat, as the storefront widget does.
    pub async fn customer(&self, name: &str, email: &str) -> (ApiClient, ChatSession) {
        let api = ApiClient::new(&self.address()).unwrap();
        let chat: ChatSession = api
            .send(
                reqwest::Method::POST,
                "/api/v1/storefront/chats",
                &format!("start-{email}"),
                Some(&StartChat {
                    name: name.into(),
                    email: email.into(),
                    platform: Platform::OnlineStore,
                }),
            )
            .await
            .unwrap()
            .unwrap();
        (api.with_token(chat.token.clone()), chat)
    }
}

pub async fn customer_says(api: &ApiClient, chat: &ChatSession, text: &str) -> Message {
    api.send(
        reqwest::Method::POST,
        &format!(
            "/api/v1/storefront/conversations/{}/messages",
            chat.conversation_id
        ),
        &format!("{:x}", rand_key()),
        Some(&CustomerText { text: text.into() }),
    )
    .await
    .unwrap()
    .unwrap()
}

fn rand_key() -> u128 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

/// Every entity in the shop as the change feed gives it, keyed by kind and id.
pub async fn shop_entities(api: &ApiClient) -> BTreeMap<(String, i64), Value> {
    let mut all = BTreeMap::new();
    let mut cursor = String::new();
    loop {
        let page = api.sync_page(&cursor, 5_000, false).await.unwrap();
        for change in page.changes {
            // Through text, as on the wire: `to_value` would widen f32 confidences to f64.
            let value: Value =
                serde_json::from_str(&serde_json::to_string(&change.entity).unwrap()).unwrap();
            let kind = value["entity"].as_str().unwrap().to_owned();
            let data = value["data"].clone();
            let id = match &change.entity {
                Entity::Cart(c) => c.customer_id,
                Entity::ReadState(r) => r.conversation_id,
                _ => data["id"].as_i64().unwrap(),
            };
            all.insert((kind, id), data);
        }
        cursor = page.next_cursor;
        if !page.has_more {
            return all;
        }
    }
}

/// Every entity in a mirror, keyed the same way.
pub fn mirror_entities(path: &Path) -> BTreeMap<(String, i64), Value> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut all = BTreeMap::new();
    for (kind, table, id) in [
        ("staff", "staff", "id"),
        ("customer", "customers", "id"),
        ("conversation", "conversations", "id"),
        ("message", "messages", "id"),
        ("cart_event", "cart_events", "id"),
        ("read_state", "read_states", "conversation_id"),
        ("note", "notes", "id"),
        ("saved_reply", "saved_replies", "id"),
        ("cart", "carts", "customer_id"),
        ("order", "orders", "id"),
    ] {
        let mut stmt = conn
            .prepare(&format!("SELECT {id}, data FROM {table}"))
            .unwrap();
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
            .unwrap();
        for row in rows {
            let (id, data) = row.unwrap();
            all.insert((kind.to_owned(), id), serde_json::from_str(&data).unwrap());
        }
    }
    all
}

/// Fails with the first differences between the shop and a mirror.
pub fn assert_same(
    expected: &BTreeMap<(String, i64), Value>,
    mirrored: &BTreeMap<(String, i64), Value>,
) {
    let missing: Vec<_> = expected
        .keys()
        .filter(|k| !mirrored.contains_key(*k))
        .take(5)
        .collect();
    assert!(missing.is_empty(), "not mirrored: {missing:?}");
    let extra: Vec<_> = mirrored
        .keys()
        .filter(|k| !expected.contains_key(*k))
        .take(5)
        .collect();
    assert!(extra.is_empty(), "mirrored but not in the shop: {extra:?}");
    for (key, value) in expected {
        assert_eq!(&mirrored[key], value, "{key:?} differs");
    }
}

/// The `inbox` binary with a data dir of its own.
pub struct Cli {
    pub data: tempfile::TempDir,
}

impl Cli {
    pub fn new() -> Cli {
        Cli {
            data: tempfile::tempdir().unwrap(),
        }
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_inbox"));
        command
            .arg("--data-dir")
            .arg(self.data.path())
            .args(args)
            .env("INBOX_TOKEN_STORE", "file")
            .env("NO_COLOR", "1")
            .env_remove("INBOX_DATA_DIR")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    }

    /// Runs to the end, off the async threads (the shop runs on them).
    pub async fn run(&self, args: &[&str]) -> Run {
        self.run_with_stdin(args, None).await
    }

    pub async fn run_with_stdin(&self, args: &[&str], stdin: Option<&str>) -> Run {
        let mut command = self.command(args);
        let stdin = stdin.map(str::to_owned);
        if stdin.is_some() {
            command.stdin(Stdio::piped());
        }
        let label = args.join(" ");
        let output = tokio::task::spawn_blocking(move || {
            let mut child = command.spawn().unwrap();
            if let Some(text) = stdin {
                use std::io::Write;
                child
                    .stdin
                    .take()
                    .unwrap()
                    .write_all(text.as_bytes())
                    .unwrap();
            }
            child.wait_with_output().unwrap()
        })
        .await
        .unwrap();
        Run::new(label, output)
    }

    /// Starts without waiting, to be killed part-way.
    pub fn spawn(&self, args: &[&str]) -> Child {
        let mut command = self.command(args);
        command.stdout(Stdio::null()).stderr(Stdio::null());
        command.spawn().unwrap()
    }

    pub async fn login(&self, shop: &Shop) -> Run {
        self.login_as(shop, shop.staff()).await
    }

    pub async fn login_as(&self, shop: &Shop, staff: &shop_server::DemoStaff) -> Run {
        let ca = shop.ca.to_str().unwrap().to_owned();
        let run = self
            .run_with_stdin(
                &[
                    "login",
                    "--server",
                    &shop.url,
                    "--ca",
                    &ca,
                    "--email",
                    &staff.email,
                ],
                Some(&format!("{}\n", staff.password)),
            )
            .await;
        run.ok();
        run
    }

    /// The one mirror under the data dir.
    pub fn mirror(&self) -> PathBuf {
        fn find(dir: &Path) -> Option<PathBuf> {
            for entry in std::fs::read_dir(dir).ok()? {
                let path = entry.ok()?.path();
                if path.is_dir() {
                    if let Some(found) = find(&path) {
                        return Some(found);
                    }
                } else if path.file_name().is_some_and(|n| n == "mirror.db") {
                    return Some(path);
                }
            }
            None
        }
        find(self.data.path()).expect("a mirror in the data dir")
    }
}

/// A finished run of the binary.
#[derive(Debug)]
pub struct Run {
    pub label: String,
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn new(label: String, output: Output) -> Run {
        Run {
            label,
            code: output.status.code(),
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
        }
    }

    /// Asserts exit code 0.
    pub fn ok(&self) -> &Run {
        assert_eq!(
            self.code,
            Some(0),
            "`inbox {}` failed: {self:#?}",
            self.label
        );
        self
    }

    /// Asserts an error: exit code 1 and one `error: ...` line.
    pub fn error(&self) -> &str {
        assert_eq!(
            self.code,
            Some(1),
            "`inbox {}` should fail: {self:#?}",
            self.label
        );
        let lines: Vec<&str> = self.stderr.lines().filter(|l| !l.is_empty()).collect();
        let last = lines.last().copied().unwrap_or_default();
        assert!(
            last.starts_with("error: "),
            "`inbox {}` says why in one line: {self:#?}",
            self.label
        );
        last
    }

    pub fn json<T: serde::de::DeserializeOwned>(&self) -> T {
        self.ok();
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("`inbox {}` printed no JSON ({e}): {self:#?}", self.label))
    }
}

/// `PRAGMA integrity_check` of a mirror.
pub fn integrity(path: &Path) -> String {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

/// One number from a mirror, for watching a child's progress; `None` while the file or its
/// tables don't exist yet or it is busy.
pub fn mirror_count(path: &Path, sql: &str) -> Option<i64> {
    let conn = rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .ok()?;
    conn.busy_timeout(Duration::from_millis(200)).ok()?;
    conn.query_row(sql, [], |r| r.get(0)).ok()
}
