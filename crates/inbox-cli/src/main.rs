//! `inbox`: the Inbox on the command line. Sign in, sync once or stay live, list, show and
//! search conversations (from the local mirror, so offline too), reply, close, reopen, mark
//! unread and assign.
//!
//! A thin shell over `inbox-core`: every command is a call into [`inbox_core::Inbox`] and a
//! rendering of what it returns. It owns only what a terminal needs: arguments, the password
//! prompt, where the token is kept, the progress bar and the words on screen. No SQL, no HTTP.
//!
//! Exit codes: 0 done, 1 an error (one line on stderr, `error: ...`), 2 a usage error.

mod render;

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use clap::{ArgGroup, Parser, Subcommand};
use inbox_core::desktop_notify::Deliverer;
use inbox_core::notifications::Lang;
use inbox_core::session::{self, DataDir, SIGNED_OUT, SignedIn, SignedOut};
use inbox_core::snooze::SnoozeKind;
use inbox_core::{Account, Assignment, Event, Folder, Inbox, ListFilter, SendState, SyncState};
use inbox_protocol::ConversationStatus;
use serde_json::json;

use crate::render::{People, Style};

#[derive(Debug, Parser)]
#[command(
    name = "inbox",
    version,
    about = "The shop's customer inbox, in a terminal",
    after_help = "Lists, `show` and `search` read the local mirror and work offline. The token \
        is kept in the OS keychain; with no keychain at all it goes to a file in the data dir \
        that only you can read (INBOX_TOKEN_STORE=file asks for that, =keychain forbids it)."
)]
struct Cli {
    /// Where the account and the local mirror are kept [default: the OS data directory]
    #[arg(long, global = true, value_name = "DIR", env = "INBOX_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Print JSON (listings print the engine's view types)
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Sign in to a shop; the password is asked for, or read from stdin when it is not a
    /// terminal
    Login {
        /// The shop's address, e.g. https://shop.example:8443
        #[arg(long, value_name = "URL")]
        server: String,
        /// A CA certificate (PEM) to trust for this shop instead of the system's roots
        #[arg(long, value_name = "PATH")]
        ca: Option<PathBuf>,
        #[arg(long, value_name = "EMAIL")]
        email: String,
    },
    /// Sign out: revoke the token at the shop and forget it here
    Logout,
    /// Catch up with the shop once, then deliver queued replies and actions
    Sync {
        /// Changes per page (tests use small pages to interrupt a sync part-way)
        #[arg(long, hide = true)]
        page_size: Option<u32>,
    },
    /// Stay live and print what happens until Ctrl-C; what is for you also shows as a desktop
    /// notification
    Watch {
        /// Don't show desktop notifications
        #[arg(long)]
        no_notify: bool,
        /// The conversation you are answering elsewhere: it never notifies
        #[arg(long, value_name = "ID")]
        focus: Option<i64>,
    },
    /// Desktop notifications: a test, pause and resume, previews and quiet hours
    Notify {
        #[command(subcommand)]
        command: NotifyCommand,
    },
    /// List conversations, newest activity first (open ones unless --snoozed or --closed)
    #[command(group(ArgGroup::new("status").args(["open", "snoozed", "closed"])))]
    #[command(group(ArgGroup::new("who").args(["mine", "unassigned"])))]
    Conversations {
        /// Open conversations (the default)
        #[arg(long)]
        open: bool,
        /// Snoozed conversations (open, set aside until a time)
        #[arg(long)]
        snoozed: bool,
        /// Closed conversations
        #[arg(long)]
        closed: bool,
        /// Only conversations assigned to you
        #[arg(long)]
        mine: bool,
        /// Only conversations nobody is assigned to
        #[arg(long)]
        unassigned: bool,
        /// At most this many
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Show a conversation: messages and cart events, oldest first
    Show { id: i64 },
    /// Search messages, customer names and emails, in open and closed conversations
    Search {
        #[arg(required = true, num_args = 1.., value_name = "QUERY")]
        query: Vec<String>,
        /// At most this many conversations
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Reply to a conversation (`-` reads the text from stdin)
    Send {
        id: i64,
        #[arg(required = true, num_args = 1.., value_name = "TEXT")]
        text: Vec<String>,
    },
    /// Close a conversation
    Close { id: i64 },
    /// Reopen a closed conversation
    Reopen { id: i64 },
    /// Mark a conversation unread for you
    Unread { id: i64 },
    /// Snooze an open conversation until a time in the shop's time zone; it comes back to the
    /// open list then, or when the customer writes
    #[command(group(ArgGroup::new("when").required(true).args(["later_today", "tomorrow", "next_week", "until", "end"])))]
    #[command(
        override_usage = "inbox snooze <ID> <--later-today|--tomorrow|--next-week|--until 'YYYY-MM-DD HH:MM'|--end>"
    )]
    Snooze {
        id: i64,
        /// In three hours, on the hour (while that is still today)
        #[arg(long)]
        later_today: bool,
        /// Tomorrow at 09:00
        #[arg(long)]
        tomorrow: bool,
        /// Next Monday at 09:00
        #[arg(long)]
        next_week: bool,
        /// A date and time, `2026-12-24 09:30`
        #[arg(long, value_name = "DATE TIME")]
        until: Option<String>,
        /// End the snooze: back to the open list now
        #[arg(long)]
        end: bool,
    },
    /// Assign a conversation to a staff member (by email), to yourself, or to nobody
    #[command(group(ArgGroup::new("assignee").required(true).args(["email", "me", "none"])))]
    #[command(override_usage = "inbox assign <ID> <STAFF_EMAIL|--me|--none>")]
    Assign {
        id: i64,
        #[arg(value_name = "STAFF_EMAIL")]
        email: Option<String>,
        #[arg(long)]
        me: bool,
        #[arg(long)]
        none: bool,
    },
    /// List the shop's staff and who can chat
    Staff,
}

