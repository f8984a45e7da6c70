//! Tuning aid, not part of the product: five-fold cross-validation of training settings inside
//! the train split (never the held-out split). Prints, per setting and language, the precision
//! and coverage of labels at the 0.9 gate and the share of no-topic messages labelled. With
//! `SWEEP_LIST=1` it also lists out-of-fold messages labelled wrongly at the gate (`WRONG`) and
//! topical ones left below it (`BELOW`), which is how data gaps and label conflicts were found.
//! It also prints the calibration bins at and above the gate, pooled over the folds, and marks
//! a bin right less often than it claims `SHORT`. `SWEEP_NOT_SCORED=FILE` trains on that file's
//! messages but leaves them out of the figures, to compare a data change on the messages
//! measured before it.
//!
//! `cargo run -p inbox-topics --release --example sweep -- "lr=0.5,epochs=30" l2=1e-5`

use inbox_protocol::{CONFIDENCE_GATE, Topic};
use inbox_topics::data::{self, Example, Split};
use inbox_topics::features::mix;
use inbox_topics::train::{TrainConfig, classes, train_on};
use inbox_topics::{DATA_DIR, NO_TOPIC_KEY, evaluate};

const FOLDS: u64 = 5;

fn parse(arg: &str, base: &TrainConfig) -> TrainConfig {
    let mut c = base.clone();
    for kv in arg.split(',') {
        let (k, v) = kv
            .split_once('=')
            .expect("settings look like name=value[,name=value]");
        let bad = |_: std::num::ParseIntError| panic!("bad value for {k}: {v}");
        match k {
            "epochs" => c.epochs = v.parse().unwrap_or_else(bad),
            "lr" => c.learning_rate = v.parse().unwrap_or_else(|_| panic!("bad lr {v}")),
            "decay" => c.decay_steps = v.parse().unwrap_or_else(|_| panic!("bad decay {v}")),
            "l2" => c.l2 = v.parse().unwrap_or_else(|_| panic!("bad l2 {v}")),
            "typos" => c.typo_copies = v.parse().unwrap_or_else(bad),
            "dropout" => c.dropout_copies = v.parse().unwrap_or_else(bad),
            "avg" => c.averaged_percent = v.parse().unwrap_or_else(bad),
            "folds" => c.calibration_folds = v.parse().unwrap_or_else(bad),
            "bagged" => c.bagged = v == "1" || v == "true",
            "perlang" => c.calibration_per_language = v == "1" || v == "true",
            "margin" => {
                c.calibration_margin = v.parse().unwrap_or_else(|_| panic!("bad margin {v}"))
            }
            other => panic!("unknown setting {other}"),
        }
    }
    c
}

