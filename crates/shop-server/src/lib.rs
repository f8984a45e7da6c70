//! The reference shop server: a real implementation of the Inbox API over HTTPS, with a
//! storefront chat widget for customers and demo data, so the whole product runs on one
//! machine and every test talks to a real peer.
//!
//! It depends on `inbox-protocol` for every type on the wire and never on the client crates.

pub mod api;
pub mod assets;
pub mod auth;
pub mod checkout;
pub mod clock;
pub mod demo;
pub mod email;
pub mod error;
pub mod fanout;
pub mod limits;
pub mod media;
pub mod presence;
pub mod simulate;
pub mod snooze;
pub mod storage;
pub mod tls;
pub mod topics;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum_server::accept::Accept;
use axum_server::tls_rustls::RustlsConfig;
use inbox_protocol::ProblemCode;
use serde::Serialize;
use tower_http::set_header::SetResponseHeaderLayer;

pub use crate::demo::DemoStaff;
use crate::error::{Error, Result};
use crate::storage::{Shop, mutations, records};
pub use crate::tls::TlsFiles;
use crate::topics::TopicClassifier;

/// Everything a running server shares between requests.
#[derive(Clone)]
pub struct AppState {
    pub db: storage::Db,
    pub shop: Shop,
    pub classifier: Arc<dyn TopicClassifier>,
    pub media_dir: PathBuf,
    pub demo: bool,
    pub heartbeat: Duration,
    pub staff_token_ttl_ms: i64,
    pub limits: limits::Limits,
    /// See [`Config::trusted_proxies`].
    pub trusted_proxies: Arc<[std::net::IpAddr]>,
    pub presence: presence::Presence,
    /// What timed work (snoozes ending) runs by; see [`Config::clock`].
    pub clock: clock::Clock,
    pub snoozes: snooze::Snoozes,
    pub live: api::live::Live,
    /// See [`Config::allowed_origins`].
    pub allowed_origins: api::cors::AllowedOrigins,
    /// Whether responses carry Strict-Transport-Security: with the shop's own certificate
    /// (`--cert`), not with the local CA's `localhost` one.
    pub hsts: bool,
}

/// How to run a server.
pub struct Config {
    pub data_dir: PathBuf,
    pub listen: SocketAddr,
    /// Seed demo data into an empty database.
    pub demo: bool,
    /// Simulated customer messages per minute; 0 for none.
    pub simulate_per_minute: u32,
    /// A certificate to serve; `None` makes (once) and uses a local CA in the data dir.
    pub tls: Option<TlsFiles>,
    pub shop_name: String,
    pub currency: String,
    /// The shop's IANA time zone, used when a new database is made (`--time-zone`).
    pub time_zone: String,
    /// How often an idle live stream sends a heartbeat.
    pub heartbeat: Duration,
    /// How often an open live stream checks that its token is still good (a sign-out on this
    /// instance ends its streams at once).
    pub stream_recheck: Duration,
    pub staff_token_ttl_ms: i64,
    pub classifier: Arc<dyn TopicClassifier>,
    /// Where replies to customers who left are emailed; `None` keeps them in the outbox only.
    pub smtp: Option<email::Smtp>,
    /// Rates, caps and queues that keep one caller from starving the others.
    pub limits: limits::LimitsConfig,
    /// Reverse proxies whose `X-Forwarded-For` names the real client (`--trust-proxy`).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Sites (origins such as `https://shop.example`) whose pages embed the chat widget: the
    /// storefront API answers them with CORS (`--allowed-origin`).
    pub allowed_origins: Vec<String>,
    /// A PostgreSQL database (`postgres://user@host:port/name`) instead of the SQLite file in
    /// the data directory (`--database`).
    pub database: Option<String>,
    /// Where uploads live (`--media-dir`); several instances share one. Default: `media` in
    /// the data directory.
    pub media_dir: Option<PathBuf>,
    /// How long a customer counts as online after the instance serving their chat stream was
    /// last heard of; an instance renews its leases every third of this while it runs.
    pub presence_lease: Duration,
    /// The time snoozes end by: the system's, or a manual clock in tests.
    pub clock: clock::Clock,
}

