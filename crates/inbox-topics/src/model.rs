//! The classifier: a multinomial logistic regression over hashed features with a "no topic"
//! class, a calibration temperature and isotonic map, and its binary file format.
//!
//! This module owns reading and writing model files and scoring one message; it never trains and
//! never touches the file system. The file is little-endian and versioned:
//!
//! ```text
//! magic "INBXTOPC" | format u32 | feature version u32 | hash bits u8 | classes u8
//! per class: key length u8, key bytes ("none" or a topic key)
//! temperature f32 | knots u32 | (confidence f32, accuracy f32) × knots
//! Swedish knots u32 | (confidence f32, accuracy f32) × Swedish knots
//! weight scale f32 | training fingerprint [u8; 32]
//! bias f32 × classes | rows u32 | bucket u32 × rows (ascending) | weight i16 × rows × classes
//! ```
//!
//! Weights are stored as `i16` times one scale, which keeps a model of ~100k feature rows under
//! 3 MB without measurable loss; only buckets seen in training are stored.

use inbox_protocol::Topic;

use crate::features::{FEATURE_VERSION, Features, HASH_BITS, reads_swedish};

const MAGIC: &[u8; 8] = b"INBXTOPC";
const FORMAT_VERSION: u32 = 3;
/// The key of the explicit "no topic" class in model files and training data.
pub const NO_TOPIC_KEY: &str = "none";

/// Why a model file could not be read.
#[derive(Debug, thiserror::Error, PartialEq)]
#[non_exhaustive]
pub enum ModelError {
    #[error("not a topic model file")]
    BadMagic,
    #[error("model format version {0} is not supported (this build reads {FORMAT_VERSION})")]
    UnsupportedFormat(u32),
    #[error(
        "model was built for feature version {found} and {bits} hash bits; this build extracts \
         version {FEATURE_VERSION} with {HASH_BITS} bits"
    )]
    FeatureMismatch { found: u32, bits: u8 },
    #[error("model file ends early while reading {0}")]
    Truncated(&'static str),
    #[error("model file has {0} bytes after its end")]
    TrailingBytes(usize),
    #[error("model names unknown class {0:?}")]
    UnknownClass(String),
    #[error("model is inconsistent: {0}")]
    Inconsistent(&'static str),
}

/// What the classifier says about one message.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prediction {
    /// The label to apply, or `None` when "no topic" is likeliest or the best topic is below the
    /// threshold.
    pub topic: Option<Topic>,
    /// The calibrated probability of the most likely of the ten topics, whether or not it was
    /// applied.
    pub confidence: f32,
}

/// A loaded topic model. Immutable after loading, so it is `Send + Sync` and can be shared
/// behind an `Arc` or a `&'static`.
#[derive(Debug, Clone, PartialEq)]
pub struct Classifier {
    /// `None` is the "no topic" class.
    pub(crate) classes: Vec<Option<Topic>>,
    pub(crate) temperature: f32,
    /// The isotonic map from the best topic's temperature-scaled probability to how often that
    /// topic was right out of fold: knots with ascending confidence and non-decreasing accuracy,
    /// interpolated linearly. Empty is the identity. This one serves messages that do not read
    /// as Swedish ([`crate::features::reads_swedish`]).
    pub(crate) calibration: Vec<(f32, f32)>,
    /// The same map fitted on the messages that read as Swedish: at the same probability,
    /// English and Swedish messages are not right equally often. Empty: use `calibration`.
    pub(crate) calibration_sv: Vec<(f32, f32)>,
    pub(crate) fingerprint: [u8; 32],
    pub(crate) bias: Vec<f32>,
    /// Ascending feature buckets that have weights.
    pub(crate) rows: Vec<u32>,
    /// `rows.len() × classes.len()`, row-major, already multiplied by the file's scale.
    pub(crate) weights: Vec<f32>,
    /// Kept so that re-encoding a decoded model gives back the same bytes.
    pub(crate) quantised: Vec<i16>,
    pub(crate) scale: f32,
}

impl Classifier {
    /// The committed model, compiled into the binary and parsed once on first use.
    pub fn embedded() -> &'static Classifier {
        static MODEL: std::sync::OnceLock<Classifier> = std::sync::OnceLock::new();
        MODEL.get_or_init(|| {
            Classifier::from_bytes(crate::EMBEDDED_MODEL)
                .expect("the committed model parses (checked by the crate's tests)")
        })
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Classifier, ModelError> {
        decode(bytes)
    }

