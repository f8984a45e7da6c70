//! Every change staff and customers make to the shop, as functions over one write transaction.
//!
//! Each function validates, writes, and records its changes in the log ([`changes::touch`]) in
//! the same transaction, so the feed can never miss or half-see a change. HTTP, idempotency and
//! authentication live in the API layer; nothing here knows about requests.

use inbox_protocol::*;

use super::Tx;
use super::changes::{self, Kind};
use super::checkout;
use super::entities::{self as store, Shop, enum_key};
use crate::args;
use crate::checkout::{self as pricing, DiscountRule, Payment};
use crate::error::{Error, Result};
use crate::topics::{self, TopicClassifier};

fn check_text(text: &str, what: &str) -> Result<()> {
    if text.trim().is_empty() {
        return Err(Error::unprocessable(
            ProblemCode::MalformedPayload,
            format!("{what} is empty"),
        ));
    }
    let chars = text.chars().count();
    if chars > MAX_TEXT_CHARS {
        return Err(Error::unprocessable(
            ProblemCode::MalformedPayload,
            format!("{what} is {chars} characters long; the most is {MAX_TEXT_CHARS}"),
        ));
    }
    Ok(())
}

fn optional_text(text: Option<String>) -> Result<Option<String>> {
    match text {
        Some(t) if t.trim().is_empty() => Ok(None),
        Some(t) => {
            check_text(&t, "the text")?;
            Ok(Some(t))
        }
        None => Ok(None),
    }
}

pub fn conversation(tx: &Tx<'_>, id: i64) -> Result<Conversation> {
    store::conversation(tx, id)?.ok_or_else(|| Error::not_found("conversation"))
}

fn insert_message(
    tx: &Tx<'_>,
    conversation_id: i64,
    author_staff_id: Option<i64>,
    body: &MessageBody,
    delivery: Option<&Delivery>,
    now: Millis,
) -> Result<i64> {
    let delivery = delivery.map(serde_json::to_string).transpose()?;
    let id: i64 = tx.query_row(
        "INSERT INTO messages (conversation_id, author_staff_id, body, delivery, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
        args![
            conversation_id,
            author_staff_id,
            serde_json::to_string(body)?,
            delivery,
            now
        ],
        |r| r.get(0),
    )?;
    tx.execute(
        "UPDATE conversations SET last_message_at = ?2, updated_at = ?2 WHERE id = ?1",
        args![conversation_id, now],
    )?;
    changes::touch(tx, Kind::Message, id, 0)?;
    Ok(id)
}

