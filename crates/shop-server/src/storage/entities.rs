//! Reading the shop's entities out of storage into their wire form.
//!
//! These functions are the single place that knows how a row becomes an `inbox_protocol`
//! value; the feed, the live streams and the handlers all go through them.

use super::{Row, Sql};
use crate::args;
use inbox_protocol::*;

use crate::error::{Error, Result};

/// Shop-wide settings the loaders need.
#[derive(Debug, Clone)]
pub struct Shop {
    pub name: String,
    pub currency: String,
    /// IANA name; see [`ShopInfo::time_zone`].
    pub time_zone: String,
    pub history_id: String,
}

impl Shop {
    pub fn money(&self, minor: i64) -> Money {
        Money {
            minor,
            currency: self.currency.clone(),
        }
    }

    /// Reads the shop's settings, creating them on a new database.
    pub fn load_or_init(
        conn: &dyn Sql,
        name: &str,
        currency: &str,
        time_zone: &str,
    ) -> Result<Shop> {
        let get = |key: &str| -> Result<Option<String>> {
            conn.query_opt("SELECT value FROM meta WHERE key = ?1", args![key], |r| {
                r.get(0)
            })
        };
        let set = |key: &str, value: &str| -> Result<()> {
            conn.execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO NOTHING",
                args![key, value],
            )?;
            Ok(())
        };
        set("name", name)?;
        set("currency", currency)?;
        set("time_zone", time_zone)?;
        if get("history_id")?.is_none() {
            let id: [u8; 8] = rand::random();
            set(
                "history_id",
                &id.iter().map(|b| format!("{b:02x}")).collect::<String>(),
            )?;
        }
        Ok(Shop {
            name: get("name")?.unwrap_or_default(),
            currency: get("currency")?.unwrap_or_default(),
            time_zone: get("time_zone")?.unwrap_or_default(),
            history_id: get("history_id")?.unwrap_or_default(),
        })
    }

    pub fn info(&self) -> ShopInfo {
        ShopInfo {
            name: self.name.clone(),
            currency: self.currency.clone(),
            history_id: self.history_id.clone(),
            time_zone: self.time_zone.clone(),
        }
    }
}

/// The stored form of a unit enum: its serde key.
pub fn enum_key<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

pub fn staff(conn: &dyn Sql, id: i64) -> Result<Option<Staff>> {
    conn.query_opt(
        "SELECT id, name, email, chat_permission FROM staff WHERE id = ?1",
        args![id],
        staff_row,
    )
}

pub fn staff_row(row: &dyn Row) -> Result<Staff> {
    let chat: bool = row.get(3)?;
    let mut permissions = vec![Permission::Customers];
    if chat {
        permissions.insert(0, Permission::OnlineStoreChat);
    }
    Ok(Staff {
        id: row.get(0)?,
        name: row.get(1)?,
        email: row.get(2)?,
        permissions,
    })
}

pub fn all_staff(conn: &dyn Sql) -> Result<Vec<Staff>> {
    let rows = conn.query_map(
        "SELECT id, name, email, chat_permission FROM staff ORDER BY name",
        args![],
        staff_row,
    )?;
    Ok(rows)
}

