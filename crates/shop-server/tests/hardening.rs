//! The shop server facing the internet: each test plays one abuse the server met when tried
//! from outside (impostors, floods, huge fields, staff without the permission, streams that
//! outlive their sign-in) and asserts the limit or refusal that answers it now.

mod common;

use common::*;
use inbox_protocol::*;
use reqwest::{Method, StatusCode};

async fn sign_in_from(
    shop: &TestShop,
    client: &reqwest::Client,
    email: &str,
    password: &str,
) -> reqwest::Response {
    client
        .post(format!("{}/api/v1/auth/sign-in", shop.url))
        .json(&SignInRequest {
            email: email.into(),
            password: password.into(),
        })
        .send()
        .await
        .expect("sign-in answers")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_huge_sign_in_email_is_refused_before_any_work() {
    let shop = TestShop::demo().await;
    let huge = "a".repeat(1_500_000) + "@example.com";
    for _ in 0..5 {
        let response = sign_in_from(&shop, &shop.client, &huge, "x").await;
        let p = problem(response, StatusCode::PAYLOAD_TOO_LARGE).await;
        assert_eq!(p.code, ProblemCode::MalformedPayload);
        assert!(p.detail.contains("64 KiB"), "{}", p.detail);
    }
    // Under the body limit but over the address limit: refused by length, also before any
    // lookup or password check.
    let long = "a".repeat(400) + "@example.com";
    let p = problem(
        sign_in_from(&shop, &shop.client, &long, "x").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(p.detail.contains("320"), "{}", p.detail);
    // None of that counted against the real staff member.
    shop.sign_in().await;
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_burst_of_wrong_passwords_is_refused_without_locking_the_staff_member_out() {
    let shop = TestShop::demo().await;
    let staff = shop.staff_member(true);
    let attacker = shop.client_from("127.0.0.2");
    let guesses = (0..100).map(|i| {
        let (attacker, email, shop) = (attacker.clone(), staff.email.clone(), &shop);
        async move {
            let response = sign_in_from(shop, &attacker, &email, &format!("guess-{i}")).await;
            let retry_after = response.headers().get("retry-after").is_some();
            (response.status(), retry_after)
        }
    });
    let answers = futures_util::future::join_all(guesses).await;
    let checked = answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::UNAUTHORIZED)
        .count();
    let limited = answers
        .iter()
        .filter(|(s, retry)| *s == StatusCode::TOO_MANY_REQUESTS && *retry)
        .count();
    assert_eq!(checked + limited, 100, "{answers:?}");
    // Each guess was counted before its password was checked, so the burst could not get more
    // than the free failures plus the one that starts the back-off.
    assert!(checked <= 6, "{checked} passwords were checked");
    // The staff member, signing in from their own address meanwhile, gets in at once.
    let real = shop.client_from("127.0.0.3");
    let session: Session =
        ok(sign_in_from(&shop, &real, &staff.email, &staff.password).await).await;
    assert_eq!(session.staff.email, staff.email);
    // And the attacker is still told to wait.
    let response = sign_in_from(&shop, &attacker, &staff.email, &staff.password).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_email_is_checked_like_a_known_one() {
    let shop = TestShop::demo().await;
    let staff = shop.staff_member(true);
    // Each from its own address, so no limit answers instead of a password check.
    for (i, email) in [staff.email.as_str(), "nobody@nordlys.example"]
        .into_iter()
        .enumerate()
    {
        let client = shop.client_from(&format!("127.0.4.{}", i + 1));
        let started = std::time::Instant::now();
        let p = problem(
            sign_in_from(&shop, &client, email, "wrong password").await,
            StatusCode::UNAUTHORIZED,
        )
        .await;
        // The same answer for both, and neither comes back faster than an Argon2 check can
        // run (19 MiB filled and hashed): an unknown email no longer answers in 2 ms.
        assert_eq!(p.code, ProblemCode::InvalidCredentials, "{email}");
        assert_eq!(p.detail, "the email or password is wrong");
        assert!(
            started.elapsed() >= std::time::Duration::from_millis(5),
            "{email} answered in {:?}",
            started.elapsed()
        );
    }
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_without_the_chat_permission_can_only_see_who_they_are() {
    let shop = TestShop::demo().await;
    let (session, chat) = {
        let session = shop.sign_in().await;
        let chat = shop.start_chat("Alma", "alma@example.com").await;
        shop.customer_says(&chat, "Hello?").await;
        (session, chat)
    };
    let oskar = shop.sign_in_as(&shop.staff_member(false)).await;
    let me: Me = shop.get("/api/v1/me", &oskar.token).await;
    assert!(!me.staff.can_chat());
    let id = chat.conversation_id;
    let customer = chat.customer_id;
    let refused: Vec<(Method, String, Option<serde_json::Value>)> = vec![
        (Method::GET, "/api/v1/sync".into(), None),
        (Method::GET, "/api/v1/events".into(), None),
        (Method::GET, format!("/api/v1/conversations/{id}"), None),
        (
            Method::POST,
            format!("/api/v1/conversations/{id}/messages"),
            Some(serde_json::json!({"type": "text", "text": "hi"})),
        ),
        (
            Method::PUT,
            format!("/api/v1/conversations/{id}/status"),
            Some(serde_json::json!({"status": "closed"})),
        ),
        (
            Method::PUT,
            format!("/api/v1/conversations/{id}/read-state"),
            Some(serde_json::json!({"unread": true})),
        ),
        (
            Method::PUT,
            format!("/api/v1/conversations/{id}/assignee"),
            Some(serde_json::json!({"staff_id": me.staff.id})),
        ),
        (Method::GET, "/api/v1/products".into(), None),
        (Method::GET, "/api/v1/discounts".into(), None),
        (Method::GET, format!("/api/v1/customers/{customer}"), None),
        (
            Method::POST,
            format!("/api/v1/customers/{customer}/notes"),
            Some(serde_json::json!({"body": "a note"})),
        ),
    ];
    for (method, path, body) in refused {
        let mut request = shop.request(method.clone(), &path, Some(&oskar.token));
        if let Some(body) = &body {
            request = request.json(body);
        }
        let p = problem(request.send().await.unwrap(), StatusCode::FORBIDDEN).await;
        assert_eq!(p.code, ProblemCode::PermissionDenied, "{method} {path}");
        assert!(p.detail.contains("chat permission"), "{}", p.detail);
    }
    let upload = shop
        .request(Method::POST, "/api/v1/uploads", Some(&oskar.token))
        .header("content-type", "image/png")
        .body(vec![0u8; 16])
        .send()
        .await
        .unwrap();
    assert_eq!(upload.status(), StatusCode::FORBIDDEN);
    // Nothing Oskar tried reached the shop.
    let detail: ConversationDetail = shop
        .get(&format!("/api/v1/conversations/{id}"), &session.token)
        .await;
    assert_eq!(detail.messages.len(), 1);
    assert_eq!(detail.conversation.status, ConversationStatus::Open);
    assert_eq!(detail.conversation.assignee_id, None);
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_storefront_makes_online_store_chats_only() {
    let shop = TestShop::demo().await;
    let session = shop.sign_in().await;
    let before = shop.full_sync(&session.token).await.len();
    for platform in [
        Platform::Instagram,
        Platform::Messenger,
        Platform::ShopApp,
        Platform::Email,
    ] {
        let response = shop
            .request(Method::POST, "/api/v1/storefront/chats", None)
            .json(&StartChat {
                name: "IG user".into(),
                email: "ig@example.com".into(),
                platform,
            })
            .send()
            .await
            .unwrap();
        let p = problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(p.detail.contains("online store"), "{}", p.detail);
    }
    assert_eq!(
        shop.full_sync(&session.token).await.len(),
        before,
        "no conversation or customer was made"
    );
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn storefront_floods_get_429_with_retry_after() {
    let shop = TestShop::with(|config| {
        config.limits.chat_starts_per_ip = shop_server::limits::Rate::new(2, 3);
        config.limits.messages_per_session = shop_server::limits::Rate::new(6, 4);
    })
    .await;
    let chat = shop.start_chat("Alma", "alma@example.com").await;
    shop.start_chat("Alma", "alma@example.com").await;
    shop.start_chat("Alma", "alma@example.com").await;
    let start = || {
        shop.request(Method::POST, "/api/v1/storefront/chats", None)
            .json(&StartChat {
                name: "Flood".into(),
                email: "flood@example.com".into(),
                platform: Platform::OnlineStore,
            })
            .send()
    };
    let refused = start().await.unwrap();
    let retry: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=30).contains(&retry), "{retry}");
    assert_eq!(
        problem(refused, StatusCode::TOO_MANY_REQUESTS).await.code,
        ProblemCode::RateLimited
    );
    // Another address is not affected.
    let other = shop.client_from("127.0.0.9");
    let response = other
        .post(format!("{}/api/v1/storefront/chats", shop.url))
        .json(&StartChat {
            name: "Bo".into(),
            email: "bo@example.com".into(),
            platform: Platform::OnlineStore,
        })
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);

    // Messages per session: the burst, then a wait.
    for i in 0..4 {
        shop.customer_says(&chat, &format!("message {i}")).await;
    }
    let response = shop.customer_posts(&chat, "one too many").await;
    assert!(response.headers().get("retry-after").is_some());
    problem(response, StatusCode::TOO_MANY_REQUESTS).await;
    shop.stop().await;
}

/// Reads a stream to its end and returns what it delivered, or `None` if it is still open
/// after `seconds`.
async fn until_it_ends(
    stream: &mut (impl futures_util::Stream<Item = eventsource_stream::Event> + Unpin),
    seconds: u64,
) -> Option<Vec<String>> {
    tokio::time::timeout(std::time::Duration::from_secs(seconds), async {
        let mut seen = Vec::new();
        while let Some(event) = futures_util::StreamExt::next(stream).await {
            seen.push(event.data);
        }
        seen
    })
    .await
    .ok()
}

#[tokio::test(flavor = "multi_thread")]
async fn signing_out_ends_the_open_event_stream() {
    let shop = TestShop::demo().await;
    let session = shop.sign_in().await;
    let chat = shop.start_chat("Alma", "alma@example.com").await;
    let mut events = shop.events("/api/v1/events", &session.token, None).await;
    shop.customer_says(&chat, "before sign-out").await;
    next_matching(&mut events, |e| (e.event == "message").then_some(())).await;
    let response = shop
        .request(Method::POST, "/api/v1/auth/sign-out", Some(&session.token))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    shop.customer_says(&chat, "after sign-out").await;
    // The stream ends instead of delivering what came after.
    let rest = until_it_ends(&mut events, 5)
        .await
        .expect("the stream ends within seconds of sign-out");
    assert!(
        !rest.iter().any(|d| d.contains("after sign-out")),
        "{rest:?}"
    );
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_token_ends_its_stream_at_the_next_recheck() {
    let shop = TestShop::with(|config| {
        config.staff_token_ttl_ms = 2_000;
        config.stream_recheck = std::time::Duration::from_millis(300);
    })
    .await;
    let session = shop.sign_in().await;
    let mut events = shop.events("/api/v1/events", &session.token, None).await;
    assert!(
        until_it_ends(&mut events, 10).await.is_some(),
        "the stream outlived its token"
    );
    shop.stop().await;
}

/// Puts `count` long customer messages into another chat in one commit, as a busy shop would
/// between two reads of a slow stream.
async fn flood_elsewhere(shop: &TestShop, count: usize) {
    let other = shop.start_chat("Busy", "busy@example.com").await;
    let state = shop.server().state.clone();
    let id = other.conversation_id;
    state
        .db
        .write(move |tx| {
            for i in 0..count {
                let text = format!("{i} {}", "lorem ipsum ".repeat(300));
                shop_server::storage::mutations::customer_message(
                    tx,
                    state.classifier.as_ref(),
                    id,
                    &text,
                    shop_server::clock::now_ms(),
                )?;
            }
            Ok(())
        })
        .await
        .unwrap();
}

async fn staff_reply(shop: &TestShop, token: &str, conversation_id: i64, text: &str) {
    let _: Message = ok(shop
        .send(
            Method::POST,
            &format!("/api/v1/conversations/{conversation_id}/messages"),
            token,
            &SendMessage::Text { text: text.into() },
        )
        .await)
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_paused_chat_stream_still_gets_the_reply_written_meanwhile() {
    let shop = TestShop::demo().await;
    let staff = shop.sign_in().await;
    let chat = shop.start_chat("Alma", "alma@example.com").await;
    let path = chat_events_path(&chat);
    // Opened, then not read while 1,100 large messages pass elsewhere.
    let mut events = shop.events(&path, &chat.token, None).await;
    flood_elsewhere(&shop, 1_100).await;
    staff_reply(&shop, &staff.token, chat.conversation_id, "the reply").await;
    let reply = next_matching(&mut events, |e| {
        (e.event == "message" && e.data.contains("the reply")).then(|| e.data.clone())
    })
    .await;
    assert!(!reply.contains("lorem"), "only this chat's events");
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_resumed_chat_stream_gets_the_reply_written_while_it_was_away() {
    let shop = TestShop::demo().await;
    let staff = shop.sign_in().await;
    let chat = shop.start_chat("Alma", "alma@example.com").await;
    let path = chat_events_path(&chat);
    let mut events = shop.events(&path, &chat.token, None).await;
    shop.customer_says(&chat, "hello").await;
    let last_id = next_matching(&mut events, |e| {
        (e.event == "message").then(|| e.id.clone())
    })
    .await;
    drop(events);
    flood_elsewhere(&shop, 600).await;
    staff_reply(
        &shop,
        &staff.token,
        chat.conversation_id,
        "while you were away",
    )
    .await;
    flood_elsewhere(&shop, 600).await;
    let mut events = shop.events(&path, &chat.token, Some(&last_id)).await;
    next_matching(&mut events, |e| {
        (e.event == "message" && e.data.contains("while you were away")).then_some(())
    })
    .await;
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_paused_staff_stream_catches_up_without_a_gap() {
    let shop = TestShop::demo().await;
    let staff = shop.sign_in().await;
    let chat = shop.start_chat("Alma", "alma@example.com").await;
    let mut events = shop.events("/api/v1/events", &staff.token, None).await;
    flood_elsewhere(&shop, 1_500).await;
    shop.customer_says(&chat, "the last word").await;
    // Every flooded message arrives, in order, and then the last word.
    let mut flooded = 0;
    next_matching(&mut events, |e| {
        if e.event != "message" {
            return None;
        }
        let change = change_of(e);
        let Entity::Message(m) = change.entity else {
            return None;
        };
        if m.conversation_id == chat.conversation_id {
            Some(())
        } else {
            flooded += 1;
            None
        }
    })
    .await;
    assert_eq!(flooded, 1_500);
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn live_streams_are_capped_per_token() {
    let shop = TestShop::with(|config| config.limits.streams_per_token = 2).await;
    let session = shop.sign_in().await;
    let _a = shop.events("/api/v1/events", &session.token, None).await;
    let _b = shop.events("/api/v1/events", &session.token, None).await;
    let third = shop
        .request(Method::GET, "/api/v1/events", Some(&session.token))
        .send()
        .await
        .unwrap();
    assert!(third.headers().get("retry-after").is_some());
    let p = problem(third, StatusCode::TOO_MANY_REQUESTS).await;
    assert!(p.detail.contains("live streams"), "{}", p.detail);
    drop(_a);
    // The place is freed when a stream closes.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let _c = shop.events("/api/v1/events", &session.token, None).await;
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_customer_online_when_the_server_is_killed_is_offline_after_the_restart() {
    let dir = tempfile::tempdir().unwrap();
    let shop = ShopProcess::start(dir.path());
    let staff = shop.sign_in().await;
    let chat: ChatSession = ok(shop
        .client
        .post(format!("{}/api/v1/storefront/chats", shop.url))
        .json(&StartChat {
            name: "Alma".into(),
            email: "alma@example.com".into(),
            platform: Platform::OnlineStore,
        })
        .send()
        .await
        .unwrap())
    .await;
    let stream = shop
        .client
        .get(format!(
            "{}/api/v1/storefront/conversations/{}/events",
            shop.url, chat.conversation_id
        ))
        .bearer_auth(&chat.token)
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    let mut online = false;
    for _ in 0..50 {
        online = shop
            .conversation(&staff.token, chat.conversation_id)
            .await
            .customer_online;
        if online {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(online, "the open chat stream shows the customer online");
    shop.kill();
    drop(stream);

    let shop = ShopProcess::start(dir.path());
    let staff = shop.sign_in().await;
    let conversation = shop.conversation(&staff.token, chat.conversation_id).await;
    assert!(!conversation.customer_online, "nobody is left online");
    // So a reply goes to the customer's email, as they are not in the chat.
    let reply: Message = ok(shop
        .client
        .post(format!(
            "{}/api/v1/conversations/{}/messages",
            shop.url, chat.conversation_id
        ))
        .bearer_auth(&staff.token)
        .json(&SendMessage::Text {
            text: "Are you still there?".into(),
        })
        .send()
        .await
        .unwrap())
    .await;
    assert_eq!(
        reply.delivery,
        Some(Delivery::Email {
            address: "alma@example.com".into()
        })
    );
    shop.kill();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_server_on_the_same_data_dir_is_refused() {
    let shop = TestShop::demo().await;
    let mut config = shop_server::Config::new(shop.dir.path());
    config.database = shop.database.clone();
    config.demo = true;
    let error = match shop_server::start(config).await {
        Ok(_) => panic!("a second server started on the same shop"),
        Err(error) => error.to_string(),
    };
    assert!(error.contains("already serving"), "{error}");
    shop.stop().await;
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn the_shop_data_is_readable_by_its_owner_alone() {
    use std::os::unix::fs::PermissionsExt;
    let shop = TestShop::demo().await;
    let session = shop.sign_in().await;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(shop.dir.path()), 0o700);
    if !common::on_postgres() {
        // The SQLite file and its journal; a PostgreSQL server keeps its own files.
        assert_eq!(mode(&shop.db_path()), 0o600);
        for suffix in ["-wal", "-shm"] {
            let path = std::path::PathBuf::from(format!("{}{suffix}", shop.db_path().display()));
            assert_eq!(mode(&path), 0o600, "{}", path.display());
        }
    }
    upload_png(&shop, &session.token, &png(8, 8)).await;
    assert_eq!(mode(&shop.dir.path().join("media")), 0o700);
    shop.stop().await;
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x * 7) as u8, (y * 13) as u8, ((x ^ y) * 3) as u8])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

async fn upload_png(shop: &TestShop, token: &str, bytes: &[u8]) -> Attachment {
    ok(shop
        .request(Method::POST, "/api/v1/uploads", Some(token))
        .header("content-type", "image/png")
        .body(bytes.to_vec())
        .send()
        .await
        .unwrap())
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn media_streams_byte_ranges_in_a_sandbox() {
    let shop = TestShop::demo().await;
    let session = shop.sign_in().await;
    let bytes = png(300, 200);
    // Ten uploads of the same bytes at once all succeed and name one file.
    let uploads =
        futures_util::future::join_all((0..10).map(|_| upload_png(&shop, &session.token, &bytes)))
            .await;
    assert!(uploads.iter().all(|u| u.sha256 == uploads[0].sha256));
    let url = format!("{}{}", shop.url, uploads[0].url);

    let whole = shop.client.get(&url).send().await.unwrap();
    assert_eq!(whole.status(), StatusCode::OK);
    assert_eq!(whole.headers()["content-type"], "image/png");
    assert_eq!(whole.headers()["accept-ranges"], "bytes");
    assert_eq!(
        whole.headers()["content-security-policy"],
        "default-src 'none'; sandbox"
    );
    assert_eq!(whole.bytes().await.unwrap().as_ref(), bytes.as_slice());

    let part = shop
        .client
        .get(&url)
        .header("range", "bytes=10-19")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        part.headers()["content-range"],
        format!("bytes 10-19/{}", bytes.len()).as_str()
    );
    assert_eq!(part.bytes().await.unwrap().as_ref(), &bytes[10..20]);
    // No temporary file is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(shop.dir.path().join("media"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    shop.stop().await;
}

/// The newest verification code emailed to `to`, as the customer would read it.
async fn emailed_code(shop: &TestShop, to: &str) -> String {
    let outbox: EmailOutbox = ok(shop
        .request(Method::GET, "/api/v1/demo/outbox", None)
        .send()
        .await
        .unwrap())
    .await;
    let email = outbox
        .emails
        .iter()
        .find(|e| e.to == to && e.message_id.is_none())
        .expect("a verification email");
    assert!(
        email.body.contains("If you didn't start a chat"),
        "{}",
        email.body
    );
    email
        .body
        .split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .expect("a six-digit code")
        .to_owned()
}

async fn verify(shop: &TestShop, chat: &ChatSession, code: &str) -> reqwest::Response {
    shop.send(
        Method::POST,
        &format!(
            "/api/v1/storefront/conversations/{}/verification/confirm",
            chat.conversation_id
        ),
        &chat.token,
        &ConfirmEmail { code: code.into() },
    )
    .await
}

async fn ask_for_code(shop: &TestShop, chat: &ChatSession) -> reqwest::Response {
    shop.request(
        Method::POST,
        &format!(
            "/api/v1/storefront/conversations/{}/verification",
            chat.conversation_id
        ),
        Some(&chat.token),
    )
    .send()
    .await
    .unwrap()
}

/// A chat whose customer proved `email` with the emailed code, as the customer would.
async fn proven_chat(shop: &TestShop, email: &str) -> (ChatSession, ChatIdentity) {
    let chat = shop.start_chat("Bob", email).await;
    assert!(!chat.email_verified);
    let sent: VerificationSent = ok(ask_for_code(shop, &chat).await).await;
    assert_eq!(sent.to, email);
    let code = emailed_code(shop, email).await;
    let identity: ChatIdentity = ok(verify(shop, &chat, &code).await).await;
    assert!(identity.email_verified);
    (chat, identity)
}

async fn first_variant(shop: &TestShop) -> (i64, i64) {
    let products: ProductList = ok(shop
        .request(Method::GET, "/api/v1/storefront/products", None)
        .send()
        .await
        .unwrap())
    .await;
    let mut in_stock = products
        .products
        .iter()
        .flat_map(|p| p.variants.iter())
        .filter(|v| v.stock > 2)
        .map(|v| v.id);
    (in_stock.next().unwrap(), in_stock.next().unwrap())
}

async fn add_to_cart(shop: &TestShop, chat: &ChatSession, variant_id: i64) {
    let _: CartEvent = ok(shop
        .send(
            Method::POST,
            &format!(
                "/api/v1/storefront/conversations/{}/cart",
                chat.conversation_id
            ),
            &chat.token,
            &CartChange {
                variant_id,
                action: CartAction::Added,
                quantity: None,
            },
        )
        .await)
    .await;
}

async fn transcript(shop: &TestShop, chat: &ChatSession) -> ChatTranscript {
    shop.get(
        &format!("/api/v1/storefront/conversations/{}", chat.conversation_id),
        &chat.token,
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn an_email_typed_into_a_chat_is_a_claim_until_proven() {
    let shop = TestShop::demo().await;
    let staff = shop.sign_in().await;
    let (bobs_item, impostors_item) = first_variant(&shop).await;

    // Bob proves his address once; his chat is then the shop's customer Bob, with a cart and
    // a discount code.
    let (bob, bob_is) = proven_chat(&shop, "bob@example.com").await;
    add_to_cart(&shop, &bob, bobs_item).await;
    let _: Cart = ok(shop
        .send(
            Method::POST,
            &format!(
                "/api/v1/storefront/conversations/{}/discount",
                bob.conversation_id
            ),
            &bob.token,
            &ApplyDiscount {
                code: "WELCOME10".into(),
            },
        )
        .await)
    .await;

    // Someone else types Bob's email: a customer of their own, no cart of Bob's.
    let impostor = shop.start_chat("Not Bob", "bob@example.com").await;
    assert_ne!(impostor.customer_id, bob_is.customer_id);
    let mut impostor_stream = shop
        .events(&chat_events_path(&impostor), &impostor.token, None)
        .await;
    add_to_cart(&shop, &impostor, impostors_item).await;
    let seen = transcript(&shop, &impostor).await;
    let cart = seen.cart.expect("the impostor's own cart");
    assert_eq!(cart.customer_id, impostor.customer_id);
    assert_eq!(cart.lines.len(), 1);
    assert_eq!(cart.lines[0].variant_id, impostors_item);
    assert_eq!(cart.discount_code, None, "no discount code of Bob's");
    // Bob changes his cart; the impostor's stream hears nothing of it, only its own cart.
    add_to_cart(&shop, &bob, bobs_item).await;
    shop.customer_says(&impostor, "hello").await;
    let mut carts = Vec::new();
    next_matching(&mut impostor_stream, |e| {
        if e.event == "cart" {
            carts.push(e.data.clone());
        }
        (e.event == "message").then_some(())
    })
    .await;
    assert!(
        carts
            .iter()
            .all(|c| !c.contains(&format!("\"customer_id\":{}", bob_is.customer_id))),
        "{carts:?}"
    );

    // Staff see the impostor's chat under a customer of its own, marked not verified, with
    // none of Bob's orders or notes.
    let profile: CustomerProfile = shop
        .get(
            &format!("/api/v1/customers/{}", impostor.customer_id),
            &staff.token,
        )
        .await;
    assert!(!profile.customer.email_verified);
    assert_eq!(profile.customer.email, "bob@example.com");
    assert!(profile.orders.is_empty() && profile.notes.is_empty());
    let feed = shop.full_sync(&staff.token).await;
    let customer_in_feed = feed.iter().rev().find_map(|c| match &c.entity {
        Entity::Customer(c) if c.id == impostor.customer_id => Some(c.clone()),
        _ => None,
    });
    assert!(!customer_in_feed.expect("in the feed").email_verified);

    // The impostor can ask for a code, but it goes to Bob's address, and guessing is cut off.
    let _: VerificationSent = ok(ask_for_code(&shop, &impostor).await).await;
    for _ in 0..5 {
        let p = problem(
            verify(&shop, &impostor, "000000").await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(p.code, ProblemCode::VerificationFailed);
    }
    let real_code = emailed_code(&shop, "bob@example.com").await;
    let p = problem(
        verify(&shop, &impostor, &real_code).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(p.detail.contains("tried too often"), "{}", p.detail);
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_proven_chat_joins_the_shop_customer_and_brings_its_cart() {
    let shop = TestShop::demo().await;
    let staff = shop.sign_in().await;
    let (first, second) = first_variant(&shop).await;
    let (earlier, bob) = proven_chat(&shop, "bob@example.com").await;
    add_to_cart(&shop, &earlier, first).await;

    // A new chat from Bob, unverified at first, with a line in its own cart.
    let chat = shop.start_chat("Bob", "Bob@Example.com").await;
    add_to_cart(&shop, &chat, second).await;
    ok::<VerificationSent>(ask_for_code(&shop, &chat).await).await;
    let code = emailed_code(&shop, "Bob@Example.com").await;
    let now: ChatIdentity =
        ok(verify(&shop, &chat, &format!(" {}-{} ", &code[..3], &code[3..])).await).await;
    assert_eq!(now.customer_id, bob.customer_id);
    let seen = transcript(&shop, &chat).await;
    let cart = seen.cart.expect("Bob's cart");
    let mut variants: Vec<i64> = cart.lines.iter().map(|l| l.variant_id).collect();
    variants.sort();
    let mut expected = vec![first, second];
    expected.sort();
    assert_eq!(variants, expected);
    let detail: ConversationDetail = shop
        .get(
            &format!("/api/v1/conversations/{}", chat.conversation_id),
            &staff.token,
        )
        .await;
    assert_eq!(detail.conversation.customer_id, bob.customer_id);
    // A code works once.
    let p = problem(
        verify(&shop, &chat, &code).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p.code, ProblemCode::VerificationFailed);
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reply_to_an_unverified_customer_who_left_says_why_it_came() {
    let shop = TestShop::demo().await;
    let staff = shop.sign_in().await;
    let chat = shop.start_chat("Alma", "alma@example.com").await;
    shop.customer_says(&chat, "Do you ship to Norway?").await;
    staff_reply(&shop, &staff.token, chat.conversation_id, "We do!").await;
    let outbox: EmailOutbox = ok(shop
        .request(Method::GET, "/api/v1/demo/outbox", None)
        .send()
        .await
        .unwrap())
    .await;
    let email = outbox
        .emails
        .iter()
        .find(|e| e.to == "alma@example.com" && e.message_id.is_some())
        .expect("the reply was emailed");
    assert!(email.body.starts_with("We do!"), "{}", email.body);
    assert!(email.body.contains("If that wasn't you"), "{}", email.body);
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn starting_over_ends_the_chat_session_on_the_server() {
    let shop = TestShop::demo().await;
    let chat = shop.start_chat("Alma", "alma@example.com").await;
    let mut stream = shop
        .events(&chat_events_path(&chat), &chat.token, None)
        .await;
    let response = shop
        .request(
            Method::DELETE,
            "/api/v1/storefront/session",
            Some(&chat.token),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(
        until_it_ends(&mut stream, 5).await.is_some(),
        "the chat stream ends"
    );
    let p = problem(
        shop.customer_posts(&chat, "still here?").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert!(p.detail.contains("ended"), "{}", p.detail);
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn idempotency_keys_and_old_sessions_are_pruned_after_their_horizon() {
    let shop = TestShop::demo().await;
    let session = shop.sign_in().await;
    let chat = shop.start_chat("Alma", "alma@example.com").await;
    shop.customer_says(&chat, "hi").await;
    let response = shop
        .request(
            Method::POST,
            &format!("/api/v1/conversations/{}/messages", chat.conversation_id),
            Some(&session.token),
        )
        .header(IDEMPOTENCY_KEY_HEADER, "key-1")
        .json(&SendMessage::Text {
            text: "hello".into(),
        })
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let count = |sql: &'static str| {
        let db = shop.server().state.db.clone();
        async move {
            db.read(move |conn| conn.query_row(sql, shop_server::args![], |r| r.get::<i64>(0)))
                .await
                .unwrap()
        }
    };
    assert_eq!(count("SELECT count(*) FROM idempotency_keys").await, 1);
    let db = shop.server().state.db.clone();
    let now = shop_server::clock::now_ms();
    // A day later nothing is due; past the horizon the key, and long-expired sessions, go.
    db.write(move |tx| shop_server::storage::mutations::prune(tx, now + 86_400_000))
        .await
        .unwrap();
    assert_eq!(count("SELECT count(*) FROM idempotency_keys").await, 1);
    let later = now + shop_server::storage::mutations::IDEMPOTENCY_HORIZON_MS + 1;
    db.write(move |tx| shop_server::storage::mutations::prune(tx, later))
        .await
        .unwrap();
    assert_eq!(count("SELECT count(*) FROM idempotency_keys").await, 0);
    assert_eq!(count("SELECT count(*) FROM customer_sessions").await, 0);
    assert_eq!(count("SELECT count(*) FROM staff_tokens").await, 0);
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn behind_a_trusted_proxy_each_client_is_counted_apart() {
    let shop = TestShop::with(|config| {
        config.limits.chat_starts_per_ip = shop_server::limits::Rate::new(1, 1);
        config.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    let start = |client: reqwest::Client, forwarded: &'static str| {
        let url = format!("{}/api/v1/storefront/chats", shop.url);
        async move {
            client
                .post(url)
                .header("x-forwarded-for", forwarded)
                .json(&StartChat {
                    name: "Alma".into(),
                    email: "alma@example.com".into(),
                    platform: Platform::OnlineStore,
                })
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    let proxy = shop.client.clone();
    assert_eq!(
        start(proxy.clone(), "203.0.113.1").await,
        StatusCode::CREATED
    );
    assert_eq!(
        start(proxy.clone(), "203.0.113.1").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(start(proxy, "203.0.113.2").await, StatusCode::CREATED);
    // A caller that is not the proxy can't choose the address it is counted by.
    let direct = shop.client_from("127.0.0.7");
    assert_eq!(
        start(direct.clone(), "198.51.100.1").await,
        StatusCode::CREATED
    );
    assert_eq!(
        start(direct, "198.51.100.2").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn codes_to_one_address_are_limited_however_many_chats_ask() {
    let shop = TestShop::with(|config| {
        config.limits.verification_emails_per_address =
            shop_server::limits::Rate::every(std::time::Duration::from_secs(3600), 2);
    })
    .await;
    let mut answers = Vec::new();
    for _ in 0..3 {
        let chat = shop.start_chat("Not Bob", "bob@example.com").await;
        answers.push(ask_for_code(&shop, &chat).await.status());
    }
    assert_eq!(
        answers,
        [
            StatusCode::ACCEPTED,
            StatusCode::ACCEPTED,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
    // Another address is not affected.
    let alma = shop.start_chat("Alma", "alma@example.com").await;
    assert_eq!(
        ask_for_code(&shop, &alma).await.status(),
        StatusCode::ACCEPTED
    );
    shop.stop().await;
}

/// HSTS would make a browser force HTTPS on every port of the host for a year: right for a
/// shop's own domain, wrong for the local CA's `localhost`, which other local servers share.
#[tokio::test(flavor = "multi_thread")]
async fn strict_transport_security_comes_only_with_the_shops_own_certificate() {
    let hsts = |response: &reqwest::Response| {
        response
            .headers()
            .get("strict-transport-security")
            .map(|v| v.to_str().unwrap().to_owned())
    };

    let local = TestShop::demo().await;
    let response = local
        .request(Method::GET, "/api/v1/openapi.json", None)
        .send()
        .await
        .expect("the local-CA shop answers");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        hsts(&response),
        None,
        "no HSTS for the local CA's localhost"
    );
    local.stop().await;

    // A certificate of the shop's own, handed over as `--cert`/`--key` would.
    let certs = tempfile::tempdir().expect("temp dir");
    let mut files = shop_server::tls::local_ca(certs.path()).expect("a certificate");
    let ca = std::fs::read(files.ca.take().expect("its CA")).expect("the CA file");
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = test_config(dir.path());
    config.tls = Some(files);
    let server = shop_server::start(config).await.expect("server starts");
    let response = client_for(&ca)
        .get(format!("{}/api/v1/openapi.json", server.url()))
        .send()
        .await
        .expect("the shop with its own certificate answers");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(hsts(&response).as_deref(), Some("max-age=31536000"));
    server.shutdown().await;
}

/// Card testing: declined cards are tries, counted per chat and per address, and a chat can't
/// price or pay for another chat's cart.
#[tokio::test(flavor = "multi_thread")]
async fn payments_and_quotes_are_limited_and_a_chat_pays_only_for_its_own_cart() {
    let shop = TestShop::with(|config| {
        config.limits.payments_per_session = shop_server::limits::Rate::new(1, 3);
        config.limits.payments_per_ip = shop_server::limits::Rate::new(1, 5);
        config.limits.quotes_per_session = shop_server::limits::Rate::new(1, 2);
    })
    .await;
    let (item, _) = first_variant(&shop).await;
    let order = PlaceOrder {
        email: "card@example.com".into(),
        shipping_address: ShippingAddress {
            name: "Card Tester".into(),
            line1: "Gatan 1".into(),
            line2: None,
            postal_code: "111 11".into(),
            city: "Stockholm".into(),
            country: "SE".into(),
        },
        shipping_method: "standard".into(),
        card_number: TEST_CARD_DECLINED.into(),
    };
    let path = |chat: &ChatSession, rest: &str| {
        format!(
            "/api/v1/storefront/conversations/{}/{rest}",
            chat.conversation_id
        )
    };
    let pay = |chat: &ChatSession| {
        shop.request(Method::POST, &path(chat, "orders"), Some(&chat.token))
            .json(&order)
            .send()
    };
    let first = shop.start_chat("Card", "card@example.com").await;
    let other = shop.start_chat("Other", "other@example.com").await;
    add_to_cart(&shop, &first, item).await;
    add_to_cart(&shop, &other, item).await;

    // Another chat's token is refused before anything is priced or counted.
    let response = shop
        .request(Method::POST, &path(&first, "orders"), Some(&other.token))
        .json(&order)
        .send()
        .await
        .unwrap();
    problem(response, StatusCode::FORBIDDEN).await;

    // Per chat: the burst of declined cards, then 429 with Retry-After.
    for _ in 0..3 {
        problem(pay(&first).await.unwrap(), StatusCode::PAYMENT_REQUIRED).await;
    }
    let refused = pay(&first).await.unwrap();
    assert!(refused.headers().get("retry-after").is_some());
    assert_eq!(
        problem(refused, StatusCode::TOO_MANY_REQUESTS).await.code,
        ProblemCode::RateLimited
    );
    // Per address: another chat from the same address has two tries left of five.
    for _ in 0..2 {
        problem(pay(&other).await.unwrap(), StatusCode::PAYMENT_REQUIRED).await;
    }
    problem(pay(&other).await.unwrap(), StatusCode::TOO_MANY_REQUESTS).await;
    // Nothing was ordered and both carts are as they were.
    for chat in [&first, &other] {
        let seen = transcript(&shop, chat).await;
        assert_eq!(seen.cart.expect("a cart").lines.len(), 1);
        assert!(seen.order_events.is_empty());
    }

    // Quotes per chat.
    for _ in 0..2 {
        let response = shop
            .request(Method::GET, &path(&first, "checkout"), Some(&first.token))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
    let response = shop
        .request(Method::GET, &path(&first, "checkout"), Some(&first.token))
        .send()
        .await
        .unwrap();
    problem(response, StatusCode::TOO_MANY_REQUESTS).await;
    shop.stop().await;
}