fn main() {
    let all = data::load_dir(DATA_DIR.as_ref()).expect("the committed data loads");
    let pool: Vec<&Example> = all.iter().filter(|e| e.split() == Split::Train).collect();
    let base = TrainConfig::default();
    // SWEEP_ONLY=1 skips the default settings (slow: they calibrate inside every fold).
    let mut configs = if std::env::var_os("SWEEP_ONLY").is_some() {
        Vec::new()
    } else {
        vec![("default".to_owned(), base.clone())]
    };
    configs.extend(
        std::env::args()
            .skip(1)
            .map(|arg| (arg.clone(), parse(&arg, &base))),
    );
    let list = std::env::var_os("SWEEP_LIST").is_some();
    // SWEEP_NOT_SCORED=FILE trains on that file's messages but leaves them out of the figures,
    // so a data change can be compared with the messages measured before it.
    let not_scored: std::collections::BTreeSet<String> = match std::env::var_os("SWEEP_NOT_SCORED")
    {
        Some(path) => data::load_file(path.as_ref())
            .expect("SWEEP_NOT_SCORED names a data file")
            .into_iter()
            .map(|e| e.text)
            .collect(),
        None => Default::default(),
    };
    // Families of five or more: the named `#family:` blocks of hard cases, mostly.
    let family_size = |family: u64| all.iter().filter(|e| e.family == family).count();
    let big: std::collections::BTreeSet<u64> = all
        .iter()
        .map(|e| e.family)
        .filter(|&f| family_size(f) >= 5)
        .collect();
    let key = |c: Option<Topic>| c.map_or(NO_TOPIC_KEY, Topic::key);

    for (name, config) in configs {
        let mut reports = Vec::new();
        let mut big_reports = Vec::new();
        // Per language: (best topic's probability, its label was right, label was a topic).
        let mut scored: [Vec<(f32, bool)>; 2] = [Vec::new(), Vec::new()];
        let mut topical = [0usize; 2];
        for fold in 0..FOLDS {
            // Other hash bits than the split's, as training's own folds use.
            let fold_of = |e: &Example| (mix(e.family) >> 20) % FOLDS;
            let fit: Vec<&Example> = pool
                .iter()
                .copied()
                .filter(|e| fold_of(e) != fold)
                .collect();
            let check: Vec<Example> = pool
                .iter()
                .filter(|e| fold_of(e) == fold && !not_scored.contains(&e.text))
                .map(|e| (*e).clone())
                .collect();
            let model = train_on(&fit, &config);
            reports.push(evaluate::evaluate(&model, &check, CONFIDENCE_GATE));
            let in_big: Vec<Example> = check
                .iter()
                .filter(|e| big.contains(&e.family))
                .cloned()
                .collect();
            big_reports.push(evaluate::evaluate(&model, &in_big, CONFIDENCE_GATE));
            for e in &check {
                let i = usize::from(e.lang.key() == "sv");
                topical[i] += usize::from(e.label.is_some());
                let p = model.classify(&e.text, 0.0);
                if let Some(topic) = p.topic {
                    scored[i].push((p.confidence, e.label == Some(topic)));
                }
            }
            if !list {
                continue;
            }
            for e in &check {
                let p = model.probabilities(&e.text);
                let best = (0..p.len()).fold(0, |b, i| if p[i] > p[b] { i } else { b });
                let guess = classes()[best];
                let (lang, label) = (e.lang.key(), key(e.label));
                if guess.is_some() && guess != e.label && p[best] >= CONFIDENCE_GATE {
                    println!(
                        "WRONG\t{lang}\t{label}\t{}\t{:.3}\t{}",
                        key(guess),
                        p[best],
                        e.text
                    );
                } else if e.label.is_some() && p[best] < CONFIDENCE_GATE {
                    println!(
                        "BELOW\t{lang}\t{label}\t{}\t{:.3}\t{}",
                        key(guess),
                        p[best],
                        e.text
                    );
                }
            }
        }
        for (i, lang) in ["en", "sv"].into_iter().enumerate() {
            summarise(&format!("{name} (families of 5+)"), lang, &big_reports);
            let mut sums = [0usize; 6];
            for r in &reports {
                let l = &r.languages[i];
                let covered = (l.coverage * l.topical as f64).round() as usize;
                let none_labelled = (l.no_topic_labelled * l.no_topic as f64).round() as usize;
                let add = [
                    l.correct,
                    l.labelled,
                    covered,
                    l.topical,
                    none_labelled,
                    l.no_topic,
                ];
                for (s, a) in sums.iter_mut().zip(add) {
                    *s += a;
                }
            }
            let ratio = |a: usize, b: usize| a as f64 / b.max(1) as f64;
            // The most labels a threshold on the confidence could apply with 97 % of them
            // right: a measure of how well the scores rank that does not depend on calibration.
            scored[i].sort_by(|a, b| b.0.total_cmp(&a.0));
            let (mut right, mut best) = (0usize, 0usize);
            for (n, &(_, ok)) in scored[i].iter().enumerate() {
                right += usize::from(ok);
                if ratio(right, n + 1) >= 0.97 {
                    best = right;
                }
            }
            println!(
                "{name:<40} {lang} right labels at 97 % precision: {:.3} of topical",
                ratio(best, topical[i])
            );
            println!(
                "{name:<40} {lang} precision {:.3} coverage {:.3} none-labelled {:.3}",
                ratio(sums[0], sums[1]),
                ratio(sums[2], sums[3]),
                ratio(sums[4], sums[5])
            );
            calibration_above_gate(&name, lang, &reports);
        }
    }
}

/// Pooled precision, coverage and no-topic labelled rate of one language over fold reports.
fn summarise(name: &str, lang: &str, reports: &[evaluate::Report]) {
    let mut sums = [0usize; 6];
    for r in reports {
        let Some(l) = r.languages.iter().find(|l| l.lang.key() == lang) else {
            continue;
        };
        let covered = (l.coverage * l.topical as f64).round() as usize;
        let none_labelled = (l.no_topic_labelled * l.no_topic as f64).round() as usize;
        let add = [
            l.correct,
            l.labelled,
            covered,
            l.topical,
            none_labelled,
            l.no_topic,
        ];
        for (s, a) in sums.iter_mut().zip(add) {
            *s += a;
        }
    }
    let ratio = |a: usize, b: usize| a as f64 / b.max(1) as f64;
    println!(
        "{name:<40} {lang} precision {:.3} ({} of {}) coverage {:.3} of {} none-labelled {:.3} of {}",
        ratio(sums[0], sums[1]),
        sums[0],
        sums[1],
        ratio(sums[2], sums[3]),
        sums[3],
        ratio(sums[4], sums[5]),
        sums[5]
    );
}

/// The calibration bins at and above the gate, pooled over the folds' out-of-fold messages:
/// how many, the mean claimed confidence and the share right. The rule is that every
/// such bin is right at least as often as it claims.
fn calibration_above_gate(name: &str, lang: &str, reports: &[evaluate::Report]) {
    // (low, high) -> (count, sum of claims, right)
    let mut bins: Vec<(f32, f32, usize, f64, f64)> = Vec::new();
    for r in reports {
        let Some(l) = r.languages.iter().find(|l| l.lang.key() == lang) else {
            continue;
        };
        for b in l.calibration.iter().filter(|b| b.low >= CONFIDENCE_GATE) {
            let n = b.count as f64;
            match bins.iter_mut().find(|x| x.0 == b.low) {
                Some(x) => {
                    x.2 += b.count;
                    x.3 += b.mean_confidence * n;
                    x.4 += b.accuracy * n;
                }
                None => bins.push((
                    b.low,
                    b.high,
                    b.count,
                    b.mean_confidence * n,
                    b.accuracy * n,
                )),
            }
        }
    }
    for (low, high, count, claimed, right) in bins {
        let n = count.max(1) as f64;
        println!(
            "{name:<40} {lang} [{low:.2},{high:.2}) {count:>5}: claims {:.3}, right {:.3}{}",
            claimed / n,
            right / n,
            if right + 1e-9 < claimed {
                "  SHORT"
            } else {
                ""
            }
        );
    }
}