pub fn customer(conn: &dyn Sql, shop: &Shop, id: i64) -> Result<Option<Customer>> {
    conn.query_opt(
        "SELECT c.id, c.name, c.email, c.phone, c.city, c.country, c.time_zone, c.created_at,
                c.email_marketing, c.sms_marketing,
                (SELECT count(*) FROM orders o WHERE o.customer_id = c.id AND o.status != 'open'),
                (SELECT CAST(coalesce(sum(total_minor), 0) AS BIGINT) FROM orders o
                  WHERE o.customer_id = c.id AND o.status IN ('paid', 'fulfilled')),
                c.email_verified
           FROM customers c WHERE c.id = ?1",
        args![id],
        |r| {
            let placed: i64 = r.get(10)?;
            let id: i64 = r.get(0)?;
            Ok(Customer {
                id,
                name: r.get(1)?,
                email: r.get(2)?,
                email_verified: r.get(12)?,
                phone: r.get(3)?,
                city: r.get(4)?,
                country: r.get(5)?,
                time_zone: r.get(6)?,
                kind: if placed > 0 {
                    CustomerKind::Returning
                } else {
                    CustomerKind::New
                },
                customer_since: r.get(7)?,
                total_spent: shop.money(r.get(11)?),
                email_marketing: r.get(8)?,
                sms_marketing: r.get(9)?,
                admin_url: format!("/admin/customers/{id}"),
            })
        },
    )
}

pub fn conversation(conn: &dyn Sql, id: i64) -> Result<Option<Conversation>> {
    let Some(mut conversation) = conn.query_opt(
        "SELECT id, customer_id, platform, status, assignee_id, contact_email, customer_online,
                created_at, updated_at, last_message_at, snoozed_until, woke_at
           FROM conversations WHERE id = ?1",
        args![id],
        |r| {
            Ok(Conversation {
                id: r.get(0)?,
                customer_id: r.get(1)?,
                platform: r.enum_key(2)?,
                status: r.enum_key(3)?,
                assignee_id: r.get(4)?,
                contact_email: r.get(5)?,
                customer_online: r.get(6)?,
                created_at: r.get(7)?,
                updated_at: r.get(8)?,
                last_message_at: r.get(9)?,
                topics: Vec::new(),
                snoozed_until: r.get(10)?,
                woke_at: r.get(11)?,
            })
        },
    )?
    else {
        return Ok(None);
    };
    conversation.topics = conn.query_map(
        "SELECT topic, confidence, message_id, labelled_at FROM conversation_topics
          WHERE conversation_id = ?1 ORDER BY labelled_at DESC, message_id DESC, topic",
        args![id],
        |r| {
            Ok(TopicLabel {
                topic: r.enum_key(0)?,
                confidence: r.get::<f64>(1)? as f32,
                message_id: r.get(2)?,
                labelled_at: r.get(3)?,
            })
        },
    )?;
    Ok(Some(conversation))
}

pub const MESSAGE_COLUMNS: &str = "id, conversation_id, author_staff_id, body, delivery, created_at, \
     (SELECT customer_id FROM conversations c WHERE c.id = conversation_id)";

pub fn message_row(r: &dyn Row) -> Result<Message> {
    let author = match r.get::<Option<i64>>(2)? {
        Some(staff_id) => Author::Staff { staff_id },
        None => Author::Customer {
            customer_id: r.get(6)?,
        },
    };
    let delivery: Option<String> = r.get(4)?;
    Ok(Message {
        id: r.get(0)?,
        conversation_id: r.get(1)?,
        author,
        body: r.json(3)?,
        delivery: match delivery {
            Some(_) => Some(r.json(4)?),
            None => None,
        },
        created_at: r.get(5)?,
    })
}

pub fn message(conn: &dyn Sql, id: i64) -> Result<Option<Message>> {
    let sql = format!("SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = ?1");
    conn.query_opt(&sql, args![id], message_row)
}

pub fn messages_of(conn: &dyn Sql, conversation_id: i64) -> Result<Vec<Message>> {
    let sql =
        format!("SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = ?1 ORDER BY id");
    let rows = conn.query_map(&sql, args![conversation_id], message_row)?;
    Ok(rows)
}

const CART_EVENT_COLUMNS: &str =
    "id, conversation_id, action, product_id, product_title, quantity, created_at";

fn cart_event_row(r: &dyn Row) -> Result<CartEvent> {
    let title: String = r.get(4)?;
    Ok(CartEvent {
        id: r.get(0)?,
        conversation_id: r.get(1)?,
        action: r.enum_key(2)?,
        product_id: r.get(3)?,
        product_name: cart_event_product_name(&title).map(str::to_owned),
        quantity: r.get(5)?,
        created_at: r.get(6)?,
    })
}

