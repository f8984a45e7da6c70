//! Who is told about what, against a real shop server: the engine decides while it applies
//! synced changes, and the tests read the stream of decided notifications after each sync.

use std::time::Duration;

use inbox_core::notifications::{Lang, QuietHours, Settings};
use inbox_core::*;
use inbox_protocol::*;
use reqwest::Method;

struct World {
    server: shop_server::Running,
    _dir: tempfile::TempDir,
    address: ShopAddress,
    staff: Vec<shop_server::DemoStaff>,
}

async fn world() -> World {
    world_with(shop_server::clock::Clock::system()).await
}

/// A world whose shop ends snoozes by `clock`.
async fn world_with(clock: shop_server::clock::Clock) -> World {
    let dir = tempfile::tempdir().unwrap();
    let mut config = shop_server::Config::new(dir.path().join("shop"));
    config.clock = clock;
    config.limits = shop_server::limits::LimitsConfig::many_customers_from_one_address();
    config.demo = true;
    let server = shop_server::start(config).await.unwrap();
    let ca = std::fs::read(server.announcement.ca.clone().unwrap()).unwrap();
    World {
        address: ShopAddress {
            url: server.url().to_owned(),
            ca_pem: Some(ca),
        },
        staff: server
            .announcement
            .demo_staff
            .clone()
            .unwrap()
            .into_iter()
            .filter(|s| s.chat_permission)
            .collect(),
        server,
        _dir: dir,
    }
}

impl World {
    async fn session(&self, i: usize) -> Session {
        let s = &self.staff[i];
        ApiClient::new(&self.address)
            .unwrap()
            .sign_in(&s.email, &s.password)
            .await
            .unwrap()
    }

    async fn inbox(&self, data: &std::path::Path, i: usize) -> Inbox {
        let session = self.session(i).await;
        let ca_path = self.server.announcement.ca.clone();
        let account = Account {
            shop_url: self.address.url.clone(),
            ca_path,
            staff: session.staff,
        };
        Inbox::open(data, account, Some(session.token)).unwrap()
    }

    async fn chat(&self, email: &str) -> (ApiClient, ChatSession) {
        let api = ApiClient::new(&self.address).unwrap();
        let start = StartChat {
            name: "Elsa Öberg".into(),
            email: email.into(),
            platform: Platform::OnlineStore,
        };
        let chat: ChatSession = api
            .send(
                Method::POST,
                "/api/v1/storefront/chats",
                email,
                Some(&start),
            )
            .await
            .unwrap()
            .unwrap();
        (api.with_token(chat.token.clone()), chat)
    }

    async fn read(&self, by: &Session, conversation_id: i64) {
        let api = ApiClient::new(&self.address)
            .unwrap()
            .with_token(by.token.clone());
        let key = format!("{:x}", rand::random::<u64>());
        let _: Option<ReadState> = api
            .send(
                Method::PUT,
                &format!("/api/v1/conversations/{conversation_id}/read-state"),
                &key,
                Some(&SetReadState {
                    unread: false,
                    last_read_message_id: None,
                }),
            )
            .await
            .unwrap();
    }

    async fn assign(&self, by: &Session, conversation_id: i64, to: Option<i64>) {
        let api = ApiClient::new(&self.address)
            .unwrap()
            .with_token(by.token.clone());
        let key = format!("{:x}", rand::random::<u64>());
        let _: Option<Conversation> = api
            .send(
                Method::PUT,
                &format!("/api/v1/conversations/{conversation_id}/assignee"),
                &key,
                Some(&SetAssignee { staff_id: to }),
            )
            .await
            .unwrap();
    }
}

async fn says(customer: &ApiClient, chat: &ChatSession, text: &str) -> i64 {
    let key = format!("{:x}", rand::random::<u64>());
    let m: Message = customer
        .send(
            Method::POST,
            &format!(
                "/api/v1/storefront/conversations/{}/messages",
                chat.conversation_id
            ),
            &key,
            Some(&CustomerText { text: text.into() }),
        )
        .await
        .unwrap()
        .unwrap();
    m.id
}

/// A mirror with its notification stream open, as the app and `inbox watch` run it.
struct Listening {
    inbox: Inbox,
    stream: tokio::sync::mpsc::UnboundedReceiver<Notification>,
}

impl Listening {
    fn new(inbox: Inbox) -> Listening {
        let stream = inbox.notifications();
        Listening { inbox, stream }
    }

