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

/// Longest saved reply title accepted, in characters.
pub const MAX_SAVED_REPLY_TITLE_CHARS: usize = 100;

/// Longest saved reply body accepted, in characters: room for the variables to be filled in
/// and still fit in one message.
pub const MAX_SAVED_REPLY_BODY_CHARS: usize = 2_000;

/// The furthest ahead a conversation can be snoozed: a year.
pub const MAX_SNOOZE_MS: Millis = 366 * 24 * 60 * 60 * 1000;

/// How long a report of viewing a conversation holds; the desktop renews it every
/// [`VIEWING_RENEW_MS`] while the conversation is on screen.
pub const VIEWING_TTL_MS: Millis = 45_000;
/// How often a desktop renews its viewing report.
pub const VIEWING_RENEW_MS: Millis = 20_000;
/// How long a report of typing holds; clients report at most every [`TYPING_RENEW_MS`] while
/// keys are pressed, so a pause longer than this reads as stopped.
pub const TYPING_TTL_MS: Millis = 6_000;
/// How often a client reports typing at most (the server writes no more often than this).
pub const TYPING_RENEW_MS: Millis = 3_000;

/// Longest email address accepted anywhere (RFC 5321's limit on a path), in characters.
pub const MAX_EMAIL_CHARS: usize = 320;

/// Longest password accepted at sign-in, in characters.
pub const MAX_PASSWORD_CHARS: usize = 1_024;

/// Largest JSON request body accepted, in bytes: room for the longest text escaped, never more.
pub const MAX_JSON_BODY_BYTES: usize = 64 * 1024;

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
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SignInRequest {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 320))]
    pub email: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 1024))]
    pub password: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Session {
    /// Opaque bearer token for `Authorization: Bearer`.
    pub token: String,
    pub expires_at: Millis,
    pub staff: Staff,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ShopInfo {
    pub name: String,
    pub currency: String,
    /// Identifies this shop's change history; a cursor from another history is refused.
    pub history_id: String,
    /// The shop's IANA time zone (`Europe/Stockholm`): "tomorrow 09:00" for a snooze means
    /// 09:00 there, wherever the staff member is.
    #[serde(default)]
    pub time_zone: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Me {
    pub staff: Staff,
    pub shop: ShopInfo,
}

/// One entity's full current state in the change feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
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
    SavedReply(SavedReply),
    SavedReplyDeleted { id: i64 },
    Activity(Activity),
    Cart(Cart),
    Order(Order),
    OrderEvent(OrderEvent),
}

/// On the wire `{"cursor": …, "entity": "message", "data": {…}}`: the entity's tag and content
/// sit beside the cursor. Serialized by the derive; deserialized by hand (below), because
/// serde's `flatten` first buffers every change into an intermediate tree and then decodes
/// that, which made decoding a big first sync about twice as slow.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Change {
    /// Resume after this change by passing it as `after` (or `Last-Event-ID`).
    pub cursor: String,
    #[serde(flatten)]
    pub entity: Entity,
}

/// The `entity` tag of a change: which [`Entity`] variant its `data` holds.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum EntityKind {
    Staff,
    Customer,
    Conversation,
    Message,
    CartEvent,
    ReadState,
    Note,
    NoteDeleted,
    SavedReply,
    SavedReplyDeleted,
    Activity,
    Cart,
    Order,
    OrderEvent,
    /// A kind this version doesn't know: a newer shop's.
    #[serde(other)]
    Unknown,
}

