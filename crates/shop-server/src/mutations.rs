//! Every change staff and customers make to the shop, as functions over one write transaction.
//!
//! Each function validates, writes, and records its changes in the log ([`changes::touch`]) in
//! the same transaction, so the feed can never miss or half-see a change. HTTP, idempotency and
//! authentication live in the API layer; nothing here knows about requests.

use inbox_protocol::*;
use rusqlite::{OptionalExtension, Transaction, params};

use crate::changes::{self, Kind};
use crate::error::{Error, Result};
use crate::store::{self, Shop, enum_key, now_ms};
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

pub fn conversation(tx: &Transaction<'_>, id: i64) -> Result<Conversation> {
    store::conversation(tx, id)?.ok_or_else(|| Error::not_found("conversation"))
}

fn insert_message(
    tx: &Transaction<'_>,
    conversation_id: i64,
    author_staff_id: Option<i64>,
    body: &MessageBody,
    delivery: Option<&Delivery>,
    now: Millis,
) -> Result<i64> {
    let delivery = delivery.map(serde_json::to_string).transpose()?;
    tx.prepare_cached(
        "INSERT INTO messages (conversation_id, author_staff_id, body, delivery, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        conversation_id,
        author_staff_id,
        serde_json::to_string(body)?,
        delivery,
        now
    ])?;
    let id = tx.last_insert_rowid();
    tx.prepare_cached(
        "UPDATE conversations SET last_message_at = ?2, updated_at = ?2 WHERE id = ?1",
    )?
    .execute(params![conversation_id, now])?;
    changes::touch(tx, Kind::Message, id, 0)?;
    Ok(id)
}

/// A customer writes in their chat: the message is stored, a closed conversation reopens, and
/// the classifier may label it.
pub fn customer_message(
    tx: &Transaction<'_>,
    classifier: &dyn TopicClassifier,
    conversation_id: i64,
    text: &str,
) -> Result<Message> {
    check_text(text, "the message")?;
    let now = now_ms();
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
    tx.prepare_cached("UPDATE conversations SET status = 'open' WHERE id = ?1")?
        .execute([conversation_id])?;
    if let Some(guess) = topics::label(classifier, text) {
        tx.prepare_cached(
            "INSERT INTO conversation_topics (conversation_id, topic, confidence, message_id, labelled_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (conversation_id, topic) DO UPDATE SET
               confidence = excluded.confidence, message_id = excluded.message_id,
               labelled_at = excluded.labelled_at",
        )?
        .execute(params![conversation_id, guess.topic.key(), guess.confidence as f64, id, now])?;
    }
    changes::touch(tx, Kind::Conversation, conversation_id, 0)?;
    store::message(tx, id)?.ok_or_else(|| Error::not_found("message"))
}