#[derive(Debug, Subcommand)]
enum NotifyCommand {
    /// Show a test notification now (even while paused or in quiet hours)
    Test,
    /// Pause notifications for a while (what arrives meanwhile is not shown later)
    Pause {
        /// How long, in minutes
        #[arg(default_value_t = 60, value_name = "MINUTES")]
        minutes: u32,
    },
    /// Resume paused notifications
    Resume,
    /// Show the settings, or change them
    Settings {
        /// Show message text in notifications, or only who wrote
        #[arg(long, value_name = "on|off", value_parser = on_off)]
        previews: Option<bool>,
        /// Do-not-disturb hours, local time, e.g. 22:00-07:00
        #[arg(long, value_name = "HH:MM-HH:MM", conflicts_with = "no_quiet_hours")]
        quiet_hours: Option<String>,
        /// No do-not-disturb hours
        #[arg(long)]
        no_quiet_hours: bool,
    },
}

fn on_off(text: &str) -> Result<bool, String> {
    match text {
        "on" | "yes" | "true" => Ok(true),
        "off" | "no" | "false" => Ok(false),
        _ => Err("say on or off".into()),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => return fail(&anyhow!(e).context("can't start")),
    };
    let result = runtime.block_on(run(cli));
    // Don't wait for blocked stdin readers and the like.
    runtime.shutdown_timeout(Duration::from_millis(200));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

/// Prints an error as one line and gives exit code 1. The shop's words in it (a refusal's
/// detail) are made safe for the terminal.
fn fail(error: &anyhow::Error) -> ExitCode {
    eprintln!("error: {}", render::safe_line(&message(error)));
    ExitCode::FAILURE
}

fn message(error: &anyhow::Error) -> String {
    for cause in error.chain() {
        if let Some(inbox_core::Error::SignedOut(_)) = cause.downcast_ref::<inbox_core::Error>() {
            return SIGNED_OUT.to_owned();
        }
    }
    format!("{error:#}")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Writes text to stdout, made safe for a terminal on the way ([`render::safe`]): whatever a
/// renderer missed, no control sequence from the shop gets through.
fn out(text: &str) -> Result<()> {
    write_stdout(&render::safe(text))
}

/// Writes to stdout as it is: only for text whose every piece from the shop was made safe
/// already and that carries the CLI's own styling (search hits in bold).
fn out_styled(text: &str) -> Result<()> {
    write_stdout(text)
}

/// A value as one line of JSON ([`render::safe_json`]), for `watch --json`.
fn out_json_line<T: serde::Serialize>(value: &T) -> Result<()> {
    let json = serde_json::to_string(value)?;
    write_stdout(&format!("{}\n", render::safe_json(&json)))
}

/// Writes to stdout. A reader that went away (`| head`) ends the program quietly, as a
/// default SIGPIPE would: the mirror is crash-safe, and there is no one left to tell.
fn write_stdout(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush())
    {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        other => Ok(other?),
    }
}

fn out_json<T: serde::Serialize>(value: &T) -> Result<()> {
    let json = serde_json::to_string_pretty(value)?;
    write_stdout(&format!("{}\n", render::safe_json(&json)))
}

async fn run(cli: Cli) -> Result<()> {
    let data = DataDir::new(cli.data_dir)?;
    let json = cli.json;
    match cli.command {
        Command::Login { server, ca, email } => login(&data, json, &server, ca, &email).await,
        Command::Logout => logout(&data, json).await,
        Command::Sync { page_size } => sync(&data, json, page_size).await,
        Command::Watch { no_notify, focus } => watch(&data, json, !no_notify, focus).await,
        Command::Notify { command } => notify(&data, json, command).await,
        Command::Conversations {
            closed,
            snoozed,
            mine,
            unassigned,
            limit,
            ..
        } => {
            let filter = ListFilter {
                status: if closed {
                    Folder::Closed
                } else if snoozed {
                    Folder::Snoozed
                } else {
                    Folder::Open
                },
                assignment: if mine {
                    Assignment::Mine
                } else if unassigned {
                    Assignment::Unassigned
                } else {
                    Assignment::All
                },
                limit,
                offset: 0,
            };
            conversations(&data, json, filter).await
        }
        Command::Show { id } => show(&data, json, id).await,
        Command::Search { query, limit } => search(&data, json, &query.join(" "), limit).await,
        Command::Send { id, text } => {
            let text = if text.len() == 1 && text[0] == "-" {
                let mut text = String::new();
                std::io::stdin()
                    .read_to_string(&mut text)
                    .context("can't read the reply from stdin")?;
                text
            } else {
                text.join(" ")
            };
            act(&data, json, id, Act::Reply(text)).await
        }
        Command::Close { id } => {
            act(&data, json, id, Act::Status(ConversationStatus::Closed)).await
        }
        Command::Reopen { id } => act(&data, json, id, Act::Status(ConversationStatus::Open)).await,
        Command::Unread { id } => act(&data, json, id, Act::Unread).await,
        Command::Snooze {
            id,
            later_today,
            tomorrow,
            next_week,
            until,
            end,
        } => {
            let when = match (until, end) {
                (Some(text), _) => Some(SnoozeAt::Written(text)),
                (None, true) => None,
                (None, false) if later_today => Some(SnoozeAt::Choice(SnoozeKind::LaterToday)),
                (None, false) if tomorrow => Some(SnoozeAt::Choice(SnoozeKind::Tomorrow)),
                (None, false) if next_week => Some(SnoozeAt::Choice(SnoozeKind::NextWeek)),
                (None, false) => bail!("say until when: --tomorrow, --until … or --end"),
            };
            act(&data, json, id, Act::Snooze(when)).await
        }
        Command::Assign {
            id,
            email,
            me,
            none: _,
        } => {
            let to = match (email, me) {
                (Some(email), _) => Assignee::Email(email),
                (None, true) => Assignee::Me,
                (None, false) => Assignee::Nobody,
            };
            act(&data, json, id, Act::Assign(to)).await
        }
        Command::Staff => staff(&data, json).await,
    }
}

/// Reads the password: a prompt without echo on a terminal, else the first line of stdin.
fn read_password(email: &str) -> Result<String> {
    let password = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(format!("Password for {email}: "))
            .context("can't read the password")?
    } else {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .context("can't read the password from stdin")?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    };
    if password.is_empty() {
        bail!("no password given");
    }
    Ok(password)
}