    /// Best topic with its calibrated probability; `topic` is `None` when the best class is
    /// "no topic" or its probability is below `threshold`.
    pub fn classify(&self, text: &str, threshold: f32) -> Prediction {
        let probabilities = self.probabilities(text);
        self.decide(&probabilities, reads_swedish(text), threshold)
    }

    /// Temperature-scaled probabilities of every class, in [`Classifier::classes`] order. The
    /// best topic's [`Prediction::confidence`] is this list's value passed through
    /// [`Classifier::calibrate`].
    pub fn probabilities(&self, text: &str) -> Vec<f32> {
        let mut scores = self.scores(&Features::extract(text));
        softmax(&mut scores, self.temperature);
        scores
    }

    /// Uncalibrated class scores (logits) of `features`.
    pub(crate) fn scores(&self, features: &Features) -> Vec<f32> {
        let mut scores = self.bias.clone();
        self.add_scores(features, &mut scores);
        scores
    }

    /// The classes the model tells apart; `None` is "no topic".
    pub fn classes(&self) -> &[Option<Topic>] {
        &self.classes
    }

    /// SHA-256 over the training data and settings this model was trained from.
    pub fn fingerprint(&self) -> [u8; 32] {
        self.fingerprint
    }

    pub fn temperature(&self) -> f32 {
        self.temperature
    }

    /// The isotonic calibration's knots (best topic's probability, share right out of fold)
    /// for messages that do not read as Swedish.
    pub fn calibration(&self) -> &[(f32, f32)] {
        &self.calibration
    }

    /// The knots for messages that read as Swedish ([`crate::features::reads_swedish`]).
    pub fn calibration_swedish(&self) -> &[(f32, f32)] {
        if self.calibration_sv.is_empty() {
            &self.calibration
        } else {
            &self.calibration_sv
        }
    }

    /// How often a best topic with temperature-scaled probability `p` was right on messages of
    /// phrasing families the model had not trained on, for a message that does not read as
    /// Swedish: linear between knots, flat past the last, and towards 0 below the first.
    pub fn calibrate(&self, p: f32) -> f32 {
        interpolate(&self.calibration, p)
    }

    /// [`Classifier::calibrate`] for a message that reads as Swedish or not.
    pub fn calibrate_for(&self, swedish: bool, p: f32) -> f32 {
        if swedish {
            interpolate(self.calibration_swedish(), p)
        } else {
            self.calibrate(p)
        }
    }

    pub(crate) fn decide(
        &self,
        probabilities: &[f32],
        swedish: bool,
        threshold: f32,
    ) -> Prediction {
        let (topic, raw) = self.best_topic(probabilities);
        let confidence = self.calibrate_for(swedish, raw);
        let no_topic = self.classes.iter().position(Option::is_none);
        let beaten = no_topic.is_some_and(|i| probabilities[i] > raw);
        let applied = !beaten && confidence >= threshold;
        Prediction {
            topic: applied.then_some(topic),
            confidence,
        }
    }

    /// The likeliest of the topics (never "no topic") and its probability.
    pub(crate) fn best_topic(&self, probabilities: &[f32]) -> (Topic, f32) {
        let mut best: Option<(Topic, f32)> = None;
        for (&p, class) in probabilities.iter().zip(&self.classes) {
            if let Some(topic) = class
                && best.is_none_or(|(_, q)| p > q)
            {
                best = Some((*topic, p));
            }
        }
        best.expect("a model has at least one topic")
    }

