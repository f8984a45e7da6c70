//! The Inbox client engine: a local SQLite mirror of one staff member's view of a shop, kept in
//! sync over HTTPS and live by push; an outbox that delivers every staff action exactly once;
//! offline search; the notification policy; attachment handling.
//!
//! It has no UI. The desktop shell and `inbox-cli` sit on top of [`Inbox`]; it never knows
//! which one it serves.

pub mod activity;
pub mod api;
pub mod attachments;
pub mod desktop_notify;
pub mod error;
pub mod events;
pub mod keychain;
pub mod metrics;
pub mod notifications;
pub mod notify;
pub mod outbox;
pub mod prefetch;
pub mod saved_replies;
pub mod search;
pub mod session;
pub mod snooze;
pub mod store;
pub mod sync;
pub mod views;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use inbox_protocol::*;
use serde::{Deserialize, Serialize};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::api::encode;
pub use crate::api::{ApiClient, ShopAddress};
pub use crate::error::{Error, Result};
use crate::events::Events;
pub use crate::events::{Event, Listener, SyncState};
pub use crate::notifications::Notification;
use crate::outbox::{Action, Next, Outcome};
use crate::store::{Store, now_ms};
pub use crate::views::*;

/// Who is signed in where; saved beside the mirror so the app opens offline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Account {
    pub shop_url: String,
    /// A CA file to trust for this shop (self-hosted shops), instead of the platform's roots.
    pub ca_path: Option<PathBuf>,
    pub staff: Staff,
}

impl Account {
    /// The mirror's folder: one per (shop, staff member).
    pub fn dir(&self, data_dir: &Path) -> PathBuf {
        let shop: String = self
            .shop_url
            .trim_start_matches("https://")
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        data_dir
            .join("shops")
            .join(shop)
            .join(self.staff.id.to_string())
    }

    /// The web address a link the shop sent opens at, for the system browser: a relative one
    /// ("/store/products/mug", as the shop sends product and admin links) is on the shop's own
    /// address; an absolute one must be https (or http, as customers type links). Anything else
    /// (`javascript:`, `file:`, a bare word) is refused with the reason.
    pub fn web_link(&self, link: &str) -> std::result::Result<String, String> {
        let link = link.trim();
        if link.is_empty() {
            return Err("the link is empty".into());
        }
        let base = reqwest::Url::parse(&self.shop_url).map_err(|e| {
            format!(
                "the shop's address {:?} is not a web address: {e}",
                self.shop_url
            )
        })?;
        let url = if link.starts_with('/') && !link.starts_with("//") {
            base.join(link)
                .map_err(|e| format!("{link:?} is not a web address: {e}"))?
        } else {
            reqwest::Url::parse(link).map_err(|e| format!("{link:?} is not a web address: {e}"))?
        };
        match url.scheme() {
            "https" | "http" if url.host_str().is_some_and(|h| !h.is_empty()) => {
                Ok(url.to_string())
            }
            "https" | "http" => Err(format!("{link:?} names no web site")),
            other => Err(format!(
                "{other}: links don't open from Inbox, only web addresses"
            )),
        }
    }

    pub fn address(&self) -> Result<ShopAddress> {
        let ca_pem = match &self.ca_path {
            Some(path) => Some(std::fs::read(path).map_err(|e| {
                Error::Certificate(format!("can't read the CA file {}: {e}", path.display()))
            })?),
            None => None,
        };
        Ok(ShopAddress {
            url: self.shop_url.clone(),
            ca_pem,
        })
    }
}

/// What the background tasks share.
pub struct Shared {
    pub store: Store,
    pub api: ApiClient,
    pub events: Events,
    pub me: i64,
    pub outbox_wake: Notify,
    /// Settings, focus and the stream of decided notifications.
    pub notifier: notifications::Notifier,
    state: Mutex<SyncState>,
    sync_page: AtomicU32,
    /// Set on going live; the outbox worker then retries what only a lost connection held up.
    reconnected: AtomicBool,
    /// The shop answering now is known to hold the mirror's place in its history; cleared
    /// whenever the connection breaks, so nothing is sent to a shop that came back as another
    /// one (see [`outbox::attempt`]).
    pub(crate) shop_confirmed: AtomicBool,
    /// Other people's activity in conversations, as the feed reports it.
    pub board: activity::Board,
    /// This desktop's own reports of viewing and typing.
    pub(crate) reporter: activity::Reporter,
}

impl Shared {
    pub fn set_state(&self, state: SyncState) {
        let mut current = self.state.lock().expect("state poisoned");
        if *current != state {
            if state == SyncState::Live {
                // Tell the outbox worker the shop is reachable again.
                self.reconnected.store(true, Ordering::Relaxed);
                self.outbox_wake.notify_one();
                activity::reconnected(self);
            }
            *current = state.clone();
            drop(current);
            self.events.emit(Event::SyncState(state));
        }
    }

    pub fn state(&self) -> SyncState {
        self.state.lock().expect("state poisoned").clone()
    }

