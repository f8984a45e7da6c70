//! The engine's error type. Every failure that reaches the network is classified as Network,
//! Transient or Permanent, so callers know whether to wait, retry or tell the user; a permanent
//! failure of a change the shop may have made anyway is told apart ([`Error::MaybeApplied`]),
//! so nobody is invited to make it twice. The classification lives here and nowhere else.

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
    /// The shop answered a change with success, but the answer couldn't be used (it isn't
    /// the JSON this app knows, or the connection failed in a way a retry can't get past): the
    /// shop has most likely made the change. Trying again with the same Idempotency-Key is
    /// safe, the shop answers from its record; sending it anew would make it twice. Code
    /// `maybe_sent`.
    #[error("the shop may have received this, but its answer couldn't be read: {0}")]
    MaybeApplied(Box<Error>),
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
            Error::MaybeApplied(_) => "maybe_sent".into(),
        }
    }

    /// Classifies a failure that came after the shop answered a change with a success status,
    /// while reading or decoding the answer: the shop has acted on it. What a retry with the
    /// same key can get past (a connection broken mid-answer) stays as it is, and the retry is
    /// answered from the shop's record; anything else is [`Error::MaybeApplied`], never a plain
    /// refusal that invites sending the same thing again.
    pub fn after_success(self) -> Error {
        match self {
            e if e.is_retryable() => e,
            e @ Error::MaybeApplied(_) => e,
            e => Error::MaybeApplied(Box::new(e)),
        }
    }

    /// Whether the shop may have made the change although it failed (see
    /// [`Error::after_success`]).
    pub fn maybe_applied(&self) -> bool {
        matches!(self, Error::MaybeApplied(_))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn undecodable() -> Error {
        Error::from(serde_json::from_str::<i64>("{").unwrap_err())
    }

    #[test]
    fn an_answer_that_cant_be_read_after_success_may_have_been_sent() {
        for error in [
            undecodable(),
            Error::Certificate("invalid peer certificate: BadSignature".into()),
        ] {
            let before = error.code();
            let after = error.after_success();
            assert!(after.maybe_applied(), "{after:?}");
            assert_eq!(after.code(), "maybe_sent", "was {before}");
            assert!(!after.is_retryable(), "sending anew would make it twice");
            assert!(
                after.to_string().starts_with(
                    "the shop may have received this, but its answer couldn't be read: "
                ),
                "{after}"
            );
        }
        // Classified once: a second pass doesn't wrap it again.
        let twice = undecodable().after_success().after_success();
        assert!(matches!(&twice, Error::MaybeApplied(inner) if !inner.maybe_applied()));
    }

    #[test]
    fn a_connection_broken_mid_answer_is_retried_with_the_same_key() {
        for error in [
            Error::Network("connection reset".into()),
            Error::Transient {
                detail: "busy".into(),
                retry_after: None,
            },
        ] {
            let code = error.code();
            let after = error.after_success();
            assert!(after.is_retryable() && !after.maybe_applied(), "{after:?}");
            assert_eq!(after.code(), code);
        }
    }

    #[test]
    fn failures_before_an_answer_are_not_maybe_sent() {
        // Never passed through after_success: a refused handshake or a refusal from the shop
        // means the change was not made.
        for error in [
            Error::Certificate("unknown issuer".into()),
            undecodable(),
            Error::Rejected(Box::new(Problem::new(
                422,
                ProblemCode::ProductUnavailable,
                "not in the online store",
            ))),
        ] {
            assert!(!error.maybe_applied());
            assert_ne!(error.code(), "maybe_sent");
        }
    }
}