    /// Adds the uncalibrated class scores of `features` to `scores`.
    fn add_scores(&self, features: &Features, scores: &mut [f32]) {
        let n = self.classes.len();
        let mut from = 0;
        for (&bucket, &value) in features.buckets.iter().zip(&features.values) {
            // Both lists ascend, so each search starts where the last one stopped.
            match self.rows[from..].binary_search(&bucket) {
                Ok(i) => {
                    let row = &self.weights[(from + i) * n..(from + i + 1) * n];
                    for (s, w) in scores.iter_mut().zip(row) {
                        *s += value * w;
                    }
                    from += i + 1;
                }
                Err(i) => from += i,
            }
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let n = self.classes.len();
        let mut out = Vec::with_capacity(64 + self.rows.len() * (4 + 2 * n));
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&FEATURE_VERSION.to_le_bytes());
        out.push(HASH_BITS);
        out.push(u8::try_from(n).expect("fewer than 256 classes"));
        for class in &self.classes {
            let key = class.map_or(NO_TOPIC_KEY, Topic::key);
            out.push(u8::try_from(key.len()).expect("short class key"));
            out.extend_from_slice(key.as_bytes());
        }
        out.extend_from_slice(&self.temperature.to_le_bytes());
        for map in [&self.calibration, &self.calibration_sv] {
            let knots = u32::try_from(map.len()).expect("fewer than 2^32 knots");
            out.extend_from_slice(&knots.to_le_bytes());
            for (x, y) in map {
                out.extend_from_slice(&x.to_le_bytes());
                out.extend_from_slice(&y.to_le_bytes());
            }
        }
        out.extend_from_slice(&self.scale.to_le_bytes());
        out.extend_from_slice(&self.fingerprint);
        for b in &self.bias {
            out.extend_from_slice(&b.to_le_bytes());
        }
        let rows = u32::try_from(self.rows.len()).expect("fewer than 2^32 rows");
        out.extend_from_slice(&rows.to_le_bytes());
        for r in &self.rows {
            out.extend_from_slice(&r.to_le_bytes());
        }
        for q in &self.quantised {
            out.extend_from_slice(&q.to_le_bytes());
        }
        out
    }
}

/// The isotonic map through `knots`: linear between knots, flat past the last, and towards 0
/// below the first; the identity without knots.
fn interpolate(knots: &[(f32, f32)], p: f32) -> f32 {
    let Some(&(first_x, first_y)) = knots.first() else {
        return p;
    };
    if p <= first_x {
        return if first_x > 0.0 {
            first_y * p / first_x
        } else {
            first_y
        };
    }
    let i = knots.partition_point(|&(x, _)| x < p);
    let Some(&(x1, y1)) = knots.get(i) else {
        return knots[knots.len() - 1].1;
    };
    let (x0, y0) = knots[i - 1];
    y0 + (y1 - y0) * (p - x0) / (x1 - x0)
}

/// Softmax of `scores / temperature`, in place, stable for large scores.
pub(crate) fn softmax(scores: &mut [f32], temperature: f32) {
    let max = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for s in scores.iter_mut() {
        *s = ((*s - max) / temperature).exp();
        sum += *s;
    }
    for s in scores.iter_mut() {
        *s /= sum;
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], ModelError> {
        if self.bytes.len() < n {
            return Err(ModelError::Truncated(what));
        }
        let (head, tail) = self.bytes.split_at(n);
        self.bytes = tail;
        Ok(head)
    }

    fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], ModelError> {
        Ok(self.take(N, what)?.try_into().expect("took N bytes"))
    }

    fn u8(&mut self, what: &'static str) -> Result<u8, ModelError> {
        Ok(self.array::<1>(what)?[0])
    }

    fn u32(&mut self, what: &'static str) -> Result<u32, ModelError> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }

    fn f32(&mut self, what: &'static str) -> Result<f32, ModelError> {
        Ok(f32::from_le_bytes(self.array(what)?))
    }
}

/// One isotonic map: a count, then (confidence, accuracy) knots, an increasing map of [0, 1].
fn read_calibration(r: &mut Reader<'_>) -> Result<Vec<(f32, f32)>, ModelError> {
    let knots = r.u32("calibration knots")? as usize;
    if knots > 1 << 16 {
        return Err(ModelError::Inconsistent("too many calibration knots"));
    }
    let mut calibration = Vec::with_capacity(knots);
    for _ in 0..knots {
        calibration.push((r.f32("calibration")?, r.f32("calibration")?));
    }
    let in_unit = |v: f32| (0.0..=1.0).contains(&v);
    if !calibration.iter().all(|&(x, y)| in_unit(x) && in_unit(y))
        || !calibration
            .windows(2)
            .all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1)
    {
        return Err(ModelError::Inconsistent(
            "calibration is not an increasing map of [0, 1]",
        ));
    }
    Ok(calibration)
}