async fn login(
    data: &DataDir,
    json: bool,
    server: &str,
    ca: Option<PathBuf>,
    email: &str,
) -> Result<()> {
    let email_owned = email.to_owned();
    let password = tokio::task::spawn_blocking(move || read_password(&email_owned)).await??;
    let SignedIn { account, saved } = session::sign_in(data, server, ca, email, &password).await?;
    if let Some(warning) = &saved.warning {
        eprintln!("{warning}");
    }
    if json {
        out_json(&json!({
            "account": account,
            "token_store": saved.place,
        }))
    } else {
        out(&format!(
            "Signed in to {} as {} <{}>. The token is kept in {}.\nRun `inbox sync` to fetch conversations.\n",
            account.shop_url,
            render::safe_line(&account.staff.name),
            render::safe_line(&account.staff.email),
            saved.place
        ))
    }
}

async fn logout(data: &DataDir, json: bool) -> Result<()> {
    let SignedOut {
        account,
        revoked,
        warning,
    } = session::sign_out(data).await?;
    if let Some(warning) = warning {
        eprintln!(
            "warning: {}; it is forgotten here all the same",
            render::safe_line(&warning)
        );
    }
    match (json, account) {
        (true, None) => out_json(&json!({ "signed_out": true })),
        (true, Some(_)) => out_json(&json!({ "signed_out": true, "revoked": revoked })),
        (false, None) => out("You were not signed in.\n"),
        (false, Some(account)) => out(&format!(
            "Signed out {} from {}.\n",
            render::safe_line(&account.staff.email),
            account.shop_url
        )),
    }
}

