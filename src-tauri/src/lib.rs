//! The Inbox desktop app: a Tauri 2 window over [`inbox_core`]. This crate is a shell: its
//! commands delegate to the engine (no SQL, no HTTP here), its events pass the engine's on, and
//! it owns only what a desktop app must: the window, the tray, OS notifications, the keychain
//! sign-in flow, attachments for the webview and the log file.
//!
//! Arguments: `--demo` runs the demo shop in-process and signs in to it; `--data-dir DIR`
//! keeps the account and mirrors somewhere else than the OS data directory; `--hidden` starts
//! in the tray (start at login does); an `inbox://` link opens the window there. A second
//! launch hands its arguments to the running app and exits (see [`lifecycle`]).

pub mod commands;
#[cfg(feature = "demo")]
mod demo;
pub mod error;
pub mod events;
mod lifecycle;
pub mod links;
mod logging;
mod media;
mod notifier;
pub mod settings;
mod state;
mod tray;
mod window;

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
            commands::metrics,
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
            commands::snooze,
            commands::activity,
            commands::report_viewing,
            commands::report_typing,
            commands::snooze_choices,
            commands::snooze_time,
            commands::set_unread,
            commands::assign,
            commands::add_note,
            commands::edit_note,
            commands::saved_replies,
            commands::insert_saved_reply,
            commands::send_saved_reply,
            commands::saved_reply_detail,
            commands::upload_saved_reply_image,
            commands::upload_pasted_saved_reply_image,
            commands::add_saved_reply,
            commands::edit_saved_reply,
            commands::delete_saved_reply,
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
            commands::quit,
            commands::attachment_cache,
            commands::clear_attachment_cache,
            commands::set_start_at_login,
        ])
        .events(tauri_specta::collect_events![
            events::EngineEvent,
            events::OpenConversation,
            events::OpenSearch
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
    /// With `--demo`: open the demo shop's storefront in the browser (`make demo OPEN=1`).
    open_storefront: bool,
    /// With `--demo`: start the demo shop over (`make demo RESET=shop`); the app's folder stays.
    reset_demo_shop: bool,
    data_dir: Option<PathBuf>,
    /// Start in the tray, the window hidden (start at login).
    hidden: bool,
    /// `inbox://` links (the OS passes one as an argument).
    links: Vec<String>,
}

impl Args {
    fn parse(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
        let mut parsed = Args::default();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--demo" => parsed.demo = true,
                "--open-storefront" => parsed.open_storefront = true,
                "--reset-demo-shop" => parsed.reset_demo_shop = true,
                "--hidden" => parsed.hidden = true,
                link if link
                    .get(..links::SCHEME.len() + 1)
                    .is_some_and(|h| h.eq_ignore_ascii_case("inbox:")) =>
                {
                    parsed.links.push(link.to_owned())
                }
                "--data-dir" => {
                    parsed.data_dir = Some(args.next().ok_or("--data-dir needs a folder")?.into())
                }
                other => {
                    if let Some(dir) = other.strip_prefix("--data-dir=") {
                        parsed.data_dir = Some(dir.into());
                    } else {
                        return Err(format!(
                            "unknown argument {other:?}; use --demo (with --open-storefront, \
                             --reset-demo-shop), --data-dir DIR, --hidden or an inbox:// link"
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
    // One process per data folder. Taken before the demo shop starts, so a second launch never
    // starts a second shop on the same database; such a launch hands its arguments over below
    // (the single-instance plugin) and exits.
    let lock = match lifecycle::InstanceLock::take(&data.path) {
        Ok(lock) => lock,
        Err(e) => {
            eprintln!(
                "error: can't lock the data folder {}: {e}",
                data.path.display()
            );
            return ExitCode::FAILURE;
        }
    };
    let data = if args.demo && lock.is_some() {
        match start_demo(&data, &args) {
            Ok(data) => data,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        data
    };

    let bindings = specta_builder();
    let (hidden, launch_links) = (args.hidden, args.links.clone());
    let result = tauri::Builder::default()
        // First: a second launch hands its arguments to this one and exits before anything
        // else of it starts.
        .plugin(tauri_plugin_single_instance::init(|app, argv, _cwd| {
            tracing::info!(args = argv.len(), "a second launch handed over");
            links::open_args(app, &argv);
        }))
        .plugin(tauri_plugin_deep_link::init())
        .plugin(
            tauri_plugin_autostart::Builder::new()
                .arg("--hidden")
                .app_name("Inbox")
                .build(),
        )
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .invoke_handler(bindings.invoke_handler())
        .register_asynchronous_uri_scheme_protocol(media::SCHEME, media::handle)
        .manage(AppState::new(data, log_dir, args.demo))
        .on_menu_event(|app, event| tray::on_menu(app, event.id().as_ref()))
        .setup(move |app| {
            let Some(lock) = lock else {
                // No hand-over reached the app holding the folder (it runs on another session
                // bus, or there is none): refuse rather than sync its mirror too.
                eprintln!(
                    "error: Inbox is already running with this data folder; \
                     open it from its tray icon"
                );
                std::process::exit(3);
            };
            app.manage(lock);
            window::build(app)?;
            bindings.mount_events(app);
            let handle = app.handle().clone();
            let settings = settings::AppSettings::load(&handle.state::<AppState>().data.path);
            tray::install(&handle, &settings);
            #[cfg(target_os = "macos")]
            tray::install_app_menu(&handle, &settings);
            handle
                .state::<AppState>()
                .set_deliverer(notifier::start(&handle));
            deep_links(&handle);
            if !hidden && let Some(window) = handle.get_webview_window("main") {
                let _ = window.show();
            }
            if !launch_links.is_empty() {
                links::open_args(&handle, &launch_links);
            }
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
            tauri::WindowEvent::CloseRequested { api, .. } => {
                lifecycle::on_close_requested(window, api);
            }
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
        .build(tauri::generate_context!())
        .map(|app| {
            app.run(|app, event| match event {
                // Quit's own exit goes through; any other (the last window gone when closing
                // quits) takes Quit's way out, so the outbox gets its moment.
                tauri::RunEvent::ExitRequested { api, .. } if !lifecycle::quitting() => {
                    api.prevent_exit();
                    lifecycle::quit(app);
                }
                #[cfg(target_os = "macos")]
                tauri::RunEvent::Reopen { .. } => tray::show_window(app),
                _ => {}
            })
        });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("the app failed: {e}");
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `--demo`: the demo shop in-process, signed in to (only in a build with the `demo` feature).
#[cfg(feature = "demo")]
fn start_demo(data: &DataDir, args: &Args) -> Result<DataDir, String> {
    let dir = data.path.join("demo");
    if args.reset_demo_shop {
        demo::reset_shop(&dir)?;
    }
    tauri::async_runtime::block_on(demo::start(&dir, args.open_storefront)).map(|(data, _)| data)
}

#[cfg(not(feature = "demo"))]
fn start_demo(_data: &DataDir, _args: &Args) -> Result<DataDir, String> {
    Err("this build of Inbox has no demo shop; `make demo` builds one with it".into())
}

/// Links the OS hands to the running app by event (macOS); elsewhere they come as a launch's
/// arguments (above). On Linux outside a package (an AppImage) the scheme is registered at
/// start; the .deb registers it in its desktop file.
fn deep_links(app: &tauri::AppHandle) {
    use tauri_plugin_deep_link::DeepLinkExt;
    #[cfg(target_os = "macos")]
    {
        let handle = app.clone();
        app.deep_link().on_open_url(move |event| {
            let urls: Vec<String> = event.urls().iter().map(|u| u.to_string()).collect();
            links::open_args(&handle, &urls);
        });
    }
    #[cfg(target_os = "linux")]
    if std::env::var_os("APPIMAGE").is_some()
        && let Err(e) = app.deep_link().register_all()
    {
        tracing::warn!("inbox:// links can't be registered: {e}");
    }
    let _ = app.deep_link();
}

#[cfg(test)]
mod tests {
    use super::Args;

    fn parse(args: &[&str]) -> Result<Args, String> {
        Args::parse(args.iter().map(|a| (*a).to_owned()))
    }

    #[test]
    fn the_demo_flags_and_a_link_are_understood_and_a_typo_is_refused() {
        let args = parse(&[
            "--demo",
            "--open-storefront",
            "--reset-demo-shop",
            "--data-dir",
            "/tmp/x",
            "inbox://conversation/7",
        ])
        .unwrap();
        assert!(args.demo && args.open_storefront && args.reset_demo_shop);
        assert_eq!(
            args.data_dir.as_deref(),
            Some(std::path::Path::new("/tmp/x"))
        );
        assert_eq!(args.links, ["inbox://conversation/7"]);
        let plain = parse(&["--demo"]).unwrap();
        assert!(!plain.open_storefront && !plain.reset_demo_shop);
        let error = parse(&["--open-store"]).unwrap_err();
        assert!(error.contains("--open-storefront"), "{error}");
    }
}
