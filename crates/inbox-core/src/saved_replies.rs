//! Saved replies in the composer: finding one as staff type, and filling in its variables for
//! one conversation. Pure functions over values read from the mirror; no SQL and no I/O here
//! (the mirror's rows are in [`crate::store`], sending goes through [`crate::Inbox`]).
//!
//! The variables are `{customer.first_name}`, `{customer.name}`, `{shop.name}` and
//! `{staff.first_name}`. Any other `{…}` is left as typed. A variable with no value is never
//! shown as itself or as a placeholder: it is left out so the sentence still reads, by these
//! rules (the same in every language):
//!
//! - after a word, the variable goes with the spaces before it: "Hi {customer.first_name}," →
//!   "Hi,", "Hej {customer.first_name}!" → "Hej!", "Thanks {customer.first_name} for writing" →
//!   "Thanks for writing";
//! - at the start of a line, it goes with the punctuation and spaces after it, and the next
//!   letter is capitalised: "{customer.first_name}, your parcel is here" → "Your parcel is here";
//! - elsewhere it is simply left out.

use inbox_protocol::{
    DiscountCode, DiscountStatus, Problem, ProblemCode, Product, ProductCard, SavedReply,
};

use crate::error::{Error, Result};

/// The values a saved reply's variables are filled with; `None` (or blank) when unknown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Values {
    pub customer_name: Option<String>,
    pub shop_name: Option<String>,
    pub staff_name: Option<String>,
}

/// The first word of a name: "Åsa Öberg" → "Åsa".
fn first_name(name: &str) -> Option<&str> {
    name.split_whitespace().next()
}

fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

impl Values {
    /// The value of a known variable (`Some(None)` when it has none), or `None` for a name
    /// that is not a variable.
    fn lookup(&self, name: &str) -> Option<Option<&str>> {
        Some(match name {
            "customer.first_name" => present(&self.customer_name).and_then(first_name),
            "customer.name" => present(&self.customer_name),
            "shop.name" => present(&self.shop_name),
            "staff.first_name" => present(&self.staff_name).and_then(first_name),
            _ => return None,
        })
    }
}

/// A saved reply's body with its variables filled in (see the module's rules).
pub fn fill(body: &str, values: &Values) -> String {
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    // A variable left out at the start of a line: drop what followed it up to the next word,
    // and capitalise that word.
    let mut line_start_gap = false;
    while !rest.is_empty() {
        if let Some(after_brace) = rest.strip_prefix('{')
            && let Some(end) = after_brace.find('}')
            && let Some(value) = values.lookup(&after_brace[..end])
        {
            rest = &after_brace[end + 1..];
            match value {
                Some(value) => {
                    line_start_gap = false;
                    out.push_str(value);
                }
                None => {
                    let kept = out.trim_end_matches([' ', '\t']);
                    let at_line_start = kept.is_empty() || kept.ends_with('\n');
                    if at_line_start {
                        out.truncate(kept.len());
                        line_start_gap = true;
                    } else if kept.len() < out.len() {
                        out.truncate(kept.len());
                    }
                }
            }
            continue;
        }
        let c = rest.chars().next().expect("not empty");
        rest = &rest[c.len_utf8()..];
        if line_start_gap {
            if matches!(c, ',' | ':' | ';' | ' ' | '\t') {
                continue;
            }
            line_start_gap = false;
            out.extend(c.to_uppercase());
            continue;
        }
        out.push(c);
    }
    out
}

/// The saved replies matching what staff typed: every word of the query appears in the title
/// or the text, case and accents as typed aside from case ("retur" finds "Returer"). Titles
/// that start with the query come first; otherwise the order given (by title) is kept.
pub fn search(replies: Vec<SavedReply>, query: &str) -> Vec<SavedReply> {
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    if words.is_empty() {
        return replies;
    }
    let first = words.join(" ");
    let mut found: Vec<(bool, SavedReply)> = replies
        .into_iter()
        .filter_map(|reply| {
            let title = reply.title.to_lowercase();
            let body = reply.body.to_lowercase();
            words
                .iter()
                .all(|w| title.contains(w.as_str()) || body.contains(w.as_str()))
                .then(|| (!title.starts_with(&first), reply))
        })
        .collect();
    found.sort_by_key(|(later, _)| *later);
    found.into_iter().map(|(_, r)| r).collect()
}

