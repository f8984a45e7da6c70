//! The app's own preferences (not the shop's): kept as JSON in the data dir.

use std::path::Path;

use serde::{Deserialize, Serialize};

const FILE: &str = "settings.json";

/// The UI language; `Auto` follows the OS.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    #[default]
    Auto,
    En,
    Sv,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(default)]
pub struct AppSettings {
    pub language: Language,
    /// "Keep running when the window is closed": closing hides the window and the app stays
    /// in the tray (the default); off, closing quits.
    pub keep_running: bool,
}

impl Default for AppSettings {
    fn default() -> AppSettings {
        AppSettings {
            language: Language::Auto,
            keep_running: true,
        }
    }
}

impl AppSettings {
    /// The saved settings; the defaults if there are none or the file is damaged.
    pub fn load(data_dir: &Path) -> AppSettings {
        std::fs::read(data_dir.join(FILE))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    pub fn save(&self, data_dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(data_dir)?;
        let file = data_dir.join(FILE);
        let temporary = file.with_extension("json.tmp");
        std::fs::write(&temporary, serde_json::to_vec_pretty(self)?)?;
        std::fs::rename(temporary, file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_survive_a_restart_and_a_damaged_file_gives_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(AppSettings::load(dir.path()), AppSettings::default());
        assert!(
            AppSettings::default().keep_running,
            "closing hides by default"
        );
        let swedish = AppSettings {
            language: Language::Sv,
            keep_running: false,
        };
        swedish.save(dir.path()).unwrap();
        assert_eq!(AppSettings::load(dir.path()), swedish);
        std::fs::write(dir.path().join(FILE), b"{not json").unwrap();
        assert_eq!(AppSettings::load(dir.path()), AppSettings::default());
        // A file from before the setting existed keeps the app in the tray.
        std::fs::write(dir.path().join(FILE), br#"{"language":"sv"}"#).unwrap();
        assert!(AppSettings::load(dir.path()).keep_running);
    }
}
