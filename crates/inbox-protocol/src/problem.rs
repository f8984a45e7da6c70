//! Errors on the wire: RFC 9457 problem details with a stable machine-readable `code`.

use serde::{Deserialize, Serialize};

/// The media type of every error response.
pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// Why a request failed. Clients switch on this, never on the human-readable text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ProblemCode {
    /// No valid token was given.
    Unauthenticated,
    /// The token was valid once but has expired; sign in again.
    TokenExpired,
    /// Wrong email or password.
    InvalidCredentials,
    PermissionDenied,
    NotFound,
    MethodNotAllowed,
    /// The body or a parameter is not what the schema says.
    MalformedPayload,
    UnsupportedMediaType,
    InvalidCursor,
    TooManyProducts,
    NoProducts,
    ProductUnavailable,
    DiscountInactive,
    AttachmentTooLarge,
    UnsupportedMedia,
    CorruptMedia,
    /// The assignee lacks the online store chat permission.
    StaffCannotChat,
    /// The same Idempotency-Key was sent with a different request.
    IdempotencyKeyReused,
    RateLimited,
    /// The email verification code is wrong, used up or expired; ask for a new one.
    VerificationFailed,
    /// The cart's discount code does not apply to this order (its minimum, or used already).
    DiscountNotApplicable,
    /// There is nothing in the cart to check out.
    CartEmpty,
    /// The payment provider declined the card; nothing was charged and the cart is as it was.
    PaymentDeclined,
    /// The action needs an open conversation (snoozing one, say) and this one is closed.
    ConversationClosed,
    Internal,
}

impl ProblemCode {
    /// The key as it appears in `code`.
    pub fn key(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }

    /// Whether retrying the same request later can succeed.
    pub fn is_transient(self) -> bool {
        matches!(self, ProblemCode::RateLimited | ProblemCode::Internal)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Problem {
    /// A URI reference naming the problem type: `/api/v1/problems/{code}`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    /// What went wrong and what to do, for people.
    pub detail: String,
    pub code: ProblemCode,
}

impl Problem {
    pub fn new(status: u16, code: ProblemCode, detail: impl Into<String>) -> Problem {
        let key = code.key();
        Problem {
            kind: format!("/api/v1/problems/{key}"),
            title: key.replace('_', " "),
            status,
            detail: detail.into(),
            code,
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.status, self.code.key(), self.detail)
    }
}

impl std::error::Error for Problem {}
