//! Every limit on how much one caller can ask of the server: rates per client address and per
//! chat session, failed sign-ins, the few password checks that may run at once, and how many
//! live streams may be open per token, per address and in all.
//!
//! Everything here is in memory, bounded in size whatever the callers send (keys are fixed-size
//! hashes, maps are capped and pruned), and answers with a problem that says when to retry. It
//! never touches the database and never sleeps: a caller over a limit is refused at once.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use inbox_protocol::{Problem, ProblemCode};
use sha2::{Digest, Sha256};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::Error;

/// How many keys one limiter remembers at most; past that, forgotten keys are pruned first and
/// then new keys are refused rather than letting memory grow.
const MAX_KEYS: usize = 100_000;

/// A rate: `burst` requests at once, then one more every `interval`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    interval: Duration,
    pub burst: u32,
}

impl Rate {
    /// `per_minute` requests a minute, `burst` at once.
    pub const fn new(per_minute: u32, burst: u32) -> Rate {
        let per_minute = if per_minute == 0 { 1 } else { per_minute };
        Rate {
            // In nanoseconds: a lifted limit (a million a minute) must not round to no interval.
            interval: Duration::from_nanos(60_000_000_000 / per_minute as u64),
            burst,
        }
    }

    /// One request every `interval`, `burst` at once (for rates slower than one a minute).
    pub const fn every(interval: Duration, burst: u32) -> Rate {
        Rate { interval, burst }
    }

    fn interval(self) -> Duration {
        self.interval
    }
}

/// The limits a server enforces; tests shrink them to provoke each one quickly.
#[derive(Debug, Clone)]
pub struct LimitsConfig {
    /// New storefront chats per client address.
    pub chat_starts_per_ip: Rate,
    /// Customer messages per chat session.
    pub messages_per_session: Rate,
    /// Customer messages per client address, across sessions.
    pub messages_per_ip: Rate,
    /// Typing reports per chat session (the widget sends one every 3 s at most while typing).
    pub typing_per_session: Rate,
    /// Cart changes and discount applications per chat session.
    pub cart_per_session: Rate,
    /// Discount codes tried per chat session (a guess is a try).
    pub discounts_per_session: Rate,
    /// Checkout quotes per chat session (each prices the cart).
    pub quotes_per_session: Rate,
    /// Payments tried per chat session (a declined card is a try: card testing).
    pub payments_per_session: Rate,
    /// Payments tried per client address, across sessions.
    pub payments_per_ip: Rate,
    /// Verification codes a chat session may ask to be emailed.
    pub verifications_per_session: Rate,
    /// Verification codes emailed to one address, from all chats (an impostor can start many).
    pub verification_emails_per_address: Rate,
    /// Failed sign-ins per client address.
    pub sign_in_failures_per_ip: Rate,
    /// Failed sign-ins per staff email from everywhere (a distributed guesser).
    pub sign_in_failures_per_email: Rate,
    /// Failed sign-ins for one email from one address before each try must wait, doubling.
    pub sign_in_free_failures: u32,
    /// The longest wait that doubling reaches.
    pub sign_in_max_backoff: Duration,
    /// Password checks running at once (each Argon2 check takes 19 MiB and a core).
    pub password_checks: usize,
    /// Sign-ins waiting for a password check; more are refused at once.
    pub password_queue: usize,
    /// Live streams one token may hold open.
    pub streams_per_token: usize,
    /// Live streams one client address may hold open.
    pub streams_per_ip: usize,
    /// Live streams in all.
    pub streams_total: usize,
}

impl Default for LimitsConfig {
    fn default() -> LimitsConfig {
        LimitsConfig {
            chat_starts_per_ip: Rate::new(10, 10),
            messages_per_session: Rate::new(30, 15),
            messages_per_ip: Rate::new(300, 60),
            typing_per_session: Rate::new(40, 10),
            cart_per_session: Rate::new(60, 20),
            discounts_per_session: Rate::new(10, 5),
            quotes_per_session: Rate::new(60, 20),
            payments_per_session: Rate::new(10, 10),
            payments_per_ip: Rate::new(30, 10),
            verifications_per_session: Rate::new(1, 3),
            verification_emails_per_address: Rate::every(Duration::from_secs(10 * 60), 5),
            sign_in_failures_per_ip: Rate::new(10, 10),
            sign_in_failures_per_email: Rate::new(30, 30),
            sign_in_free_failures: 5,
            sign_in_max_backoff: Duration::from_secs(60),
            password_checks: 2,
            password_queue: 16,
            streams_per_token: 8,
            streams_per_ip: 200,
            streams_total: 10_000,
        }
    }
}

