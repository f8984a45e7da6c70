//! The outbox: every staff action is applied to the mirror at once and queued in the same
//! transaction; one worker delivers the queue in order, each item with its own
//! Idempotency-Key, so a retry after a lost answer can never apply twice.
//!
//! Network and transient failures back off with jitter and try again; a permanent refusal marks
//! the item failed with the shop's problem code and keeps it (and its text) for retry or
//! discard. Pending items survive restarts: the table is the queue.
//!
//! Each item belongs to the shop history it was queued in. When the mirror starts over (a
//! shop restored or replaced, whose ids may now name other customers), the items from before
//! are set aside as failed with `shop_reset`: never delivered, never retried, and a discarded
//! one's text doesn't go into the composer of whatever conversation has its id now.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use inbox_protocol::*;
use reqwest::Method;
use rusqlite::{OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

use crate::api::ApiClient;
use crate::attachments;
use crate::error::{Error, Result};
use crate::store::{self, Store};
use crate::views::{OutboxEntry, SendState};

/// A staff action waiting to reach the shop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    Send {
        conversation_id: i64,
        send: SendMessage,
    },
    /// An image or video prepared on disk; `upload` is filled in once it is uploaded, so a
    /// retry does not upload again.
    SendMedia {
        conversation_id: i64,
        file: PathBuf,
        mime: String,
        text: Option<String>,
        upload: Option<Attachment>,
    },
    SetStatus {
        conversation_id: i64,
        status: ConversationStatus,
    },
    SetUnread {
        conversation_id: i64,
        unread: bool,
    },
    Assign {
        conversation_id: i64,
        staff_id: Option<i64>,
    },
    /// Snoozes until a time, or ends the snooze with `None`.
    Snooze {
        conversation_id: i64,
        until: Option<Millis>,
    },
    AddNote {
        customer_id: i64,
        body: String,
    },
    EditNote {
        customer_id: i64,
        note_id: i64,
        body: String,
    },
    DeleteNote {
        customer_id: i64,
        note_id: i64,
    },
    AddSavedReply {
        reply: SavedReplyBody,
    },
    EditSavedReply {
        id: i64,
        reply: SavedReplyBody,
    },
    DeleteSavedReply {
        id: i64,
    },
}

impl Action {
    /// What the action does, for the Outbox view (see [`OutboxEntry::kind`]).
    pub fn kind(&self) -> &'static str {
        match self {
            Action::Send { .. } => "message",
            Action::SendMedia { .. } => "media",
            Action::SetStatus { status, .. } => match status {
                ConversationStatus::Closed => "close",
                ConversationStatus::Open => "reopen",
            },
            Action::SetUnread { unread: true, .. } => "mark_unread",
            Action::SetUnread { unread: false, .. } => "mark_read",
            Action::Assign {
                staff_id: Some(_), ..
            } => "assign",
            Action::Assign { staff_id: None, .. } => "unassign",
            Action::Snooze { until: Some(_), .. } => "snooze",
            Action::Snooze { until: None, .. } => "unsnooze",
            Action::AddNote { .. } => "add_note",
            Action::EditNote { .. } => "edit_note",
            Action::DeleteNote { .. } => "delete_note",
            Action::AddSavedReply { .. } => "add_saved_reply",
            Action::EditSavedReply { .. } => "edit_saved_reply",
            Action::DeleteSavedReply { .. } => "delete_saved_reply",
        }
    }

    /// The customer a note action is about.
    pub fn customer_id(&self) -> Option<i64> {
        match self {
            Action::AddNote { customer_id, .. }
            | Action::EditNote { customer_id, .. }
            | Action::DeleteNote { customer_id, .. } => Some(*customer_id),
            _ => None,
        }
    }

    pub fn conversation_id(&self) -> Option<i64> {
        match self {
            Action::Send {
                conversation_id, ..
            }
            | Action::SendMedia {
                conversation_id, ..
            }
            | Action::SetStatus {
                conversation_id, ..
            }
            | Action::SetUnread {
                conversation_id, ..
            }
            | Action::Assign {
                conversation_id, ..
            }
            | Action::Snooze {
                conversation_id, ..
            } => Some(*conversation_id),
            _ => None,
        }
    }

    /// Whether the action shows as a message in the conversation until delivered.
    pub fn is_message(&self) -> bool {
        matches!(self, Action::Send { .. } | Action::SendMedia { .. })
    }
}

