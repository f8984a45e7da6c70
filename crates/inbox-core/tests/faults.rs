//! The engine against a shop behind a fault-injecting proxy ([`proxy`]): connections refused
//! and broken mid-handshake, requests dropped before and after the shop saw them, answers
//! delayed, stalled, cut mid-body or replaced by a 500 or a 429 with `Retry-After`, live
//! streams cut mid-event. Whatever a schedule of faults did, once the faults stop the engine
//! gets live with an empty outbox, the mirror equals the shop entity by entity, and every
//! queued reply is on the shop exactly once.
//!
//! `make test` runs 200 random schedules. The longer mode runs 1,000:
//!
//! ```text
//! FAULT_SCHEDULES=1000 cargo test -p inbox-core --test faults
//! ```
//!
//! The run starts at a random seed and prints it; a failure names its schedule's seed, and
//! `FAULT_SEED=<seed> FAULT_SCHEDULES=1` plays that schedule's faults again (the engine's
//! timing, and so which request meets which fault, can differ).
//!
//! To keep 200 schedules quick (about 1.5 minutes on two cores, debug build), four lanes run
//! side by side, each with its own demo shop and proxy, since a schedule mostly waits. Within
//! a lane each schedule gets a fresh mirror and its own chats and replies; most mirrors start
//! as a copy of one kept caught up beside them (a new file with an empty outbox, not the last
//! schedule's mirror), and one in ten starts empty and does its whole first sync through the
//! faults. The engine's retry delays start at 20 ms instead of 500 ms
//! ([`Inbox::set_retry_base`]); a `Retry-After` is honoured as given.

#[path = "faults/proxy.rs"]
mod proxy;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use inbox_core::*;
use inbox_protocol::*;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use crate::proxy::{Fault, FaultProxy, Plan};

const DEFAULT_SCHEDULES: u64 = 200;
/// Schedules running at once, each lane with its own shop.
const LANES: u64 = 4;
/// How soon the engine retries after a first failure (it doubles from there).
const RETRY_BASE: Duration = Duration::from_millis(20);
/// The share of schedules whose mirror starts empty.
const EMPTY_START: f64 = 0.1;
/// How long a schedule may take to settle once the faults stop.
const SETTLE: Duration = Duration::from_secs(30);

/// One shop, the proxy in front of it, and what a schedule needs to start from.
struct Lane {
    shop: shop_server::Running,
    /// The shop's data and the proxy's CA; removed with the lane.
    _dir: tempfile::TempDir,
    proxy: FaultProxy,
    proxy_ca: PathBuf,
    staff: Staff,
    token: String,
    /// Another staff member who may chat, to assign conversations to.
    colleague: i64,
    /// A mirror kept caught up directly (no proxy): schedules start from a copy of it.
    base: Inbox,
    shop_view: ShopView,
}

impl Lane {
    async fn start() -> anyhow::Result<Lane> {
        let dir = tempfile::tempdir()?;
        let mut config = shop_server::Config::new(dir.path().join("shop"));
        config.limits = shop_server::limits::LimitsConfig::many_customers_from_one_address();
        config.demo = true;
        config.heartbeat = Duration::from_secs(1);
        let shop = shop_server::start(config).await?;
        let shop_ca = shop.announcement.ca.clone().context("the shop's CA")?;
        let address = ShopAddress {
            url: shop.url().to_owned(),
            ca_pem: Some(std::fs::read(&shop_ca)?),
        };
        let who = shop
            .announcement
            .demo_staff
            .iter()
            .flatten()
            .find(|s| s.chat_permission)
            .context("a demo staff member who can chat")?;
        let session = ApiClient::new(&address)?
            .sign_in(&who.email, &who.password)
            .await?;
        let proxy = FaultProxy::start(shop.url(), &std::fs::read(&shop_ca)?).await?;
        let proxy_ca = dir.path().join("proxy-ca.pem");
        std::fs::write(&proxy_ca, &proxy.ca_pem)?;

        let base = Inbox::open(
            &dir.path().join("base"),
            Account {
                shop_url: shop.url().to_owned(),
                ca_path: Some(shop_ca),
                staff: session.staff.clone(),
            },
            Some(session.token.clone()),
        )?;
        base.sync_once().await?;
        let colleague = base
            .staff()
            .await?
            .iter()
            .find(|s| s.can_chat() && s.id != session.staff.id)
            .context("a colleague who can chat")?
            .id;
        let mut shop_view = ShopView {
            api: ApiClient::new(&address)?.with_token(session.token.clone()),
            address,
            cursor: String::new(),
            entities: BTreeMap::new(),
        };
        shop_view.refresh().await?;
        Ok(Lane {
            shop,
            _dir: dir,
            proxy,
            proxy_ca,
            staff: session.staff,
            token: session.token,
            colleague,
            base,
            shop_view,
        })
    }

