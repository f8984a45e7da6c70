//! The ten conversation topics of the seeds' classification table, and the confidence gate.
//!
//! A label is applied only when the classifier is at least [`CONFIDENCE_GATE`] sure; the
//! conversation list shows at most [`LIST_LABELS`] labels, newest first.

use serde::{Deserialize, Serialize};

/// Labels below this confidence are never applied ("lower than 90 %" in the seeds).
pub const CONFIDENCE_GATE: f32 = 0.9;

/// How many topic labels the conversation list shows per conversation.
pub const LIST_LABELS: usize = 2;

/// A topic a customer message can be about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Topic {
    /// Payments or placing a new order.
    Checkout,
    /// Cancelling or changing an order.
    EditOrders,
    /// Order confirmation, order status and payment balance.
    OrderStatus,
    /// Discounts, applying discounts, or promo codes.
    PricingDiscounts,
    /// Colour, size, quantity, weight, volume, stock, customisation, product photos or videos.
    ProductDetails,
    /// General product inquiries or interest.
    ProductInterest,
    /// Issues with delivered orders, refunds and returns of delivered orders.
    Returns,
    /// Local pickup or shipping costs.
    Shipping,
    /// Contact info, location, opening hours, general return policy, marketing requests.
    StoreInfo,
    /// Wholesale inquiries.
    Wholesale,
}

impl Topic {
    pub const ALL: [Topic; 10] = [
        Topic::Checkout,
        Topic::EditOrders,
        Topic::OrderStatus,
        Topic::PricingDiscounts,
        Topic::ProductDetails,
        Topic::ProductInterest,
        Topic::Returns,
        Topic::Shipping,
        Topic::StoreInfo,
        Topic::Wholesale,
    ];

    /// The stable key used on the wire and in storage.
    pub fn key(self) -> &'static str {
        match self {
            Topic::Checkout => "checkout",
            Topic::EditOrders => "edit_orders",
            Topic::OrderStatus => "order_status",
            Topic::PricingDiscounts => "pricing_discounts",
            Topic::ProductDetails => "product_details",
            Topic::ProductInterest => "product_interest",
            Topic::Returns => "returns",
            Topic::Shipping => "shipping",
            Topic::StoreInfo => "store_info",
            Topic::Wholesale => "wholesale",
        }
    }

    pub fn from_key(key: &str) -> Option<Topic> {
        Topic::ALL.into_iter().find(|t| t.key() == key)
    }

    /// The label staff see, in English.
    pub fn label_en(self) -> &'static str {
        match self {
            Topic::Checkout => "Checkout",
            Topic::EditOrders => "Edit orders",
            Topic::OrderStatus => "Order status",
            Topic::PricingDiscounts => "Pricing/Discounts",
            Topic::ProductDetails => "Product details",
            Topic::ProductInterest => "Product interest",
            Topic::Returns => "Returns/Delivered orders",
            Topic::Shipping => "Shipping",
            Topic::StoreInfo => "Store info",
            Topic::Wholesale => "Wholesale",
        }
    }

    /// The label staff see, in Swedish (as in the Swedish help page).
    pub fn label_sv(self) -> &'static str {
        match self {
            Topic::Checkout => "Kassa",
            Topic::EditOrders => "Redigera ordrar",
            Topic::OrderStatus => "Orderstatus",
            Topic::PricingDiscounts => "Prissättning/rabatter",
            Topic::ProductDetails => "Produktdetaljer",
            Topic::ProductInterest => "Produktintresse",
            Topic::Returns => "Returer/levererade ordrar",
            Topic::Shipping => "Frakt",
            Topic::StoreInfo => "Butiksinformation",
            Topic::Wholesale => "Grosshandel",
        }
    }
}

impl std::fmt::Display for Topic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_through_serde_and_from_key() {
        for topic in Topic::ALL {
            let json = serde_json::to_string(&topic).unwrap();
            assert_eq!(json, format!("\"{}\"", topic.key()));
            assert_eq!(serde_json::from_str::<Topic>(&json).unwrap(), topic);
            assert_eq!(Topic::from_key(topic.key()), Some(topic));
        }
        assert_eq!(Topic::from_key("refunds"), None);
    }
}
