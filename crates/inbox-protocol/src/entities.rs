//! The shop's entities as the change feed carries them: each value is an entity's full current
//! state, never a delta.
//!
//! Times are Unix milliseconds (UTC); money is integer minor units with an ISO 4217 currency.

use serde::{Deserialize, Serialize};

use crate::Topic;

/// Unix time in milliseconds.
pub type Millis = i64;

/// An amount of money in minor units (cents, öre).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Money {
    pub minor: i64,
    /// ISO 4217 code, e.g. `SEK`.
    pub currency: String,
}

/// Where a customer wrote from; replies go back the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    OnlineStore,
    ShopApp,
    Messenger,
    Instagram,
    Email,
}

impl Platform {
    pub const ALL: [Platform; 5] = [
        Platform::OnlineStore,
        Platform::ShopApp,
        Platform::Messenger,
        Platform::Instagram,
        Platform::Email,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Platform::OnlineStore => "online_store",
            Platform::ShopApp => "shop_app",
            Platform::Messenger => "messenger",
            Platform::Instagram => "instagram",
            Platform::Email => "email",
        }
    }

    pub fn from_key(key: &str) -> Option<Platform> {
        Platform::ALL.into_iter().find(|p| p.key() == key)
    }
}

/// What a staff member may do. Only staff with `online_store_chat` can be assigned chats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    OnlineStoreChat,
    Customers,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Staff {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub permissions: Vec<Permission>,
}

impl Staff {
    pub fn can_chat(&self) -> bool {
        self.permissions.contains(&Permission::OnlineStoreChat)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ConversationStatus {
    Open,
    Closed,
}

/// A topic label applied to a conversation by the classifier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TopicLabel {
    pub topic: Topic,
    /// The classifier's calibrated probability, at least [`crate::CONFIDENCE_GATE`].
    pub confidence: f32,
    /// The customer message that earned the label.
    pub message_id: i64,
    pub labelled_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Conversation {
    pub id: i64,
    pub customer_id: i64,
    pub platform: Platform,
    pub status: ConversationStatus,
    /// The assigned staff member; `None` means every staff member is notified.
    pub assignee_id: Option<i64>,
    /// The address the customer gave at chat start; replies go there while they are offline.
    pub contact_email: String,
    /// True while the customer has the store (chat widget) open.
    pub customer_online: bool,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub last_message_at: Millis,
    /// One label per topic, newest first.
    pub topics: Vec<TopicLabel>,
    /// While snoozed: when the conversation comes back on its own. Only an open conversation
    /// is snoozed; a customer message, closing it or the time coming ends the snooze.
    #[serde(default)]
    pub snoozed_until: Option<Millis>,
    /// When the conversation last came back from a snooze because its time came (not a
    /// customer message, which notifies by itself): desktops notify once for each value.
    #[serde(default)]
    pub woke_at: Option<Millis>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Author {
    Customer { customer_id: i64 },
    Staff { staff_id: i64 },
}

/// How a staff reply reached the customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "via", rename_all = "snake_case")]
pub enum Delivery {
    /// On the platform the customer wrote from.
    Platform { platform: Platform },
    /// The customer had left, so the reply was emailed to the address given at chat start.
    Email { address: String },
}

/// A product as shared in a message: a snapshot taken when it was sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ProductCard {
    pub product_id: i64,
    pub title: String,
    pub price: Money,
    pub image_url: Option<String>,
    pub url: String,
}

/// A discount code as shared in a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DiscountCard {
    pub discount_id: i64,
    pub code: String,
    pub summary: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    Image,
    Video,
}

/// An uploaded image or video, served at `url`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Attachment {
    pub upload_id: String,
    pub kind: MediaKind,
    pub mime: String,
    pub size: i64,
    /// Pixel size for images; `None` for videos.
    pub width: Option<i32>,
    pub height: Option<i32>,
    /// SHA-256 of the file, hex; clients cache attachments by it.
    pub sha256: String,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum MessageBody {
    Text {
        text: String,
    },
    Products {
        text: Option<String>,
        products: Vec<ProductCard>,
    },
    Discount {
        discount: DiscountCard,
    },
    Attachment {
        text: Option<String>,
        attachment: Attachment,
    },
}

impl MessageBody {
    /// Plain text of the message, for previews and search.
    pub fn text(&self) -> Option<&str> {
        match self {
            MessageBody::Text { text } => Some(text),
            MessageBody::Products { text, .. } | MessageBody::Attachment { text, .. } => {
                text.as_deref()
            }
            MessageBody::Discount { .. } => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Message {
    pub id: i64,
    pub conversation_id: i64,
    pub author: Author,
    pub body: MessageBody,
    /// For staff messages: how it reached the customer.
    pub delivery: Option<Delivery>,
    pub created_at: Millis,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum CartAction {
    Added,
    Removed,
}

/// Names shorter than this many characters appear in cart event descriptions.
pub const CART_EVENT_NAME_LIMIT: usize = 41;

/// The product name a cart event may show: only names of fewer than 41 characters (the seeds).
pub fn cart_event_product_name(name: &str) -> Option<&str> {
    (name.chars().count() < CART_EVENT_NAME_LIMIT).then_some(name)
}

/// A customer adding or removing a product while chatting, shown in the conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CartEvent {
    pub id: i64,
    pub conversation_id: i64,
    pub action: CartAction,
    pub product_id: i64,
    /// Present only when the product name is shorter than 41 characters.
    pub product_name: Option<String>,
    pub quantity: i64,
    pub created_at: Millis,
}

/// A customer placing an order from their chat, shown in the conversation as "Order #1234
/// placed". Its `id` is the order's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OrderEvent {
    pub id: i64,
    pub conversation_id: i64,
    pub order_id: i64,
    /// As staff say it, e.g. `#1234`.
    pub order_name: String,
    pub total: Money,
    pub created_at: Millis,
}

/// Someone at work in a conversation: a staff member viewing it or typing in it, or the
/// customer typing. Each lapses on its own at its time unless renewed (see
/// [`crate::VIEWING_TTL_MS`] and [`crate::TYPING_TTL_MS`]); leaving sets both to the moment
/// of leaving. Times are the server's. One row per conversation and person, so the feed holds
/// at most one change per pair however often it is renewed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Activity {
    pub id: i64,
    pub conversation_id: i64,
    /// The staff member, or `None` for the conversation's customer.
    pub staff_id: Option<i64>,
    /// Viewing until then (staff only; a customer's presence is `Conversation.customer_online`).
    pub viewing_until: Millis,
    /// Typing until then.
    pub typing_until: Millis,
    /// When it was last reported.
    pub at: Millis,
}

impl Activity {
    /// Typing at `now`.
    pub fn typing(&self, now: Millis) -> bool {
        self.typing_until > now
    }