/// A customer writes in their chat: the message is stored, a closed conversation reopens, a
/// snoozed one comes back (the message itself is the news), and the classifier may label it.
pub fn customer_message(
    tx: &Tx<'_>,
    classifier: &dyn TopicClassifier,
    conversation_id: i64,
    text: &str,
    now: Millis,
) -> Result<Message> {
    check_text(text, "the message")?;
    let id = insert_message(
        tx,
        conversation_id,
        None,
        &MessageBody::Text {
            text: text.to_owned(),
        },
        None,
        now,
    )?;
    tx.execute(
        "UPDATE conversations SET status = 'open', snoozed_until = NULL WHERE id = ?1",
        args![conversation_id],
    )?;
    if let Some(guess) = topics::label(classifier, text) {
        tx.execute("INSERT INTO conversation_topics (conversation_id, topic, confidence, message_id, labelled_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (conversation_id, topic) DO UPDATE SET
               confidence = excluded.confidence, message_id = excluded.message_id,
               labelled_at = excluded.labelled_at", args![conversation_id, guess.topic.key(), guess.confidence as f64, id, now])?;
    }
    // The conversation goes in the log before its message. The log keeps one row per entity,
    // so this commit replaces the row of an assignment made just before it; a reader that
    // takes both commits at once (a stream catching up, the fan-out woken once for both) must
    // see who the conversation belongs to before the message arrives, or a desktop decides
    // the message's notification on the old assignee and tells the wrong staff member.
    changes::touch(tx, Kind::Conversation, conversation_id, 0)?;
    changes::touch(tx, Kind::Message, id, 0)?;
    stop_typing(tx, conversation_id, Actor::Customer, now)?;
    store::message(tx, id)?.ok_or_else(|| Error::not_found("message"))
}

fn product_card(tx: &Tx<'_>, shop: &Shop, product_id: i64) -> Result<ProductCard> {
    let product = store::product(tx, shop, product_id)?.ok_or_else(|| {
        Error::unprocessable(
            ProblemCode::ProductUnavailable,
            format!("product {product_id} does not exist"),
        )
    })?;
    if !product.online_store {
        return Err(Error::unprocessable(
            ProblemCode::ProductUnavailable,
            format!(
                "“{}” is not available on the online store sales channel, so it can't be shared; \
                 make it available in the shop admin first",
                product.title
            ),
        ));
    }
    let price = product
        .variants
        .iter()
        .map(|v| v.price.clone())
        .min_by_key(|m| m.minor)
        .unwrap_or_else(|| shop.money(0));
    Ok(ProductCard {
        product_id,
        title: product.title,
        price,
        image_url: product.image_url,
        url: product.url,
    })
}

fn attachment(tx: &Tx<'_>, upload_id: &str) -> Result<Attachment> {
    store::upload(tx, upload_id)?.ok_or_else(|| {
        Error::unprocessable(
            ProblemCode::NotFound,
            format!("no upload {upload_id}; upload it first"),
        )
    })
}

fn message_body(tx: &Tx<'_>, shop: &Shop, send: SendMessage, now: Millis) -> Result<MessageBody> {
    Ok(match send {
        SendMessage::Text { text } => {
            check_text(&text, "the message")?;
            MessageBody::Text { text }
        }
        SendMessage::Products { text, product_ids } => {
            if product_ids.is_empty() {
                return Err(Error::unprocessable(
                    ProblemCode::NoProducts,
                    "choose at least one product to share",
                ));
            }
            if product_ids.len() > MAX_SHARED_PRODUCTS {
                return Err(Error::unprocessable(
                    ProblemCode::TooManyProducts,
                    format!(
                        "you can share up to {MAX_SHARED_PRODUCTS} products at a time; {} were chosen",
                        product_ids.len()
                    ),
                ));
            }
            let mut seen = Vec::new();
            let mut products = Vec::new();
            for id in product_ids {
                if !seen.contains(&id) {
                    seen.push(id);
                    products.push(product_card(tx, shop, id)?);
                }
            }
            MessageBody::Products {
                text: optional_text(text)?,
                products,
            }
        }
        SendMessage::Discount { discount_id } => {
            let code = store::discount(tx, discount_id, now)?.ok_or_else(|| {
                Error::unprocessable(ProblemCode::NotFound, "no such discount code")
            })?;
            if code.status != DiscountStatus::Active {
                let state = match code.status {
                    DiscountStatus::Expired => "has expired",
                    _ => "is scheduled and not active yet",
                };
                return Err(Error::unprocessable(
                    ProblemCode::DiscountInactive,
                    format!(
                        "the discount code {} {state}; update the code in the Shopify admin \
                         before sharing it",
                        code.code
                    ),
                ));
            }
            MessageBody::Discount {
                discount: DiscountCard {
                    discount_id,
                    code: code.code,
                    summary: code.summary,
                },
            }
        }
        SendMessage::Attachment { upload_id, text } => MessageBody::Attachment {
            text: optional_text(text)?,
            attachment: attachment(tx, &upload_id)?,
        },
    })
}

/// How a staff reply reaches the customer: back on their platform, or by email to the address
/// they gave at chat start when they have left the online store.
pub fn delivery_for(conversation: &Conversation) -> Delivery {
    if conversation.platform == Platform::OnlineStore && !conversation.customer_online {
        Delivery::Email {
            address: conversation.contact_email.clone(),
        }
    } else {
        Delivery::Platform {
            platform: conversation.platform,
        }
    }
}

/// The email a reply becomes when the customer has left the store.
pub(crate) fn email_text(body: &MessageBody) -> String {
    match body {
        MessageBody::Text { text } => text.clone(),
        MessageBody::Products { text, products } => {
            let mut out = text.clone().unwrap_or_default();
            for p in products {
                out.push_str(&format!(
                    "\n- {} ({} {:.2}) {}",
                    p.title,
                    p.price.currency,
                    p.price.minor as f64 / 100.0,
                    p.url
                ));
            }
            out.trim_start().to_owned()
        }
        MessageBody::Discount { discount } => {
            format!(
                "Here is a discount code for you: {} ({})",
                discount.code, discount.summary
            )
        }
        MessageBody::Attachment { text, attachment } => format!(
            "{}\n[{} attached: {}]",
            text.clone().unwrap_or_default(),
            enum_key(&attachment.kind),
            attachment.url
        )
        .trim_start()
        .to_owned(),
    }
}

/// A staff member replies, shares products, a discount code or an upload.
pub fn staff_message(
    tx: &Tx<'_>,
    shop: &Shop,
    staff_id: i64,
    conversation_id: i64,
    send: SendMessage,
    now: Millis,
) -> Result<Message> {
    let conv = conversation(tx, conversation_id)?;
    let body = message_body(tx, shop, send, now)?;
    let delivery = delivery_for(&conv);
    let id = insert_message(
        tx,
        conversation_id,
        Some(staff_id),
        &body,
        Some(&delivery),
        now,
    )?;
    if let Delivery::Email { address } = &delivery {
        let verified: bool = tx.query_row(
            "SELECT email_verified FROM customers WHERE id = ?1",
            args![conv.customer_id],
            |r| r.get(0),
        )?;
        let mut text = email_text(&body);
        if !verified {
            text.push_str(&format!(
                "\n\n--\nYou are getting this because someone started a chat at {} with this \
                 email address. If that wasn't you, you can ignore this email.",
                shop.name
            ));
        }
        tx.execute(
            "INSERT INTO email_outbox (kind, message_id, to_address, subject, body, created_at)
             VALUES ('reply', ?1, ?2, ?3, ?4, ?5)",
            args![
                id,
                address,
                format!("New reply from {}", shop.name),
                text,
                now
            ],
        )?;
    }
    // Writing a reply means the staff member has read the conversation up to here.
    write_read_state(tx, conversation_id, staff_id, Some(id), false, now)?;
    changes::touch(tx, Kind::Conversation, conversation_id, 0)?;
    stop_typing(tx, conversation_id, Actor::Staff(staff_id), now)?;
    store::message(tx, id)?.ok_or_else(|| Error::not_found("message"))
}

pub fn set_status(
    tx: &Tx<'_>,
    conversation_id: i64,
    status: ConversationStatus,
    now: Millis,
) -> Result<Conversation> {
    conversation(tx, conversation_id)?;
    // Closing ends a snooze: a closed conversation has nothing to come back to.
    tx.execute(
        "UPDATE conversations SET status = ?2, updated_at = ?3,
           snoozed_until = CASE WHEN ?2 = 'closed' THEN NULL ELSE snoozed_until END
         WHERE id = ?1",
        args![conversation_id, enum_key(&status), now],
    )?;
    changes::touch(tx, Kind::Conversation, conversation_id, 0)?;
    conversation(tx, conversation_id)
}

/// Snoozes an open conversation until `until` (after `now`, at most [`MAX_SNOOZE_MS`] ahead),
/// or ends its snooze with `None`. A closed conversation is refused: close or snooze, not both.
pub fn set_snooze(
    tx: &Tx<'_>,
    conversation_id: i64,
    until: Option<Millis>,
    now: Millis,
) -> Result<Conversation> {
    let current = conversation(tx, conversation_id)?;
    if let Some(until) = until {
        if current.status == ConversationStatus::Closed {
            return Err(Error::unprocessable(
                ProblemCode::ConversationClosed,
                "a closed conversation can't be snoozed; reopen it first",
            ));
        }
        if until <= now {
            return Err(Error::unprocessable(
                ProblemCode::MalformedPayload,
                "the snooze must end in the future",
            ));
        }
        if until - now > MAX_SNOOZE_MS {
            return Err(Error::unprocessable(
                ProblemCode::MalformedPayload,
                "a conversation can be snoozed for a year at most",
            ));
        }
    }
    tx.execute(
        "UPDATE conversations SET snoozed_until = ?2, updated_at = ?3 WHERE id = ?1",
        args![conversation_id, until, now],
    )?;
    changes::touch(tx, Kind::Conversation, conversation_id, 0)?;
    conversation(tx, conversation_id)
}

/// Brings back every conversation whose snooze has ended by `now`, marking when (`woke_at`),
/// so desktops tell whoever it concerns; returns how many. Safe on several instances at once:
/// a conversation woken by one is no longer snoozed for the next.
pub fn wake_snoozed(tx: &Tx<'_>, now: Millis) -> Result<usize> {
    let due: Vec<i64> = tx.query_map(
        "SELECT id FROM conversations
          WHERE snoozed_until IS NOT NULL AND snoozed_until <= ?1 ORDER BY id",
        args![now],
        |r| r.get(0),
    )?;
    for &id in &due {
        tx.execute(
            "UPDATE conversations SET snoozed_until = NULL, woke_at = ?2, updated_at = ?2
              WHERE id = ?1",
            args![id, now],
        )?;
        changes::touch(tx, Kind::Conversation, id, 0)?;
    }
    Ok(due.len())
}

pub fn set_assignee(
    tx: &Tx<'_>,
    conversation_id: i64,
    staff_id: Option<i64>,
    now: Millis,
) -> Result<Conversation> {
    conversation(tx, conversation_id)?;
    if let Some(staff_id) = staff_id {
        let staff = store::staff(tx, staff_id)?.ok_or_else(|| {
            Error::unprocessable(ProblemCode::NotFound, format!("no staff member {staff_id}"))
        })?;
        if !staff.can_chat() {
            return Err(Error::unprocessable(
                ProblemCode::StaffCannotChat,
                format!(
                    "{} doesn't have the online store chat permission, so chats can't be \
                     assigned to them",
                    staff.name
                ),
            ));
        }
    }
    tx.execute(
        "UPDATE conversations SET assignee_id = ?2, updated_at = ?3 WHERE id = ?1",
        args![conversation_id, staff_id, now],
    )?;
    changes::touch(tx, Kind::Conversation, conversation_id, 0)?;
    conversation(tx, conversation_id)
}

fn write_read_state(
    tx: &Tx<'_>,
    conversation_id: i64,
    staff_id: i64,
    last_read: Option<i64>,
    unread: bool,
    now: Millis,
) -> Result<()> {
    tx.execute("INSERT INTO read_states (conversation_id, staff_id, last_read_message_id, marked_unread, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (conversation_id, staff_id) DO UPDATE SET
           last_read_message_id = coalesce(excluded.last_read_message_id, read_states.last_read_message_id),
           marked_unread = excluded.marked_unread, updated_at = excluded.updated_at", args![conversation_id, staff_id, last_read, unread, now])?;
    changes::touch(tx, Kind::ReadState, conversation_id, staff_id)?;
    Ok(())
}

pub fn set_read_state(
    tx: &Tx<'_>,
    staff_id: i64,
    conversation_id: i64,
    request: SetReadState,
    now: Millis,
) -> Result<ReadState> {
    conversation(tx, conversation_id)?;
    let last_read = if request.unread {
        None
    } else if let Some(id) = request.last_read_message_id {
        let belongs: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM messages WHERE id = ?1 AND conversation_id = ?2)",
            args![id, conversation_id],
            |r| r.get(0),
        )?;
        if !belongs {
            return Err(Error::unprocessable(
                ProblemCode::NotFound,
                format!("message {id} is not in this conversation"),
            ));
        }
        Some(id)
    } else {
        tx.query_row(
            "SELECT max(id) FROM messages WHERE conversation_id = ?1",
            args![conversation_id],
            |r| r.get(0),
        )?
    };
    write_read_state(
        tx,
        conversation_id,
        staff_id,
        last_read,
        request.unread,
        now,
    )?;
    store::read_state(tx, conversation_id, staff_id)
}

fn customer_exists(tx: &Tx<'_>, customer_id: i64) -> Result<()> {
    let found: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM customers WHERE id = ?1)",
        args![customer_id],
        |r| r.get(0),
    )?;
    if found {
        Ok(())
    } else {
        Err(Error::not_found("customer"))
    }
}

