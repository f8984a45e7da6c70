//! A fault-injecting HTTPS proxy between the engine and the shop.
//!
//! The engine verifies TLS end to end, so a proxy that only shuffled bytes could never see a
//! request. This one is a small man in the middle the engine is told to trust: it has its own
//! test CA (the engine's account trusts that CA instead of the shop's), terminates TLS with a
//! leaf from it, reads HTTP/1.1 or HTTP/2, and passes each request on to the shop over a second
//! TLS connection that trusts the shop's CA. Because it sees HTTP it can answer 500 or 429 with
//! `Retry-After` itself, lose the shop's answer after the shop did the work, and cut an answer
//! or a live event stream after an exact number of bytes. Below TLS it can refuse a connection
//! or break it after a byte budget (mid-handshake, mid-record).
//!
//! Faults come from a [`Plan`]: one queue for connections and one for requests, each taken in
//! arrival order, and faults aimed at particular requests; once the queues are empty
//! everything passes. [`FaultProxy::lift`] empties them all.

use std::collections::{BTreeMap, VecDeque};
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt};
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::header::{self, HeaderMap, HeaderName};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo};
use rand::Rng;
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

type Body = UnsyncBoxBody<Bytes, io::Error>;

/// What happens to one new connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionFault {
    Pass,
    /// Accepted and closed at once, before the TLS handshake.
    Refuse,
    /// Broken after this many bytes in either direction: during the handshake or mid-record.
    BreakAfter(usize),
}

/// What happens to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Pass,
    /// Waits before passing the request on.
    SlowRequest(Duration),
    /// Passes the request on, then holds the shop's answer back.
    SlowAnswer(Duration),
    /// Answers 500 without asking the shop.
    ServerError,
    /// Answers 429 with `Retry-After: n` (seconds) without asking the shop.
    TooManyRequests(u64),
    /// The shop did the work, but the answer is replaced by a 500 (a failing gateway).
    LostAnswer,
    /// Closes without an answer (HTTP/1: the connection, HTTP/2: the stream); `forwarded`
    /// says whether the shop saw the request first.
    Drop {
        forwarded: bool,
    },
    /// Breaks the answer after this many body bytes: a reset mid-body, or a live stream cut
    /// mid-event.
    CutBody(usize),
    /// Ends the answer cleanly after this many body bytes, as a restarting shop ends a live
    /// stream. On an answer with a length the client notices the short body.
    EndBody(usize),
    /// Pauses the answer for a while after this many body bytes.
    StallBody(usize, Duration),
}

impl ConnectionFault {
    fn name(self) -> &'static str {
        match self {
            ConnectionFault::Pass => "connection passed",
            ConnectionFault::Refuse => "connection refused",
            ConnectionFault::BreakAfter(_) => "connection broken after n bytes",
        }
    }
}

impl Fault {
    pub fn name(self) -> &'static str {
        match self {
            Fault::Pass => "request passed",
            Fault::SlowRequest(_) => "slow request",
            Fault::SlowAnswer(_) => "slow answer",
            Fault::ServerError => "500",
            Fault::TooManyRequests(_) => "429 with Retry-After",
            Fault::LostAnswer => "500 after the shop did the work",
            Fault::Drop { forwarded: false } => "dropped before the shop",
            Fault::Drop { forwarded: true } => "dropped after the shop",
            Fault::CutBody(_) => "answer cut mid-body",
            Fault::EndBody(_) => "answer ended early",
            Fault::StallBody(..) => "answer stalled",
        }
    }
}

/// Every kind of fault, for checking that a run injected them all.
pub const KINDS: &[&str] = &[
    "slow request",
    "slow answer",
    "500",
    "429 with Retry-After",
    "500 after the shop did the work",
    "dropped before the shop",
    "dropped after the shop",
    "answer cut mid-body",
    "answer ended early",
    "answer stalled",
    "connection refused",
    "connection broken after n bytes",
];

/// A seeded sequence of faults for one run.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub connections: VecDeque<ConnectionFault>,
    pub requests: VecDeque<Fault>,
    /// Faults for particular requests, before the queue: the first whose text is part of
    /// "METHOD /path?query" applies, once.
    pub targeted: Vec<(String, Fault)>,
    /// Offer HTTP/2 to the engine (as the shop does), or only HTTP/1.1.
    pub http2: bool,
}

