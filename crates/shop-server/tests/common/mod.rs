//! A real shop server started in-process on 127.0.0.1:0 over TLS, and an HTTPS client that
//! trusts only that server's CA.

#![allow(dead_code)]

use std::time::Duration;

use eventsource_stream::{Event, Eventsource};
use futures_util::{Stream, StreamExt};
use inbox_protocol::*;
use reqwest::{Certificate, Client, Method, RequestBuilder, Response, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use shop_server::{Config, DemoStaff, Running};

pub struct TestShop {
    pub server: Option<Running>,
    pub client: Client,
    pub ca: Vec<u8>,
    pub url: String,
    pub dir: tempfile::TempDir,
    /// The PostgreSQL database the shop lives in, when not the SQLite file in `dir`.
    pub database: Option<String>,
}

pub fn client_for(ca_pem: &[u8]) -> Client {
    client_builder(ca_pem).build().expect("client builds")
}

fn client_builder(ca_pem: &[u8]) -> reqwest::ClientBuilder {
    Client::builder()
        .tls_certs_only([Certificate::from_pem(ca_pem).expect("the CA is PEM")])
        .timeout(Duration::from_secs(30))
}

/// A server's configuration for a test: the SQLite file in `dir`, or, when the run has a
/// PostgreSQL cluster (`SHOP_TEST_POSTGRES`, set by scripts/with-postgres.sh), a fresh database
/// of its own there. The same tests run against both backends.
pub fn test_config(dir: &std::path::Path) -> Config {
    let mut config = Config::new(dir);
    config.database = postgres_database_with(false);
    config
}

/// Whether this run's servers keep their shops in PostgreSQL.
pub fn on_postgres() -> bool {
    std::env::var_os("SHOP_TEST_POSTGRES").is_some()
}

/// A new database in the run's PostgreSQL cluster, if it has one. It holds the demo shop
/// already: seeding the demo through the mutations takes many round trips, so each test binary
/// seeds one template database once and every test gets a copy (`CREATE DATABASE … TEMPLATE`).
/// A test that wants an empty shop is not demo, and gets an empty database.
pub fn postgres_database() -> Option<String> {
    postgres_database_with(true)
}

pub fn postgres_database_with(demo: bool) -> Option<String> {
    let admin = std::env::var("SHOP_TEST_POSTGRES").ok()?;
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    static TEMPLATE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let (base, _) = admin.rsplit_once('/').expect("a database URL");
    let base = base.to_owned();
    let name = format!(
        "shop_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    let url = format!("{base}/{name}");
    let create = move || {
        let mut client =
            postgres::Client::connect(&admin, postgres::NoTls).expect("the test cluster");
        if !demo {
            client
                .batch_execute(&format!("CREATE DATABASE {name}"))
                .expect("a test database");
            return;
        }
        let template = TEMPLATE.get_or_init(|| {
            let template = format!("template_{}", std::process::id());
            client
                .batch_execute(&format!("CREATE DATABASE {template}"))
                .expect("the template database");
            let db = shop_server::storage::Db::connect(&shop_server::storage::Database::Postgres(
                format!("{base}/{template}"),
            ))
            .expect("the template opens");
            let classifier = shop_server::topics::default_classifier();
            db.write_blocking(|tx| {
                shop_server::open_shop(
                    tx,
                    "Nordlys Studio",
                    "SEK",
                    "Europe/Stockholm",
                    Some(classifier.as_ref()),
                )
            })
            .expect("the demo seeds");
            drop(db);
            template
        });
        // The template's last connections close a moment after its handle is dropped.
        let mut tries = 0;
        loop {
            match client.batch_execute(&format!("CREATE DATABASE {name} TEMPLATE {template}")) {
                Ok(()) => break,
                Err(error) if tries < 100 => {
                    tries += 1;
                    let _ = error;
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(error) => panic!("copying the template: {error}"),
            }
        }
    };
    // The blocking client must not run on an async worker.
    std::thread::spawn(create)
        .join()
        .expect("creating a test database");
    Some(url)
}

impl TestShop {
    /// A demo shop with a fast heartbeat.
    pub async fn demo() -> TestShop {
        TestShop::with(|_| {}).await
    }

    pub async fn with(configure: impl FnOnce(&mut Config)) -> TestShop {
        TestShop::on(true, configure).await
    }

    /// A shop in a SQLite file whatever the run's backend (a shop about to be moved).
    pub async fn on_sqlite(configure: impl FnOnce(&mut Config)) -> TestShop {
        TestShop::on(false, configure).await
    }

    async fn on(postgres_if_any: bool, configure: impl FnOnce(&mut Config)) -> TestShop {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = Config::new(dir.path());
        config.demo = true;
        config.heartbeat = Duration::from_secs(1);
        configure(&mut config);
        if postgres_if_any && on_postgres() && config.database.is_none() {
            config.database = postgres_database_with(config.demo);
        }
        let database = config.database.clone();
        let server = shop_server::start(config).await.expect("server starts");
        let ca = std::fs::read(server.announcement.ca.as_ref().expect("local CA")).expect("CA");
        TestShop {
            url: server.url().to_owned(),
            client: client_for(&ca),
            ca,
            server: Some(server),
            dir,
            database,
        }
    }

    /// A client whose connections come from another loopback address (127.0.0.0/8 is all
    /// loopback), so per-address limits can tell callers apart.
    pub fn client_from(&self, ip: &str) -> Client {
        client_builder(&self.ca)
            .local_address(ip.parse::<std::net::IpAddr>().expect("an address"))
            .build()
            .expect("client builds")
    }

    pub fn server(&self) -> &Running {
        self.server.as_ref().expect("running")
    }

    pub fn demo_staff(&self) -> Vec<DemoStaff> {
        self.server()
            .announcement
            .demo_staff
            .clone()
            .expect("demo staff")
    }

    /// A demo staff member with (or without) the chat permission.
    pub fn staff_member(&self, chat_permission: bool) -> DemoStaff {
        self.demo_staff()
            .into_iter()
            .find(|s| s.chat_permission == chat_permission)
            .expect("such a demo staff member")
    }

    pub fn db_path(&self) -> std::path::PathBuf {
        self.dir.path().join("shop.db")
    }

    pub fn request(&self, method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let request = self.client.request(method, format!("{}{path}", self.url));
        match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    pub async fn sign_in_as(&self, staff: &DemoStaff) -> Session {
        let response = self
            .request(Method::POST, "/api/v1/auth/sign-in", None)
            .json(&SignInRequest {
                email: staff.email.clone(),
                password: staff.password.clone(),
            })
            .send()
            .await
            .expect("sign in");
        ok(response).await
    }

    /// Signs in the first demo staff member with the chat permission.
    pub async fn sign_in(&self) -> Session {
        self.sign_in_as(&self.staff_member(true)).await
    }

    pub async fn get<T: DeserializeOwned>(&self, path: &str, token: &str) -> T {
        ok(self
            .request(Method::GET, path, Some(token))
            .send()
            .await
            .expect("GET"))
        .await
    }

    pub async fn send<B: Serialize>(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: &B,
    ) -> Response {
        self.request(method, path, Some(token))
            .json(body)
            .send()
            .await
            .expect("request")
    }

    /// A new customer chat on the online store.
    pub async fn start_chat(&self, name: &str, email: &str) -> ChatSession {
        let response = self
            .request(Method::POST, "/api/v1/storefront/chats", None)
            .json(&StartChat {
                name: name.into(),
                email: email.into(),
                platform: Platform::OnlineStore,
            })
            .send()
            .await
            .expect("start chat");
        assert_eq!(response.status(), StatusCode::CREATED);
        response.json().await.expect("chat session")
    }

    /// A customer posts in their chat; the answer as it came.
    pub async fn customer_posts(&self, chat: &ChatSession, text: &str) -> Response {
        self.send(
            Method::POST,
            &format!(
                "/api/v1/storefront/conversations/{}/messages",
                chat.conversation_id
            ),
            &chat.token,
            &CustomerText { text: text.into() },
        )
        .await
    }

    pub async fn customer_says(&self, chat: &ChatSession, text: &str) -> Message {
        let response = self.customer_posts(chat, text).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        response.json().await.expect("message")
    }

    /// Opens an SSE stream at `path`, optionally resuming after `last_event_id`.
    pub async fn events(
        &self,
        path: &str,
        token: &str,
        last_event_id: Option<&str>,
    ) -> impl Stream<Item = Event> + Unpin + use<> {
        let mut request = self.request(Method::GET, path, Some(token));
        if let Some(id) = last_event_id {
            request = request.header("Last-Event-ID", id);
        }
        let response = self
            .client
            .execute(
                request
                    .timeout(Duration::from_secs(3600))
                    .build()
                    .expect("request"),
            )
            .await
            .expect("events");
        assert_eq!(response.status(), StatusCode::OK, "event stream refused");
        Box::pin(
            response
                .bytes_stream()
                .eventsource()
                .map(|e| e.expect("a well-formed event")),
        )
    }

    /// Walks the whole change feed from the start.
    pub async fn full_sync(&self, token: &str) -> Vec<Change> {
        let mut changes = Vec::new();
        let mut cursor = String::new();
        loop {
            let page: SyncPage = self
                .get(&format!("/api/v1/sync?limit=1000&after={cursor}"), token)
                .await;
            changes.extend(page.changes);
            cursor = page.next_cursor;
            if !page.has_more {
                return changes;
            }
        }
    }

    pub async fn stop(mut self) {
        if let Some(server) = self.server.take() {
            server.shutdown().await;
        }
    }
}

/// The path of a chat's live stream.
pub fn chat_events_path(chat: &ChatSession) -> String {
    format!(
        "/api/v1/storefront/conversations/{}/events",
        chat.conversation_id
    )
}

/// The body of a successful response, or a panic that shows the problem.
pub async fn ok<T: DeserializeOwned>(response: Response) -> T {
    let status = response.status();
    let text = response.text().await.expect("body");
    assert!(
        status.is_success(),
        "expected success, got {status}: {text}"
    );
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("bad body ({e}): {text}"))
}

/// The problem of a failed response, checking status and content type.
pub async fn problem(response: Response, status: StatusCode) -> Problem {
    assert_eq!(response.status(), status);
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert_eq!(content_type, PROBLEM_CONTENT_TYPE);
    let problem: Problem = response.json().await.expect("problem body");
    assert_eq!(problem.status, status.as_u16());
    problem
}

/// Waits for the next event on a stream for which `pick` returns something.
pub async fn next_matching<T>(
    stream: &mut (impl Stream<Item = Event> + Unpin),
    mut pick: impl FnMut(&Event) -> Option<T>,
) -> T {
    tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            let event = stream.next().await.expect("the stream stays open");
            if let Some(found) = pick(&event) {
                return found;
            }
        }
    })
    .await
    .expect("the event arrives within 20 s")
}

