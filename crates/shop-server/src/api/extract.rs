//! Request extractors: who is calling (a staff member or a customer chat), and bodies, paths
//! and queries whose rejections are shaped as problems like every other error.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::StatusCode;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use inbox_protocol::{IDEMPOTENCY_KEY_HEADER, ProblemCode, Staff};

use crate::AppState;
use crate::auth::token_hash;
use crate::clock::now_ms;
use crate::error::Error;
use crate::storage::entities as store;
use crate::storage::{Sql, records};

/// A JSON body; a malformed one is a `malformed_payload` problem.
#[derive(Debug, FromRequest)]
#[from_request(via(axum::Json), rejection(Error))]
pub struct ApiJson<T>(pub T);

/// A query string; a malformed one is a `malformed_payload` problem.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(Error))]
pub struct ApiQuery<T>(pub T);

/// Path parameters; ones that don't parse mean the resource doesn't exist.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(Error))]
pub struct ApiPath<T>(pub T);

impl From<JsonRejection> for Error {
    fn from(rejection: JsonRejection) -> Error {
        match rejection {
            JsonRejection::MissingJsonContentType(_) => Error::problem(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ProblemCode::UnsupportedMediaType,
                "send the body as application/json",
            ),
            other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => Error::problem(
                StatusCode::PAYLOAD_TOO_LARGE,
                ProblemCode::MalformedPayload,
                format!(
                    "the request body is larger than {} KiB",
                    inbox_protocol::MAX_JSON_BODY_BYTES / 1024
                ),
            ),
            other => Error::bad_request(
                ProblemCode::MalformedPayload,
                format!("the request body is not valid: {}", other.body_text()),
            ),
        }
    }
}

impl From<QueryRejection> for Error {
    fn from(rejection: QueryRejection) -> Error {
        Error::bad_request(
            ProblemCode::MalformedPayload,
            format!("the query string is not valid: {}", rejection.body_text()),
        )
    }
}

impl From<PathRejection> for Error {
    fn from(rejection: PathRejection) -> Error {
        Error::problem(
            StatusCode::NOT_FOUND,
            ProblemCode::NotFound,
            format!("no such resource: {}", rejection.body_text()),
        )
    }
}

fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The token hash of a request's bearer token, for streams that recheck it while open.
pub fn bearer_hash(headers: &axum::http::HeaderMap) -> Vec<u8> {
    token_hash(bearer(headers).unwrap_or_default())
}

/// The staff member a token belongs to, if it is still valid now.
pub fn staff_for_token(conn: &dyn Sql, hash: &[u8]) -> Result<Staff, Error> {
    let Some(records::StaffToken {
        staff_id,
        expires_at,
        revoked_at,
    }) = records::staff_token(conn, hash)?
    else {
        return Err(Error::unauthenticated(
            "the token is not valid; sign in again",
        ));
    };
    if revoked_at.is_some() {
        return Err(Error::unauthenticated("you signed out; sign in again"));
    }
    if expires_at <= now_ms() {
        return Err(Error::problem(
            StatusCode::UNAUTHORIZED,
            ProblemCode::TokenExpired,
            "your session has expired; sign in again",
        ));
    }
    store::staff(conn, staff_id)?
        .ok_or_else(|| Error::unauthenticated("the staff account no longer exists"))
}

/// The signed-in staff member.
#[derive(Debug, Clone)]
pub struct StaffAuth(pub Staff);

impl FromRequestParts<AppState> for StaffAuth {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        let Some(token) = bearer(&parts.headers).filter(|t| t.starts_with("st_")) else {
            return Err(Error::unauthenticated(
                "sign in first: send Authorization: Bearer <token>",
            ));
        };
        let hash = token_hash(token);
        let staff = state
            .db
            .read(move |conn| staff_for_token(conn, &hash))
            .await?;
        Ok(StaffAuth(staff))
    }
}

/// A signed-in staff member with the online store chat permission: every route that reads or
/// changes chats takes this, so staff without the permission can sign in, see who they are and
/// sign out, and nothing more (as in Shopify Inbox, where the permission is needed to use chat).
#[derive(Debug, Clone)]
pub struct ChatStaff(pub Staff);

impl FromRequestParts<AppState> for ChatStaff {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        let StaffAuth(staff) = StaffAuth::from_request_parts(parts, state).await?;
        if !staff.can_chat() {
            return Err(Error::forbidden(
                "your staff account doesn't have the online store chat permission; ask the \
                 shop owner to give it to you in the shop admin",
            ));
        }
        Ok(ChatStaff(staff))
    }
}