    /// Changes asked for per page of a catch-up.
    pub fn sync_page(&self) -> u32 {
        self.sync_page.load(Ordering::Relaxed)
    }
}

/// An open mirror, optionally syncing.
pub struct Inbox {
    shared: Arc<Shared>,
    account: Account,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

impl Inbox {
    /// Opens the account's mirror. Works offline; call [`Inbox::start`] to sync.
    pub fn open(data_dir: &Path, account: Account, token: Option<String>) -> Result<Inbox> {
        let dir = account.dir(data_dir);
        let store = Store::open(&dir.join("mirror.db"))?;
        let mut api = ApiClient::new(&account.address()?)?;
        if let Some(token) = token {
            api = api.with_token(token);
        }
        Ok(Inbox {
            shared: Arc::new(Shared {
                store,
                api,
                events: Events::default(),
                me: account.staff.id,
                outbox_wake: Notify::new(),
                notifier: notifications::Notifier::new(&dir),
                state: Mutex::new(SyncState::Idle),
                sync_page: AtomicU32::new(sync::PAGE),
                reconnected: AtomicBool::new(false),
                shop_confirmed: AtomicBool::new(false),
                board: activity::Board::default(),
                reporter: activity::Reporter::default(),
            }),
            account,
            tasks: Mutex::new(Vec::new()),
        })
    }

    pub fn account(&self) -> &Account {
        &self.account
    }

    pub fn store(&self) -> &Store {
        &self.shared.store
    }

    pub fn events(&self) -> Listener {
        self.shared.events.subscribe()
    }

    pub fn sync_state(&self) -> SyncState {
        self.shared.state()
    }

    /// Asks for smaller catch-up pages than [`sync::PAGE`]: more, shorter transactions (crash
    /// tests use it to interrupt a first sync part-way).
    pub fn set_sync_page_size(&self, changes: u32) {
        self.shared
            .sync_page
            .store(changes.clamp(1, sync::PAGE), Ordering::Relaxed);
    }

    /// Starts syncing and delivering the outbox in the background.
    pub fn start(&self) {
        let mut tasks = self.tasks.lock().expect("tasks poisoned");
        if !tasks.is_empty() {
            return;
        }
        tasks.push(tokio::spawn(sync::run(self.shared.clone())));
        tasks.push(tokio::spawn(deliver_outbox(self.shared.clone())));
        tasks.push(tokio::spawn(prefetch_after_syncs(
            self.shared.clone(),
            self.attachment_cache(),
            self.events(),
        )));
        tasks.push(tokio::spawn(activity::renew(self.shared.clone())));
    }

    /// Stops the background work; the mirror stays readable.
    pub fn stop(&self) {
        for task in self.tasks.lock().expect("tasks poisoned").drain(..) {
            task.abort();
        }
    }

    /// Paces retries: after a first failure, sync reconnects and outbox deliveries wait about
    /// `base` (default [`api::RETRY_BASE`]), doubling with each further failure. Tests against
    /// a local shop shorten it.
    pub fn set_retry_base(&self, base: std::time::Duration) {
        self.shared.api.set_retry_base(base);
    }

    /// Catches up once (no live stream): for one-shot syncs and tests.
    pub async fn sync_once(&self) -> Result<()> {
        let result = async {
            sync::check_history(&self.shared).await?;
            sync::catch_up(&self.shared).await
        }
        .await;
        match result {
            Ok(_) => {
                self.shared.set_state(SyncState::Idle);
                Ok(())
            }
            Err(Error::SignedOut(detail)) => {
                self.shared.set_state(SyncState::SignedOut);
                Err(Error::SignedOut(detail))
            }
            Err(e) => Err(e),
        }
    }

    /// Tries every pending outbox item once, in order, even one still backing off from an
    /// earlier failure: for one-shot use (the user asked now). Stops at the first item that
    /// must wait (network, busy shop), so order is kept.
    pub async fn flush_outbox(&self) -> Result<usize> {
        let mut delivered = 0;
        loop {
            // "Now" is the far future: a backoff is the live worker's pacing, not a reason to
            // skip an item the user asked to send (a one-shot run may never come back for it).
            match self
                .shared
                .store
                .read(|c| outbox::next(c, Millis::MAX))
                .await?
            {
                Next::Ready(item) => match outbox::attempt(
                    &self.shared.api,
                    &self.shared.store,
                    self.shared.me,
                    item,
                    now_ms(),
                    &self.shared.shop_confirmed,
                )
                .await?
                {
                    Outcome::Delivered => delivered += 1,
                    Outcome::SignedOut => return Err(Error::SignedOut("sign in again".into())),
                    // A refused item is set aside (failed), as the live worker does; go on.
                    Outcome::Failed(_) => {}
                    Outcome::Retry(_) => return Ok(delivered),
                },
                Next::Later(_) | Next::Empty => return Ok(delivered),
            }
        }
    }

    /// Actions not yet delivered: pending ones in delivery order, and refused ones kept for
    /// retry or discard.
    pub async fn outbox(&self) -> Result<Vec<OutboxEntry>> {
        self.shared.store.read(outbox::entries).await
    }

