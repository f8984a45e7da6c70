//! Checkout's arithmetic and rules as pure functions: the shipping options, what a discount code
//! takes off, whether it may be used, and the test payment provider. Everything is integer minor
//! units of the shop's currency.
//!
//! It reads and writes nothing: `storage::checkout` prices a cart with what it read, so the page's
//! quote and the placed order can't be priced two ways, and `storage::mutations::place_order`
//! writes the order.

use inbox_protocol::{DiscountStatus, Millis, ProblemCode, TEST_CARD_DECLINED, TEST_CARD_SUCCEEDS};
use serde::{Deserialize, Serialize};

/// How a discount code takes its amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DiscountKind {
    /// `value` hundredths of a percent of the subtotal (1500 is 15 %).
    Percentage,
    /// `value` minor units off the subtotal, never more than the subtotal.
    FixedAmount,
    /// The shipping is free.
    FreeShipping,
}

/// A discount code's rules, as the shop platform states them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiscountRule {
    pub kind: DiscountKind,
    pub value: i64,
    /// The subtotal an order needs before the code applies (0: any).
    pub minimum_subtotal: i64,
    /// Each customer may use the code on one order.
    pub once_per_customer: bool,
}

impl DiscountRule {
    /// A percentage off: `percent` whole percent.
    pub const fn percent(percent: i64) -> DiscountRule {
        DiscountRule {
            kind: DiscountKind::Percentage,
            value: percent * 100,
            minimum_subtotal: 0,
            once_per_customer: false,
        }
    }
}

/// A way to ship: `(id, name, price in minor units)`.
pub const SHIPPING: [(&str, &str, i64); 2] = [
    ("standard", "Standard delivery, 2–4 working days", 4_900),
    ("express", "Express delivery, next working day", 12_900),
];

/// The shipping option with this id.
pub fn shipping(id: &str) -> Option<(&'static str, &'static str, i64)> {
    SHIPPING.into_iter().find(|(key, _, _)| *key == id)
}

/// `basis_points` hundredths of a percent of `amount`, rounded half up to a whole minor unit.
pub fn percentage_of(amount: i64, basis_points: i64) -> i64 {
    (amount * basis_points + 5_000).div_euclid(10_000)
}

/// What a code takes off an order with this subtotal and shipping price.
pub fn discount_amount(rule: &DiscountRule, subtotal: i64, shipping: i64) -> i64 {
    match rule.kind {
        DiscountKind::Percentage => percentage_of(subtotal, rule.value.min(10_000)),
        DiscountKind::FixedAmount => rule.value.min(subtotal),
        DiscountKind::FreeShipping => shipping,
    }
}

/// An amount as a customer reads it, e.g. `300.00 SEK`.
pub fn format_money(minor: i64, currency: &str) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let minor = minor.abs();
    format!("{sign}{}.{:02} {currency}", minor / 100, minor % 100)
}

/// Why a code can't be used on this order, for the customer; `None` when it can.
pub fn refusal(
    code: &str,
    rule: &DiscountRule,
    status: DiscountStatus,
    subtotal: i64,
    currency: &str,
    used_before: bool,
) -> Option<(ProblemCode, String)> {
    match status {
        DiscountStatus::Expired => {
            return Some((
                ProblemCode::DiscountInactive,
                format!("the code {code} has expired"),
            ));
        }
        DiscountStatus::Scheduled => {
            return Some((
                ProblemCode::DiscountInactive,
                format!("the code {code} can't be used yet"),
            ));
        }
        DiscountStatus::Active => {}
    }
    if subtotal < rule.minimum_subtotal {
        return Some((
            ProblemCode::DiscountNotApplicable,
            format!(
                "the code {code} needs a subtotal of at least {}",
                format_money(rule.minimum_subtotal, currency)
            ),
        ));
    }
    if rule.once_per_customer && used_before {
        return Some((
            ProblemCode::DiscountNotApplicable,
            format!("the code {code} can be used once per customer, and you have used it"),
        ));
    }
    None
}

/// What the test payment provider says about a card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payment {
    Charged,
    Declined,
    /// Not one of the test cards.
    UnknownCard,
}

/// The storefront's payment provider in test mode: the success card is charged, the declined
/// card is declined, any other number is refused (as a provider's test mode refuses real cards).
pub fn charge(card_number: &str, _amount: i64, _now: Millis) -> Payment {
    let digits: String = card_number
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .collect();
    if digits == TEST_CARD_SUCCEEDS {
        Payment::Charged
    } else if digits == TEST_CARD_DECLINED {
        Payment::Declined
    } else {
        Payment::UnknownCard
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_round_half_up_to_a_minor_unit() {
        assert_eq!(percentage_of(1_999, 1_500), 300); // 299.85
        assert_eq!(percentage_of(333, 1_500), 50); // 49.95
        assert_eq!(percentage_of(310, 1_500), 47); // 46.5 rounds up
        assert_eq!(percentage_of(309, 1_500), 46); // 46.35
        assert_eq!(percentage_of(0, 1_500), 0);
        assert_eq!(percentage_of(12_345, 1_250), 1_543); // 12.5 % is 1543.125
    }

    #[test]
    fn each_kind_takes_its_amount() {
        let fixed = DiscountRule {
            kind: DiscountKind::FixedAmount,
            value: 10_000,
            ..DiscountRule::percent(0)
        };
        assert_eq!(discount_amount(&fixed, 25_000, 4_900), 10_000);
        assert_eq!(
            discount_amount(&fixed, 6_000, 4_900),
            6_000,
            "never below zero"
        );
        let free = DiscountRule {
            kind: DiscountKind::FreeShipping,
            ..DiscountRule::percent(0)
        };
        assert_eq!(discount_amount(&free, 25_000, 4_900), 4_900);
        assert_eq!(
            discount_amount(&DiscountRule::percent(100), 25_000, 4_900),
            25_000
        );
    }

    #[test]
    fn refusals_say_why() {
        let rule = DiscountRule {
            minimum_subtotal: 30_000,
            once_per_customer: true,
            ..DiscountRule::percent(15)
        };
        let refused = |status, subtotal, used| {
            refusal("FIKA15", &rule, status, subtotal, "SEK", used).map(|(_, why)| why)
        };
        assert_eq!(
            refused(DiscountStatus::Expired, 50_000, false).as_deref(),
            Some("the code FIKA15 has expired")
        );
        assert_eq!(
            refused(DiscountStatus::Scheduled, 50_000, false).as_deref(),
            Some("the code FIKA15 can't be used yet")
        );
        assert_eq!(
            refused(DiscountStatus::Active, 29_999, false).as_deref(),
            Some("the code FIKA15 needs a subtotal of at least 300.00 SEK")
        );
        assert!(
            refused(DiscountStatus::Active, 30_000, true)
                .unwrap()
                .contains("once per customer")
        );
        assert_eq!(refused(DiscountStatus::Active, 30_000, false), None);
    }

    #[test]
    fn the_test_cards_behave_like_a_providers_test_mode() {
        assert_eq!(charge("4242 4242 4242 4242", 100, 0), Payment::Charged);
        assert_eq!(charge("4000-0000-0000-0002", 100, 0), Payment::Declined);
        assert_eq!(charge("5555 5555 5555 4444", 100, 0), Payment::UnknownCard);
    }
}
