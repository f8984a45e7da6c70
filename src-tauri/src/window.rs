//! The main window: made from its entry in tauri.conf.json, with the webview kept on the app's
//! own pages. Customer links, product pages and the shop's admin open in the system browser
//! (`open_link`); nothing may navigate this webview away from the app or open a window of its
//! own, whatever a click, a middle click or a context menu asks of the platform's webview.

use tauri::webview::NewWindowResponse;
use tauri::{App, Url, WebviewWindowBuilder};

/// The label of the one window, as in tauri.conf.json.
pub const MAIN: &str = "main";

/// Whether `url` is one of the app's own pages: `tauri://localhost` (Linux, macOS) or
/// `http(s)://tauri.localhost` (Windows, Android), where the embedded bundle is served.
pub fn is_app_page(url: &Url) -> bool {
    match url.scheme() {
        "tauri" => url.host_str() == Some("localhost"),
        "http" | "https" => url.host_str() == Some("tauri.localhost"),
        _ => url.as_str() == "about:blank",
    }
}

/// Creates the main window, hidden until start-up shows it.
pub fn build(app: &App) -> tauri::Result<()> {
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == MAIN)
        .cloned()
        .expect("tauri.conf.json names the main window");
    WebviewWindowBuilder::from_config(app, &config)?
        .on_navigation(|url| {
            let allowed = is_app_page(url);
            if !allowed {
                tracing::warn!(scheme = url.scheme(), "refused to navigate the window away");
            }
            allowed
        })
        .on_new_window(|url, _| {
            tracing::warn!(
                scheme = url.scheme(),
                "refused to open a window of the page's own"
            );
            NewWindowResponse::Deny
        })
        .build()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_apps_own_pages_may_be_shown() {
        let page = |s: &str| is_app_page(&Url::parse(s).unwrap());
        assert!(page("tauri://localhost/"));
        assert!(page("tauri://localhost/index.html#x"));
        assert!(page("http://tauri.localhost/"));
        assert!(page("https://tauri.localhost/"));
        assert!(page("about:blank"));
        assert!(!page("https://shop.example/store/products/mug"));
        assert!(!page("https://tauri.localhost.evil.example/"));
        assert!(!page("http://localhost:8443/"));
        assert!(!page("tauri://evil/"));
        assert!(!page("file:///etc/passwd"));
        assert!(!page("javascript:alert(1)"));
        assert!(!page("data:text/html,hi"));
    }
}
