//! A typed HTTPS client for the Inbox API. It trusts exactly the certificates it is given (or
//! the platform's roots), never turns verification off, and turns every failure into a
//! classified [`Error`].

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures_util::{Stream, StreamExt};
use inbox_protocol::*;
use reqwest::{Certificate, Client, Method, RequestBuilder, Response, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};

/// Percent-encodes a query parameter value.
pub fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Where the shop is and how to trust it.
#[derive(Debug, Clone)]
pub struct ShopAddress {
    /// `https://host:port`, no trailing slash.
    pub url: String,
    /// PEM of a CA to trust instead of the platform's roots (a self-hosted shop).
    pub ca_pem: Option<Vec<u8>>,
}

/// The most this client reads of one answer, so a broken or hostile shop can't exhaust the
/// app's memory. A JSON answer: the largest sync page the API makes (5,000 changes of
/// messages at their 5,000-character limit, escaped) fits with room to spare.
const MAX_JSON_ANSWER: usize = 256 * 1024 * 1024;
/// A refusal's body: only its problem document (or the first 200 characters) is used.
const MAX_PROBLEM_ANSWER: usize = 64 * 1024;
/// A media file: the largest attachment the shop accepts.
const MAX_MEDIA_ANSWER: usize = MAX_VIDEO_BYTES;
/// One event of the live stream: one change.
const MAX_LIVE_EVENT: usize = 16 * 1024 * 1024;

fn too_large(cap: usize) -> Error {
    Error::Network(format!(
        "the shop's answer is larger than the {} MiB this app reads; it was not read",
        cap / (1024 * 1024)
    ))
}

