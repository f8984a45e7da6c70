//! Training is deterministic, and the committed model is the one `topics train` makes from the
//! committed data.
//!
//! Two checks of the committed model: a cheap one through the fingerprint it records (SHA-256 of
//! the training data, the training settings and the feature extraction, word groups included),
//! which names the fix, and a full retraining compared byte for byte. The full one takes about
//! ten seconds because the workspace builds this crate optimised in dev profiles too
//! (`[profile.dev.package.inbox-topics]`); without that it would take minutes.

use inbox_topics::data::{self, Example, hex};
use inbox_topics::train::{TrainConfig, train};
use inbox_topics::{Classifier, DATA_DIR, MODEL_PATH};

fn committed_data() -> Vec<Example> {
    data::load_dir(DATA_DIR.as_ref()).expect("the committed data loads")
}

#[test]
fn the_committed_model_was_trained_from_the_committed_data_and_settings() {
    let examples = committed_data();
    let expected = data::fingerprint(&examples, &TrainConfig::default().settings());
    let model = Classifier::embedded();
    assert_eq!(
        hex(&model.fingerprint()),
        hex(&expected),
        "model/topics.bin is stale: run `cargo run -p inbox-topics --release --bin topics -- train`"
    );
}

#[test]
fn training_on_the_committed_data_reproduces_the_committed_model_byte_for_byte() {
    let trained = train(&committed_data(), &TrainConfig::default()).to_bytes();
    let committed = std::fs::read(MODEL_PATH).expect("model/topics.bin exists");
    assert!(
        trained == committed,
        "model/topics.bin differs from a fresh training run: run \
         `cargo run -p inbox-topics --release --bin topics -- train`"
    );
}

#[test]
fn the_embedded_model_is_the_file_on_disk_and_under_5_mb() {
    let on_disk = std::fs::read(MODEL_PATH).expect("model/topics.bin exists");
    assert!(
        on_disk.len() <= 5 * 1024 * 1024,
        "model is {} bytes",
        on_disk.len()
    );
    assert_eq!(Classifier::embedded().to_bytes(), on_disk);
}

#[test]
fn training_twice_gives_byte_identical_models() {
    // Every eighth message keeps this quick in a debug build and still covers every class.
    let subset: Vec<Example> = committed_data().into_iter().step_by(8).collect();
    let config = TrainConfig {
        epochs: 3,
        typo_copies: 1,
        dropout_copies: 1,
        calibration_folds: 2,
        ..TrainConfig::default()
    };
    let first = train(&subset, &config).to_bytes();
    let second = train(&subset, &config).to_bytes();
    assert_eq!(first.len(), second.len());
    assert!(first == second, "two training runs on the same data differ");
    // And the bytes are a model that loads.
    let model = Classifier::from_bytes(&first).expect("a trained model loads");
    assert_eq!(model.to_bytes(), first);
}

#[test]
fn a_changed_message_changes_the_fingerprint() {
    let mut examples = committed_data();
    let settings = TrainConfig::default().settings();
    let before = data::fingerprint(&examples, &settings);
    examples[0].text.push('!');
    assert_ne!(data::fingerprint(&examples, &settings), before);
}
