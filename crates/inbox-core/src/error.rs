//! The engine's error type. Every failure that reaches the network is classified as Network,
//! Transient or Permanent, so callers know whether to wait, retry or tell the user.

use std::time::Duration;

use inbox_protocol::{Problem, ProblemCode};

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The shop could not be reached, or the connection broke.
    #[error("the shop can't be reached: {0}")]
    Network(String),
    /// The shop is busy or failing; try again after the given time.
    #[error("the shop is busy: {detail}")]
    Transient {
        detail: String,
        retry_after: Option<Duration>,
    },
    /// The shop refused the request; retrying the same request won't help.
    #[error("{}", .0.detail)]
    Rejected(Box<Problem>),
    /// The token is missing, revoked or expired: sign in again.
    #[error("signed out: {0}")]
    SignedOut(String),
    /// The server's certificate is not trusted.
    #[error("the shop's certificate is not trusted: {0}")]
    Certificate(String),
    #[error("the local database: {0}")]
    Db(#[from] rusqlite::Error),
    #[error(
        "the local database is at version {found}, newer than this app knows ({known}); update the app"
    )]
    DatabaseTooNew { found: i64, known: i64 },
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
    #[error("bad input: {0}")]
    Input(String),
    /// A file that can't be sent: damaged, too large or of a kind the shop doesn't take
    /// (`corrupt_media`, `attachment_too_large`, `unsupported_media`). Refused before anything
    /// is queued; the message says what to send instead.
    #[error("{message}")]
    Media { code: ProblemCode, message: String },
    #[error("not found: {0}")]
    NotFound(String),
    #[error("the engine stopped")]
    Stopped,
    /// A local file or the keychain failed; the text says which and why.
    #[error("{0}")]
    Local(String),
    /// No desktop notification service took the notification.
    #[error("can't show a notification: {0}")]
    Notify(String),
    /// An outbox item written before the shop was reset or replaced: the ids it names may be
    /// other customers' now, so it is never sent.
    #[error("the shop was reset; this was not sent")]
    ShopReset,
}

impl Error {
    /// A stable code a UI can switch on.
    pub fn code(&self) -> String {
        match self {
            Error::Network(_) => "network".into(),
            Error::Transient { .. } => "transient".into(),
            Error::Rejected(p) => p.code.key(),
            Error::SignedOut(_) => "signed_out".into(),
            Error::Certificate(_) => "certificate".into(),
            Error::Db(_) | Error::DatabaseTooNew { .. } => "database".into(),
            Error::Json(_) => "protocol".into(),
            Error::Io(_) => "io".into(),
            Error::Input(_) => "bad_input".into(),
            Error::Media { code, .. } => code.key(),
            Error::NotFound(_) => "not_found".into(),
            Error::Stopped => "stopped".into(),
            Error::Local(_) => "local".into(),
            Error::Notify(_) => "notification".into(),
            Error::ShopReset => "shop_reset".into(),
        }
    }

    /// Whether waiting and trying again can succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Error::Network(_) | Error::Transient { .. })
    }

    pub fn problem_code(&self) -> Option<ProblemCode> {
        match self {
            Error::Rejected(p) => Some(p.code),
            Error::Media { code, .. } => Some(*code),
            _ => None,
        }
    }
}

impl From<tokio::task::JoinError> for Error {
    fn from(e: tokio::task::JoinError) -> Error {
        Error::Io(std::io::Error::other(e))
    }
}

/// Says what was being done when a local operation (a file, the keychain) failed.
pub(crate) trait Context<T> {
    fn context(self, what: impl std::fmt::Display) -> Result<T>;
    fn with_context<D: std::fmt::Display>(self, what: impl FnOnce() -> D) -> Result<T>;
}

impl<T, E: std::fmt::Display> Context<T> for std::result::Result<T, E> {
    fn context(self, what: impl std::fmt::Display) -> Result<T> {
        self.map_err(|e| Error::Local(format!("{what}: {e}")))
    }

    fn with_context<D: std::fmt::Display>(self, what: impl FnOnce() -> D) -> Result<T> {
        self.map_err(|e| Error::Local(format!("{}: {e}", what())))
    }
}

impl<T> Context<T> for Option<T> {
    fn context(self, what: impl std::fmt::Display) -> Result<T> {
        self.ok_or_else(|| Error::Local(what.to_string()))
    }

    fn with_context<D: std::fmt::Display>(self, what: impl FnOnce() -> D) -> Result<T> {
        self.ok_or_else(|| Error::Local(what().to_string()))
    }
}
