//! `topics`: train the topic model from `data/topics/`, evaluate it on the held-out split, or
//! classify messages from stdin. A thin shell over the library; all logic lives there.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use inbox_protocol::{CONFIDENCE_GATE, Topic};
use inbox_topics::data::{self, Example, Split};
use inbox_topics::train::TrainConfig;
use inbox_topics::{Classifier, DATA_DIR, MODEL_PATH};

#[derive(Parser)]
#[command(about = "Topic classifier for customer messages (English and Swedish)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Train on the train split (temperature by cross-validation), write the model file.
    Train {
        /// Folder of `*.tsv` files (`lang<TAB>label<TAB>text`).
        #[arg(long, default_value = DATA_DIR)]
        data: PathBuf,
        #[arg(long, default_value = MODEL_PATH)]
        out: PathBuf,
    },
    /// Report precision, recall, coverage and calibration per language.
    Evaluate {
        /// A model file; the embedded model when absent.
        #[arg(long)]
        model: Option<PathBuf>,
        /// A folder of `*.tsv` files or one `.tsv` file.
        #[arg(long, default_value = DATA_DIR)]
        data: PathBuf,
        /// Which messages to measure; use `all` for a file written elsewhere.
        #[arg(long, value_enum, default_value_t = SplitArg::HeldOut)]
        split: SplitArg,
        #[arg(long, default_value_t = CONFIDENCE_GATE)]
        threshold: f32,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// Also list the messages whose likeliest class is not their label.
        #[arg(long)]
        mistakes: bool,
        /// Also list the topical messages left without a label at the threshold.
        #[arg(long)]
        unlabelled: bool,
    },
    /// Read one message per line on stdin, print one JSON object per line.
    Classify {
        #[arg(long)]
        model: Option<PathBuf>,
        #[arg(long, default_value_t = CONFIDENCE_GATE)]
        threshold: f32,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum SplitArg {
    HeldOut,
    Train,
    All,
}

#[derive(serde::Serialize)]
struct Line {
    topic: Option<Topic>,
    confidence: f32,
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Train { data, out } => train(&data, &out),
        Command::Evaluate {
            model,
            data,
            split,
            threshold,
            json,
            mistakes,
            unlabelled,
        } => {
            let classifier = load_model(model.as_deref())?;
            let examples = load_data(&data)?;
            let examples: Vec<Example> = examples
                .into_iter()
                .filter(|e| match split {
                    SplitArg::All => true,
                    SplitArg::HeldOut => e.split() == Split::HeldOut,
                    SplitArg::Train => e.split() == Split::Train,
                })
                .collect();
            let report = inbox_topics::evaluate::evaluate(&classifier, &examples, threshold);
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{report}");
            }
            if mistakes {
                print_mistakes(&classifier, &examples);
            }
            if unlabelled {
                print_unlabelled(&classifier, &examples, threshold);
            }
            Ok(())
        }
        Command::Classify { model, threshold } => {
            let classifier = load_model(model.as_deref())?;
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            for line in std::io::stdin().lock().lines() {
                let line = line.context("reading stdin")?;
                let p = classifier.classify(&line, threshold);
                // Three decimals are all a person reads; the gate compares the exact value.
                let confidence = (p.confidence * 1000.0).round() / 1000.0;
                serde_json::to_writer(
                    &mut out,
                    &Line {
                        topic: p.topic,
                        confidence,
                    },
                )?;
                out.write_all(b"\n")?;
            }
            out.flush()?;
            Ok(())
        }
    }
}

fn train(data: &Path, out: &Path) -> Result<()> {
    let examples = load_data(data)?;
    let count = |s: Split| examples.iter().filter(|e| e.split() == s).count();
    let mut families: Vec<u64> = examples.iter().map(|e| e.family).collect();
    families.sort_unstable();
    let sizes: Vec<usize> = families.chunk_by(|a, b| a == b).map(<[u64]>::len).collect();
    eprintln!(
        "{} messages in {} phrasing families (largest {}): {} train, {} held out (not used)",
        examples.len(),
        sizes.len(),
        sizes.iter().max().copied().unwrap_or(0),
        count(Split::Train),
        count(Split::HeldOut)
    );
    let started = std::time::Instant::now();
    let model = inbox_topics::train::train(&examples, &TrainConfig::default());
    let bytes = model.to_bytes();
    std::fs::write(out, &bytes).with_context(|| format!("writing {}", out.display()))?;
    eprintln!(
        "wrote {} ({} bytes, temperature {:.3}, fingerprint {}) in {:.1} s",
        out.display(),
        bytes.len(),
        model.temperature(),
        data::hex(&model.fingerprint()),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// One line per message whose likeliest class is not its label: label, guess, probability, text.
fn print_mistakes(classifier: &Classifier, examples: &[Example]) {
    let key = |c: Option<Topic>| c.map_or(inbox_topics::NO_TOPIC_KEY, Topic::key);
    for e in examples {
        let p = classifier.probabilities(&e.text);
        let best = (0..p.len()).fold(0, |b, i| if p[i] > p[b] { i } else { b });
        let guess = classifier.classes()[best];
        if guess != e.label {
            println!(
                "{}\t{}\t{}\t{:.3}\t{}",
                e.lang.key(),
                key(e.label),
                key(guess),
                p[best],
                e.text
            );
        }
    }
}

/// One line per topical message left without a label: label, best topic, confidence, text.
fn print_unlabelled(classifier: &Classifier, examples: &[Example], threshold: f32) {
    for e in examples {
        let Some(label) = e.label else { continue };
        let p = classifier.classify(&e.text, 0.0);
        if classifier.classify(&e.text, threshold).topic.is_none() {
            println!(
                "{}\t{}\t{}\t{:.3}\t{}",
                e.lang.key(),
                label.key(),
                p.topic.map_or(inbox_topics::NO_TOPIC_KEY, Topic::key),
                p.confidence,
                e.text
            );
        }
    }
}

fn load_model(path: Option<&Path>) -> Result<Classifier> {
    match path {
        None => Ok(Classifier::embedded().clone()),
        Some(path) => {
            let bytes =
                std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
            Classifier::from_bytes(&bytes).with_context(|| format!("loading {}", path.display()))
        }
    }
}

fn load_data(path: &Path) -> Result<Vec<Example>> {
    let examples = if path.is_dir() {
        data::load_dir(path)?
    } else {
        let mut examples = data::load_file(path)?;
        data::assign_families(&mut examples);
        examples
    };
    Ok(examples)
}
