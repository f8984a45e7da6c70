//! Training: fits the weights on the train split, quantises them, and calibrates them on
//! predictions made for phrasing families the scoring model had not seen.
//!
//! The train split is cut into folds by phrasing family (a stable hash of the family key); a
//! model is trained without each fold and scores it. The shipped weights are the mean of those
//! fold models (bagging), or with `bagged: false` one model trained on the whole train split.
//! All the out-of-fold scores then fit, in turn, a temperature (lowest negative log-likelihood)
//! and an isotonic map from the best topic's probability to how often it was right, which is
//! what [`crate::Classifier::classify`] reports as the confidence. That gives the calibration
//! thousands of scored messages instead of a small calibration split, all from families the
//! scoring model never trained on.
//!
//! Everything is deterministic: the only randomness (the order of examples in each epoch, and
//! the typos and dropped words of training copies) comes from a SplitMix64 generator with a fixed
//! seed, every loop runs over vectors in a fixed order, and no hash map is iterated. The same
//! data and [`TrainConfig`] therefore give a byte-identical model file. The held-out split is
//! never read.

use inbox_protocol::Topic;

use crate::data::{Example, Split, fingerprint};
use crate::features::{Features, HASH_BITS, mix, reads_swedish, text_hash};
use crate::model::{Classifier, softmax};

/// The settings of one training run; they are part of the model's fingerprint.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainConfig {
    pub epochs: u32,
    /// Step size at the start; it decays as `1 / (1 + t / decay_steps)`.
    pub learning_rate: f32,
    pub decay_steps: f32,
    /// L2 penalty, applied to the rows an example touches.
    pub l2: f32,
    /// How many misspelt copies of each training message to add.
    pub typo_copies: u32,
    /// How many copies with one word left out to add (messages of four words or more).
    pub dropout_copies: u32,
    /// The share of final epochs, in percent, whose weights are averaged into the model.
    pub averaged_percent: u32,
    /// Folds (by phrasing family) whose out-of-fold scores fit the temperature and the
    /// isotonic calibration; below 2 the temperature stays 1 and there is no calibration.
    pub calibration_folds: u32,
    /// How many standard errors each isotonic block's claim stays below its share right.
    pub calibration_margin: f64,
    /// Whether messages that read as Swedish (`features::reads_swedish`) get an isotonic map
    /// of their own, fitted on their out-of-fold scores alone.
    pub calibration_per_language: bool,
    /// Whether the model is the mean of the calibration folds' models (else one model trained
    /// on the whole train split).
    pub bagged: bool,
    pub seed: u64,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            epochs: 24,
            learning_rate: 1.0,
            decay_steps: 1_000_000.0,
            l2: 1e-5,
            typo_copies: 4,
            dropout_copies: 2,
            averaged_percent: 50,
            calibration_folds: 10,
            calibration_margin: 0.0,
            calibration_per_language: true,
            bagged: true,
            seed: 0x001b_0c70_91c5,
        }
    }
}

impl TrainConfig {
    /// What goes into the fingerprint besides the data.
    pub fn settings(&self) -> String {
        format!("{self:?} {}", crate::features::describe())
    }
}

/// The classes of every model, in file order: "no topic" first, then [`Topic::ALL`].
pub fn classes() -> Vec<Option<Topic>> {
    std::iter::once(None).chain(Topic::ALL.map(Some)).collect()
}

fn class_of(label: Option<Topic>) -> usize {
    classes()
        .iter()
        .position(|c| *c == label)
        .expect("every label is a class")
}

/// Trains on the train split of `examples` and returns the model. The fingerprint covers all
/// of `examples`, held-out included, so any edit of the data is noticed.
pub fn train(examples: &[Example], config: &TrainConfig) -> Classifier {
    let pool: Vec<&Example> = examples
        .iter()
        .filter(|e| e.split() == Split::Train)
        .collect();
    let mut model = train_on(&pool, config);
    model.fingerprint = fingerprint(examples, &config.settings());
    model
}