impl Plan {
    /// A random plan: a few dozen requests, each faulty with a probability picked per plan, and
    /// a few connections. Finite, so the engine always gets through in the end.
    pub fn random(rng: &mut impl Rng) -> Plan {
        let rate = rng.random_range(0.15..0.6);
        let requests = (0..rng.random_range(5..40))
            .map(|_| {
                if rng.random_bool(rate) {
                    Fault::random(rng)
                } else {
                    Fault::Pass
                }
            })
            .collect();
        let connections = (0..rng.random_range(0..6))
            .map(|_| match rng.random_range(0..4) {
                0 => ConnectionFault::Refuse,
                // Small budgets break the handshake, larger ones a request or an answer.
                1 => ConnectionFault::BreakAfter(rng.random_range(0..12_000)),
                _ => ConnectionFault::Pass,
            })
            .collect();
        Plan {
            connections,
            requests,
            targeted: Vec::new(),
            http2: rng.random_bool(0.5),
        }
    }
}

impl Fault {
    fn random(rng: &mut impl Rng) -> Fault {
        match rng.random_range(0..10) {
            0 => Fault::SlowRequest(ms(rng)),
            1 => Fault::SlowAnswer(ms(rng)),
            2 => Fault::ServerError,
            // Mostly "now", sometimes a real wait: the engine must honour it either way.
            3 => Fault::TooManyRequests(if rng.random_bool(0.8) { 0 } else { 1 }),
            4 => Fault::LostAnswer,
            5 => Fault::Drop {
                forwarded: rng.random_bool(0.5),
            },
            6 => Fault::CutBody(bytes(rng)),
            7 => Fault::EndBody(bytes(rng)),
            8 => Fault::StallBody(bytes(rng), ms(rng)),
            _ => Fault::Pass,
        }
    }
}

fn ms(rng: &mut impl Rng) -> Duration {
    Duration::from_millis(rng.random_range(1..300))
}

/// Answers run from a few hundred bytes to a few megabytes (a catch-up page); live events are
/// a few hundred bytes each.
fn bytes(rng: &mut impl Rng) -> usize {
    if rng.random_bool(0.5) {
        rng.random_range(0..2_000)
    } else {
        rng.random_range(0..200_000)
    }
}

struct Shared {
    plan: Mutex<Plan>,
    /// How often each fault fired.
    counts: Mutex<BTreeMap<&'static str, u64>>,
    shop: String,
    upstream: reqwest::Client,
    h1: tokio_rustls::TlsAcceptor,
    h2: tokio_rustls::TlsAcceptor,
}

impl Shared {
    fn count(&self, name: &'static str) {
        *self
            .counts
            .lock()
            .expect("counts poisoned")
            .entry(name)
            .or_default() += 1;
    }
}

pub struct FaultProxy {
    /// Where the engine connects: `https://127.0.0.1:port`.
    pub url: String,
    /// The test CA's certificate, for the engine to trust.
    pub ca_pem: String,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl FaultProxy {
    /// Starts a proxy in front of `shop_url`, trusting `shop_ca_pem` for the hop to the shop.
    pub async fn start(shop_url: &str, shop_ca_pem: &[u8]) -> anyhow::Result<FaultProxy> {
        let (ca_pem, h1, h2) = tls_acceptors()?;
        let upstream = reqwest::Client::builder()
            .tls_certs_only(reqwest::Certificate::from_pem_bundle(shop_ca_pem)?)
            .no_proxy()
            .build()?;
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("https://{}", listener.local_addr()?);
        let shared = Arc::new(Shared {
            plan: Mutex::default(),
            counts: Mutex::default(),
            shop: shop_url.trim_end_matches('/').to_owned(),
            upstream,
            h1,
            h2,
        });
        let task = tokio::spawn(accept(listener, shared.clone()));
        Ok(FaultProxy {
            url,
            ca_pem,
            shared,
            task,
        })
    }

    pub fn set_plan(&self, plan: Plan) {
        *self.shared.plan.lock().expect("plan poisoned") = plan;
    }

    /// Requests still waiting for their fault.
    pub fn planned_requests(&self) -> usize {
        self.shared
            .plan
            .lock()
            .expect("plan poisoned")
            .requests
            .len()
    }

    /// Ends the faults: from now on everything passes (a cut already under way still happens).
    pub fn lift(&self) {
        let mut plan = self.shared.plan.lock().expect("plan poisoned");
        plan.connections.clear();
        plan.requests.clear();
        plan.targeted.clear();
    }

    /// How often each kind of fault fired so far.
    pub fn counts(&self) -> BTreeMap<&'static str, u64> {
        self.shared.counts.lock().expect("counts poisoned").clone()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A test CA, and TLS acceptors with a leaf for 127.0.0.1 signed by it: one offering HTTP/2
/// and HTTP/1.1, one only HTTP/1.1.
fn tls_acceptors() -> anyhow::Result<(String, tokio_rustls::TlsAcceptor, tokio_rustls::TlsAcceptor)>
{
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
    let ca_key = KeyPair::generate()?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "Inbox fault proxy test CA");
    let ca_pem = ca_params.self_signed(&ca_key)?.pem();
    let issuer = Issuer::new(ca_params, ca_key);
    let leaf_key = KeyPair::generate()?;
    let leaf =
        CertificateParams::new(vec!["127.0.0.1".to_owned()])?.signed_by(&leaf_key, &issuer)?;
    let acceptor = |alpn: &[&[u8]]| -> anyhow::Result<tokio_rustls::TlsAcceptor> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(
                vec![leaf.der().clone()],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
            )?;
        config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
        Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
    };
    Ok((
        ca_pem,
        acceptor(&[b"http/1.1"])?,
        acceptor(&[b"h2", b"http/1.1"])?,
    ))
}