/// What a delivered action gave back, to put in the mirror.
#[derive(Debug)]
enum Delivered {
    Entity(Box<Entity>),
    Nothing,
}

/// Queues an action and applies its local effect, in the caller's transaction.
pub fn enqueue(
    tx: &Transaction<'_>,
    me: i64,
    action: &Action,
    echo: Option<MessageBody>,
    now: Millis,
) -> Result<i64> {
    let key = format!("{:032x}", rand::random::<u128>());
    tx.execute(
        "INSERT INTO outbox (conversation_id, action, idempotency_key, created_at, history_id)
         VALUES (?1, ?2, ?3, ?4, (SELECT history_id FROM sync_state WHERE id = 1))",
        params![
            action.conversation_id(),
            serde_json::to_string(action)?,
            key,
            now
        ],
    )?;
    let id = tx.last_insert_rowid();
    if let (Some(conversation_id), Some(body)) = (action.conversation_id(), echo) {
        let local = Message {
            id: -id,
            conversation_id,
            author: Author::Staff { staff_id: me },
            body,
            delivery: None,
            created_at: now,
        };
        store::apply(tx, &Entity::Message(local))?;
    }
    apply_local(tx, me, action, now)?;
    Ok(id)
}

/// The optimistic effect of an action on the mirror. Applied when queued, and again after
/// every synced page, so a change from the shop can't hide a pending one.
fn apply_local(tx: &Transaction<'_>, me: i64, action: &Action, now: Millis) -> Result<()> {
    let update = |id: i64, change: &dyn Fn(&mut Conversation)| -> Result<()> {
        if let Some(mut c) = store::conversation(tx, id)? {
            change(&mut c);
            store::apply(tx, &Entity::Conversation(c))?;
        }
        Ok(())
    };
    match action {
        Action::SetStatus {
            conversation_id,
            status,
        } => {
            update(*conversation_id, &|c| {
                c.status = *status;
                // As the shop does: closing ends a snooze.
                if *status == ConversationStatus::Closed {
                    c.snoozed_until = None;
                }
            })?;
        }
        Action::Snooze {
            conversation_id,
            until,
        } => {
            update(*conversation_id, &|c| c.snoozed_until = *until)?;
        }
        Action::Assign {
            conversation_id,
            staff_id,
        } => {
            update(*conversation_id, &|c| c.assignee_id = *staff_id)?;
        }
        Action::SetUnread {
            conversation_id,
            unread,
        } => {
            let last: Option<i64> = tx.query_row(
                "SELECT max(id) FROM messages WHERE conversation_id = ?1 AND id > 0",
                [conversation_id],
                |r| r.get(0),
            )?;
            let mut state = store::read_state(tx, *conversation_id)?.unwrap_or(ReadState {
                conversation_id: *conversation_id,
                staff_id: me,
                last_read_message_id: None,
                marked_unread: false,
                updated_at: now,
            });
            state.marked_unread = *unread;
            if !unread {
                state.last_read_message_id = last.or(state.last_read_message_id);
            }
            store::apply(tx, &Entity::ReadState(state))?;
        }
        Action::EditNote { note_id, body, .. } => {
            let note: Option<String> = tx
                .query_row("SELECT data FROM notes WHERE id = ?1", [note_id], |r| {
                    r.get(0)
                })
                .optional()?;
            if let Some(text) = note {
                let mut note: Note = serde_json::from_str(&text)?;
                note.body = body.clone();
                store::apply(tx, &Entity::Note(note))?;
            }
        }
        Action::DeleteNote {
            note_id,
            customer_id,
        } => {
            store::apply(
                tx,
                &Entity::NoteDeleted {
                    id: *note_id,
                    customer_id: *customer_id,
                },
            )?;
        }
        Action::EditSavedReply { id, reply } => {
            if let Some(mut saved) = store::saved_reply(tx, *id)? {
                saved.title = reply.title.trim().to_owned();
                saved.body = reply.body.clone();
                saved.product_ids = reply.product_ids.clone();
                saved.discount_id = reply.discount_id;
                saved.image_upload_id = reply.image_upload_id.clone();
                saved.author_id = me;
                saved.updated_at = now;
                store::apply(tx, &Entity::SavedReply(saved))?;
            }
        }
        Action::DeleteSavedReply { id } => {
            store::apply(tx, &Entity::SavedReplyDeleted { id: *id })?;
        }
        // Like a note, a new saved reply shows once the shop has it (its id is the shop's).
        Action::AddNote { .. }
        | Action::AddSavedReply { .. }
        | Action::Send { .. }
        | Action::SendMedia { .. } => {}
    }
    Ok(())
}