pub fn cart_event(conn: &dyn Sql, id: i64) -> Result<Option<CartEvent>> {
    let sql = format!("SELECT {CART_EVENT_COLUMNS} FROM cart_events WHERE id = ?1");
    conn.query_opt(&sql, args![id], cart_event_row)
}

pub fn cart_events_of(conn: &dyn Sql, conversation_id: i64) -> Result<Vec<CartEvent>> {
    let sql = format!(
        "SELECT {CART_EVENT_COLUMNS} FROM cart_events WHERE conversation_id = ?1 ORDER BY id"
    );
    let rows = conn.query_map(&sql, args![conversation_id], cart_event_row)?;
    Ok(rows)
}

pub fn read_state(conn: &dyn Sql, conversation_id: i64, staff_id: i64) -> Result<ReadState> {
    let found = conn.query_opt(
        "SELECT last_read_message_id, marked_unread, updated_at FROM read_states
              WHERE conversation_id = ?1 AND staff_id = ?2",
        args![conversation_id, staff_id],
        |r| {
            Ok(ReadState {
                conversation_id,
                staff_id,
                last_read_message_id: r.get(0)?,
                marked_unread: r.get(1)?,
                updated_at: r.get(2)?,
            })
        },
    )?;
    Ok(found.unwrap_or(ReadState {
        conversation_id,
        staff_id,
        last_read_message_id: None,
        marked_unread: false,
        updated_at: 0,
    }))
}

/// A note, or its tombstone once deleted.
pub fn note_entity(conn: &dyn Sql, id: i64) -> Result<Option<Entity>> {
    conn.query_opt(
        "SELECT id, customer_id, author_id, body, created_at, updated_at, deleted_at
               FROM customer_notes WHERE id = ?1",
        args![id],
        |r| {
            let deleted: Option<i64> = r.get(6)?;
            Ok(match deleted {
                Some(_) => Entity::NoteDeleted {
                    id: r.get(0)?,
                    customer_id: r.get(1)?,
                },
                None => Entity::Note(note_row(r)?),
            })
        },
    )
}

fn note_row(r: &dyn Row) -> Result<Note> {
    Ok(Note {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        author_id: r.get(2)?,
        body: r.get(3)?,
        created_at: r.get(4)?,
        updated_at: r.get(5)?,
    })
}

pub fn notes_of(conn: &dyn Sql, customer_id: i64) -> Result<Vec<Note>> {
    let rows = conn.query_map(
        "SELECT id, customer_id, author_id, body, created_at, updated_at FROM customer_notes
              WHERE customer_id = ?1 AND deleted_at IS NULL ORDER BY created_at DESC, id DESC",
        args![customer_id],
        note_row,
    )?;
    Ok(rows)
}

/// An uploaded image or video.
pub fn upload(conn: &dyn Sql, upload_id: &str) -> Result<Option<Attachment>> {
    conn.query_opt(
        "SELECT id, kind, mime, size, width, height, sha256 FROM uploads WHERE id = ?1",
        args![upload_id],
        |r| {
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
        },
    )
}

/// A saved reply with what it brings, as the shop has it at `now`.
pub fn saved_reply_detail(
    conn: &dyn Sql,
    shop: &Shop,
    id: i64,
    now: Millis,
) -> Result<Option<SavedReplyDetail>> {
    let Some(Entity::SavedReply(saved_reply)) = saved_reply_entity(conn, id)? else {
        return Ok(None);
    };
    let mut products = Vec::new();
    for product_id in &saved_reply.product_ids {
        products.extend(product(conn, shop, *product_id)?);
    }
    let discount = match saved_reply.discount_id {
        Some(id) => discount(conn, id, now)?,
        None => None,
    };
    let image = match &saved_reply.image_upload_id {
        Some(id) => upload(conn, id)?,
        None => None,
    };
    Ok(Some(SavedReplyDetail {
        saved_reply,
        products,
        discount,
        image,
    }))
}

