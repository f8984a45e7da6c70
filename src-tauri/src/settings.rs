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

/// Light or dark; `System` follows the OS.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

/// The text size range, in percent of the normal size: up to the 200 % that WCAG's "resize
/// text" asks a layout to hold.
pub const TEXT_SIZES: std::ops::RangeInclusive<u16> = 100..=200;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(default)]
pub struct AppSettings {
    pub language: Language,
    /// "Keep running when the window is closed": closing hides the window and the app stays
    /// in the tray (the default); off, closing quits.
    pub keep_running: bool,
    pub theme: Theme,
    /// Text size in percent (100 to 200); the layout reflows to it.
    pub text_size: u16,
    /// Opening a conversation puts the cursor in the reply box. Off (the default), the list
    /// keeps the keyboard, so j/k and Enter go on triaging (docs/ARCHITECTURE.md, "Focus").
    pub focus_composer: bool,
}

impl Default for AppSettings {
    fn default() -> AppSettings {
        AppSettings {
            language: Language::Auto,
            keep_running: true,
            theme: Theme::System,
            text_size: 100,
            focus_composer: false,
        }
    }
}

impl AppSettings {
    /// The saved settings; the defaults if there are none or the file is damaged.
    pub fn load(data_dir: &Path) -> AppSettings {
        std::fs::read(data_dir.join(FILE))
            .ok()
            .and_then(|bytes| serde_json::from_slice::<AppSettings>(&bytes).ok())
            .unwrap_or_default()
            .checked()
    }

    /// The same settings with a text size the layout is made for: a hand-edited or damaged
    /// value is brought into range, never refused.
    pub fn checked(mut self) -> AppSettings {
        self.text_size = self.text_size.clamp(*TEXT_SIZES.start(), *TEXT_SIZES.end());
        self
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
            theme: Theme::Dark,
            text_size: 150,
            focus_composer: true,
        };
        swedish.save(dir.path()).unwrap();
        assert_eq!(AppSettings::load(dir.path()), swedish);
        std::fs::write(dir.path().join(FILE), b"{not json").unwrap();
        assert_eq!(AppSettings::load(dir.path()), AppSettings::default());
        // A file from before the setting existed keeps the app in the tray.
        std::fs::write(dir.path().join(FILE), br#"{"language":"sv"}"#).unwrap();
        let old = AppSettings::load(dir.path());
        assert!(old.keep_running);
        assert_eq!(
            (old.theme, old.text_size, old.focus_composer),
            (Theme::System, 100, false)
        );
        // A text size out of range is brought into it.
        std::fs::write(dir.path().join(FILE), br#"{"text_size":900}"#).unwrap();
        assert_eq!(AppSettings::load(dir.path()).text_size, 200);
        std::fs::write(dir.path().join(FILE), br#"{"text_size":10}"#).unwrap();
        assert_eq!(AppSettings::load(dir.path()).text_size, 100);
    }
}