fn product_card(tx: &Transaction<'_>, shop: &Shop, product_id: i64) -> Result<ProductCard> {
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

fn attachment(tx: &Transaction<'_>, upload_id: &str) -> Result<Attachment> {
    tx.prepare_cached(
        "SELECT id, kind, mime, size, width, height, sha256 FROM uploads WHERE id = ?1",
    )?
    .query_row([upload_id], |r| {
        let id: String = r.get(0)?;
        let kind: String = r.get(1)?;
        Ok(Attachment {
            url: format!("/media/{id}"),
            upload_id: id,
            kind: if kind == "video" {
                MediaKind::Video
            } else {
                MediaKind::Image
            },
            mime: r.get(2)?,
            size: r.get(3)?,
            width: r.get(4)?,
            height: r.get(5)?,
            sha256: r.get(6)?,
        })
    })
    .optional()?
    .ok_or_else(|| {
        Error::unprocessable(
            ProblemCode::NotFound,
            format!("no upload {upload_id}; upload it first"),
        )
    })
}

fn message_body(tx: &Transaction<'_>, shop: &Shop, send: SendMessage) -> Result<MessageBody> {
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
            let code = store::discount(tx, discount_id, now_ms())?.ok_or_else(|| {
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
    tx: &Transaction<'_>,
    shop: &Shop,
    staff_id: i64,
    conversation_id: i64,
    send: SendMessage,
) -> Result<Message> {
    let conv = conversation(tx, conversation_id)?;
    let body = message_body(tx, shop, send)?;
    let delivery = delivery_for(&conv);
    let now = now_ms();
    let id = insert_message(
        tx,
        conversation_id,
        Some(staff_id),
        &body,
        Some(&delivery),
        now,
    )?;
    if let Delivery::Email { address } = &delivery {
        tx.prepare_cached(
            "INSERT INTO email_outbox (message_id, to_address, subject, body, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![
            id,
            address,
            format!("New reply from {}", shop.name),
            email_text(&body),
            now
        ])?;
    }
    // Writing a reply means the staff member has read the conversation up to here.
    write_read_state(tx, conversation_id, staff_id, Some(id), false, now)?;
    changes::touch(tx, Kind::Conversation, conversation_id, 0)?;
    store::message(tx, id)?.ok_or_else(|| Error::not_found("message"))
}

pub fn set_status(
    tx: &Transaction<'_>,
    conversation_id: i64,
    status: ConversationStatus,
) -> Result<Conversation> {
    conversation(tx, conversation_id)?;
    tx.execute(
        "UPDATE conversations SET status = ?2, updated_at = ?3 WHERE id = ?1",
        params![conversation_id, enum_key(&status), now_ms()],
    )?;
    changes::touch(tx, Kind::Conversation, conversation_id, 0)?;
    conversation(tx, conversation_id)
}

pub fn set_assignee(
    tx: &Transaction<'_>,
    conversation_id: i64,
    staff_id: Option<i64>,
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
        params![conversation_id, staff_id, now_ms()],
    )?;
    changes::touch(tx, Kind::Conversation, conversation_id, 0)?;
    conversation(tx, conversation_id)
}

fn write_read_state(
    tx: &Transaction<'_>,
    conversation_id: i64,
    staff_id: i64,
    last_read: Option<i64>,
    unread: bool,
    now: Millis,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO read_states (conversation_id, staff_id, last_read_message_id, marked_unread, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (conversation_id, staff_id) DO UPDATE SET
           last_read_message_id = coalesce(excluded.last_read_message_id, last_read_message_id),
           marked_unread = excluded.marked_unread, updated_at = excluded.updated_at",
    )?
    .execute(params![conversation_id, staff_id, last_read, unread, now])?;
    changes::touch(tx, Kind::ReadState, conversation_id, staff_id)?;
    Ok(())
}

pub fn set_read_state(
    tx: &Transaction<'_>,
    staff_id: i64,
    conversation_id: i64,
    request: SetReadState,
) -> Result<ReadState> {
    conversation(tx, conversation_id)?;
    let last_read = if request.unread {
        None
    } else if let Some(id) = request.last_read_message_id {
        let belongs: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM messages WHERE id = ?1 AND conversation_id = ?2)",
            params![id, conversation_id],
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
            [conversation_id],
            |r| r.get(0),
        )?
    };
    write_read_state(
        tx,
        conversation_id,
        staff_id,
        last_read,
        request.unread,
        now_ms(),
    )?;
    store::read_state(tx, conversation_id, staff_id)
}

fn customer_exists(tx: &Transaction<'_>, customer_id: i64) -> Result<()> {
    let found: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM customers WHERE id = ?1)",
        [customer_id],
        |r| r.get(0),
    )?;
    if found {
        Ok(())
    } else {
        Err(Error::not_found("customer"))
    }
}

fn note(tx: &Transaction<'_>, customer_id: i64, note_id: i64) -> Result<Note> {
    match store::note_entity(tx, note_id)? {
        Some(Entity::Note(note)) if note.customer_id == customer_id => Ok(note),
        _ => Err(Error::not_found("note")),
    }
}