const SAVED_REPLY_COLUMNS: &str = "id, title, body, product_ids, discount_id, image_upload_id, \
                                   author_id, created_at, updated_at";

/// A saved reply, or its tombstone once deleted.
pub fn saved_reply_entity(conn: &dyn Sql, id: i64) -> Result<Option<Entity>> {
    let sql = format!("SELECT {SAVED_REPLY_COLUMNS}, deleted_at FROM saved_replies WHERE id = ?1");
    conn.query_opt(&sql, args![id], |r| {
        let deleted: Option<i64> = r.get(9)?;
        Ok(match deleted {
            Some(_) => Entity::SavedReplyDeleted { id: r.get(0)? },
            None => Entity::SavedReply(saved_reply_row(r)?),
        })
    })
}

fn saved_reply_row(r: &dyn Row) -> Result<SavedReply> {
    let product_ids: String = r.get(3)?;
    Ok(SavedReply {
        id: r.get(0)?,
        title: r.get(1)?,
        body: r.get(2)?,
        product_ids: serde_json::from_str(&product_ids)?,
        discount_id: r.get(4)?,
        image_upload_id: r.get(5)?,
        author_id: r.get(6)?,
        created_at: r.get(7)?,
        updated_at: r.get(8)?,
    })
}

/// Every saved reply not deleted, by title.
pub fn saved_replies(conn: &dyn Sql) -> Result<Vec<SavedReply>> {
    let sql = format!(
        "SELECT {SAVED_REPLY_COLUMNS} FROM saved_replies WHERE deleted_at IS NULL ORDER BY title, id"
    );
    conn.query_map(&sql, args![], saved_reply_row)
}

/// Someone's activity in a conversation (`staff_id` 0 in the table is the customer).
pub fn activity(conn: &dyn Sql, id: i64) -> Result<Option<Activity>> {
    conn.query_opt(
        "SELECT id, conversation_id, staff_id, viewing_until, typing_until, at
           FROM activities WHERE id = ?1",
        args![id],
        |r| {
            let staff_id: i64 = r.get(2)?;
            Ok(Activity {
                id: r.get(0)?,
                conversation_id: r.get(1)?,
                staff_id: (staff_id != 0).then_some(staff_id),
                viewing_until: r.get(3)?,
                typing_until: r.get(4)?,
                at: r.get(5)?,
            })
        },
    )
}

/// The customer's cart; `None` when they never had one.
pub fn cart(conn: &dyn Sql, shop: &Shop, customer_id: i64) -> Result<Option<Cart>> {
    let Some((discount_code, updated_at)) = conn.query_opt(
        "SELECT discount_code, updated_at FROM carts WHERE customer_id = ?1",
        args![customer_id],
        |r| Ok((r.get::<Option<String>>(0)?, r.get(1)?)),
    )?
    else {
        return Ok(None);
    };
    let lines: Vec<CartLine> = conn.query_map(
        "SELECT p.id, v.id, p.title, v.options, l.quantity, v.price_minor, v.stock
               FROM cart_lines l JOIN variants v ON v.id = l.variant_id
               JOIN products p ON p.id = v.product_id
              WHERE l.customer_id = ?1 ORDER BY l.added_at, v.id",
        args![customer_id],
        |r| {
            Ok(CartLine {
                product_id: r.get(0)?,
                variant_id: r.get(1)?,
                product_name: r.get(2)?,
                options: r.json(3)?,
                quantity: r.get(4)?,
                unit_price: shop.money(r.get(5)?),
                available: r.get(6)?,
            })
        },
    )?;
    let subtotal = lines.iter().map(|l| l.unit_price.minor * l.quantity).sum();
    Ok(Some(Cart {
        customer_id,
        lines,
        subtotal: shop.money(subtotal),
        discount_code,
        updated_at,
    }))
}

