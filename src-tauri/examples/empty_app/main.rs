//! The empty Tauri 2 app the desktop benchmarks measure the real one against (`benches/app.rs`):
//! the same tauri version and features, built the same way, one window showing a one-line page
//! and nothing else (no plugins, commands, tray or engine). Its own config and page live beside
//! this file, so nothing here touches the real app's build.

fn main() {
    tauri::Builder::default()
        .run(tauri::generate_context!(
            "examples/empty_app/tauri.conf.json"
        ))
        .expect("the empty app runs");
}