fn note(tx: &Tx<'_>, customer_id: i64, note_id: i64) -> Result<Note> {
    match store::note_entity(tx, note_id)? {
        Some(Entity::Note(note)) if note.customer_id == customer_id => Ok(note),
        _ => Err(Error::not_found("note")),
    }
}

pub fn add_note(
    tx: &Tx<'_>,
    staff_id: i64,
    customer_id: i64,
    body: &str,
    now: Millis,
) -> Result<Note> {
    customer_exists(tx, customer_id)?;
    check_text(body, "the note")?;
    let id: i64 = tx.query_row(
        "INSERT INTO customer_notes (customer_id, author_id, body, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?4) RETURNING id",
        args![customer_id, staff_id, body, now],
        |r| r.get(0),
    )?;
    changes::touch(tx, Kind::Note, id, 0)?;
    note(tx, customer_id, id)
}

pub fn edit_note(
    tx: &Tx<'_>,
    customer_id: i64,
    note_id: i64,
    body: &str,
    now: Millis,
) -> Result<Note> {
    note(tx, customer_id, note_id)?;
    check_text(body, "the note")?;
    tx.execute(
        "UPDATE customer_notes SET body = ?2, updated_at = ?3 WHERE id = ?1",
        args![note_id, body, now],
    )?;
    changes::touch(tx, Kind::Note, note_id, 0)?;
    note(tx, customer_id, note_id)
}

pub fn delete_note(tx: &Tx<'_>, customer_id: i64, note_id: i64, now: Millis) -> Result<()> {
    note(tx, customer_id, note_id)?;
    tx.execute(
        "UPDATE customer_notes SET deleted_at = ?2, body = '' WHERE id = ?1",
        args![note_id, now],
    )?;
    changes::touch(tx, Kind::Note, note_id, 0)
}

fn saved_reply(tx: &Tx<'_>, id: i64) -> Result<SavedReply> {
    match store::saved_reply_entity(tx, id)? {
        Some(Entity::SavedReply(reply)) => Ok(reply),
        _ => Err(Error::not_found("saved reply")),
    }
}

/// Checks a saved reply as staff wrote it: a title and a body within their limits, at most
/// [`MAX_SHARED_PRODUCTS`] products that exist, a discount code and an image upload that
/// exist. Whether the products can be shared and the code is active is checked when the
/// reply is sent, as for products and codes chosen by hand: both change after the reply is
/// saved.
fn check_saved_reply(tx: &Tx<'_>, shop: &Shop, reply: &SavedReplyBody) -> Result<()> {
    let bounded = |text: &str, what: &str, max: usize| {
        let chars = text.chars().count();
        if text.trim().is_empty() {
            Err(Error::unprocessable(
                ProblemCode::MalformedPayload,
                format!("{what} is empty"),
            ))
        } else if chars > max {
            Err(Error::unprocessable(
                ProblemCode::MalformedPayload,
                format!("{what} is {chars} characters long; the most is {max}"),
            ))
        } else {
            Ok(())
        }
    };
    bounded(&reply.title, "the title", MAX_SAVED_REPLY_TITLE_CHARS)?;
    bounded(&reply.body, "the text", MAX_SAVED_REPLY_BODY_CHARS)?;
    if reply.product_ids.len() > MAX_SHARED_PRODUCTS {
        return Err(Error::unprocessable(
            ProblemCode::TooManyProducts,
            format!(
                "a saved reply can share up to {MAX_SHARED_PRODUCTS} products; {} were chosen",
                reply.product_ids.len()
            ),
        ));
    }
    for (i, id) in reply.product_ids.iter().enumerate() {
        if reply.product_ids[..i].contains(id) {
            return Err(Error::unprocessable(
                ProblemCode::MalformedPayload,
                format!("product {id} is chosen twice"),
            ));
        }
        if store::product(tx, shop, *id)?.is_none() {
            return Err(Error::unprocessable(
                ProblemCode::ProductUnavailable,
                format!("product {id} does not exist"),
            ));
        }
    }
    if let Some(id) = reply.discount_id
        && store::discount(tx, id, 0)?.is_none()
    {
        return Err(Error::unprocessable(
            ProblemCode::NotFound,
            "no such discount code",
        ));
    }
    if let Some(upload_id) = &reply.image_upload_id
        && attachment(tx, upload_id)?.kind != MediaKind::Image
    {
        return Err(Error::unprocessable(
            ProblemCode::UnsupportedMedia,
            "a saved reply can carry an image, not a video",
        ));
    }
    Ok(())
}

pub fn add_saved_reply(
    tx: &Tx<'_>,
    shop: &Shop,
    author_id: i64,
    reply: &SavedReplyBody,
    now: Millis,
) -> Result<SavedReply> {
    check_saved_reply(tx, shop, reply)?;
    let id: i64 = tx.query_row(
        "INSERT INTO saved_replies (title, body, product_ids, discount_id, image_upload_id,
                                    author_id, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) RETURNING id",
        args![
            reply.title.trim(),
            reply.body,
            serde_json::to_string(&reply.product_ids)?,
            reply.discount_id,
            reply.image_upload_id,
            author_id,
            now
        ],
        |r| r.get(0),
    )?;
    changes::touch(tx, Kind::SavedReply, id, 0)?;
    saved_reply(tx, id)
}

pub fn edit_saved_reply(
    tx: &Tx<'_>,
    shop: &Shop,
    author_id: i64,
    id: i64,
    reply: &SavedReplyBody,
    now: Millis,
) -> Result<SavedReply> {
    saved_reply(tx, id)?;
    check_saved_reply(tx, shop, reply)?;
    tx.execute(
        "UPDATE saved_replies SET title = ?2, body = ?3, product_ids = ?4, discount_id = ?5,
                image_upload_id = ?6, author_id = ?7, updated_at = ?8
          WHERE id = ?1",
        args![
            id,
            reply.title.trim(),
            reply.body,
            serde_json::to_string(&reply.product_ids)?,
            reply.discount_id,
            reply.image_upload_id,
            author_id,
            now
        ],
    )?;
    changes::touch(tx, Kind::SavedReply, id, 0)?;
    saved_reply(tx, id)
}

pub fn delete_saved_reply(tx: &Tx<'_>, id: i64, now: Millis) -> Result<()> {
    saved_reply(tx, id)?;
    tx.execute(
        "UPDATE saved_replies SET deleted_at = ?2, title = '', body = '', product_ids = '[]',
                discount_id = NULL, image_upload_id = NULL
          WHERE id = ?1",
        args![id, now],
    )?;
    changes::touch(tx, Kind::SavedReply, id, 0)
}

/// Whether a new chat may continue the customer's open conversation on the same platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resume {
    /// Always a new conversation, and a new unverified customer: anyone can type any email into
    /// a chat widget, so a storefront chat must never hand over an earlier conversation, cart
    /// or profile.
    Never,
    /// Continue the open one of the verified customer with that email (simulated customers,
    /// who are who they say).
    OpenConversation,
}

/// Starts a customer's chat on a platform: a storefront chat with a customer of its own until
/// the email is proven; a vouched-for channel's customer found by email or created.
pub fn start_chat(
    tx: &Tx<'_>,
    request: &StartChat,
    resume: Resume,
    now: Millis,
) -> Result<(i64, i64)> {
    let name = request.name.trim();
    let email = request.email.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(Error::unprocessable(
            ProblemCode::MalformedPayload,
            "give a name of 1 to 200 characters",
        ));
    }
    if !looks_like_email(email) {
        return Err(Error::unprocessable(
            ProblemCode::MalformedPayload,
            "give an email address we can reply to if you leave the chat",
        ));
    }
    // A storefront chat's email is a claim: it gets a customer of its own, linked to the
    // shop's customer with that email only once proven (`confirm_email`). Customers of other
    // channels come from integrations that vouch for them.
    let existing: Option<i64> = match resume {
        Resume::Never => None,
        Resume::OpenConversation => tx.query_opt(
            "SELECT id FROM customers WHERE email = ?1 AND email_verified = 1",
            args![email],
            |r| r.get(0),
        )?,
    };
    let customer_id = match existing {
        Some(id) => id,
        None => {
            let id: i64 = tx.query_row(
                "INSERT INTO customers (name, email, email_verified, created_at)
                 VALUES (?1, ?2, ?3, ?4) RETURNING id",
                args![name, email, resume != Resume::Never, now],
                |r| r.get(0),
            )?;
            changes::touch(tx, Kind::Customer, id, 0)?;
            id
        }
    };
    let platform = enum_key(&request.platform);
    let open: Option<i64> = if resume == Resume::Never {
        None
    } else {
        tx.query_opt(
            "SELECT id FROM conversations WHERE customer_id = ?1 AND platform = ?2
              AND status = 'open' ORDER BY id DESC LIMIT 1",
            args![customer_id, platform],
            |r| r.get(0),
        )?
    };
    let conversation_id = match open {
        Some(id) => {
            tx.execute(
                "UPDATE conversations SET contact_email = ?2, updated_at = ?3 WHERE id = ?1",
                args![id, email, now],
            )?;
            id
        }
        None => open_conversation(tx, customer_id, request.platform, email, now)?,
    };
    changes::touch(tx, Kind::Conversation, conversation_id, 0)?;
    Ok((customer_id, conversation_id))
}