    pub async fn position(&self) -> Result<store::SyncPosition> {
        self.shared.store.read(store::position).await
    }

    pub async fn conversations(&self, filter: ListFilter) -> Result<Vec<ConversationSummary>> {
        let me = self.shared.me;
        self.shared
            .store
            .read(move |c| store::list(c, &filter, me))
            .await
    }

    pub async fn conversation(&self, id: i64) -> Result<ConversationView> {
        self.shared
            .store
            .read(move |c| store::conversation_view(c, id))
            .await
    }

    pub async fn profile(&self, customer_id: i64) -> Result<ProfileView> {
        self.shared
            .store
            .read(move |c| store::profile(c, customer_id, now_ms()))
            .await
    }

    pub async fn staff(&self) -> Result<Vec<Staff>> {
        self.shared.store.read(store::staff).await
    }

    /// How many open conversations that are mine or unassigned have something unread.
    pub async fn unread_count(&self) -> Result<u32> {
        let me = self.shared.me;
        self.shared
            .store
            .read(move |c| store::unread_count(c, me))
            .await
    }

    /// The metrics view of a period and the one before it, counted from the mirror.
    pub async fn metrics(&self, query: metrics::MetricsQuery) -> Result<metrics::Metrics> {
        self.shared
            .store
            .read(move |c| metrics::metrics(c, query))
            .await
    }

    pub async fn search(&self, query: &str, limit: usize) -> Result<Vec<SearchHit>> {
        let query = query.to_owned();
        self.shared
            .store
            .read(move |c| search::search(c, &query, limit))
            .await
    }

    pub async fn save_draft(&self, conversation_id: i64, text: &str) -> Result<()> {
        let text = text.to_owned();
        self.shared
            .store
            .write(move |tx| store::save_draft(tx, conversation_id, &text, now_ms()))
            .await
    }

    /// Queues an action, applies it locally at once, and wakes the outbox.
    async fn enqueue(&self, action: Action, echo: Option<MessageBody>) -> Result<i64> {
        let me = self.shared.me;
        let conversation_id = action.conversation_id();
        let clears_draft = action.is_message();
        if let (true, Some(id)) = (clears_draft, conversation_id) {
            activity::message_sent(&self.shared, id);
        }
        let id = self
            .shared
            .store
            .write(move |tx| {
                let id = outbox::enqueue(tx, me, &action, echo, now_ms())?;
                if let (true, Some(conversation_id)) = (clears_draft, conversation_id) {
                    store::save_draft(tx, conversation_id, "", now_ms())?;
                }
                Ok(id)
            })
            .await?;
        self.shared.events.emit(Event::OutboxChanged {
            id,
            conversation_id,
        });
        if let Some(id) = conversation_id {
            self.shared.events.emit(Event::ConversationChanged { id });
        }
        self.shared.outbox_wake.notify_one();
        Ok(id)
    }

    /// The notifications this staff member should see, as the engine decides them while it
    /// applies synced changes: customer messages, new conversations and assignments to them,
    /// one summary for a catch-up that brings in many or old messages. Each is decided once
    /// and recorded, so none repeats, across restarts. Open the stream before
    /// [`Inbox::start`]: until one is open nothing is decided (a one-shot sync notifies no
    /// one). Opening another replaces this one. Deliver them with
    /// [`desktop_notify::Deliverer`] or the app's own way.
    pub fn notifications(&self) -> tokio::sync::mpsc::UnboundedReceiver<Notification> {
        self.shared.notifier.subscribe()
    }

    /// The notification settings, saved in the account's folder.
    pub fn notification_settings(&self) -> notifications::Settings {
        self.shared.notifier.settings()
    }

    /// Saves the notification settings; they apply from the next synced change on.
    pub fn set_notification_settings(&self, settings: notifications::Settings) -> Result<()> {
        self.shared.notifier.set_settings(settings)
    }

    /// "Pause for 1 hour": nothing is shown until then (what arrives meanwhile is not shown
    /// later either). Returns the saved settings.
    pub fn pause_notifications(
        &self,
        duration: std::time::Duration,
    ) -> Result<notifications::Settings> {
        let mut settings = self.notification_settings();
        settings.paused_until = Some(now_ms() + duration.as_millis() as Millis);
        self.set_notification_settings(settings.clone())?;
        Ok(settings)
    }

    pub fn resume_notifications(&self) -> Result<notifications::Settings> {
        let mut settings = self.notification_settings();
        settings.paused_until = None;
        self.set_notification_settings(settings.clone())?;
        Ok(settings)
    }

    /// Why notifications are held back right now (paused, quiet hours), if they are.
    pub fn notification_silence(&self) -> Option<notifications::Silence> {
        self.notification_settings()
            .silence(&notifications::Moment::now(None))
    }

    /// The conversation on screen in a focused window (`None` when the window loses focus or
    /// shows no conversation): it never notifies.
    pub fn set_focused_conversation(&self, conversation_id: Option<i64>) {
        self.shared.notifier.set_focused(conversation_id);
    }