impl EntityKind {
    /// Decodes a change's `data` as this kind of entity.
    fn entity<'de, D: serde::Deserializer<'de>>(self, data: D) -> Result<Entity, D::Error> {
        use serde::de::Error;
        #[derive(Deserialize)]
        struct NoteDeleted {
            id: i64,
            customer_id: i64,
        }
        #[derive(Deserialize)]
        struct SavedReplyDeleted {
            id: i64,
        }
        Ok(match self {
            EntityKind::Staff => Entity::Staff(Deserialize::deserialize(data)?),
            EntityKind::Customer => Entity::Customer(Deserialize::deserialize(data)?),
            EntityKind::Conversation => Entity::Conversation(Deserialize::deserialize(data)?),
            EntityKind::Message => Entity::Message(Deserialize::deserialize(data)?),
            EntityKind::CartEvent => Entity::CartEvent(Deserialize::deserialize(data)?),
            EntityKind::ReadState => Entity::ReadState(Deserialize::deserialize(data)?),
            EntityKind::Note => Entity::Note(Deserialize::deserialize(data)?),
            EntityKind::NoteDeleted => {
                let NoteDeleted { id, customer_id } = Deserialize::deserialize(data)?;
                Entity::NoteDeleted { id, customer_id }
            }
            EntityKind::SavedReply => Entity::SavedReply(Deserialize::deserialize(data)?),
            EntityKind::SavedReplyDeleted => {
                let SavedReplyDeleted { id } = Deserialize::deserialize(data)?;
                Entity::SavedReplyDeleted { id }
            }
            EntityKind::Activity => Entity::Activity(Deserialize::deserialize(data)?),
            EntityKind::Cart => Entity::Cart(Deserialize::deserialize(data)?),
            EntityKind::Order => Entity::Order(Deserialize::deserialize(data)?),
            EntityKind::OrderEvent => Entity::OrderEvent(Deserialize::deserialize(data)?),
            EntityKind::Unknown => {
                return Err(D::Error::custom("an entity kind this version doesn't know"));
            }
        })
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for EntityKind {
    type Value = Entity;

    fn deserialize<D: serde::Deserializer<'de>>(self, data: D) -> Result<Entity, D::Error> {
        self.entity(data)
    }
}

impl<'de> Deserialize<'de> for Change {
    /// Decodes `data` straight into its entity when `entity` comes first, as every encoder of
    /// this type writes it; keys in another order still decode, through a `serde_json::Value`.
    /// Unknown keys are ignored, as the derived decoder did. An entity kind this version
    /// doesn't know is an error here; [`MaybeChange`] skips it instead.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        MaybeChange::deserialize(deserializer)?
            .0
            .ok_or_else(|| D::Error::custom("an entity kind this version doesn't know"))
    }
}

/// A change as a client decodes it from the feed or the live stream: `None` when its entity is
/// of a kind this version doesn't know (a newer shop's), so an older desktop skips what it
/// can't show instead of failing every sync until it is updated.
#[derive(Debug, Clone, PartialEq)]
pub struct MaybeChange(pub Option<Change>);

impl<'de> Deserialize<'de> for MaybeChange {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::{Error, IgnoredAny, MapAccess, Visitor};

        #[derive(Deserialize)]
        #[serde(field_identifier, rename_all = "snake_case")]
        enum Key {
            Cursor,
            Entity,
            Data,
            #[serde(other)]
            Other,
        }

        struct ChangeVisitor;

        impl<'de> Visitor<'de> for ChangeVisitor {
            type Value = MaybeChange;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a change: cursor, entity and data")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<MaybeChange, A::Error> {
                let mut cursor: Option<String> = None;
                let mut kind: Option<EntityKind> = None;
                let mut entity: Option<Entity> = None;
                let mut early: Option<serde_json::Value> = None;
                while let Some(key) = map.next_key::<Key>()? {
                    match key {
                        Key::Cursor if cursor.is_some() => {
                            return Err(A::Error::duplicate_field("cursor"));
                        }
                        Key::Cursor => cursor = Some(map.next_value()?),
                        Key::Entity if kind.is_some() => {
                            return Err(A::Error::duplicate_field("entity"));
                        }
                        Key::Entity => kind = Some(map.next_value()?),
                        Key::Data if entity.is_some() || early.is_some() => {
                            return Err(A::Error::duplicate_field("data"));
                        }
                        Key::Data => match kind {
                            Some(EntityKind::Unknown) => {
                                map.next_value::<IgnoredAny>()?;
                                early = Some(serde_json::Value::Null);
                            }
                            Some(kind) => entity = Some(map.next_value_seed(kind)?),
                            None => early = Some(map.next_value()?),
                        },
                        Key::Other => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                let cursor = cursor.ok_or_else(|| A::Error::missing_field("cursor"))?;
                let kind = kind.ok_or_else(|| A::Error::missing_field("entity"))?;
                if matches!(kind, EntityKind::Unknown) {
                    return Ok(MaybeChange(None));
                }
                let entity = match (entity, early) {
                    (Some(entity), _) => entity,
                    (None, Some(data)) => kind.entity(data).map_err(A::Error::custom)?,
                    (None, None) => return Err(A::Error::missing_field("data")),
                };
                Ok(MaybeChange(Some(Change { cursor, entity })))
            }
        }