    /// Viewing (typing included) at `now`.
    pub fn present(&self, now: Millis) -> bool {
        self.viewing_until > now || self.typing(now)
    }

    /// When it next changes on its own: when typing lapses, else when viewing does.
    pub fn lapses_at(&self, now: Millis) -> Option<Millis> {
        [self.typing_until, self.viewing_until]
            .into_iter()
            .filter(|&t| t > now)
            .min()
    }
}

/// The calling staff member's read state of one conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ReadState {
    pub conversation_id: i64,
    pub staff_id: i64,
    /// The newest message this staff member has seen.
    pub last_read_message_id: Option<i64>,
    /// Set by "mark as unread"; cleared when the conversation is read again.
    pub marked_unread: bool,
    pub updated_at: Millis,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum CustomerKind {
    New,
    Returning,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Customer {
    pub id: i64,
    pub name: String,
    pub email: String,
    /// Whether the customer proved the address (a code sent to it). A chat started with an
    /// email nobody proved has a customer record of its own, with no orders or notes of the
    /// shop's customer who has that email; staff see it marked "email not verified".
    #[serde(default = "proven")]
    pub email_verified: bool,
    pub phone: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    /// IANA time zone, for the customer's local time.
    pub time_zone: Option<String>,
    /// Returning once the customer has placed an order.
    pub kind: CustomerKind,
    pub customer_since: Millis,
    pub total_spent: Money,
    pub email_marketing: bool,
    pub sms_marketing: bool,
    /// Where staff manage the customer in the shop admin.
    pub admin_url: String,
}

/// Customers stored before verification existed were the shop's own.
fn proven() -> bool {
    true
}

/// An internal note on a customer, visible to staff only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Note {
    pub id: i64,
    pub customer_id: i64,
    pub author_id: i64,
    pub body: String,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// A reply the shop keeps for staff to insert in the composer, shared by every staff member: a
/// body with variables (`{customer.first_name}`, `{customer.name}`, `{shop.name}`,
/// `{staff.first_name}`) filled in for the conversation it goes to, and optionally products,
/// a discount code and an image sent with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SavedReply {
    pub id: i64,
    pub title: String,
    pub body: String,
    /// Up to [`crate::MAX_SHARED_PRODUCTS`] products, shared with the text.
    pub product_ids: Vec<i64>,
    pub discount_id: Option<i64>,
    /// An uploaded image (`POST /api/v1/uploads`) sent with the text.
    pub image_upload_id: Option<String>,
    /// Who last wrote it.
    pub author_id: i64,
    pub created_at: Millis,
    pub updated_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CartLine {
    pub product_id: i64,
    pub variant_id: i64,
    pub product_name: String,
    /// Variant options such as `Size: M`, `Colour: Blue`.
    pub options: Vec<String>,
    pub quantity: i64,
    pub unit_price: Money,
    /// Stock available for the variant now.
    pub available: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Cart {
    pub customer_id: i64,
    pub lines: Vec<CartLine>,
    pub subtotal: Money,
    /// A discount code applied from the chat; used at checkout.
    pub discount_code: Option<String>,
    /// When the customer last touched the cart.
    pub updated_at: Millis,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Opened (e.g. a draft or checkout in progress) but not paid.
    Open,
    Paid,
    Fulfilled,
    Cancelled,
    Refunded,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Order {
    pub id: i64,
    pub customer_id: i64,
    /// As staff say it, e.g. `#1042`.
    pub name: String,
    pub created_at: Millis,
    pub total: Money,
    pub status: OrderStatus,
    pub admin_url: String,
}

/// Orders newer than this are shown as the customer's last order.
pub const LAST_ORDER_WINDOW_DAYS: i64 = 60;

/// The most recent order placed or opened within the last 60 days, if any.
pub fn last_order_within_window(orders: &[Order], now: Millis) -> Option<&Order> {
    let since = now - LAST_ORDER_WINDOW_DAYS * 24 * 60 * 60 * 1000;
    orders
        .iter()
        .filter(|o| o.created_at >= since && o.created_at <= now)
        .max_by_key(|o| (o.created_at, o.id))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Variant {
    pub id: i64,
    pub title: String,
    pub options: Vec<String>,
    pub price: Money,
    pub stock: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Product {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub image_url: Option<String>,
    pub url: String,
    /// Only products available on the online store sales channel can be shared.
    pub online_store: bool,
    pub variants: Vec<Variant>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DiscountStatus {
    Active,
    Expired,
    Scheduled,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DiscountCode {
    pub id: i64,
    pub code: String,
    pub status: DiscountStatus,
    /// E.g. `15% off all products`.
    pub summary: String,
    pub starts_at: Millis,
    pub ends_at: Option<Millis>,
}

impl DiscountStatus {
    /// The status a code has at `now`, from its schedule.
    pub fn at(now: Millis, starts_at: Millis, ends_at: Option<Millis>) -> DiscountStatus {
        if now < starts_at {
            DiscountStatus::Scheduled
        } else if ends_at.is_some_and(|end| now >= end) {
            DiscountStatus::Expired
        } else {
            DiscountStatus::Active
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cart_event_names_show_below_41_characters() {
        let forty = "a".repeat(40);
        let forty_one = "a".repeat(41);
        assert_eq!(cart_event_product_name(&forty), Some(forty.as_str()));
        assert_eq!(cart_event_product_name(&forty_one), None);
        // Characters, not bytes: 40 Swedish letters are 80 bytes and still shown.
        let swedish = "ö".repeat(40);
        assert_eq!(cart_event_product_name(&swedish), Some(swedish.as_str()));
    }

    fn order(id: i64, created_at: Millis) -> Order {
        Order {
            id,
            customer_id: 1,
            name: format!("#{id}"),
            created_at,
            total: Money {
                minor: 100,
                currency: "SEK".into(),
            },
            status: OrderStatus::Paid,
            admin_url: String::new(),
        }
    }

    #[test]
    fn last_order_is_the_newest_within_60_days() {
        let day = 24 * 60 * 60 * 1000;
        let now = 1_000 * day;
        let orders = [
            order(1, now - 61 * day),
            order(2, now - 59 * day),
            order(3, now - 10 * day),
        ];
        assert_eq!(
            last_order_within_window(&orders, now).map(|o| o.id),
            Some(3)
        );
        assert_eq!(last_order_within_window(&orders[..1], now), None);
        assert_eq!(
            last_order_within_window(&[order(4, now - 60 * day)], now).map(|o| o.id),
            Some(4)
        );
    }

    #[test]
    fn discount_status_follows_its_schedule() {
        assert_eq!(DiscountStatus::at(5, 10, None), DiscountStatus::Scheduled);
        assert_eq!(DiscountStatus::at(10, 10, Some(20)), DiscountStatus::Active);
        assert_eq!(
            DiscountStatus::at(20, 10, Some(20)),
            DiscountStatus::Expired
        );
        assert_eq!(DiscountStatus::at(1_000, 10, None), DiscountStatus::Active);
    }
}
