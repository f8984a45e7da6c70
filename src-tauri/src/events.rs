//! Events the shell sends the window, typed for the UI by tauri-specta.

use serde::{Deserialize, Serialize};

/// Something changed in the engine (ids only: the UI asks again for what it shows).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct EngineEvent(pub inbox_core::Event);

/// Show this conversation: a notification was clicked or an `inbox://conversation/ID` link
/// opened.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct OpenConversation {
    pub id: i64,
}

/// Search for this: an `inbox://search?q=…` link opened.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct OpenSearch {
    pub query: String,
}