    /// The language notifications are written in.
    pub fn set_notification_language(&self, lang: notifications::Lang) {
        self.shared.notifier.set_lang(lang);
    }

    /// "Send test notification": sends one down the open notification stream (shown even when
    /// paused or in quiet hours, and saying so) and returns it.
    pub fn send_test_notification(&self) -> Notification {
        let test = Notification::test(self.shared.notifier.lang(), self.notification_silence());
        self.shared.notifier.send(vec![test.clone()]);
        test
    }

    /// Everyone else at work in a conversation now (other staff viewing or typing, customers
    /// typing); [`Event::Activity`] says when to ask again, and each entry when it lapses.
    pub fn activity(&self) -> Vec<activity::Present> {
        self.shared.board.present(now_ms())
    }

    /// The conversation on screen (`None`: none, or the window is hidden or minimised). The
    /// shop hears of it at once and again every 20 s while it stays; of leaving, at once.
    pub async fn report_viewing(&self, conversation_id: Option<i64>) {
        activity::viewing(&self.shared, conversation_id).await;
    }

    /// A key was pressed in a conversation's composer: the shop hears of it at most every 3 s.
    pub async fn report_typing(&self, conversation_id: i64) {
        activity::typing(&self.shared, conversation_id).await;
    }

    /// Sends a text reply. Returns the outbox id.
    pub async fn reply(&self, conversation_id: i64, text: &str) -> Result<i64> {
        let text = text.trim();
        if text.is_empty() {
            return Err(Error::Input("the reply is empty".into()));
        }
        if text.chars().count() > MAX_TEXT_CHARS {
            return Err(Error::Input(format!(
                "a reply can be at most {MAX_TEXT_CHARS} characters"
            )));
        }
        let send = SendMessage::Text {
            text: text.to_owned(),
        };
        let echo = MessageBody::Text {
            text: text.to_owned(),
        };
        self.enqueue(
            Action::Send {
                conversation_id,
                send,
            },
            Some(echo),
        )
        .await
    }

    /// Shares one to three products (cards as shown in the picker), with optional text.
    pub async fn share_products(
        &self,
        conversation_id: i64,
        cards: Vec<ProductCard>,
        text: Option<String>,
    ) -> Result<i64> {
        if cards.is_empty() {
            return Err(Error::Input("choose at least one product".into()));
        }
        if cards.len() > MAX_SHARED_PRODUCTS {
            return Err(Error::Input(format!(
                "you can share up to {MAX_SHARED_PRODUCTS} products at a time"
            )));
        }
        let text = text.filter(|t| !t.trim().is_empty());
        let send = SendMessage::Products {
            text: text.clone(),
            product_ids: cards.iter().map(|c| c.product_id).collect(),
        };
        let echo = MessageBody::Products {
            text,
            products: cards,
        };
        self.enqueue(
            Action::Send {
                conversation_id,
                send,
            },
            Some(echo),
        )
        .await
    }

    /// Shares a discount code. Inactive codes are refused here, before anything is queued.
    pub async fn share_discount(&self, conversation_id: i64, code: &DiscountCode) -> Result<i64> {
        saved_replies::check_discount(code)?;
        let send = SendMessage::Discount {
            discount_id: code.id,
        };
        let echo = MessageBody::Discount {
            discount: DiscountCard {
                discount_id: code.id,
                code: code.code.clone(),
                summary: code.summary.clone(),
            },
        };
        self.enqueue(
            Action::Send {
                conversation_id,
                send,
            },
            Some(echo),
        )
        .await
    }

    /// Sends an image or video from disk, with optional text. The file is checked and
    /// prepared (see [`attachments::prepare`]) into the mirror's `outgoing/` folder on a
    /// blocking thread before anything is queued, so a refused file leaves the outbox as it
    /// was. Until the shop's copy replaces it, the pending message's attachment has an empty
    /// `upload_id` and the URL `local:<file name>` ([`attachments::LOCAL_URL_PREFIX`]), which
    /// [`Inbox::attachment`] resolves to the prepared file. The prepared file stays while the
    /// message is pending or failed (a retry uploads it) and goes once it is delivered or
    /// discarded ([`attachments::remove_prepared`]). Returns the outbox id.
    pub async fn send_media(
        &self,
        conversation_id: i64,
        path: &Path,
        text: Option<String>,
    ) -> Result<i64> {
        let text = text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
        if text
            .as_ref()
            .is_some_and(|t| t.chars().count() > MAX_TEXT_CHARS)
        {
            return Err(Error::Input(format!(
                "a caption can be at most {MAX_TEXT_CHARS} characters"
            )));
        }
        let (path, out) = (
            path.to_owned(),
            self.mirror_dir().join(attachments::OUTGOING_DIR),
        );
        let prepared =
            tokio::task::spawn_blocking(move || attachments::prepare(&path, &out)).await??;
        let echo = MessageBody::Attachment {
            text: text.clone(),
            attachment: prepared.local_attachment(),
        };
        self.enqueue(
            Action::SendMedia {
                conversation_id,
                file: prepared.file,
                mime: prepared.mime,
                text,
                upload: None,
            },
            Some(echo),
        )
        .await
    }