async fn accept(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            continue;
        };
        let (fault, http2) = {
            let mut plan = shared.plan.lock().expect("plan poisoned");
            (
                plan.connections
                    .pop_front()
                    .unwrap_or(ConnectionFault::Pass),
                plan.http2,
            )
        };
        shared.count(fault.name());
        let budget = match fault {
            ConnectionFault::Refuse => continue,
            ConnectionFault::BreakAfter(n) => n,
            ConnectionFault::Pass => usize::MAX,
        };
        let shared = shared.clone();
        tokio::spawn(async move {
            let acceptor = if http2 { &shared.h2 } else { &shared.h1 };
            let Ok(tls) = acceptor.accept(Budget { tcp, left: budget }).await else {
                return;
            };
            let service = hyper::service::service_fn(move |request| {
                let shared = shared.clone();
                async move { handle(request, &shared).await }
            });
            // Errors here are the faults themselves (or the engine hanging up).
            let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(tls), service)
                .await;
        });
    }
}

async fn handle(request: Request<Incoming>, shared: &Shared) -> io::Result<Response<Body>> {
    let fault = {
        let mut plan = shared.plan.lock().expect("plan poisoned");
        let line = format!("{} {}", request.method(), request.uri());
        match plan
            .targeted
            .iter()
            .position(|(part, _)| line.contains(part))
        {
            Some(at) => plan.targeted.remove(at).1,
            None => plan.requests.pop_front().unwrap_or(Fault::Pass),
        }
    };
    shared.count(fault.name());
    match fault {
        Fault::ServerError => return Ok(problem(StatusCode::INTERNAL_SERVER_ERROR, None)),
        Fault::TooManyRequests(seconds) => {
            return Ok(problem(StatusCode::TOO_MANY_REQUESTS, Some(seconds)));
        }
        Fault::Drop { forwarded: false } => return Err(io::Error::other("dropped by the proxy")),
        Fault::SlowRequest(wait) => tokio::time::sleep(wait).await,
        _ => {}
    }
    let answer = forward(request, shared).await?;
    let (limit, then) = match fault {
        Fault::Drop { forwarded: true } => return Err(io::Error::other("dropped by the proxy")),
        Fault::LostAnswer => return Ok(problem(StatusCode::INTERNAL_SERVER_ERROR, None)),
        Fault::SlowAnswer(wait) => {
            tokio::time::sleep(wait).await;
            (usize::MAX, Then::Pass)
        }
        Fault::CutBody(n) => (n, Then::Break),
        Fault::EndBody(n) => (n, Then::End),
        Fault::StallBody(n, wait) => (n, Then::Pause(wait)),
        _ => (usize::MAX, Then::Pass),
    };
    let mut response = Response::builder().status(answer.status());
    for (name, value) in answer.headers() {
        if !hop_by_hop(name) {
            response = response.header(name, value);
        }
    }
    let body = shape(answer.bytes_stream().map_err(io::Error::other), limit, then);
    Ok(response
        .body(StreamBody::new(body.map_ok(Frame::data)).boxed_unsync())
        .expect("a valid response"))
}