impl LimitsConfig {
    /// For a harness that plays many customers from one loopback address (tests of the clients,
    /// benches, load tests): the storefront's per-address and per-session rates are lifted so
    /// they measure the server, not the limiter. Sign-in, password and total stream limits
    /// stay as they are.
    pub fn many_customers_from_one_address() -> LimitsConfig {
        let lifted = Rate::new(1_000_000, 100_000);
        LimitsConfig {
            chat_starts_per_ip: lifted,
            messages_per_session: lifted,
            messages_per_ip: lifted,
            typing_per_session: lifted,
            cart_per_session: lifted,
            discounts_per_session: lifted,
            quotes_per_session: lifted,
            payments_per_session: lifted,
            payments_per_ip: lifted,
            streams_per_ip: 10_000,
            ..LimitsConfig::default()
        }
    }
}

/// The address a limit counts by: IPv4 as it is, IPv6 by its /64 (one subscriber's network).
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// A fixed-size key for a caller-supplied string, so a long email costs no memory here.
pub fn text_key(parts: &[&[u8]]) -> [u8; 32] {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update((part.len() as u64).to_le_bytes());
        hash.update(part);
    }
    hash.finalize().into()
}

fn rate_limited(seconds: u64, detail: String) -> Error {
    Error::RetryAfter {
        problem: Box::new(Problem::new(
            StatusCode::TOO_MANY_REQUESTS.as_u16(),
            ProblemCode::RateLimited,
            detail,
        )),
        seconds: seconds.max(1),
    }
}

fn busy() -> Error {
    rate_limited(
        5,
        "the server is handling too many requests like this one; try again in a few seconds".into(),
    )
}

fn wait_secs(wait: Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
}

/// Requests per key under a [`Rate`], by the generic cell rate algorithm: one instant per key
/// (the "theoretical arrival time"), so memory per key is constant and a key whose time has
/// passed is indistinguishable from a new one and can be forgotten.
#[derive(Debug)]
pub struct RateLimiter<K> {
    rate: Rate,
    what: &'static str,
    tats: Mutex<HashMap<K, Instant>>,
}

