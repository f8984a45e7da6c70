//! The `inbox` binary against a real shop over TLS: sign in with the password on stdin, sync,
//! list, search, show and reply; the same reads with the shop gone; a reply queued offline
//! delivered once by the next sync; watching live; signing out.

mod common;

use std::process::Stdio;
use std::time::Duration;

use common::*;
use inbox_core::{ConversationSummary, ConversationView, SearchHit, TimelineItem};
use inbox_protocol::*;
use serde_json::Value;

/// How many of the shop's messages in `conversation` have exactly `text`.
async fn copies_on_shop(shop: &Shop, conversation: i64, text: &str) -> usize {
    shop.conversation(conversation)
        .await
        .messages
        .iter()
        .filter(|m| m.body.text() == Some(text))
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_in_sync_read_reply_then_read_and_queue_offline_and_deliver_once() {
    let mut shop = Shop::start().await;
    let cli = Cli::new();

    // Usage errors are exit code 2; being signed out is an error with a way out.
    assert_eq!(
        cli.run(&["conversations", "--open", "--closed"]).await.code,
        Some(2)
    );
    assert_eq!(
        cli.run(&["conversations"]).await.error(),
        "error: you are signed out; run `inbox login`"
    );

    // A wrong password is refused and leaves nothing behind.
    let ca = shop.ca.to_str().unwrap().to_owned();
    let wrong = cli
        .run_with_stdin(
            &[
                "login",
                "--server",
                &shop.url,
                "--ca",
                &ca,
                "--email",
                &shop.staff().email,
            ],
            Some("not-the-password\n"),
        )
        .await;
    assert!(wrong.error().contains("password"), "{wrong:#?}");
    assert!(!cli.data.path().join("account.json").exists());

    // Signing in with the password on stdin; with no keychain allowed, the token goes to a
    // file that only the user can read, and the CLI says so.
    let login = cli.login(&shop).await;
    assert!(
        login.stderr.contains("warning:") && login.stderr.contains("readable by your user only"),
        "{login:#?}"
    );
    let token_file = cli.data.path().join("token");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&token_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let account: Value =
        serde_json::from_slice(&std::fs::read(cli.data.path().join("account.json")).unwrap())
            .unwrap();
    assert_eq!(account["staff"]["email"], shop.staff().email.as_str());

    cli.run(&["sync"]).await.ok();

    // Lists come from the mirror and match the shop: every open conversation, newest first.
    let api = shop.api().await;
    let entities = shop_entities(&api).await;
    let conversations: Vec<Conversation> = entities
        .iter()
        .filter(|((kind, _), _)| kind == "conversation")
        .map(|(_, v)| serde_json::from_value(v.clone()).unwrap())
        .collect();
    let open: Vec<ConversationSummary> = cli
        .run(&["conversations", "--json", "--limit", "100000"])
        .await
        .json();
    let expected_open = conversations
        .iter()
        .filter(|c| c.status == ConversationStatus::Open)
        .count();
    assert!(expected_open > 0);
    assert_eq!(
        open.len(),
        expected_open,
        "every open conversation is listed"
    );
    assert!(open.iter().all(|c| c.status == ConversationStatus::Open));
    assert!(
        open.windows(2)
            .all(|w| w[0].last_message_at >= w[1].last_message_at)
    );
    let me = account["staff"]["id"].as_i64().unwrap();
    let mine: Vec<ConversationSummary> = cli
        .run(&["conversations", "--mine", "--json", "--limit", "100000"])
        .await
        .json();
    assert_eq!(
        mine.len(),
        conversations
            .iter()
            .filter(|c| c.status == ConversationStatus::Open && c.assignee_id == Some(me))
            .count()
    );
    let unassigned: Vec<ConversationSummary> = cli
        .run(&["conversations", "--unassigned", "--closed", "--json"])
        .await
        .json();
    assert!(
        unassigned
            .iter()
            .all(|c| c.assignee_id.is_none() && c.status == ConversationStatus::Closed)
    );
    let text_list = cli.run(&["conversations", "--limit", "3"]).await;
    assert_eq!(text_list.ok().stdout.lines().count(), 3);
    assert!(text_list.stdout.contains(&open[0].customer_name));

    // Search finds a closed conversation by its customer's email.
    let closed = conversations
        .iter()
        .find(|c| c.status == ConversationStatus::Closed)
        .unwrap();
    let customer: Customer =
        serde_json::from_value(entities[&("customer".to_owned(), closed.customer_id)].clone())
            .unwrap();
    let hits: Vec<SearchHit> = cli
        .run(&["search", &customer.email, "--json", "--limit", "50"])
        .await
        .json();
    assert!(
        hits.iter()
            .any(|h| h.conversation_id == closed.id && h.status == ConversationStatus::Closed),
        "{} finds #{}: {hits:?}",
        customer.email,
        closed.id
    );

    // A timeline shows authors and cart events, naming products only where the shop does.
    let events: Vec<CartEvent> = entities
        .iter()
        .filter(|((kind, _), _)| kind == "cart_event")
        .map(|(_, v)| serde_json::from_value(v.clone()).unwrap())
        .collect();
    let named = events.iter().find(|e| e.product_name.is_some()).unwrap();
    let show = cli.run(&["show", &named.conversation_id.to_string()]).await;
    let name = named.product_name.as_deref().unwrap();
    assert!(
        show.ok().stdout.contains(&format!(" {name}")),
        "{name} in {}",
        show.stdout
    );
    if let Some(unnamed) = events.iter().find(|e| e.product_name.is_none()) {
        let show = cli
            .run(&["show", &unnamed.conversation_id.to_string()])
            .await;
        assert!(show.ok().stdout.contains("a product"), "{}", show.stdout);
    }
    let missing = cli.run(&["show", "987654"]).await;
    assert!(missing.error().contains("987654"));

    // A reply sent online reaches the shop once.
    let target = open[0].id;
    let online = "Hej! Vi tittar på det direkt.";
    let sent = cli.run(&["send", &target.to_string(), online]).await;
    assert!(sent.ok().stdout.starts_with("Sent"), "{sent:#?}");
    assert_eq!(copies_on_shop(&shop, target, online).await, 1);

    // The shop goes away: lists, timelines and search still work from the mirror.
    shop.stop().await;
    let offline_open: Vec<ConversationSummary> = cli
        .run(&["conversations", "--json", "--limit", "100000"])
        .await
        .json();
    assert_eq!(offline_open.len(), open.len());
    let view: ConversationView = cli
        .run(&["show", &target.to_string(), "--json"])
        .await
        .json();
    assert!(view.timeline.iter().any(|i| matches!(
        i,
        TimelineItem::Message(m) if m.message.body.text() == Some(online) && m.message.id > 0
    )));
    let hits: Vec<SearchHit> = cli
        .run(&["search", &customer.email, "--json", "--limit", "50"])
        .await
        .json();
    assert!(hits.iter().any(|h| h.conversation_id == closed.id));
    let text_hits = cli.run(&["search", &customer.name]).await;
    assert!(
        text_hits.ok().stdout.contains(&format!("#{}", closed.id))
            || text_hits.stdout.contains(&format!("{} ", closed.id)),
        "{text_hits:#?}"
    );

    // A reply sent offline is queued, shown as pending, and said to be queued.
    let queued_text = "Vi skickar en returetikett så fort vi är tillbaka.";
    let queued = cli.run(&["send", &target.to_string(), queued_text]).await;
    assert!(
        queued.ok().stdout.contains("queued") && queued.stdout.contains("inbox sync"),
        "{queued:#?}"
    );
    let show = cli.run(&["show", &target.to_string()]).await;
    assert!(show.ok().stdout.contains("[pending"), "{}", show.stdout);
    let failed_sync = cli.run(&["sync"]).await;
    assert!(failed_sync.error().contains("can't be reached"));
    // Offline long enough, a reply backs off for minutes between tries; that pacing is for
    // the live engine, and must not keep the next sync from sending it.
    let backed_off = rusqlite::Connection::open(cli.mirror())
        .unwrap()
        .execute(
            "UPDATE outbox SET attempts = 12, next_attempt_at = ?1",
            [inbox_core::store::now_ms() + 300_000],
        )
        .unwrap();
    assert_eq!(backed_off, 1);

    // Back on the same address: the next sync delivers it, once, and a second sync adds
    // nothing.
    shop.restart().await;
    let sync = cli.run(&["sync"]).await;
    assert!(sync.ok().stdout.contains("Delivered 1"), "{sync:#?}");
    cli.run(&["sync"]).await.ok();
    assert_eq!(copies_on_shop(&shop, target, queued_text).await, 1);
    assert_eq!(copies_on_shop(&shop, target, online).await, 1);
    let show = cli.run(&["show", &target.to_string()]).await;
    assert!(!show.ok().stdout.contains("[pending"), "{}", show.stdout);

    // Actions go the same way: close, then reopen, assign, and check what the shop holds.
    let t = target.to_string();
    assert!(cli.run(&["close", &t]).await.ok().stdout.contains("Closed"));
    assert_eq!(
        shop.conversation(target).await.conversation.status,
        ConversationStatus::Closed
    );
    cli.run(&["reopen", &t]).await.ok();
    cli.run(&["assign", &t, "--none"]).await.ok();
    assert_eq!(
        shop.conversation(target).await.conversation.assignee_id,
        None
    );
    cli.run(&["assign", &t, &shop.staff().email]).await.ok();
    let detail = shop.conversation(target).await.conversation;
    assert_eq!(
        (detail.status, detail.assignee_id),
        (ConversationStatus::Open, Some(me))
    );
    let nobody = cli.run(&["assign", &t, "nobody@nowhere.example"]).await;
    assert!(nobody.error().contains("nobody@nowhere.example"));

    // Snooze until tomorrow 09:00 in the shop's zone; listed under --snoozed; then ended. A
    // time more than a year ahead is refused before anything is queued.
    let far = cli
        .run(&["snooze", &t, "--until", "2099-12-24 09:30"])
        .await;
    assert!(far.error().contains("a year at most"), "{far:#?}");
    let snoozed = cli.run(&["snooze", &t, "--tomorrow"]).await;
    let said = snoozed.ok().stdout.clone();
    assert!(
        said.contains(&format!("Snoozed #{t} until")) && said.contains("09:00 (Europe/Stockholm)"),
        "{said}"
    );
    let stockholm = jiff::tz::TimeZone::get("Europe/Stockholm").unwrap();
    let tomorrow_nine = jiff::Timestamp::now()
        .to_zoned_datetime(stockholm.clone())
        .date()
        .tomorrow()
        .unwrap()
        .to_datetime(jiff::civil::Time::constant(9, 0, 0, 0))
        .to_zoned_datetime(stockholm)
        .unwrap()
        .timestamp()
        .as_millisecond();
    assert_eq!(
        shop.conversation(target).await.conversation.snoozed_until,
        Some(tomorrow_nine)
    );
    let listed: Vec<serde_json::Value> = cli
        .run(&["conversations", "--snoozed", "--json"])
        .await
        .json();
    assert!(listed.iter().any(|c| c["id"] == target), "{listed:?}");
    let open: Vec<serde_json::Value> = cli.run(&["conversations", "--json"]).await.json();
    assert!(
        !open.iter().any(|c| c["id"] == target),
        "not in the open list"
    );
    cli.run(&["snooze", &t, "--end"]).await.ok();
    assert_eq!(
        shop.conversation(target).await.conversation.snoozed_until,
        None
    );

    let staff: Vec<Staff> = cli.run(&["staff", "--json"]).await.json();
    assert!(staff.iter().any(|s| !s.can_chat()));

    // The shop stops accepting the token (expired, revoked elsewhere): sync says to sign in,
    // a reply is kept queued, and goes out once signed in again; lists still work meanwhile.
    let first_token = std::fs::read_to_string(&token_file).unwrap();
    inbox_core::ApiClient::new(&shop.address())
        .unwrap()
        .with_token(first_token.trim())
        .sign_out()
        .await
        .unwrap();
    assert_eq!(
        cli.run(&["sync"]).await.error(),
        "error: you are signed out; run `inbox login`"
    );
    let later = "Återkommer strax!";
    let signed_out = cli.run(&["send", &t, later]).await;
    assert_eq!(
        signed_out.error(),
        "error: you are signed out; run `inbox login`"
    );
    assert!(signed_out.stdout.contains("queued"), "{signed_out:#?}");
    cli.run(&["conversations"]).await.ok();
    cli.login(&shop).await;
    assert!(cli.run(&["sync"]).await.ok().stdout.contains("Delivered 1"));
    assert_eq!(copies_on_shop(&shop, target, later).await, 1);

    // Signing out revokes the token at the shop and forgets it here.
    let token = std::fs::read_to_string(&token_file).unwrap();
    assert_ne!(token, first_token);
    cli.run(&["logout"]).await.ok();
    assert!(!token_file.exists());
    let revoked = inbox_core::ApiClient::new(&shop.address())
        .unwrap()
        .with_token(token.trim())
        .me()
        .await;
    assert!(
        matches!(revoked, Err(inbox_core::Error::SignedOut(_))),
        "{revoked:?}"
    );
    assert_eq!(
        cli.run(&["sync"]).await.error(),
        "error: you are signed out; run `inbox login`"
    );
    shop.stop().await;
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn watch_prints_live_events_as_json_lines_until_interrupted() {
    let shop = Shop::start().await;
    let cli = Cli::new();
    cli.login(&shop).await;

    // Events only: no desktop notifications on the machine running the tests.
    let mut command = cli.command(&["watch", "--json", "--no-notify"]);
    command.stderr(Stdio::null());
    let mut child = command.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (lines_tx, mut lines) = tokio::sync::mpsc::unbounded_channel::<Value>();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout).lines() {
            let line = line.unwrap();
            let value = serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
            if lines_tx.send(value).is_err() {
                return;
            }
        }
    });
    let mut until = async |what: &str, check: &dyn Fn(&Value) -> bool| {
        tokio::time::timeout(Duration::from_secs(30), async {
            loop {
                let line = lines.recv().await.expect("watch keeps running");
                if check(&line) {
                    return;
                }
            }
        })
        .await
        .unwrap_or_else(|_| panic!("timed out waiting for {what}"));
    };
    until("live", &|v| {
        v["event"] == "sync_state" && v["state"] == "live"
    })
    .await;

    let (customer, chat) = shop.customer("Saga Holm", "saga@example.se").await;
    let message = customer_says(&customer, &chat, "Har ni den blå koppen i lager?").await;
    until("the message", &|v| {
        v["event"] == "synced"
            && v["live"] == true
            && v["messages"]
                .as_array()
                .is_some_and(|m| m.iter().any(|m| m["message_id"] == message.id))
    })
    .await;

    // Ctrl-C ends it cleanly.
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

