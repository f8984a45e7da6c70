//! The tray icon: the count of unread conversations that are mine or unassigned (the ones a
//! staff member should answer), a menu to bring the window forward or quit (in the language
//! chosen in Settings, changed without a restart), and the same count as the dock or taskbar
//! badge where the OS has one. On macOS the app menu has the same Show and Quit.

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

/// The menu's words: (show, quit).
pub fn words(settings: &AppSettings) -> (&'static str, &'static str) {
    let swedish = settings.language == Language::Sv
        || (settings.language == Language::Auto && system_prefers_swedish());
    if swedish {
        ("Visa Inkorg", "Avsluta")
    } else {
        ("Show Inbox", "Quit")
    }
}

fn menu<R: Runtime>(app: &AppHandle<R>, settings: &AppSettings) -> tauri::Result<Menu<R>> {
    let (show, quit) = words(settings);
    let show = MenuItem::with_id(app, "show", show, true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", quit, true, Some("CmdOrCtrl+Q"))?;
    Menu::with_items(app, &[&show, &quit])
}

/// Writes the tray menu (and on macOS the app menu) again in the language now chosen.
pub fn set_language<R: Runtime>(app: &AppHandle<R>, settings: &AppSettings) {
    if let Some(tray) = app.tray_by_id(TRAY_ID) {
        match menu(app, settings) {
            Ok(menu) => {
                if let Err(e) = tray.set_menu(Some(menu)) {
                    tracing::warn!("the tray menu can't be changed: {e}");
                }
            }
            Err(e) => tracing::warn!("the tray menu can't be made: {e}"),
        }
    }
    #[cfg(target_os = "macos")]
    install_app_menu(app, settings);
}

/// macOS: the menu bar's app menu with Show and Quit (Cmd-Q), plus the usual Edit menu so
/// copy and paste keep working in the window.
#[cfg(target_os = "macos")]
pub fn install_app_menu<R: Runtime>(app: &AppHandle<R>, settings: &AppSettings) {
    use tauri::menu::{PredefinedMenuItem, Submenu};
    let built = (|| -> tauri::Result<Menu<R>> {
        let (show, quit) = words(settings);
        let show = MenuItem::with_id(app, "show", show, true, None::<&str>)?;
        let quit = MenuItem::with_id(app, "quit", quit, true, Some("CmdOrCtrl+Q"))?;
        let app_menu = Submenu::with_items(
            app,
            "Inbox",
            true,
            &[&show, &PredefinedMenuItem::separator(app)?, &quit],
        )?;
        let edit = Submenu::with_items(
            app,
            "Edit",
            true,
            &[
                &PredefinedMenuItem::undo(app, None)?,
                &PredefinedMenuItem::redo(app, None)?,
                &PredefinedMenuItem::separator(app)?,
                &PredefinedMenuItem::cut(app, None)?,
                &PredefinedMenuItem::copy(app, None)?,
                &PredefinedMenuItem::paste(app, None)?,
                &PredefinedMenuItem::select_all(app, None)?,
            ],
        )?;
        Menu::with_items(app, &[&app_menu, &edit])
    })();
    match built.and_then(|menu| app.set_menu(menu)) {
        Ok(_) => {}
        Err(e) => tracing::warn!("no app menu: {e}"),
    }
}

/// Show and Quit, from the tray or the app menu (the app's one menu-event handler).
pub fn on_menu<R: Runtime>(app: &AppHandle<R>, id: &str) {
    match id {
        "show" => show_window(app),
        "quit" => crate::lifecycle::quit(app),
        _ => {}
    }
}

fn build<R: Runtime>(app: &AppHandle<R>, settings: &AppSettings) -> tauri::Result<TrayIcon<R>> {
    let menu = menu(app, settings)?;
    TrayIconBuilder::with_id(TRAY_ID)
        .icon(Image::from_bytes(include_bytes!(
            "../../assets/icons/tray.png"
        ))?)
        .tooltip("Inbox")
        .menu(&menu)
        .show_menu_on_left_click(false)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_menu_speaks_the_language_chosen_in_settings() {
        let with = |language| AppSettings {
            language,
            ..AppSettings::default()
        };
        assert_eq!(words(&with(Language::Sv)), ("Visa Inkorg", "Avsluta"));
        assert_eq!(words(&with(Language::En)), ("Show Inbox", "Quit"));
    }
}