/// Re-applies the local effect of every pending action (after a synced page).
pub fn reapply_pending(tx: &Transaction<'_>, me: i64, now: Millis) -> Result<()> {
    let actions: Vec<String> = tx
        .prepare_cached("SELECT action FROM outbox WHERE state = 'pending' ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for text in actions {
        let action: Action = serde_json::from_str(&text)?;
        if !action.is_message() {
            apply_local(tx, me, &action, now)?;
        }
    }
    Ok(())
}

#[derive(Debug, Clone)]
pub struct Item {
    pub id: i64,
    pub action: Action,
    pub key: String,
    pub attempts: i64,
}

/// The next pending item, or when the earliest one is due.
#[allow(
    clippy::large_enum_variant,
    reason = "one value at a time, never stored"
)]
pub enum Next {
    Ready(Item),
    Later(Millis),
    Empty,
}

pub fn next(conn: &rusqlite::Connection, now: Millis) -> Result<Next> {
    let row: Option<(i64, String, String, i64, Millis)> = conn
        .prepare_cached(
            "SELECT id, action, idempotency_key, attempts, next_attempt_at FROM outbox
              WHERE state = 'pending'
                AND history_id = (SELECT history_id FROM sync_state WHERE id = 1)
              ORDER BY id LIMIT 1",
        )?
        .query_row([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .optional()?;
    Ok(match row {
        None => Next::Empty,
        // Strictly in order: a later action may depend on an earlier one (reply, then close).
        Some((_, _, _, _, due)) if due > now => Next::Later(due),
        Some((id, action, key, attempts, _)) => Next::Ready(Item {
            id,
            action: serde_json::from_str(&action)?,
            key,
            attempts,
        }),
    })
}

fn conversation_path(id: i64, tail: &str) -> String {
    format!("/api/v1/conversations/{id}{tail}")
}

async fn deliver(api: &ApiClient, store: &Store, item: &Item) -> Result<Delivered> {
    let key = item.key.as_str();
    let entity = |e: Entity| Delivered::Entity(Box::new(e));
    Ok(match &item.action {
        Action::Send {
            conversation_id,
            send,
        } => {
            let m: Option<Message> = api
                .send(
                    Method::POST,
                    &conversation_path(*conversation_id, "/messages"),
                    key,
                    Some(send),
                )
                .await?;
            m.map(|m| entity(Entity::Message(m)))
                .unwrap_or(Delivered::Nothing)
        }
        Action::SendMedia {
            conversation_id,
            file,
            mime,
            text,
            upload,
        } => {
            let attachment = match upload {
                Some(a) => a.clone(),
                None => {
                    let bytes = tokio::fs::read(file).await.map_err(|e| {
                        Error::Input(format!("the prepared file {} is gone: {e}", file.display()))
                    })?;
                    let attachment = api.upload(mime, bytes).await?;
                    // Remember the upload so a retry of the message doesn't upload again.
                    let mut action = item.action.clone();
                    if let Action::SendMedia { upload, .. } = &mut action {
                        *upload = Some(attachment.clone());
                    }
                    let (id, json) = (item.id, serde_json::to_string(&action)?);
                    store
                        .write(move |tx| {
                            tx.execute(
                                "UPDATE outbox SET action = ?2 WHERE id = ?1",
                                params![id, json],
                            )?;
                            Ok(())
                        })
                        .await?;
                    attachment
                }
            };
            let send = SendMessage::Attachment {
                upload_id: attachment.upload_id.clone(),
                text: text.clone(),
            };
            let m: Option<Message> = api
                .send(
                    Method::POST,
                    &conversation_path(*conversation_id, "/messages"),
                    key,
                    Some(&send),
                )
                .await?;
            m.map(|m| entity(Entity::Message(m)))
                .unwrap_or(Delivered::Nothing)
        }
        Action::SetStatus {
            conversation_id,
            status,
        } => {
            let c: Option<Conversation> = api
                .send(
                    Method::PUT,
                    &conversation_path(*conversation_id, "/status"),
                    key,
                    Some(&SetStatus { status: *status }),
                )
                .await?;
            c.map(|c| entity(Entity::Conversation(c)))
                .unwrap_or(Delivered::Nothing)
        }
        Action::Snooze {
            conversation_id,
            until,
        } => {
            let c: Option<Conversation> = api
                .send(
                    Method::PUT,
                    &conversation_path(*conversation_id, "/snooze"),
                    key,
                    Some(&SetSnooze { until: *until }),
                )
                .await?;
            c.map(|c| entity(Entity::Conversation(c)))
                .unwrap_or(Delivered::Nothing)
        }
        Action::SetUnread {
            conversation_id,
            unread,
        } => {
            let body = SetReadState {
                unread: *unread,
                last_read_message_id: None,
            };
            let r: Option<ReadState> = api
                .send(
                    Method::PUT,
                    &conversation_path(*conversation_id, "/read-state"),
                    key,
                    Some(&body),
                )
                .await?;
            r.map(|r| entity(Entity::ReadState(r)))
                .unwrap_or(Delivered::Nothing)
        }
        Action::Assign {
            conversation_id,
            staff_id,
        } => {
            let c: Option<Conversation> = api
                .send(
                    Method::PUT,
                    &conversation_path(*conversation_id, "/assignee"),
                    key,
                    Some(&SetAssignee {
                        staff_id: *staff_id,
                    }),
                )
                .await?;
            c.map(|c| entity(Entity::Conversation(c)))
                .unwrap_or(Delivered::Nothing)
        }
        Action::AddNote { customer_id, body } => {
            let n: Option<Note> = api
                .send(
                    Method::POST,
                    &format!("/api/v1/customers/{customer_id}/notes"),
                    key,
                    Some(&NoteBody { body: body.clone() }),
                )
                .await?;
            n.map(|n| entity(Entity::Note(n)))
                .unwrap_or(Delivered::Nothing)
        }
        Action::EditNote {
            customer_id,
            note_id,
            body,
        } => {
            let n: Option<Note> = api
                .send(
                    Method::PUT,
                    &format!("/api/v1/customers/{customer_id}/notes/{note_id}"),
                    key,
                    Some(&NoteBody { body: body.clone() }),
                )
                .await?;
            n.map(|n| entity(Entity::Note(n)))
                .unwrap_or(Delivered::Nothing)
        }
        Action::DeleteNote {
            customer_id,
            note_id,
        } => {
            let _: Option<serde_json::Value> = api
                .send::<(), _>(
                    Method::DELETE,
                    &format!("/api/v1/customers/{customer_id}/notes/{note_id}"),
                    key,
                    None,
                )
                .await?;
            Delivered::Nothing
        }
        Action::AddSavedReply { reply } => {
            let r: Option<SavedReply> = api
                .send(Method::POST, "/api/v1/saved-replies", key, Some(reply))
                .await?;
            r.map(|r| entity(Entity::SavedReply(r)))
                .unwrap_or(Delivered::Nothing)
        }
        Action::EditSavedReply { id, reply } => {
            let r: Option<SavedReply> = api
                .send(
                    Method::PUT,
                    &format!("/api/v1/saved-replies/{id}"),
                    key,
                    Some(reply),
                )
                .await?;
            r.map(|r| entity(Entity::SavedReply(r)))
                .unwrap_or(Delivered::Nothing)
        }
        Action::DeleteSavedReply { id } => {
            let _: Option<serde_json::Value> = api
                .send::<(), _>(
                    Method::DELETE,
                    &format!("/api/v1/saved-replies/{id}"),
                    key,
                    None,
                )
                .await?;
            Delivered::Nothing
        }
    })
}

/// Backoff for the `attempts`-th retry: exponential from the retry base (500 ms by default) to
/// 5 min, with jitter.
pub fn backoff(attempts: i64, retry_base: Duration) -> Duration {
    let cap = Duration::from_secs(300);
    let base = retry_base
        .saturating_mul(1u32 << attempts.clamp(0, 10) as u32)
        .min(cap);
    let jitter: f64 = rand::random_range(0.5..1.0);
    base.mul_f64(jitter)
}

/// What happened to one delivery attempt.
#[derive(Debug)]
pub enum Outcome {
    Delivered,
    /// Try again at this time.
    Retry(Millis),
    Failed(String),
    /// The token was refused; stop until signed in again.
    SignedOut,
}

/// Makes sure the shop is still the one the mirror holds a place in before anything is sent
/// to it: the same history, not gone back in time (a restored backup). Asked once after each
/// break in the connection (`confirmed` is cleared then, by the sync engine and by a failed
/// delivery): a shop that stopped may come back as another one, with the same ids naming other
/// customers' conversations, and the outbox may get to it before the sync engine has looked.
/// A shop that no longer knows the mirror's cursor gets nothing: [`Error::ShopReset`].
async fn confirm_shop(api: &ApiClient, store: &Store, confirmed: &AtomicBool) -> Result<()> {
    if confirmed.load(Ordering::Acquire) {
        return Ok(());
    }
    let cursor = store.read(|c| Ok(store::position(c)?.cursor)).await?;
    match api.sync_page(&cursor, 1, false).await {
        Ok(_) => {
            confirmed.store(true, Ordering::Release);
            Ok(())
        }
        Err(Error::Rejected(p)) if p.code == ProblemCode::InvalidCursor => Err(Error::ShopReset),
        Err(e) => Err(e),
    }
}

/// Delivers one item and records the outcome in the mirror. `confirmed` says whether the
/// shop's history was checked since the connection last broke (see [`confirm_shop`]).
pub async fn attempt(
    api: &ApiClient,
    store: &Store,
    me: i64,
    item: Item,
    now: Millis,
    confirmed: &AtomicBool,
) -> Result<Outcome> {
    let delivered = match confirm_shop(api, store, confirmed).await {
        Ok(()) => deliver(api, store, &item).await,
        Err(e) => Err(e),
    };
    match delivered {
        Ok(delivered) => {
            let id = item.id;
            let is_message = item.action.is_message();
            let action = item.action.clone();
            let sent_file = store
                .write(move |tx| {
                    tx.execute("DELETE FROM outbox WHERE id = ?1", [id])?;
                    let sent_file = unneeded_file(tx, &action)?;
                    if is_message {
                        tx.execute("DELETE FROM messages WHERE id = ?1", [-id])?;
                    }
                    // An answer is the entity as the shop left it when it acted (or, for a
                    // retry, when an earlier attempt did). The feed may have brought a newer
                    // state since, a customer's message say, and won't send it again, so an
                    // older answer must not overwrite it. Only a message, which never changes
                    // once sent, replaces its echo from the answer; the rest comes from the
                    // feed, with the action's local effect showing until then.
                    if let Delivered::Entity(entity) = delivered
                        && let Entity::Message(_) = *entity
                    {
                        store::apply(tx, &entity)?;
                    }
                    reapply_pending(tx, me, now)?;
                    Ok(sent_file)
                })
                .await?;
            // The shop holds it now: the prepared copy goes (after the commit, so a crash
            // leaves a file too many, never an item without its file).
            if let Some(file) = sent_file {
                tokio::task::spawn_blocking(move || attachments::remove_prepared(&file)).await?;
            }
            Ok(Outcome::Delivered)
        }
        Err(Error::SignedOut(_)) => Ok(Outcome::SignedOut),
        Err(error) if error.is_retryable() => {
            let wait = match &error {
                Error::Transient {
                    retry_after: Some(d),
                    ..
                } => *d,
                _ => backoff(item.attempts, api.retry_base()),
            };
            let due = now + wait.as_millis() as i64;
            let id = item.id;
            // Remember why it waits: a lost connection is worth retrying as soon as the shop
            // answers again; a wait the shop asked for is not.
            let why = if matches!(error, Error::Network(_)) {
                // Whoever answers next may be another shop: look before sending to it.
                confirmed.store(false, Ordering::Release);
                "network"
            } else {
                "transient"
            };
            store
                .write(move |tx| {
                    tx.execute(
                        "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?2, error_code = ?3
                          WHERE id = ?1",
                        params![id, due, why],
                    )?;
                    Ok(())
                })
                .await?;
            tracing::debug!(outbox = item.id, %error, "delivery will be retried");
            Ok(Outcome::Retry(due))
        }
        Err(error) => {
            let (code, detail) = (error.code(), error.to_string());
            let (id, c, d) = (item.id, code.clone(), detail.clone());
            store
                .write(move |tx| {
                    tx.execute(
                        "UPDATE outbox SET state = 'failed', attempts = attempts + 1, error_code = ?2,
                                error_detail = ?3 WHERE id = ?1",
                        params![id, c, d],
                    )?;
                    Ok(())
                })
                .await?;
            // An action that changed shared state locally is undone by asking the shop again
            // (not a shop that was reset: its conversation of that id is another one).
            if let Some(conversation_id) = item
                .action
                .conversation_id()
                .filter(|_| !item.action.is_message() && !matches!(error, Error::ShopReset))
                && let Ok(detail) = api
                    .get::<ConversationDetail>(&conversation_path(conversation_id, ""))
                    .await
            {
                store
                    .write(move |tx| store::apply(tx, &Entity::Conversation(detail.conversation)))
                    .await?;
            }
            tracing::info!(outbox = item.id, code, "delivery refused");
            Ok(Outcome::Failed(detail))
        }
    }
}

/// Every item still in the outbox, oldest first, with what it does and whom it concerns.
pub fn entries(conn: &rusqlite::Connection) -> Result<Vec<OutboxEntry>> {
    let rows = conn
        .prepare_cached(
            "SELECT o.id, o.conversation_id, o.state, o.error_code, o.error_detail, o.attempts,
                    o.created_at, o.action,
                    (SELECT cu.name FROM conversations c JOIN customers cu ON cu.id = c.customer_id
                      WHERE c.id = o.conversation_id)
               FROM outbox o ORDER BY o.id",
        )?
        .query_map([], |r| {
            let state: String = r.get(2)?;
            let state = if state == "failed" {
                SendState::Failed {
                    code: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                    detail: r.get::<_, Option<String>>(4)?.unwrap_or_default(),
                }
            } else {
                SendState::Pending
            };
            Ok((
                OutboxEntry {
                    id: r.get(0)?,
                    conversation_id: r.get(1)?,
                    kind: String::new(),
                    customer_name: r.get(8)?,
                    state,
                    attempts: r.get(5)?,
                    created_at: r.get(6)?,
                },
                r.get::<_, String>(7)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter()
        .map(|(mut entry, action)| {
            let action: Action = serde_json::from_str(&action)?;
            entry.kind = action.kind().to_owned();
            if entry.customer_name.is_none()
                && let Some(customer) = action.customer_id()
            {
                entry.customer_name = conn
                    .prepare_cached("SELECT name FROM customers WHERE id = ?1")?
                    .query_row([customer], |r| r.get(0))
                    .optional()?;
            }
            Ok(entry)
        })
        .collect()
}

/// The shop answers again: items that were only waiting out a lost connection are due now.
pub fn reconnected(tx: &Transaction<'_>) -> Result<usize> {
    Ok(tx.execute(
        "UPDATE outbox SET next_attempt_at = 0 WHERE state = 'pending' AND error_code = 'network'",
        [],
    )?)
}

/// The prepared file of a media send that no item left in the outbox needs (the same picture
/// queued twice shares one file), once the item sending it has left the outbox.
fn unneeded_file(tx: &Transaction<'_>, action: &Action) -> Result<Option<PathBuf>> {
    let Action::SendMedia { file, .. } = action else {
        return Ok(None);
    };
    let Some(name) = file.to_str() else {
        return Ok(None);
    };
    let needed: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM outbox WHERE json_extract(action, '$.file') = ?1)",
        [name],
        |r| r.get(0),
    )?;
    Ok((!needed).then(|| file.clone()))
}

/// What discarding an item left to do after the commit.
#[derive(Debug)]
pub struct Discarded {
    pub conversation_id: Option<i64>,
    /// A prepared file nothing will send any more: remove it
    /// ([`attachments::remove_prepared`]).
    pub unneeded_file: Option<PathBuf>,
}

/// The code of an item that failed after the shop may have acted on it
/// ([`Error::MaybeApplied`]).
const MAYBE_SENT: &str = "maybe_sent";

/// Sets aside every item queued before the mirror starts over ([`store::reset`]): failed with
/// `shop_reset`, whatever it was waiting for or refused with. Returns how many.
pub fn set_aside_for_reset(tx: &Transaction<'_>) -> Result<usize> {
    let reset = Error::ShopReset;
    Ok(tx.execute(
        "UPDATE outbox SET state = 'failed', error_code = ?1, error_detail = ?2",
        params![reset.code(), reset.to_string()],
    )?)
}

/// Whether an item was set aside by a reset of the shop (see [`set_aside_for_reset`]).
fn is_set_aside(tx: &Transaction<'_>, id: i64) -> Result<bool> {
    let row: Option<(Option<String>, String)> = tx
        .query_row(
            "SELECT error_code, history_id FROM outbox WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((code, history)) = row else {
        return Ok(false);
    };
    Ok(code.as_deref() == Some(Error::ShopReset.code().as_str())
        || history != store::position(tx)?.history_id)
}

/// Puts a failed item back in the queue. An item from before a reset of the shop is refused
/// (`shop_reset`): the conversation its id names may be someone else's now.
pub fn retry(tx: &Transaction<'_>, id: i64) -> Result<()> {
    if is_set_aside(tx, id)? {
        return Err(Error::ShopReset);
    }
    let changed = tx.execute(
        "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = 0, error_code = NULL,
                error_detail = NULL WHERE id = ?1",
        [id],
    )?;
    if changed == 0 {
        return Err(Error::NotFound(format!("outbox item {id}")));
    }
    Ok(())
}

/// Drops a failed or pending item; a dropped reply's text goes back to the draft (if the
/// draft is empty), so nothing typed is lost. Not the text of an item from before a reset of
/// the shop (its conversation id may name another customer's conversation now), nor of one
/// that may have reached the shop (`maybe_sent`): in the composer it would be one keystroke
/// from going twice.
pub fn discard(tx: &Transaction<'_>, id: i64, now: Millis) -> Result<Discarded> {
    let row: Option<(String, Option<String>)> = tx
        .query_row(
            "SELECT action, error_code FROM outbox WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((text, code)) = row else {
        return Err(Error::NotFound(format!("outbox item {id}")));
    };
    let action: Action = serde_json::from_str(&text)?;
    let set_aside = is_set_aside(tx, id)?;
    let maybe_sent = code.as_deref() == Some(MAYBE_SENT);
    tx.execute("DELETE FROM outbox WHERE id = ?1", [id])?;
    tx.execute("DELETE FROM messages WHERE id = ?1", [-id])?;
    let discarded = Discarded {
        conversation_id: action.conversation_id(),
        unneeded_file: unneeded_file(tx, &action)?,
    };
    if set_aside || maybe_sent {
        return Ok(discarded);
    }
    let typed = match &action {
        Action::Send {
            send: SendMessage::Text { text },
            ..
        } => Some(text.clone()),
        Action::Send {
            send: SendMessage::Products { text, .. },
            ..
        }
        | Action::SendMedia { text, .. } => text.clone(),
        _ => None,
    };
    if let (Some(conversation_id), Some(typed)) = (action.conversation_id(), typed)
        && store::draft(tx, conversation_id)?.is_none()
    {
        store::save_draft(tx, conversation_id, &typed, now)?;
    }
    Ok(discarded)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mirror() -> rusqlite::Connection {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        store::migrate(&mut conn).unwrap();
        conn
    }

    fn queue_reply(tx: &Transaction<'_>, text: &str) -> i64 {
        let action = Action::Send {
            conversation_id: 30,
            send: SendMessage::Text { text: text.into() },
        };
        let echo = MessageBody::Text { text: text.into() };
        enqueue(tx, 7, &action, Some(echo), 1_000).unwrap()
    }

    fn fail(tx: &Transaction<'_>, id: i64, error: &Error) {
        tx.execute(
            "UPDATE outbox SET state = 'failed', error_code = ?2, error_detail = ?3 WHERE id = ?1",
            params![id, error.code(), error.to_string()],
        )
        .unwrap();
    }

    #[test]
    fn the_outbox_says_what_each_action_does_whom_it_concerns_and_why_it_was_refused() {
        let mut conn = mirror();
        let tx = conn.transaction().unwrap();
        tx.execute(
            "INSERT INTO customers (id, name, email, data) VALUES (5, 'Saga Holm', 's@x.se', '{}')",
            [],
        )
        .unwrap();
        queue_reply(&tx, "Hej");
        let close = enqueue(
            &tx,
            7,
            &Action::SetStatus {
                conversation_id: 30,
                status: ConversationStatus::Closed,
            },
            None,
            1_001,
        )
        .unwrap();
        enqueue(
            &tx,
            7,
            &Action::AddNote {
                customer_id: 5,
                body: "VIP".into(),
            },
            None,
            1_002,
        )
        .unwrap();
        fail(
            &tx,
            close,
            &Error::Rejected(Box::new(Problem::new(
                403,
                ProblemCode::PermissionDenied,
                "not yours to close",
            ))),
        );
        tx.commit().unwrap();
        let entries = entries(&conn).unwrap();
        let kinds: Vec<&str> = entries.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["message", "close", "add_note"]);
        // A note names its customer; conversation 30 is not in this mirror, so no name.
        assert_eq!(entries[2].customer_name.as_deref(), Some("Saga Holm"));
        assert_eq!(entries[1].customer_name, None);
        assert!(matches!(
            &entries[1].state,
            SendState::Failed { code, detail } if code == "permission_denied" && detail.contains("not yours")
        ));
        assert_eq!(entries[0].state, SendState::Pending);
    }

    #[test]
    fn a_discarded_refusal_goes_back_to_the_draft_but_one_that_may_have_been_sent_does_not() {
        let mut conn = mirror();
        let tx = conn.transaction().unwrap();
        let refused = queue_reply(&tx, "Kolla den blå koppen");
        fail(
            &tx,
            refused,
            &Error::Rejected(Box::new(Problem::new(
                422,
                ProblemCode::ProductUnavailable,
                "not in the online store",
            ))),
        );
        discard(&tx, refused, 2_000).unwrap();
        assert_eq!(
            store::draft(&tx, 30).unwrap().as_deref(),
            Some("Kolla den blå koppen")
        );
        store::save_draft(&tx, 30, "", 2_000).unwrap();

        let maybe = queue_reply(&tx, "Din order är på väg");
        let undecodable = Error::from(serde_json::from_str::<i64>("{").unwrap_err());
        fail(&tx, maybe, &undecodable.after_success());
        let listed = entries(&tx).unwrap();
        assert!(
            matches!(&listed[0].state, SendState::Failed { code, .. } if code == "maybe_sent"),
            "{listed:?}"
        );
        discard(&tx, maybe, 3_000).unwrap();
        assert_eq!(store::draft(&tx, 30).unwrap(), None);
        assert!(entries(&tx).unwrap().is_empty());
    }
}