pub fn change_of(event: &Event) -> Change {
    serde_json::from_str(&event.data).expect("event data is a Change")
}

/// A `shop-server` process of its own: to be killed like a crash would, or measured apart from
/// its clients.
pub struct ShopProcess {
    child: std::process::Child,
    pub url: String,
    pub client: reqwest::Client,
    pub ca: Vec<u8>,
}

impl ShopProcess {
    pub fn start(dir: &std::path::Path) -> ShopProcess {
        ShopProcess::start_with(dir, &[])
    }

    /// A server process with more arguments (`--database`, say).
    pub fn start_with(dir: &std::path::Path, extra: &[&str]) -> ShopProcess {
        use std::io::BufRead;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_shop-server"))
            .args(["--data-dir".as_ref(), dir.as_os_str()])
            .args(["--listen", "127.0.0.1:0", "--demo"])
            .args(extra)
            .stdout(std::process::Stdio::piped())
            // SHOP_TEST_SERVER_LOGS=1 shows what the server said.
            .stderr(if std::env::var_os("SHOP_TEST_SERVER_LOGS").is_some() {
                std::process::Stdio::inherit()
            } else {
                std::process::Stdio::null()
            })
            .spawn()
            .expect("the server starts");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .expect("the announcement");
        let announcement: serde_json::Value = serde_json::from_str(&line).expect("JSON");
        let ca = std::fs::read(announcement["ca"].as_str().unwrap()).unwrap();
        ShopProcess {
            child,
            url: announcement["url"].as_str().unwrap().to_owned(),
            client: client_for(&ca),
            ca,
        }
    }

    /// A client whose connections come from another loopback address.
    pub fn client_from(&self, ip: &str) -> Client {
        client_builder(&self.ca)
            .local_address(ip.parse::<std::net::IpAddr>().expect("an address"))
            .build()
            .expect("client builds")
    }

    /// The server's resident memory now, in KiB (Linux).
    pub fn rss_kib(&self) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .ok()
            .and_then(|status| {
                status
                    .lines()
                    .find_map(|l| l.strip_prefix("VmRSS:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            })
            .unwrap_or(0)
    }

    pub async fn sign_in(&self) -> Session {
        ok(self
            .client
            .post(format!("{}/api/v1/auth/sign-in", self.url))
            .json(&SignInRequest {
                email: "astrid@nordlys.example".into(),
                password: "demo-astrid".into(),
            })
            .send()
            .await
            .unwrap())
        .await
    }

    pub async fn conversation(&self, token: &str, id: i64) -> Conversation {
        let detail: ConversationDetail = ok(self
            .client
            .get(format!("{}/api/v1/conversations/{id}", self.url))
            .bearer_auth(token)
            .send()
            .await
            .unwrap())
        .await;
        detail.conversation
    }

    pub fn kill(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().unwrap();
    }
}

impl Drop for ShopProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
