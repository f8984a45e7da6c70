//! The app staff leave running all day, in the real window: closing it hides it while sync and
//! notifications go on (said once); a notification's action brings it back at its
//! conversation; a second launch, with an `inbox://` link as the OS passes one, exits on its
//! own and the first window comes forward at that conversation; Ctrl-Q ends the process and a
//! reply queued just before is delivered once after the next start.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use notify_recorder::{Recorded, Recorder};

use super::harness::{self, Desktop, PATIENCE};
use super::shop::Shop;
use super::x11::{self, Screen};
use super::{row, sign_in_at_once, wait_on_shop, wait_state, wait_state_within, whole_test};

fn conversation_of(call: &Recorded) -> Option<i64> {
    call.hints
        .get("x-inbox-conversation-id")
        .and_then(|id| id.parse().ok())
}

fn kind(call: &Recorded) -> &str {
    call.hints
        .get("x-inbox-kind")
        .map(String::as_str)
        .unwrap_or("")
}

async fn shows_conversation(app: &Desktop, id: i64) {
    app.find(&format!("[data-testid=conversation][data-id=\"{id}\"]"))
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_app_lives_in_the_tray_runs_once_and_opens_links() {
    whole_test(the_app_lives_in_the_tray_runs_once_and_opens_links_steps()).await;
}

async fn the_app_lives_in_the_tray_runs_once_and_opens_links_steps() {
    let recorder = Recorder::start()
        .await
        .expect("a private bus with the recorder");
    let mut shop = Shop::start().await;
    let data = tempfile::tempdir().unwrap();
    let data_arg = data.path().display().to_string();
    let args = vec!["--data-dir".to_owned(), data_arg.clone()];
    let env = vec![
        ("INBOX_TOKEN_STORE".to_owned(), "file".to_owned()),
        (
            "DBUS_SESSION_BUS_ADDRESS".to_owned(),
            recorder.address().to_owned(),
        ),
    ];
    let mut app = Desktop::launch("lifecycle", &args, &env).await;
    sign_in_at_once(&app, &shop).await;
    let binary = harness::app_binary();
    let pid = x11::wait_app_pid(&binary, data.path()).await;
    let screen = Screen::open(app.display());
    let window = screen.window(pid);
    assert!(screen.is_shown(window), "the window is on screen");

    // A customer is chatting (the list shows them) when the window is closed.
    let chat = shop
        .customer("Elin Dahl", "elin@example.se", "Hej, en fråga om koppen")
        .await;
    let id = chat.conversation_id;
    app.find(&row(id)).await;

    // Closing the window hides it; the process goes on, and says once where it went.
    screen.close(window);
    screen.wait_shown(window, false).await;
    recorder
        .wait_for(PATIENCE, |call| kind(call) == "still_running")
        .await
        .expect("the first close says Inbox keeps running in the tray");
    assert!(
        x11::is_running(pid),
        "closing the window did not end the app"
    );

    // The customer writes while the window is hidden: exactly one notification.
    let before = recorder.calls().len();
    let text = "Finns koppen i blått också?";
    shop.say(&chat, text).await;
    let shown = recorder
        .wait_for(PATIENCE, |call| {
            conversation_of(call) == Some(id) && call.body.contains(text)
        })
        .await
        .expect("a notification for the customer's message while hidden");
    // Anything doubled (a second engine, a second process) would have come by now.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let for_it: Vec<Recorded> = recorder.calls()[before..]
        .iter()
        .filter(|call| conversation_of(call) == Some(id))
        .cloned()
        .collect();
    assert_eq!(for_it.len(), 1, "exactly one notification: {for_it:?}");

    // A new chat while hidden: the hidden page fetches nothing, and catches up when shown.
    let newcomer = shop
        .customer("Nora Lind", "nora@example.se", "Har ni presentkort?")
        .await
        .conversation_id;

    // Its action shows the window at that conversation, with the list caught up.
    recorder
        .invoke(shown.id, "default")
        .await
        .expect("the click is sent");
    screen.wait_shown(window, true).await;
    shows_conversation(&app, id).await;
    app.find(&row(newcomer)).await;
    app.screenshot("from-notification").await;

    // Hidden again: a second launch with a link, as the OS hands one over, exits by itself
    // and the running window comes forward at that conversation.
    let other = shop
        .customer("Saga Holm", "saga@example.se", "Min order har inte kommit")
        .await
        .conversation_id;
    app.find(&row(other)).await;
    screen.close(window);
    screen.wait_shown(window, false).await;
    let mut second = Command::new(&binary)
        .args([
            "--data-dir",
            &data_arg,
            &format!("inbox://conversation/{other}"),
        ])
        .env("DISPLAY", app.display())
        .env("DBUS_SESSION_BUS_ADDRESS", recorder.address())
        .env("INBOX_TOKEN_STORE", "file")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("a second launch");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = second.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(10) {
            let _ = second.kill();
            panic!("the second launch did not exit on its own within 10 s");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(status.success(), "the second launch exited with {status}");
    screen.wait_shown(window, true).await;
    shows_conversation(&app, other).await;
    app.screenshot("from-second-launch").await;
    assert!(x11::is_running(pid), "the first instance still runs");
    let hints = recorder
        .calls()
        .into_iter()
        .filter(|call| kind(call) == "still_running")
        .count();
    assert_eq!(hints, 1, "the tray hint is said only once");

    // Ctrl-Q with a reply queued (the shop is away): the process ends, the reply stays queued.
    shop.stop().await;
    wait_state(&app, "offline").await;
    let reply = "Vi kollar med posten och återkommer i dag!";
    app.fill("[data-testid=composer-input]", reply).await;
    app.click("[data-testid=composer-send]").await;
    app.wait_text(
        "[data-testid=message][data-side=staff][data-state=pending] [data-testid=message-text]",
        "the pending reply",
        |t| t.contains(reply),
    )
    .await;
    // Ctrl-Q. The app may end before WebDriver answers the key press: its answer is no proof.
    let body = app.find("body").await;
    let _ = body.send_keys("\u{e009}q\u{e000}").await;
    let started = Instant::now();
    while x11::is_running(pid) {
        assert!(started.elapsed() < PATIENCE, "Ctrl-Q did not end the app");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drop(app);

    // The next start delivers it, once.
    shop.restart().await;
    let app = Desktop::launch("lifecycle-next-start", &args, &env).await;
    wait_state_within(&app, "live", Duration::from_secs(90)).await;
    wait_on_shop(&shop, other, "the queued reply", |d| {
        d.messages.iter().any(|m| m.body.text() == Some(reply))
    })
    .await;
    app.wait_gone("[data-testid=message][data-state=pending]")
        .await;
    let copies = shop
        .detail(other)
        .await
        .messages
        .iter()
        .filter(|m| m.body.text() == Some(reply))
        .count();
    assert_eq!(copies, 1, "delivered exactly once");
    app.close().await;
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn notifications_go_on_after_the_notification_server_restarts() {
    whole_test(notifications_go_on_after_the_notification_server_restarts_steps()).await;
}

async fn notifications_go_on_after_the_notification_server_restarts_steps() {
    let recorder = Recorder::start()
        .await
        .expect("a private bus with the recorder");
    let mut shop = Shop::start().await;
    let data = tempfile::tempdir().unwrap();
    let app = Desktop::launch(
        "notify-restart",
        &["--data-dir".into(), data.path().display().to_string()],
        &[
            ("INBOX_TOKEN_STORE".into(), "file".into()),
            (
                "DBUS_SESSION_BUS_ADDRESS".into(),
                recorder.address().to_owned(),
            ),
        ],
    )
    .await;
    sign_in_at_once(&app, &shop).await;
    let pid = x11::wait_app_pid(&harness::app_binary(), data.path()).await;
    let chat = shop
        .customer("Ida Ek", "ida@example.se", "Hej! Har ni presentkort?")
        .await;
    let id = chat.conversation_id;
    recorder
        .wait_for(PATIENCE, |call| call.body.contains("presentkort"))
        .await
        .expect("a notification before the restart");

    // The server goes away; a message meanwhile finds no one to show it.
    recorder.stop_server().await.unwrap();
    shop.say(&chat, "Eller kan man köpa ett på plats?").await;
    app.find(&format!("{} [data-testid=row-preview]", row(id)))
        .await;
    app.wait_text(
        &format!("{} [data-testid=row-preview]", row(id)),
        "the message in the list",
        |t| t.contains("på plats"),
    )
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(
        x11::is_running(pid),
        "a missing notification server ended the app"
    );

    // It is back: the next message shows, and its click still opens the conversation.
    recorder.start_server().await.unwrap();
    shop.say(&chat, "Tack, jag väntar på svar").await;
    let shown = recorder
        .wait_for(PATIENCE, |call| call.body.contains("jag väntar"))
        .await
        .expect("a notification after the restart");
    assert!(x11::is_running(pid), "the app still runs");
    // A person clicks seconds later, not in the same millisecond: notify-rust subscribes to
    // the click only once its Notify call has returned, and a click before that is lost.
    tokio::time::sleep(Duration::from_secs(2)).await;
    recorder.invoke(shown.id, "default").await.unwrap();
    shows_conversation(&app, id).await;
    app.close().await;
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn start_at_login_is_opt_in_and_closing_quits_when_chosen() {
    whole_test(start_at_login_is_opt_in_and_closing_quits_when_chosen_steps()).await;
}

async fn start_at_login_is_opt_in_and_closing_quits_when_chosen_steps() {
    let mut shop = Shop::start().await;
    let data = tempfile::tempdir().unwrap();
    // A home of its own: the XDG autostart entry goes under $HOME/.config/autostart.
    let home = tempfile::tempdir().unwrap();
    let app = Desktop::launch(
        "autostart",
        &["--data-dir".into(), data.path().display().to_string()],
        &[
            ("INBOX_TOKEN_STORE".into(), "file".into()),
            ("HOME".into(), home.path().display().to_string()),
        ],
    )
    .await;
    sign_in_at_once(&app, &shop).await;
    let entry = home.path().join(".config/autostart/Inbox.desktop");
    assert!(!entry.exists(), "nothing starts at login until chosen");

    app.click("[data-testid=open-settings]").await;
    let toggle = "[data-testid=settings-start-at-login]";
    assert_eq!(
        app.find(toggle)
            .await
            .prop("checked")
            .await
            .unwrap()
            .as_deref(),
        Some("false")
    );
    app.click(toggle).await;
    let start = Instant::now();
    while !entry.exists() {
        assert!(start.elapsed() < PATIENCE, "no autostart entry was written");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let desktop = std::fs::read_to_string(&entry).unwrap();
    let exec = desktop
        .lines()
        .find_map(|l| l.strip_prefix("Exec="))
        .expect("an Exec line");
    assert_eq!(
        exec,
        format!("{} --hidden", harness::app_binary().display()),
        "it starts this app, in the tray"
    );

    app.click(toggle).await;
    let start = Instant::now();
    while entry.exists() {
        assert!(start.elapsed() < PATIENCE, "the autostart entry stayed");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // "Keep running when the window is closed" off: closing the window quits.
    app.click("[data-testid=settings-keep-running]").await;
    let start = Instant::now();
    while !std::fs::read_to_string(data.path().join("settings.json"))
        .unwrap_or_default()
        .contains("\"keep_running\": false")
    {
        assert!(start.elapsed() < PATIENCE, "the setting was never saved");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let pid = x11::wait_app_pid(&harness::app_binary(), data.path()).await;
    let screen = Screen::open(app.display());
    screen.close(screen.window(pid));
    let start = Instant::now();
    while x11::is_running(pid) {
        assert!(
            start.elapsed() < PATIENCE,
            "closing did not quit with the setting off"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drop(app);
    shop.stop().await;
}