const ORDER_COLUMNS: &str = "id, customer_id, number, created_at, total_minor, status";

fn order_row(shop: &Shop, r: &dyn Row) -> Result<Order> {
    let id: i64 = r.get(0)?;
    Ok(Order {
        id,
        customer_id: r.get(1)?,
        name: format!("#{}", r.get::<i64>(2)?),
        created_at: r.get(3)?,
        total: shop.money(r.get(4)?),
        status: r.enum_key(5)?,
        admin_url: format!("/admin/orders/{id}"),
    })
}

pub fn order(conn: &dyn Sql, shop: &Shop, id: i64) -> Result<Option<Order>> {
    let sql = format!("SELECT {ORDER_COLUMNS} FROM orders WHERE id = ?1");
    conn.query_opt(&sql, args![id], |r| order_row(shop, r))
}

/// An order placed from a chat, as its conversation shows it; `None` for other orders.
pub fn order_event(conn: &dyn Sql, shop: &Shop, id: i64) -> Result<Option<OrderEvent>> {
    conn.query_opt(
        "SELECT id, conversation_id, number, total_minor, created_at FROM orders
          WHERE id = ?1 AND conversation_id IS NOT NULL",
        args![id],
        |r| order_event_row(shop, r),
    )
}

fn order_event_row(shop: &Shop, r: &dyn Row) -> Result<OrderEvent> {
    let id: i64 = r.get(0)?;
    Ok(OrderEvent {
        id,
        conversation_id: r.get(1)?,
        order_id: id,
        order_name: format!("#{}", r.get::<i64>(2)?),
        total: shop.money(r.get(3)?),
        created_at: r.get(4)?,
    })
}

pub fn order_events_of(
    conn: &dyn Sql,
    shop: &Shop,
    conversation_id: i64,
) -> Result<Vec<OrderEvent>> {
    conn.query_map(
        "SELECT id, conversation_id, number, total_minor, created_at FROM orders
          WHERE conversation_id = ?1 ORDER BY created_at, id",
        args![conversation_id],
        |r| order_event_row(shop, r),
    )
}

pub fn orders_of(conn: &dyn Sql, shop: &Shop, customer_id: i64) -> Result<Vec<Order>> {
    let sql = format!(
        "SELECT {ORDER_COLUMNS} FROM orders WHERE customer_id = ?1 ORDER BY created_at DESC, id DESC"
    );
    let rows = conn.query_map(&sql, args![customer_id], |r| order_row(shop, r))?;
    Ok(rows)
}

pub fn profile(
    conn: &dyn Sql,
    shop: &Shop,
    customer_id: i64,
    now: Millis,
) -> Result<CustomerProfile> {
    let customer =
        customer(conn, shop, customer_id)?.ok_or_else(|| Error::not_found("customer"))?;
    let orders = orders_of(conn, shop, customer_id)?;
    Ok(CustomerProfile {
        last_order: last_order_within_window(&orders, now).cloned(),
        customer,
        notes: notes_of(conn, customer_id)?,
        cart: cart(conn, shop, customer_id)?,
        orders,
    })
}

fn variants_of(conn: &dyn Sql, shop: &Shop, product_id: i64) -> Result<Vec<Variant>> {
    let rows = conn.query_map(
        "SELECT id, title, options, price_minor, stock FROM variants
              WHERE product_id = ?1 ORDER BY position, id",
        args![product_id],
        |r| {
            Ok(Variant {
                id: r.get(0)?,
                title: r.get(1)?,
                options: r.json(2)?,
                price: shop.money(r.get(3)?),
                stock: r.get(4)?,
            })
        },
    )?;
    Ok(rows)
}