        deserializer.deserialize_struct("Change", &["cursor", "entity", "data"], ChangeVisitor)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SyncPage {
    /// A newer shop may send entity kinds an older client doesn't know; clients skip those
    /// and go on.
    #[serde(deserialize_with = "known_changes")]
    pub changes: Vec<Change>,
    /// Pass as `after` for the next page; equal to the request's cursor when nothing is new.
    pub next_cursor: String,
    pub has_more: bool,
    /// With `count=true`: how many changes were left after the request's cursor, counting this
    /// page, for a progress bar. Counting costs the server a scan, so ask once per walk.
    pub remaining: Option<i64>,
}

/// The changes of a page, without those of entity kinds this version doesn't know.
fn known_changes<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<Change>, D::Error> {
    let all: Vec<MaybeChange> = Deserialize::deserialize(deserializer)?;
    Ok(all.into_iter().filter_map(|c| c.0).collect())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
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
        /// One to three; a fourth is refused with `too_many_products`.
        #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 3))]
        product_ids: Vec<i64>,
    },
    /// Share an active discount code.
    Discount { discount_id: i64 },
    /// Send an uploaded image or video, with optional text.
    Attachment {
        #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100))]
        upload_id: String,
        #[cfg_attr(feature = "openapi", schema(max_length = 5000))]
        text: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SetStatus {
    pub status: ConversationStatus,
}

/// What a staff member is doing in a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    /// The conversation is on screen.
    Viewing,
    /// Keys are being pressed in its composer (viewing too).
    Typing,
}

/// Reports what the caller is doing in a conversation; `activity: null` when it leaves the
/// screen. Every staff member sees it in the feed as an [`Activity`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ReportActivity {
    pub activity: Option<ActivityKind>,
}

/// Reports that the customer is typing in the chat (`true`, at most every
/// [`TYPING_RENEW_MS`]) or has stopped (`false`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerTyping {
    pub typing: bool,
}

/// Snoozes an open conversation until a time, or ends its snooze with `until: null`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SetSnooze {
    /// After now and at most [`MAX_SNOOZE_MS`] ahead.
    pub until: Option<Millis>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SetReadState {
    /// `true` marks the conversation unread for the caller; `false` marks it read up to
    /// `last_read_message_id` (or the newest message when absent).
    pub unread: bool,
    pub last_read_message_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SetAssignee {
    /// `None` unassigns: every staff member is notified again.
    pub staff_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct NoteBody {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 5000))]
    pub body: String,
}

/// A saved reply as staff write it in Settings; create and edit take the same body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SavedReplyBody {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100))]
    pub title: String,
    /// May hold `{customer.first_name}`, `{customer.name}`, `{shop.name}`, `{staff.first_name}`.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 2000))]
    pub body: String,
    /// Up to three products; a fourth is refused with `too_many_products`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 3))]
    pub product_ids: Vec<i64>,
    #[serde(default)]
    pub discount_id: Option<i64>,
    /// An image uploaded with `POST /api/v1/uploads`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub image_upload_id: Option<String>,
}

/// What a saved reply brings with it, as the shop has it now: its products, its discount code
/// with today's status (an expired one is refused when shared, as one chosen by hand) and its
/// image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SavedReplyDetail {
    pub saved_reply: SavedReply,
    /// In the reply's order; a product that no longer exists is left out.
    pub products: Vec<Product>,
    pub discount: Option<DiscountCode>,
    pub image: Option<Attachment>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ConversationDetail {
    pub conversation: Conversation,
    pub messages: Vec<Message>,
    pub cart_events: Vec<CartEvent>,
    /// Orders placed from this chat.
    #[serde(default)]
    pub order_events: Vec<OrderEvent>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
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
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ProductList {
    pub products: Vec<Product>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DiscountList {
    pub discounts: Vec<DiscountCode>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StaffList {
    pub staff: Vec<Staff>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Health {
    pub status: String,
    pub version: String,
}

// ---- Storefront (customer) side ----

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StartChat {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 3, max_length = 320))]
    pub email: String,
    /// Always `online_store`: a storefront chat is an online store chat, and other platforms'
    /// conversations come only from their channel integrations.
    pub platform: Platform,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ChatSession {
    /// Bearer token for the storefront endpoints; it reaches this one chat only.
    pub token: String,
    pub conversation_id: i64,
    pub customer_id: i64,
    /// False until the customer proves their email with a code
    /// (`POST /storefront/conversations/{id}/verification`); until then the chat sees only the
    /// cart it made itself, never the shop's customer with that email.
    #[serde(default)]
    pub email_verified: bool,
    /// When the token stops working; the widget then starts a new chat.
    #[serde(default)]
    pub expires_at: Millis,
}

/// A verification code is on its way to the chat's email address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct VerificationSent {
    pub to: String,
    /// The code works until then.
    pub expires_at: Millis,
}

/// The code the customer received by email.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ConfirmEmail {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 20))]
    pub code: String,
}