/// Fits the weights on all of `train` and the temperature on out-of-fold scores. The model's
/// fingerprint is left zero.
pub fn train_on(train: &[&Example], config: &TrainConfig) -> Classifier {
    let mut out_of_fold: Vec<(Vec<f32>, usize)> = Vec::new();
    // Whether each out-of-fold message reads as Swedish, in the same order.
    let mut swedish: Vec<bool> = Vec::new();
    let mut bag: Option<(Vec<f32>, Vec<f32>)> = None;
    if config.calibration_folds >= 2 {
        let folds = u64::from(config.calibration_folds);
        // By family, like the split, so the temperature is fitted on scores of phrasings the
        // fold's model never saw; other hash bits than the split's, so every fold mixes topics.
        let fold_of = |e: &Example| (mix(e.family) >> 20) % folds;
        for fold in 0..folds {
            let fit: Vec<&Example> = train
                .iter()
                .copied()
                .filter(|e| fold_of(e) != fold)
                .collect();
            let (bias, weights) = fit_raw(&fit, config);
            let model = quantise(classes(), bias.clone(), &weights);
            for e in train.iter().filter(|e| fold_of(e) == fold) {
                out_of_fold.push((model.scores(&Features::extract(&e.text)), class_of(e.label)));
                swedish.push(reads_swedish(&e.text));
            }
            if config.bagged {
                let (sum_bias, sum_weights) =
                    bag.get_or_insert_with(|| (vec![0f32; bias.len()], vec![0f32; weights.len()]));
                for (s, b) in sum_bias.iter_mut().zip(&bias) {
                    *s += b / folds as f32;
                }
                for (s, w) in sum_weights.iter_mut().zip(&weights) {
                    *s += w / folds as f32;
                }
            }
        }
    }
    // Bagged: the mean of the fold models, each trained without one tenth of the families,
    // which is steadier than one model on everything; otherwise one model on everything.
    let mut model = match bag {
        Some((bias, weights)) => quantise(classes(), bias, &weights),
        None => fit_weights(train, config),
    };
    model.temperature = fit_temperature(&out_of_fold);
    if config.calibration_per_language {
        // At the same probability English messages, which hold most of the hard-case
        // families, were right less often than Swedish ones out of fold: one map each.
        let (sv, en): (Vec<_>, Vec<_>) = out_of_fold
            .into_iter()
            .zip(swedish)
            .partition(|(_, sv)| *sv);
        let strip = |v: Vec<((Vec<f32>, usize), bool)>| -> Vec<(Vec<f32>, usize)> {
            v.into_iter().map(|(s, _)| s).collect()
        };
        let margin = config.calibration_margin;
        model.calibration = fit_isotonic(&strip(en), model.temperature, margin);
        model.calibration_sv = fit_isotonic(&strip(sv), model.temperature, margin);
    } else {
        model.calibration =
            fit_isotonic(&out_of_fold, model.temperature, config.calibration_margin);
    }
    model
}

/// Pool-adjacent-violators over the out-of-fold messages: the non-decreasing map from the best
/// topic's temperature-scaled probability to whether that topic was the message's, one knot
/// (mean probability, share right) per pooled block. Ties in probability are pooled first, so
/// the knots' probabilities strictly ascend. Empty without out-of-fold scores.
fn fit_isotonic(scored: &[(Vec<f32>, usize)], temperature: f32, margin: f64) -> Vec<(f32, f32)> {
    let topics: Vec<usize> = (0..classes().len())
        .filter(|&c| classes()[c].is_some())
        .collect();
    let mut points: Vec<(f32, f64)> = scored
        .iter()
        .map(|(scores, class)| {
            let mut p = scores.clone();
            softmax(&mut p, temperature);
            let best = topics
                .iter()
                .copied()
                .fold(topics[0], |b, c| if p[c] > p[b] { c } else { b });
            (p[best], if best == *class { 1.0 } else { 0.0 })
        })
        .collect();
    points.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    // Blocks of (sum of probabilities, sum right, count).
    let mut blocks: Vec<(f64, f64, f64)> = Vec::new();
    let mut last_x = f32::NAN;
    for (x, y) in points {
        if x == last_x {
            let b = blocks.last_mut().expect("a block holds the last x");
            *b = (b.0 + f64::from(x), b.1 + y, b.2 + 1.0);
        } else {
            blocks.push((f64::from(x), y, 1.0));
        }
        last_x = x;
        while blocks.len() >= 2 {
            let (a, b) = (blocks[blocks.len() - 2], blocks[blocks.len() - 1]);
            if a.1 / a.2 < b.1 / b.2 {
                break;
            }
            blocks.pop();
            *blocks.last_mut().expect("two blocks") = (a.0 + b.0, a.1 + b.1, a.2 + b.2);
        }
    }
    // Each block claims one standard error less than its share right, so a confidence is
    // what the model reaches on new phrasings with some margin, not on average; a small block
    // (few messages at that confidence) claims less. Then make the claims non-decreasing again
    // by lowering, never raising, a knot to the one after it.
    let mut claims: Vec<f64> = blocks
        .iter()
        .map(|&(_, sy, n)| {
            let share = sy / n;
            (share - margin * (share * (1.0 - share) / n).sqrt()).max(0.0)
        })
        .collect();
    for i in (0..claims.len().saturating_sub(1)).rev() {
        claims[i] = claims[i].min(claims[i + 1]);
    }
    let mut knots: Vec<(f32, f32)> = Vec::with_capacity(blocks.len());
    for ((sx, _, n), claim) in blocks.into_iter().zip(claims) {
        let knot = ((sx / n) as f32, claim as f32);
        // Means of pooled ties can round onto their neighbour's; keep the map a function.
        if knots.last().is_none_or(|&(x, _)| knot.0 > x) {
            knots.push(knot);
        }
    }
    knots
}

