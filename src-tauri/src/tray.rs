//! The tray icon: the count of unread conversations that are mine or unassigned (the ones a
//! staff member should answer), a menu to bring the window forward or quit, and the same count
//! as the dock or taskbar badge where the OS has one.

use tauri::image::Image;
use tauri::menu::{Menu, MenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIcon, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Manager, Runtime};

use crate::settings::{AppSettings, Language};
use crate::state::AppState;

const TRAY_ID: &str = "main";

/// Adds the tray icon. A desktop without a tray (no status-notifier host) just has none.
pub fn install<R: Runtime>(app: &AppHandle<R>, settings: &AppSettings) {
    if let Err(e) = build(app, settings) {
        tracing::warn!("no tray icon: {e}");
    }
}

fn build<R: Runtime>(app: &AppHandle<R>, settings: &AppSettings) -> tauri::Result<TrayIcon<R>> {
    let swedish = settings.language == Language::Sv
        || (settings.language == Language::Auto && system_prefers_swedish());
    let (open, quit) = if swedish {
        ("Öppna Inbox", "Avsluta")
    } else {
        ("Open Inbox", "Quit")
    };
    let open = MenuItem::with_id(app, "open", open, true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", quit, true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&open, &quit])?;
    TrayIconBuilder::with_id(TRAY_ID)
        .icon(Image::from_bytes(include_bytes!(
            "../../assets/icons/tray.png"
        ))?)
        .tooltip("Inbox")
        .menu(&menu)
        .show_menu_on_left_click(false)
        .on_menu_event(|app, event| match event.id.as_ref() {
            "open" => show_window(app),
            "quit" => app.exit(0),
            _ => {}
        })
        .on_tray_icon_event(|tray, event| {
            if let TrayIconEvent::Click {
                button: MouseButton::Left,
                button_state: MouseButtonState::Up,
                ..
            } = event
            {
                show_window(tray.app_handle());
            }
        })
        .build(app)
}

pub fn system_prefers_swedish() -> bool {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.is_empty())
        .is_some_and(|v| v.starts_with("sv"))
}

/// Brings the main window forward (from the tray, a notification).
pub fn show_window<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

/// Shows the current count on the tray and the badge.
pub async fn refresh<R: Runtime>(app: &AppHandle<R>) {
    let state = app.state::<AppState>();
    let count = match state.engine().await {
        Ok(inbox) => inbox.unread_count().await.unwrap_or(0),
        Err(_) => 0,
    };
    if let Some(tray) = app.tray_by_id(TRAY_ID) {
        let label = (count > 0).then(|| count.to_string());
        let _ = tray.set_title(label.as_deref());
        let tooltip = match count {
            0 => "Inbox".to_owned(),
            n => format!("Inbox ({n})"),
        };
        let _ = tray.set_tooltip(Some(tooltip));
    }
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.set_badge_count((count > 0).then_some(i64::from(count)));
    }
}