/// A discount code staff may share now, or the refusal sharing it by hand gets.
pub fn check_discount(code: &DiscountCode) -> Result<()> {
    if code.status != DiscountStatus::Active {
        return Err(Error::Rejected(Box::new(Problem::new(
            422,
            ProblemCode::DiscountInactive,
            format!(
                "the discount code {} is not active; update the code in the Shopify admin before sharing it",
                code.code
            ),
        ))));
    }
    Ok(())
}

/// A product as its card is shared, from its lowest price; refused as the shop refuses it
/// when it is not on the online store.
pub fn product_card(product: &Product) -> Result<ProductCard> {
    if !product.online_store {
        return Err(Error::Rejected(Box::new(Problem::new(
            422,
            ProblemCode::ProductUnavailable,
            format!(
                "“{}” is not available on the online store sales channel, so it can't be shared; \
                 make it available in the shop admin first",
                product.title
            ),
        ))));
    }
    let price = product
        .variants
        .iter()
        .map(|v| v.price.clone())
        .min_by_key(|p| p.minor)
        .ok_or_else(|| {
            Error::Rejected(Box::new(Problem::new(
                422,
                ProblemCode::ProductUnavailable,
                format!("“{}” has no variants to sell", product.title),
            )))
        })?;
    Ok(ProductCard {
        product_id: product.id,
        title: product.title.clone(),
        price,
        image_url: product.image_url.clone(),
        url: product.url.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(customer: Option<&str>) -> Values {
        Values {
            customer_name: customer.map(str::to_owned),
            shop_name: Some("Nordlys Studio".into()),
            staff_name: Some("Åsa Öberg".into()),
        }
    }

    #[test]
    fn variables_are_filled_from_the_conversation() {
        let v = values(Some("Göran Sjöberg"));
        assert_eq!(
            fill(
                "Hej {customer.first_name}! /{staff.first_name} på {shop.name}",
                &v
            ),
            "Hej Göran! /Åsa på Nordlys Studio"
        );
        assert_eq!(fill("Dear {customer.name},", &v), "Dear Göran Sjöberg,");
    }

    #[test]
    fn a_missing_name_reads_naturally() {
        for missing in [None, Some(""), Some("   ")] {
            let v = values(missing);
            assert_eq!(fill("Hi {customer.first_name},", &v), "Hi,");
            assert_eq!(fill("Hej {customer.first_name}!", &v), "Hej!");
            assert_eq!(
                fill("Thanks {customer.first_name} for writing", &v),
                "Thanks for writing"
            );
            assert_eq!(
                fill("{customer.first_name}, your parcel is on its way.", &v),
                "Your parcel is on its way."
            );
            assert_eq!(
                fill("Hi!\n{customer.name}: ditt paket är på väg.", &v),
                "Hi!\nDitt paket är på väg."
            );
            assert_eq!(
                fill("Hi {customer.first_name},\nyour order", &v),
                "Hi,\nyour order"
            );
        }
        let nobody = Values::default();
        let filled = fill(
            "Thanks {customer.first_name}! /{staff.first_name} at {shop.name}",
            &nobody,
        );
        assert!(
            !filled.contains('{') && !filled.contains("undefined"),
            "{filled}"
        );
        assert!(filled.starts_with("Thanks! /"), "{filled}");
    }

    #[test]
    fn unknown_braces_are_left_as_typed() {
        let v = values(Some("Saga Holm"));
        assert_eq!(
            fill(
                "{order.number} {customer.first_name} {} {customer.first_name",
                &v
            ),
            "{order.number} Saga {} {customer.first_name"
        );
    }

    fn reply(id: i64, title: &str, body: &str) -> SavedReply {
        SavedReply {
            id,
            title: title.into(),
            body: body.into(),
            product_ids: Vec::new(),
            discount_id: None,
            image_upload_id: None,
            author_id: 1,
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn search_finds_every_word_in_title_or_text_titles_first() {
        let all = vec![
            reply(1, "Greeting", "Hi, returns are free"),
            reply(2, "Returer", "Hej! Du kan returnera inom 30 dagar"),
            reply(3, "Leveranstider", "Vi skickar inom 1–2 dagar"),
        ];
        let ids = |q: &str| {
            search(all.clone(), q)
                .iter()
                .map(|r| r.id)
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(""), [1, 2, 3]);
        assert_eq!(ids("RETUR"), [2, 1]);
        assert_eq!(ids("inom dagar"), [2, 3]);
        assert_eq!(ids("returnera 30"), [2]);
        assert!(ids("nothing").is_empty());
    }
}
