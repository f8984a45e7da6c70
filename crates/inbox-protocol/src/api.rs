//! Request and response bodies of the Inbox API v1, staff side and storefront side.

use serde::{Deserialize, Serialize};

use crate::entities::*;

/// The API's path prefix.
pub const API_PREFIX: &str = "/api/v1";

/// Header carrying a client-chosen key that makes a mutation safe to retry.
pub const IDEMPOTENCY_KEY_HEADER: &str = "Idempotency-Key";

/// At most this many products can be shared in one message.
pub const MAX_SHARED_PRODUCTS: usize = 3;

/// Longest message text accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 5_000;

/// Largest image upload accepted, in bytes.
pub const MAX_IMAGE_BYTES: usize = 20 * 1024 * 1024;

/// Largest video upload accepted, in bytes.
pub const MAX_VIDEO_BYTES: usize = 100 * 1024 * 1024;

/// Largest image side accepted, in pixels; bigger images are refused before decoding.
pub const MAX_IMAGE_SIDE: u32 = 12_000;

/// Image types accepted for upload.
pub const IMAGE_TYPES: [&str; 4] = ["image/jpeg", "image/png", "image/gif", "image/webp"];

/// Video types accepted for upload.
pub const VIDEO_TYPES: [&str; 3] = ["video/mp4", "video/quicktime", "video/webm"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignInRequest {
    #[cfg_attr(feature = "openapi", schema(min_length = 1))]
    pub email: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 1))]
    pub password: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Session {
    /// Opaque bearer token for `Authorization: Bearer`.
    pub token: String,
    pub expires_at: Millis,
    pub staff: Staff,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShopInfo {
    pub name: String,
    pub currency: String,
    /// Identifies this shop's change history; a cursor from another history is refused.
    pub history_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    pub staff: Staff,
    pub shop: ShopInfo,
}

/// One entity's full current state in the change feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "entity", content = "data", rename_all = "snake_case")]
pub enum Entity {
    Staff(Staff),
    Customer(Customer),
    Conversation(Conversation),
    Message(Message),
    CartEvent(CartEvent),
    ReadState(ReadState),
    Note(Note),
    NoteDeleted { id: i64, customer_id: i64 },
    Cart(Cart),
    Order(Order),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Change {
    /// Resume after this change by passing it as `after` (or `Last-Event-ID`).
    pub cursor: String,
    #[serde(flatten)]
    pub entity: Entity,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncPage {
    pub changes: Vec<Change>,
    /// Pass as `after` for the next page; equal to the request's cursor when nothing is new.
    pub next_cursor: String,
    pub has_more: bool,
    /// With `count=true`: how many changes were left after the request's cursor, counting this
    /// page, for a progress bar. Counting costs the server a scan, so ask once per walk.
    pub remaining: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SendMessage {
    Text {
        #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 5000))]
        text: String,
    },
    /// Share one to three products available on the online store, with optional text.
    Products {
        #[cfg_attr(feature = "openapi", schema(max_length = 5000))]
        text: Option<String>,
        product_ids: Vec<i64>,
    },
    /// Share an active discount code.
    Discount { discount_id: i64 },
    /// Send an uploaded image or video, with optional text.
    Attachment {
        upload_id: String,
        #[cfg_attr(feature = "openapi", schema(max_length = 5000))]
        text: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetStatus {
    pub status: ConversationStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetReadState {
    /// `true` marks the conversation unread for the caller; `false` marks it read up to
    /// `last_read_message_id` (or the newest message when absent).
    pub unread: bool,
    pub last_read_message_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetAssignee {
    /// `None` unassigns: every staff member is notified again.
    pub staff_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoteBody {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 5000))]
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConversationDetail {
    pub conversation: Conversation,
    pub messages: Vec<Message>,
    pub cart_events: Vec<CartEvent>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerProfile {
    pub customer: Customer,
    pub notes: Vec<Note>,
    pub cart: Option<Cart>,
    /// The most recent order placed or opened within the last 60 days.
    pub last_order: Option<Order>,
    /// Every order, newest first.
    pub orders: Vec<Order>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProductList {
    pub products: Vec<Product>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DiscountList {
    pub discounts: Vec<DiscountCode>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffList {
    pub staff: Vec<Staff>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    pub status: String,
    pub version: String,
}

// ---- Storefront (customer) side ----

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StartChat {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 3, max_length = 320))]
    pub email: String,
    pub platform: Platform,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChatSession {
    /// Bearer token for the storefront endpoints; it reaches this one chat only.
    pub token: String,
    pub conversation_id: i64,
    pub customer_id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerText {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 5000))]
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CartChange {
    pub variant_id: i64,
    pub action: CartAction,
    /// How many to add or remove; 1 when absent.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 100))]
    pub quantity: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApplyDiscount {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100))]
    pub code: String,
}

/// What the chat widget shows: the messages and cart events of its own chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChatTranscript {
    pub conversation_id: i64,
    pub messages: Vec<Message>,
    pub cart_events: Vec<CartEvent>,
    pub cart: Option<Cart>,
}

/// A live event on the storefront's stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "event", content = "data", rename_all = "snake_case")]
pub enum ChatEvent {
    Message(Message),
    CartEvent(CartEvent),
    Cart(Cart),
}

/// An email the shop sent (or would send) to a customer who had left the chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutgoingEmail {
    pub id: i64,
    pub message_id: i64,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub created_at: Millis,
    /// When an SMTP server accepted it; `None` while it is only kept in the outbox.
    pub sent_at: Option<Millis>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmailOutbox {
    pub emails: Vec<OutgoingEmail>,
}