pub fn add_note(tx: &Transaction<'_>, staff_id: i64, customer_id: i64, body: &str) -> Result<Note> {
    customer_exists(tx, customer_id)?;
    check_text(body, "the note")?;
    let now = now_ms();
    tx.execute(
        "INSERT INTO customer_notes (customer_id, author_id, body, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?4)",
        params![customer_id, staff_id, body, now],
    )?;
    let id = tx.last_insert_rowid();
    changes::touch(tx, Kind::Note, id, 0)?;
    note(tx, customer_id, id)
}

pub fn edit_note(tx: &Transaction<'_>, customer_id: i64, note_id: i64, body: &str) -> Result<Note> {
    note(tx, customer_id, note_id)?;
    check_text(body, "the note")?;
    tx.execute(
        "UPDATE customer_notes SET body = ?2, updated_at = ?3 WHERE id = ?1",
        params![note_id, body, now_ms()],
    )?;
    changes::touch(tx, Kind::Note, note_id, 0)?;
    note(tx, customer_id, note_id)
}

pub fn delete_note(tx: &Transaction<'_>, customer_id: i64, note_id: i64) -> Result<()> {
    note(tx, customer_id, note_id)?;
    tx.execute(
        "UPDATE customer_notes SET deleted_at = ?2, body = '' WHERE id = ?1",
        params![note_id, now_ms()],
    )?;
    changes::touch(tx, Kind::Note, note_id, 0)
}

/// Whether a new chat may continue the customer's open conversation on the same platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resume {
    /// Always a new conversation: anyone can type any email into a chat widget, so a storefront
    /// chat must never hand over an earlier conversation.
    Never,
    /// Continue the open one (simulated customers, who are who they say).
    OpenConversation,
}

/// Starts a customer's chat on a platform: the customer is found by email (so staff see their
/// profile and history) or created.
pub fn start_chat(tx: &Transaction<'_>, request: &StartChat, resume: Resume) -> Result<(i64, i64)> {
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
    let now = now_ms();
    let existing: Option<i64> = tx
        .query_row("SELECT id FROM customers WHERE email = ?1", [email], |r| {
            r.get(0)
        })
        .optional()?;
    let customer_id = match existing {
        Some(id) => id,
        None => {
            tx.execute(
                "INSERT INTO customers (name, email, created_at) VALUES (?1, ?2, ?3)",
                params![name, email, now],
            )?;
            let id = tx.last_insert_rowid();
            changes::touch(tx, Kind::Customer, id, 0)?;
            id
        }
    };
    let platform = enum_key(&request.platform);
    let open: Option<i64> = if resume == Resume::Never {
        None
    } else {
        tx.query_row(
            "SELECT id FROM conversations WHERE customer_id = ?1 AND platform = ?2
              AND status = 'open' ORDER BY id DESC LIMIT 1",
            params![customer_id, platform],
            |r| r.get(0),
        )
        .optional()?
    };
    let conversation_id = match open {
        Some(id) => {
            tx.execute(
                "UPDATE conversations SET contact_email = ?2, updated_at = ?3 WHERE id = ?1",
                params![id, email, now],
            )?;
            id
        }
        None => {
            tx.execute(
                "INSERT INTO conversations (customer_id, platform, contact_email, created_at,
                                            updated_at, last_message_at)
                 VALUES (?1, ?2, ?3, ?4, ?4, ?4)",
                params![customer_id, platform, email, now],
            )?;
            tx.last_insert_rowid()
        }
    };
    changes::touch(tx, Kind::Conversation, conversation_id, 0)?;
    Ok((customer_id, conversation_id))
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

