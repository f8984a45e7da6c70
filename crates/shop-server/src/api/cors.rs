//! Cross-origin access to the storefront API, for the chat widget embedded on a shop's own site:
//! CORS answers for exactly the origins the shop allows (`--allowed-origin`), on the
//! `/api/v1/storefront/` routes only.
//!
//! It must never answer CORS for the staff API, the pages or media, never for an origin that
//! was not configured (no wildcard, no reflection), and never allow credentials: the widget
//! sends its chat token in `Authorization`, no cookies. A request from an origin not allowed is
//! served as before, without CORS headers, so the browser keeps its answer from the page.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The routes that answer cross-origin requests.
pub const STOREFRONT_PREFIX: &str = "/api/v1/storefront/";

/// The origins whose pages may call the storefront API, as browsers write them in `Origin`.
#[derive(Debug, Clone, Default)]
pub struct AllowedOrigins(Arc<[HeaderValue]>);

impl AllowedOrigins {
    /// Checks and normalises each origin (see [`parse_origin`]).
    pub fn new(origins: &[String]) -> Result<AllowedOrigins, String> {
        let parsed = origins
            .iter()
            .map(|origin| {
                let normal = parse_origin(origin)?;
                HeaderValue::from_str(&normal).map_err(|e| format!("{origin:?}: {e}"))
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(AllowedOrigins(parsed.into()))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn allows(&self, origin: &HeaderValue) -> bool {
        self.0.iter().any(|allowed| allowed == origin)
    }
}

/// An origin as a browser sends it: `https://host` or `http://host:port`, scheme and host in
/// lower case, no default port, no path, query or user info. `*` and `null` are refused: the
/// point is to name the shop's own sites.
pub fn parse_origin(text: &str) -> Result<String, String> {
    let bad = |why: &str| format!("{text:?} is not an origin like https://shop.example ({why})");
    let (scheme, rest) = text.split_once("://").ok_or_else(|| bad("no scheme"))?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "https" => "443",
        "http" => "80",
        _ => return Err(bad("the scheme must be https or http")),
    };
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    if rest.is_empty() || rest.contains(['/', '?', '#', '@', ' ']) {
        return Err(bad("an origin has a host and maybe a port, nothing else"));
    }
    let (host, port) = match rest.rsplit_once(':') {
        Some((host, port)) if !port.contains(']') => (host, Some(port)),
        _ => (rest, None),
    };
    let host = host.to_ascii_lowercase();
    let host_ok = if let Some(inner) = host.strip_prefix('[') {
        inner
            .strip_suffix(']')
            .is_some_and(|ip| ip.parse::<std::net::Ipv6Addr>().is_ok())
    } else {
        !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
    };
    if !host_ok {
        return Err(bad("not a host name"));
    }
    match port {
        None => Ok(format!("{scheme}://{host}")),
        Some(port) if port == default_port => Ok(format!("{scheme}://{host}")),
        Some(port) => match port.parse::<u16>() {
            Ok(n) if n > 0 => Ok(format!("{scheme}://{host}:{n}")),
            _ => Err(bad("not a port")),
        },
    }
}

/// What the widget sends: its token, JSON bodies, retry keys and, on a stream, where it was.
const ALLOW_HEADERS: &str = "authorization, content-type, idempotency-key, last-event-id, accept";
const ALLOW_METHODS: &str = "GET, POST, DELETE";
/// The widget reads Retry-After to say when to try again.
const EXPOSE_HEADERS: &str = "retry-after";

/// The middleware: answers preflights from allowed origins and marks their responses readable.
pub async fn storefront(
    State(origins): State<AllowedOrigins>,
    request: Request,
    next: Next,
) -> Response {
    if !request.uri().path().starts_with(STOREFRONT_PREFIX) {
        return next.run(request).await;
    }
    let allowed = request
        .headers()
        .get(header::ORIGIN)
        .filter(|origin| origins.allows(origin))
        .cloned();
    let preflight = request.method() == Method::OPTIONS
        && request
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    if let (true, Some(origin)) = (preflight, &allowed) {
        let mut response = StatusCode::NO_CONTENT.into_response();
        let headers = response.headers_mut();
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static(ALLOW_METHODS),
        );
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static(ALLOW_HEADERS),
        );
        headers.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
        headers.insert(
            header::VARY,
            HeaderValue::from_static(
                "origin, access-control-request-method, access-control-request-headers",
            ),
        );
        return response;
    }
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    // Caches must not hand one origin's answer to another.
    headers.append(header::VARY, HeaderValue::from_static("origin"));
    if let Some(origin) = allowed {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSE_HEADERS),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_normalised_as_browsers_send_them() {
        assert_eq!(
            parse_origin("HTTPS://Shop.Example/").as_deref(),
            Ok("https://shop.example")
        );
        assert_eq!(
            parse_origin("https://shop.example:443").as_deref(),
            Ok("https://shop.example")
        );
        assert_eq!(
            parse_origin("http://127.0.0.1:8080").as_deref(),
            Ok("http://127.0.0.1:8080")
        );
        assert_eq!(
            parse_origin("https://[::1]:9443").as_deref(),
            Ok("https://[::1]:9443")
        );
    }

    #[test]
    fn anything_but_an_origin_is_refused() {
        for bad in [
            "*",
            "null",
            "shop.example",
            "ftp://shop.example",
            "https://",
            "https://shop.example/store",
            "https://shop.example?x",
            "https://user@shop.example",
            "https://shop.example:0",
            "https://shop.example:99999",
            "https://shop_example",
            "https://[nope]",
        ] {
            assert!(parse_origin(bad).is_err(), "{bad} was accepted");
        }
    }
}