/// A new, open conversation of a customer on a platform, with the address replies are emailed
/// to when they leave.
pub fn open_conversation(
    tx: &Tx<'_>,
    customer_id: i64,
    platform: Platform,
    contact_email: &str,
    now: Millis,
) -> Result<i64> {
    let id = tx.query_row(
        "INSERT INTO conversations (customer_id, platform, contact_email, created_at,
                                    updated_at, last_message_at)
         VALUES (?1, ?2, ?3, ?4, ?4, ?4) RETURNING id",
        args![customer_id, enum_key(&platform), contact_email, now],
        |r| r.get(0),
    )?;
    changes::touch(tx, Kind::Conversation, id, 0)?;
    Ok(id)
}

fn looks_like_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && email.len() <= 320
        && !email.chars().any(char::is_whitespace)
}

pub fn set_online(tx: &Tx<'_>, conversation_id: i64, online: bool) -> Result<()> {
    let changed = tx.execute(
        "UPDATE conversations SET customer_online = ?2 WHERE id = ?1 AND customer_online != ?2",
        args![conversation_id, online],
    )?;
    if changed > 0 {
        changes::touch(tx, Kind::Conversation, conversation_id, 0)?;
    }
    Ok(())
}

/// How long an emailed verification code works.
pub const VERIFICATION_TTL_MS: i64 = 15 * 60 * 1000;

/// Wrong tries a code allows before it is used up.
pub const VERIFICATION_TRIES: i64 = 5;

/// The soonest a chat may ask for another code.
pub const VERIFICATION_RESEND_MS: i64 = 30 * 1000;

fn verification_hash(conversation_id: i64, code: &str) -> Vec<u8> {
    crate::auth::token_hash(&format!("verify:{conversation_id}:{code}"))
}

fn verification_failed(detail: impl Into<String>) -> Error {
    Error::unprocessable(ProblemCode::VerificationFailed, detail)
}

/// Emails the chat's address a one-time code that proves it (`code` is made by the caller, so
/// tests can know it). The code is kept only as a hash.
pub fn request_verification(
    tx: &Tx<'_>,
    shop: &Shop,
    conversation_id: i64,
    code: &str,
    now: Millis,
) -> Result<VerificationSent> {
    let conv = conversation(tx, conversation_id)?;
    let verified: bool = tx.query_row(
        "SELECT email_verified FROM customers WHERE id = ?1",
        args![conv.customer_id],
        |r| r.get(0),
    )?;
    if verified {
        return Err(verification_failed("this chat's email is already verified"));
    }
    let last: Option<i64> = tx.query_opt(
        "SELECT sent_at FROM email_verifications WHERE conversation_id = ?1",
        args![conversation_id],
        |r| r.get(0),
    )?;
    if let Some(last) = last
        && now - last < VERIFICATION_RESEND_MS
    {
        let wait = ((VERIFICATION_RESEND_MS - (now - last)) / 1000).max(1) as u64;
        return Err(Error::RetryAfter {
            problem: Box::new(Problem::new(
                429,
                ProblemCode::RateLimited,
                format!("a code was just sent; ask for another in {wait} seconds"),
            )),
            seconds: wait,
        });
    }
    let expires_at = now + VERIFICATION_TTL_MS;
    tx.execute(
        "INSERT INTO email_verifications (conversation_id, code_hash, sent_at, expires_at, attempts)
         VALUES (?1, ?2, ?3, ?4, 0)
         ON CONFLICT (conversation_id) DO UPDATE SET
           code_hash = excluded.code_hash, sent_at = excluded.sent_at,
           expires_at = excluded.expires_at, attempts = 0",
        args![conversation_id, verification_hash(conversation_id, code), now, expires_at],
    )?;
    tx.execute(
        "INSERT INTO email_outbox (kind, message_id, to_address, subject, body, created_at)
         VALUES ('verification', NULL, ?1, ?2, ?3, ?4)",
        args![
            conv.contact_email,
            format!("Your code for the chat at {}", shop.name),
            format!(
                "Your code is {code}. Type it in the chat to show it's you; it works for 15 \
                 minutes.\n\nIf you didn't start a chat at {}, you can ignore this email.",
                shop.name
            ),
            now
        ],
    )?;
    Ok(VerificationSent {
        to: conv.contact_email,
        expires_at,
    })
}

/// The customer typed the code. A refusal (wrong, used-up or expired code) is the inner error:
/// it is committed like a success, so a wrong try counts even though the request fails.
///
/// On success the chat now belongs to the shop's customer with that email
/// (their profile, orders, notes and cart, with what this chat put in its cart added), or, if
/// the shop has none, its own customer becomes that verified customer.
pub fn confirm_email(
    tx: &Tx<'_>,
    conversation_id: i64,
    code: &str,
    now: Millis,
) -> Result<Result<ChatIdentity>> {
    let conv = conversation(tx, conversation_id)?;
    let pending: Option<(Vec<u8>, i64, i64)> = tx.query_opt(
        "SELECT code_hash, expires_at, attempts FROM email_verifications
              WHERE conversation_id = ?1",
        args![conversation_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let Some((hash, expires_at, attempts)) = pending else {
        return Ok(Err(verification_failed("ask for a code first")));
    };
    if expires_at <= now || attempts >= VERIFICATION_TRIES {
        tx.execute(
            "DELETE FROM email_verifications WHERE conversation_id = ?1",
            args![conversation_id],
        )?;
        return Ok(Err(verification_failed(
            "that code has expired or was tried too often; ask for a new one",
        )));
    }
    let code = code.trim().replace([' ', '-'], "");
    if verification_hash(conversation_id, &code) != hash {
        tx.execute(
            "UPDATE email_verifications SET attempts = attempts + 1 WHERE conversation_id = ?1",
            args![conversation_id],
        )?;
        let left = VERIFICATION_TRIES - attempts - 1;
        return Ok(Err(verification_failed(if left > 0 {
            format!("that code is not right; {left} tries left")
        } else {
            "that code is not right; ask for a new one".into()
        })));
    }
    tx.execute(
        "DELETE FROM email_verifications WHERE conversation_id = ?1",
        args![conversation_id],
    )?;
    let claimed = conv.customer_id;
    let email: String = tx.query_row(
        "SELECT email FROM customers WHERE id = ?1",
        args![claimed],
        |r| r.get(0),
    )?;
    let shop_customer: Option<i64> = tx.query_opt(
        "SELECT id FROM customers WHERE email = ?1 AND email_verified = 1 AND id != ?2",
        args![email, claimed],
        |r| r.get(0),
    )?;
    let Some(owner) = shop_customer else {
        tx.execute(
            "UPDATE customers SET email_verified = 1 WHERE id = ?1",
            args![claimed],
        )?;
        changes::touch(tx, Kind::Customer, claimed, 0)?;
        return Ok(Ok(ChatIdentity {
            customer_id: claimed,
            email_verified: true,
        }));
    };
    // Proven to be the shop's customer: this chat and its session move to them.
    tx.execute(
        "UPDATE conversations SET customer_id = ?2, updated_at = ?3 WHERE id = ?1",
        args![conversation_id, owner, now],
    )?;
    tx.execute(
        "UPDATE customer_sessions SET customer_id = ?2 WHERE customer_id = ?1",
        args![claimed, owner],
    )?;
    let moved_notes: Vec<i64> = tx.query_map(
        "SELECT id FROM customer_notes WHERE customer_id = ?1",
        args![claimed],
        |r| r.get(0),
    )?;
    tx.execute(
        "UPDATE customer_notes SET customer_id = ?2 WHERE customer_id = ?1",
        args![claimed, owner],
    )?;
    for note in moved_notes {
        changes::touch(tx, Kind::Note, note, 0)?;
    }
    // What the chat put in its cart joins the customer's cart, within the stock.
    tx.execute(
        "INSERT INTO cart_lines (customer_id, variant_id, quantity, added_at)
         SELECT ?2, l.variant_id,
                CASE WHEN l.quantity < v.stock THEN l.quantity ELSE v.stock END, l.added_at
           FROM cart_lines l JOIN variants v ON v.id = l.variant_id
          WHERE l.customer_id = ?1 AND v.stock > 0
         ON CONFLICT (customer_id, variant_id) DO UPDATE SET quantity = (
           SELECT CASE WHEN cart_lines.quantity + excluded.quantity < stock
                       THEN cart_lines.quantity + excluded.quantity ELSE stock END
             FROM variants WHERE id = excluded.variant_id)",
        args![claimed, owner],
    )?;
    let had_cart: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM carts WHERE customer_id = ?1)",
        args![claimed],
        |r| r.get(0),
    )?;
    if had_cart {
        tx.execute(
            "INSERT INTO carts (customer_id, discount_code, updated_at)
             SELECT ?2, discount_code, ?3 FROM carts WHERE customer_id = ?1
             ON CONFLICT (customer_id) DO UPDATE SET
               discount_code = coalesce(excluded.discount_code, carts.discount_code),
               updated_at = excluded.updated_at",
            args![claimed, owner, now],
        )?;
        tx.execute(
            "DELETE FROM cart_lines WHERE customer_id = ?1",
            args![claimed],
        )?;
        tx.execute("DELETE FROM carts WHERE customer_id = ?1", args![claimed])?;
        changes::touch(tx, Kind::Cart, owner, 0)?;
    }
    changes::touch(tx, Kind::Customer, owner, 0)?;
    changes::touch(tx, Kind::Conversation, conversation_id, 0)?;
    Ok(Ok(ChatIdentity {
        customer_id: owner,
        email_verified: true,
    }))
}