pub fn set_online(tx: &Transaction<'_>, conversation_id: i64, online: bool) -> Result<()> {
    let changed = tx.execute(
        "UPDATE conversations SET customer_online = ?2 WHERE id = ?1 AND customer_online != ?2",
        params![conversation_id, online],
    )?;
    if changed > 0 {
        changes::touch(tx, Kind::Conversation, conversation_id, 0)?;
    }
    Ok(())
}

/// Marks every customer offline, as at start-up when no chat stream can be open yet.
pub fn everyone_offline(tx: &Transaction<'_>) -> Result<()> {
    let online: Vec<i64> = tx
        .prepare("SELECT id FROM conversations WHERE customer_online = 1")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in online {
        set_online(tx, id, false)?;
    }
    Ok(())
}

/// A customer adds or removes a product; the cart changes and the event shows in their chat.
pub fn change_cart(
    tx: &Transaction<'_>,
    customer_id: i64,
    conversation_id: i64,
    change: &CartChange,
) -> Result<CartEvent> {
    let quantity = change.quantity.unwrap_or(1);
    if !(1..=100).contains(&quantity) {
        return Err(Error::unprocessable(
            ProblemCode::MalformedPayload,
            "quantity must be between 1 and 100",
        ));
    }
    let (product_id, title, online, stock): (i64, String, bool, i64) = tx
        .query_row(
            "SELECT p.id, p.title, p.online_store, v.stock FROM variants v
               JOIN products p ON p.id = v.product_id WHERE v.id = ?1",
            [change.variant_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?
        .ok_or_else(|| Error::not_found("product variant"))?;
    let now = now_ms();
    let in_cart: i64 = tx
        .query_row(
            "SELECT quantity FROM cart_lines WHERE customer_id = ?1 AND variant_id = ?2",
            params![customer_id, change.variant_id],
            |r| r.get(0),
        )
        .optional()?
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
                 ON CONFLICT (customer_id, variant_id) DO UPDATE SET quantity = quantity + ?3",
                params![customer_id, change.variant_id, quantity, now],
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
                    params![customer_id, change.variant_id],
                )?;
            } else {
                tx.execute(
                    "UPDATE cart_lines SET quantity = quantity - ?3
                      WHERE customer_id = ?1 AND variant_id = ?2",
                    params![customer_id, change.variant_id, moved],
                )?;
            }
            moved
        }
    };
    tx.execute(
        "INSERT INTO carts (customer_id, updated_at) VALUES (?1, ?2)
         ON CONFLICT (customer_id) DO UPDATE SET updated_at = ?2",
        params![customer_id, now],
    )?;
    changes::touch(tx, Kind::Cart, customer_id, 0)?;
    tx.execute(
        "INSERT INTO cart_events (conversation_id, action, product_id, product_title, quantity, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![conversation_id, enum_key(&change.action), product_id, title, moved, now],
    )?;
    let event_id = tx.last_insert_rowid();
    changes::touch(tx, Kind::CartEvent, event_id, 0)?;
    tx.execute(
        "UPDATE conversations SET updated_at = ?2 WHERE id = ?1",
        params![conversation_id, now],
    )?;
    changes::touch(tx, Kind::Conversation, conversation_id, 0)?;
    store::cart_event(tx, event_id)?.ok_or_else(|| Error::not_found("cart event"))
}

/// A customer clicks a shared discount code: it is stored on their cart for checkout.
pub fn apply_discount(
    tx: &Transaction<'_>,
    shop: &Shop,
    customer_id: i64,
    code: &str,
) -> Result<Cart> {
    let now = now_ms();
    let id: i64 = tx
        .query_row(
            "SELECT id FROM discount_codes WHERE code = ?1",
            [code.trim()],
            |r| r.get(0),
        )
        .optional()?
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
        params![customer_id, discount.code, now],
    )?;
    changes::touch(tx, Kind::Cart, customer_id, 0)?;
    store::cart(tx, shop, customer_id)?.ok_or_else(|| Error::not_found("cart"))
}