/// Who the chat is, after a verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ChatIdentity {
    pub customer_id: i64,
    pub email_verified: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CustomerText {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 5000))]
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CartChange {
    pub variant_id: i64,
    pub action: CartAction,
    /// How many to add or remove; 1 when absent.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 100))]
    pub quantity: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ApplyDiscount {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100))]
    pub code: String,
}

/// What the chat widget shows: the messages and cart events of its own chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ChatTranscript {
    pub conversation_id: i64,
    pub messages: Vec<Message>,
    pub cart_events: Vec<CartEvent>,
    /// Orders placed from this chat.
    #[serde(default)]
    pub order_events: Vec<OrderEvent>,
    pub cart: Option<Cart>,
}

/// A live event on the storefront's stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "event", content = "data", rename_all = "snake_case")]
pub enum ChatEvent {
    Message(Message),
    CartEvent(CartEvent),
    Cart(Cart),
    OrderEvent(OrderEvent),
}

// ---- Checkout (storefront) ----

/// The card that succeeds in the storefront's test payment mode.
pub const TEST_CARD_SUCCEEDS: &str = "4242424242424242";

/// The card that is declined in the storefront's test payment mode.
pub const TEST_CARD_DECLINED: &str = "4000000000000002";

/// A way to ship an order, with its price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ShippingOption {
    /// `standard` or `express`.
    pub id: String,
    pub name: String,
    pub price: Money,
}

/// A cart line as checkout prices it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CheckoutLine {
    pub product_id: i64,
    pub variant_id: i64,
    pub product_name: String,
    pub options: Vec<String>,
    pub quantity: i64,
    pub unit_price: Money,
    /// `unit_price` times `quantity`.
    pub line_total: Money,
    /// Stock available now; a line asking for more is refused at checkout.
    pub available: i64,
}

/// The cart's discount code, applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AppliedDiscount {
    pub code: String,
    pub summary: String,
    /// Taken off the subtotal (or the shipping, for a free-shipping code).
    pub amount: Money,
}

/// The cart's discount code, which can't be used for this order, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RefusedDiscount {
    pub code: String,
    /// `discount_inactive` (expired or not started) or `discount_not_applicable`.
    pub problem: crate::ProblemCode,
    /// For the customer: why, in a sentence.
    pub reason: String,
}

/// What the checkout page shows: every amount computed by the shop, never by the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CheckoutQuote {
    pub lines: Vec<CheckoutLine>,
    pub subtotal: Money,
    pub discount: Option<AppliedDiscount>,
    /// Set when the cart holds a code that this order can't use; placing the order is refused
    /// until the code is removed or the order qualifies.
    pub discount_refused: Option<RefusedDiscount>,
    pub shipping_options: Vec<ShippingOption>,
    /// The chosen way to ship.
    pub shipping: ShippingOption,
    pub total: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ShippingAddress {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub line1: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub line2: Option<String>,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 20))]
    pub postal_code: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100))]
    pub city: String,
    /// ISO 3166-1 alpha-2, e.g. `SE`.
    #[cfg_attr(feature = "openapi", schema(min_length = 2, max_length = 2))]
    pub country: String,
}

/// "Pay": place an order for the cart as it is. Safe to retry with the same `Idempotency-Key`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PlaceOrder {
    #[cfg_attr(feature = "openapi", schema(min_length = 3, max_length = 320))]
    pub email: String,
    pub shipping_address: ShippingAddress,
    /// A [`ShippingOption`] id.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 40))]
    pub shipping_method: String,
    /// Test mode: [`TEST_CARD_SUCCEEDS`] is charged, [`TEST_CARD_DECLINED`] is declined;
    /// spaces are ignored.
    #[cfg_attr(feature = "openapi", schema(min_length = 12, max_length = 23))]
    pub card_number: String,
}

