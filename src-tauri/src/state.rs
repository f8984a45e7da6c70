//! The shell's state: who is signed in (an open [`Inbox`] or none), the attachments the UI may
//! load, and what the window is showing. Commands reach the engine only through here.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use inbox_core::session::{self, DataDir};
use inbox_core::{Account, Event, Inbox, SyncState};
use inbox_protocol::Attachment;
use tauri::AppHandle;
use tauri_specta::Event as _;
use tokio::sync::RwLock;

use crate::error::{CommandError, CommandResult};
use crate::events::EngineEvent;

/// What the main window shows, for the notification rules (nothing for the conversation on
/// screen in a focused window).
#[derive(Debug, Default, Clone, Copy)]
pub struct Focus {
    pub window_focused: bool,
    pub conversation_id: Option<i64>,
}

impl Focus {
    /// The conversation a person is looking at right now, if any.
    pub fn watched(&self) -> Option<i64> {
        self.conversation_id.filter(|_| self.window_focused)
    }
}

pub struct AppState {
    pub data: DataDir,
    pub log_dir: Option<PathBuf>,
    /// Started with `--demo`: an in-process demo shop.
    pub demo: bool,
    engine: RwLock<Option<Arc<Inbox>>>,
    /// Attachments the UI asked to show, by content hash: the only files `inbox-media:` serves.
    media: Mutex<HashMap<String, Attachment>>,
    pub focus: Mutex<Focus>,
    /// Files the user chose in the app's dialog or dropped on its window: the only paths
    /// `send_media` accepts, so the page can't name any other file.
    offered_files: Mutex<std::collections::HashSet<PathBuf>>,
    /// Shows the engine's notifications; set once the app runs.
    deliverer: Mutex<Option<inbox_core::desktop_notify::Deliverer>>,
    /// True once the saved account's mirror is open (or there is none): it opens while the
    /// window loads, and the window's first question waits for it.
    resumed: tokio::sync::watch::Sender<bool>,
    /// Set once the window asked for its first screen: links go to it as events from then on.
    window_ready: std::sync::atomic::AtomicBool,
    /// A link that came before the window was ready (the launch's own argument).
    pending_link: Mutex<Option<crate::links::DeepLink>>,
}

impl AppState {
    pub fn new(data: DataDir, log_dir: Option<PathBuf>, demo: bool) -> AppState {
        AppState {
            data,
            log_dir,
            demo,
            engine: RwLock::new(None),
            media: Mutex::new(HashMap::new()),
            focus: Mutex::new(Focus::default()),
            offered_files: Mutex::new(std::collections::HashSet::new()),
            deliverer: Mutex::new(None),
            resumed: tokio::sync::watch::Sender::new(false),
            window_ready: std::sync::atomic::AtomicBool::new(false),
            pending_link: Mutex::new(None),
        }
    }

    pub fn window_ready(&self) -> bool {
        self.window_ready.load(std::sync::atomic::Ordering::SeqCst)
    }

    pub fn set_pending_link(&self, link: crate::links::DeepLink) {
        *self.pending_link.lock().expect("link poisoned") = Some(link);
    }

    /// The window is ready for links: the one that came before, if any.
    pub fn take_pending_link(&self) -> Option<crate::links::DeepLink> {
        let mut pending = self.pending_link.lock().expect("link poisoned");
        self.window_ready
            .store(true, std::sync::atomic::Ordering::SeqCst);
        pending.take()
    }

    pub fn deliverer(&self) -> Option<inbox_core::desktop_notify::Deliverer> {
        self.deliverer.lock().expect("deliverer poisoned").clone()
    }

    /// Waits until [`AppState::resume`] has run at start-up.
    pub async fn resumed(&self) {
        let mut resumed = self.resumed.subscribe();
        // The sender lives as long as the state, so this can't fail while anyone asks.
        let _ = resumed.wait_for(|done| *done).await;
    }

    /// The signed-in engine, or the signed-out error.
    pub async fn engine(&self) -> CommandResult<Arc<Inbox>> {
        self.engine
            .read()
            .await
            .clone()
            .ok_or_else(CommandError::signed_out)
    }

    pub async fn account(&self) -> Option<Account> {
        self.engine
            .read()
            .await
            .as_ref()
            .map(|inbox| inbox.account().clone())
    }

    /// Opens the mirror of the account saved in the data dir, if any: offline it still shows
    /// everything; with a token it syncs. Run once at start-up; [`AppState::resumed`] waits
    /// for it, whatever the outcome.
    pub async fn resume(&self, app: &AppHandle) -> CommandResult<Option<Account>> {
        let started = std::time::Instant::now();
        let result = self.resume_saved(app).await;
        self.resumed.send_replace(true);
        tracing::info!(
            ms = started.elapsed().as_millis() as u64,
            account = matches!(result, Ok(Some(_))),
            "start-up: the saved account is open"
        );
        result
    }

