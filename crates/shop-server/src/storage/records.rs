//! Reading the server's own records, the rows that are not entities on the wire: sign-in
//! tokens, chat sessions, idempotency rows, upload metadata, the email outbox and shop
//! settings. Their writes are in [`super::mutations`], like every other write.

use inbox_protocol::{Millis, OutgoingEmail};

use super::Sql;
use crate::args;
use crate::error::Result;

/// Answers when the database does.
pub fn ping(db: &dyn Sql) -> Result<()> {
    db.query_row("SELECT 1", args![], |_| Ok(()))
}

/// A shop setting.
pub fn meta(db: &dyn Sql, key: &str) -> Result<Option<String>> {
    db.query_opt("SELECT value FROM meta WHERE key = ?1", args![key], |r| {
        r.get(0)
    })
}

/// When the next snooze ends, if any conversation is snoozed.
pub fn next_snooze_end(db: &dyn Sql) -> Result<Option<Millis>> {
    Ok(db
        .query_opt(
            "SELECT min(snoozed_until) FROM conversations WHERE snoozed_until IS NOT NULL",
            args![],
            |r| r.get::<Option<Millis>>(0),
        )?
        .flatten())
}

/// Whether the shop has any staff yet (a new database has none).
pub fn has_staff(db: &dyn Sql) -> Result<bool> {
    db.exists("SELECT 1 FROM staff LIMIT 1", args![])
}

/// A staff member's id and password hash, by sign-in email.
pub fn staff_password(db: &dyn Sql, email: &str) -> Result<Option<(i64, String)>> {
    db.query_opt(
        "SELECT id, password_hash FROM staff WHERE email = ?1",
        args![email],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// A staff sign-in token's row.
#[derive(Debug, Clone, Copy)]
pub struct StaffToken {
    pub staff_id: i64,
    pub expires_at: Millis,
    pub revoked_at: Option<Millis>,
}

pub fn staff_token(db: &dyn Sql, hash: &[u8]) -> Result<Option<StaffToken>> {
    db.query_opt(
        "SELECT staff_id, expires_at, revoked_at FROM staff_tokens WHERE token_hash = ?1",
        args![hash],
        |r| {
            Ok(StaffToken {
                staff_id: r.get(0)?,
                expires_at: r.get(1)?,
                revoked_at: r.get(2)?,
            })
        },
    )
}

/// A customer's chat session row.
#[derive(Debug, Clone, Copy)]
pub struct ChatSessionRow {
    pub customer_id: i64,
    pub conversation_id: i64,
    pub created_at: Millis,
    pub expires_at: Millis,
    pub ended_at: Option<Millis>,
}

pub fn chat_session(db: &dyn Sql, hash: &[u8]) -> Result<Option<ChatSessionRow>> {
    db.query_opt(
        "SELECT customer_id, conversation_id, created_at, expires_at, ended_at
           FROM customer_sessions WHERE token_hash = ?1",
        args![hash],
        |r| {
            Ok(ChatSessionRow {
                customer_id: r.get(0)?,
                conversation_id: r.get(1)?,
                created_at: r.get(2)?,
                expires_at: r.get(3)?,
                ended_at: r.get(4)?,
            })
        },
    )
}

/// The customer a chat session speaks for now, if it is still live at `now`.
pub fn live_session_customer(db: &dyn Sql, hash: &[u8], now: Millis) -> Result<Option<i64>> {
    db.query_opt(
        "SELECT customer_id FROM customer_sessions
          WHERE token_hash = ?1 AND ended_at IS NULL AND expires_at > ?2",
        args![hash, now],
        |r| r.get(0),
    )
}

/// The response stored for an idempotency key: the hash of the request it answered, its
/// status and its body.
pub fn idempotent_response(
    db: &dyn Sql,
    scope: &str,
    key: &str,
) -> Result<Option<(String, u16, String)>> {
    db.query_opt(
        "SELECT request_hash, status, response FROM idempotency_keys
          WHERE scope = ?1 AND key = ?2",
        args![scope, key],
        |r| {
            Ok((
                String::from_utf8_lossy(&r.get::<Vec<u8>>(0)?).into_owned(),
                r.get(1)?,
                r.get(2)?,
            ))
        },
    )
}

/// An upload's type and the name of its file in the media directory.
pub fn upload_file(db: &dyn Sql, id: &str) -> Result<Option<(String, String)>> {
    db.query_opt(
        "SELECT mime, sha256 FROM uploads WHERE id = ?1",
        args![id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// The address a conversation's customer gave.
pub fn contact_email(db: &dyn Sql, conversation_id: i64) -> Result<Option<String>> {
    db.query_opt(
        "SELECT contact_email FROM conversations WHERE id = ?1",
        args![conversation_id],
        |r| r.get(0),
    )
}

/// The newest emails of the outbox, newest first.
pub fn email_outbox(db: &dyn Sql, limit: i64) -> Result<Vec<OutgoingEmail>> {
    db.query_map(
        "SELECT id, message_id, to_address, subject, body, created_at, sent_at
           FROM email_outbox ORDER BY id DESC LIMIT ?1",
        args![limit],
        |r| {
            Ok(OutgoingEmail {
                id: r.get(0)?,
                message_id: r.get(1)?,
                to: r.get(2)?,
                subject: r.get(3)?,
                body: r.get(4)?,
                created_at: r.get(5)?,
                sent_at: r.get(6)?,
            })
        },
    )
}

/// An email not yet handed to the relay.
#[derive(Debug, Clone)]
pub struct UnsentEmail {
    pub id: i64,
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// The oldest unsent emails.
pub fn unsent_emails(db: &dyn Sql, limit: i64) -> Result<Vec<UnsentEmail>> {
    db.query_map(
        "SELECT id, to_address, subject, body FROM email_outbox
          WHERE sent_at IS NULL ORDER BY id LIMIT ?1",
        args![limit],
        |r| {
            Ok(UnsentEmail {
                id: r.get(0)?,
                to: r.get(1)?,
                subject: r.get(2)?,
                body: r.get(3)?,
            })
        },
    )
}

/// A customer picked at random, by name and email (the simulation's next writer).
pub fn random_customer(db: &dyn Sql) -> Result<Option<(String, String)>> {
    db.query_opt(
        "SELECT name, email FROM customers ORDER BY random() LIMIT 1",
        args![],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// A variant of an online-store product with stock to spare, picked at random.
pub fn random_variant_in_stock(db: &dyn Sql) -> Result<Option<i64>> {
    db.query_opt(
        "SELECT v.id FROM variants v JOIN products p ON p.id = v.product_id
          WHERE p.online_store = 1 AND v.stock > 5 ORDER BY random() LIMIT 1",
        args![],
        |r| r.get(0),
    )
}
