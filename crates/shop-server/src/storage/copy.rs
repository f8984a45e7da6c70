//! Moving a shop from one backend to another (`shop-server migrate --from sqlite:PATH --to
//! postgres://…`): every table row by row, ids, the change log's sequence numbers and the
//! shop's history id included, so desktops keep their mirrors and cursors and go on syncing
//! from where they were.
//!
//! The copy reads one snapshot of the source and writes in one transaction of the destination:
//! a shop is moved whole or not at all. Presence leases are not copied (nobody is online on a
//! server that has not started).

use super::{Db, Sql, Tx, Value, ValueRef};
use crate::error::{Error, Result};

/// Every table, parents before children, with its columns and the order to copy it in.
const TABLES: &[(&str, &[&str], &str)] = &[
    ("meta", &["key", "value"], "key"),
    (
        "staff",
        &[
            "id",
            "email",
            "name",
            "password_hash",
            "chat_permission",
            "created_at",
        ],
        "id",
    ),
    (
        "staff_tokens",
        &[
            "token_hash",
            "staff_id",
            "created_at",
            "expires_at",
            "revoked_at",
        ],
        "token_hash",
    ),
    (
        "customers",
        &[
            "id",
            "name",
            "email",
            "email_verified",
            "phone",
            "city",
            "country",
            "time_zone",
            "created_at",
            "email_marketing",
            "sms_marketing",
        ],
        "id",
    ),
    (
        "customer_notes",
        &[
            "id",
            "customer_id",
            "author_id",
            "body",
            "created_at",
            "updated_at",
            "deleted_at",
        ],
        "id",
    ),
    (
        "products",
        &[
            "id",
            "title",
            "handle",
            "description",
            "image",
            "online_store",
            "created_at",
        ],
        "id",
    ),
    (
        "variants",
        &[
            "id",
            "product_id",
            "title",
            "options",
            "price_minor",
            "stock",
            "position",
        ],
        "id",
    ),
    (
        "discount_codes",
        &[
            "id",
            "code",
            "summary",
            "starts_at",
            "ends_at",
            "kind",
            "value",
            "minimum_subtotal_minor",
            "once_per_customer",
        ],
        "id",
    ),
    (
        "carts",
        &["customer_id", "discount_code", "updated_at"],
        "customer_id",
    ),
    (
        "cart_lines",
        &["customer_id", "variant_id", "quantity", "added_at"],
        "customer_id, variant_id",
    ),
    (
        "conversations",
        &[
            "id",
            "customer_id",
            "platform",
            "status",
            "assignee_id",
            "contact_email",
            "customer_online",
            "created_at",
            "updated_at",
            "last_message_at",
            "snoozed_until",
            "woke_at",
        ],
        "id",
    ),
    // After conversations: a storefront order names the chat it was placed from.
    (
        "orders",
        &[
            "id",
            "customer_id",
            "number",
            "created_at",
            "total_minor",
            "status",
            "conversation_id",
            "contact_email",
            "shipping_address",
            "shipping_method",
            "subtotal_minor",
            "discount_code",
            "discount_minor",
            "shipping_minor",
        ],
        "id",
    ),
    (
        "order_lines",
        &[
            "order_id",
            "position",
            "variant_id",
            "product_title",
            "options",
            "quantity",
            "unit_price_minor",
        ],
        "order_id, position",
    ),
    (
        "conversation_topics",
        &[
            "conversation_id",
            "topic",
            "confidence",
            "message_id",
            "labelled_at",
        ],
        "conversation_id, topic",
    ),
    (
        "messages",
        &[
            "id",
            "conversation_id",
            "author_staff_id",
            "body",
            "delivery",
            "created_at",
        ],
        "id",
    ),
    (
        "cart_events",
        &[
            "id",
            "conversation_id",
            "action",
            "product_id",
            "product_title",
            "quantity",
            "created_at",
        ],
        "id",
    ),
    (
        "read_states",
        &[
            "conversation_id",
            "staff_id",
            "last_read_message_id",
            "marked_unread",
            "updated_at",
        ],
        "conversation_id, staff_id",
    ),
    (
        "uploads",
        &[
            "id",
            "kind",
            "mime",
            "size",
            "width",
            "height",
            "sha256",
            "uploader_id",
            "created_at",
        ],
        "id",
    ),
    (
        "saved_replies",
        &[
            "id",
            "title",
            "body",
            "product_ids",
            "discount_id",
            "image_upload_id",
            "author_id",
            "created_at",
            "updated_at",
            "deleted_at",
        ],
        "id",
    ),
    (
        "activities",
        &[
            "id",
            "conversation_id",
            "staff_id",
            "viewing_until",
            "typing_until",
            "at",
        ],
        "id",
    ),
    (
        "email_outbox",
        &[
            "id",
            "kind",
            "message_id",
            "to_address",
            "subject",
            "body",
            "created_at",
            "sent_at",
        ],
        "id",
    ),
    (
        "customer_sessions",
        &[
            "token_hash",
            "customer_id",
            "conversation_id",
            "created_at",
            "expires_at",
            "ended_at",
        ],
        "token_hash",
    ),
    (
        "email_verifications",
        &[
            "conversation_id",
            "code_hash",
            "sent_at",
            "expires_at",
            "attempts",
        ],
        "conversation_id",
    ),
    (
        "idempotency_keys",
        &[
            "scope",
            "key",
            "request_hash",
            "status",
            "response",
            "created_at",
        ],
        "scope, key",
    ),
    ("changes", &["seq", "kind", "entity_id", "staff_id"], "seq"),
];