    /// Checks and prepares a file as [`Inbox::send_media`] would, without queueing anything:
    /// what would be sent (size, pixels, a thumbnail), or the same refusal now, before staff
    /// write a caption for a file that can't go.
    pub async fn preview_media(&self, path: &Path) -> Result<attachments::Preview> {
        let path = path.to_owned();
        tokio::task::spawn_blocking(move || attachments::preview(&path)).await?
    }

    /// An attachment's file on disk, for showing: cached by content hash (so it shows
    /// offline), downloaded on first use, the least recently used evicted past 500 MB.
    pub async fn attachment(&self, attachment: &Attachment) -> Result<PathBuf> {
        self.attachment_cache().get(attachment).await
    }

    fn attachment_cache(&self) -> attachments::AttachmentCache {
        attachments::AttachmentCache::new(
            &self.mirror_dir(),
            self.shared.store.clone(),
            self.shared.api.clone(),
            attachments::DEFAULT_CACHE_BYTES,
        )
    }

    /// The attachment cache's use and cap, in bytes (Settings shows them).
    pub async fn attachment_cache_usage(&self) -> Result<(u64, u64)> {
        self.attachment_cache().usage().await
    }

    /// Empties the attachment cache; returns the bytes freed.
    pub async fn clear_attachment_cache(&self) -> Result<u64> {
        self.attachment_cache().clear().await
    }

    /// Fetches incoming images no one opened yet into the cache, within its cap (see
    /// [`prefetch`]); the live engine runs it after each sync by itself.
    pub async fn prefetch_attachments(&self) -> Result<prefetch::Prefetched> {
        prefetch::run(
            &self.shared.store,
            &self.attachment_cache(),
            attachments::DEFAULT_CACHE_BYTES,
        )
        .await
    }

    /// The folder holding this account's mirror, its outgoing files and cached attachments.
    fn mirror_dir(&self) -> PathBuf {
        self.shared
            .store
            .path()
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default()
    }

    pub async fn set_status(
        &self,
        conversation_id: i64,
        status: ConversationStatus,
    ) -> Result<i64> {
        self.enqueue(
            Action::SetStatus {
                conversation_id,
                status,
            },
            None,
        )
        .await
    }

    /// Snoozes an open conversation until `until`, or ends its snooze with `None`; queued like
    /// every action, so it works offline. The shop ends it at that time, or when the customer
    /// writes.
    pub async fn snooze(&self, conversation_id: i64, until: Option<Millis>) -> Result<i64> {
        let conversation = self
            .shared
            .store
            .read(move |c| store::conversation(c, conversation_id))
            .await?
            .ok_or_else(|| Error::NotFound(format!("conversation {conversation_id}")))?;
        if let Some(until) = until {
            if conversation.status == ConversationStatus::Closed {
                return Err(Error::Input(
                    "a closed conversation can't be snoozed; reopen it first".into(),
                ));
            }
            snooze::check(until, store::now_ms())?;
        }
        self.enqueue(
            Action::Snooze {
                conversation_id,
                until,
            },
            None,
        )
        .await
    }

    /// The snooze choices now ("later today", "tomorrow", "next week"), in the shop's time zone.
    pub async fn snooze_choices(&self) -> Result<snooze::SnoozeChoices> {
        let zone = self.shop_zone().await?;
        snooze::choices(store::now_ms(), &zone)
    }

    /// A custom snooze time: a date and time of day in the shop's time zone, as a moment.
    pub async fn snooze_time(&self, date: &str, time: &str) -> Result<Millis> {
        let zone = self.shop_zone().await?;
        let until = snooze::local(date, time, &zone)?;
        snooze::check(until, store::now_ms())?;
        Ok(until)
    }

    /// The shop's time zone as it named it (an IANA name), once a sync has said.
    pub async fn shop_time_zone(&self) -> Result<Option<String>> {
        let name = self.shared.store.read(store::shop_time_zone).await?;
        Ok(Some(name).filter(|n| !n.is_empty()))
    }

    async fn shop_zone(&self) -> Result<jiff::tz::TimeZone> {
        let name = self.shared.store.read(store::shop_time_zone).await?;
        Ok(snooze::zone(Some(&name)))
    }

    pub async fn set_unread(&self, conversation_id: i64, unread: bool) -> Result<i64> {
        self.enqueue(
            Action::SetUnread {
                conversation_id,
                unread,
            },
            None,
        )
        .await
    }

