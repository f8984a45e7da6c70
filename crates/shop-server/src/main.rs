//! `shop-server`: runs the reference shop over HTTPS and announces where it is as one JSON line.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use shop_server::{Config, TlsFiles};

/// The reference shop server for Inbox: the Inbox API, a storefront chat widget and demo data.
#[derive(Debug, Parser)]
#[command(
    version,
    subcommand_negates_reqs = true,
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: Args,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Moves a shop to another database, with its ids, change log and history, so desktops
    /// keep their mirrors: `migrate --from sqlite:/var/lib/shop/shop.db --to postgres://…`.
    /// Stop the server first; the destination must be empty.
    Migrate {
        /// `sqlite:PATH` or `postgres://user@host:port/name`.
        #[arg(long, value_parser = parse_store)]
        from: shop_server::storage::Database,
        /// `sqlite:PATH` or `postgres://user@host:port/name`.
        #[arg(long, value_parser = parse_store)]
        to: shop_server::storage::Database,
    },
}

fn parse_store(text: &str) -> Result<shop_server::storage::Database, String> {
    if let Some(path) = text.strip_prefix("sqlite:") {
        Ok(shop_server::storage::Database::Sqlite(PathBuf::from(path)))
    } else {
        parse_database(text).map(shop_server::storage::Database::Postgres)
    }
}

#[derive(Debug, clap::Args)]
struct Args {
    /// Where the database, uploads and the local certificate authority live.
    /// (Required to serve.)
    #[arg(long)]
    data_dir: Option<PathBuf>,
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
    /// The shop's IANA time zone, set when the shop is created: snoozes until "tomorrow
    /// 09:00" end at 09:00 there.
    #[arg(long, value_name = "ZONE", default_value = shop_server::demo::TIME_ZONE, value_parser = parse_time_zone)]
    time_zone: String,
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

/// Copies a shop between databases and says what it copied.
fn migrate(
    from: shop_server::storage::Database,
    to: shop_server::storage::Database,
) -> anyhow::Result<()> {
    use shop_server::storage::{Db, copy};
    if let shop_server::storage::Database::Sqlite(path) = &from {
        anyhow::ensure!(
            path.exists(),
            "there is no SQLite shop at {}",
            path.display()
        );
    }
    let source = Db::connect(&from).context("opening the shop to move")?;
    let destination = Db::connect(&to).context("opening the destination")?;
    let copied = copy::copy(&source, &destination).context("moving the shop")?;
    for (table, rows) in copied {
        eprintln!("{table:>20}: {rows} rows");
    }
    eprintln!("moved; start the server with the new database");
    Ok(())
}

fn parse_time_zone(text: &str) -> Result<String, String> {
    jiff::tz::TimeZone::get(text)
        .map(|_| text.to_owned())
        .map_err(|e| format!("{text:?} is not a time zone this machine knows: {e}"))
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
    let cli = Cli::parse();
    if let Some(Command::Migrate { from, to }) = cli.command {
        // The blocking PostgreSQL client must not run on an async worker.
        return tokio::task::spawn_blocking(move || migrate(from, to)).await?;
    }
    let args = cli.serve;
    let Some(data_dir) = args.data_dir else {
        use clap::CommandFactory;
        Cli::command()
            .error(
                clap::error::ErrorKind::MissingRequiredArgument,
                "--data-dir is needed to serve a shop",
            )
            .exit();
    };
    let mut config = Config::new(&data_dir);
    config.listen = args.listen;
    config.demo = args.demo;
    config.simulate_per_minute = args.simulate;
    config.heartbeat = Duration::from_secs(args.heartbeat.clamp(1, 15));
    config.trusted_proxies = args.trust_proxy;
    config.allowed_origins = args.allowed_origin;
    config.database = args.database;
    config.media_dir = args.media_dir;
    config.presence_lease = Duration::from_secs(args.presence_lease);
    config.time_zone = args.time_zone;
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
