//! Who is told about which customer message, against a real shop server.

use std::time::Duration;

use inbox_core::events::Arrived;
use inbox_core::notifications::{Lang, Moment, Notification, QuietHours, Settings};
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
    let dir = tempfile::tempdir().unwrap();
    let mut config = shop_server::Config::new(dir.path().join("shop"));
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

fn moment(focused: Option<i64>) -> Moment {
    Moment {
        now: inbox_core::store::now_ms(),
        local_minute: 12 * 60,
        focused,
    }
}

fn loud() -> Settings {
    Settings {
        previews: true,
        ..Settings::default()
    }
}

/// Catches the mirror up and returns what it would tell its staff member.
async fn notified(inbox: &Inbox, settings: Settings, moment: Moment) -> Vec<Notification> {
    let mut events = inbox.events();
    inbox.sync_once().await.unwrap();
    let mut out = Vec::new();
    while let Ok(Some(event)) = tokio::time::timeout(Duration::from_millis(20), events.next()).await
    {
        if let Event::Synced {
            messages,
            first_sync,
            ..
        } = event
        {
            out.extend(
                inbox
                    .notifications(messages, first_sync, settings.clone(), Lang::En, moment)
                    .await
                    .unwrap(),
            );
        }
    }
    out
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
    let me = world.inbox(me_dir.path(), 0).await;
    let colleague = world.inbox(colleague_dir.path(), 1).await;
    // The first sync is history: nobody is told about it.
    assert!(notified(&me, loud(), moment(None)).await.is_empty());
    assert!(notified(&colleague, loud(), moment(None)).await.is_empty());

    // Unassigned: everyone hears, with the customer's name and the text.
    let (customer, chat) = world.chat("elsa@example.se").await;
    let first = says(&customer, &chat, "Hej! Finns tröjan i storlek M?").await;
    let mine = notified(&me, loud(), moment(None)).await;
    assert_eq!(mine.len(), 1);
    assert!(
        matches!(&mine[0], Notification::Message { title, body, conversation_id, .. }
        if title == "Elsa Öberg" && body == "Hej! Finns tröjan i storlek M?" && *conversation_id == chat.conversation_id)
    );
    assert!(about(
        &notified(&colleague, loud(), moment(None)).await,
        first
    ));

    // Assigned to me: only I hear about the next message.
    let my_session = world.session(0).await;
    world
        .assign(&my_session, chat.conversation_id, Some(my_session.staff.id))
        .await;
    let second = says(&customer, &chat, "Och i blått?").await;
    assert!(about(&notified(&me, loud(), moment(None)).await, second));
    assert!(notified(&colleague, loud(), moment(None)).await.is_empty());

    // Reassigned to my colleague: from the very next message, they hear and I don't.
    let colleague_session = world.session(1).await;
    world
        .assign(
            &my_session,
            chat.conversation_id,
            Some(colleague_session.staff.id),
        )
        .await;
    let third = says(&customer, &chat, "Hallå?").await;
    assert!(notified(&me, loud(), moment(None)).await.is_empty());
    assert!(about(
        &notified(&colleague, loud(), moment(None)).await,
        third
    ));

    // Staff messages never notify; previews can be hidden.
    world.assign(&my_session, chat.conversation_id, None).await;
    let fourth = says(&customer, &chat, "Tack!").await;
    let hidden = notified(&me, Settings::default(), moment(None)).await;
    assert!(
        matches!(&hidden[..], [Notification::Message { body, message_id, .. }] if body == "New message" && *message_id == fourth)
    );

    // Restarting the app notifies nothing again.
    drop(me);
    let again = world.inbox(me_dir.path(), 0).await;
    let replayed = again
        .notifications(
            vec![Arrived {
                conversation_id: chat.conversation_id,
                message_id: fourth,
            }],
            false,
            loud(),
            Lang::En,
            moment(None),
        )
        .await
        .unwrap();
    assert!(replayed.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn focus_quiet_hours_and_pause_silence_and_a_catch_up_is_summed_up() {
    let world = world().await;
    let dir = tempfile::tempdir().unwrap();
    let me = world.inbox(dir.path(), 0).await;
    notified(&me, loud(), moment(None)).await;
    let (customer, chat) = world.chat("frida@example.se").await;

    says(&customer, &chat, "first").await;
    assert!(
        notified(&me, loud(), moment(Some(chat.conversation_id)))
            .await
            .is_empty(),
        "the focused conversation"
    );

    says(&customer, &chat, "second").await;
    let night = Settings {
        previews: true,
        quiet_hours: Some(QuietHours {
            start_minute: 11 * 60,
            end_minute: 13 * 60,
        }),
        paused_until: None,
    };
    assert!(
        notified(&me, night, moment(None)).await.is_empty(),
        "quiet hours"
    );

    says(&customer, &chat, "third").await;
    let paused = Settings {
        paused_until: Some(inbox_core::store::now_ms() + 3_600_000),
        ..loud()
    };
    assert!(
        notified(&me, paused, moment(None)).await.is_empty(),
        "paused for an hour"
    );

    // Offline for a while: 50 messages in 5 conversations come in one catch-up, minutes old.
    let mut chats = vec![(customer, chat)];
    for i in 0..4 {
        chats.push(world.chat(&format!("away{i}@example.se")).await);
    }
    for i in 0..50 {
        let (customer, chat) = &chats[i % 5];
        says(customer, chat, &format!("message {i}")).await;
    }
    let later = Moment {
        now: inbox_core::store::now_ms() + 10 * 60 * 1000,
        local_minute: 12 * 60,
        focused: None,
    };
    let caught_up = notified(&me, loud(), later).await;
    assert_eq!(caught_up.len(), 1, "{caught_up:?}");
    assert!(
        matches!(&caught_up[0], Notification::Summary { messages: 50, conversations: 5, body, .. } if body == "50 new messages in 5 conversations")
    );
}