/// A customer's chat session; it reaches one conversation only.
#[derive(Debug, Clone, Copy)]
pub struct CustomerAuth {
    pub customer_id: i64,
    pub conversation_id: i64,
    /// When the chat session began.
    pub since: i64,
}

impl CustomerAuth {
    /// Refuses access to any chat but the session's own.
    pub fn check(self, conversation_id: i64) -> Result<CustomerAuth, Error> {
        if conversation_id == self.conversation_id {
            Ok(self)
        } else {
            Err(Error::forbidden("this chat belongs to someone else"))
        }
    }
}

impl FromRequestParts<AppState> for CustomerAuth {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        let Some(token) = bearer(&parts.headers).filter(|t| t.starts_with("ct_")) else {
            return Err(Error::unauthenticated("start a chat first"));
        };
        let hash = token_hash(token);
        state
            .db
            .read(move |conn| {
                let row = records::chat_session(conn, &hash)?.map(|s| {
                    (
                        CustomerAuth {
                            customer_id: s.customer_id,
                            conversation_id: s.conversation_id,
                            since: s.created_at,
                        },
                        s.expires_at,
                        s.ended_at,
                    )
                });
                match row {
                    Some((auth, expires_at, None)) if expires_at > now_ms() => Ok(auth),
                    Some((_, _, Some(_))) => Err(Error::unauthenticated(
                        "this chat was ended; start a new chat",
                    )),
                    Some(_) => Err(Error::problem(
                        StatusCode::UNAUTHORIZED,
                        ProblemCode::TokenExpired,
                        "this chat session has expired; start a new chat",
                    )),
                    None => Err(Error::unauthenticated(
                        "the chat session is not valid; start a new chat",
                    )),
                }
            })
            .await
    }
}

/// The address of the client that called, which the rate limits count by: the peer's, or,
/// when the peer is a reverse proxy the server was told to trust (`--trust-proxy`), the last
/// address in `X-Forwarded-For` that is not itself a trusted proxy. An untrusted peer's header is
/// ignored, so a caller can't pick the address it is counted by.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub std::net::IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|info| info.0.ip())
            .unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
        Ok(ClientIp(client_behind(
            peer,
            &parts.headers,
            &state.trusted_proxies,
        )))
    }
}

fn client_behind(
    peer: std::net::IpAddr,
    headers: &axum::http::HeaderMap,
    trusted: &[std::net::IpAddr],
) -> std::net::IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    // Each proxy appends the address it saw; read from the end, past our own proxies.
    let hops: Vec<std::net::IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|hop| hop.trim().parse::<std::net::IpAddr>())
        .collect::<Result<_, _>>()
        .unwrap_or_default();
    hops.into_iter()
        .rev()
        .find(|hop| !trusted.contains(hop))
        .unwrap_or(peer)
}

/// The optional `Idempotency-Key` header.
#[derive(Debug, Clone)]
pub struct IdempotencyKey(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Error> {
        let Some(value) = parts.headers.get(IDEMPOTENCY_KEY_HEADER) else {
            return Ok(IdempotencyKey(None));
        };
        let key = value
            .to_str()
            .ok()
            .filter(|k| (1..=255).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()))
            .ok_or_else(|| {
                Error::bad_request(
                    ProblemCode::MalformedPayload,
                    "Idempotency-Key must be 1 to 255 visible ASCII characters",
                )
            })?;
        Ok(IdempotencyKey(Some(key.to_owned())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_trusted_proxy_names_the_client() {
        let proxy: std::net::IpAddr = "10.0.0.2".parse().unwrap();
        let other: std::net::IpAddr = "10.0.0.3".parse().unwrap();
        let mut headers = axum::http::HeaderMap::new();
        headers.insert("x-forwarded-for", "1.2.3.4, 203.0.113.7".parse().unwrap());
        // An untrusted caller's header is ignored.
        assert_eq!(client_behind(other, &headers, &[proxy]), other);
        // Through the proxy: the last hop it appended, not the one the client wrote.
        assert_eq!(
            client_behind(proxy, &headers, &[proxy]),
            "203.0.113.7".parse::<std::net::IpAddr>().unwrap()
        );
        // Two proxies of ours in a row: past both.
        headers.insert("x-forwarded-for", "203.0.113.7, 10.0.0.3".parse().unwrap());
        assert_eq!(
            client_behind(proxy, &headers, &[proxy, other]),
            "203.0.113.7".parse::<std::net::IpAddr>().unwrap()
        );
        // A garbled header: counted as the proxy.
        headers.insert("x-forwarded-for", "not an address".parse().unwrap());
        assert_eq!(client_behind(proxy, &headers, &[proxy]), proxy);
    }
}