/// Ends a chat session on the server ("Not you? Start over", or a shared computer's next
/// visitor): its token stops working at once.
pub fn end_session(tx: &Tx<'_>, token_hash: &[u8], now: Millis) -> Result<()> {
    tx.execute(
        "UPDATE customer_sessions SET ended_at = ?2 WHERE token_hash = ?1 AND ended_at IS NULL",
        args![token_hash, now],
    )?;
    Ok(())
}

/// How long an idempotency key is remembered: far longer than any client retries a request
/// (inbox-core's outbox backs off to five minutes and keeps items across restarts; a desktop
/// that stays offline for longer than this should not replay its queue blindly).
pub const IDEMPOTENCY_HORIZON_MS: i64 = 90 * 24 * 60 * 60 * 1000;

/// How long an ended or expired sign-in is kept before it is forgotten, so "you signed out"
/// can still be told apart from "no such token" for a while.
pub const SESSION_AFTERLIFE_MS: i64 = 7 * 24 * 60 * 60 * 1000;

/// Forgets what is past keeping: idempotency keys past their horizon, staff tokens and chat
/// sessions that ended or expired a while ago, and expired verification codes. Returns how many
/// rows went.
pub fn prune(tx: &Tx<'_>, now: Millis) -> Result<usize> {
    let gone = now - SESSION_AFTERLIFE_MS;
    let mut removed = tx.execute(
        "DELETE FROM idempotency_keys WHERE created_at < ?1",
        args![now - IDEMPOTENCY_HORIZON_MS],
    )?;
    removed += tx.execute(
        "DELETE FROM staff_tokens WHERE expires_at < ?1 OR revoked_at < ?1",
        args![gone],
    )?;
    removed += tx.execute(
        "DELETE FROM customer_sessions WHERE expires_at < ?1 OR ended_at < ?1",
        args![gone],
    )?;
    removed += tx.execute(
        "DELETE FROM email_verifications WHERE expires_at < ?1",
        args![now],
    )?;
    removed += forget_activities(tx, now)?;
    Ok(removed)
}

/// Who an activity row belongs to: a staff member, or the conversation's customer (0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Staff(i64),
    Customer,
}

impl Actor {
    fn key(self) -> i64 {
        match self {
            Actor::Staff(id) => id,
            Actor::Customer => 0,
        }
    }
}

/// How long an activity row is kept after its last report; long lapsed by then.
pub const ACTIVITY_AFTERLIFE_MS: i64 = 10 * 60 * 1000;