/// A customer's message and name carrying terminal control sequences (an OSC 52 that would
/// set the staff member's clipboard, a CSI that erases the line, a right-to-left override)
/// reach `inbox show` and `inbox conversations` escaped, visibly; `--json` keeps the exact text
/// and still carries no raw control character.
#[tokio::test(flavor = "multi_thread")]
async fn a_hostile_customer_message_shows_escaped_and_reaches_no_terminal() {
    let shop = Shop::start().await;
    let cli = Cli::new();
    cli.login(&shop).await;
    let name = "Saga\u{1b}]0;Inbox: all clear\u{7}";
    let text = "hi\u{1b}]52;c;Y3VybCBldmlsfHNo\u{7}\u{1b}[2K\u{202e}gpj.exe";
    let (customer, chat) = shop.customer(name, "saga@example.se").await;
    customer_says(&customer, &chat, text).await;
    cli.run(&["sync"]).await.ok();

    let raw = |out: &str| {
        out.chars().any(|c| {
            (c.is_control() && c != '\n' && c != '\t') || ('\u{202a}'..='\u{202e}').contains(&c)
        })
    };
    let id = chat.conversation_id.to_string();
    let show = cli.run(&["show", &id]).await;
    show.ok();
    assert!(!raw(&show.stdout), "{:?}", show.stdout);
    assert!(
        show.stdout
            .contains("    hi\\u{1b}]52;c;Y3VybCBldmlsfHNo\\u{7}\\u{1b}[2K\\u{202e}gpj.exe\n"),
        "{}",
        show.stdout
    );
    assert!(
        show.stdout.contains("Saga\\u{1b}]0;Inbox: all clear\\u{7}"),
        "{}",
        show.stdout
    );
    let list = cli.run(&["conversations"]).await;
    list.ok();
    assert!(!raw(&list.stdout), "{:?}", list.stdout);
    let found = cli.run(&["search", "hi"]).await;
    found.ok();
    assert!(!raw(&found.stdout), "{:?}", found.stdout);

    let json = cli.run(&["show", &id, "--json"]).await;
    assert!(!raw(&json.stdout), "{:?}", json.stdout);
    let view: ConversationView = json.json();
    assert_eq!(view.customer.map(|c| c.name).as_deref(), Some(name));
    assert!(
        view.timeline
            .iter()
            .any(|i| matches!(i, TimelineItem::Message(m) if m.message.body.text() == Some(text)))
    );
    let mut shop = shop;
    shop.stop().await;
}

