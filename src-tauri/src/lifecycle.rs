//! How the app lives all day: closing the window hides it (the engine, live sync, notifications
//! and the tray go on), said once the first time; Quit gives the outbox a moment to drain and
//! then ends the process (what is still queued stays queued for the next start); and one
//! process per data folder, whatever launched it.

use std::fs::File;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use inbox_core::notifications::Notification;
use inbox_core::{SendState, SyncState};
use tauri::{AppHandle, Manager, Runtime};

use crate::settings::AppSettings;
use crate::state::AppState;

/// Longest Quit waits for queued actions to go out before it ends the process anyway.
pub const DRAIN: Duration = Duration::from_secs(4);

/// Marks that the "still running in the tray" hint was shown (it is said once per data folder).
const HINT_SHOWN: &str = "tray-hint-shown";

/// Held for the life of the process: a second process on the same data folder (one that no
/// single-instance hand-over caught, such as one on another session bus) refuses to start
/// rather than sync the same mirror.
#[derive(Debug)]
pub struct InstanceLock {
    _file: File,
}

impl InstanceLock {
    /// Takes the data folder's lock; `None` when another process holds it.
    pub fn take(data_dir: &Path) -> std::io::Result<Option<InstanceLock>> {
        std::fs::create_dir_all(data_dir)?;
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(data_dir.join(".instance.lock"))?;
        match file.try_lock() {
            Ok(()) => Ok(Some(InstanceLock { _file: file })),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => Err(e),
        }
    }
}

/// Set once Quit has begun: the exit that follows is ours, not one to hold back.
static QUITTING: AtomicBool = AtomicBool::new(false);

pub fn quitting() -> bool {
    QUITTING.load(Ordering::SeqCst)
}

/// The window's close button (or the window manager's close): hide, unless the user chose
/// that closing quits.
pub fn on_close_requested<R: Runtime>(window: &tauri::Window<R>, api: &tauri::CloseRequestApi) {
    if quitting() {
        return;
    }
    let app = window.app_handle().clone();
    let data_dir = app.state::<AppState>().data.path.clone();
    api.prevent_close();
    if !AppSettings::load(&data_dir).keep_running {
        quit(&app);
        return;
    }
    tracing::info!("the window was closed: hidden, still running in the tray");
    let _ = window.hide();
    let first_time = !data_dir.join(HINT_SHOWN).exists();
    if first_time {
        if let Err(e) = std::fs::write(data_dir.join(HINT_SHOWN), b"") {
            tracing::warn!("can't remember that the tray hint was shown: {e}");
        }
        tauri::async_runtime::spawn(async move { say_still_running(&app).await });
    }
}

/// Tells the user, once, where the app went.
async fn say_still_running<R: Runtime>(app: &AppHandle<R>) {
    let state = app.state::<AppState>();
    let settings = AppSettings::load(&state.data.path);
    let notification = Notification::still_running(crate::notifier::language(&settings));
    let Some(deliverer) = state.deliverer() else {
        return;
    };
    if let Err(e) = deliverer.show(&notification).await {
        tracing::warn!(code = %e.code(), "the tray hint can't be shown");
    }
}

/// Quit (the tray, the app menu, Ctrl/Cmd-Q, or a close when closing quits): hides the window,
/// waits up to [`DRAIN`] while queued actions still go out to a reachable shop, then ends the
/// process. Nothing queued is dropped: the outbox is in the mirror and goes out next start.
pub fn quit<R: Runtime>(app: &AppHandle<R>) {
    if QUITTING.swap(true, Ordering::SeqCst) {
        return;
    }
    for window in app.webview_windows().values() {
        let _ = window.hide();
    }
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let started = Instant::now();
        let state = app.state::<AppState>();
        let mut left = 0;
        if let Ok(inbox) = state.engine().await {
            loop {
                left = match inbox.outbox().await {
                    Ok(entries) => entries
                        .iter()
                        .filter(|e| e.state == SendState::Pending)
                        .count(),
                    Err(_) => 0,
                };
                // Offline or signed out, waiting changes nothing: the shop can't take them.
                let reachable = matches!(
                    inbox.sync_state(),
                    SyncState::Live | SyncState::Syncing { .. }
                );
                if left == 0 || !reachable || started.elapsed() >= DRAIN {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            inbox.stop();
        }
        tracing::info!(
            still_queued = left,
            ms = started.elapsed().as_millis() as u64,
            "quitting"
        );
        app.exit(0);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_one_data_folder_is_refused_until_the_first_goes() {
        let dir = tempfile::tempdir().unwrap();
        let first = InstanceLock::take(dir.path()).unwrap();
        assert!(first.is_some());
        assert!(InstanceLock::take(dir.path()).unwrap().is_none());
        drop(first);
        assert!(InstanceLock::take(dir.path()).unwrap().is_some());
    }
}