/// Records what `actor` is doing in a conversation at `now`: viewing, typing (which is viewing
/// too, for staff), or neither (`None`: left, or stopped typing). A report that would change
/// nothing anyone sees is not written: the same activity renewed sooner than a third of its
/// lifetime (typing: [`TYPING_RENEW_MS`]) after the last write, or leaving when nothing
/// holds. Returns whether it wrote.
pub fn report_activity(
    tx: &Tx<'_>,
    conversation_id: i64,
    actor: Actor,
    activity: Option<ActivityKind>,
    now: Millis,
) -> Result<bool> {
    // Reported every few seconds per person: an existence check, not the whole conversation.
    if !tx.exists(
        "SELECT 1 FROM conversations WHERE id = ?1",
        args![conversation_id],
    )? {
        return Err(Error::not_found("conversation"));
    }
    let current: Option<(i64, Millis, Millis)> = tx.query_opt(
        "SELECT id, viewing_until, typing_until FROM activities
          WHERE conversation_id = ?1 AND staff_id = ?2",
        args![conversation_id, actor.key()],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let (viewing, typing) = current.map_or((0, 0), |(_, v, t)| (v, t));
    let staff = matches!(actor, Actor::Staff(_));
    let (viewing_until, typing_until) = match activity {
        None if viewing <= now && typing <= now => return Ok(false),
        None => (viewing.min(now), typing.min(now)),
        Some(ActivityKind::Viewing) if !staff => {
            return Err(Error::unprocessable(
                ProblemCode::MalformedPayload,
                "a customer's presence is their chat being open",
            ));
        }
        Some(ActivityKind::Viewing) => {
            if viewing - now > VIEWING_TTL_MS - VIEWING_TTL_MS / 3 {
                return Ok(false);
            }
            (now + VIEWING_TTL_MS, typing)
        }
        Some(ActivityKind::Typing) => {
            if typing - now > TYPING_TTL_MS - TYPING_RENEW_MS {
                return Ok(false);
            }
            let viewing_until = if staff {
                viewing.max(now + VIEWING_TTL_MS)
            } else {
                0
            };
            (viewing_until, now + TYPING_TTL_MS)
        }
    };
    let id: i64 = tx.query_row(
        "INSERT INTO activities (conversation_id, staff_id, viewing_until, typing_until, at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (conversation_id, staff_id) DO UPDATE SET
           viewing_until = excluded.viewing_until, typing_until = excluded.typing_until,
           at = excluded.at
         RETURNING id",
        args![
            conversation_id,
            actor.key(),
            viewing_until,
            typing_until,
            now
        ],
        |r| r.get(0),
    )?;
    changes::touch(tx, Kind::Activity, id, 0)?;
    Ok(true)
}

/// A message sent ends its author's typing (a staff member still views the conversation).
fn stop_typing(tx: &Tx<'_>, conversation_id: i64, actor: Actor, now: Millis) -> Result<()> {
    let id: Option<i64> = tx.query_opt(
        "UPDATE activities SET typing_until = ?3, at = ?3
          WHERE conversation_id = ?1 AND staff_id = ?2 AND typing_until > ?3
         RETURNING id",
        args![conversation_id, actor.key(), now],
        |r| r.get(0),
    )?;
    if let Some(id) = id {
        changes::touch(tx, Kind::Activity, id, 0)?;
    }
    Ok(())
}

/// Forgets activity rows nobody reported for [`ACTIVITY_AFTERLIFE_MS`], with their changes:
/// desktops stopped showing them long ago. Returns how many went.
fn forget_activities(tx: &Tx<'_>, now: Millis) -> Result<usize> {
    let before = now - ACTIVITY_AFTERLIFE_MS;
    tx.execute(
        "DELETE FROM changes WHERE kind = 'activity'
            AND entity_id IN (SELECT id FROM activities WHERE at < ?1)",
        args![before],
    )?;
    tx.execute("DELETE FROM activities WHERE at < ?1", args![before])
}

/// Marks every customer offline, as at start-up when no chat stream can be open yet.
/// Records that `instance` serves `streams` open chat streams of a conversation (none: it
/// serves none any more), until `expires_at` unless renewed, and sets the customer online
/// while any instance's unexpired lease says so.
pub fn hold_presence(
    tx: &Tx<'_>,
    conversation_id: i64,
    instance: &str,
    streams: usize,
    now: Millis,
    expires_at: Millis,
) -> Result<()> {
    if streams == 0 {
        tx.execute(
            "DELETE FROM presence_leases WHERE conversation_id = ?1 AND instance = ?2",
            args![conversation_id, instance],
        )?;
    } else {
        tx.execute(
            "INSERT INTO presence_leases (conversation_id, instance, streams, expires_at)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (conversation_id, instance) DO UPDATE SET
               streams = excluded.streams, expires_at = excluded.expires_at",
            args![conversation_id, instance, streams, expires_at],
        )?;
    }
    settle_presence(tx, conversation_id, now)
}

/// The customer is online while an unexpired lease holds an open stream.
fn settle_presence(tx: &Tx<'_>, conversation_id: i64, now: Millis) -> Result<()> {
    let online = tx.exists(
        "SELECT 1 FROM presence_leases WHERE conversation_id = ?1 AND expires_at > ?2",
        args![conversation_id, now],
    )?;
    set_online(tx, conversation_id, online)
}

/// An instance that is still running extends all its leases.
pub fn renew_presence(tx: &Tx<'_>, instance: &str, expires_at: Millis) -> Result<()> {
    tx.execute(
        "UPDATE presence_leases SET expires_at = ?2 WHERE instance = ?1",
        args![instance, expires_at],
    )?;
    Ok(())
}

/// Leases nobody renewed (their instance died) end, and their customers go offline unless
/// another instance still serves them. Returns how many ended.
pub fn expire_presence(tx: &Tx<'_>, now: Millis) -> Result<usize> {
    let expired: Vec<i64> = tx.query_map(
        "SELECT DISTINCT conversation_id FROM presence_leases WHERE expires_at <= ?1",
        args![now],
        |r| r.get(0),
    )?;
    tx.execute(
        "DELETE FROM presence_leases WHERE expires_at <= ?1",
        args![now],
    )?;
    for &conversation_id in &expired {
        settle_presence(tx, conversation_id, now)?;
    }
    Ok(expired.len())
}

/// Everyone offline and every lease gone: only for a shop this process serves alone (SQLite,
/// under the data-dir lock), where no lease can belong to anyone still running.
pub fn everyone_offline(tx: &Tx<'_>) -> Result<()> {
    tx.execute("DELETE FROM presence_leases", args![])?;
    let online: Vec<i64> = tx.query_map(
        "SELECT id FROM conversations WHERE customer_online = 1",
        args![],
        |r| r.get(0),
    )?;
    for id in online {
        set_online(tx, id, false)?;
    }
    Ok(())
}

/// A customer adds or removes a product; the cart changes and the event shows in their chat.
pub fn change_cart(
    tx: &Tx<'_>,
    customer_id: i64,
    conversation_id: i64,
    change: &CartChange,
    now: Millis,
) -> Result<CartEvent> {
    let quantity = change.quantity.unwrap_or(1);
    if !(1..=100).contains(&quantity) {
        return Err(Error::unprocessable(
            ProblemCode::MalformedPayload,
            "quantity must be between 1 and 100",
        ));
    }
    let (product_id, title, online, stock): (i64, String, bool, i64) = tx
        .query_opt(
            "SELECT p.id, p.title, p.online_store, v.stock FROM variants v
               JOIN products p ON p.id = v.product_id WHERE v.id = ?1",
            args![change.variant_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?
        .ok_or_else(|| Error::not_found("product variant"))?;
    let in_cart: i64 = tx
        .query_opt(
            "SELECT quantity FROM cart_lines WHERE customer_id = ?1 AND variant_id = ?2",
            args![customer_id, change.variant_id],
            |r| r.get(0),
        )?
        .unwrap_or(0);
    let moved = match change.action {
        CartAction::Added => {
            if !online {
                return Err(Error::unprocessable(
                    ProblemCode::ProductUnavailable,
                    "this product is not sold in the online store",
                ));
            }
            if in_cart + quantity > stock {
                return Err(Error::unprocessable(
                    ProblemCode::ProductUnavailable,
                    format!("only {stock} in stock"),
                ));
            }
            tx.execute(
                "INSERT INTO cart_lines (customer_id, variant_id, quantity, added_at)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (customer_id, variant_id) DO UPDATE SET quantity = cart_lines.quantity + ?3",
                args![customer_id, change.variant_id, quantity, now],
            )?;
            quantity
        }
        CartAction::Removed => {
            if in_cart == 0 {
                return Err(Error::not_found("cart line"));
            }
            let moved = quantity.min(in_cart);
            if moved == in_cart {
                tx.execute(
                    "DELETE FROM cart_lines WHERE customer_id = ?1 AND variant_id = ?2",
                    args![customer_id, change.variant_id],
                )?;
            } else {
                tx.execute(
                    "UPDATE cart_lines SET quantity = quantity - ?3
                      WHERE customer_id = ?1 AND variant_id = ?2",
                    args![customer_id, change.variant_id, moved],
                )?;
            }
            moved
        }
    };
    tx.execute(
        "INSERT INTO carts (customer_id, updated_at) VALUES (?1, ?2)
         ON CONFLICT (customer_id) DO UPDATE SET updated_at = ?2",
        args![customer_id, now],
    )?;
    changes::touch(tx, Kind::Cart, customer_id, 0)?;
    let event_id: i64 = tx.query_row("INSERT INTO cart_events (conversation_id, action, product_id, product_title, quantity, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id", args![conversation_id, enum_key(&change.action), product_id, title, moved, now], |r| r.get(0))?;
    changes::touch(tx, Kind::CartEvent, event_id, 0)?;
    tx.execute(
        "UPDATE conversations SET updated_at = ?2 WHERE id = ?1",
        args![conversation_id, now],
    )?;
    changes::touch(tx, Kind::Conversation, conversation_id, 0)?;
    store::cart_event(tx, event_id)?.ok_or_else(|| Error::not_found("cart event"))
}

/// A customer clicks a shared discount code: it is stored on their cart for checkout.
pub fn apply_discount(
    tx: &Tx<'_>,
    shop: &Shop,
    customer_id: i64,
    code: &str,
    now: Millis,
) -> Result<Cart> {
    let id: i64 = tx
        .query_opt(
            "SELECT id FROM discount_codes WHERE code = ?1",
            args![code.trim()],
            |r| r.get(0),
        )?
        .ok_or_else(|| Error::not_found("discount code"))?;
    let discount =
        store::discount(tx, id, now)?.ok_or_else(|| Error::not_found("discount code"))?;
    if discount.status != DiscountStatus::Active {
        return Err(Error::unprocessable(
            ProblemCode::DiscountInactive,
            format!("the code {} can't be used right now", discount.code),
        ));
    }
    tx.execute(
        "INSERT INTO carts (customer_id, discount_code, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (customer_id) DO UPDATE SET discount_code = ?2, updated_at = ?3",
        args![customer_id, discount.code, now],
    )?;
    changes::touch(tx, Kind::Cart, customer_id, 0)?;
    store::cart(tx, shop, customer_id)?.ok_or_else(|| Error::not_found("cart"))
}

/// A customer takes the discount code off their cart.
pub fn remove_discount(tx: &Tx<'_>, shop: &Shop, customer_id: i64, now: Millis) -> Result<Cart> {
    tx.execute(
        "UPDATE carts SET discount_code = NULL, updated_at = ?2 WHERE customer_id = ?1",
        args![customer_id, now],
    )?;
    changes::touch(tx, Kind::Cart, customer_id, 0)?;
    store::cart(tx, shop, customer_id)?.ok_or_else(|| Error::not_found("cart"))
}

fn check_field(value: &str, what: &str, most: usize) -> Result<()> {
    let chars = value.trim().chars().count();
    if chars == 0 || chars > most {
        return Err(Error::unprocessable(
            ProblemCode::MalformedPayload,
            format!("{what} must be 1 to {most} characters"),
        ));
    }
    Ok(())
}

fn check_order_details(order: &PlaceOrder) -> Result<()> {
    if !looks_like_email(order.email.trim()) {
        return Err(Error::unprocessable(
            ProblemCode::MalformedPayload,
            "the contact email is not an email address",
        ));
    }
    let address = &order.shipping_address;
    check_field(&address.name, "the name", 200)?;
    check_field(&address.line1, "the address", 200)?;
    if let Some(line2) = &address.line2
        && line2.chars().count() > 200
    {
        return Err(Error::unprocessable(
            ProblemCode::MalformedPayload,
            "the address's second line is over 200 characters",
        ));
    }
    check_field(&address.postal_code, "the postal code", 20)?;
    check_field(&address.city, "the city", 100)?;
    let country = address.country.trim();
    if country.len() != 2 || !country.chars().all(|c| c.is_ascii_alphabetic()) {
        return Err(Error::unprocessable(
            ProblemCode::MalformedPayload,
            "the country must be a two-letter code such as SE",
        ));
    }
    Ok(())
}

/// "Pay": the cart of `customer_id` becomes a paid order, priced as [`checkout::quote`] prices
/// it. Refused, with nothing written and the cart as it was, when the cart is empty, a line asks
/// for more than is in stock, the cart's code can't be used, or the test provider declines the
/// card. Otherwise, in this one transaction: the order and its lines, stock taken, the cart
/// emptied (its code too), and the order's event in the chat's conversation.
pub fn place_order(
    tx: &Tx<'_>,
    shop: &Shop,
    customer_id: i64,
    conversation_id: i64,
    order: &PlaceOrder,
    now: Millis,
) -> Result<OrderConfirmation> {
    check_order_details(order)?;
    let email = order.email.trim();
    let quote = checkout::quote(tx, shop, customer_id, &order.shipping_method, email, now)?
        .ok_or_else(|| Error::unprocessable(ProblemCode::CartEmpty, "your cart is empty"))?;
    for line in &quote.lines {
        if line.quantity > line.available {
            let detail = if line.available <= 0 {
                format!(
                    "“{}” is out of stock; remove it from your cart to place the order",
                    line.product_name
                )
            } else {
                format!(
                    "only {} of “{}” left in stock; change the quantity in your cart to place \
                     the order",
                    line.available, line.product_name
                )
            };
            return Err(Error::unprocessable(
                ProblemCode::ProductUnavailable,
                detail,
            ));
        }
    }
    if let Some(refused) = &quote.discount_refused {
        return Err(Error::unprocessable(
            refused.problem,
            format!("{}; remove it to place the order", refused.reason),
        ));
    }
    match pricing::charge(&order.card_number, quote.total.minor, now) {
        Payment::Charged => {}
        Payment::Declined => {
            return Err(Error::problem(
                axum::http::StatusCode::PAYMENT_REQUIRED,
                ProblemCode::PaymentDeclined,
                "your card was declined; nothing was charged and your cart is as it was",
            ));
        }
        Payment::UnknownCard => {
            return Err(Error::unprocessable(
                ProblemCode::MalformedPayload,
                "payments are in test mode: pay with 4242 4242 4242 4242 (charged) or \
                 4000 0000 0000 0002 (declined)",
            ));
        }
    }
    let number: i64 = tx.query_row(
        "SELECT coalesce(max(number), 1000) + 1 FROM orders",
        args![],
        |r| r.get(0),
    )?;
    let discount_code = quote.discount.as_ref().map(|d| d.code.clone());
    let discount_minor = quote.discount.as_ref().map_or(0, |d| d.amount.minor);
    let order_id: i64 = tx.query_row(
        "INSERT INTO orders (customer_id, number, created_at, total_minor, status,
                             conversation_id, contact_email, shipping_address, shipping_method,
                             subtotal_minor, discount_code, discount_minor, shipping_minor)
         VALUES (?1, ?2, ?3, ?4, 'paid', ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) RETURNING id",
        args![
            customer_id,
            number,
            now,
            quote.total.minor,
            conversation_id,
            email,
            serde_json::to_string(&order.shipping_address)?,
            quote.shipping.id,
            quote.subtotal.minor,
            discount_code,
            discount_minor,
            quote.shipping.price.minor
        ],
        |r| r.get(0),
    )?;
    for (position, line) in quote.lines.iter().enumerate() {
        tx.execute(
            "INSERT INTO order_lines (order_id, position, variant_id, product_title, options,
                                      quantity, unit_price_minor)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            args![
                order_id,
                position as i64,
                line.variant_id,
                line.product_name,
                serde_json::to_string(&line.options)?,
                line.quantity,
                line.unit_price.minor
            ],
        )?;
        // Checked again in the statement: writers are serialized, but stock is the one thing
        // two customers race for.
        let taken = tx.execute(
            "UPDATE variants SET stock = stock - ?2 WHERE id = ?1 AND stock >= ?2",
            args![line.variant_id, line.quantity],
        )?;
        if taken != 1 {
            return Err(Error::unprocessable(
                ProblemCode::ProductUnavailable,
                format!("“{}” is out of stock", line.product_name),
            ));
        }
    }
    tx.execute(
        "DELETE FROM cart_lines WHERE customer_id = ?1",
        args![customer_id],
    )?;
    tx.execute(
        "UPDATE carts SET discount_code = NULL, updated_at = ?2 WHERE customer_id = ?1",
        args![customer_id, now],
    )?;
    changes::touch(tx, Kind::Cart, customer_id, 0)?;
    changes::touch(tx, Kind::Order, order_id, 0)?;
    changes::touch(tx, Kind::OrderEvent, order_id, 0)?;
    changes::touch(tx, Kind::Customer, customer_id, 0)?;
    tx.execute(
        "UPDATE conversations SET updated_at = ?2 WHERE id = ?1",
        args![conversation_id, now],
    )?;
    changes::touch(tx, Kind::Conversation, conversation_id, 0)?;
    Ok(OrderConfirmation {
        order: store::order(tx, shop, order_id)?.ok_or_else(|| Error::not_found("order"))?,
        email: email.to_owned(),
        shipping_address: order.shipping_address.clone(),
        lines: quote.lines,
        subtotal: quote.subtotal,
        discount: quote.discount,
        shipping: quote.shipping,
        total: quote.total,
    })
}

/// A staff member signed in: their token (only its hash is kept) is good until `expires_at`.
pub fn add_staff_token(
    tx: &Tx<'_>,
    token_hash: &[u8],
    staff_id: i64,
    now: Millis,
    expires_at: Millis,
) -> Result<()> {
    tx.execute(
        "INSERT INTO staff_tokens (token_hash, staff_id, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4)",
        args![token_hash, staff_id, now, expires_at],
    )?;
    Ok(())
}

/// A staff member signed out: the token stops working.
pub fn revoke_staff_token(tx: &Tx<'_>, token_hash: &[u8], now: Millis) -> Result<()> {
    tx.execute(
        "UPDATE staff_tokens SET revoked_at = ?2 WHERE token_hash = ?1 AND revoked_at IS NULL",
        args![token_hash, now],
    )?;
    Ok(())
}

/// A chat started: its session token (only the hash is kept) speaks for the chat's customer.
pub fn add_chat_session(
    tx: &Tx<'_>,
    token_hash: &[u8],
    customer_id: i64,
    conversation_id: i64,
    now: Millis,
    expires_at: Millis,
) -> Result<()> {
    tx.execute(
        "INSERT INTO customer_sessions
           (token_hash, customer_id, conversation_id, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        args![token_hash, customer_id, conversation_id, now, expires_at],
    )?;
    Ok(())
}

/// Keeps the response to a request made with an idempotency key, so a retry gets it again.
pub fn remember_response(
    tx: &Tx<'_>,
    scope: &str,
    key: &str,
    request_hash: &str,
    status: u16,
    response: &str,
    now: Millis,
) -> Result<()> {
    tx.execute(
        "INSERT INTO idempotency_keys (scope, key, request_hash, status, response, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        args![scope, key, request_hash.as_bytes(), status, response, now],
    )?;
    Ok(())
}

/// An uploaded file's metadata; the file itself is in the media directory under its hash.
#[derive(Debug, Clone)]
pub struct NewUpload<'a> {
    pub id: &'a str,
    pub kind: MediaKind,
    pub mime: &'a str,
    pub size: u64,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub sha256: &'a str,
    pub uploader_id: i64,
}

pub fn add_upload(tx: &Tx<'_>, upload: &NewUpload<'_>, now: Millis) -> Result<()> {
    tx.execute(
        "INSERT INTO uploads (id, kind, mime, size, width, height, sha256, uploader_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        args![
            upload.id,
            enum_key(&upload.kind),
            upload.mime,
            upload.size,
            upload.width,
            upload.height,
            upload.sha256,
            upload.uploader_id,
            now
        ],
    )?;
    Ok(())
}

