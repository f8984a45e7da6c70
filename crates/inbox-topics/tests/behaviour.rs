//! What staff would see for a handful of everyday messages, written for these tests (none of
//! them is in the training data).

use inbox_protocol::{CONFIDENCE_GATE, Topic};
use inbox_topics::{Classifier, Prediction};

fn label(text: &str) -> Option<Topic> {
    Classifier::embedded().classify(text, CONFIDENCE_GATE).topic
}

#[test]
fn greetings_thanks_and_gibberish_get_no_label() {
    for text in [
        "hi there :)",
        "hejsan svejsan",
        "Hej hej!",
        "tack så jättemycket",
        "thanks a million",
        "are you there??",
        "",
        "sdfkj qwpeo",
        "😊",
    ] {
        let p = Classifier::embedded().classify(text, CONFIDENCE_GATE);
        assert_eq!(p.topic, None, "{text:?} got {p:?}");
    }
}

#[test]
fn clear_questions_get_their_topic_in_both_languages() {
    let cases = [
        (
            "Hur mycket kostar det att skicka en beställning till Göteborg?",
            Topic::Shipping,
        ),
        (
            "how much do you charge for shipping to Spain",
            Topic::Shipping,
        ),
        (
            "Var är mitt paket? Jag beställde för tio dagar sedan",
            Topic::OrderStatus,
        ),
        (
            "where's my parcel, I ordered ten days ago",
            Topic::OrderStatus,
        ),
        (
            "Kan jag ändra storleken på min beställning innan ni skickar den?",
            Topic::EditOrders,
        ),
        (
            "please cancel the order I placed this morning",
            Topic::EditOrders,
        ),
        (
            "Jag vill returnera tröjan och få pengarna tillbaka",
            Topic::Returns,
        ),
        ("Säljer ni grossist till butiker?", Topic::Wholesale),
        ("what time do you open on saturday", Topic::StoreInfo),
    ];
    for (text, topic) in cases {
        assert_eq!(label(text), Some(topic), "{text:?}");
    }
}

#[test]
fn words_of_one_topic_used_for_another_go_to_the_meaning() {
    // "checkout" in a message about a discount code; "order" in a message about changing it.
    assert_eq!(
        label("my discount code doesn't work at checkout"),
        Some(Topic::PricingDiscounts)
    );
    assert_eq!(
        label("do you have any discounts at the moment?"),
        Some(Topic::PricingDiscounts)
    );
    assert_eq!(label("where is my order??"), Some(Topic::OrderStatus));
    assert_eq!(label("can I change my order"), Some(Topic::EditOrders));
    assert_eq!(
        label("Min rabattkod fungerar inte i kassan"),
        Some(Topic::PricingDiscounts)
    );
}

#[test]
fn swedish_without_diacritics_is_understood_like_with_them() {
    let with = Classifier::embedded().classify("Var är min beställning?", CONFIDENCE_GATE);
    let without = Classifier::embedded().classify("var ar min bestallning?", CONFIDENCE_GATE);
    assert_eq!(with, without);
    assert_eq!(with.topic, Some(Topic::OrderStatus));
}

#[test]
fn the_threshold_decides_whether_the_best_topic_is_applied() {
    let text = "Kan jag hämta i butiken?";
    let gated = Classifier::embedded().classify(text, CONFIDENCE_GATE);
    let never = Classifier::embedded().classify(text, 1.01);
    assert_eq!(
        never,
        Prediction {
            topic: None,
            confidence: gated.confidence
        }
    );
    // Below the gate a lower threshold lets the best topic through, since it beats "no topic".
    let loose = Classifier::embedded().classify(text, 0.5);
    assert!(loose.topic.is_some(), "{loose:?}");
    // "No topic" stays unlabelled however low the threshold.
    assert_eq!(Classifier::embedded().classify("thanks!", 0.0).topic, None);
}

#[test]
fn confidence_is_a_probability() {
    for text in [
        "hi",
        "Do you ship to Portugal?",
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "ååå äää",
    ] {
        let p = Classifier::embedded().classify(text, CONFIDENCE_GATE);
        assert!((0.0..=1.0).contains(&p.confidence), "{text:?}: {p:?}");
    }
}

#[test]
fn the_classifier_can_be_shared_across_threads() {
    fn shareable<T: Send + Sync + 'static>(_: &T) {}
    shareable(Classifier::embedded());
    let shared = std::sync::Arc::new(Classifier::embedded().clone());
    let worker = {
        let shared = shared.clone();
        std::thread::spawn(move || {
            shared.classify("Vad kostar frakten till Kiruna?", CONFIDENCE_GATE)
        })
    };
    assert_eq!(worker.join().unwrap().topic, Some(Topic::Shipping));
}

/// Messages of the kinds issue 12 found mislabelled on sets written elsewhere, written for
/// these tests (none is in the training data, nor a near-copy of a training message).
mod written_elsewhere {
    use super::*;

    /// One topic's words as background, another's as the question: the label, if any, is the
    /// question's, and most get it.
    #[test]
    fn the_clause_that_asks_decides_the_topic() {
        let cases = [
            (
                "My refund came through last week, thanks. Does the wool hat come in grey?",
                Topic::ProductDetails,
            ),
            (
                "When I got to the checkout I wondered, how much is delivery to Denmark?",
                Topic::Shipping,
            ),
            (
                "I used the 10% code on my order, can I still send the shoes back for a refund?",
                Topic::Returns,
            ),
            (
                "I sent a pair of jeans back in October and that was all fine, but is the new \
                 denim jacket true to size?",
                Topic::ProductDetails,
            ),
            (
                "När jag kom till kassan undrade jag, vad kostar leveransen till Danmark?",
                Topic::Shipping,
            ),
            (
                "Pengarna kom förra veckan, tack. Finns mössan i grått?",
                Topic::ProductDetails,
            ),
            (
                "Jag skickade tillbaka ett par jeans i oktober och det gick bra, men är den nya \
                 jeansjackan normal i storleken?",
                Topic::ProductDetails,
            ),
        ];
        let mut right = 0;
        for (text, topic) in cases {
            let got = label(text);
            assert!(got.is_none() || got == Some(topic), "{text:?} got {got:?}");
            right += usize::from(got == Some(topic));
        }
        assert!(right >= 4, "only {right} of {} labelled", cases.len());
    }

    #[test]
    fn conversational_turns_get_no_topic() {
        for text in [
            "could I speak to someone from the team please",
            "thanks for delivering so fast last time!",
            "have a lovely evening",
            "the refund arrived, cheers",
            "kan jag få prata med någon på riktigt",
            "tack för att det gick så snabbt sist!",
            "ha en fin kväll",
            "rabattkoden funkade fint, tack ska du ha",
        ] {
            let p = Classifier::embedded().classify(text, CONFIDENCE_GATE);
            assert_eq!(p.topic, None, "{text:?} got {p:?}");
        }
    }

    #[test]
    fn support_desk_phrasing_gets_its_topic() {
        for (text, topic) in [
            (
                "I would like assistance with tracking my parcel",
                Topic::OrderStatus,
            ),
            (
                "I need help getting my money back for a broken lamp",
                Topic::Returns,
            ),
            ("Jag behöver hjälp att spåra mitt paket", Topic::OrderStatus),
        ] {
            assert_eq!(label(text), Some(topic), "{text:?}");
        }
    }
}
