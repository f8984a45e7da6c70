//! Measures a classifier on labelled messages, per language: precision and recall of applied
//! labels per topic, coverage of topical messages, the share of no-topic messages that get a
//! label anyway, and a calibration table of the reported confidence against how often the best
//! topic was right. It only reads; it never changes a model.

use inbox_protocol::Topic;
use serde::Serialize;

use crate::data::{Example, Lang};
use crate::model::Classifier;

/// Upper edges of the calibration bins; the first bin starts at 0. Finer at the top, where the
/// gate is.
const BIN_EDGES: [f32; 13] = [
    0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 1.0,
];

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub threshold: f32,
    pub languages: Vec<LangReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LangReport {
    pub lang: Lang,
    pub topical: usize,
    pub no_topic: usize,
    /// Labels applied (to any message).
    pub labelled: usize,
    /// Labels applied that match the message's topic.
    pub correct: usize,
    /// `correct / labelled`.
    pub precision: f64,
    /// Share of topical messages that got a label, right or wrong.
    pub coverage: f64,
    /// Share of topical messages that got their own label.
    pub recall: f64,
    /// Share of no-topic messages that got a label.
    pub no_topic_labelled: f64,
    pub topics: Vec<TopicReport>,
    pub calibration: Vec<CalibrationBin>,
    /// Expected calibration error over the bins, weighted by count.
    pub expected_calibration_error: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct TopicReport {
    pub topic: Topic,
    /// Messages of this topic.
    pub support: usize,
    /// Messages labelled with this topic.
    pub labelled: usize,
    pub correct: usize,
    pub precision: f64,
    pub recall: f64,
}

/// Messages whose best topic's confidence fell in `[low, high)` (the last bin includes 1).
#[derive(Debug, Clone, Serialize)]
pub struct CalibrationBin {
    pub low: f32,
    pub high: f32,
    pub count: usize,
    pub mean_confidence: f64,
    /// Share whose best topic was their topic.
    pub accuracy: f64,
}

impl CalibrationBin {
    /// How many messages this bin was right on fewer than it claimed (its confidences summed),
    /// or 0 when it was right at least as often as it claimed.
    pub fn messages_short(&self) -> f64 {
        let n = self.count as f64;
        // The share right is a ratio of whole messages; round away its float error.
        let right = (self.accuracy * n).round();
        let short = self.mean_confidence * n - right;
        // A sum of confidences that equals the count right may still exceed it by float error.
        if short > 1e-9 { short } else { 0.0 }
    }
}

impl LangReport {
    /// The bins at and above `gate` that were right less often than they claimed: the issue's
    /// calibration rule is that there are none.
    pub fn bins_short_above(&self, gate: f32) -> Vec<&CalibrationBin> {
        self.calibration
            .iter()
            .filter(|b| b.low >= gate && b.count > 0 && b.messages_short() > 0.0)
            .collect()
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Classifies every example at `threshold` and reports per language present in `examples`.
pub fn evaluate(classifier: &Classifier, examples: &[Example], threshold: f32) -> Report {
    let languages = Lang::ALL
        .into_iter()
        .filter_map(|lang| {
            let mine: Vec<&Example> = examples.iter().filter(|e| e.lang == lang).collect();
            (!mine.is_empty()).then(|| evaluate_lang(classifier, lang, &mine, threshold))
        })
        .collect();
    Report {
        threshold,
        languages,
    }
}

fn evaluate_lang(
    classifier: &Classifier,
    lang: Lang,
    examples: &[&Example],
    threshold: f32,
) -> LangReport {
    let mut topics: Vec<TopicReport> = Topic::ALL
        .into_iter()
        .map(|topic| TopicReport {
            topic,
            support: 0,
            labelled: 0,
            correct: 0,
            precision: 0.0,
            recall: 0.0,
        })
        .collect();
    let mut bins: Vec<(usize, f64, usize)> = vec![(0, 0.0, 0); BIN_EDGES.len()];
    let (mut topical, mut no_topic, mut covered, mut none_labelled) = (0, 0, 0, 0);
    for e in examples {
        let probabilities = classifier.probabilities(&e.text);
        let swedish = crate::features::reads_swedish(&e.text);
        let prediction = classifier.decide(&probabilities, swedish, threshold);
        let (best_topic, _) = classifier.best_topic(&probabilities);
        match e.label {
            Some(topic) => {
                topical += 1;
                topics[topic_index(topic)].support += 1;
                covered += usize::from(prediction.topic.is_some());
            }
            None => {
                no_topic += 1;
                none_labelled += usize::from(prediction.topic.is_some());
            }
        }
        if let Some(topic) = prediction.topic {
            let t = &mut topics[topic_index(topic)];
            t.labelled += 1;
            t.correct += usize::from(e.label == Some(topic));
        }
        // The confidence is always that of the best topic, so calibration asks how often the
        // best topic was the message's topic, applied or not.
        let bin = BIN_EDGES
            .iter()
            .position(|&edge| prediction.confidence < edge)
            .unwrap_or(BIN_EDGES.len() - 1);
        let right = e.label == Some(best_topic);
        bins[bin].0 += 1;
        bins[bin].1 += f64::from(prediction.confidence);
        bins[bin].2 += usize::from(right);
    }
    for t in &mut topics {
        t.precision = ratio(t.correct, t.labelled);
        t.recall = ratio(t.correct, t.support);
    }
    let labelled = topics.iter().map(|t| t.labelled).sum();
    let correct = topics.iter().map(|t| t.correct).sum();
    let total = examples.len();
    let mut ece = 0.0;
    let calibration = bins
        .iter()
        .enumerate()
        .map(|(i, &(count, confidence, right))| {
            let low = if i == 0 { 0.0 } else { BIN_EDGES[i - 1] };
            let mean_confidence = if count == 0 {
                0.0
            } else {
                confidence / count as f64
            };
            let accuracy = ratio(right, count);
            ece += ratio(count, total) * (mean_confidence - accuracy).abs();
            CalibrationBin {
                low,
                high: BIN_EDGES[i],
                count,
                mean_confidence,
                accuracy,
            }
        })
        .collect();
    LangReport {
        lang,
        topical,
        no_topic,
        labelled,
        correct,
        precision: ratio(correct, labelled),
        coverage: ratio(covered, topical),
        recall: ratio(correct, topical),
        no_topic_labelled: ratio(none_labelled, no_topic),
        topics,
        calibration,
        expected_calibration_error: ece,
    }
}

fn topic_index(topic: Topic) -> usize {
    Topic::ALL
        .iter()
        .position(|&t| t == topic)
        .expect("topic is in Topic::ALL")
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for l in &self.languages {
            writeln!(f, "== {} (gate {:.2}) ==", l.lang.key(), self.threshold)?;
            writeln!(
                f,
                "messages: {} topical, {} no-topic; labels applied: {} ({} right)",
                l.topical, l.no_topic, l.labelled, l.correct
            )?;
            writeln!(
                f,
                "precision of applied labels {:.3} | coverage of topical {:.3} | recall {:.3} | no-topic labelled {:.3}",
                l.precision, l.coverage, l.recall, l.no_topic_labelled
            )?;
            writeln!(
                f,
                "{:<18} {:>7} {:>8} {:>9} {:>7}",
                "topic", "support", "labelled", "precision", "recall"
            )?;
            for t in &l.topics {
                writeln!(
                    f,
                    "{:<18} {:>7} {:>8} {:>9.3} {:>7.3}",
                    t.topic.key(),
                    t.support,
                    t.labelled,
                    t.precision,
                    t.recall
                )?;
            }
            writeln!(
                f,
                "calibration (best topic's confidence vs how often it was the topic):"
            )?;
            writeln!(
                f,
                "{:<11} {:>6} {:>10} {:>9}",
                "bin", "count", "mean conf", "accuracy"
            )?;
            for b in l.calibration.iter().filter(|b| b.count > 0) {
                writeln!(
                    f,
                    "{:<11} {:>6} {:>10.3} {:>9.3}",
                    format!("[{:.2},{:.2})", b.low, b.high),
                    b.count,
                    b.mean_confidence,
                    b.accuracy
                )?;
            }
            let short = l.bins_short_above(self.threshold);
            if short.is_empty() {
                writeln!(
                    f,
                    "every bin at and above the gate was right at least as often as it claims"
                )?;
            } else {
                let list: Vec<String> = short
                    .iter()
                    .map(|b| {
                        format!(
                            "[{:.2},{:.2}) by {:.1} of {} messages",
                            b.low,
                            b.high,
                            b.messages_short(),
                            b.count
                        )
                    })
                    .collect();
                writeln!(
                    f,
                    "right less often than claimed at and above the gate: {}",
                    list.join(", ")
                )?;
            }
            writeln!(
                f,
                "expected calibration error {:.3}",
                l.expected_calibration_error
            )?;
            writeln!(f)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bin_is_short_by_the_messages_it_claimed_beyond_those_it_got_right() {
        let bin = CalibrationBin {
            low: 0.9,
            high: 0.95,
            count: 43,
            mean_confidence: 0.932,
            accuracy: 38.0 / 43.0,
        };
        assert!((bin.messages_short() - 2.076).abs() < 1e-9);
        let over = CalibrationBin {
            accuracy: 41.0 / 43.0,
            ..bin.clone()
        };
        assert_eq!(over.messages_short(), 0.0);
        let exact = CalibrationBin {
            mean_confidence: 40.0 / 43.0,
            accuracy: 40.0 / 43.0,
            ..bin
        };
        assert_eq!(exact.messages_short(), 0.0);
    }
}