/// Sends the request on to the shop, as it came.
async fn forward(request: Request<Incoming>, shared: &Shared) -> io::Result<reqwest::Response> {
    let (parts, body) = request.into_parts();
    let body = body.collect().await.map_err(io::Error::other)?.to_bytes();
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let mut headers = HeaderMap::new();
    for (name, value) in &parts.headers {
        if !hop_by_hop(name) && name != header::HOST && name != header::CONTENT_LENGTH {
            headers.append(name, value.clone());
        }
    }
    shared
        .upstream
        .request(parts.method, format!("{}{path}", shared.shop))
        .headers(headers)
        .body(body)
        .send()
        .await
        .map_err(io::Error::other)
}

fn hop_by_hop(name: &HeaderName) -> bool {
    [
        header::CONNECTION,
        header::TRANSFER_ENCODING,
        header::TE,
        header::UPGRADE,
        header::TRAILER,
    ]
    .contains(name)
        || name.as_str() == "keep-alive"
}

fn problem(status: StatusCode, retry_after: Option<u64>) -> Response<Body> {
    let mut response = Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/problem+json");
    if let Some(seconds) = retry_after {
        response = response.header(header::RETRY_AFTER, seconds.to_string());
    }
    let body = format!(
        r#"{{"type":"about:blank","title":"injected by the fault proxy","status":{}}}"#,
        status.as_u16()
    );
    response
        .body(
            Full::new(Bytes::from(body))
                .map_err(|never| match never {})
                .boxed_unsync(),
        )
        .expect("a valid response")
}

/// What a body does once `limit` bytes have gone through.
#[derive(Debug, Clone, Copy)]
enum Then {
    Pass,
    Break,
    End,
    Pause(Duration),
}

/// Passes `limit` bytes of the body on, then breaks it, ends it or pauses it. A pause holds
/// the rest of the chunk back and sends it after: a network delays bytes, it never drops some
/// from the middle of a stream (that would lose live events silently, a fault TLS rules out).
fn shape(
    body: impl futures_util::Stream<Item = io::Result<Bytes>> + Send + Unpin + 'static,
    limit: usize,
    then: Then,
) -> impl futures_util::Stream<Item = io::Result<Bytes>> + Send + 'static {
    let start = (body, limit, then, None::<Bytes>);
    futures_util::stream::unfold(Some(start), |state| async move {
        let (mut body, mut left, mut then, held) = state?;
        if left == 0 {
            match then {
                Then::Pass => {}
                Then::Break => {
                    let cut = io::Error::new(io::ErrorKind::ConnectionReset, "cut by the proxy");
                    return Some((Err(cut), None));
                }
                Then::End => return None,
                Then::Pause(wait) => {
                    tokio::time::sleep(wait).await;
                    (left, then) = (usize::MAX, Then::Pass);
                }
            }
        }
        let mut chunk = match held {
            Some(chunk) => chunk,
            None => match body.next().await? {
                Ok(chunk) => chunk,
                Err(error) => return Some((Err(error), None)),
            },
        };
        let rest = (chunk.len() > left).then(|| chunk.split_off(left));
        left -= chunk.len();
        Some((Ok(chunk), Some((body, left, then, rest))))
    })
}

/// A TCP stream that breaks once `left` bytes have passed, in either direction.
struct Budget {
    tcp: TcpStream,
    left: usize,
}

fn broken() -> io::Error {
    io::Error::new(io::ErrorKind::ConnectionReset, "broken by the proxy")
}

impl AsyncRead for Budget {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.left == 0 {
            return Poll::Ready(Err(broken()));
        }
        let before = buf.filled().len();
        ready!(Pin::new(&mut self.tcp).poll_read(cx, buf))?;
        let read = buf.filled().len() - before;
        self.left = self.left.saturating_sub(read);
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for Budget {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.left == 0 {
            return Poll::Ready(Err(broken()));
        }
        let n = buf.len().min(self.left);
        let written = ready!(Pin::new(&mut self.tcp).poll_write(cx, &buf[..n]))?;
        self.left -= written;
        Poll::Ready(Ok(written))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_shutdown(cx)
    }
}