    /// Starts an engine in `data` that reaches the shop through the proxy, with a mirror that
    /// is empty or a copy of the lane's caught-up one.
    fn open_inbox(&self, data: &Path, empty: bool, retry_base: Duration) -> anyhow::Result<Inbox> {
        let account = Account {
            shop_url: self.proxy.url.clone(),
            ca_path: Some(self.proxy_ca.clone()),
            staff: self.staff.clone(),
        };
        if !empty {
            snapshot(
                self.base.store().path(),
                &account.dir(data).join("mirror.db"),
            )?;
        }
        let inbox = Inbox::open(data, account, Some(self.token.clone()))?;
        inbox.set_retry_base(retry_base);
        inbox.start();
        Ok(inbox)
    }
}

/// The shop's entities as the feed gives them to our staff member, kept current from a cursor.
struct ShopView {
    api: ApiClient,
    address: ShopAddress,
    cursor: String,
    /// Keyed by kind and id; the value is the entity as the mirror stores it (JSON text).
    entities: BTreeMap<(&'static str, i64), String>,
}

impl ShopView {
    async fn refresh(&mut self) -> anyhow::Result<()> {
        loop {
            let page = self.api.sync_page(&self.cursor, 5_000, false).await?;
            for change in &page.changes {
                let (key, value) = keyed(&change.entity)?;
                match value {
                    Some(value) => self.entities.insert(key, value),
                    None => self.entities.remove(&key),
                };
            }
            self.cursor = page.next_cursor;
            if !page.has_more {
                return Ok(());
            }
        }
    }

    fn get<T: serde::de::DeserializeOwned>(&self, kind: &'static str, id: i64) -> Option<T> {
        self.entities
            .get(&(kind, id))
            .map(|text| serde_json::from_str(text).expect("an entity the shop sent"))
    }

    /// The shop's messages with this text.
    fn messages_saying(&self, text: &str) -> Vec<i64> {
        self.entities
            .range(("message", i64::MIN)..=("message", i64::MAX))
            .filter_map(|(&(_, id), data)| {
                let message: Message = serde_json::from_str(data).expect("a message");
                (message.body.text() == Some(text)).then_some(id)
            })
            .collect()
    }
}

/// An entity's key and its JSON as the mirror stores it; `None` for a deletion.
fn keyed(entity: &Entity) -> anyhow::Result<((&'static str, i64), Option<String>)> {
    use serde_json::to_string;
    Ok(match entity {
        Entity::Staff(s) => (("staff", s.id), Some(to_string(s)?)),
        Entity::Customer(c) => (("customer", c.id), Some(to_string(c)?)),
        Entity::Conversation(c) => (("conversation", c.id), Some(to_string(c)?)),
        Entity::Message(m) => (("message", m.id), Some(to_string(m)?)),
        Entity::CartEvent(e) => (("cart_event", e.id), Some(to_string(e)?)),
        Entity::ReadState(r) => (("read_state", r.conversation_id), Some(to_string(r)?)),
        Entity::Note(n) => (("note", n.id), Some(to_string(n)?)),
        Entity::NoteDeleted { id, .. } => (("note", *id), None),
        Entity::SavedReply(r) => (("saved_reply", r.id), Some(to_string(r)?)),
        Entity::SavedReplyDeleted { id } => (("saved_reply", *id), None),
        Entity::Activity(a) => (("activity", a.id), Some(to_string(a)?)),
        Entity::Cart(c) => (("cart", c.customer_id), Some(to_string(c)?)),
        Entity::Order(o) => (("order", o.id), Some(to_string(o)?)),
        Entity::OrderEvent(e) => (("order_event", e.id), Some(to_string(e)?)),
    })
}

/// Every entity in a mirror, keyed as in [`ShopView`].
async fn mirror_entities(inbox: &Inbox) -> anyhow::Result<BTreeMap<(&'static str, i64), String>> {
    Ok(inbox
        .store()
        .read(|conn| {
            let mut all = BTreeMap::new();
            for (kind, table, id) in [
                ("staff", "staff", "id"),
                ("customer", "customers", "id"),
                ("conversation", "conversations", "id"),
                ("message", "messages", "id"),
                ("cart_event", "cart_events", "id"),
                ("read_state", "read_states", "conversation_id"),
                ("note", "notes", "id"),
                ("saved_reply", "saved_replies", "id"),
                ("cart", "carts", "customer_id"),
                ("order", "orders", "id"),
                ("order_event", "order_events", "id"),
            ] {
                let mut stmt = conn.prepare(&format!("SELECT {id}, data FROM {table}"))?;
                let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get(1)?)))?;
                for row in rows {
                    let (id, data) = row?;
                    all.insert((kind, id), data);
                }
            }
            Ok(all)
        })
        .await?)
}

