//! Shows decided [`Notification`]s on the desktop through notify-rust, and tells the caller
//! when one is clicked, with the conversation to open.
//!
//! It owns the OS side only: it never decides who is notified (that is
//! [`crate::notifications`]) and never focuses a window (the app does, on a [`Click`]). The
//! CLI's `inbox watch` and the desktop shell both use it. Nothing here blocks an async caller:
//! waiting for a click is a task per shown notification, at most [`MAX_WAITING`] at once.
//!
//! In an app, roughly:
//!
//! ```no_run
//! # async fn app(inbox: inbox_core::Inbox) {
//! use inbox_core::desktop_notify::Deliverer;
//! let mut decided = inbox.notifications(); // before inbox.start()
//! let (deliverer, mut clicks) = Deliverer::new();
//! inbox.start();
//! tokio::spawn(async move {
//!     while let Some(notification) = decided.recv().await {
//!         if let Err(error) = deliverer.show(&notification).await {
//!             eprintln!("{error}"); // no notification service: show it in the window instead
//!         }
//!     }
//! });
//! while let Some(click) = clicks.recv().await {
//!     // Bring the window forward; open click.conversation_id (None: the inbox).
//! }
//! # }
//! ```
//!
//! What each OS gives (see docs/ARCHITECTURE.md):
//! - Linux and the BSDs: the freedesktop notification service on the session bus
//!   (`DBUS_SESSION_BUS_ADDRESS`). Clicking the body invokes the `default` action, reported by
//!   the server's `ActionInvoked` signal on the connection that sent the notification (some
//!   servers send it to that connection only, so each notification keeps its connection until
//!   it is clicked or closed). App name, category `im.received`, the desktop entry `inbox` and
//!   the conversation id as hints.
//! - macOS (`NSUserNotification`) and Windows (toasts): shown through notify-rust; a click is
//!   waited for on a blocking thread where notify-rust reports one. Not tested on these
//!   machines.

use std::sync::Arc;

use tokio::sync::{Semaphore, mpsc};

use crate::error::{Error, Result};
use crate::notifications::Notification;

/// The app name notification servers show and group by.
pub const APP_NAME: &str = "Inbox";

/// The freedesktop desktop entry (`inbox.desktop`) servers may take the icon from.
pub const DESKTOP_ENTRY: &str = "inbox";

/// Hint carrying the conversation a notification opens (freedesktop servers pass unknown
/// hints through; tests read it).
pub const CONVERSATION_HINT: &str = "x-inbox-conversation-id";
/// Hint carrying the customer message a notification is about.
pub const MESSAGE_HINT: &str = "x-inbox-message-id";
/// Hint carrying [`Notification::kind`].
pub const KIND_HINT: &str = "x-inbox-kind";

/// Most notifications waited on for a click at once; older ones still show, but a click on
/// them is no longer reported (their connection is let go).
pub const MAX_WAITING: usize = 64;

/// A shown notification was clicked (its default action invoked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Click {
    /// The conversation to open; `None` for a summary or the test: open the inbox.
    pub conversation_id: Option<i64>,
    /// The action invoked: `default` for a click on the notification itself.
    pub action: String,
    /// The id the notification server gave it (0 where the OS has none).
    pub notification_id: u32,
}

/// Shows notifications and reports clicks on the channel [`Deliverer::new`] returns.
#[derive(Debug, Clone)]
pub struct Deliverer {
    clicks: mpsc::UnboundedSender<Click>,
    waiting: Arc<Semaphore>,
}

impl Deliverer {
    pub fn new() -> (Deliverer, mpsc::UnboundedReceiver<Click>) {
        let (clicks, rx) = mpsc::unbounded_channel();
        (
            Deliverer {
                clicks,
                waiting: Arc::new(Semaphore::new(MAX_WAITING)),
            },
            rx,
        )
    }

    /// Shows one notification and returns the id the notification server gave it (0 where
    /// the OS gives none). Fails when no notification service answers.
    pub async fn show(&self, notification: &Notification) -> Result<u32> {
        os::show(self, notification).await
    }

