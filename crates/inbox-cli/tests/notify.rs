//! Desktop notifications end to end: the real shop, `inbox watch` as a child process, and a
//! recording notification server on a private session bus (no service activation, so
//! nothing but the recorder can answer). Each test asserts on what reached the bus.
//!
//! No timed assertions: waits are generous timeouts for something to happen, and "nothing
//! was shown" is checked after a later sentinel message, which the engine decides and
//! delivers in feed order, has reached the bus.

mod common;

use std::process::{Child, Stdio};
use std::time::Duration;

use common::*;
use inbox_core::desktop_notify::{CONVERSATION_HINT, KIND_HINT, MESSAGE_HINT};
use inbox_protocol::*;
use notify_recorder::{Recorded, Recorder};
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(60);

/// `inbox watch --json` with its session bus pointed at a recorder.
struct Watch {
    child: Child,
    lines: tokio::sync::mpsc::UnboundedReceiver<Value>,
}

impl Watch {
    /// Starts and waits until it is live.
    async fn start(cli: &Cli, recorder: &Recorder, args: &[&str]) -> Watch {
        let mut all = vec!["watch", "--json"];
        all.extend_from_slice(args);
        let mut command = cli.command(&all);
        command
            .env("DBUS_SESSION_BUS_ADDRESS", recorder.address())
            .env("LANG", "C.UTF-8")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .stderr(Stdio::inherit());
        let mut child = command.spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = tokio::sync::mpsc::unbounded_channel();
        std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                let value: Value = serde_json::from_str(&line)
                    .unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
                if tx.send(value).is_err() {
                    return;
                }
            }
        });
        let mut watch = Watch { child, lines };
        watch
            .until("live", |v| {
                v["event"] == "sync_state" && v["state"] == "live"
            })
            .await;
        watch
    }

    async fn until(&mut self, what: &str, check: impl Fn(&Value) -> bool) -> Value {
        tokio::time::timeout(WAIT, async {
            loop {
                let line = self.lines.recv().await.expect("watch keeps running");
                if check(&line) {
                    return line;
                }
            }
        })
        .await
        .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
    }

    /// Ctrl-C, and it ends cleanly.
    async fn stop(self) {
        let mut child = self.child;
        let pid = child.id().to_string();
        let status = tokio::task::spawn_blocking(move || {
            std::process::Command::new("kill")
                .args(["-INT", &pid])
                .status()
                .unwrap();
            child.wait().unwrap()
        })
        .await
        .unwrap();
        assert_eq!(status.code(), Some(0));
    }
}

/// The Notify calls about one customer message.
fn about_message(calls: &[Recorded], message_id: i64) -> Vec<Recorded> {
    let id = message_id.to_string();
    calls
        .iter()
        .filter(|c| c.hint(MESSAGE_HINT) == Some(id.as_str()))
        .cloned()
        .collect()
}

fn kind<'a>(calls: &'a [Recorded], kind: &str) -> Vec<&'a Recorded> {
    calls
        .iter()
        .filter(|c| c.hint(KIND_HINT) == Some(kind))
        .collect()
}

/// A conversation nobody is assigned to, to prove quiescence: a message in it notifies every
/// staff member, and arrives after everything posted before it.
struct Sentinel {
    customer: inbox_core::ApiClient,
    chat: ChatSession,
    sent: usize,
}

impl Sentinel {
    async fn new(shop: &Shop) -> Sentinel {
        let (customer, chat) = shop
            .customer("Sigrid Sentinel", "sentinel@example.se")
            .await;
        Sentinel {
            customer,
            chat,
            sent: 0,
        }
    }

    /// Posts a message and waits until each recorder has its notification.
    async fn pass(&mut self, recorders: &[&Recorder]) {
        self.sent += 1;
        let m = customer_says(
            &self.customer,
            &self.chat,
            &format!("sentinel {}", self.sent),
        )
        .await;
        for recorder in recorders {
            recorder
                .wait_until(WAIT, |calls| !about_message(calls, m.id).is_empty())
                .await
                .unwrap();
        }
    }
}