/// The relay took an email from the outbox.
pub fn mark_email_sent(tx: &Tx<'_>, email_id: i64, now: Millis) -> Result<()> {
    tx.execute(
        "UPDATE email_outbox SET sent_at = ?2 WHERE id = ?1",
        args![email_id, now],
    )?;
    Ok(())
}

/// Sets a shop setting.
pub fn set_meta(tx: &Tx<'_>, key: &str, value: &str) -> Result<()> {
    tx.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        args![key, value],
    )?;
    Ok(())
}

// ---- The shop's own records ------------------------------------------------------------------
//
// Staff, the catalog, customers and their orders belong to the shop platform; a shop server
// mirrors them. These are the writes an import from the platform (and the demo shop) makes.

/// A staff member of the shop.
#[derive(Debug, Clone)]
pub struct NewStaff<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub password_hash: &'a str,
    pub chat_permission: bool,
}

pub fn add_staff(tx: &Tx<'_>, staff: &NewStaff<'_>, now: Millis) -> Result<i64> {
    let id = tx.query_row(
        "INSERT INTO staff (email, name, password_hash, chat_permission, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
        args![
            staff.email,
            staff.name,
            staff.password_hash,
            staff.chat_permission,
            now
        ],
        |r| r.get(0),
    )?;
    changes::touch(tx, Kind::Staff, id, 0)?;
    Ok(id)
}