    fn clicked(&self, notification: &Notification, notification_id: u32, action: &str) {
        let _ = self.clicks.send(Click {
            conversation_id: notification.conversation_id(),
            action: action.to_owned(),
            notification_id,
        });
    }
}

/// The notify-rust notification for one of ours.
fn build(notification: &Notification) -> notify_rust::Notification {
    let mut n = notify_rust::Notification::new();
    n.appname(APP_NAME)
        .summary(notification.title())
        .body(&escape(notification.body()));
    #[cfg(all(unix, not(target_os = "macos")))]
    {
        use notify_rust::Hint;
        n.action("default", "Open")
            .hint(Hint::Category("im.received".into()))
            .hint(Hint::DesktopEntry(DESKTOP_ENTRY.into()))
            .hint(Hint::Custom(KIND_HINT.into(), notification.kind().into()));
        if let Some(id) = notification.conversation_id() {
            n.hint(Hint::Custom(CONVERSATION_HINT.into(), id.to_string()));
        }
        if let Some(id) = notification.message_id() {
            n.hint(Hint::Custom(MESSAGE_HINT.into(), id.to_string()));
        }
    }
    n
}

/// Freedesktop servers that support body markup read `<`, `>` and `&` as markup: a customer
/// typing "<3" or "fish & chips" must show as typed.
fn escape(body: &str) -> String {
    if cfg!(all(unix, not(target_os = "macos"))) {
        body.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    } else {
        body.to_owned()
    }
}

#[cfg(all(unix, not(target_os = "macos")))]
mod os {
    use super::*;
    use notify_rust::NotificationResponse;

    pub async fn show(deliverer: &Deliverer, notification: &Notification) -> Result<u32> {
        let handle = build(notification)
            .show_async()
            .await
            .map_err(|e| Error::Notify(e.to_string()))?;
        let id = handle.id();
        // Wait for a click on this notification's own connection, while there is room.
        if let Ok(permit) = deliverer.waiting.clone().try_acquire_owned() {
            let (deliverer, notification) = (deliverer.clone(), notification.clone());
            tokio::spawn(async move {
                let _permit = permit;
                handle
                    .wait_for_action_async(|response| match response {
                        NotificationResponse::Default => {
                            deliverer.clicked(&notification, id, "default")
                        }
                        NotificationResponse::Action(action) => {
                            deliverer.clicked(&notification, id, action)
                        }
                        _ => {}
                    })
                    .await;
            });
        }
        Ok(id)
    }
}

#[cfg(not(all(unix, not(target_os = "macos"))))]
mod os {
    use super::*;

    pub async fn show(deliverer: &Deliverer, notification: &Notification) -> Result<u32> {
        let (deliverer, notification) = (deliverer.clone(), notification.clone());
        let (shown_tx, shown_rx) = tokio::sync::oneshot::channel();
        let permit = deliverer.waiting.clone().try_acquire_owned().ok();
        tokio::task::spawn_blocking(move || {
            let handle = match build(&notification).show() {
                Ok(handle) => handle,
                Err(e) => {
                    let _ = shown_tx.send(Err(Error::Notify(e.to_string())));
                    return;
                }
            };
            let _ = shown_tx.send(Ok(()));
            if let Some(_permit) = permit {
                let _ = handle.wait_for_response(|response: &notify_rust::NotificationResponse| {
                    match response {
                        notify_rust::NotificationResponse::Default => {
                            deliverer.clicked(&notification, 0, "default")
                        }
                        notify_rust::NotificationResponse::Action(action) => {
                            deliverer.clicked(&notification, 0, action)
                        }
                        _ => {}
                    }
                });
            }
        });
        shown_rx.await.map_err(|_| Error::Stopped)??;
        Ok(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_show_as_typed_on_markup_servers() {
        if cfg!(all(unix, not(target_os = "macos"))) {
            assert_eq!(escape("fish & chips <3"), "fish &amp; chips &lt;3");
        }
    }
}