async fn assign(api: &inbox_core::ApiClient, conversation_id: i64, to: Option<i64>) {
    let _: Option<Conversation> = api
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/conversations/{conversation_id}/assignee"),
            &format!("assign-{conversation_id}-{to:?}-{}", rand_suffix()),
            Some(&SetAssignee { staff_id: to }),
        )
        .await
        .unwrap();
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

#[tokio::test(flavor = "multi_thread")]
async fn assignment_decides_who_is_notified_and_a_click_names_the_conversation() {
    let shop = Shop::start().await;
    let (me_cli, colleague_cli) = (Cli::new(), Cli::new());
    me_cli.login(&shop).await;
    colleague_cli.login_as(&shop, &shop.colleagues()[0]).await;
    // The first sync is done by `inbox sync`, which notifies no one.
    me_cli.run(&["sync"]).await.ok();
    colleague_cli.run(&["sync"]).await.ok();
    let (me_rec, colleague_rec) = (
        Recorder::start().await.unwrap(),
        Recorder::start().await.unwrap(),
    );
    let mut me = Watch::start(&me_cli, &me_rec, &[]).await;
    let colleague = Watch::start(&colleague_cli, &colleague_rec, &[]).await;
    let (_, my_session) = shop.api_as(shop.staff()).await;
    let (colleague_api, colleague_session) = shop.api_as(&shop.colleagues()[0]).await;
    let (maja_api, maja_session) = shop.api_as(&shop.colleagues()[1]).await;
    let mut sentinel = Sentinel::new(&shop).await;
    sentinel.pass(&[&me_rec, &colleague_rec]).await;

    // Unassigned: both of us are told, with the customer's name and the message.
    let (customer, chat) = shop.customer("Elsa Öberg", "elsa@example.se").await;
    let first = customer_says(&customer, &chat, "Hej! Finns tröjan i storlek M?").await;
    for recorder in [&me_rec, &colleague_rec] {
        let call = recorder
            .wait_for(WAIT, |c| {
                c.hint(MESSAGE_HINT) == Some(&first.id.to_string())
            })
            .await
            .unwrap();
        assert_eq!(call.app_name, "Inbox");
        assert_eq!(call.summary, "Elsa Öberg");
        assert_eq!(call.body, "Hej! Finns tröjan i storlek M?");
        assert_eq!(call.hint("category"), Some("im.received"));
        assert_eq!(call.hint("desktop-entry"), Some("inbox"));
        assert_eq!(
            call.hint(CONVERSATION_HINT),
            Some(chat.conversation_id.to_string().as_str())
        );
        assert_eq!(call.actions, ["default", "Open"]);
    }

    // My colleague assigns it to me: I am told so; then only I hear its messages, once each.
    assign(
        &colleague_api,
        chat.conversation_id,
        Some(my_session.staff.id),
    )
    .await;
    let assigned = me_rec
        .wait_for(WAIT, |c| c.hint(KIND_HINT) == Some("assigned"))
        .await
        .unwrap();
    assert_eq!(
        (assigned.summary.as_str(), assigned.body.as_str()),
        ("Elsa Öberg", "Assigned to you")
    );
    let second = customer_says(&customer, &chat, "Och i blått?").await;
    sentinel.pass(&[&me_rec, &colleague_rec]).await;
    let mine = about_message(&me_rec.calls(), second.id);
    assert_eq!(mine.len(), 1, "{mine:#?}");
    assert_eq!(mine[0].summary, "Elsa Öberg");
    assert_eq!(mine[0].body, "Och i blått?");
    assert!(about_message(&colleague_rec.calls(), second.id).is_empty());
    assert!(kind(&colleague_rec.calls(), "assigned").is_empty());

    // Reassigned to my colleague mid-conversation: the very next message is theirs only.
    assign(
        &colleague_api,
        chat.conversation_id,
        Some(colleague_session.staff.id),
    )
    .await;
    let third = customer_says(&customer, &chat, "Hallå?").await;
    sentinel.pass(&[&me_rec, &colleague_rec]).await;
    assert!(about_message(&me_rec.calls(), third.id).is_empty());
    assert_eq!(about_message(&colleague_rec.calls(), third.id).len(), 1);
    assert_eq!(kind(&colleague_rec.calls(), "assigned").len(), 1);

    // Assigned to someone else from the start: neither of us hears.
    let (other, other_chat) = shop.customer("Olle Andersson", "olle@example.se").await;
    assign(
        &maja_api,
        other_chat.conversation_id,
        Some(maja_session.staff.id),
    )
    .await;
    let elsewhere = customer_says(&other, &other_chat, "Är ni öppna i morgon?").await;
    sentinel.pass(&[&me_rec, &colleague_rec]).await;
    for recorder in [&me_rec, &colleague_rec] {
        let calls = recorder.calls();
        assert!(about_message(&calls, elsewhere.id).is_empty());
        assert!(
            !calls.iter().any(|c| c.hint(CONVERSATION_HINT)
                == Some(&other_chat.conversation_id.to_string())
                && c.hint(KIND_HINT) != Some("conversation")),
            "{calls:#?}"
        );
    }

    // A click on a notification (its default action) is reported with its conversation.
    let shown = &about_message(&me_rec.calls(), first.id)[0];
    me_rec.invoke(shown.id, "default").await.unwrap();
    let click = me
        .until("the click", |v| v["event"] == "notification_clicked")
        .await;
    assert_eq!(click["conversation_id"], chat.conversation_id);
    assert_eq!(click["action"], "default");

    me.stop().await;
    colleague.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn messages_missed_offline_are_summed_up_once_and_never_shown_again() {
    let shop = Shop::start().await;
    let cli = Cli::new();
    cli.login(&shop).await;
    let recorder = Recorder::start().await.unwrap();
    // A first sync by `watch` itself sums up what is waiting (the demo shop has unread
    // messages nobody has taken) in one notification.
    let watch = Watch::start(&cli, &recorder, &[]).await;
    let mut sentinel = Sentinel::new(&shop).await;
    sentinel.pass(&[&recorder]).await;
    let first_sync = recorder.calls();
    assert_eq!(kind(&first_sync, "summary").len(), 1, "{first_sync:#?}");
    watch.stop().await;

    // While it is stopped, 50 messages arrive in 5 new conversations.
    let mut chats = Vec::new();
    for i in 0..5 {
        chats.push(
            shop.customer(&format!("Kund {i}"), &format!("away{i}@example.se"))
                .await,
        );
    }
    for i in 0..50 {
        let (customer, chat) = &chats[i % 5];
        customer_says(customer, chat, &format!("message {i}")).await;
    }
    let before = recorder.calls().len();
    let watch = Watch::start(&cli, &recorder, &[]).await;
    sentinel.pass(&[&recorder]).await;
    let calls = recorder.calls()[before..].to_vec();
    assert_eq!(calls.len(), 2, "one summary, then the sentinel: {calls:#?}");
    assert_eq!(calls[0].hint(KIND_HINT), Some("summary"));
    assert_eq!(calls[0].summary, "Inbox");
    assert_eq!(calls[0].body, "50 new messages in 5 conversations");
    watch.stop().await;

    // Restarting notifies nothing again.
    let before = recorder.calls().len();
    let watch = Watch::start(&cli, &recorder, &[]).await;
    sentinel.pass(&[&recorder]).await;
    let calls = recorder.calls()[before..].to_vec();
    assert_eq!(calls.len(), 1, "only the sentinel: {calls:#?}");
    watch.stop().await;
}

/// Quiet hours from an hour ago to an hour from now, local time.
fn quiet_now() -> String {
    let now = jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::system());
    let minute = i32::from(now.hour()) * 60 + i32::from(now.minute());
    let hm = |m: i32| {
        let m = m.rem_euclid(24 * 60);
        format!("{:02}:{:02}", m / 60, m % 60)
    };
    format!("{}-{}", hm(minute - 60), hm(minute + 60))
}