    /// Assigns to a staff member with the chat permission, or unassigns with `None`.
    pub async fn assign(&self, conversation_id: i64, staff_id: Option<i64>) -> Result<i64> {
        if let Some(staff_id) = staff_id {
            let staff = self
                .shared
                .store
                .read(move |c| store::staff_member(c, staff_id))
                .await?;
            match staff {
                Some(s) if !s.can_chat() => {
                    return Err(Error::Input(format!(
                        "{} doesn't have the online store chat permission",
                        s.name
                    )));
                }
                None => return Err(Error::NotFound(format!("staff member {staff_id}"))),
                Some(_) => {}
            }
        }
        self.enqueue(
            Action::Assign {
                conversation_id,
                staff_id,
            },
            None,
        )
        .await
    }

    pub async fn add_note(&self, customer_id: i64, body: &str) -> Result<i64> {
        if body.trim().is_empty() {
            return Err(Error::Input("the note is empty".into()));
        }
        self.enqueue(
            Action::AddNote {
                customer_id,
                body: body.to_owned(),
            },
            None,
        )
        .await
    }

    pub async fn edit_note(&self, customer_id: i64, note_id: i64, body: &str) -> Result<i64> {
        if body.trim().is_empty() {
            return Err(Error::Input("the note is empty".into()));
        }
        self.enqueue(
            Action::EditNote {
                customer_id,
                note_id,
                body: body.to_owned(),
            },
            None,
        )
        .await
    }

    pub async fn delete_note(&self, customer_id: i64, note_id: i64) -> Result<i64> {
        self.enqueue(
            Action::DeleteNote {
                customer_id,
                note_id,
            },
            None,
        )
        .await
    }

    /// The shop's saved replies matching what staff typed (all of them for nothing), from the
    /// mirror: it works offline.
    pub async fn saved_replies(&self, query: &str) -> Result<Vec<SavedReply>> {
        let all = self.shared.store.read(store::saved_replies).await?;
        Ok(saved_replies::search(all, query))
    }

    /// A saved reply's text for one conversation, its variables filled from the mirror: the
    /// conversation's customer, the shop's name, and the signed-in staff member. Works offline.
    pub async fn fill_saved_reply(&self, reply_id: i64, conversation_id: i64) -> Result<String> {
        let me = self.shared.me;
        let (reply, values) = self
            .shared
            .store
            .read(move |c| {
                let reply = store::saved_reply(c, reply_id)?
                    .ok_or_else(|| Error::NotFound(format!("saved reply {reply_id}")))?;
                let customer = match store::conversation(c, conversation_id)? {
                    Some(conversation) => store::customer(c, conversation.customer_id)?,
                    None => None,
                };
                let values = saved_replies::Values {
                    customer_name: customer.map(|c| c.name),
                    shop_name: Some(store::shop_name(c)?),
                    staff_name: store::staff_member(c, me)?.map(|s| s.name),
                };
                Ok((reply, values))
            })
            .await?;
        let values = saved_replies::Values {
            staff_name: values
                .staff_name
                .or_else(|| Some(self.account.staff.name.clone())),
            ..values
        };
        Ok(saved_replies::fill(&reply.body, &values))
    }

    /// A saved reply made ready to go into one conversation's composer: its text filled in,
    /// and its products, discount code and image as the shop has them now, through the same
    /// checks as choosing them by hand: a product off the online store or an inactive code is
    /// refused here with the same problem as sharing it directly, before anything is queued.
    /// The image is fetched into the attachment cache, to be sent from there as a file staff
    /// attached would be. Needs the shop, like the product and discount pickers.
    pub async fn insert_saved_reply(
        &self,
        reply_id: i64,
        conversation_id: i64,
    ) -> Result<SavedReplyInsert> {
        let text = self.fill_saved_reply(reply_id, conversation_id).await?;
        let detail = self.saved_reply_detail(reply_id).await?;
        if detail.products.len() < detail.saved_reply.product_ids.len() {
            return Err(Error::Rejected(Box::new(Problem::new(
                422,
                ProblemCode::ProductUnavailable,
                "a product in this saved reply no longer exists; edit the saved reply",
            ))));
        }
        let products = detail
            .products
            .iter()
            .map(saved_replies::product_card)
            .collect::<Result<Vec<_>>>()?;
        if let Some(code) = &detail.discount {
            saved_replies::check_discount(code)?;
        } else if detail.saved_reply.discount_id.is_some() {
            return Err(Error::Rejected(Box::new(Problem::new(
                422,
                ProblemCode::NotFound,
                "the discount code in this saved reply no longer exists; edit the saved reply",
            ))));
        }
        let image_path = match &detail.image {
            Some(image) => Some(self.attachment(image).await?),
            None => None,
        };
        Ok(SavedReplyInsert {
            text,
            products,
            discount: detail.discount,
            image: detail.image,
            image_path,
        })
    }

