//! Tuning aid, not part of the product: five-fold cross-validation of training settings on the
//! train split (never the held-out split). Prints, per setting and language, the
//! precision and coverage of labels at the 0.9 gate. Run with
//! `cargo run -p inbox-topics --release --example sweep`.

use inbox_topics::data::{self, Example, Split};
use inbox_topics::features::text_hash;
use inbox_topics::train::{TrainConfig, train_on};
use inbox_topics::{DATA_DIR, evaluate};

fn main() {
    let all = data::load_dir(DATA_DIR.as_ref()).expect("data loads");
    let pool: Vec<&Example> = all.iter().filter(|e| e.split() != Split::HeldOut).collect();
    let base = TrainConfig::default();
    let mut configs = vec![("default".to_owned(), base.clone())];
    for arg in std::env::args().skip(1) {
        // name=value[,name=value]
        let mut c = base.clone();
        for kv in arg.split(',') {
            let (k, v) = kv.split_once('=').expect("name=value");
            match k {
                "epochs" => c.epochs = v.parse().unwrap(),
                "lr" => c.learning_rate = v.parse().unwrap(),
                "decay" => c.decay_steps = v.parse().unwrap(),
                "l2" => c.l2 = v.parse().unwrap(),
                "typos" => c.typo_copies = v.parse().unwrap(),
                "dropout" => c.dropout_copies = v.parse().unwrap(),
                "avg" => c.averaged_percent = v.parse().unwrap(),
                "folds" => c.calibration_folds = v.parse().unwrap(),
                other => panic!("unknown setting {other}"),
            }
        }
        configs.push((arg, c));
    }
    for (name, config) in configs {
        let mut out_of_fold: Vec<(Example, Vec<f32>)> = Vec::new();
        let mut held: Vec<Example> = Vec::new();
        let mut reports = Vec::new();
        for fold in 0..5u64 {
            let fold_of = |e: &Example| (text_hash(&e.text) >> 20) % 5;
            let train: Vec<&Example> = pool
                .iter()
                .copied()
                .filter(|e| fold_of(e) != fold)
                .collect();
            let test: Vec<&Example> = pool
                .iter()
                .copied()
                .filter(|e| fold_of(e) == fold)
                .collect();
            let model = train_on(&train, &config);
            let test_owned: Vec<Example> = test.iter().map(|e| (*e).clone()).collect();
            reports.push(evaluate::evaluate(&model, &test_owned, 0.9));
            for e in &test_owned {
                out_of_fold.push((e.clone(), model.probabilities(&e.text)));
            }
            held.extend(test_owned);
        }
        if std::env::var_os("SWEEP_MISTAKES").is_some() {
            let key = |c: Option<inbox_protocol::Topic>| c.map_or("none", |t| t.key());
            for (e, p) in &out_of_fold {
                let best = (0..p.len()).fold(0, |b, i| if p[i] > p[b] { i } else { b });
                let guess = inbox_topics::train::classes()[best];
                if std::env::var_os("SWEEP_TIMID").is_some() {
                    if guess == e.label && guess.is_some() && p[best] < 0.9 {
                        println!(
                            "TIMID\t{}\t{}\t{:.3}\t{}",
                            e.lang.key(),
                            key(e.label),
                            p[best],
                            e.text
                        );
                    }
                    if guess != e.label && e.label.is_some() && p[best] < 0.9 {
                        println!(
                            "MISS\t{}\t{}\t{}\t{:.3}\t{}",
                            e.lang.key(),
                            key(e.label),
                            key(guess),
                            p[best],
                            e.text
                        );
                    }
                } else if guess != e.label && guess.is_some() && p[best] >= 0.9 {
                    println!(
                        "WRONG\t{}\t{}\t{}\t{:.3}\t{}",
                        e.lang.key(),
                        key(e.label),
                        key(guess),
                        p[best],
                        e.text
                    );
                }
            }
        }
        for lang in 0..2 {
            let (mut labelled, mut correct, mut topical, mut covered, mut none, mut none_l) =
                (0, 0, 0, 0, 0, 0);
            for r in &reports {
                let l = &r.languages[lang];
                labelled += l.labelled;
                correct += l.correct;
                topical += l.topical;
                covered += (l.coverage * l.topical as f64).round() as usize;
                none += l.no_topic;
                none_l += (l.no_topic_labelled * l.no_topic as f64).round() as usize;
            }
            println!(
                "{name:<40} {} precision {:.3} coverage {:.3} none-labelled {:.3}",
                ["en", "sv"][lang],
                correct as f64 / labelled as f64,
                covered as f64 / topical as f64,
                none_l as f64 / none as f64
            );
        }
    }
}
