//! The commands the window may call. Each is a thin call into inbox-core: no SQL, no HTTP.
//! Their TypeScript twins are generated into `ui/src/bindings.ts` (see [`crate::specta_builder`]).

use std::path::PathBuf;

use base64::Engine as _;
use inbox_core::notifications;
use inbox_core::session::{self, SignedIn};
use inbox_core::{
    Account, ConversationSummary, ConversationView, ListFilter, OutboxEntry, ProfileView,
    SavedReplyInsert, SearchHit, SyncState,
};
use inbox_protocol::{
    Attachment, ConversationStatus, DiscountCode, MediaKind, Millis, Product, ProductCard,
    SavedReply, SavedReplyBody, SavedReplyDetail, Staff,
};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, State};

use crate::error::{CommandError, CommandResult};
use crate::settings::AppSettings;
use crate::state::AppState;

/// What the window needs to know at start.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct Startup {
    /// The signed-in account (its mirror is open, even offline); `None` shows sign-in.
    pub account: Option<Account>,
    /// Running against the in-process demo shop.
    pub demo: bool,
    pub settings: AppSettings,
    /// The first rows of the list the window shows first (`first_page`), read from the mirror
    /// with the rest of the answer so the window paints them without another round trip; empty
    /// when signed out.
    pub first_page: Vec<ConversationSummary>,
    /// Where a link the app was launched with asks to go, once the list shows.
    pub link: Option<crate::links::DeepLink>,
    /// Whether the OS starts the app at login (in the tray).
    pub start_at_login: bool,
}

#[tauri::command]
#[specta::specta]
pub async fn startup(
    app: AppHandle,
    state: State<'_, AppState>,
    first_page: ListFilter,
) -> CommandResult<Startup> {
    state.resumed().await;
    // A list that can't be read now is the window's to report when it asks for it again;
    // it must not make startup itself fail (that would show sign-in).
    let first_page = match state.engine().await {
        Ok(inbox) => inbox.conversations(first_page).await.unwrap_or_else(|e| {
            tracing::warn!(code = %e.code(), "the first rows can't be read at start-up");
            Vec::new()
        }),
        Err(_) => Vec::new(),
    };
    Ok(Startup {
        account: state.account().await,
        demo: state.demo,
        settings: AppSettings::load(&state.data.path),
        first_page,
        link: state.take_pending_link(),
        start_at_login: start_at_login(&app),
    })
}

/// Signs in at a shop and opens its mirror. `ca_path` is a CA file for a self-hosted shop.
#[tauri::command]
#[specta::specta]
pub async fn sign_in(
    app: AppHandle,
    state: State<'_, AppState>,
    shop_url: String,
    ca_path: Option<String>,
    email: String,
    password: String,
) -> CommandResult<Account> {
    let shop_url = shop_url.trim();
    if !shop_url.starts_with("https://") {
        return Err(CommandError::new(
            "bad_input",
            "the shop address must start with https://",
        ));
    }
    let ca_path = ca_path.filter(|p| !p.trim().is_empty()).map(PathBuf::from);
    let SignedIn { account, saved } =
        session::sign_in(&state.data, shop_url, ca_path, &email, &password).await?;
    if let Some(warning) = saved.warning {
        tracing::warn!("{warning}");
    }
    let token = session::load_token(&state.data, &account).await?;
    state.open(&app, account.clone(), token).await?;
    tracing::info!(staff = account.staff.id, "signed in");
    Ok(account)
}

/// Signs out: the shop revokes the token (if it answers), the token and account are forgotten
/// here. The mirror stays on disk for the next sign-in.
#[tauri::command]
#[specta::specta]
pub async fn sign_out(app: AppHandle, state: State<'_, AppState>) -> CommandResult<()> {
    state.close(&app).await;
    let out = session::sign_out(&state.data).await?;
    if let Some(warning) = out.warning {
        tracing::warn!("{warning}");
    }
    tracing::info!(revoked = out.revoked, "signed out");
    Ok(())
}

/// The sync state and when the mirror last caught up.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct Status {
    pub state: SyncState,
    pub last_synced_at: Option<Millis>,
    /// The shop's time zone (IANA name), once a sync has said: snooze times and the metrics'
    /// days are the shop's.
    pub shop_time_zone: Option<String>,
}

#[tauri::command]
#[specta::specta]
pub async fn status(state: State<'_, AppState>) -> CommandResult<Status> {
    let inbox = state.engine().await?;
    Ok(Status {
        state: inbox.sync_state(),
        last_synced_at: inbox.position().await?.last_synced_at,
        shop_time_zone: inbox.shop_time_zone().await?,
    })
}

