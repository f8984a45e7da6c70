//! Time to classify one message with the embedded model, against a baseline measured in the
//! same run: normalising and tokenising the same message, which every classification does
//! first. Reports p50 and p99 per message, their ratios to the baseline, and ends with one JSON
//! line. Run with `cargo bench -p inbox-topics`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use inbox_protocol::CONFIDENCE_GATE;
use inbox_topics::data::{self, Split};
use inbox_topics::{Classifier, DATA_DIR, features};

const ROUNDS: usize = 50;

fn percentile(sorted: &[Duration], q: f64) -> Duration {
    let i = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[i]
}

/// Times `f` once per message, `ROUNDS` times over, and returns the sorted timings.
fn time_each(messages: &[String], mut f: impl FnMut(&str)) -> Vec<Duration> {
    let mut timings = Vec::with_capacity(messages.len() * ROUNDS);
    for _ in 0..ROUNDS {
        for m in messages {
            let started = Instant::now();
            f(m);
            timings.push(started.elapsed());
        }
    }
    timings.sort_unstable();
    timings
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn main() {
    let examples = data::load_dir(DATA_DIR.as_ref()).expect("the committed data loads");
    let messages: Vec<String> = examples
        .into_iter()
        .filter(|e| e.split() == Split::HeldOut)
        .map(|e| e.text)
        .collect();
    let parse_started = Instant::now();
    let classifier = Classifier::embedded();
    let parse = parse_started.elapsed();

    // Warm up caches and the branch predictor on both paths before measuring.
    for m in &messages {
        black_box(classifier.classify(black_box(m), CONFIDENCE_GATE));
        black_box(features::tokens(black_box(m)));
    }
    let baseline = time_each(&messages, |m| {
        black_box(features::tokens(black_box(m)));
    });
    let classify = time_each(&messages, |m| {
        black_box(classifier.classify(black_box(m), CONFIDENCE_GATE));
    });

    let (b50, b99) = (percentile(&baseline, 0.5), percentile(&baseline, 0.99));
    let (c50, c99) = (percentile(&classify, 0.5), percentile(&classify, 0.99));
    let max = *classify.last().expect("messages were timed");
    let ratio50 = c50.as_secs_f64() / b50.as_secs_f64();
    let ratio99 = c99.as_secs_f64() / b99.as_secs_f64();
    println!(
        "{} held-out messages x {ROUNDS} rounds; embedded model parsed in {:.1} ms",
        messages.len(),
        parse.as_secs_f64() * 1e3
    );
    println!(
        "baseline (normalise + tokenise): p50 {:.2} µs  p99 {:.2} µs",
        micros(b50),
        micros(b99)
    );
    println!(
        "classify:                         p50 {:.2} µs  p99 {:.2} µs  max {:.1} µs",
        micros(c50),
        micros(c99),
        micros(max)
    );
    println!("classify / baseline:              p50 {ratio50:.1}x  p99 {ratio99:.1}x");
    println!(
        "{}",
        serde_json::json!({
            "bench": "classify",
            "messages": messages.len(),
            "rounds": ROUNDS,
            "model_parse_ms": parse.as_secs_f64() * 1e3,
            "baseline_p50_us": micros(b50),
            "baseline_p99_us": micros(b99),
            "classify_p50_us": micros(c50),
            "classify_p99_us": micros(c99),
            "classify_max_us": micros(max),
            "ratio_p50": ratio50,
            "ratio_p99": ratio99,
        })
    );
}