impl<K: Hash + Eq + Clone> RateLimiter<K> {
    pub fn new(rate: Rate, what: &'static str) -> RateLimiter<K> {
        RateLimiter {
            rate,
            what,
            tats: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request's room for `key`, or says how long to wait.
    pub fn take(&self, key: K) -> Result<(), Error> {
        self.take_at(key, Instant::now())
    }

    fn take_at(&self, key: K, now: Instant) -> Result<(), Error> {
        let interval = self.rate.interval();
        let tolerance = interval * self.rate.burst.max(1);
        let mut tats = self.tats.lock().expect("rate limiter poisoned");
        if tats.len() >= MAX_KEYS && !tats.contains_key(&key) {
            tats.retain(|_, tat| *tat > now);
            if tats.len() >= MAX_KEYS {
                return Err(busy());
            }
        }
        let tat = tats.get(&key).copied().unwrap_or(now).max(now);
        let next = tat + interval;
        if next > now + tolerance {
            let wait = next - tolerance - now;
            return Err(rate_limited(
                wait_secs(wait),
                format!(
                    "too many {}; try again in {} seconds",
                    self.what,
                    wait_secs(wait)
                ),
            ));
        }
        tats.insert(key, next);
        Ok(())
    }

    /// Gives back one request's room (a reserved attempt that turned out fine).
    pub fn refund(&self, key: &K) {
        let mut tats = self.tats.lock().expect("rate limiter poisoned");
        if let Some(tat) = tats.get_mut(key) {
            *tat -= self
                .rate
                .interval()
                .min(tat.saturating_duration_since(Instant::now()));
        }
    }

    #[cfg(test)]
    fn keys(&self) -> usize {
        self.tats.lock().unwrap().len()
    }
}

/// Consecutive failures of one email from one address, and when the next try may come.
#[derive(Debug, Clone, Copy)]
struct Backoff {
    failures: u32,
    not_before: Instant,
}

/// Slows password guessing without locking the real staff member out.
///
/// Each attempt is counted as a failure *before* the password is checked (so a burst of
/// parallel guesses can't all pass the check), and forgiven when it succeeds. Three counts
/// apply: per client address (one guesser), per email from anywhere (a distributed guesser,
/// generous), and per email from one address, which after a few failures doubles the wait
/// between tries up to a minute instead of locking the account.
#[derive(Debug)]
pub struct SignInLimiter {
    per_ip: RateLimiter<IpAddr>,
    per_email: RateLimiter<[u8; 32]>,
    backoff: Mutex<HashMap<[u8; 32], Backoff>>,
    free_failures: u32,
    max_backoff: Duration,
}

/// An attempt counted as failed until [`SignInAttempt::succeeded`] says otherwise.
#[must_use]
pub struct SignInAttempt<'a> {
    limiter: &'a SignInLimiter,
    ip: IpAddr,
    email: [u8; 32],
    pair: [u8; 32],
}

impl SignInLimiter {
    pub fn new(config: &LimitsConfig) -> SignInLimiter {
        SignInLimiter {
            per_ip: RateLimiter::new(config.sign_in_failures_per_ip, "failed sign-ins"),
            per_email: RateLimiter::new(
                config.sign_in_failures_per_email,
                "failed sign-ins for this email",
            ),
            backoff: Mutex::new(HashMap::new()),
            free_failures: config.sign_in_free_failures,
            max_backoff: config.sign_in_max_backoff,
        }
    }

    fn email_key(email: &str) -> [u8; 32] {
        text_key(&[b"email", email.trim().to_lowercase().as_bytes()])
    }

    /// Reserves an attempt for `email` from `ip`, or refuses it with when to retry.
    pub fn begin(&self, ip: IpAddr, email: &str) -> Result<SignInAttempt<'_>, Error> {
        let ip = client_key(ip);
        let email = Self::email_key(email);
        let pair = text_key(&[&email, ip.to_string().as_bytes()]);
        let now = Instant::now();
        {
            let mut backoff = self.backoff.lock().expect("sign-in limiter poisoned");
            if let Some(b) = backoff.get(&pair)
                && b.not_before > now
            {
                let wait = wait_secs(b.not_before - now);
                return Err(rate_limited(
                    wait,
                    format!("too many failed sign-ins; try again in {wait} seconds"),
                ));
            }
            if backoff.len() >= MAX_KEYS && !backoff.contains_key(&pair) {
                let forget = self.max_backoff * 2;
                backoff.retain(|_, b| b.not_before + forget > now);
                if backoff.len() >= MAX_KEYS {
                    return Err(busy());
                }
            }
            // Counted now, before the password is checked.
            let entry = backoff.entry(pair).or_insert(Backoff {
                failures: 0,
                not_before: now,
            });
            entry.failures += 1;
            let over = entry.failures.saturating_sub(self.free_failures);
            if over > 0 {
                let wait = Duration::from_secs(1u64 << (over - 1).min(16)).min(self.max_backoff);
                entry.not_before = now + wait;
            }
        }
        let attempt = SignInAttempt {
            limiter: self,
            ip,
            email,
            pair,
        };
        self.per_ip.take(ip)?;
        if let Err(e) = self.per_email.take(email) {
            self.per_ip.refund(&ip);
            return Err(e);
        }
        Ok(attempt)
    }
}

impl SignInAttempt<'_> {
    /// The password was right: forgive this attempt and the failures before it.
    pub fn succeeded(self) {
        let limiter = self.limiter;
        limiter
            .backoff
            .lock()
            .expect("sign-in limiter poisoned")
            .remove(&self.pair);
        limiter.per_ip.refund(&self.ip);
        limiter.per_email.refund(&self.email);
    }
}