#[tauri::command]
#[specta::specta]
pub async fn conversations(
    state: State<'_, AppState>,
    filter: ListFilter,
) -> CommandResult<Vec<ConversationSummary>> {
    Ok(state.engine().await?.conversations(filter).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn conversation(state: State<'_, AppState>, id: i64) -> CommandResult<ConversationView> {
    let view = state.engine().await?.conversation(id).await?;
    Ok(view)
}

#[tauri::command]
#[specta::specta]
pub async fn profile(state: State<'_, AppState>, customer_id: i64) -> CommandResult<ProfileView> {
    Ok(state.engine().await?.profile(customer_id).await?)
}

/// Everyone at the shop; the UI offers only those with the chat permission for assigning.
#[tauri::command]
#[specta::specta]
pub async fn staff(state: State<'_, AppState>) -> CommandResult<Vec<Staff>> {
    Ok(state.engine().await?.staff().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn search(
    state: State<'_, AppState>,
    query: String,
    limit: u32,
) -> CommandResult<Vec<SearchHit>> {
    Ok(state
        .engine()
        .await?
        .search(&query, limit.clamp(1, 500) as usize)
        .await?)
}

/// The metrics view of a period and the one before it, counted from the mirror (offline).
#[tauri::command]
#[specta::specta]
pub async fn metrics(
    state: State<'_, AppState>,
    query: inbox_core::metrics::MetricsQuery,
) -> CommandResult<inbox_core::metrics::Metrics> {
    Ok(state.engine().await?.metrics(query).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn save_draft(
    state: State<'_, AppState>,
    conversation_id: i64,
    text: String,
) -> CommandResult<()> {
    Ok(state
        .engine()
        .await?
        .save_draft(conversation_id, &text)
        .await?)
}

/// Queues a reply; returns its outbox id. It shows at once as pending.
#[tauri::command]
#[specta::specta]
pub async fn reply(
    state: State<'_, AppState>,
    conversation_id: i64,
    text: String,
) -> CommandResult<i64> {
    Ok(state.engine().await?.reply(conversation_id, &text).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn share_products(
    state: State<'_, AppState>,
    conversation_id: i64,
    cards: Vec<ProductCard>,
    text: Option<String>,
) -> CommandResult<i64> {
    Ok(state
        .engine()
        .await?
        .share_products(conversation_id, cards, text)
        .await?)
}

#[tauri::command]
#[specta::specta]
pub async fn share_discount(
    state: State<'_, AppState>,
    conversation_id: i64,
    code: DiscountCode,
) -> CommandResult<i64> {
    Ok(state
        .engine()
        .await?
        .share_discount(conversation_id, &code)
        .await?)
}

/// A path the user offered (picked in the app's dialog or dropped on its window): the only
/// files the page may name.
fn offered(state: &AppState, path: String) -> CommandResult<PathBuf> {
    let path = PathBuf::from(path);
    if state.was_offered(&path) {
        Ok(path)
    } else {
        Err(CommandError::new(
            "bad_input",
            "choose the file with Attach, or drop it on the window",
        ))
    }
}

/// An image or video staff chose, as it would be sent: shown in the composer before sending.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct MediaPreview {
    pub kind: MediaKind,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// The size it would be sent at, in bytes.
    pub size: u32,
    /// A small copy of an image as a `data:` URL; `None` for a video.
    pub thumbnail: Option<String>,
}

/// Checks a picked or dropped file as sending would, and returns its preview; a file that
/// can't be sent is refused now, with the same error.
#[tauri::command]
#[specta::specta]
pub async fn preview_media(
    state: State<'_, AppState>,
    path: String,
) -> CommandResult<MediaPreview> {
    let path = offered(&state, path)?;
    let preview = state.engine().await?.preview_media(&path).await?;
    Ok(MediaPreview {
        kind: preview.kind,
        width: preview.width,
        height: preview.height,
        size: u32::try_from(preview.size).unwrap_or(u32::MAX),
        thumbnail: preview.thumbnail.map(|(bytes, mime)| {
            format!(
                "data:{mime};base64,{}",
                base64::engine::general_purpose::STANDARD.encode(bytes)
            )
        }),
    })
}

/// Sends an image or video file (picked in the dialog or dropped on the window).
#[tauri::command]
#[specta::specta]
pub async fn send_media(
    state: State<'_, AppState>,
    conversation_id: i64,
    path: String,
    text: Option<String>,
) -> CommandResult<i64> {
    let path = offered(&state, path)?;
    Ok(state
        .engine()
        .await?
        .send_media(conversation_id, &path, text)
        .await?)
}

/// Sends an image pasted from the clipboard (base64; pastes are screenshots, not films).
#[tauri::command]
#[specta::specta]
pub async fn send_pasted_media(
    state: State<'_, AppState>,
    conversation_id: i64,
    name: String,
    base64: String,
    text: Option<String>,
) -> CommandResult<i64> {
    let inbox = state.engine().await?;
    let (_dir, path) = pasted_file(&name, &base64).await?;
    Ok(inbox.send_media(conversation_id, &path, text).await?)
}

/// A pasted file (base64) written to a folder of its own, removed when the folder is dropped:
/// the engine prepares its own copy; the pasted bytes only need a file for the decoder.
async fn pasted_file(name: &str, base64: &str) -> CommandResult<(tempfile::TempDir, PathBuf)> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(base64.as_bytes())
        .map_err(|_| CommandError::new("bad_input", "the pasted file is damaged"))?;
    let dir = tempfile::tempdir().map_err(|e| CommandError::new("io", e.to_string()))?;
    let file_name: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .collect();
    let path = dir.path().join(if file_name.is_empty() {
        "pasted".to_owned()
    } else {
        file_name
    });
    tokio::fs::write(&path, bytes)
        .await
        .map_err(|e| CommandError::new("io", e.to_string()))?;
    Ok((dir, path))
}

/// A URL the window can load an attachment from (served by the `inbox-media:` protocol from
/// the offline cache, downloaded on first use).
#[tauri::command]
#[specta::specta]
pub async fn media_url(
    state: State<'_, AppState>,
    attachment: Attachment,
) -> CommandResult<String> {
    let sha = attachment.sha256.clone();
    if sha.is_empty() || !sha.chars().all(|c| c.is_ascii_hexdigit()) {
        // A pending upload: its local file is found by its URL, keyed by that instead.
        let key = crate::media::local_key(&attachment);
        state.allow_media_as(key.clone(), attachment);
        return Ok(crate::media::url(&key));
    }
    state.allow_media(attachment);
    Ok(crate::media::url(&sha))
}

#[tauri::command]
#[specta::specta]
pub async fn set_status(
    state: State<'_, AppState>,
    conversation_id: i64,
    status: ConversationStatus,
) -> CommandResult<i64> {
    Ok(state
        .engine()
        .await?
        .set_status(conversation_id, status)
        .await?)
}

/// Everyone else at work in a conversation now: other staff viewing or typing, customers typing.
#[tauri::command]
#[specta::specta]
pub async fn activity(
    state: State<'_, AppState>,
) -> CommandResult<Vec<inbox_core::activity::Present>> {
    Ok(state.engine().await?.activity())
}

/// The conversation on screen, or `null` when none is or the window is hidden: the shop tells
/// other staff who is viewing what.
#[tauri::command]
#[specta::specta]
pub async fn report_viewing(
    state: State<'_, AppState>,
    conversation_id: Option<i64>,
) -> CommandResult<()> {
    state.engine().await?.report_viewing(conversation_id).await;
    Ok(())
}

/// A key pressed in a conversation's composer (the engine paces the reports).
#[tauri::command]
#[specta::specta]
pub async fn report_typing(state: State<'_, AppState>, conversation_id: i64) -> CommandResult<()> {
    state.engine().await?.report_typing(conversation_id).await;
    Ok(())
}

/// Snoozes an open conversation until a moment, or ends its snooze with `null`.
#[tauri::command]
#[specta::specta]
pub async fn snooze(
    state: State<'_, AppState>,
    conversation_id: i64,
    until: Option<Millis>,
) -> CommandResult<i64> {
    Ok(state.engine().await?.snooze(conversation_id, until).await?)
}

/// "Later today", "tomorrow" and "next week" as moments, in the shop's time zone.
#[tauri::command]
#[specta::specta]
pub async fn snooze_choices(
    state: State<'_, AppState>,
) -> CommandResult<inbox_core::snooze::SnoozeChoices> {
    Ok(state.engine().await?.snooze_choices().await?)
}

/// A custom snooze: `date` (2026-12-24) and `time` (09:30) in the shop's time zone.
#[tauri::command]
#[specta::specta]
pub async fn snooze_time(
    state: State<'_, AppState>,
    date: String,
    time: String,
) -> CommandResult<Millis> {
    Ok(state.engine().await?.snooze_time(&date, &time).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn set_unread(
    state: State<'_, AppState>,
    conversation_id: i64,
    unread: bool,
) -> CommandResult<i64> {
    Ok(state
        .engine()
        .await?
        .set_unread(conversation_id, unread)
        .await?)
}

/// Assigns to a staff member with the chat permission, or unassigns with `null`.
#[tauri::command]
#[specta::specta]
pub async fn assign(
    state: State<'_, AppState>,
    conversation_id: i64,
    staff_id: Option<i64>,
) -> CommandResult<i64> {
    Ok(state
        .engine()
        .await?
        .assign(conversation_id, staff_id)
        .await?)
}

#[tauri::command]
#[specta::specta]
pub async fn add_note(
    state: State<'_, AppState>,
    customer_id: i64,
    body: String,
) -> CommandResult<i64> {
    Ok(state.engine().await?.add_note(customer_id, &body).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn edit_note(
    state: State<'_, AppState>,
    customer_id: i64,
    note_id: i64,
    body: String,
) -> CommandResult<i64> {
    Ok(state
        .engine()
        .await?
        .edit_note(customer_id, note_id, &body)
        .await?)
}

/// The shop's saved replies matching what staff typed, from the mirror (works offline).
#[tauri::command]
#[specta::specta]
pub async fn saved_replies(
    state: State<'_, AppState>,
    query: String,
) -> CommandResult<Vec<SavedReply>> {
    Ok(state.engine().await?.saved_replies(&query).await?)
}

/// A saved reply filled in for a conversation, with its products, code and image checked as
/// if chosen by hand.
#[tauri::command]
#[specta::specta]
pub async fn insert_saved_reply(
    state: State<'_, AppState>,
    reply_id: i64,
    conversation_id: i64,
) -> CommandResult<SavedReplyInsert> {
    Ok(state
        .engine()
        .await?
        .insert_saved_reply(reply_id, conversation_id)
        .await?)
}

/// Sends an inserted saved reply with the composer's text; returns the outbox ids.
#[tauri::command]
#[specta::specta]
pub async fn send_saved_reply(
    state: State<'_, AppState>,
    conversation_id: i64,
    insert: SavedReplyInsert,
    text: String,
) -> CommandResult<Vec<i64>> {
    Ok(state
        .engine()
        .await?
        .send_saved_reply(conversation_id, &insert, &text)
        .await?)
}

/// A saved reply as the shop has it now, with its products, code and image (asks the shop:
/// needs a connection).
#[tauri::command]
#[specta::specta]
pub async fn saved_reply_detail(
    state: State<'_, AppState>,
    id: i64,
) -> CommandResult<SavedReplyDetail> {
    Ok(state.engine().await?.saved_reply_detail(id).await?)
}

/// Uploads a picked image for a saved reply, checked as an attached image is; its upload id
/// goes in the reply (needs a connection).
#[tauri::command]
#[specta::specta]
pub async fn upload_saved_reply_image(
    state: State<'_, AppState>,
    path: String,
) -> CommandResult<Attachment> {
    let path = offered(&state, path)?;
    Ok(state
        .engine()
        .await?
        .upload_saved_reply_image(&path)
        .await?)
}

/// Uploads a pasted image (base64) for a saved reply, as [`upload_saved_reply_image`].
#[tauri::command]
#[specta::specta]
pub async fn upload_pasted_saved_reply_image(
    state: State<'_, AppState>,
    name: String,
    base64: String,
) -> CommandResult<Attachment> {
    let inbox = state.engine().await?;
    let (_dir, path) = pasted_file(&name, &base64).await?;
    Ok(inbox.upload_saved_reply_image(&path).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn add_saved_reply(
    state: State<'_, AppState>,
    reply: SavedReplyBody,
) -> CommandResult<i64> {
    Ok(state.engine().await?.add_saved_reply(reply).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn edit_saved_reply(
    state: State<'_, AppState>,
    id: i64,
    reply: SavedReplyBody,
) -> CommandResult<i64> {
    Ok(state.engine().await?.edit_saved_reply(id, reply).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn delete_saved_reply(state: State<'_, AppState>, id: i64) -> CommandResult<i64> {
    Ok(state.engine().await?.delete_saved_reply(id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn outbox(state: State<'_, AppState>) -> CommandResult<Vec<OutboxEntry>> {
    Ok(state.engine().await?.outbox().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn retry(state: State<'_, AppState>, outbox_id: i64) -> CommandResult<()> {
    Ok(state.engine().await?.retry(outbox_id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn discard(state: State<'_, AppState>, outbox_id: i64) -> CommandResult<()> {
    Ok(state.engine().await?.discard(outbox_id).await?)
}

/// Online-store products to share (asks the shop: needs a connection).
#[tauri::command]
#[specta::specta]
pub async fn search_products(
    state: State<'_, AppState>,
    query: String,
) -> CommandResult<Vec<Product>> {
    Ok(state.engine().await?.search_products(&query).await?)
}

/// Discount codes to share (asks the shop: needs a connection).
#[tauri::command]
#[specta::specta]
pub async fn search_discounts(
    state: State<'_, AppState>,
    query: String,
) -> CommandResult<Vec<DiscountCode>> {
    Ok(state.engine().await?.search_discounts(&query).await?)
}

/// Asks for an image or video with the system's file dialog; `None` when cancelled.
#[tauri::command]
#[specta::specta]
pub async fn pick_media(
    app: AppHandle,
    state: State<'_, AppState>,
) -> CommandResult<Option<String>> {
    use tauri_plugin_dialog::DialogExt;
    let settings = AppSettings::load(&state.data.path);
    let filter = match crate::notifier::language(&settings) {
        notifications::Lang::Sv => "Bilder och videor",
        notifications::Lang::En => "Images and videos",
    };
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .add_filter(
            filter,
            &["jpg", "jpeg", "png", "gif", "webp", "mp4", "mov", "webm"],
        )
        .pick_file(move |file| {
            let _ = tx.send(file.and_then(|f| f.into_path().ok()));
        });
    let picked = rx.await.ok().flatten();
    Ok(picked.map(|path| {
        state.offer_file(path.clone());
        path.display().to_string()
    }))
}

/// Tells the notifier which conversation is on screen (`null` for none).
#[tauri::command]
#[specta::specta]
pub async fn set_open_conversation(
    app: AppHandle,
    state: State<'_, AppState>,
    id: Option<i64>,
) -> CommandResult<()> {
    state.focus.lock().expect("focus poisoned").conversation_id = id;
    crate::notifier::refresh_focus(&app).await;
    Ok(())
}

/// Notification settings of the signed-in account.
#[tauri::command]
#[specta::specta]
pub async fn notification_settings(
    state: State<'_, AppState>,
) -> CommandResult<NotificationSettings> {
    let inbox = state.engine().await?;
    Ok(NotificationSettings {
        settings: inbox.notification_settings(),
        silence: inbox.notification_silence(),
    })
}

/// The settings and why notifications are held back right now, if they are.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct NotificationSettings {
    pub settings: notifications::Settings,
    pub silence: Option<notifications::Silence>,
}

#[tauri::command]
#[specta::specta]
pub async fn save_notification_settings(
    state: State<'_, AppState>,
    settings: notifications::Settings,
) -> CommandResult<NotificationSettings> {
    let inbox = state.engine().await?;
    inbox.set_notification_settings(settings)?;
    Ok(NotificationSettings {
        settings: inbox.notification_settings(),
        silence: inbox.notification_silence(),
    })
}

/// "Pause for 1 hour" (or another number of minutes).
#[tauri::command]
#[specta::specta]
pub async fn pause_notifications(
    state: State<'_, AppState>,
    minutes: u32,
) -> CommandResult<NotificationSettings> {
    let inbox = state.engine().await?;
    inbox.pause_notifications(std::time::Duration::from_secs(
        u64::from(minutes.clamp(1, 24 * 60)) * 60,
    ))?;
    Ok(NotificationSettings {
        settings: inbox.notification_settings(),
        silence: inbox.notification_silence(),
    })
}

#[tauri::command]
#[specta::specta]
pub async fn resume_notifications(
    state: State<'_, AppState>,
) -> CommandResult<NotificationSettings> {
    let inbox = state.engine().await?;
    inbox.resume_notifications()?;
    Ok(NotificationSettings {
        settings: inbox.notification_settings(),
        silence: inbox.notification_silence(),
    })
}

/// Shows a test notification (even when paused or in quiet hours, saying so).
#[tauri::command]
#[specta::specta]
pub async fn send_test_notification(state: State<'_, AppState>) -> CommandResult<()> {
    state.engine().await?.send_test_notification();
    Ok(())
}

#[tauri::command]
#[specta::specta]
pub async fn save_settings(
    app: AppHandle,
    state: State<'_, AppState>,
    settings: AppSettings,
) -> CommandResult<()> {
    let settings = settings.checked();
    settings
        .save(&state.data.path)
        .map_err(|e| CommandError::new("io", format!("can't save the settings: {e}")))?;
    if let Ok(inbox) = state.engine().await {
        inbox.set_notification_language(crate::notifier::language(&settings));
    }
    crate::tray::set_language(&app, &settings);
    Ok(())
}

/// The offline image cache: bytes used and the cap.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct CacheUse {
    pub used: u64,
    pub cap: u64,
}

#[tauri::command]
#[specta::specta]
pub async fn attachment_cache(state: State<'_, AppState>) -> CommandResult<CacheUse> {
    let (used, cap) = state.engine().await?.attachment_cache_usage().await?;
    Ok(CacheUse { used, cap })
}

/// "Clear cache" in Settings: the cached images and videos go (they come back when shown, or
/// by prefetch after the next sync).
#[tauri::command]
#[specta::specta]
pub async fn clear_attachment_cache(state: State<'_, AppState>) -> CommandResult<CacheUse> {
    let inbox = state.engine().await?;
    inbox.clear_attachment_cache().await?;
    let (used, cap) = inbox.attachment_cache_usage().await?;
    Ok(CacheUse { used, cap })
}

/// Quit (Ctrl/Cmd-Q in the window): the outbox gets a moment to drain, then the app ends.
#[tauri::command]
#[specta::specta]
pub fn quit(app: AppHandle) {
    crate::lifecycle::quit(&app);
}

fn start_at_login(app: &AppHandle) -> bool {
    use tauri_plugin_autostart::ManagerExt;
    app.autolaunch().is_enabled().unwrap_or_else(|e| {
        tracing::warn!("can't tell whether the app starts at login: {e}");
        false
    })
}

/// "Start at login" in Settings: the OS starts the app in the tray (hidden) at login. Returns
/// what the OS now says.
#[tauri::command]
#[specta::specta]
pub fn set_start_at_login(app: AppHandle, enabled: bool) -> CommandResult<bool> {
    use tauri_plugin_autostart::ManagerExt;
    let launcher = app.autolaunch();
    let done = if enabled {
        launcher.enable()
    } else {
        launcher.disable()
    };
    done.map_err(|e| CommandError::new("io", format!("the start-at-login entry: {e}")))?;
    Ok(start_at_login(&app))
}

/// For the About view.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct About {
    pub version: String,
    pub tauri_version: String,
    pub webview_version: Option<String>,
    pub os: String,
    pub log_dir: Option<String>,
    pub data_dir: String,
}

#[tauri::command]
#[specta::specta]
pub fn about(state: State<'_, AppState>) -> About {
    About {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        tauri_version: tauri::VERSION.to_owned(),
        webview_version: tauri::webview_version().ok(),
        os: format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
        log_dir: state.log_dir.as_ref().map(|d| d.display().to_string()),
        data_dir: state.data.path.display().to_string(),
    }
}

/// Opens the log folder in the system's file manager.
#[tauri::command]
#[specta::specta]
pub fn open_log_folder(app: AppHandle, state: State<'_, AppState>) -> CommandResult<()> {
    use tauri_plugin_opener::OpenerExt;
    let dir = state
        .log_dir
        .clone()
        .ok_or_else(|| CommandError::new("not_found", "there is no log folder"))?;
    app.opener()
        .open_path(dir.display().to_string(), None::<&str>)
        .map_err(|e| CommandError::new("io", e.to_string()))
}

/// Opens a link in the system browser: a product's "View product", the profile's Manage and
/// order links (the shop sends them relative to its address) and links in messages. What the
/// result is handed to the opener is always an absolute http(s) address; anything else, or a
/// browser that can't be started, is an error that says why (`link_refused`, `no_browser`).
#[tauri::command]
#[specta::specta]
pub async fn open_link(
    app: AppHandle,
    state: State<'_, AppState>,
    url: String,
) -> CommandResult<String> {
    use tauri_plugin_opener::OpenerExt;
    let account = state.account().await.ok_or_else(CommandError::signed_out)?;
    let url = account
        .web_link(&url)
        .map_err(|reason| CommandError::new("link_refused", reason))?;
    tracing::info!(%url, "opening a link in the browser");
    app.opener()
        .open_url(url.as_str(), None::<&str>)
        .map_err(|e| CommandError::new("no_browser", format!("no browser opened {url}: {e}")))?;
    Ok(url)
}
