//! Replies to customers who left the store go by email. Every such reply is first recorded in
//! the `email_outbox` table (the demo page lists it); when an SMTP relay is configured, this
//! task hands each unsent email to it and stamps `sent_at`, oldest first, retrying later when
//! the relay is away.
//!
//! Only plain `smtp://host:port` is spoken: point it at a local relay (Postfix, MailHog), which
//! does the onward TLS.

use std::time::Duration;

use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::AppState;
use crate::clock::now_ms;
use crate::error::{Error, Result};
use crate::storage::mutations;
use crate::storage::records::{self, UnsentEmail};

/// Where emails go out.
#[derive(Debug, Clone)]
pub struct Smtp {
    /// `smtp://host:port`.
    pub url: String,
    /// The From address, e.g. `Nordlys Studio <hej@nordlys.example>`.
    pub from: String,
}

/// `smtp://host:port` (port 25 when absent).
fn relay(url: &str) -> Option<(String, u16)> {
    let rest = url.strip_prefix("smtp://")?.trim_end_matches('/');
    match rest.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() => {
            Some((host.trim_matches(['[', ']']).to_owned(), port.parse().ok()?))
        }
        None if !rest.is_empty() => Some((rest.to_owned(), 25)),
        _ => None,
    }
}

async fn unsent(state: &AppState) -> Result<Vec<UnsentEmail>> {
    state.db.read(|db| records::unsent_emails(db, 50)).await
}

fn message(from: &Mailbox, email: &UnsentEmail) -> Result<Message> {
    let to: Mailbox = email
        .to
        .parse()
        .map_err(|e| Error::Other(format!("bad address {}: {e}", email.to)))?;
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(email.subject.clone())
        .body(email.body.clone())
        .map_err(|e| Error::Other(format!("building the email: {e}")))
}

/// Sends what is unsent, forever; wakes on every commit and at least every 30 s.
pub async fn run(state: AppState, smtp: Smtp) {
    let Some((host, port)) = relay(&smtp.url) else {
        tracing::error!(url = %smtp.url, "give the relay as smtp://host:port; emails stay in the outbox");
        return;
    };
    // Unencrypted by design: the relay is local and does the onward TLS.
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
        .port(port)
        .timeout(Some(Duration::from_secs(20)))
        .build();
    let from: Mailbox = match smtp.from.parse() {
        Ok(from) => from,
        Err(error) => {
            tracing::error!(%error, "the From address is not usable; emails stay in the outbox");
            return;
        }
    };
    let mut changes = state.db.subscribe();
    loop {
        let mut relay_away = false;
        match unsent(&state).await {
            Ok(emails) => {
                for email in emails {
                    let sent = match message(&from, &email) {
                        Ok(m) => transport.send(m).await.map_err(|e| e.to_string()),
                        Err(e) => Err(e.to_string()),
                    };
                    match sent {
                        Ok(_) => {
                            let id = email.id;
                            let stamped = state
                                .db
                                .write(move |tx| mutations::mark_email_sent(tx, id, now_ms()))
                                .await;
                            if let Err(error) = stamped {
                                tracing::warn!(%error, "could not record a sent email");
                            }
                        }
                        Err(error) => {
                            tracing::warn!(%error, email = email.id, "the SMTP relay refused or is away; will retry");
                            relay_away = true;
                            break;
                        }
                    }
                }
            }
            Err(error) => tracing::warn!(%error, "reading the email outbox"),
        }
        let wait = if relay_away {
            Duration::from_secs(10)
        } else {
            Duration::from_secs(30)
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = changes.changed(), if !relay_away => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::relay;

    #[test]
    fn relays_are_smtp_urls() {
        assert_eq!(
            relay("smtp://127.0.0.1:2525"),
            Some(("127.0.0.1".into(), 2525))
        );
        assert_eq!(relay("smtp://mail.local"), Some(("mail.local".into(), 25)));
        assert_eq!(relay("smtp://[::1]:25"), Some(("::1".into(), 25)));
        assert_eq!(relay("smtps://mail.local:465"), None);
        assert_eq!(relay("smtp://"), None);
    }
}