fn decode(bytes: &[u8]) -> Result<Classifier, ModelError> {
    let mut r = Reader { bytes };
    if r.take(MAGIC.len(), "magic")
        .map_err(|_| ModelError::BadMagic)?
        != MAGIC
    {
        return Err(ModelError::BadMagic);
    }
    let format = r.u32("format version")?;
    if format != FORMAT_VERSION {
        return Err(ModelError::UnsupportedFormat(format));
    }
    let feature_version = r.u32("feature version")?;
    let bits = r.u8("hash bits")?;
    if feature_version != FEATURE_VERSION || bits != HASH_BITS {
        return Err(ModelError::FeatureMismatch {
            found: feature_version,
            bits,
        });
    }
    let n = usize::from(r.u8("class count")?);
    let mut classes = Vec::with_capacity(n);
    for _ in 0..n {
        let len = usize::from(r.u8("class key")?);
        let key = r.take(len, "class key")?;
        let key = String::from_utf8_lossy(key);
        let class = match Topic::from_key(&key) {
            Some(topic) => Some(topic),
            None if key == NO_TOPIC_KEY => None,
            None => return Err(ModelError::UnknownClass(key.into_owned())),
        };
        if classes.contains(&class) {
            return Err(ModelError::Inconsistent("a class is listed twice"));
        }
        classes.push(class);
    }
    if !classes.iter().any(Option::is_some) {
        return Err(ModelError::Inconsistent("no topic classes"));
    }
    let temperature = r.f32("temperature")?;
    if !(temperature.is_finite() && temperature > 0.0) {
        return Err(ModelError::Inconsistent(
            "temperature is not a positive number",
        ));
    }
    let calibration = read_calibration(&mut r)?;
    let calibration_sv = read_calibration(&mut r)?;
    let scale = r.f32("weight scale")?;
    if !(scale.is_finite() && scale >= 0.0) {
        return Err(ModelError::Inconsistent("weight scale is not a number"));
    }
    let fingerprint = r.array::<32>("fingerprint")?;
    let mut bias = Vec::with_capacity(n);
    for _ in 0..n {
        bias.push(r.f32("bias")?);
    }
    if !bias.iter().all(|b| b.is_finite()) {
        return Err(ModelError::Inconsistent("bias is not finite"));
    }
    let rows_len = r.u32("row count")? as usize;
    let row_bytes = r.take(
        rows_len
            .checked_mul(4)
            .ok_or(ModelError::Truncated("rows"))?,
        "rows",
    )?;
    let rows: Vec<u32> = row_bytes
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes")))
        .collect();
    if !rows.windows(2).all(|w| w[0] < w[1]) || rows.last().is_some_and(|&b| b >> HASH_BITS != 0) {
        return Err(ModelError::Inconsistent(
            "feature rows are not ascending buckets",
        ));
    }
    let weight_bytes = r.take(rows_len * n * 2, "weights")?;
    let quantised: Vec<i16> = weight_bytes
        .chunks_exact(2)
        .map(|c| i16::from_le_bytes(c.try_into().expect("2 bytes")))
        .collect();
    if !r.bytes.is_empty() {
        return Err(ModelError::TrailingBytes(r.bytes.len()));
    }
    let weights = quantised.iter().map(|&q| f32::from(q) * scale).collect();
    Ok(Classifier {
        classes,
        temperature,
        calibration,
        calibration_sv,
        fingerprint,
        bias,
        rows,
        weights,
        quantised,
        scale,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> Classifier {
        let classes = vec![None, Some(Topic::Shipping), Some(Topic::Returns)];
        let rows = vec![3, 70, 9000];
        let quantised = vec![0, 10, -10, 5, 0, 0, -32767, 32767, 1];
        let scale = 0.001;
        Classifier {
            classes,
            temperature: 1.5,
            calibration: Vec::new(),
            calibration_sv: Vec::new(),
            fingerprint: [7; 32],
            bias: vec![0.5, -0.25, -0.25],
            rows,
            weights: quantised.iter().map(|&q| f32::from(q) * scale).collect(),
            quantised,
            scale,
        }
    }

    #[test]
    fn a_model_round_trips_through_bytes() {
        let model = tiny();
        let bytes = model.to_bytes();
        let back = Classifier::from_bytes(&bytes).unwrap();
        assert_eq!(back, model);
        assert_eq!(back.to_bytes(), bytes);
    }

    #[test]
    fn damaged_files_are_refused_with_a_reason() {
        let bytes = tiny().to_bytes();
        assert_eq!(
            Classifier::from_bytes(b"hello").unwrap_err(),
            ModelError::BadMagic
        );
        assert_eq!(
            Classifier::from_bytes(&bytes[..bytes.len() - 1]).unwrap_err(),
            ModelError::Truncated("weights")
        );
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(
            Classifier::from_bytes(&longer).unwrap_err(),
            ModelError::TrailingBytes(1)
        );
        let mut other_format = bytes.clone();
        other_format[8] = 9;
        assert_eq!(
            Classifier::from_bytes(&other_format).unwrap_err(),
            ModelError::UnsupportedFormat(9)
        );
        let mut unknown = bytes;
        let at = unknown.windows(7).position(|w| w == b"returns").unwrap();
        unknown[at..at + 7].copy_from_slice(b"refunds");
        assert_eq!(
            Classifier::from_bytes(&unknown).unwrap_err(),
            ModelError::UnknownClass("refunds".into())
        );
    }

    #[test]
    fn no_topic_or_a_weak_topic_applies_no_label_but_reports_the_best_topic() {
        let model = tiny();
        let p = model.decide(&[0.6, 0.3, 0.1], false, 0.9);
        assert_eq!(
            p,
            Prediction {
                topic: None,
                confidence: 0.3
            }
        );
        let p = model.decide(&[0.05, 0.05, 0.9], false, 0.9);
        assert_eq!(
            p,
            Prediction {
                topic: Some(Topic::Returns),
                confidence: 0.9
            }
        );
        let p = model.decide(&[0.2, 0.0, 0.8], false, 0.9);
        assert_eq!(p.topic, None);
        let p = model.decide(&[0.2, 0.0, 0.8], false, 0.5);
        assert_eq!(p.topic, Some(Topic::Returns));
    }

    #[test]
    fn calibration_maps_the_best_topic_through_its_knots() {
        let mut model = tiny();
        model.calibration = vec![(0.5, 0.25), (0.9, 0.75), (0.99, 0.98)];
        assert_eq!(model.calibrate(0.25), 0.125);
        assert!((model.calibrate(0.7) - 0.5).abs() < 1e-6);
        assert_eq!(model.calibrate(0.9), 0.75);
        assert_eq!(model.calibrate(1.0), 0.98);
        // The gate compares the calibrated confidence; "no topic" still compares raw.
        let p = model.decide(&[0.05, 0.0, 0.95], false, 0.9);
        assert_eq!(p.topic, None);
        assert!((p.confidence - 0.8778).abs() < 1e-3, "{p:?}");
        assert_eq!(
            model.decide(&[0.0, 0.0, 1.0], false, 0.9).topic,
            Some(Topic::Returns)
        );
        let bytes = model.to_bytes();
        assert_eq!(Classifier::from_bytes(&bytes).unwrap(), model);
        // A Swedish map of its own, used for messages that read as Swedish.
        model.calibration_sv = vec![(0.5, 0.5), (0.9, 0.95)];
        assert_eq!(model.calibrate_for(true, 0.95), 0.95);
        assert!((model.calibrate_for(false, 0.95) - 0.8778).abs() < 1e-3);
        assert_eq!(
            model.decide(&[0.05, 0.0, 0.95], true, 0.9).topic,
            Some(Topic::Returns)
        );
        assert_eq!(Classifier::from_bytes(&model.to_bytes()).unwrap(), model);
        model.calibration_sv = vec![(0.9, 0.75), (0.5, 0.8)];
        assert!(matches!(
            Classifier::from_bytes(&model.to_bytes()),
            Err(ModelError::Inconsistent(_))
        ));
        model.calibration_sv = Vec::new();
        model.calibration = vec![(0.9, 0.75), (0.5, 0.8)];
        assert!(matches!(
            Classifier::from_bytes(&model.to_bytes()),
            Err(ModelError::Inconsistent(_))
        ));
    }

    #[test]
    fn probabilities_sum_to_one() {
        let p = tiny().probabilities("anything at all");
        assert_eq!(p.len(), 3);
        assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-5);
    }
}
