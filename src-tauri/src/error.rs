//! What a command failure looks like to the UI: a stable code to switch on and a sentence.

use serde::Serialize;

/// A failed command. `code` is inbox-core's [`inbox_core::Error::code`] (a problem code such
/// as `discount_inactive`, or `network`, `signed_out`, `certificate`, `bad_input`, ...).
#[derive(Debug, Clone, Serialize, specta::Type, thiserror::Error)]
#[error("{message}")]
pub struct CommandError {
    pub code: String,
    pub message: String,
}

impl CommandError {
    pub fn new(code: &str, message: impl Into<String>) -> CommandError {
        CommandError {
            code: code.to_owned(),
            message: message.into(),
        }
    }

    pub fn signed_out() -> CommandError {
        CommandError::new("signed_out", "you are signed out")
    }
}

impl From<inbox_core::Error> for CommandError {
    fn from(e: inbox_core::Error) -> CommandError {
        CommandError {
            code: e.code(),
            message: e.to_string(),
        }
    }
}

pub type CommandResult<T> = Result<T, CommandError>;