/// The mirror, for reading: no token and no network needed.
fn open_offline(data: &DataDir) -> Result<Inbox> {
    let account = data.require_account()?;
    Ok(Inbox::open(&data.path, account, None)?)
}

/// The stored token of the current account, if any.
async fn token(data: &DataDir, account: &Account) -> Result<Option<String>> {
    Ok(session::load_token(data, account).await?)
}

/// The mirror with the token, for talking to the shop.
async fn open_online(data: &DataDir) -> Result<Inbox> {
    let account = data.require_account()?;
    let token = token(data, &account)
        .await?
        .ok_or_else(|| anyhow!(SIGNED_OUT))?;
    Ok(Inbox::open(&data.path, account, Some(token))?)
}

/// Says, on stderr, when a listing is empty because nothing was ever synced.
async fn hint_if_never_synced(inbox: &Inbox) -> Result<()> {
    if inbox.position().await?.last_synced_at.is_none() {
        eprintln!("note: nothing has been synced yet; run `inbox sync`");
    }
    Ok(())
}

async fn sync(data: &DataDir, json: bool, page_size: Option<u32>) -> Result<()> {
    let inbox = open_online(data).await?;
    if let Some(changes) = page_size {
        inbox.set_sync_page_size(changes);
    }
    let bar = if !json && std::io::stderr().is_terminal() {
        indicatif::ProgressBar::new_spinner()
    } else {
        indicatif::ProgressBar::hidden()
    };
    bar.set_message("connecting");
    bar.enable_steady_tick(Duration::from_millis(120));
    let mut events = inbox.events();
    let progress = {
        let bar = bar.clone();
        tokio::spawn(async move {
            while let Some(event) = events.next().await {
                if let Event::SyncState(SyncState::Syncing { done, total }) = event {
                    if let Some(total) = total
                        && bar.length() != Some(total)
                    {
                        bar.set_style(
                            indicatif::ProgressStyle::with_template(
                                "syncing {bar:32} {pos}/{len} changes, {eta} left",
                            )
                            .expect("a valid template"),
                        );
                        bar.set_length(total);
                    }
                    bar.set_message("syncing");
                    bar.set_position(done);
                }
            }
        })
    };
    let synced = inbox.sync_once().await;
    progress.abort();
    bar.finish_and_clear();
    synced?;
    let delivered = inbox.flush_outbox().await?;
    if delivered > 0 {
        // What the deliveries changed at the shop (a conversation's last activity, read
        // states) comes back through the feed: leave the mirror current.
        inbox.sync_once().await?;
    }
    let outbox = inbox.outbox().await?;
    let pending = outbox
        .iter()
        .filter(|e| e.state == SendState::Pending)
        .count();
    let failed = outbox.len() - pending;
    if json {
        return out_json(&json!({
            "synced_at": inbox.position().await?.last_synced_at,
            "delivered": delivered,
            "pending": pending,
            "failed": failed,
        }));
    }
    let mut text = String::from("Up to date.");
    if delivered > 0 {
        text.push_str(&format!(
            " Delivered {delivered} queued {}.",
            plural(delivered, "action")
        ));
    }
    text.push('\n');
    out(&text)?;
    if pending > 0 {
        eprintln!(
            "note: {pending} {} still queued: the shop could not take {} now",
            plural(pending, "action"),
            if pending == 1 { "it" } else { "them" }
        );
    }
    if failed > 0 {
        eprintln!(
            "warning: the shop refused {failed} {}; `inbox show ID` marks {} failed",
            plural(failed, "action"),
            if failed == 1 { "it" } else { "them" }
        );
    }
    Ok(())
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        word.to_owned()
    } else {
        format!("{word}s")
    }
}