/// The CA file chosen at sign-in may sit where others can write (`/tmp`): it is read once and
/// the account trusts its own copy, so the original can go, or be replaced, without effect. An
/// account saved before copies were kept moves onto one the next time it is read.
#[tokio::test(flavor = "multi_thread")]
async fn the_ca_chosen_at_sign_in_is_kept_with_the_account_and_the_original_can_go() {
    let mut shop = Shop::start().await;
    let cli = Cli::new();
    let elsewhere = tempfile::tempdir().unwrap();
    let chosen = elsewhere.path().join("shop-ca.pem");
    std::fs::copy(&shop.ca, &chosen).unwrap();
    cli.run_with_stdin(
        &[
            "login",
            "--server",
            &shop.url,
            "--ca",
            chosen.to_str().unwrap(),
            "--email",
            &shop.staff().email,
        ],
        Some(&format!("{}\n", shop.staff().password)),
    )
    .await
    .ok();
    let account_file = cli.data.path().join("account.json");
    let ca_path = || -> std::path::PathBuf {
        let account: Value =
            serde_json::from_slice(&std::fs::read(&account_file).unwrap()).unwrap();
        account["ca_path"].as_str().unwrap().into()
    };
    let own = ca_path();
    assert!(own.starts_with(cli.data.path()), "{own:?}");
    assert_eq!(
        std::fs::read(&own).unwrap(),
        std::fs::read(&shop.ca).unwrap()
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&own), 0o600);
        assert_eq!(mode(own.parent().unwrap()), 0o700);
    }

    // The original goes; the next start still trusts the shop.
    std::fs::remove_file(&chosen).unwrap();
    cli.run(&["sync"]).await.ok();
    assert_eq!(own.parent(), cli.mirror().parent(), "beside the mirror");

    // An account saved by an older version names the chosen file: read once, then the copy.
    std::fs::copy(&shop.ca, &chosen).unwrap();
    std::fs::remove_file(&own).unwrap();
    let old: Value = serde_json::from_slice(&std::fs::read(&account_file).unwrap()).unwrap();
    let mut old = old;
    old["ca_path"] = Value::from(chosen.to_str().unwrap());
    std::fs::write(&account_file, serde_json::to_vec(&old).unwrap()).unwrap();
    cli.run(&["conversations"]).await.ok();
    assert_eq!(ca_path(), own);
    assert!(own.is_file());
    std::fs::remove_file(&chosen).unwrap();
    cli.run(&["sync"]).await.ok();
    shop.stop().await;
}
