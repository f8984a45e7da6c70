//! The Inbox desktop app: a Tauri 2 window over [`inbox_core`]. This crate is a shell: its
//! commands delegate to the engine (no SQL, no HTTP here), its events pass the engine's on, and
//! it owns only what a desktop app must: the window, the tray, OS notifications, the keychain
//! sign-in flow, attachments for the webview and the log file.
//!
//! Arguments: `--demo` runs the demo shop in-process and signs in to it; `--data-dir DIR`
//! keeps the account and mirrors somewhere else than the OS data directory.

pub mod commands;
mod demo;
pub mod error;
pub mod events;
mod logging;
mod media;
mod notifier;
pub mod settings;
mod state;
mod tray;

use std::path::PathBuf;
use std::process::ExitCode;

use inbox_core::session::DataDir;
use specta_typescript::Typescript;
use tauri::Manager;

use crate::state::AppState;

/// The app's identifier (as in tauri.conf.json): names its log folder.
const IDENTIFIER: &str = "example.nordlys.inbox";

/// Every command and event the window may use; also writes `ui/src/bindings.ts`.
pub fn specta_builder() -> tauri_specta::Builder<tauri::Wry> {
    tauri_specta::Builder::<tauri::Wry>::new()
        .commands(tauri_specta::collect_commands![
            commands::startup,
            commands::sign_in,
            commands::sign_out,
            commands::status,
            commands::conversations,
            commands::conversation,
            commands::profile,
            commands::staff,
            commands::search,
            commands::save_draft,
            commands::reply,
            commands::share_products,
            commands::share_discount,
            commands::pick_media,
            commands::preview_media,
            commands::send_media,
            commands::send_pasted_media,
            commands::media_url,
            commands::set_status,
            commands::set_unread,
            commands::assign,
            commands::add_note,
            commands::edit_note,
            commands::outbox,
            commands::retry,
            commands::discard,
            commands::search_products,
            commands::search_discounts,
            commands::set_open_conversation,
            commands::save_settings,
            commands::notification_settings,
            commands::save_notification_settings,
            commands::pause_notifications,
            commands::resume_notifications,
            commands::send_test_notification,
            commands::about,
            commands::open_log_folder,
            commands::open_link,
        ])
        .events(tauri_specta::collect_events![
            events::EngineEvent,
            events::OpenConversation
        ])
        // Ids, amounts in minor units and millisecond times all fit in a double.
        .dangerously_cast_bigints_to_number()
}

/// The TypeScript bindings, as committed in `ui/src/bindings.ts`.
pub fn typescript_bindings() -> Result<String, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let path = dir.path().join("bindings.ts");
    specta_builder()
        .export(
            Typescript::default().header(
                "// Generated from src-tauri by `make bindings`; do not edit.\n// @ts-nocheck\n",
            ),
            &path,
        )
        .map_err(|e| e.to_string())?;
    std::fs::read_to_string(&path).map_err(|e| e.to_string())
}

/// Command-line arguments.
#[derive(Debug, Default)]
struct Args {
    demo: bool,
    data_dir: Option<PathBuf>,
}

impl Args {
    fn parse(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
        let mut parsed = Args::default();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--demo" => parsed.demo = true,
                "--data-dir" => {
                    parsed.data_dir = Some(args.next().ok_or("--data-dir needs a folder")?.into())
                }
                other => {
                    if let Some(dir) = other.strip_prefix("--data-dir=") {
                        parsed.data_dir = Some(dir.into());
                    } else {
                        return Err(format!(
                            "unknown argument {other:?}; use --demo or --data-dir DIR"
                        ));
                    }
                }
            }
        }
        if parsed.data_dir.is_none() {
            parsed.data_dir = std::env::var_os("INBOX_DATA_DIR").map(PathBuf::from);
        }
        Ok(parsed)
    }
}

pub fn run() -> ExitCode {
    let args = match Args::parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let log_dir = logging::log_dir(IDENTIFIER);
    let _log_guard = log_dir.as_deref().and_then(logging::init);
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        demo = args.demo,
        "starting"
    );

    let data = match DataDir::new(args.data_dir.clone()) {
        Ok(data) => data,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let data = if args.demo {
        match tauri::async_runtime::block_on(demo::start(&data.path.join("demo"))) {
            Ok((data, _account)) => data,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        data
    };

    let bindings = specta_builder();
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .invoke_handler(bindings.invoke_handler())
        .register_asynchronous_uri_scheme_protocol(media::SCHEME, media::handle)
        .manage(AppState::new(data, log_dir, args.demo))
        .setup(move |app| {
            bindings.mount_events(app);
            let handle = app.handle().clone();
            let settings = settings::AppSettings::load(&handle.state::<AppState>().data.path);
            tray::install(&handle, &settings);
            handle
                .state::<AppState>()
                .set_deliverer(notifier::start(&handle));
            // The saved account's mirror opens while the window loads (offline too); the
            // window's first command waits for it.
            tauri::async_runtime::spawn(async move {
                let state = handle.state::<AppState>();
                if let Err(e) = state.resume(&handle).await {
                    tracing::warn!(code = %e.code, "the saved account can't be opened");
                }
            });
            Ok(())
        })
        .on_window_event(|window, event| match event {
            tauri::WindowEvent::Focused(focused) => {
                let state = window.state::<AppState>();
                state.focus.lock().expect("focus poisoned").window_focused = *focused;
                let app = window.app_handle().clone();
                tauri::async_runtime::spawn(async move { notifier::refresh_focus(&app).await });
            }
            tauri::WindowEvent::DragDrop(tauri::DragDropEvent::Drop { paths, .. }) => {
                let state = window.state::<AppState>();
                for path in paths {
                    state.offer_file(path.clone());
                }
            }
            _ => {}
        })
        .run(tauri::generate_context!());
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("the app failed: {e}");
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