/// Stochastic gradient descent on the softmax loss, then quantisation; temperature 1.
fn fit_weights(train: &[&Example], config: &TrainConfig) -> Classifier {
    let (bias, weights) = fit_raw(train, config);
    quantise(classes(), bias, &weights)
}

/// Stochastic gradient descent on the softmax loss: the bias and the dense weights.
fn fit_raw(train: &[&Example], config: &TrainConfig) -> (Vec<f32>, Vec<f32>) {
    let classes = classes();
    let n = classes.len();
    let mut rows: Vec<(Features, usize)> = Vec::new();
    for e in train {
        let class = class_of(e.label);
        rows.push((Features::extract(&e.text), class));
        for copy in 0..config.typo_copies {
            let mut rng = SplitMix64(config.seed ^ text_hash(&e.text) ^ (u64::from(copy) << 48));
            rows.push((Features::extract(&misspell(&e.text, &mut rng)), class));
        }
        for copy in 0..config.dropout_copies {
            let mut rng = SplitMix64(config.seed ^ text_hash(&e.text) ^ (u64::from(copy) << 40));
            if let Some(shorter) = drop_word(&e.text, &mut rng) {
                rows.push((Features::extract(&shorter), class));
            }
        }
    }

    let dims = 1usize << HASH_BITS;
    let mut weights = vec![0f32; dims * n];
    let mut bias = vec![0f32; n];
    let mut order: Vec<usize> = (0..rows.len()).collect();
    let mut rng = SplitMix64(config.seed);
    let mut step = 0f32;
    let mut scores = vec![0f32; n];
    // Averaging the weights of the later epochs (Polyak averaging) smooths out where the last
    // few steps happened to leave them.
    let average_from = config.epochs - config.epochs * config.averaged_percent / 100;
    let mut sum_weights = vec![
        0f32;
        if average_from < config.epochs {
            weights.len()
        } else {
            0
        }
    ];
    let mut sum_bias = vec![0f32; n];
    let mut averaged = 0f32;
    for epoch in 0..config.epochs {
        rng.shuffle(&mut order);
        for &i in &order {
            let (features, class) = &rows[i];
            scores.copy_from_slice(&bias);
            for (&b, &v) in features.buckets.iter().zip(&features.values) {
                let row = &weights[b as usize * n..(b as usize + 1) * n];
                for (s, w) in scores.iter_mut().zip(row) {
                    *s += v * w;
                }
            }
            softmax(&mut scores, 1.0);
            scores[*class] -= 1.0;
            let lr = config.learning_rate / (1.0 + step / config.decay_steps);
            step += 1.0;
            for (&b, &v) in features.buckets.iter().zip(&features.values) {
                let row = &mut weights[b as usize * n..(b as usize + 1) * n];
                for (w, g) in row.iter_mut().zip(&scores) {
                    *w -= lr * (g * v + config.l2 * *w);
                }
            }
            for (b, g) in bias.iter_mut().zip(&scores) {
                *b -= lr * g;
            }
        }
        if epoch >= average_from {
            for (s, w) in sum_weights.iter_mut().zip(&weights) {
                *s += w;
            }
            for (s, b) in sum_bias.iter_mut().zip(&bias) {
                *s += b;
            }
            averaged += 1.0;
        }
    }
    if averaged > 0.0 {
        weights = sum_weights.into_iter().map(|s| s / averaged).collect();
        bias = sum_bias.into_iter().map(|s| s / averaged).collect();
    }
    (bias, weights)
}

/// Keeps the rows that training touched, as `i16` times one scale.
fn quantise(classes: Vec<Option<Topic>>, bias: Vec<f32>, weights: &[f32]) -> Classifier {
    let n = classes.len();
    let max = weights.iter().fold(0f32, |m, w| m.max(w.abs()));
    let scale = if max > 0.0 {
        max / f32::from(i16::MAX)
    } else {
        1.0
    };
    let mut rows = Vec::new();
    let mut quantised = Vec::new();
    for (bucket, row) in weights.chunks_exact(n).enumerate() {
        let q: Vec<i16> = row.iter().map(|w| (w / scale).round() as i16).collect();
        if q.iter().any(|&x| x != 0) {
            rows.push(u32::try_from(bucket).expect("bucket fits u32"));
            quantised.extend(q);
        }
    }
    let weights = quantised.iter().map(|&q| f32::from(q) * scale).collect();
    Classifier {
        classes,
        temperature: 1.0,
        calibration: Vec::new(),
        calibration_sv: Vec::new(),
        fingerprint: [0; 32],
        bias,
        rows,
        weights,
        quantised,
        scale,
    }
}

