//! Diagnostics: tracing to a daily-rotating file in the OS log folder, a week kept. Info level
//! carries ids, states and timings only: no message text, customer data or tokens (inbox-core
//! and this shell log nothing else at info; `INBOX_LOG=debug` is for a developer's machine).

use std::path::{Path, PathBuf};

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// Log files kept, one a day.
const KEEP_FILES: usize = 7;

/// The OS's place for an app's logs.
pub fn log_dir(identifier: &str) -> Option<PathBuf> {
    #[cfg(target_os = "macos")]
    {
        dirs::home_dir().map(|home| home.join("Library/Logs").join(identifier))
    }
    #[cfg(not(target_os = "macos"))]
    {
        dirs::data_local_dir().map(|dir| dir.join(identifier).join("logs"))
    }
}

/// Starts logging to `dir`; the guard flushes the file when dropped at exit.
pub fn init(dir: &Path) -> Option<WorkerGuard> {
    if let Err(e) = std::fs::create_dir_all(dir) {
        eprintln!("warning: no log folder {}: {e}", dir.display());
        return None;
    }
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("inbox")
        .filename_suffix("log")
        .max_log_files(KEEP_FILES)
        .build(dir)
        .map_err(|e| eprintln!("warning: no log file in {}: {e}", dir.display()))
        .ok()?;
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = EnvFilter::try_from_env("INBOX_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .ok()?;
    Some(guard)
}