/// What differs between the shop and the mirror, if anything (the first few of each kind).
fn difference(
    shop: &BTreeMap<(&'static str, i64), String>,
    mirror: &BTreeMap<(&'static str, i64), String>,
) -> Option<String> {
    let mut lines = Vec::new();
    for (key, value) in shop {
        match mirror.get(key) {
            None => lines.push(format!("missing {key:?}\n    shop:   {value}")),
            Some(m) if m != value => lines.push(format!(
                "differs {key:?}\n    shop:   {value}\n    mirror: {m}"
            )),
            Some(_) => {}
        }
    }
    for (key, value) in mirror {
        if !shop.contains_key(key) {
            lines.push(format!("extra {key:?}\n    mirror: {value}"));
        }
    }
    (!lines.is_empty()).then(|| {
        format!(
            "mirror != shop in {} entities:\n  {}",
            lines.len(),
            lines[..lines.len().min(8)].join("\n  ")
        )
    })
}

/// (pending, failed) outbox items, with the first failure's reason.
async fn outbox_state(inbox: &Inbox) -> anyhow::Result<(i64, i64, Option<String>)> {
    Ok(inbox
        .store()
        .read(|conn| {
            let counts = conn.query_row(
                "SELECT count(*) FILTER (WHERE state = 'pending'),
                        count(*) FILTER (WHERE state = 'failed'),
                        max(CASE WHEN state = 'failed' THEN error_code || ': ' || error_detail END)
                   FROM outbox",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?;
            Ok(counts)
        })
        .await?)
}

/// A customer's chat, talked to directly (customers don't go through the proxy).
struct Chat {
    api: ApiClient,
    session: ChatSession,
}

impl Chat {
    async fn start(address: &ShopAddress, name: String, email: String) -> anyhow::Result<Chat> {
        let api = ApiClient::new(address)?;
        let session: ChatSession = api
            .send(
                reqwest::Method::POST,
                "/api/v1/storefront/chats",
                &format!("{:032x}", rand::random::<u128>()),
                Some(&StartChat {
                    name,
                    email,
                    platform: Platform::OnlineStore,
                }),
            )
            .await?
            .context("a chat session")?;
        Ok(Chat {
            api: api.with_token(session.token.clone()),
            session,
        })
    }

    async fn say(&self, text: String) -> anyhow::Result<()> {
        let _: Option<Message> = self
            .api
            .send(
                reqwest::Method::POST,
                &format!(
                    "/api/v1/storefront/conversations/{}/messages",
                    self.session.conversation_id
                ),
                &format!("{:032x}", rand::random::<u128>()),
                Some(&CustomerText { text }),
            )
            .await?;
        Ok(())
    }
}

/// Copies a live mirror into a new file (consistent, WAL and all).
fn snapshot(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(to.parent().context("a mirror folder")?)?;
    let conn = rusqlite::Connection::open(from)?;
    conn.execute("VACUUM INTO ?1", [to.to_str().context("a UTF-8 path")?])?;
    Ok(())
}

/// What a schedule's staff member does.
#[derive(Debug, Clone)]
enum StaffAction {
    Reply(i64, String),
    Assign(i64, i64),
    SetStatus(i64, ConversationStatus),
    MarkUnread(i64),
}

/// One schedule: faults on, a fresh mirror through the proxy, staff and customers busy, faults
/// off, then everything must settle and agree.
async fn run_schedule(lane: &mut Lane, seed: u64) -> anyhow::Result<()> {
    let mut rng = StdRng::seed_from_u64(seed);
    let plan = Plan::random(&mut rng);
    let empty_start = rng.random_bool(EMPTY_START);

    // Two new chats, each with a first message the engine has to catch up on.
    let address = lane.shop_view.address.clone();
    let mut chats = Vec::new();
    for n in 0..2 {
        let chat = Chat::start(
            &address,
            format!("Kund {seed}-{n}"),
            format!("kund-{seed}-{n}@example.se"),
        )
        .await?;
        chat.say(format!("Hej, en fråga ({seed}-{n})")).await?;
        chats.push(chat);
    }
    let (a, b) = (
        chats[0].session.conversation_id,
        chats[1].session.conversation_id,
    );

    // Two quiet demo conversations: one changes status, one is marked unread.
    lane.base.sync_once().await?;
    let mut quiet = Vec::new();
    for status in [Folder::Open, Folder::Closed] {
        let list = lane
            .base
            .conversations(ListFilter {
                status,
                limit: 500,
                ..ListFilter::default()
            })
            .await?;
        quiet.extend(list.into_iter().filter(|c| c.id != a && c.id != b));
    }
    quiet.shuffle(&mut rng);
    let (toggled, unread) = (&quiet[0], quiet[1].id);
    let new_status = match toggled.status {
        ConversationStatus::Open => ConversationStatus::Closed,
        _ => ConversationStatus::Open,
    };

    let mut actions = vec![
        StaffAction::Reply(a, format!("Svar 1 på {a}, schema {seed}")),
        StaffAction::Reply(b, format!("Svar 2 på {b}, schema {seed}")),
        StaffAction::Reply(a, format!("Svar 3 på {a}, schema {seed}")),
        StaffAction::Assign(a, lane.colleague),
        StaffAction::SetStatus(toggled.id, new_status),
        StaffAction::MarkUnread(unread),
    ];
    actions.shuffle(&mut rng);

    let data = tempfile::tempdir()?;
    lane.proxy.set_plan(plan.clone());
    let inbox = lane.open_inbox(data.path(), empty_start, RETRY_BASE)?;

    // Customers keep talking while the staff member works.
    let pauses: Vec<u64> = (0..rng.random_range(2..6))
        .map(|_| rng.random_range(10..150))
        .collect();
    let talk = async {
        for (n, pause) in pauses.iter().enumerate() {
            tokio::time::sleep(Duration::from_millis(*pause)).await;
            chats[n % 2]
                .say(format!("Och en sak till ({seed}-{n})"))
                .await?;
        }
        anyhow::Ok(())
    };
    let work = async {
        for action in &actions {
            tokio::time::sleep(Duration::from_millis(rng.random_range(0..60))).await;
            match action {
                StaffAction::Reply(conversation, text) => {
                    inbox.reply(*conversation, text).await?;
                }
                StaffAction::Assign(conversation, to) => {
                    // An empty mirror must learn the staff list first (assign checks it).
                    let deadline = Instant::now() + SETTLE;
                    while !inbox.staff().await?.iter().any(|s| s.id == *to) {
                        ensure!(Instant::now() < deadline, "the staff list never synced");
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                    inbox.assign(*conversation, Some(*to)).await?;
                }
                StaffAction::SetStatus(conversation, status) => {
                    inbox.set_status(*conversation, *status).await?;
                }
                StaffAction::MarkUnread(conversation) => {
                    inbox.set_unread(*conversation, true).await?;
                }
            }
        }
        anyhow::Ok(())
    };
    let (talked, worked) = tokio::join!(talk, work);
    talked?;
    worked?;

    // Let the rest of the plan play out while the engine still has work (an idle live engine
    // makes no requests to meet it), then stop the faults.
    let deadline = Instant::now() + Duration::from_secs(3);
    while lane.proxy.planned_requests() > 0 && Instant::now() < deadline {
        let (pending, _, _) = outbox_state(&inbox).await?;
        if pending == 0 && inbox.sync_state() == SyncState::Live {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    lane.proxy.lift();

    settle(&inbox, &mut lane.shop_view).await?;

    // Every reply is on the shop exactly once; the other actions took effect.
    for action in &actions {
        let view = &lane.shop_view;
        match action {
            StaffAction::Reply(_, text) => {
                let copies = view.messages_saying(text);
                ensure!(copies.len() == 1, "{text:?} is on the shop as {copies:?}");
            }
            StaffAction::Assign(conversation, to) => {
                let c: Conversation = view.get("conversation", *conversation).context("gone")?;
                ensure!(c.assignee_id == Some(*to), "not assigned: {c:?}");
            }
            StaffAction::SetStatus(conversation, status) => {
                let c: Conversation = view.get("conversation", *conversation).context("gone")?;
                ensure!(c.status == *status, "status not changed: {c:?}");
            }
            StaffAction::MarkUnread(conversation) => {
                let r: ReadState = view
                    .get("read_state", *conversation)
                    .context("no read state")?;
                ensure!(r.marked_unread, "not marked unread: {r:?}");
            }
        }
    }
    inbox.stop();
    Ok(())
}

/// Waits until the engine is live with an empty outbox and the mirror equals the shop.
async fn settle(inbox: &Inbox, shop: &mut ShopView) -> anyhow::Result<()> {
    let deadline = Instant::now() + SETTLE;
    loop {
        let (pending, failed, why) = outbox_state(inbox).await?;
        ensure!(
            failed == 0,
            "a fault made an outbox item fail for good: {why:?}"
        );
        let state = inbox.sync_state();
        let difference = if state == SyncState::Live && pending == 0 {
            shop.refresh().await?;
            match difference(&shop.entities, &mirror_entities(inbox).await?) {
                None => return Ok(()),
                difference => difference,
            }
        } else {
            None
        };
        if Instant::now() > deadline {
            bail!(
                "not settled {SETTLE:?} after the faults stopped: {state:?}, {pending} pending; {}",
                difference.unwrap_or_default()
            );
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Runs seeds `first`, `first + step`, … below `end` on one lane; returns the faults it
/// injected, or the first failure.
async fn run_lane(first: u64, end: u64, step: u64) -> Result<BTreeMap<&'static str, u64>, String> {
    let mut lane = Lane::start()
        .await
        .map_err(|e| format!("starting a lane: {e:#}"))?;
    for seed in (first..end).step_by(step as usize) {
        let result = tokio::time::timeout(Duration::from_secs(120), run_schedule(&mut lane, seed))
            .await
            .unwrap_or_else(|_| Err(anyhow::anyhow!("the schedule took over two minutes")));
        if let Err(error) = result {
            let mut rng = StdRng::seed_from_u64(seed);
            return Err(format!(
                "schedule {seed} (replay: FAULT_SEED={seed} FAULT_SCHEDULES=1): {error:#}\n\
                 plan: {:?}",
                Plan::random(&mut rng),
            ));
        }
    }
    let counts = lane.proxy.counts();
    drop(lane.base);
    lane.shop.shutdown().await;
    Ok(counts)
}

#[tokio::test(flavor = "multi_thread")]
async fn after_any_faults_the_mirror_equals_the_shop_and_replies_arrive_once() {
    let schedules: u64 = std::env::var("FAULT_SCHEDULES")
        .ok()
        .map(|v| v.parse().expect("FAULT_SCHEDULES is a number"))
        .unwrap_or(DEFAULT_SCHEDULES);
    let first: u64 = std::env::var("FAULT_SEED")
        .ok()
        .map(|v| v.parse().expect("FAULT_SEED is a number"))
        .unwrap_or_else(|| rand::random::<u32>().into());
    eprintln!("{schedules} fault schedules from seed {first}");

    // Schedules mostly wait (on faults, backoff, customers), so a few lanes, each with its own
    // shop, share the cores well; a lane's schedules run one after another.
    let started = Instant::now();
    let lanes = LANES.min(schedules.max(1));
    // The first failing lane ends the test; the others are dropped with the runtime.
    let runs = (0..lanes).map(|lane| {
        let run = tokio::spawn(run_lane(first + lane, first + schedules, lanes));
        async move { run.await.map_err(|e| e.to_string())? }
    });
    let mut counts = BTreeMap::new();
    match futures_util::future::try_join_all(runs).await {
        Ok(lanes) => {
            for (kind, n) in lanes.into_iter().flatten() {
                *counts.entry(kind).or_insert(0) += n;
            }
        }
        Err(failure) => panic!("{failure}"),
    }
    eprintln!(
        "{schedules} schedules in {:.1?}; faults injected: {counts:?}",
        started.elapsed()
    );
    // A proxy that injected nothing would prove nothing.
    if schedules >= DEFAULT_SCHEDULES {
        for kind in proxy::KINDS {
            assert!(
                counts.get(kind).is_some_and(|&n| n > 0),
                "never injected: {kind}"
            );
        }
    }
}

/// Waits for a condition the engine should reach soon.
async fn wait_for<F: AsyncFnMut() -> anyhow::Result<bool>>(
    what: &str,
    mut check: F,
) -> anyhow::Result<()> {
    let deadline = Instant::now() + SETTLE;
    while !check().await? {
        ensure!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

/// An answer that arrives late (held back, or the shop's replay of a lost one for the retry)
/// describes the conversation as it was when the shop acted; the feed has brought a newer
/// state meanwhile and won't send it again. The mirror must keep the newer one.
#[tokio::test(flavor = "multi_thread")]
async fn a_late_answer_never_overwrites_what_the_feed_brought_since() {
    let mut lane = Lane::start().await.unwrap();
    for (n, (how, fault, retry_base)) in [
        (
            "held back",
            Fault::SlowAnswer(Duration::from_millis(1_500)),
            RETRY_BASE,
        ),
        ("replayed", Fault::LostAnswer, Duration::from_millis(2_000)),
    ]
    .into_iter()
    .enumerate()
    {
        let result = async {
            let address = lane.shop_view.address.clone();
            let chat = Chat::start(&address, format!("Kund {n}"), format!("sen-{n}@example.se")).await?;
            chat.say("Hej!".into()).await?;
            let a = chat.session.conversation_id;
            lane.base.sync_once().await?;
            let data = tempfile::tempdir()?;
            let inbox = lane.open_inbox(data.path(), false, retry_base)?;
            wait_for("live", async || Ok(inbox.sync_state() == SyncState::Live)).await?;

            let assign = format!("PUT /api/v1/conversations/{a}/assignee");
            lane.proxy.set_plan(Plan {
                targeted: vec![(assign, fault)],
                ..Plan::default()
            });
            inbox.assign(a, Some(lane.colleague)).await?;
            wait_for("the shop to assign", async || {
                lane.shop_view.refresh().await?;
                let c: Option<Conversation> = lane.shop_view.get("conversation", a);
                Ok(c.is_some_and(|c| c.assignee_id == Some(lane.colleague)))
            })
            .await?;
            // The customer writes before the answer arrives, and the feed brings it.
            chat.say("Hallå, är ni där?".into()).await?;
            wait_for("the customer's message in the mirror", async || {
                let view = inbox.conversation(a).await?;
                Ok(view.timeline.iter().any(|i| {
                    matches!(i, TimelineItem::Message(m) if m.message.body.text() == Some("Hallå, är ni där?"))
                }))
            })
            .await?;
            let (pending, _, _) = outbox_state(&inbox).await?;
            ensure!(pending == 1, "the answer came too soon to test anything");
            settle(&inbox, &mut lane.shop_view).await?;
            inbox.stop();
            anyhow::Ok(())
        }
        .await;
        if let Err(error) = result {
            panic!("an answer {how}: {error:#}");
        }
    }
    lane.shop.shutdown().await;
}

/// A 429's `Retry-After` is waited out, however short the engine's own backoff.
#[tokio::test(flavor = "multi_thread")]
async fn a_busy_shop_is_left_alone_as_long_as_it_asks() {
    let mut lane = Lane::start().await.unwrap();
    let address = lane.shop_view.address.clone();
    let chat = Chat::start(&address, "Kund".into(), "upptagen@example.se".into())
        .await
        .unwrap();
    chat.say("Hej!".into()).await.unwrap();
    let a = chat.session.conversation_id;
    lane.base.sync_once().await.unwrap();
    let data = tempfile::tempdir().unwrap();
    let inbox = lane.open_inbox(data.path(), false, RETRY_BASE).unwrap();
    lane.proxy.set_plan(Plan {
        targeted: vec![(
            format!("POST /api/v1/conversations/{a}/messages"),
            Fault::TooManyRequests(2),
        )],
        ..Plan::default()
    });
    let asked = Instant::now();
    inbox.reply(a, "Strax!").await.unwrap();
    wait_for("the reply on the shop", async || {
        lane.shop_view.refresh().await?;
        Ok(lane.shop_view.messages_saying("Strax!").len() == 1)
    })
    .await
    .unwrap();
    let waited = asked.elapsed();
    assert!(
        waited >= Duration::from_secs(2),
        "retried after {waited:?}, not the 2 s the shop asked for"
    );
    assert_eq!(lane.proxy.counts().get("429 with Retry-After"), Some(&1));
    settle(&inbox, &mut lane.shop_view).await.unwrap();
    inbox.stop();
    lane.shop.shutdown().await;
}