/// Tables whose first column is an identity the destination numbers itself afterwards.
const NUMBERED: &[(&str, &str)] = &[
    ("staff", "id"),
    ("customers", "id"),
    ("customer_notes", "id"),
    ("products", "id"),
    ("variants", "id"),
    ("discount_codes", "id"),
    ("orders", "id"),
    ("conversations", "id"),
    ("messages", "id"),
    ("cart_events", "id"),
    ("email_outbox", "id"),
    ("saved_replies", "id"),
    ("activities", "id"),
    ("changes", "seq"),
];

/// What was copied: rows per table.
pub type Copied = Vec<(&'static str, usize)>;

fn select(table: &str, columns: &[&str], order: &str) -> String {
    format!(
        "SELECT {} FROM {table} ORDER BY {order}",
        columns.join(", ")
    )
}

/// Every row of every table, as text, in copy order: what two backends must agree on.
pub fn dump(db: &dyn Sql) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for (table, columns, order) in TABLES {
        db.for_each(&select(table, columns, order), &[], &mut |row| {
            let mut line = format!("{table}:");
            for index in 0..columns.len() {
                line.push_str(&format!(" {:?}", row.value(index)?));
            }
            out.push(line);
            Ok(())
        })?;
    }
    Ok(out)
}

/// Copies the whole shop in `from` into `to`, which must be empty.
pub fn copy(from: &Db, to: &Db) -> Result<Copied> {
    let postgres = to.sqlite_path().is_none();
    to.write_blocking(|dst| {
        if super::records::has_staff(dst)? || super::changes::newest(dst)? > 0 {
            return Err(Error::Other(
                "the destination already holds a shop; migrate into an empty database".into(),
            ));
        }
        // The existing shop settings of a freshly migrated destination make way for the source's.
        dst.execute("DELETE FROM meta", &[])?;
        from.read_blocking(|src| copy_tables(src, dst, postgres))
    })
}

fn copy_tables(src: &dyn Sql, dst: &Tx<'_>, postgres: bool) -> Result<Copied> {
    let mut copied = Vec::with_capacity(TABLES.len());
    for (table, columns, order) in TABLES {
        let placeholders: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
        let overriding = if postgres && *table == "changes" {
            // The log's numbers are generated always; a move keeps them.
            " OVERRIDING SYSTEM VALUE"
        } else {
            ""
        };
        let insert = format!(
            "INSERT INTO {table} ({}){overriding} VALUES ({})",
            columns.join(", "),
            placeholders.join(", ")
        );
        let mut rows = 0;
        src.for_each(&select(table, columns, order), &[], &mut |row| {
            let mut values = Vec::with_capacity(columns.len());
            for index in 0..columns.len() {
                values.push(match row.value(index)? {
                    ValueRef::Null => Value::Null,
                    ValueRef::Int(v) => Value::Int(v),
                    ValueRef::Real(v) => Value::Real(v),
                    ValueRef::Text(v) => Value::Text(v),
                    ValueRef::Blob(v) => Value::Blob(v),
                });
            }
            dst.execute(&insert, &values)?;
            rows += 1;
            Ok(())
        })?;
        copied.push((*table, rows));
    }
    if postgres {
        for (table, column) in NUMBERED {
            dst.execute(
                &format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', '{column}'),
                                   coalesce((SELECT max({column}) FROM {table}), 0) + 1, false)"
                ),
                &[],
            )?;
        }
    }
    Ok(copied)
}