    /// Sends what a saved reply put in the composer, as staff may have edited the text: the
    /// text with its products (one products message), or with its image, or alone; then the
    /// image if it could not go with the text; then the discount code. Each goes through the
    /// same call as sending it by hand, so an inactive code is refused just the same, and it is
    /// checked before anything is queued. Returns the outbox ids.
    pub async fn send_saved_reply(
        &self,
        conversation_id: i64,
        insert: &SavedReplyInsert,
        text: &str,
    ) -> Result<Vec<i64>> {
        if let Some(code) = &insert.discount {
            saved_replies::check_discount(code)?;
        }
        let text = text.trim();
        let caption = (!text.is_empty()).then(|| text.to_owned());
        let mut queued = Vec::new();
        let mut image = insert.image_path.as_deref();
        if !insert.products.is_empty() {
            queued.push(
                self.share_products(conversation_id, insert.products.clone(), caption)
                    .await?,
            );
        } else if let Some(path) = image.take() {
            queued.push(self.send_media(conversation_id, path, caption).await?);
        } else if !text.is_empty() {
            queued.push(self.reply(conversation_id, text).await?);
        }
        if let Some(path) = image {
            queued.push(self.send_media(conversation_id, path, None).await?);
        }
        if let Some(code) = &insert.discount {
            queued.push(self.share_discount(conversation_id, code).await?);
        }
        Ok(queued)
    }

    /// A saved reply as the shop has it now, with its products, discount code (its status as
    /// of now) and image, for the editor to show what the reply attaches. Needs the shop.
    pub async fn saved_reply_detail(&self, reply_id: i64) -> Result<SavedReplyDetail> {
        self.shared
            .api
            .get(&format!("/api/v1/saved-replies/{reply_id}"))
            .await
    }

    /// Uploads an image for a saved reply, checked and prepared as an attached image is before
    /// it is sent ([`attachments::prepare_image_for_upload`]); returns the shop's upload, whose
    /// id the reply then carries in [`SavedReplyBody::image_upload_id`]. Unlike the reply
    /// itself this is not queued: it needs the shop now (offline it fails with a network
    /// error and nothing changes), so the reply is never saved pointing at an upload the shop
    /// doesn't have.
    pub async fn upload_saved_reply_image(&self, path: &Path) -> Result<Attachment> {
        let path = path.to_owned();
        let (bytes, mime) =
            tokio::task::spawn_blocking(move || attachments::prepare_image_for_upload(&path))
                .await??;
        self.shared.api.upload(&mime, bytes).await
    }

    /// Saves a new saved reply for the whole shop, through the outbox (it shows once the shop
    /// has it).
    pub async fn add_saved_reply(&self, reply: SavedReplyBody) -> Result<i64> {
        check_saved_reply(&reply)?;
        self.enqueue(Action::AddSavedReply { reply }, None).await
    }

    /// Edits a saved reply: at once in the mirror, and through the outbox at the shop.
    pub async fn edit_saved_reply(&self, id: i64, reply: SavedReplyBody) -> Result<i64> {
        check_saved_reply(&reply)?;
        self.enqueue(Action::EditSavedReply { id, reply }, None)
            .await
    }

    pub async fn delete_saved_reply(&self, id: i64) -> Result<i64> {
        self.enqueue(Action::DeleteSavedReply { id }, None).await
    }

    pub async fn retry(&self, outbox_id: i64) -> Result<()> {
        self.shared
            .store
            .write(move |tx| outbox::retry(tx, outbox_id))
            .await?;
        self.shared.outbox_wake.notify_one();
        Ok(())
    }

    pub async fn discard(&self, outbox_id: i64) -> Result<()> {
        let outbox::Discarded {
            conversation_id,
            unneeded_file,
        } = self
            .shared
            .store
            .write(move |tx| outbox::discard(tx, outbox_id, now_ms()))
            .await?;
        if let Some(file) = unneeded_file {
            tokio::task::spawn_blocking(move || attachments::remove_prepared(&file)).await?;
        }
        self.shared.events.emit(Event::OutboxChanged {
            id: outbox_id,
            conversation_id,
        });
        Ok(())
    }

    /// Products to share, from the shop (online store products only).
    pub async fn search_products(&self, query: &str) -> Result<Vec<Product>> {
        let list: ProductList = self
            .shared
            .api
            .get(&format!(
                "/api/v1/products?online_store=true&limit=50&q={}",
                encode(query)
            ))
            .await?;
        Ok(list.products)
    }

    pub async fn search_discounts(&self, query: &str) -> Result<Vec<DiscountCode>> {
        let list: DiscountList = self
            .shared
            .api
            .get(&format!("/api/v1/discounts?q={}", encode(query)))
            .await?;
        Ok(list.discounts)
    }
}

/// A saved reply ready for the composer (see [`Inbox::insert_saved_reply`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SavedReplyInsert {
    /// Filled in for the conversation.
    pub text: String,
    pub products: Vec<ProductCard>,
    /// Active when inserted; checked again when sent.
    pub discount: Option<DiscountCode>,
    pub image: Option<Attachment>,
    /// The image in the attachment cache, sent from there like a file staff attached.
    pub image_path: Option<PathBuf>,
}

