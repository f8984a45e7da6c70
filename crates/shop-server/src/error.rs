//! The server's error type and its mapping onto RFC 9457 problem responses.
//!
//! Handlers return [`Error::Problem`] for everything a client can act on; database and other
//! internal failures become a generic 500 problem and are logged, never shown.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use inbox_protocol::{PROBLEM_CONTENT_TYPE, Problem, ProblemCode};

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("{0}")]
    Problem(Box<Problem>),
    /// A problem that also tells the client when to retry.
    #[error("{problem}")]
    RetryAfter { problem: Box<Problem>, seconds: u64 },
    #[error("storage: {0}")]
    Storage(String),
    #[error("background task failed: {0}")]
    Join(#[from] tokio::task::JoinError),
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
    #[error("the server is shutting down")]
    Closed,
    #[error("{0}")]
    Other(String),
}

impl Error {
    pub fn problem(status: StatusCode, code: ProblemCode, detail: impl Into<String>) -> Error {
        Error::Problem(Box::new(Problem::new(status.as_u16(), code, detail)))
    }

    pub fn not_found(what: &str) -> Error {
        Error::problem(
            StatusCode::NOT_FOUND,
            ProblemCode::NotFound,
            format!("no such {what}"),
        )
    }

    pub fn bad_request(code: ProblemCode, detail: impl Into<String>) -> Error {
        Error::problem(StatusCode::BAD_REQUEST, code, detail)
    }

    pub fn unprocessable(code: ProblemCode, detail: impl Into<String>) -> Error {
        Error::problem(StatusCode::UNPROCESSABLE_ENTITY, code, detail)
    }

    pub fn forbidden(detail: impl Into<String>) -> Error {
        Error::problem(StatusCode::FORBIDDEN, ProblemCode::PermissionDenied, detail)
    }

    pub fn unauthenticated(detail: impl Into<String>) -> Error {
        Error::problem(
            StatusCode::UNAUTHORIZED,
            ProblemCode::Unauthenticated,
            detail,
        )
    }

    /// The problem a client would see, for logging and tests.
    pub fn to_problem(&self) -> Problem {
        match self {
            Error::Problem(p) | Error::RetryAfter { problem: p, .. } => (**p).clone(),
            _ => Problem::new(
                500,
                ProblemCode::Internal,
                "the server failed; try again later",
            ),
        }
    }
}

/// Renders a problem as `application/problem+json`.
pub fn problem_response(problem: &Problem) -> Response {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_vec(problem).unwrap_or_default();
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(PROBLEM_CONTENT_TYPE),
    );
    if status == StatusCode::UNAUTHORIZED {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    response
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        if !matches!(self, Error::Problem(_) | Error::RetryAfter { .. }) {
            tracing::error!(error = %self, "request failed");
        }
        let mut response = problem_response(&self.to_problem());
        if let Error::RetryAfter { seconds, .. } = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