pub fn product(conn: &dyn Sql, shop: &Shop, id: i64) -> Result<Option<Product>> {
    let found = conn.query_opt(
        "SELECT id, title, handle, description, image, online_store FROM products WHERE id = ?1",
        args![id],
        |r| {
            let handle: String = r.get(2)?;
            let image: Option<String> = r.get(4)?;
            Ok(Product {
                id: r.get(0)?,
                title: r.get(1)?,
                description: r.get(3)?,
                image_url: image.map(|file| format!("/assets/products/{file}")),
                url: format!("/store/products/{handle}"),
                online_store: r.get(5)?,
                variants: Vec::new(),
            })
        },
    )?;
    let Some(mut product) = found else {
        return Ok(None);
    };
    product.variants = variants_of(conn, shop, id)?;
    Ok(Some(product))
}

/// Escapes `%`, `_` and `\` so user text matches literally inside a LIKE pattern.
pub fn like_pattern(query: &str) -> String {
    let mut pattern = String::from("%");
    for ch in query.trim().chars() {
        if matches!(ch, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(ch);
    }
    pattern.push('%');
    pattern
}

/// Products whose title, description or variant names contain every word of the query.
pub fn search_products(
    conn: &dyn Sql,
    shop: &Shop,
    query: &str,
    online_store_only: bool,
    limit: i64,
) -> Result<Vec<Product>> {
    let words: Vec<&str> = query.split_whitespace().collect();
    let first = words.first().copied().unwrap_or("");
    let ids: Vec<i64> = conn.query_map(
        "SELECT p.id FROM products p
          WHERE (?2 = 0 OR p.online_store = 1)
            AND (lower(p.title) LIKE lower(?1) ESCAPE '\\' OR lower(p.description) LIKE lower(?1) ESCAPE '\\'
                 OR EXISTS (SELECT 1 FROM variants v WHERE v.product_id = p.id
                            AND lower(v.title) LIKE lower(?1) ESCAPE '\\'))
          ORDER BY p.title, p.id",
        args![like_pattern(first), online_store_only],
        |r| r.get(0),
    )?;
    let mut products = Vec::new();
    for id in ids {
        let Some(product) = product(conn, shop, id)? else {
            continue;
        };
        let haystack = format!(
            "{} {} {}",
            product.title,
            product.description,
            product
                .variants
                .iter()
                .map(|v| v.title.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        )
        .to_lowercase();
        if words.iter().all(|w| haystack.contains(&w.to_lowercase())) {
            products.push(product);
            if products.len() as i64 >= limit {
                break;
            }
        }
    }
    Ok(products)
}

pub fn discount(conn: &dyn Sql, id: i64, now: Millis) -> Result<Option<DiscountCode>> {
    conn.query_opt(
        "SELECT id, code, summary, starts_at, ends_at FROM discount_codes WHERE id = ?1",
        args![id],
        |r| discount_row(r, now),
    )
}

fn discount_row(r: &dyn Row, now: Millis) -> Result<DiscountCode> {
    let starts_at: Millis = r.get(3)?;
    let ends_at: Option<Millis> = r.get(4)?;
    Ok(DiscountCode {
        id: r.get(0)?,
        code: r.get(1)?,
        summary: r.get(2)?,
        status: DiscountStatus::at(now, starts_at, ends_at),
        starts_at,
        ends_at,
    })
}

pub fn search_discounts(
    conn: &dyn Sql,
    query: &str,
    now: Millis,
    limit: i64,
) -> Result<Vec<DiscountCode>> {
    let rows = conn.query_map(
        "SELECT id, code, summary, starts_at, ends_at FROM discount_codes
              WHERE lower(code) LIKE lower(?1) ESCAPE '\\' OR lower(summary) LIKE lower(?1) ESCAPE '\\'
              ORDER BY code LIMIT ?2",
        args![like_pattern(query), limit],
        |r| discount_row(r, now),
    )?;
    Ok(rows)
}