#[tokio::test(flavor = "multi_thread")]
async fn quiet_hours_pause_and_the_focused_conversation_show_nothing() {
    let shop = Shop::start().await;
    let cli = Cli::new();
    cli.login(&shop).await;
    cli.run(&["sync"]).await.ok();
    let recorder = Recorder::start().await.unwrap();
    let (customer, chat) = shop.customer("Frida Lund", "frida@example.se").await;
    let focus = chat.conversation_id.to_string();
    let watch = Watch::start(&cli, &recorder, &["--focus", &focus]).await;
    let mut sentinel = Sentinel::new(&shop).await;
    sentinel.pass(&[&recorder]).await;

    // The conversation on screen never notifies.
    let focused = customer_says(&customer, &chat, "Är ni där?").await;
    sentinel.pass(&[&recorder]).await;
    assert!(about_message(&recorder.calls(), focused.id).is_empty());
    watch.stop().await;
    let watch = Watch::start(&cli, &recorder, &[]).await;

    // Quiet hours, set while `watch` runs: nothing shows, and not later either.
    cli.run(&["notify", "settings", "--quiet-hours", &quiet_now()])
        .await
        .ok();
    let quiet = customer_says(&customer, &chat, "Hallå?").await;
    let (other, other_chat) = shop.customer("Nils Berg", "nils@example.se").await;
    let quiet_too = customer_says(&other, &other_chat, "Hej!").await;
    let settings: Value = cli.run(&["notify", "settings", "--json"]).await.json();
    assert!(settings["quiet_hours"].is_object(), "{settings}");
    // Wait until the engine has decided them (watch prints each synced message).
    let mut watch = watch;
    watch
        .until("the quiet message", |v| {
            v["event"] == "synced"
                && v["messages"]
                    .as_array()
                    .is_some_and(|m| m.iter().any(|m| m["message_id"] == quiet_too.id))
        })
        .await;
    cli.run(&["notify", "settings", "--no-quiet-hours"])
        .await
        .ok();
    sentinel.pass(&[&recorder]).await;
    for id in [quiet.id, quiet_too.id] {
        assert!(about_message(&recorder.calls(), id).is_empty());
    }

    // "Pause for 1 hour", then resume.
    cli.run(&["notify", "pause"]).await.ok();
    let paused = customer_says(&customer, &chat, "Pausad?").await;
    watch
        .until("the paused message", |v| {
            v["event"] == "synced"
                && v["messages"]
                    .as_array()
                    .is_some_and(|m| m.iter().any(|m| m["message_id"] == paused.id))
        })
        .await;
    // The test notification shows even while paused, and says why nothing else does.
    let test = cli
        .command(&["notify", "test"])
        .env("DBUS_SESSION_BUS_ADDRESS", recorder.address())
        .env("LANG", "C.UTF-8")
        .output()
        .unwrap();
    assert!(test.status.success(), "{test:?}");
    let shown = recorder
        .wait_for(WAIT, |c| c.hint(KIND_HINT) == Some("test"))
        .await
        .unwrap();
    assert!(
        shown.body.ends_with("Notifications are paused now."),
        "{shown:?}"
    );
    cli.run(&["notify", "resume"]).await.ok();
    sentinel.pass(&[&recorder]).await;
    assert!(about_message(&recorder.calls(), paused.id).is_empty());

    // And after all that, a message shows again.
    let back = customer_says(&customer, &chat, "Nu då?").await;
    recorder
        .wait_for(WAIT, |c| c.hint(MESSAGE_HINT) == Some(&back.id.to_string()))
        .await
        .unwrap();
    watch.stop().await;
}
