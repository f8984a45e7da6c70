//! On-device topic classifier for customer messages in English and Swedish.
//!
//! Labels a message with one of the ten [`inbox_protocol::Topic`]s only when the calibrated
//! probability reaches the gate ([`inbox_protocol::CONFIDENCE_GATE`]), because staff prioritise
//! by labels and a wrong label costs more than a missing one. The model is a multinomial
//! logistic regression with an explicit "no topic" class over hashed word and character
//! n-grams, word groups and the clause that asks, the mean of models trained on folds by
//! phrasing family, calibrated (temperature, then an isotonic map per language) on their
//! out-of-fold scores, and is compiled into the binary; nothing here touches the network. The shop server only needs
//! [`Classifier`] and [`Prediction`]; the [`data`], [`train`] and [`evaluate`] modules serve the
//! `topics` binary and the tests.

pub mod data;
pub mod evaluate;
pub mod features;
mod lexicon;
mod model;
pub mod train;

pub use model::{Classifier, ModelError, NO_TOPIC_KEY, Prediction};

/// The committed model file, built by `topics train` from `data/topics/`.
pub(crate) static EMBEDDED_MODEL: &[u8] = include_bytes!("../model/topics.bin");

/// Where the committed training data lives in the source tree.
pub const DATA_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/topics");

/// Where `topics train` writes the model by default.
pub const MODEL_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/model/topics.bin");