impl Config {
    pub fn new(data_dir: impl Into<PathBuf>) -> Config {
        Config {
            data_dir: data_dir.into(),
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            demo: false,
            simulate_per_minute: 0,
            tls: None,
            shop_name: "Nordlys Studio".into(),
            currency: "SEK".into(),
            time_zone: demo::TIME_ZONE.into(),
            heartbeat: Duration::from_secs(10),
            stream_recheck: Duration::from_secs(10),
            staff_token_ttl_ms: auth::STAFF_TOKEN_TTL_MS,
            classifier: topics::default_classifier(),
            smtp: None,
            limits: limits::LimitsConfig::default(),
            trusted_proxies: Vec::new(),
            allowed_origins: Vec::new(),
            database: None,
            media_dir: None,
            presence_lease: Duration::from_secs(30),
            clock: clock::Clock::system(),
        }
    }
}

/// What a started server tells its caller; printed as the first line of `shop-server`.
#[derive(Debug, Clone, Serialize)]
pub struct Announcement {
    pub url: String,
    pub ca: Option<PathBuf>,
    pub widget: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub demo_staff: Option<Vec<DemoStaff>>,
}

/// A server running on the current tokio runtime.
pub struct Running {
    pub announcement: Announcement,
    pub addr: SocketAddr,
    pub state: AppState,
    handle: axum_server::Handle<SocketAddr>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    simulation: Option<tokio::task::JoinHandle<()>>,
    mailer: Option<tokio::task::JoinHandle<()>>,
    fanout: tokio::task::JoinHandle<()>,
    pruner: tokio::task::JoinHandle<()>,
    leases: tokio::task::JoinHandle<()>,
    snoozes: tokio::task::JoinHandle<()>,
    /// Held while serving; see [`lock_data_dir`].
    _data_dir_lock: std::fs::File,
}

impl Running {
    pub fn url(&self) -> &str {
        &self.announcement.url
    }

    /// Stops accepting, closes connections (live streams included) and waits for the end.
    pub async fn shutdown(self) {
        self.pruner.abort();
        self.leases.abort();
        self.snoozes.abort();
        for task in [self.simulation, self.mailer].into_iter().flatten() {
            task.abort();
        }
        self.handle.graceful_shutdown(Some(Duration::from_secs(2)));
        let _ = self.task.await;
        self.fanout.abort();
    }

    /// Runs until the process is asked to stop.
    pub async fn wait(self) -> std::io::Result<()> {
        self.task.await.map_err(std::io::Error::other)?
    }
}

const DEMO_STAFF_KEY: &str = "demo_staff";

