//! `shop-server`: runs the reference shop over HTTPS and announces where it is as one JSON line.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use shop_server::{Config, TlsFiles};

/// The reference shop server for Inbox: the Inbox API, a storefront chat widget and demo data.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Where the database, uploads and the local certificate authority live.
    #[arg(long)]
    data_dir: PathBuf,
    /// Address to listen on; port 0 picks a free one.
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Seed an empty shop with demo staff, products, customers and conversations.
    #[arg(long)]
    demo: bool,
    /// Keep demo customers chatting at this many messages per minute.
    #[arg(long, value_name = "N", default_value_t = 0)]
    simulate: u32,
    /// PEM certificate chain to serve instead of the local CA's certificate.
    #[arg(long, requires = "key")]
    cert: Option<PathBuf>,
    /// PEM private key for --cert.
    #[arg(long, requires = "cert")]
    key: Option<PathBuf>,
    /// Email replies to customers who left through this relay (`smtp://host:port`).
    #[arg(long, value_name = "URL")]
    smtp: Option<String>,
    /// The From address of those emails.
    #[arg(long, default_value = "Nordlys Studio <hej@nordlys.example>")]
    smtp_from: String,
    /// Seconds between heartbeats on idle live streams.
    #[arg(long, default_value_t = 10)]
    heartbeat: u64,
    /// A reverse proxy in front of this server (repeat for several): requests from it are counted
    /// by the client address it puts last in `X-Forwarded-For`, not by the proxy's own.
    #[arg(long = "trust-proxy", value_name = "IP")]
    trust_proxy: Vec<std::net::IpAddr>,
    /// A site that embeds the chat widget, as an origin (`https://shop.example`; repeat for
    /// several): the storefront API answers its pages' requests (CORS). Nothing else does.
    #[arg(long = "allowed-origin", value_name = "ORIGIN", value_parser = parse_origin)]
    allowed_origin: Vec<String>,
    /// Keep the shop in this PostgreSQL database (`postgres://user@host:port/name`) instead of
    /// the SQLite file in --data-dir; several servers may share one.
    #[arg(long, value_name = "URL", value_parser = parse_database)]
    database: Option<String>,
    /// Where uploads live; servers sharing a database share this too (a shared filesystem).
    /// Default: `media` in --data-dir.
    #[arg(long, value_name = "DIR")]
    media_dir: Option<PathBuf>,
    /// Seconds a customer stays online after the server holding their chat was last heard of
    /// (a server renews its leases every third of this).
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(3..=600))]
    presence_lease: u64,
}

fn parse_database(text: &str) -> Result<String, String> {
    if text.starts_with("postgres://") || text.starts_with("postgresql://") {
        Ok(text.to_owned())
    } else {
        Err(
            "give a postgres://user@host:port/name URL (without it, the shop is a SQLite file \
             in --data-dir)"
                .into(),
        )
    }
}

fn parse_origin(text: &str) -> Result<String, String> {
    shop_server::api::cors::parse_origin(text)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "shop_server=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let mut config = Config::new(&args.data_dir);
    config.listen = args.listen;
    config.demo = args.demo;
    config.simulate_per_minute = args.simulate;
    config.heartbeat = Duration::from_secs(args.heartbeat.clamp(1, 15));
    config.trusted_proxies = args.trust_proxy;
    config.allowed_origins = args.allowed_origin;
    config.database = args.database;
    config.media_dir = args.media_dir;
    config.presence_lease = Duration::from_secs(args.presence_lease);
    config.smtp = args.smtp.map(|url| shop_server::email::Smtp {
        url,
        from: args.smtp_from,
    });
    config.tls = match (args.cert, args.key) {
        (Some(cert), Some(key)) => Some(TlsFiles {
            cert,
            key,
            ca: None,
        }),
        _ => None,
    };
    let running = shop_server::start(config)
        .await
        .context("starting the shop server")?;
    println!("{}", serde_json::to_string(&running.announcement)?);
    tracing::info!(url = %running.url(), "serving");
    tokio::select! {
        result = running.wait() => result?,
        _ = tokio::signal::ctrl_c() => {}
    }
    Ok(())
}
