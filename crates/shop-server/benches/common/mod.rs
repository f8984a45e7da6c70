//! What both server benchmarks share: an HTTPS client that trusts only the benchmarked
//! server's CA, signing in, and the figures they print. Benchmarks talk to the real server over
//! loopback, the way the desktop client does, and never reach past it into the network.

#![allow(dead_code)]

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result, ensure};
use inbox_protocol::{Session, SignInRequest};
use reqwest::{Certificate, Client};

/// A client trusting only the CA the server wrote into its data dir.
pub fn client_for(ca: &Path) -> Result<Client> {
    let pem = std::fs::read(ca).with_context(|| format!("reading the CA at {}", ca.display()))?;
    Ok(Client::builder()
        .tls_certs_only([Certificate::from_pem(&pem)?])
        .timeout(Duration::from_secs(60))
        .build()?)
}

/// Signs a staff member in and returns their bearer token.
pub async fn sign_in(client: &Client, url: &str, email: &str, password: &str) -> Result<String> {
    let response = client
        .post(format!("{url}/api/v1/auth/sign-in"))
        .json(&SignInRequest {
            email: email.to_owned(),
            password: password.to_owned(),
        })
        .send()
        .await?;
    let status = response.status();
    let body = response.text().await?;
    ensure!(status.is_success(), "sign-in failed with {status}: {body}");
    let session: Session = serde_json::from_str(&body)?;
    Ok(session.token)
}

/// The profile the benchmark was built with; debug figures are not comparable to release ones.
pub fn profile() -> &'static str {
    if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    }
}

/// How many cores the benchmark could use; figures from machines of different sizes differ.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The value below which `q` (0..=1) of the sorted `values` lie (nearest rank).
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Rounds for the JSON line: figures with more digits than the machine's noise mislead.
pub fn round(value: f64, digits: i32) -> f64 {
    let scale = 10f64.powi(digits);
    (value * scale).round() / scale
}

/// An environment variable parsed as a count, or the default.
pub fn env_count(name: &str, default: usize) -> Result<usize> {
    match std::env::var(name) {
        Ok(value) => {
            let value = value.replace('_', "");
            let count: usize = value
                .parse()
                .with_context(|| format!("{name} must be a whole number, got {value:?}"))?;
            ensure!(count > 0, "{name} must be at least 1");
            Ok(count)
        }
        Err(_) => Ok(default),
    }
}