/// Creates `dir` if needed, readable by this user alone: the shop's database holds password
/// hashes and customers' details, its media folder their pictures.
pub fn private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Makes the database file (and its WAL and shared-memory files, if earlier runs left them)
/// readable by this user alone, creating it empty if needed, before SQLite opens it: SQLite
/// gives the WAL files it creates the database file's mode.
fn private_files(db_path: &std::path::Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(db_path)?;
        for suffix in ["", "-wal", "-shm"] {
            let path = std::path::PathBuf::from(format!("{}{suffix}", db_path.display()));
            if path.exists() {
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = db_path;
    Ok(())
}

/// Takes the data directory for this process alone: one SQLite shop is served by one server
/// process, so at start-up every earlier process is known to be gone (and with it every
/// customer it showed online). A second server on the same directory is refused.
fn lock_data_dir(dir: &std::path::Path) -> Result<std::fs::File> {
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join("shop.lock"))?;
    match lock.try_lock() {
        Ok(()) => Ok(lock),
        Err(std::fs::TryLockError::WouldBlock) => Err(Error::Other(format!(
            "another shop server is already serving {}; stop it first",
            dir.display()
        ))),
        Err(std::fs::TryLockError::Error(error)) => Err(error.into()),
    }
}

/// Reads the shop's settings (making them on a new database) and, given a classifier, seeds
/// the demo shop into an empty database; returns the demo staff of a demo shop.
pub fn open_shop(
    tx: &storage::Tx<'_>,
    name: &str,
    currency: &str,
    time_zone: &str,
    demo: Option<&dyn TopicClassifier>,
) -> Result<(Shop, Option<Vec<DemoStaff>>)> {
    let shop = Shop::load_or_init(tx, name, currency, time_zone)?;
    let Some(classifier) = demo else {
        return Ok((shop, None));
    };
    if !records::has_staff(tx)? {
        let staff = demo::seed(tx, &shop, classifier, &demo::DemoOptions::default())?;
        mutations::set_meta(tx, DEMO_STAFF_KEY, &serde_json::to_string(&staff)?)?;
    }
    let demo_staff = match records::meta(tx, DEMO_STAFF_KEY)? {
        Some(json) => Some(serde_json::from_str::<Vec<DemoStaff>>(&json)?),
        None => None,
    };
    Ok((shop, demo_staff))
}

/// Opens (or creates) the shop in `config.data_dir` and starts serving it.
pub async fn start(config: Config) -> Result<Running> {
    let allowed_origins =
        api::cors::AllowedOrigins::new(&config.allowed_origins).map_err(Error::Other)?;
    private_dir(&config.data_dir)?;
    let data_dir_lock = lock_data_dir(&config.data_dir)?;
    let database = match &config.database {
        Some(url) => storage::Database::Postgres(url.clone()),
        None => {
            let db_path = config.data_dir.join("shop.db");
            private_files(&db_path)?;
            storage::Database::Sqlite(db_path)
        }
    };
    let db = tokio::task::spawn_blocking(move || storage::Db::connect(&database)).await??;
    let (name, currency) = (config.shop_name.clone(), config.currency.clone());
    let time_zone = config.time_zone.clone();
    let classifier = config.classifier.clone();
    let demo = config.demo;
    let alone = db.sqlite_path().is_some();
    let (shop, demo_staff) = db
        .write(move |tx| {
            if alone {
                // This process serves the file alone (the data-dir lock): no chat stream
                // survived its restart. Several instances on PostgreSQL rely on the leases.
                mutations::everyone_offline(tx)?;
            }
            open_shop(
                tx,
                &name,
                &currency,
                &time_zone,
                demo.then_some(classifier.as_ref()),
            )
        })
        .await?;

    let media_dir = config
        .media_dir
        .clone()
        .unwrap_or_else(|| config.data_dir.join("media"));
    if demo {
        let dir = media_dir.clone();
        tokio::task::spawn_blocking(move || demo::store_media(&dir)).await??;
    }

    let hsts = config.tls.is_some();
    let tls_files = match config.tls.clone() {
        Some(files) => files,
        None => tls::local_ca(&config.data_dir.join("tls"))?,
    };
    let rustls = RustlsConfig::from_pem_file(&tls_files.cert, &tls_files.key)
        .await
        .map_err(|e| Error::Other(format!("loading the TLS certificate: {e}")))?;

    let (fanout, fanout_task) = fanout::Fanout::start(db.clone(), shop.clone());
    let state = AppState {
        db,
        shop,
        classifier: config.classifier.clone(),
        media_dir,
        demo: config.demo,
        heartbeat: config.heartbeat,
        staff_token_ttl_ms: config.staff_token_ttl_ms,
        limits: limits::Limits::new(config.limits.clone()),
        trusted_proxies: config.trusted_proxies.clone().into(),
        presence: presence::Presence::new(config.presence_lease),
        clock: config.clock.clone(),
        snoozes: snooze::Snoozes::new(),
        live: api::live::Live::new(fanout, config.stream_recheck),
        allowed_origins,
        hsts,
    };
    let app = app(state.clone());

    let listener = std::net::TcpListener::bind(config.listen)?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let handle = axum_server::Handle::new();
    let server = axum_server::from_tcp_rustls(listener, rustls)?
        .map(|tls| tls.acceptor(LiveAcceptor))
        .handle(handle.clone());
    let task = tokio::spawn(server.serve(app.into_make_service_with_connect_info::<SocketAddr>()));

    let pruner = tokio::spawn(prune_forever(state.clone()));
    let leases = tokio::spawn(state.presence.clone().keep(state.db.clone()));
    let snoozes = tokio::spawn(
        state
            .snoozes
            .clone()
            .run(state.db.clone(), state.clock.clone()),
    );
    let mailer = config
        .smtp
        .clone()
        .map(|smtp| tokio::spawn(email::run(state.clone(), smtp)));
    let url = format!("https://{addr}");
    let simulation = (config.simulate_per_minute > 0)
        .then(|| tokio::spawn(simulate::run(state.clone(), config.simulate_per_minute)));
    Ok(Running {
        announcement: Announcement {
            widget: format!("{url}/store"),
            url,
            ca: tls_files.ca,
            demo_staff,
        },
        addr,
        state,
        handle,
        task,
        simulation,
        mailer,
        fanout: fanout_task,
        pruner,
        leases,
        snoozes,
        _data_dir_lock: data_dir_lock,
    })
}

/// Sets up every accepted connection for long-lived streams and short answers.
///
/// TCP_NODELAY: with Nagle's algorithm on, the last short segment of a response waited for the
/// client's delayed ACK, about 40 ms a response on loopback whatever its size (a first sync is
/// hundreds of responses in a row). Keepalive probes and a user timeout: a peer that vanished
/// without closing (a laptop lid, a dropped Wi-Fi) is noticed within about half a minute, so
/// its stream ends and a customer who left does not stay "online" (replies are emailed to
/// customers who are not).
#[derive(Debug, Clone, Copy)]
struct LiveAcceptor;

/// How long a connection may go without an answer to keepalive probes or to sent data.
pub const DEAD_PEER_AFTER: Duration = Duration::from_secs(30);

impl<S> Accept<tokio::net::TcpStream, S> for LiveAcceptor {
    type Stream = tokio::net::TcpStream;
    type Service = S;
    type Future = std::future::Ready<std::io::Result<(Self::Stream, S)>>;

    fn accept(&self, stream: tokio::net::TcpStream, service: S) -> Self::Future {
        let setup = || -> std::io::Result<()> {
            stream.set_nodelay(true)?;
            let socket = socket2::SockRef::from(&stream);
            let keepalive = socket2::TcpKeepalive::new()
                .with_time(Duration::from_secs(15))
                .with_interval(Duration::from_secs(5));
            #[cfg(any(target_os = "linux", target_os = "macos", target_os = "windows"))]
            let keepalive = keepalive.with_retries(3);
            socket.set_tcp_keepalive(&keepalive)?;
            #[cfg(target_os = "linux")]
            socket.set_tcp_user_timeout(Some(DEAD_PEER_AFTER))?;
            Ok(())
        };
        std::future::ready(setup().map(|()| (stream, service)))
    }
}

/// Forgets what is past keeping (`mutations::prune`), at start and then hourly.
async fn prune_forever(state: AppState) {
    let mut hourly = tokio::time::interval(Duration::from_secs(3600));
    loop {
        hourly.tick().await;
        match state
            .db
            .write(|tx| mutations::prune(tx, clock::now_ms()))
            .await
        {
            Ok(removed) if removed > 0 => tracing::info!(removed, "pruned expired rows"),
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "pruning failed; trying again in an hour"),
        }
    }
}