/// The few password checks that may run at once, and a short queue in front of them: a burst
/// of sign-ins costs at most `password_checks` × 19 MiB and that many cores, and the rest wait
/// briefly or are refused.
#[derive(Debug, Clone)]
pub struct PasswordGate {
    running: Arc<Semaphore>,
    queue: Arc<Semaphore>,
    /// Argon2's working memory, one per check that may run at once, reused.
    memory: Arc<Mutex<Vec<crate::auth::CheckMemory>>>,
}

/// A turn to check a password, with the memory to check it in; the memory goes back when the
/// turn ends.
pub struct PasswordTurn {
    _place: OwnedSemaphorePermit,
    _turn: OwnedSemaphorePermit,
    pool: Arc<Mutex<Vec<crate::auth::CheckMemory>>>,
    pub memory: crate::auth::CheckMemory,
}

impl Drop for PasswordTurn {
    fn drop(&mut self) {
        let memory = std::mem::take(&mut self.memory);
        self.pool
            .lock()
            .expect("password memory poisoned")
            .push(memory);
    }
}

impl PasswordGate {
    pub fn new(config: &LimitsConfig) -> PasswordGate {
        PasswordGate {
            running: Arc::new(Semaphore::new(config.password_checks.max(1))),
            queue: Arc::new(Semaphore::new(
                config.password_queue.max(1) + config.password_checks.max(1),
            )),
            memory: Arc::new(Mutex::new(
                (0..config.password_checks.max(1))
                    .map(|_| crate::auth::CheckMemory::new())
                    .collect(),
            )),
        }
    }

    /// Waits for a turn to check a password, or refuses when too many are waiting.
    pub async fn enter(&self) -> Result<PasswordTurn, Error> {
        let place = self.queue.clone().try_acquire_owned().map_err(|_| busy())?;
        let turn = tokio::time::timeout(
            Duration::from_secs(10),
            self.running.clone().acquire_owned(),
        )
        .await
        .map_err(|_| busy())?
        .map_err(|_| Error::Closed)?;
        // A turn guarantees a free piece of memory: there are as many as turns.
        let memory = self
            .memory
            .lock()
            .expect("password memory poisoned")
            .pop()
            .unwrap_or_default();
        Ok(PasswordTurn {
            _place: place,
            _turn: turn,
            pool: self.memory.clone(),
            memory,
        })
    }
}

/// Counts open live streams per token, per address and in all.
#[derive(Debug, Clone)]
pub struct StreamCaps {
    inner: Arc<StreamCounts>,
}

#[derive(Debug)]
struct StreamCounts {
    per_token: usize,
    per_ip: usize,
    total_cap: usize,
    total: AtomicUsize,
    open: Mutex<OpenStreams>,
}

/// Open streams per token (hashed) and per address.
#[derive(Debug, Default)]
struct OpenStreams {
    tokens: HashMap<[u8; 32], usize>,
    ips: HashMap<IpAddr, usize>,
}

/// Holds a stream's place; dropping it frees the place.
#[derive(Debug)]
pub struct StreamPlace {
    counts: Arc<StreamCounts>,
    token: [u8; 32],
    ip: IpAddr,
}

impl StreamCaps {
    pub fn new(config: &LimitsConfig) -> StreamCaps {
        StreamCaps {
            inner: Arc::new(StreamCounts {
                per_token: config.streams_per_token,
                per_ip: config.streams_per_ip,
                total_cap: config.streams_total,
                total: AtomicUsize::new(0),
                open: Mutex::new(OpenStreams::default()),
            }),
        }
    }

    /// How many streams are open now.
    pub fn open(&self) -> usize {
        self.inner.total.load(Ordering::Relaxed)
    }

    /// Takes a place for a stream of `token_hash` from `ip`, or refuses with a 429.
    pub fn enter(&self, token_hash: &[u8], ip: IpAddr) -> Result<StreamPlace, Error> {
        let c = &self.inner;
        let token = text_key(&[token_hash]);
        let ip = client_key(ip);
        let mut open = c.open.lock().expect("stream caps poisoned");
        let refuse = |what: &str| {
            rate_limited(
                10,
                format!("too many live streams open {what}; close one or try again later"),
            )
        };
        if c.total.load(Ordering::Relaxed) >= c.total_cap {
            return Err(refuse("on this server"));
        }
        if open.tokens.get(&token).copied().unwrap_or(0) >= c.per_token {
            return Err(refuse("with this sign-in"));
        }
        if open.ips.get(&ip).copied().unwrap_or(0) >= c.per_ip {
            return Err(refuse("from your address"));
        }
        *open.tokens.entry(token).or_default() += 1;
        *open.ips.entry(ip).or_default() += 1;
        c.total.fetch_add(1, Ordering::Relaxed);
        Ok(StreamPlace {
            counts: self.inner.clone(),
            token,
            ip,
        })
    }
}

