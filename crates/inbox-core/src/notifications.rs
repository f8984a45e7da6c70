//! From synced customer messages to the notifications one staff member should see.
//!
//! The policy ([`crate::notify::decide`]) says who hears about a message; this module adds what
//! a person needs on top: never twice for one message (the `notified` table survives restarts),
//! nothing for the conversation on screen, nothing in quiet hours or while paused, nothing for
//! the history a first sync brings in, and one summary instead of a flood when a catch-up brings
//! in messages that are more than a few minutes old. Showing them is the app's job.

use inbox_protocol::*;
use rusqlite::{OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::events::Arrived;
use crate::notify;
use crate::store;

/// Messages younger than this still notify one by one when they arrive in a catch-up.
pub const FRESH_FOR_MS: Millis = 3 * 60 * 1000;

/// Longest preview shown, in characters.
const PREVIEW_CHARS: usize = 140;

/// Do-not-disturb hours, as minutes after local midnight; may span midnight (22:00–07:00).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuietHours {
    pub start_minute: u16,
    pub end_minute: u16,
}

impl QuietHours {
    pub fn contains(&self, minute_of_day: u16) -> bool {
        if self.start_minute <= self.end_minute {
            (self.start_minute..self.end_minute).contains(&minute_of_day)
        } else {
            minute_of_day >= self.start_minute || minute_of_day < self.end_minute
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// Show the message text; off shows only who wrote.
    pub previews: bool,
    pub quiet_hours: Option<QuietHours>,
    /// "Pause for 1 hour": nothing until then.
    pub paused_until: Option<Millis>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    En,
    Sv,
}

/// The moment a batch is judged in.
#[derive(Debug, Clone, Copy)]
pub struct Moment {
    pub now: Millis,
    /// Minutes after local midnight, for quiet hours.
    pub local_minute: u16,
    /// The conversation open on screen in a focused window, if any.
    pub focused: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Notification {
    /// One customer message; clicking opens its conversation.
    Message {
        conversation_id: i64,
        message_id: i64,
        title: String,
        body: String,
    },
    /// Messages that arrived while offline, summed up.
    Summary {
        messages: u32,
        conversations: u32,
        title: String,
        body: String,
    },
}

impl Notification {
    pub fn title(&self) -> &str {
        match self {
            Notification::Message { title, .. } | Notification::Summary { title, .. } => title,
        }
    }

    pub fn body(&self) -> &str {
        match self {
            Notification::Message { body, .. } | Notification::Summary { body, .. } => body,
        }
    }

    pub fn conversation_id(&self) -> Option<i64> {
        match self {
            Notification::Message {
                conversation_id, ..
            } => Some(*conversation_id),
            Notification::Summary { .. } => None,
        }
    }
}

fn summary(messages: u32, conversations: u32, lang: Lang) -> (String, String) {
    match lang {
        Lang::En => (
            "Inbox".to_owned(),
            format!(
                "{messages} new {} in {conversations} {}",
                if messages == 1 { "message" } else { "messages" },
                if conversations == 1 {
                    "conversation"
                } else {
                    "conversations"
                }
            ),
        ),
        Lang::Sv => (
            "Inkorg".to_owned(),
            format!(
                "{messages} {} i {conversations} {}",
                if messages == 1 {
                    "nytt meddelande"
                } else {
                    "nya meddelanden"
                },
                if conversations == 1 {
                    "konversation"
                } else {
                    "konversationer"
                }
            ),
        ),
    }
}

fn preview(message: &Message, previews: bool, lang: Lang) -> String {
    let hidden = match lang {
        Lang::En => "New message",
        Lang::Sv => "Nytt meddelande",
    };
    if !previews {
        return hidden.to_owned();
    }
    match message.body.text() {
        Some(text) if !text.trim().is_empty() => {
            let mut out: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
            if out.chars().count() > PREVIEW_CHARS {
                out = out.chars().take(PREVIEW_CHARS - 1).collect::<String>() + "…";
            }
            out
        }
        _ => hidden.to_owned(),
    }
}

/// Decides, and records, what `me` is told about the customer messages of one synced batch.
/// `first_sync` marks a batch of the mirror's first sync (history: nothing notifies).
pub fn for_batch(
    tx: &Transaction<'_>,
    me: i64,
    arrived: &[Arrived],
    first_sync: bool,
    settings: &Settings,
    lang: Lang,
    moment: Moment,
) -> Result<Vec<Notification>> {
    let quiet = settings
        .paused_until
        .is_some_and(|until| moment.now < until)
        || settings
            .quiet_hours
            .is_some_and(|q| q.contains(moment.local_minute));
    let mut singles = Vec::new();
    let mut summed: Vec<(i64, i64)> = Vec::new();
    for a in arrived {
        let seen: bool = tx
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM notified WHERE message_id = ?1)")?
            .query_row([a.message_id], |r| r.get(0))?;
        if seen {
            continue;
        }
        let Some(conversation) = store::conversation(tx, a.conversation_id)? else {
            continue;
        };
        let message: Option<Message> = tx
            .prepare_cached("SELECT data FROM messages WHERE id = ?1")?
            .query_row([a.message_id], |r| r.get::<_, String>(0))
            .optional()?
            .map(|text| serde_json::from_str(&text))
            .transpose()?;
        let Some(message) = message else { continue };
        if !notify::decide(me, &conversation, &message).notifies() {
            continue;
        }
        tx.prepare_cached(
            "INSERT OR IGNORE INTO notified (message_id, notified_at) VALUES (?1, ?2)",
        )?
        .execute(params![a.message_id, moment.now])?;
        if first_sync || quiet || moment.focused == Some(a.conversation_id) {
            continue;
        }
        if moment.now - message.created_at <= FRESH_FOR_MS {
            singles.push((conversation, message));
        } else {
            summed.push((a.conversation_id, a.message_id));
        }
    }
    let mut out = Vec::new();
    if !summed.is_empty() {
        let mut conversations: Vec<i64> = summed.iter().map(|s| s.0).collect();
        conversations.sort_unstable();
        conversations.dedup();
        let (title, body) = summary(summed.len() as u32, conversations.len() as u32, lang);
        out.push(Notification::Summary {
            messages: summed.len() as u32,
            conversations: conversations.len() as u32,
            title,
            body,
        });
    }
    for (conversation, message) in singles {
        let title = store::customer(tx, conversation.customer_id)?
            .map(|c| c.name)
            .unwrap_or_else(|| conversation.contact_email.clone());
        out.push(Notification::Message {
            conversation_id: conversation.id,
            message_id: message.id,
            title,
            body: preview(&message, settings.previews, lang),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_hours_may_span_midnight() {
        let night = QuietHours {
            start_minute: 22 * 60,
            end_minute: 7 * 60,
        };
        assert!(night.contains(23 * 60));
        assert!(night.contains(0));
        assert!(night.contains(6 * 60 + 59));
        assert!(!night.contains(7 * 60));
        assert!(!night.contains(12 * 60));
        let lunch = QuietHours {
            start_minute: 12 * 60,
            end_minute: 13 * 60,
        };
        assert!(lunch.contains(12 * 60 + 30));
        assert!(!lunch.contains(13 * 60));
    }

    #[test]
    fn summaries_count_in_both_languages() {
        assert_eq!(
            summary(12, 5, Lang::En).1,
            "12 new messages in 5 conversations"
        );
        assert_eq!(summary(1, 1, Lang::En).1, "1 new message in 1 conversation");
        assert_eq!(
            summary(12, 5, Lang::Sv).1,
            "12 nya meddelanden i 5 konversationer"
        );
    }
}