/// The whole HTTP application.
pub fn app(state: AppState) -> axum::Router {
    let (api, _) = api::router();
    let spec = api::openapi_json();
    api.route(
        "/api/v1/openapi.json",
        axum::routing::get(move || async move {
            ([(header::CONTENT_TYPE, "application/json")], spec.clone())
        }),
    )
    .merge(api::web::router())
    .method_not_allowed_fallback(|| async {
        Error::problem(
            StatusCode::METHOD_NOT_ALLOWED,
            ProblemCode::MethodNotAllowed,
            "this method is not allowed here",
        )
    })
    // Every JSON body is small; uploads read their own body under their own limit.
    .layer(axum::extract::DefaultBodyLimit::max(
        inbox_protocol::MAX_JSON_BODY_BYTES,
    ))
    .layer(SetResponseHeaderLayer::overriding(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    ))
    .layer(SetResponseHeaderLayer::overriding(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    ))
    // HSTS only with the shop's own certificate: the local CA's is for `localhost`, where a
    // browser that honoured a year of HSTS would force HTTPS on every other local port too.
    .layer(axum::middleware::from_fn_with_state(
        state.hsts,
        |axum::extract::State(hsts): axum::extract::State<bool>,
         request: axum::extract::Request,
         next: axum::middleware::Next| async move {
            let mut response = next.run(request).await;
            if hsts {
                response.headers_mut().insert(
                    header::STRICT_TRANSPORT_SECURITY,
                    HeaderValue::from_static("max-age=31536000"),
                );
            }
            response
        },
    ))
    // The storefront API only, for the sites the shop named (the embedded widget).
    .layer(axum::middleware::from_fn_with_state(
        state.allowed_origins.clone(),
        api::cors::storefront,
    ))
    .with_state(state)
}