/// The response body, refused once it grows past `cap` bytes (before it is read, when the
/// shop says its length).
async fn read_capped(response: Response, cap: usize) -> Result<Vec<u8>> {
    if response
        .content_length()
        .is_some_and(|len| len > cap as u64)
    {
        return Err(too_large(cap));
    }
    let mut body = Vec::new();
    let mut chunks = response.bytes_stream();
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.map_err(classify_send)?;
        if body.len() + chunk.len() > cap {
            return Err(too_large(cap));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Counts the bytes of the live stream's event being received (since the last blank line)
/// and fails the stream once one grows past `cap`: the event parser buffers a whole event.
fn cap_events<S, B>(chunks: S, cap: usize) -> impl Stream<Item = Result<B>>
where
    S: Stream<Item = reqwest::Result<B>>,
    B: AsRef<[u8]>,
{
    let mut pending = 0usize;
    let mut after_newline = false;
    chunks.map(move |chunk| {
        let chunk = chunk.map_err(classify_send)?;
        for &b in chunk.as_ref() {
            match b {
                b'\n' if after_newline => pending = 0,
                b'\n' => after_newline = true,
                b'\r' => {}
                _ => {
                    after_newline = false;
                    pending += 1;
                }
            }
        }
        if pending > cap {
            return Err(too_large(cap));
        }
        Ok(chunk)
    })
}

/// How long a first retry waits, before jitter; each further failure doubles it.
pub const RETRY_BASE: Duration = Duration::from_millis(500);

#[derive(Debug, Clone)]
pub struct ApiClient {
    http: Client,
    base: String,
    token: Option<String>,
    /// Shared by every clone: see [`ApiClient::set_retry_base`].
    retry_base_ms: Arc<AtomicU64>,
}

fn classify_send(error: reqwest::Error) -> Error {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    let lower = text.to_lowercase();
    if lower.contains("certificate")
        || lower.contains("unknownissuer")
        || lower.contains("badsignature")
    {
        Error::Certificate(text)
    } else {
        Error::Network(text)
    }
}

fn retry_after(response: &Response) -> Option<Duration> {
    response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

/// Turns a non-success response into the right kind of error.
async fn failure(response: Response) -> Error {
    let status = response.status();
    let retry = retry_after(&response);
    let body = read_capped(response, MAX_PROBLEM_ANSWER)
        .await
        .unwrap_or_default();
    let problem: Option<Problem> = serde_json::from_slice(&body).ok();
    let detail = problem
        .as_ref()
        .map(|p| p.detail.clone())
        .unwrap_or_else(|| {
            format!(
                "{status}: {}",
                String::from_utf8_lossy(&body)
                    .chars()
                    .take(200)
                    .collect::<String>()
            )
        });
    match status {
        StatusCode::UNAUTHORIZED => Error::SignedOut(detail),
        StatusCode::TOO_MANY_REQUESTS | StatusCode::REQUEST_TIMEOUT => Error::Transient {
            detail,
            retry_after: retry,
        },
        s if s.is_server_error() => Error::Transient {
            detail,
            retry_after: retry,
        },
        s => match problem {
            Some(p) => Error::Rejected(Box::new(p)),
            None => Error::Rejected(Box::new(Problem::new(
                s.as_u16(),
                ProblemCode::Internal,
                detail,
            ))),
        },
    }
}

impl ApiClient {
    pub fn new(address: &ShopAddress) -> Result<ApiClient> {
        let mut builder = Client::builder()
            // reqwest's default, stated because sync depends on it: requests go out at once
            // instead of waiting for the ACK of the previous segment (Nagle's algorithm).
            .tcp_nodelay(true)
            .connect_timeout(Duration::from_secs(10))
            .read_timeout(Duration::from_secs(45))
            .user_agent(concat!("inbox/", env!("CARGO_PKG_VERSION")));
        if let Some(pem) = &address.ca_pem {
            let certs = Certificate::from_pem_bundle(pem)
                .map_err(|e| Error::Certificate(format!("the CA file is not PEM: {e}")))?;
            if certs.is_empty() {
                return Err(Error::Certificate(
                    "the CA file holds no certificate".into(),
                ));
            }
            builder = builder.tls_certs_only(certs);
        }
        let url = address.url.trim_end_matches('/').to_owned();
        if !url.starts_with("https://") {
            return Err(Error::Input(
                "the shop address must start with https://".into(),
            ));
        }
        Ok(ApiClient {
            http: builder
                .build()
                .map_err(|e| Error::Certificate(e.to_string()))?,
            base: url,
            token: None,
            retry_base_ms: Arc::new(AtomicU64::new(RETRY_BASE.as_millis() as u64)),
        })
    }

    pub fn with_token(mut self, token: impl Into<String>) -> ApiClient {
        self.token = Some(token.into());
        self
    }

    /// Paces retries against this shop: the sync engine's reconnects and the outbox's
    /// deliveries wait about `base` after a first failure, doubling from there ([`RETRY_BASE`]
    /// unless set). Tests against a local shop shorten it; a `Retry-After` is honoured as given.
    pub fn set_retry_base(&self, base: Duration) {
        self.retry_base_ms
            .store(base.as_millis() as u64, Ordering::Relaxed);
    }

    pub fn retry_base(&self) -> Duration {
        Duration::from_millis(self.retry_base_ms.load(Ordering::Relaxed))
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let request = self.http.request(method, format!("{}{path}", self.base));
        match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    async fn execute<T: DeserializeOwned>(&self, request: RequestBuilder) -> Result<T> {
        let response = request.send().await.map_err(classify_send)?;
        if !response.status().is_success() {
            return Err(failure(response).await);
        }
        let bytes = read_capped(response, MAX_JSON_ANSWER).await?;
        Ok(serde_json::from_slice(&bytes)?)
    }

    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T> {
        self.execute(self.request(Method::GET, path)).await
    }

    /// A mutation carrying an idempotency key, so a retry can never apply twice.
    pub async fn send<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        key: &str,
        body: Option<&B>,
    ) -> Result<Option<T>> {
        let mut request = self
            .request(method, path)
            .header(IDEMPOTENCY_KEY_HEADER, key);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(classify_send)?;
        if response.status() == StatusCode::NO_CONTENT {
            return Ok(None);
        }
        if !response.status().is_success() {
            return Err(failure(response).await);
        }
        // The shop has made the change: what fails from here is classified as such.
        let bytes = read_capped(response, MAX_JSON_ANSWER)
            .await
            .map_err(Error::after_success)?;
        let answer = serde_json::from_slice(&bytes).map_err(|e| Error::from(e).after_success())?;
        Ok(Some(answer))
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> Result<Session> {
        let request = self
            .request(Method::POST, "/api/v1/auth/sign-in")
            .json(&SignInRequest {
                email: email.into(),
                password: password.into(),
            });
        match self.execute(request).await {
            // A wrong password is a rejection, not a lost session.
            Err(Error::SignedOut(detail)) => Err(Error::Rejected(Box::new(Problem::new(
                401,
                ProblemCode::InvalidCredentials,
                detail,
            )))),
            other => other,
        }
    }

    pub async fn sign_out(&self) -> Result<()> {
        let response = self
            .request(Method::POST, "/api/v1/auth/sign-out")
            .send()
            .await
            .map_err(classify_send)?;
        if response.status().is_success() || response.status() == StatusCode::UNAUTHORIZED {
            Ok(())
        } else {
            Err(failure(response).await)
        }
    }

    /// Tells the shop what this staff member is doing in a conversation. Not queued or
    /// retried: a report is worth something only now, and the next one follows shortly.
    pub async fn report_activity(
        &self,
        conversation_id: i64,
        activity: Option<ActivityKind>,
    ) -> Result<()> {
        let response = self
            .request(
                Method::PUT,
                &format!("/api/v1/conversations/{conversation_id}/activity"),
            )
            .timeout(Duration::from_secs(10))
            .json(&ReportActivity { activity })
            .send()
            .await
            .map_err(classify_send)?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(failure(response).await)
        }
    }

    pub async fn me(&self) -> Result<Me> {
        self.get("/api/v1/me").await
    }

    pub async fn sync_page(&self, after: &str, limit: u32, count: bool) -> Result<SyncPage> {
        let path = format!(
            "/api/v1/sync?after={}&limit={limit}&count={count}",
            encode(after)
        );
        self.execute(self.request(Method::GET, &path)).await
    }

    /// The live stream of changes after `after`, as parsed `Change`s; changes of entity kinds
    /// this version doesn't know (a newer shop's) are skipped.
    pub async fn events(
        &self,
        after: &str,
    ) -> Result<impl Stream<Item = Result<Change>> + Send + Unpin + use<>> {
        let mut request = self
            .request(Method::GET, "/api/v1/events")
            .timeout(Duration::from_secs(365 * 24 * 3600));
        if !after.is_empty() {
            request = request.header("Last-Event-ID", after);
        }
        let response = request.send().await.map_err(classify_send)?;
        if !response.status().is_success() {
            return Err(failure(response).await);
        }
        use eventsource_stream::Eventsource;
        let stream = cap_events(response.bytes_stream(), MAX_LIVE_EVENT)
            .eventsource()
            .filter_map(|event| {
                std::future::ready(match event {
                    Ok(event) => match serde_json::from_str::<MaybeChange>(&event.data) {
                        Ok(MaybeChange(change)) => change.map(Ok),
                        Err(e) => Some(Err(Error::from(e))),
                    },
                    Err(e) => Some(Err(Error::Network(format!("the live stream broke: {e}")))),
                })
            });
        Ok(Box::pin(stream))
    }

    pub async fn upload(&self, mime: &str, bytes: Vec<u8>) -> Result<Attachment> {
        let request = self
            .request(Method::POST, "/api/v1/uploads")
            .header("content-type", mime)
            .body(bytes);
        self.execute(request).await
    }

    pub async fn fetch_bytes(&self, path: &str) -> Result<Vec<u8>> {
        let response = self
            .request(Method::GET, path)
            .send()
            .await
            .map_err(classify_send)?;
        if !response.status().is_success() {
            return Err(failure(response).await);
        }
        read_capped(response, MAX_MEDIA_ANSWER).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An answer streamed in chunks, its length not said, as a chunked response comes.
    fn answer(chunks: &[&'static [u8]]) -> Response {
        let chunks: Vec<std::result::Result<&'static [u8], std::io::Error>> =
            chunks.iter().map(|c| Ok(*c)).collect();
        let builder = hyper::Response::builder().status(200);
        let body = reqwest::Body::wrap_stream(futures_util::stream::iter(chunks));
        Response::from(builder.body(body).expect("a response"))
    }

    #[tokio::test]
    async fn an_answer_is_read_up_to_its_cap_and_refused_past_it() {
        let read = read_capped(answer(&[b"0123", b"4567"]), 8).await;
        assert_eq!(read.expect("within the cap"), b"01234567");

        let error = read_capped(answer(&[b"0123", b"4567", b"8"]), 8)
            .await
            .expect_err("one byte past the cap");
        assert!(
            error.to_string().contains("larger than"),
            "says why: {error}"
        );
    }

    #[tokio::test]
    async fn a_live_event_may_not_grow_past_its_cap_however_many_come() {
        let chunks: Vec<reqwest::Result<&[u8]>> = vec![
            Ok(b"data: 12345\n\n"),
            Ok(b"data: 123"),
            Ok(b"45\r\n\r\n"),
            Ok(b"data: 1234567890"),
        ];
        let mut events = std::pin::pin!(cap_events(futures_util::stream::iter(chunks), 12));
        for _ in 0..3 {
            events
                .next()
                .await
                .expect("a chunk")
                .expect("events of 11 bytes");
        }
        let error = events
            .next()
            .await
            .expect("a chunk")
            .expect_err("an event of 16 bytes");
        assert!(error.to_string().contains("larger than"), "{error}");
    }
}