    /// Catches the mirror up and returns what it decided to tell its staff member. The
    /// engine sends a catch-up's notifications before `sync_once` returns.
    async fn sync(&mut self) -> Vec<Notification> {
        self.inbox.sync_once().await.unwrap();
        let mut out = Vec::new();
        while let Ok(n) = self.stream.try_recv() {
            out.push(n);
        }
        out
    }

    fn settings(&self, settings: Settings) {
        self.inbox.set_notification_settings(settings).unwrap();
    }
}

fn about(notifications: &[Notification], message_id: i64) -> bool {
    notifications
        .iter()
        .any(|n| matches!(n, Notification::Message { message_id: m, .. } if *m == message_id))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_right_staff_member_is_told_once() {
    let world = world().await;
    let (me_dir, colleague_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut me = Listening::new(world.inbox(me_dir.path(), 0).await);
    let mut colleague = Listening::new(world.inbox(colleague_dir.path(), 1).await);
    // The first sync sums up what is waiting (the demo shop has unread customer messages in
    // open conversations nobody has taken) in one notification, and only once.
    let first = me.sync().await;
    assert!(
        matches!(&first[..], [Notification::Summary { messages, .. }] if *messages > 0),
        "{first:?}"
    );
    assert!(me.sync().await.is_empty());
    assert_eq!(colleague.sync().await.len(), 1);

    // A customer opens the chat: nobody is told until they write, so a new chat notifies
    // once, with its first message.
    let (customer, chat) = world.chat("elsa@example.se").await;
    for staff in [&mut me, &mut colleague] {
        let started = staff.sync().await;
        assert!(started.is_empty(), "{started:?}");
    }

    // Unassigned: everyone hears, with the customer's name and the text.
    let first = says(&customer, &chat, "Hej! Finns tröjan i storlek M? <3 & tack").await;
    let mine = me.sync().await;
    assert_eq!(mine.len(), 1, "{mine:?}");
    assert!(
        matches!(&mine[0], Notification::Message { title, body, conversation_id, message_id }
        if title == "Elsa Öberg" && body == "Hej! Finns tröjan i storlek M? <3 & tack"
            && *conversation_id == chat.conversation_id && *message_id == first)
    );
    assert!(about(&colleague.sync().await, first));

    // A colleague assigns it to me: I'm told, and from then on only I hear about it.
    let (my_session, colleague_session) = (world.session(0).await, world.session(1).await);
    world
        .assign(
            &colleague_session,
            chat.conversation_id,
            Some(my_session.staff.id),
        )
        .await;
    let assigned = me.sync().await;
    assert!(
        matches!(&assigned[..], [Notification::Assigned { conversation_id, body, .. }]
            if *conversation_id == chat.conversation_id && body == "Assigned to you"),
        "{assigned:?}"
    );
    assert!(colleague.sync().await.is_empty());
    let second = says(&customer, &chat, "Och i blått?").await;
    assert!(about(&me.sync().await, second));
    assert!(colleague.sync().await.is_empty());

    // Reassigned to my colleague: from the very next message, they hear and I don't.
    world
        .assign(
            &my_session,
            chat.conversation_id,
            Some(colleague_session.staff.id),
        )
        .await;
    let third = says(&customer, &chat, "Hallå?").await;
    assert!(me.sync().await.is_empty());
    let theirs = colleague.sync().await;
    assert!(about(&theirs, third), "{theirs:?}");
    assert!(
        theirs
            .iter()
            .any(|n| matches!(n, Notification::Assigned { .. })),
        "{theirs:?}"
    );

    // Taking it back myself, from this app: the assignment tells me nothing I didn't do.
    me.inbox
        .assign(chat.conversation_id, Some(my_session.staff.id))
        .await
        .unwrap();
    assert_eq!(me.inbox.flush_outbox().await.unwrap(), 1);
    assert!(me.sync().await.is_empty());

    // Staff messages never notify; previews can be hidden.
    world.assign(&my_session, chat.conversation_id, None).await;
    me.inbox
        .reply(chat.conversation_id, "Ja, i blått!")
        .await
        .unwrap();
    me.inbox.flush_outbox().await.unwrap();
    assert!(me.sync().await.is_empty());
    let fourth = says(&customer, &chat, "Tack!").await;
    me.settings(Settings {
        previews: false,
        ..Settings::default()
    });
    let hidden = me.sync().await;
    assert!(
        matches!(&hidden[..], [Notification::Message { body, message_id, .. }] if body == "New message" && *message_id == fourth),
        "{hidden:?}"
    );

    // Read on another device before this one heard of it: nothing to tell.
    let fifth = says(&customer, &chat, "Hejdå").await;
    world.read(&my_session, chat.conversation_id).await;
    assert!(me.sync().await.is_empty());
    assert!(about(&colleague.sync().await, fifth));

    // Restarting the app notifies nothing again, and keeps the settings.
    drop(me);
    let mut again = Listening::new(world.inbox(me_dir.path(), 0).await);
    assert!(!again.inbox.notification_settings().previews);
    assert!(again.sync().await.is_empty());
    let sixth = says(&customer, &chat, "En sak till").await;
    assert!(about(&again.sync().await, sixth));
}

#[tokio::test(flavor = "multi_thread")]
async fn focus_quiet_hours_and_pause_silence_and_a_catch_up_is_summed_up() {
    let world = world().await;
    let dir = tempfile::tempdir().unwrap();
    let mut me = Listening::new(world.inbox(dir.path(), 0).await);
    me.sync().await;
    let (customer, chat) = world.chat("frida@example.se").await;
    me.sync().await;

    says(&customer, &chat, "first").await;
    me.inbox
        .set_focused_conversation(Some(chat.conversation_id));
    assert!(me.sync().await.is_empty(), "the focused conversation");
    me.inbox.set_focused_conversation(None);

    says(&customer, &chat, "second").await;
    let minute = inbox_core::notifications::Moment::now(None).local_minute;
    let quiet = QuietHours {
        start_minute: (minute + 24 * 60 - 60) % (24 * 60),
        end_minute: (minute + 60) % (24 * 60),
    };
    me.settings(Settings {
        quiet_hours: Some(quiet),
        ..Settings::default()
    });
    assert!(me.inbox.notification_silence().is_some());
    assert!(me.sync().await.is_empty(), "quiet hours");
    me.settings(Settings::default());

    says(&customer, &chat, "third").await;
    me.inbox
        .pause_notifications(Duration::from_secs(3600))
        .unwrap();
    assert!(me.sync().await.is_empty(), "paused for an hour");
    // The test notification still shows, and says why others don't.
    let test = me.inbox.send_test_notification();
    assert!(test.body().contains("paused"), "{test:?}");
    assert_eq!(me.stream.try_recv().unwrap(), test);
    me.inbox.resume_notifications().unwrap();

    // What was held back is not shown later.
    let fourth = says(&customer, &chat, "fourth").await;
    let after = me.sync().await;
    assert!(
        matches!(&after[..], [Notification::Message { message_id, .. }] if *message_id == fourth),
        "{after:?}"
    );

    // Offline for a while: 50 messages in 5 conversations come in one catch-up: one summary.
    let mut chats = vec![(customer, chat)];
    for i in 0..4 {
        chats.push(world.chat(&format!("away{i}@example.se")).await);
    }
    for i in 0..50 {
        let (customer, chat) = &chats[i % 5];
        says(customer, chat, &format!("message {i}")).await;
    }
    me.inbox.set_notification_language(Lang::Sv);
    let caught_up = me.sync().await;
    // The four conversations that started while away are in it too: they came with messages.
    assert!(
        matches!(&caught_up[..], [Notification::Summary { messages: 50, conversations: 5, body, .. }] if body == "50 nya meddelanden i 5 konversationer"),
        "{caught_up:?}"
    );
}

async fn list(inbox: &Inbox, status: Folder) -> Vec<(i64, Option<Millis>)> {
    inbox
        .conversations(ListFilter {
            status,
            limit: 10_000,
            ..ListFilter::default()
        })
        .await
        .unwrap()
        .iter()
        .map(|c| (c.id, c.snoozed_until))
        .collect()
}

fn woke(notifications: &[Notification], conversation_id: i64) -> Option<String> {
    notifications.iter().find_map(|n| match n {
        Notification::Woke {
            conversation_id: c,
            body,
            ..
        } if *c == conversation_id => Some(body.clone()),
        _ => None,
    })
}

/// Snooze through the engine: the conversation leaves the Open list at once (offline too) for
/// the Snoozed one, the shop holds it, and when its time comes (the shop's clock, moved by the
/// test) it comes back with one "Back from snooze" for whoever it concerns, never for someone
/// else's; a customer message brings it back too, as that message's notification.
#[tokio::test(flavor = "multi_thread")]
async fn a_snoozed_conversation_comes_back_to_whoever_it_concerns() {
    const HOUR: Millis = 60 * 60 * 1000;
    let clock = shop_server::clock::Clock::manual(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64,
    );
    let world = world_with(clock.clone()).await;
    let (me_dir, colleague_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut me = Listening::new(world.inbox(me_dir.path(), 0).await);
    let mut colleague = Listening::new(world.inbox(colleague_dir.path(), 1).await);
    me.sync().await;
    colleague.sync().await;
    let (customer, chat) = world.chat("stina@example.se").await;
    says(&customer, &chat, "Kan ni återkomma efter lunch?").await;
    me.sync().await;
    colleague.sync().await;
    let id = chat.conversation_id;

    // Snoozed from my desktop: out of Open and into Snoozed before it even reaches the shop.
    let until = clock.now() + 2 * HOUR;
    me.inbox.snooze(id, Some(until)).await.unwrap();
    assert!(
        !list(&me.inbox, Folder::Open)
            .await
            .iter()
            .any(|c| c.0 == id)
    );
    assert!(
        list(&me.inbox, Folder::Snoozed)
            .await
            .contains(&(id, Some(until)))
    );
    assert_eq!(me.inbox.flush_outbox().await.unwrap(), 1);
    colleague.sync().await;
    assert!(
        list(&colleague.inbox, Folder::Snoozed)
            .await
            .contains(&(id, Some(until))),
        "the colleague's mirror has it snoozed too"
    );

    // Its time comes: both hear (nobody's conversation), once.
    clock.set(until + 1);
    let back = async {
        for _ in 0..100 {
            let told = me.sync().await;
            if !told.is_empty() {
                return told;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Vec::new()
    }
    .await;
    assert_eq!(
        woke(&back, id).as_deref(),
        Some("Back from snooze"),
        "{back:?}"
    );
    assert_eq!(back.len(), 1, "{back:?}");
    assert!(woke(&colleague.sync().await, id).is_some());
    assert!(me.sync().await.is_empty(), "once");
    assert!(
        list(&me.inbox, Folder::Open)
            .await
            .iter()
            .any(|c| c.0 == id)
    );

    // Assigned to the colleague and snoozed again: when it comes back, only they hear.
    let colleague_session = world.session(1).await;
    world
        .assign(&colleague_session, id, Some(colleague_session.staff.id))
        .await;
    me.sync().await;
    colleague.sync().await;
    let until = clock.now() + HOUR;
    colleague.inbox.snooze(id, Some(until)).await.unwrap();
    colleague.inbox.flush_outbox().await.unwrap();
    me.sync().await;
    clock.set(until + 1);
    let mut told = Vec::new();
    for _ in 0..100 {
        told = colleague.sync().await;
        if !told.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(woke(&told, id).is_some(), "{told:?}");
    let mine = me.sync().await;
    assert!(woke(&mine, id).is_none(), "never someone else's: {mine:?}");
    assert!(
        list(&me.inbox, Folder::Open)
            .await
            .iter()
            .any(|c| c.0 == id)
    );

    // A customer message brings a snoozed conversation back; it is the message that notifies.
    colleague
        .inbox
        .snooze(id, Some(clock.now() + HOUR))
        .await
        .unwrap();
    colleague.inbox.flush_outbox().await.unwrap();
    colleague.sync().await;
    let message = says(&customer, &chat, "Hallå igen").await;
    let told = colleague.sync().await;
    assert!(
        about(&told, message) && woke(&told, id).is_none(),
        "{told:?}"
    );
    assert!(
        list(&colleague.inbox, Folder::Open)
            .await
            .iter()
            .any(|c| c.0 == id)
    );

    // A closed conversation can't be snoozed: said before anything is queued.
    colleague
        .inbox
        .set_status(id, ConversationStatus::Closed)
        .await
        .unwrap();
    let refused = colleague
        .inbox
        .snooze(id, Some(clock.now() + HOUR))
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("reopen"), "{refused}");
    let past = colleague.inbox.snooze(id, Some(1)).await;
    assert!(past.is_err());
}