    /// The mirror opens (and the window paints from it) before the keychain is asked for the
    /// token: a locked or slow Secret Service delays sync, never the first paint.
    async fn resume_saved(&self, app: &AppHandle) -> CommandResult<Option<Account>> {
        let Some(account) = self.data.account()? else {
            self.resumed.send_replace(true);
            return Ok(None);
        };
        let offline = self.open_offline(app, account.clone()).await?;
        self.resumed.send_replace(true);
        let token = match session::load_token(&self.data, &account).await {
            Ok(token) => token,
            Err(e) => {
                tracing::warn!(code = %e.code(), "the saved token can't be read");
                None
            }
        };
        // Signed out or signed in again meanwhile: that engine is the one to keep.
        let still_this = self
            .engine
            .read()
            .await
            .as_ref()
            .is_some_and(|inbox| Arc::ptr_eq(inbox, &offline));
        if still_this {
            self.open(app, account.clone(), token).await?;
        }
        Ok(Some(account))
    }

    /// Opens the account's mirror for reading only (no token yet, so no sync).
    async fn open_offline(&self, app: &AppHandle, account: Account) -> CommandResult<Arc<Inbox>> {
        let data_path = self.data.path.clone();
        let inbox = tokio::task::spawn_blocking(move || Inbox::open(&data_path, account, None))
            .await
            .map_err(|e| CommandError::new("io", e.to_string()))??;
        let inbox = Arc::new(inbox);
        forward_events(app.clone(), &inbox);
        if let Some(old) = self.engine.write().await.replace(inbox.clone()) {
            old.stop();
        }
        Ok(inbox)
    }

    /// Opens (and with a token, starts) the engine for an account, replacing any other.
    pub async fn open(
        &self,
        app: &AppHandle,
        account: Account,
        token: Option<String>,
    ) -> CommandResult<()> {
        let has_token = token.is_some();
        let data_path = self.data.path.clone();
        let inbox = tokio::task::spawn_blocking(move || Inbox::open(&data_path, account, token))
            .await
            .map_err(|e| CommandError::new("io", e.to_string()))??;
        let inbox = Arc::new(inbox);
        forward_events(app.clone(), &inbox);
        let settings = crate::settings::AppSettings::load(&self.data.path);
        inbox.set_notification_language(crate::notifier::language(&settings));
        inbox.set_focused_conversation(self.focus.lock().expect("focus poisoned").watched());
        let deliverer = self.deliverer.lock().expect("deliverer poisoned").clone();
        if let Some(deliverer) = deliverer {
            // Opened before the engine starts, so nothing it decides is missed.
            crate::notifier::deliver(app, deliverer, inbox.notifications());
        }
        if has_token {
            inbox.start();
        } else {
            // No token: the mirror reads fine, but the shop must be signed in to again.
            let _ = EngineEvent(Event::SyncState(SyncState::SignedOut)).emit(app);
        }
        if let Some(old) = self.engine.write().await.replace(inbox) {
            old.stop();
        }
        // The count is a query over every open conversation: not worth holding the window's
        // first list for.
        let app = app.clone();
        tauri::async_runtime::spawn(async move { crate::tray::refresh(&app).await });
        Ok(())
    }

    /// Stops and forgets the engine (after a sign-out).
    pub async fn close(&self, app: &AppHandle) {
        if let Some(old) = self.engine.write().await.take() {
            old.stop();
        }
        crate::tray::refresh(app).await;
        self.media.lock().expect("media poisoned").clear();
    }

    pub fn allow_media(&self, attachment: Attachment) {
        self.media
            .lock()
            .expect("media poisoned")
            .insert(attachment.sha256.clone(), attachment);
    }

    pub fn set_deliverer(&self, deliverer: inbox_core::desktop_notify::Deliverer) {
        *self.deliverer.lock().expect("deliverer poisoned") = Some(deliverer);
    }

    /// Remembers a file the user offered (picked or dropped).
    pub fn offer_file(&self, path: PathBuf) {
        self.offered_files
            .lock()
            .expect("files poisoned")
            .insert(path);
    }

    /// Whether the user offered this file.
    pub fn was_offered(&self, path: &std::path::Path) -> bool {
        self.offered_files
            .lock()
            .expect("files poisoned")
            .contains(path)
    }

    /// Registers an attachment under another key (a pending upload has no hash yet).
    pub fn allow_media_as(&self, key: String, attachment: Attachment) {
        self.media
            .lock()
            .expect("media poisoned")
            .insert(key, attachment);
    }

    pub fn media(&self, sha256: &str) -> Option<Attachment> {
        self.media
            .lock()
            .expect("media poisoned")
            .get(sha256)
            .cloned()
    }
}

/// Passes the engine's events to the window, and its customer messages to the notifier.
fn forward_events(app: AppHandle, inbox: &Arc<Inbox>) {
    let mut events = inbox.events();
    let inbox = Arc::downgrade(inbox);
    tauri::async_runtime::spawn(async move {
        while let Some(event) = events.next().await {
            // The engine was replaced or closed: its events are no one's business any more.
            let Some(_inbox) = inbox.upgrade() else { break };
            if matches!(
                event,
                Event::Synced { .. } | Event::ConversationChanged { .. } | Event::Resync
            ) {
                crate::tray::refresh(&app).await;
            }
            if let Err(e) = EngineEvent(event).emit(&app) {
                tracing::warn!("can't pass an event to the window: {e}");
            }
        }
    });
}