impl Drop for StreamPlace {
    fn drop(&mut self) {
        let mut open = self.counts.open.lock().expect("stream caps poisoned");
        fn leave<K: Hash + Eq>(map: &mut HashMap<K, usize>, key: &K) {
            if let Some(n) = map.get_mut(key) {
                *n -= 1;
                if *n == 0 {
                    map.remove(key);
                }
            }
        }
        leave(&mut open.tokens, &self.token);
        leave(&mut open.ips, &self.ip);
        self.counts.total.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Every limiter a running server shares.
#[derive(Debug, Clone)]
pub struct Limits {
    pub config: LimitsConfig,
    pub chat_starts: Arc<RateLimiter<IpAddr>>,
    pub messages_per_session: Arc<RateLimiter<[u8; 32]>>,
    pub messages_per_ip: Arc<RateLimiter<IpAddr>>,
    pub typing: Arc<RateLimiter<[u8; 32]>>,
    pub cart: Arc<RateLimiter<[u8; 32]>>,
    pub discounts: Arc<RateLimiter<[u8; 32]>>,
    pub quotes: Arc<RateLimiter<[u8; 32]>>,
    pub payments_per_session: Arc<RateLimiter<[u8; 32]>>,
    pub payments_per_ip: Arc<RateLimiter<IpAddr>>,
    pub verifications: Arc<RateLimiter<[u8; 32]>>,
    pub verification_emails: Arc<RateLimiter<[u8; 32]>>,
    pub sign_in: Arc<SignInLimiter>,
    pub passwords: PasswordGate,
    pub streams: StreamCaps,
}

impl Limits {
    pub fn new(config: LimitsConfig) -> Limits {
        Limits {
            chat_starts: Arc::new(RateLimiter::new(config.chat_starts_per_ip, "new chats")),
            messages_per_session: Arc::new(RateLimiter::new(
                config.messages_per_session,
                "messages",
            )),
            messages_per_ip: Arc::new(RateLimiter::new(config.messages_per_ip, "messages")),
            typing: Arc::new(RateLimiter::new(
                config.typing_per_session,
                "typing reports",
            )),
            cart: Arc::new(RateLimiter::new(config.cart_per_session, "cart changes")),
            discounts: Arc::new(RateLimiter::new(
                config.discounts_per_session,
                "discount codes",
            )),
            quotes: Arc::new(RateLimiter::new(
                config.quotes_per_session,
                "checkout quotes",
            )),
            payments_per_session: Arc::new(RateLimiter::new(
                config.payments_per_session,
                "payments",
            )),
            payments_per_ip: Arc::new(RateLimiter::new(config.payments_per_ip, "payments")),
            verifications: Arc::new(RateLimiter::new(
                config.verifications_per_session,
                "verification codes",
            )),
            verification_emails: Arc::new(RateLimiter::new(
                config.verification_emails_per_address,
                "verification codes sent to this address",
            )),
            sign_in: Arc::new(SignInLimiter::new(&config)),
            passwords: PasswordGate::new(&config),
            streams: StreamCaps::new(&config),
            config,
        }
    }
}

impl Default for Limits {
    fn default() -> Limits {
        Limits::new(LimitsConfig::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn retry_after(result: Result<(), Error>) -> u64 {
        match result {
            Err(Error::RetryAfter { seconds, problem }) => {
                assert_eq!(problem.status, 429);
                seconds
            }
            other => panic!("expected a 429, got {other:?}"),
        }
    }

    #[test]
    fn a_rate_allows_its_burst_then_refills() {
        let limiter = RateLimiter::new(Rate::new(60, 3), "tries");
        let start = Instant::now();
        for _ in 0..3 {
            limiter.take_at(1, start).unwrap();
        }
        assert_eq!(retry_after(limiter.take_at(1, start)), 1);
        // Another key is not affected.
        limiter.take_at(2, start).unwrap();
        // One second later one more fits (60 a minute).
        limiter.take_at(1, start + Duration::from_secs(1)).unwrap();
        assert!(limiter.take_at(1, start + Duration::from_secs(1)).is_err());
    }

    #[test]
    fn a_rate_faster_than_a_millisecond_still_counts() {
        // A million a minute with a burst of ten: one every 60 µs.
        let limiter = RateLimiter::new(Rate::new(1_000_000, 10), "tries");
        let start = Instant::now();
        for _ in 0..10 {
            limiter.take_at(1, start).unwrap();
        }
        assert!(limiter.take_at(1, start).is_err(), "the burst is spent");
        limiter
            .take_at(1, start + Duration::from_micros(60))
            .unwrap();
        // The lifted limits the benches and load tests use let a long run through.
        let lifted = RateLimiter::new(
            LimitsConfig::many_customers_from_one_address().messages_per_session,
            "messages",
        );
        for i in 0..50_000u64 {
            lifted
                .take_at(1, start + Duration::from_micros(i * 10))
                .unwrap();
        }
    }

    #[test]
    fn a_limiter_forgets_idle_keys_and_stays_bounded() {
        let limiter = RateLimiter::new(Rate::new(60, 1), "tries");
        let start = Instant::now();
        for key in 0..MAX_KEYS as u64 {
            limiter.take_at(key, start).unwrap();
        }
        // Full of keys that are all still counting: a new one is refused, not stored.
        assert!(limiter.take_at(u64::MAX, start).is_err());
        assert_eq!(limiter.keys(), MAX_KEYS);
        // A minute later they are all idle and pruned to make room.
        limiter
            .take_at(u64::MAX, start + Duration::from_secs(61))
            .unwrap();
        assert_eq!(limiter.keys(), 1);
    }

    #[test]
    fn failed_sign_ins_back_off_per_address_and_success_forgives() {
        let config = LimitsConfig {
            sign_in_free_failures: 3,
            ..LimitsConfig::default()
        };
        let limiter = SignInLimiter::new(&config);
        let attacker: IpAddr = "10.0.0.1".parse().unwrap();
        let staff: IpAddr = "10.0.0.2".parse().unwrap();
        for _ in 0..4 {
            drop(limiter.begin(attacker, "astrid@shop.example").unwrap());
        }
        // The fourth failure set a one-second wait for that address and email.
        let Err(Error::RetryAfter { seconds, .. }) =
            limiter.begin(attacker, "Astrid@Shop.example ")
        else {
            panic!("expected a wait")
        };
        assert_eq!(seconds, 1);
        // The real staff member elsewhere is not locked out, and signing in forgives.
        limiter
            .begin(staff, "astrid@shop.example")
            .unwrap()
            .succeeded();
        limiter
            .begin(staff, "astrid@shop.example")
            .unwrap()
            .succeeded();
    }

    #[test]
    fn stream_caps_count_per_token_address_and_total() {
        let caps = StreamCaps::new(&LimitsConfig {
            streams_per_token: 2,
            streams_per_ip: 3,
            streams_total: 4,
            ..LimitsConfig::default()
        });
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let one = caps.enter(b"t1", a).unwrap();
        let _two = caps.enter(b"t1", a).unwrap();
        assert!(caps.enter(b"t1", a).is_err(), "per token");
        let _three = caps.enter(b"t2", a).unwrap();
        assert!(caps.enter(b"t3", a).is_err(), "per address");
        let _four = caps.enter(b"t3", b).unwrap();
        assert!(caps.enter(b"t4", b).is_err(), "in all");
        drop(one);
        assert_eq!(caps.open(), 3);
        caps.enter(b"t4", b).unwrap();
    }

    #[test]
    fn ipv6_callers_count_by_their_network() {
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        assert_eq!(client_key(a), client_key(b));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(client_key(mapped), "192.0.2.7".parse::<IpAddr>().unwrap());
    }
}
