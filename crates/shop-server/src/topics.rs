//! Topic labelling of customer messages.
//!
//! The server asks a [`TopicClassifier`] about every customer message and applies the label
//! only at or above the 90 % gate. The classifier is a trait so the on-device model can be
//! swapped in without the rest of the server knowing.

use inbox_protocol::{CONFIDENCE_GATE, Topic};

/// A topic with the classifier's calibrated probability.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TopicGuess {
    pub topic: Topic,
    pub confidence: f32,
}

pub trait TopicClassifier: Send + Sync {
    /// The most likely topic of one customer message, or `None` when it has no topic.
    fn classify(&self, text: &str) -> Option<TopicGuess>;
}

/// The label to apply, if the guess clears the gate.
pub fn label(classifier: &dyn TopicClassifier, text: &str) -> Option<TopicGuess> {
    classifier
        .classify(text)
        .filter(|g| g.confidence >= CONFIDENCE_GATE)
}

/// The on-device model from `inbox-topics`, English and Swedish.
#[derive(Debug, Clone, Copy)]
pub struct ModelClassifier(&'static inbox_topics::Classifier);

impl TopicClassifier for ModelClassifier {
    fn classify(&self, text: &str) -> Option<TopicGuess> {
        // Ask without a gate: `label` applies the server's own.
        let prediction = self.0.classify(text, 0.0);
        prediction.topic.map(|topic| TopicGuess {
            topic,
            confidence: prediction.confidence,
        })
    }
}

/// The classifier the server uses unless told otherwise: the embedded model.
pub fn default_classifier() -> std::sync::Arc<dyn TopicClassifier> {
    std::sync::Arc::new(ModelClassifier(inbox_topics::Classifier::embedded()))
}

/// A conservative keyword matcher: it answers only when the words point at exactly one topic.
/// Tests use it where they need labels that don't depend on the model.
#[derive(Debug, Default)]
pub struct KeywordClassifier;

const KEYWORDS: &[(Topic, &[&str])] = &[
    (
        Topic::Checkout,
        &[
            "checkout", "payment", "pay with", "klarna", "kassan", "betala",
        ],
    ),
    (
        Topic::EditOrders,
        &[
            "cancel my order",
            "change my order",
            "avbryta",
            "ändra min order",
        ],
    ),
    (
        Topic::OrderStatus,
        &[
            "where is my order",
            "order status",
            "tracking",
            "var är min",
        ],
    ),
    (
        Topic::PricingDiscounts,
        &["discount", "promo code", "coupon", "rabatt"],
    ),
    (
        Topic::ProductDetails,
        &[
            "what size",
            "colour",
            "color",
            "in stock",
            "storlek",
            "färg",
        ],
    ),
    (
        Topic::ProductInterest,
        &["do you sell", "do you have", "säljer ni", "har ni"],
    ),
    (
        Topic::Returns,
        &[
            "return",
            "refund",
            "damaged",
            "retur",
            "återbetalning",
            "trasig",
        ],
    ),
    (
        Topic::Shipping,
        &[
            "shipping",
            "delivery cost",
            "pickup",
            "frakt",
            "leverans",
            "hämta",
        ],
    ),
    (
        Topic::StoreInfo,
        &["opening hours", "phone number", "address", "öppettider"],
    ),
    (
        Topic::Wholesale,
        &[
            "wholesale",
            "bulk order",
            "reseller",
            "grossist",
            "återförsäljare",
        ],
    ),
];

impl TopicClassifier for KeywordClassifier {
    fn classify(&self, text: &str) -> Option<TopicGuess> {
        let text = text.to_lowercase();
        let mut hits = KEYWORDS
            .iter()
            .filter(|(_, words)| words.iter().any(|w| text.contains(w)))
            .map(|(topic, _)| *topic);
        let topic = hits.next()?;
        if hits.next().is_some() {
            return None;
        }
        Some(TopicGuess {
            topic,
            confidence: CONFIDENCE_GATE,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_label_only_unambiguous_messages() {
        let k = KeywordClassifier;
        assert_eq!(
            label(&k, "How much is shipping to Malmö?").map(|g| g.topic),
            Some(Topic::Shipping)
        );
        assert_eq!(label(&k, "hi"), None);
        // Two topics at once: no label rather than a wrong one.
        assert_eq!(label(&k, "refund the shipping please"), None);
    }
}