/// A placed order, for its confirmation page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OrderConfirmation {
    pub order: Order,
    pub email: String,
    pub shipping_address: ShippingAddress,
    pub lines: Vec<CheckoutLine>,
    pub subtotal: Money,
    pub discount: Option<AppliedDiscount>,
    pub shipping: ShippingOption,
    pub total: Money,
}

/// An email the shop sent (or would send) to a customer who had left the chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OutgoingEmail {
    pub id: i64,
    /// The staff reply it carries; `None` for a verification code.
    pub message_id: Option<i64>,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub created_at: Millis,
    /// When an SMTP server accepted it; `None` while it is only kept in the outbox.
    pub sent_at: Option<Millis>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct EmailOutbox {
    pub emails: Vec<OutgoingEmail>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_of_a_kind_this_version_does_not_know_is_skipped_not_fatal() {
        let page = r#"{"changes": [
            {"cursor": "h.1", "entity": "saved_reply_deleted", "data": {"id": 4}},
            {"cursor": "h.2", "entity": "poll", "data": {"id": 9, "question": {"nested": [1]}}},
            {"data": {"anything": true}, "cursor": "h.3", "entity": "reaction"},
            {"cursor": "h.4", "entity": "note_deleted", "data": {"id": 5, "customer_id": 6}}
        ], "next_cursor": "h.4", "has_more": false, "remaining": null}"#;
        let page: SyncPage = serde_json::from_str(page).unwrap();
        assert_eq!(
            page.changes,
            vec![
                Change {
                    cursor: "h.1".into(),
                    entity: Entity::SavedReplyDeleted { id: 4 }
                },
                Change {
                    cursor: "h.4".into(),
                    entity: Entity::NoteDeleted {
                        id: 5,
                        customer_id: 6
                    }
                },
            ]
        );
        let live = r#"{"cursor": "h.2", "entity": "poll", "data": {"id": 9}}"#;
        assert_eq!(
            serde_json::from_str::<MaybeChange>(live).unwrap(),
            MaybeChange(None)
        );
        assert!(
            serde_json::from_str::<Change>(live).is_err(),
            "a lone change must be known"
        );
        // A known kind that doesn't decode is still an error, not skipped.
        let broken = r#"{"changes": [{"cursor": "h.1", "entity": "saved_reply_deleted", "data": {}}],
                         "next_cursor": "h.1", "has_more": false, "remaining": null}"#;
        assert!(serde_json::from_str::<SyncPage>(broken).is_err());
    }

    /// The decoder `Change` had before its hand-written one: the reference to agree with.
    #[derive(Debug, PartialEq, Deserialize)]
    struct Flattened {
        cursor: String,
        #[serde(flatten)]
        entity: Entity,
    }

    fn one_of_each() -> Vec<Entity> {
        let money = Money {
            minor: 34_900,
            currency: "SEK".into(),
        };
        vec![
            Entity::Staff(Staff {
                id: 1,
                name: "Åsa Öberg".into(),
                email: "asa@example.se".into(),
                permissions: vec![Permission::OnlineStoreChat],
            }),
            Entity::Customer(Customer {
                id: 7,
                name: "Göran Sjöberg".into(),
                email: "goran@example.se".into(),
                email_verified: true,
                phone: None,
                city: Some("Umeå".into()),
                country: Some("SE".into()),
                time_zone: None,
                kind: CustomerKind::Returning,
                customer_since: 5,
                total_spent: money.clone(),
                email_marketing: true,
                sms_marketing: false,
                admin_url: "https://admin.example/customers/7".into(),
            }),
            Entity::Conversation(Conversation {
                id: 3,
                customer_id: 7,
                platform: Platform::Instagram,
                status: ConversationStatus::Closed,
                assignee_id: Some(1),
                contact_email: "goran@example.se".into(),
                customer_online: false,
                created_at: 1,
                updated_at: 2,
                last_message_at: 2,
                topics: Vec::new(),
                snoozed_until: Some(9),
                woke_at: Some(4),
            }),
            Entity::Message(Message {
                id: 11,
                conversation_id: 3,
                author: Author::Staff { staff_id: 1 },
                body: MessageBody::Text {
                    text: "Hej! \"Citat\", tab\t och ny\nrad".into(),
                },
                delivery: Some(Delivery::Email {
                    address: "goran@example.se".into(),
                }),
                created_at: 2,
            }),
            Entity::CartEvent(CartEvent {
                id: 4,
                conversation_id: 3,
                action: CartAction::Added,
                product_id: 9,
                product_name: Some("Ullfilt".into()),
                quantity: 2,
                created_at: 3,
            }),
            Entity::ReadState(ReadState {
                conversation_id: 3,
                staff_id: 1,
                last_read_message_id: Some(11),
                marked_unread: false,
                updated_at: 4,
            }),
            Entity::Note(Note {
                id: 5,
                customer_id: 7,
                author_id: 1,
                body: "Vill ha kvitto".into(),
                created_at: 5,
                updated_at: 6,
            }),
            Entity::NoteDeleted {
                id: 5,
                customer_id: 7,
            },
            Entity::SavedReply(SavedReply {
                id: 2,
                title: "Leverans".into(),
                body: "Hej {customer.first_name}! Paketet är på väg.".into(),
                product_ids: vec![9, 10],
                discount_id: Some(4),
                image_upload_id: Some("up_abc".into()),
                author_id: 1,
                created_at: 5,
                updated_at: 6,
            }),
            Entity::SavedReplyDeleted { id: 2 },
            Entity::Cart(Cart {
                customer_id: 7,
                lines: Vec::new(),
                subtotal: money.clone(),
                discount_code: None,
                updated_at: 7,
            }),
            Entity::Order(Order {
                id: 1042,
                customer_id: 7,
                name: "#1042".into(),
                created_at: 8,
                total: money.clone(),
                status: OrderStatus::Paid,
                admin_url: String::new(),
            }),
            Entity::OrderEvent(OrderEvent {
                id: 1042,
                conversation_id: 3,
                order_id: 1042,
                order_name: "#1042".into(),
                total: money,
                created_at: 8,
            }),
        ]
    }

    #[test]
    fn every_kind_of_change_decodes_as_encoded() {
        for (i, entity) in one_of_each().into_iter().enumerate() {
            let change = Change {
                cursor: format!("c{i}"),
                entity,
            };
            let json = serde_json::to_string(&change).unwrap();
            assert!(json.starts_with(&format!("{{\"cursor\":\"c{i}\",\"entity\":")));
            let decoded: Change = serde_json::from_str(&json).unwrap();
            assert_eq!(decoded, change);
            let reference: Flattened = serde_json::from_str(&json).unwrap();
            assert_eq!(reference.entity, change.entity);
        }
    }

    #[test]
    fn keys_in_any_order_and_unknown_keys_decode_as_before() {
        let data = r#"{"id":5,"customer_id":7}"#;
        let documents = [
            format!(r#"{{"cursor":"a","entity":"note_deleted","data":{data}}}"#),
            format!(r#"{{"data":{data},"entity":"note_deleted","cursor":"a"}}"#),
            format!(r#"{{"entity":"note_deleted","data":{data},"cursor":"a","new":[1,{{}}]}}"#),
            format!(r#"{{"data":{data},"since":null,"cursor":"a","entity":"note_deleted"}}"#),
        ];
        for json in &documents {
            let change: Change = serde_json::from_str(json).unwrap();
            let reference: Flattened = serde_json::from_str(json).unwrap();
            assert_eq!(change.cursor, "a");
            assert_eq!(
                change.entity,
                Entity::NoteDeleted {
                    id: 5,
                    customer_id: 7
                }
            );
            assert_eq!(change.entity, reference.entity, "{json}");
        }
    }

    #[test]
    fn incomplete_or_wrong_changes_are_refused() {
        let refused = [
            r#"{"entity":"note_deleted","data":{"id":5,"customer_id":7}}"#,
            r#"{"cursor":"a","data":{"id":5,"customer_id":7}}"#,
            r#"{"cursor":"a","entity":"note_deleted"}"#,
            r#"{"cursor":"a","entity":"unheard_of","data":{}}"#,
            r#"{"cursor":"a","entity":"message","data":{"id":5,"customer_id":7}}"#,
            r#"{"data":{"id":5},"cursor":"a","entity":"note_deleted"}"#,
            r#"{"cursor":"a","cursor":"b","entity":"note_deleted","data":{"id":5,"customer_id":7}}"#,
            r#"["a","note_deleted",{"id":5,"customer_id":7}]"#,
        ];
        for json in refused {
            assert!(serde_json::from_str::<Change>(json).is_err(), "{json}");
            assert!(serde_json::from_str::<Flattened>(json).is_err(), "{json}");
        }
    }
}