/// The limits the shop checks, checked before anything is queued, so a saved reply that can't
/// be saved is refused while the editor is still open.
fn check_saved_reply(reply: &SavedReplyBody) -> Result<()> {
    let title = reply.title.trim().chars().count();
    let body = reply.body.chars().count();
    if title == 0 {
        return Err(Error::Input("the title is empty".into()));
    }
    if title > MAX_SAVED_REPLY_TITLE_CHARS {
        return Err(Error::Input(format!(
            "a title can be at most {MAX_SAVED_REPLY_TITLE_CHARS} characters"
        )));
    }
    if reply.body.trim().is_empty() {
        return Err(Error::Input("the text is empty".into()));
    }
    if body > MAX_SAVED_REPLY_BODY_CHARS {
        return Err(Error::Input(format!(
            "a saved reply's text can be at most {MAX_SAVED_REPLY_BODY_CHARS} characters"
        )));
    }
    if reply.product_ids.len() > MAX_SHARED_PRODUCTS {
        return Err(Error::Input(format!(
            "a saved reply can share up to {MAX_SHARED_PRODUCTS} products"
        )));
    }
    Ok(())
}

impl Drop for Inbox {
    fn drop(&mut self) {
        self.stop();
    }
}

/// After each sync that brought something, prefetch what fits (one run at a time; syncs that
/// come during a run are answered by one more run after it).
async fn prefetch_after_syncs(
    shared: Arc<Shared>,
    cache: attachments::AttachmentCache,
    mut events: events::Listener,
) {
    while let Some(event) = events.next().await {
        if !matches!(event, Event::Synced { .. }) {
            continue;
        }
        match prefetch::run(&shared.store, &cache, attachments::DEFAULT_CACHE_BYTES).await {
            Ok(done) if done.files > 0 => {
                tracing::info!(
                    files = done.files,
                    bytes = done.bytes,
                    paused = done.paused,
                    "prefetched"
                )
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(code = %e.code(), "prefetch failed"),
        }
    }
}

/// The outbox worker: one item at a time, in order, woken when work is queued.
async fn deliver_outbox(shared: Arc<Shared>) {
    loop {
        if shared.reconnected.swap(false, Ordering::Relaxed)
            && let Err(error) = shared.store.write(outbox::reconnected).await
        {
            tracing::warn!(%error, "outbox worker");
        }
        let next = shared.store.read(|c| outbox::next(c, now_ms())).await;
        let wait = match next {
            Ok(Next::Ready(item)) => {
                let (id, conversation_id) = (item.id, item.action.conversation_id());
                let outcome = outbox::attempt(
                    &shared.api,
                    &shared.store,
                    shared.me,
                    item,
                    now_ms(),
                    &shared.shop_confirmed,
                )
                .await;
                shared.events.emit(Event::OutboxChanged {
                    id,
                    conversation_id,
                });
                if let Some(id) = conversation_id {
                    shared.events.emit(Event::ConversationChanged { id });
                }
                match outcome {
                    Ok(Outcome::Delivered | Outcome::Failed(_)) => continue,
                    Ok(Outcome::Retry(due)) => Some(due),
                    Ok(Outcome::SignedOut) => {
                        shared.set_state(SyncState::SignedOut);
                        return;
                    }
                    Err(error) => {
                        tracing::warn!(%error, "outbox worker");
                        Some(now_ms() + 1_000)
                    }
                }
            }
            Ok(Next::Later(due)) => Some(due),
            Ok(Next::Empty) => None,
            Err(error) => {
                tracing::warn!(%error, "outbox worker");
                Some(now_ms() + 1_000)
            }
        };
        match wait {
            Some(due) => {
                let sleep = std::time::Duration::from_millis((due - now_ms()).max(0) as u64);
                tokio::select! {
                    _ = tokio::time::sleep(sleep) => {}
                    _ = shared.outbox_wake.notified() => {}
                }
            }
            None => shared.outbox_wake.notified().await,
        }
    }
}

#[cfg(test)]
mod link_tests {
    use super::*;

    #[test]
    fn shop_links_open_at_the_shop_and_only_web_addresses_open() {
        let account = Account {
            shop_url: "https://127.0.0.1:8443".into(),
            ca_path: None,
            staff: Staff {
                id: 1,
                name: "Astrid".into(),
                email: "astrid@example.com".into(),
                permissions: Vec::new(),
            },
        };
        assert_eq!(
            account.web_link("/store/products/mug").unwrap(),
            "https://127.0.0.1:8443/store/products/mug"
        );
        assert_eq!(
            account.web_link(" /admin/orders/7?x=1 ").unwrap(),
            "https://127.0.0.1:8443/admin/orders/7?x=1"
        );
        assert_eq!(
            account
                .web_link("https://admin.example/customers/7")
                .unwrap(),
            "https://admin.example/customers/7"
        );
        assert_eq!(
            account.web_link("http://example.com/a b").unwrap(),
            "http://example.com/a%20b"
        );
        for bad in [
            "",
            "javascript:alert(1)",
            "file:///etc/passwd",
            "//evil.example/x",
            "mug",
            "https://",
            "data:text/html,hi",
        ] {
            assert!(account.web_link(bad).is_err(), "{bad:?} was accepted");
        }
    }
}