/// The temperature that minimises the negative log-likelihood of `scored` (uncalibrated scores
/// and true class), found on a fixed grid of `exp(k / 100)` so the result does not depend on a
/// search's starting point.
fn fit_temperature(scored: &[(Vec<f32>, usize)]) -> f32 {
    if scored.is_empty() {
        return 1.0;
    }
    let nll = |t: f32| -> f64 {
        let mut total = 0f64;
        let mut p = Vec::new();
        for (scores, class) in scored {
            p.clone_from(scores);
            softmax(&mut p, t);
            total -= f64::from(p[*class].max(1e-12)).ln();
        }
        total
    };
    let mut best = (f64::INFINITY, 1.0);
    for k in -230..=230 {
        let t = (k as f32 / 100.0).exp();
        let loss = nll(t);
        if loss < best.0 {
            best = (loss, t);
        }
    }
    best.1
}

/// A small, fixed pseudo-random generator (SplitMix64), so training needs no `rand` and its
/// sequence can never change under us.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

/// One or two keyboard slips: a dropped, doubled, swapped or neighbouring letter.
fn misspell(text: &str, rng: &mut SplitMix64) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let letters: Vec<usize> = (0..chars.len())
        .filter(|&i| chars[i].is_alphabetic())
        .collect();
    if letters.len() < 4 {
        return text.to_owned();
    }
    let slips = 1 + usize::from(letters.len() > 30 && rng.below(2) == 0);
    for _ in 0..slips {
        let at = letters[rng.below(letters.len())].min(chars.len() - 1);
        match rng.below(4) {
            0 => {
                chars.remove(at);
            }
            1 => chars.insert(at, chars[at]),
            2 if at + 1 < chars.len() => chars.swap(at, at + 1),
            _ => {
                if let Some(near) = neighbour(chars[at], rng) {
                    chars[at] = near;
                }
            }
        }
    }
    chars.into_iter().collect()
}

/// The message with one word left out, so the model does not lean on any single word; `None`
/// for messages under four words, where one word may be all the meaning there is.
fn drop_word(text: &str, rng: &mut SplitMix64) -> Option<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.len() < 4 {
        return None;
    }
    let skip = rng.below(words.len());
    let kept: Vec<&str> = words
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != skip)
        .map(|(_, w)| *w)
        .collect();
    Some(kept.join(" "))
}

/// A letter next to `c` on a Swedish / English QWERTY keyboard.
fn neighbour(c: char, rng: &mut SplitMix64) -> Option<char> {
    const ROWS: [&str; 3] = ["qwertyuiopå", "asdfghjklöä", "zxcvbnm"];
    let lower = c.to_lowercase().next()?;
    for row in ROWS {
        let keys: Vec<char> = row.chars().collect();
        if let Some(i) = keys.iter().position(|&k| k == lower) {
            let left = i.checked_sub(1).map(|j| keys[j]);
            let right = keys.get(i + 1).copied();
            return match (left, right) {
                (Some(l), Some(r)) => Some(if rng.below(2) == 0 { l } else { r }),
                (l, r) => l.or(r),
            };
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generator_is_fixed() {
        let mut rng = SplitMix64(0);
        assert_eq!(rng.next(), 0xe220_a839_7b1d_cdaf);
    }

    #[test]
    fn misspelling_is_small_and_repeatable() {
        let text = "Hur mycket kostar frakten till Finland?";
        let a = misspell(text, &mut SplitMix64(42));
        let b = misspell(text, &mut SplitMix64(42));
        assert_eq!(a, b);
        assert_ne!(a, text);
        assert!(a.chars().count().abs_diff(text.chars().count()) <= 2);
        assert_eq!(misspell("hej", &mut SplitMix64(1)), "hej");
    }

    #[test]
    fn dropping_a_word_leaves_the_rest_in_order_and_spares_short_messages() {
        let shorter = drop_word("where is my order please", &mut SplitMix64(3)).unwrap();
        assert_eq!(shorter.split(' ').count(), 4);
        let mut rest = shorter.split(' ');
        let original = ["where", "is", "my", "order", "please"];
        assert!(rest.all(|w| original.contains(&w)));
        assert_eq!(drop_word("where is it", &mut SplitMix64(3)), None);
    }
}