/// The language notifications are written in: Swedish when the locale says so.
fn notification_lang() -> Lang {
    let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
        .unwrap_or_default();
    if locale.starts_with("sv") {
        Lang::Sv
    } else {
        Lang::En
    }
}

async fn watch(data: &DataDir, json: bool, notify: bool, focus: Option<i64>) -> Result<()> {
    let inbox = open_online(data).await?;
    let mut events = inbox.events();
    // Opened before the engine starts, so the first catch-up is decided too.
    let mut notifications = notify.then(|| inbox.notifications());
    inbox.set_notification_language(notification_lang());
    inbox.set_focused_conversation(focus);
    let (deliverer, mut clicks) = Deliverer::new();
    inbox.start();
    if !json {
        eprintln!("Watching {}; Ctrl-C to stop.", inbox.account().shop_url);
    }
    let mut warned = false;
    // One Ctrl-C future for the whole loop: a new one each turn would miss a signal that
    // arrives while a turn is busy (showing a notification, say).
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let result = async {
        loop {
            let next = async {
                match notifications.as_mut() {
                    Some(stream) => stream.recv().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = &mut ctrl_c => return Ok(()),
                event = events.next() => {
                    let Some(event) = event else { return Ok(()) };
                    if json {
                        out_json_line(&event)?;
                    } else {
                        describe(&inbox, &event).await?;
                    }
                    if event == Event::SyncState(SyncState::SignedOut) {
                        return Err(anyhow!(SIGNED_OUT));
                    }
                }
                Some(notification) = next => {
                    let shown = match deliverer.show(&notification).await {
                        Ok(id) => Some(id),
                        Err(error) => {
                            if !warned {
                                warned = true;
                                eprintln!(
                                    "warning: {}; notifications print here only \
                                     (`inbox watch --no-notify` stops trying)",
                                    render::safe_line(&error.to_string())
                                );
                            }
                            None
                        }
                    };
                    if json {
                        out_json_line(
                            &json!({"event": "notification", "shown": shown, "notification": notification}),
                        )?;
                    } else {
                        out(&format!("{}\n", render::notification(&notification)))?;
                    }
                }
                Some(click) = clicks.recv() => {
                    if json {
                        out_json_line(
                            &json!({"event": "notification_clicked", "conversation_id": click.conversation_id, "action": click.action}),
                        )?;
                    } else if let Some(id) = click.conversation_id {
                        out(&format!("notification clicked: `inbox show {id}` opens it\n"))?;
                    }
                }
            }
        }
    }
    .await;
    inbox.stop();
    result
}

async fn notify(data: &DataDir, json: bool, command: NotifyCommand) -> Result<()> {
    let inbox = open_offline(data)?;
    inbox.set_notification_language(notification_lang());
    let settings = match command {
        NotifyCommand::Test => {
            let mut stream = inbox.notifications();
            inbox.send_test_notification();
            let test = stream.recv().await.context("no test notification")?;
            let (deliverer, _clicks) = Deliverer::new();
            let id = deliverer.show(&test).await?;
            return if json {
                out_json(&json!({"shown": id, "notification": test}))
            } else {
                out(&format!("Sent a test notification: {}\n", test.body()))
            };
        }
        NotifyCommand::Pause { minutes } => {
            inbox.pause_notifications(Duration::from_secs(u64::from(minutes) * 60))?
        }
        NotifyCommand::Resume => inbox.resume_notifications()?,
        NotifyCommand::Settings {
            previews,
            quiet_hours,
            no_quiet_hours,
        } => {
            let mut settings = inbox.notification_settings();
            if let Some(previews) = previews {
                settings.previews = previews;
            }
            if let Some(hours) = quiet_hours {
                settings.quiet_hours = Some(hours.parse()?);
            }
            if no_quiet_hours {
                settings.quiet_hours = None;
            }
            if previews.is_some()
                || settings.quiet_hours != inbox.notification_settings().quiet_hours
            {
                inbox.set_notification_settings(settings.clone())?;
            }
            settings
        }
    };
    if json {
        return out_json(&settings);
    }
    out(&render::notification_settings(
        &settings,
        inbox.notification_silence(),
    ))
}

/// One event in words, for `watch`.
async fn describe(inbox: &Inbox, event: &Event) -> Result<()> {
    match event {
        Event::SyncState(state) => out(&format!("{}\n", render::sync_state(state))),
        Event::Synced {
            messages,
            live: true,
            ..
        } => {
            for arrived in messages {
                if let Ok(view) = inbox.conversation(arrived.conversation_id).await
                    && let Some(line) = render::arrival(&view, arrived.message_id)
                {
                    out(&format!("{line}\n"))?;
                }
            }
            Ok(())
        }
        Event::Synced {
            messages,
            conversations,
            live: false,
            ..
        } => {
            if messages.is_empty() {
                return Ok(());
            }
            out(&format!(
                "caught up on {} customer {} in {} {}\n",
                messages.len(),
                plural(messages.len(), "message"),
                conversations.len(),
                plural(conversations.len(), "conversation"),
            ))
        }
        Event::OutboxChanged {
            id,
            conversation_id,
        } => {
            let entry = inbox.outbox().await?.into_iter().find(|e| e.id == *id);
            let place = conversation_id
                .map(|c| format!(" in #{c}"))
                .unwrap_or_default();
            match entry.map(|e| e.state) {
                None => out(&format!("delivered queued action {id}{place}\n")),
                Some(SendState::Failed { detail, .. }) => out(&format!(
                    "the shop refused queued action {id}{place}: {}\n",
                    render::safe_line(&detail)
                )),
                Some(_) => Ok(()),
            }
        }
        other => match render::other_event(other) {
            Some(line) => out(&format!("{line}\n")),
            None => Ok(()),
        },
    }
}

async fn conversations(data: &DataDir, json: bool, filter: ListFilter) -> Result<()> {
    let inbox = open_offline(data)?;
    let list = inbox.conversations(filter.clone()).await?;
    if json {
        return out_json(&list);
    }
    if list.is_empty() {
        hint_if_never_synced(&inbox).await?;
        let status = match filter.status {
            Folder::Open => "open",
            Folder::Snoozed => "snoozed",
            Folder::Closed => "closed",
        };
        return out(&format!("No {status} conversations.\n"));
    }
    let staff = inbox.staff().await?;
    let people = People::new(&staff, inbox.account().staff.id);
    out(&render::conversations(&list, &people))
}

async fn show(data: &DataDir, json: bool, id: i64) -> Result<()> {
    let inbox = open_offline(data)?;
    let view = match inbox.conversation(id).await {
        Err(inbox_core::Error::NotFound(_)) => {
            bail!("there is no conversation {id} here; `inbox sync` fetches new ones")
        }
        other => other?,
    };
    if json {
        return out_json(&view);
    }
    let staff = inbox.staff().await?;
    let people = People::new(&staff, inbox.account().staff.id);
    out(&render::conversation(&view, &people))
}

async fn search(data: &DataDir, json: bool, query: &str, limit: usize) -> Result<()> {
    let inbox = open_offline(data)?;
    let hits = inbox.search(query, limit).await?;
    if json {
        return out_json(&hits);
    }
    if hits.is_empty() {
        hint_if_never_synced(&inbox).await?;
        return out(&format!("Nothing matches {query:?}.\n"));
    }
    out_styled(&render::search_hits(&hits, Style::stdout()))
}

async fn staff(data: &DataDir, json: bool) -> Result<()> {
    let inbox = open_offline(data)?;
    let staff = inbox.staff().await?;
    if json {
        return out_json(&staff);
    }
    if staff.is_empty() {
        hint_if_never_synced(&inbox).await?;
    }
    out(&render::staff(&staff, inbox.account().staff.id))
}

#[derive(Debug)]
enum Assignee {
    Email(String),
    Me,
    Nobody,
}

#[derive(Debug)]
enum Act {
    Reply(String),
    Status(ConversationStatus),
    Unread,
    Assign(Assignee),
    /// Until a time, or `None` to end the snooze.
    Snooze(Option<SnoozeAt>),
}

#[derive(Debug)]
enum SnoozeAt {
    Choice(SnoozeKind),
    /// `2026-12-24 09:30` in the shop's time zone.
    Written(String),
}

/// Queues an action through the outbox and, when the shop can be reached, delivers it before
/// returning. Offline it stays queued for the next `sync` or `watch`.
async fn act(data: &DataDir, json: bool, id: i64, act: Act) -> Result<()> {
    let account = data.require_account()?;
    let token = token(data, &account).await?;
    let signed_in = token.is_some();
    let inbox = Inbox::open(&data.path, account, token)?;
    let view = match inbox.conversation(id).await {
        Err(inbox_core::Error::NotFound(_)) => {
            bail!("there is no conversation {id} here; `inbox sync` fetches new ones")
        }
        other => other?,
    };
    let customer = view
        .customer
        .as_ref()
        .map(|c| render::safe_line(&c.name).into_owned())
        .unwrap_or_else(|| "the customer".into());
    // What was done, and what is waiting, in words.
    let (outbox_id, done, waiting) = match act {
        Act::Reply(text) => (
            inbox.reply(id, &text).await?,
            format!("Sent the reply to {customer} (#{id})."),
            format!("The reply to {customer} (#{id})"),
        ),
        Act::Status(status) => (
            inbox.set_status(id, status).await?,
            match status {
                ConversationStatus::Closed => format!("Closed #{id}."),
                ConversationStatus::Open => format!("Reopened #{id}."),
            },
            match status {
                ConversationStatus::Closed => format!("Closing #{id}"),
                ConversationStatus::Open => format!("Reopening #{id}"),
            },
        ),
        Act::Unread => (
            inbox.set_unread(id, true).await?,
            format!("Marked #{id} unread."),
            format!("Marking #{id} unread"),
        ),
        Act::Snooze(None) => (
            inbox.snooze(id, None).await?,
            format!("#{id} is no longer snoozed."),
            format!("Ending the snooze of #{id}"),
        ),
        Act::Snooze(Some(when)) => {
            let choices = inbox.snooze_choices().await?;
            let until = match when {
                SnoozeAt::Choice(kind) => choices
                    .choices
                    .iter()
                    .find(|c| c.kind == kind)
                    .map(|c| c.until)
                    .ok_or_else(|| {
                        anyhow!(
                            "it is too late in the day to snooze until later today; try --tomorrow"
                        )
                    })?,
                SnoozeAt::Written(text) => {
                    let (date, time) = text.trim().split_once([' ', 'T']).ok_or_else(|| {
                        anyhow!("--until takes a date and a time: '2026-12-24 09:30'")
                    })?;
                    inbox.snooze_time(date, time).await?
                }
            };
            let at = jiff::Timestamp::from_millisecond(until)?
                .to_zoned_datetime(inbox_core::snooze::zone(Some(&choices.time_zone)))
                .strftime("%a %-d %b %H:%M")
                .to_string();
            let zone = if choices.time_zone.is_empty() {
                String::new()
            } else {
                format!(" ({})", choices.time_zone)
            };
            (
                inbox.snooze(id, Some(until)).await?,
                format!("Snoozed #{id} until {at}{zone}."),
                format!("Snoozing #{id} until {at}{zone}"),
            )
        }
        Act::Assign(to) => {
            let (staff_id, name) = match to {
                Assignee::Me => (Some(inbox.account().staff.id), "you".to_owned()),
                Assignee::Nobody => (None, "nobody".to_owned()),
                Assignee::Email(email) => {
                    let staff = inbox.staff().await?;
                    let member = staff
                        .iter()
                        .find(|s| s.email.eq_ignore_ascii_case(email.trim()))
                        .ok_or_else(|| {
                            anyhow!(
                                "no staff member has the email {email}; `inbox staff` lists them"
                            )
                        })?;
                    (
                        Some(member.id),
                        render::safe_line(&member.name).into_owned(),
                    )
                }
            };
            (
                inbox.assign(id, staff_id).await?,
                format!("Assigned #{id} to {name}."),
                format!("Assigning #{id} to {name}"),
            )
        }
    };
    let flushed = if signed_in {
        inbox.flush_outbox().await.map(|_| ())
    } else {
        Err(inbox_core::Error::SignedOut("no token".into()))
    };
    let state = inbox
        .outbox()
        .await?
        .into_iter()
        .find(|e| e.id == outbox_id)
        .map(|e| e.state);
    let (word, detail) = match &state {
        None => ("delivered", None),
        Some(SendState::Pending) => ("queued", None),
        Some(SendState::Failed { detail, .. }) => ("failed", Some(detail.clone())),
        Some(SendState::Sent) => ("delivered", None),
    };
    if json {
        out_json(&json!({
            "conversation_id": id,
            "outbox_id": outbox_id,
            "state": word,
            "detail": detail,
        }))?;
    }
    match (state, flushed) {
        (None | Some(SendState::Sent), _) => {
            if !json {
                out(&format!("{done}\n"))?;
            }
            Ok(())
        }
        (Some(SendState::Failed { detail, code }), _) => {
            Err(anyhow!("the shop refused it: {detail} ({code})"))
        }
        (Some(SendState::Pending), Err(e @ inbox_core::Error::SignedOut(_))) => {
            if !json {
                out(&format!(
                    "{waiting} is queued; it will be sent once you sign in again and sync.\n"
                ))?;
            }
            Err(e.into())
        }
        (Some(SendState::Pending), Err(e)) => Err(e.into()),
        (Some(SendState::Pending), Ok(())) => {
            if !json {
                out(&format!(
                    "{waiting} is queued: the shop can't be reached now; it will be sent on the next `inbox sync` or `inbox watch`.\n"
                ))?;
            }
            Ok(())
        }
    }
}
