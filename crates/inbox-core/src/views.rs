//! What the engine shows: read models assembled from the mirror for lists, conversations,
//! profiles and search. The CLI prints these and the desktop shell converts them for its UI.

use inbox_protocol::*;
use serde::{Deserialize, Serialize};

/// Which conversations a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Assignment {
    Mine,
    Unassigned,
    #[default]
    All,
}

/// Which list: open conversations not snoozed, snoozed ones (open, set aside until a time), or
/// closed ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Folder {
    Open,
    Snoozed,
    Closed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ListFilter {
    pub status: Folder,
    pub assignment: Assignment,
    pub limit: u32,
    pub offset: u32,
}

impl Default for ListFilter {
    fn default() -> ListFilter {
        ListFilter {
            status: Folder::Open,
            assignment: Assignment::All,
            limit: 200,
            offset: 0,
        }
    }
}

/// One row of the conversation list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ConversationSummary {
    pub id: i64,
    pub customer_id: i64,
    pub customer_name: String,
    pub customer_email: String,
    /// False while the chat's email is only what the customer typed (not proven by a code).
    pub customer_email_verified: bool,
    pub platform: Platform,
    pub status: ConversationStatus,
    /// While snoozed: when it comes back.
    pub snoozed_until: Option<Millis>,
    pub assignee_id: Option<i64>,
    pub customer_online: bool,
    pub last_message_at: Millis,
    /// The newest message, whatever it holds (text, products, a discount code, an image).
    pub last_message: Option<MessageBody>,
    pub unread: bool,
    /// At most two labels, newest first.
    pub topics: Vec<Topic>,
}

/// A reply or action not yet confirmed by the shop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SendState {
    Sent,
    Pending,
    Failed { code: String, detail: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MessageView {
    pub message: Message,
    pub send_state: SendState,
    /// The outbox item behind a pending or failed message, for retry and discard.
    pub outbox_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "snake_case")]
#[allow(
    clippy::large_enum_variant,
    reason = "a timeline is mostly messages; boxing them buys nothing"
)]
pub enum TimelineItem {
    Message(MessageView),
    CartEvent(CartEvent),
    OrderEvent(OrderEvent),
}

impl TimelineItem {
    pub fn at(&self) -> Millis {
        match self {
            TimelineItem::Message(m) => m.message.created_at,
            TimelineItem::CartEvent(e) => e.created_at,
            TimelineItem::OrderEvent(e) => e.created_at,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ConversationView {
    pub conversation: Conversation,
    pub customer: Option<Customer>,
    pub assignee: Option<Staff>,
    pub read_state: Option<ReadState>,
    /// Messages, cart events and orders placed from the chat, oldest first.
    pub timeline: Vec<TimelineItem>,
    /// The customer's cart while it has lines.
    pub cart: Option<Cart>,
    pub draft: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ProfileView {
    pub customer: Customer,
    pub notes: Vec<Note>,
    pub cart: Option<Cart>,
    pub last_order: Option<Order>,
    pub orders: Vec<Order>,
}

/// An action in the outbox: waiting to be delivered, or refused by the shop and kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OutboxEntry {
    pub id: i64,
    pub conversation_id: Option<i64>,
    /// What the action does: `message`, `media`, `close`, `reopen`, `mark_unread`,
    /// `mark_read`, `assign`, `unassign`, `add_note`, `edit_note`, `delete_note`,
    /// `add_saved_reply`, `edit_saved_reply`, `delete_saved_reply`.
    pub kind: String,
    /// The customer it concerns (by the conversation or the note), as the mirror names them.
    pub customer_name: Option<String>,
    /// `Pending` or `Failed`; a delivered action leaves the outbox.
    pub state: SendState,
    pub attempts: i64,
    pub created_at: Millis,
}

/// Why a conversation matched a search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SearchHit {
    pub conversation_id: i64,
    pub customer_name: String,
    pub customer_email: String,
    pub status: ConversationStatus,
    /// The matching message, if the match was in a message.
    pub message_id: Option<i64>,
    /// Text around the match, with the matched words between `[` and `]` markers given as
    /// character ranges in `highlights`.
    pub snippet: String,
    pub highlights: Vec<(u32, u32)>,
    pub at: Millis,
}