/// A product and its variants, in the order the shop lists them.
#[derive(Debug, Clone)]
pub struct NewProduct<'a> {
    pub title: &'a str,
    pub handle: &'a str,
    pub description: &'a str,
    /// An image under `/assets/products/`.
    pub image: Option<&'a str>,
    pub online_store: bool,
    pub variants: Vec<NewVariant<'a>>,
}

#[derive(Debug, Clone)]
pub struct NewVariant<'a> {
    pub title: &'a str,
    pub options: &'a [&'a str],
    pub price_minor: i64,
    pub stock: i64,
}

/// Returns the product's id and its variants' ids.
pub fn add_product(tx: &Tx<'_>, product: &NewProduct<'_>, now: Millis) -> Result<(i64, Vec<i64>)> {
    let id: i64 = tx.query_row(
        "INSERT INTO products (title, handle, description, image, online_store, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
        args![
            product.title,
            product.handle,
            product.description,
            product.image,
            product.online_store,
            now
        ],
        |r| r.get(0),
    )?;
    let mut variants = Vec::with_capacity(product.variants.len());
    for (position, variant) in product.variants.iter().enumerate() {
        variants.push(tx.query_row(
            "INSERT INTO variants (product_id, title, options, price_minor, stock, position)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
            args![
                id,
                variant.title,
                serde_json::to_string(variant.options)?,
                variant.price_minor,
                variant.stock,
                position
            ],
            |r| r.get(0),
        )?);
    }
    Ok((id, variants))
}

/// A discount code, active from `starts_at` until `ends_at` (for good when `None`), taking off
/// what `rule` says at checkout.
pub fn add_discount(
    tx: &Tx<'_>,
    code: &str,
    summary: &str,
    rule: &DiscountRule,
    starts_at: Millis,
    ends_at: Option<Millis>,
) -> Result<i64> {
    tx.query_row(
        "INSERT INTO discount_codes (code, summary, starts_at, ends_at, kind, value,
                                     minimum_subtotal_minor, once_per_customer)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id",
        args![
            code,
            summary,
            starts_at,
            ends_at,
            enum_key(&rule.kind),
            rule.value,
            rule.minimum_subtotal,
            rule.once_per_customer
        ],
        |r| r.get(0),
    )
}

/// One of the shop's own customers (their email is the shop's to vouch for).
#[derive(Debug, Clone)]
pub struct NewCustomer<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub phone: Option<&'a str>,
    pub city: Option<&'a str>,
    pub country: Option<&'a str>,
    pub time_zone: Option<&'a str>,
    pub email_marketing: bool,
    pub sms_marketing: bool,
}

pub fn add_customer(tx: &Tx<'_>, customer: &NewCustomer<'_>, now: Millis) -> Result<i64> {
    let id = tx.query_row(
        "INSERT INTO customers (name, email, phone, city, country, time_zone, created_at,
                                email_marketing, sms_marketing)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING id",
        args![
            customer.name,
            customer.email,
            customer.phone,
            customer.city,
            customer.country,
            customer.time_zone,
            now,
            customer.email_marketing,
            customer.sms_marketing
        ],
        |r| r.get(0),
    )?;
    changes::touch(tx, Kind::Customer, id, 0)?;
    Ok(id)
}

/// An order a customer placed; their order count and total spent change with it.
pub fn add_order(
    tx: &Tx<'_>,
    customer_id: i64,
    number: i64,
    total_minor: i64,
    status: OrderStatus,
    now: Millis,
) -> Result<i64> {
    customer_exists(tx, customer_id)?;
    let id = tx.query_row(
        "INSERT INTO orders (customer_id, number, created_at, total_minor, status)
         VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
        args![customer_id, number, now, total_minor, enum_key(&status)],
        |r| r.get(0),
    )?;
    changes::touch(tx, Kind::Order, id, 0)?;
    changes::touch(tx, Kind::Customer, customer_id, 0)?;
    Ok(id)
}

/// A cart line as the storefront holds it: `(variant id, quantity, added at)`.
pub type CartLineState = (i64, i64, Millis);

/// The storefront's cart of a customer, replaced whole: what is left after a checkout, an
/// abandoned cart's expiry, or a sync from the platform. An emptied cart stays as an empty
/// cart, so every desktop learns it was emptied.
pub fn set_cart(
    tx: &Tx<'_>,
    customer_id: i64,
    lines: &[CartLineState],
    discount_code: Option<&str>,
    now: Millis,
) -> Result<()> {
    customer_exists(tx, customer_id)?;
    tx.execute(
        "INSERT INTO carts (customer_id, discount_code, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (customer_id) DO UPDATE SET discount_code = ?2, updated_at = ?3",
        args![customer_id, discount_code, now],
    )?;
    tx.execute(
        "DELETE FROM cart_lines WHERE customer_id = ?1",
        args![customer_id],
    )?;
    for (variant_id, quantity, added_at) in lines {
        tx.execute(
            "INSERT INTO cart_lines (customer_id, variant_id, quantity, added_at)
             VALUES (?1, ?2, ?3, ?4)",
            args![customer_id, variant_id, quantity, added_at],
        )?;
    }
    changes::touch(tx, Kind::Cart, customer_id, 0)?;
    Ok(())
}

/// A reply emailed to a customer was handed to the relay at `at` (the demo's history, whose
/// replies went out when they were written).
pub fn mark_reply_emailed(tx: &Tx<'_>, message_id: i64, at: Millis) -> Result<()> {
    tx.execute(
        "UPDATE email_outbox SET sent_at = ?2 WHERE message_id = ?1 AND sent_at IS NULL",
        args![message_id, at],
    )?;
    Ok(())
}
