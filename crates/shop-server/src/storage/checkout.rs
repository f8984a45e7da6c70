//! Pricing a customer's cart for checkout from what the shop holds: its lines at today's prices
//! and stock, its discount code with the code's rules and whether the customer used it before,
//! and the chosen shipping. The arithmetic is `crate::checkout`'s; this module only reads, so the
//! quote a page shows and the order `mutations::place_order` writes are priced by one function.

use inbox_protocol::*;

use super::Sql;
use super::entities::{self as store, Shop};
use crate::args;
use crate::checkout::{self, DiscountKind, DiscountRule};
use crate::error::{Error, Result};

/// A discount code with its rules.
#[derive(Debug, Clone)]
pub struct RuledDiscount {
    pub code: DiscountCode,
    pub rule: DiscountRule,
}

/// The code (compared without case) and its rules at `now`.
pub fn discount_by_code(conn: &dyn Sql, code: &str, now: Millis) -> Result<Option<RuledDiscount>> {
    let found = conn.query_opt(
        "SELECT id, kind, value, minimum_subtotal_minor, once_per_customer
           FROM discount_codes WHERE code = ?1",
        args![code.trim()],
        |r| {
            Ok((
                r.get::<i64>(0)?,
                DiscountRule {
                    kind: r.enum_key::<DiscountKind>(1)?,
                    value: r.get(2)?,
                    minimum_subtotal: r.get(3)?,
                    once_per_customer: r.get(4)?,
                },
            ))
        },
    )?;
    let Some((id, rule)) = found else {
        return Ok(None);
    };
    Ok(store::discount(conn, id, now)?.map(|code| RuledDiscount { code, rule }))
}

/// Whether this customer, or anyone ordering with this email, placed an order with the code
/// (cancelled orders don't count).
pub fn used_code_before(conn: &dyn Sql, code: &str, customer_id: i64, email: &str) -> Result<bool> {
    conn.exists(
        "SELECT 1 FROM orders
          WHERE discount_code = ?1 AND status != 'cancelled'
            AND (customer_id = ?2 OR contact_email = ?3)",
        args![code, customer_id, email.trim()],
    )
}

/// The cart of `customer_id` priced for checkout with `shipping_method`, as the customer
/// ordering with `email` would pay it. `None` for an empty cart.
pub fn quote(
    conn: &dyn Sql,
    shop: &Shop,
    customer_id: i64,
    shipping_method: &str,
    email: &str,
    now: Millis,
) -> Result<Option<CheckoutQuote>> {
    let (id, name, shipping_price) = checkout::shipping(shipping_method).ok_or_else(|| {
        Error::unprocessable(
            ProblemCode::MalformedPayload,
            format!("no shipping method {shipping_method:?}; choose standard or express"),
        )
    })?;
    let Some(cart) = store::cart(conn, shop, customer_id)? else {
        return Ok(None);
    };
    if cart.lines.is_empty() {
        return Ok(None);
    }
    let lines: Vec<CheckoutLine> = cart
        .lines
        .into_iter()
        .map(|l| CheckoutLine {
            line_total: shop.money(l.unit_price.minor * l.quantity),
            product_id: l.product_id,
            variant_id: l.variant_id,
            product_name: l.product_name,
            options: l.options,
            quantity: l.quantity,
            unit_price: l.unit_price,
            available: l.available,
        })
        .collect();
    let subtotal: i64 = lines.iter().map(|l| l.line_total.minor).sum();
    let mut discount = None;
    let mut discount_refused = None;
    if let Some(code) = cart.discount_code {
        match discount_by_code(conn, &code, now)? {
            None => {
                discount_refused = Some(RefusedDiscount {
                    code: code.clone(),
                    problem: ProblemCode::DiscountInactive,
                    reason: format!("the code {code} no longer exists"),
                });
            }
            Some(found) => {
                let used = found.rule.once_per_customer
                    && used_code_before(conn, &found.code.code, customer_id, email)?;
                match checkout::refusal(
                    &found.code.code,
                    &found.rule,
                    found.code.status,
                    subtotal,
                    &shop.currency,
                    used,
                ) {
                    Some((problem, reason)) => {
                        discount_refused = Some(RefusedDiscount {
                            code: found.code.code,
                            problem,
                            reason,
                        });
                    }
                    None => {
                        let amount =
                            checkout::discount_amount(&found.rule, subtotal, shipping_price);
                        discount = Some(AppliedDiscount {
                            code: found.code.code,
                            summary: found.code.summary,
                            amount: shop.money(amount),
                        });
                    }
                }
            }
        }
    }
    let off = discount.as_ref().map_or(0, |d| d.amount.minor);
    Ok(Some(CheckoutQuote {
        lines,
        subtotal: shop.money(subtotal),
        discount,
        discount_refused,
        shipping_options: checkout::SHIPPING
            .iter()
            .map(|(id, name, price)| ShippingOption {
                id: (*id).to_owned(),
                name: (*name).to_owned(),
                price: shop.money(*price),
            })
            .collect(),
        shipping: ShippingOption {
            id: id.to_owned(),
            name: name.to_owned(),
            price: shop.money(shipping_price),
        },
        total: shop.money(subtotal + shipping_price - off),
    }))
}
