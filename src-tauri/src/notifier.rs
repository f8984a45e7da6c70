//! OS notifications from the app: what inbox-core decides for the signed-in staff member is
//! shown through [`Deliverer`]; a click brings the window forward at that conversation.

use inbox_core::desktop_notify::{Click, Deliverer};
use inbox_core::notifications::{Lang, Notification};
use tauri::{AppHandle, Manager};
use tokio::sync::mpsc::UnboundedReceiver;

use crate::settings::{AppSettings, Language};

/// Starts handling clicks; returns the deliverer the engine's notifications go through.
pub fn start(app: &AppHandle) -> Deliverer {
    let (deliverer, clicks) = Deliverer::new();
    tauri::async_runtime::spawn(follow_clicks(app.clone(), clicks));
    deliverer
}

async fn follow_clicks(app: AppHandle, mut clicks: UnboundedReceiver<Click>) {
    while let Some(click) = clicks.recv().await {
        tracing::info!(action = %click.action, "a notification was clicked");
        // The same route as an inbox://conversation/ID link.
        match click.conversation_id {
            Some(id) => crate::links::open(&app, crate::links::DeepLink::Conversation { id }),
            None => crate::tray::show_window(&app),
        }
    }
}

/// Shows what the engine decided, one by one, until the engine is replaced.
pub fn deliver(
    app: &AppHandle,
    deliverer: Deliverer,
    mut decided: UnboundedReceiver<Notification>,
) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        while let Some(notification) = decided.recv().await {
            tracing::info!(kind = notification.kind(), "notifying");
            if let Err(e) = deliverer.show(&notification).await {
                // No notification service (a bare session): the tray count still tells.
                tracing::warn!(code = %e.code(), "a notification can't be shown");
            }
        }
        drop(app);
    });
}

/// The language notifications are written in: the app's, else the system's.
pub fn language(settings: &AppSettings) -> Lang {
    match settings.language {
        Language::Sv => Lang::Sv,
        Language::En => Lang::En,
        Language::Auto if crate::tray::system_prefers_swedish() => Lang::Sv,
        Language::Auto => Lang::En,
    }
}

/// Keeps the engine told which conversation is on screen in a focused window.
pub async fn refresh_focus(app: &AppHandle) {
    let state = app.state::<crate::state::AppState>();
    let watched = state.focus.lock().expect("focus poisoned").watched();
    if let Ok(inbox) = state.engine().await {
        inbox.set_focused_conversation(watched);
    }
}
