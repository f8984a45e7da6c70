//! Labelled messages: the TSV format under `data/topics/`, their phrasing families, and the
//! fixed train / held-out split by family.
//!
//! A line is `lang<TAB>label<TAB>text`, with `lang` `en` or `sv` and `label` a topic key or
//! `none`; blank lines and lines starting with `#` are skipped, except `#family: NAME`, which puts
//! the lines after it (to the next such line or the end of the file) in the phrasing family
//! `NAME`: one author's messages, or one way of asking written out across topics. A family may
//! span files.
//!
//! The split is by family, never by message: [`assign_families`] also joins every pair of
//! messages that are near-copies of each other (most of their character trigrams shared), so a
//! held-out message is never a rewording, a typo'd copy or a reordering of a training one, and
//! a phrasing family is either all train or all held out. Which side a family lands on is a
//! stable hash of its key, so it stays put whatever file its lines move to. Nothing here trains
//! or classifies.

use std::path::{Path, PathBuf};

use inbox_protocol::Topic;
use sha2::{Digest, Sha256};

use crate::features::{mix, normalise, text_hash};
use crate::model::NO_TOPIC_KEY;

/// Why training data could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DataError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{origin}:{line}: {reason}")]
    Line {
        origin: String,
        line: usize,
        reason: String,
    },
    #[error("{origin}: {text:?} is labelled {label} here and {other} in {other_origin}")]
    Conflict {
        origin: String,
        text: String,
        label: String,
        other: String,
        other_origin: String,
    },
    #[error("no .tsv files in {0}")]
    Empty(PathBuf),
}

/// The language a message is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    En,
    Sv,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Sv];

    pub fn key(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Sv => "sv",
        }
    }

    pub fn from_key(key: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.key() == key)
    }
}

/// Which part of the data a message belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Split {
    /// Fits the weights and, through cross-validation, the temperature.
    Train,
    /// Never seen by `train`; what `evaluate` and the tests measure.
    HeldOut,
}

impl Split {
    /// 80 % train, 20 % held out, by a family key's hash (see [`assign_families`]).
    pub fn of_family(family: u64) -> Split {
        match mix(family ^ SPLIT_SALT) % 10 {
            0..=7 => Split::Train,
            _ => Split::HeldOut,
        }
    }
}

/// Changing this reshuffles every family between train and held out.
const SPLIT_SALT: u64 = 0x005e_edfa_4111;

/// One labelled message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    pub lang: Lang,
    /// `None` is "no topic".
    pub label: Option<Topic>,
    pub text: String,
    /// The phrasing family's key: the hash of its `#family:` name, or of the message itself
    /// until [`assign_families`] joins it with its near-copies.
    pub family: u64,
}

impl Example {
    /// A message with no family of its own yet (its own text's hash).
    pub fn new(lang: Lang, label: Option<Topic>, text: &str) -> Example {
        Example {
            lang,
            label,
            text: text.to_owned(),
            family: text_hash(text),
        }
    }

    pub fn split(&self) -> Split {
        Split::of_family(self.family)
    }

    fn label_key(&self) -> &'static str {
        self.label.map_or(NO_TOPIC_KEY, Topic::key)
    }
}

/// Parses TSV lines; `origin` names the source in errors.
pub fn parse_tsv(source: &str, origin: &str) -> Result<Vec<Example>, DataError> {
    let mut out = Vec::new();
    let mut family: Option<u64> = None;
    for (i, line) in source.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if let Some(name) = line.strip_prefix("#family:") {
            let name = name.trim();
            family = (!name.is_empty()).then(|| family_key(name));
            continue;
        }
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let fail = |reason: String| DataError::Line {
            origin: origin.to_owned(),
            line: i + 1,
            reason,
        };
        let mut parts = line.splitn(3, '\t');
        let (Some(lang), Some(label), Some(text)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(fail("expected lang<TAB>label<TAB>text".into()));
        };
        let lang =
            Lang::from_key(lang).ok_or_else(|| fail(format!("unknown language {lang:?}")))?;
        let label = match Topic::from_key(label) {
            Some(topic) => Some(topic),
            None if label == NO_TOPIC_KEY => None,
            None => return Err(fail(format!("unknown label {label:?}"))),
        };
        let text = text.trim();
        if normalise(text).trim().is_empty() && label.is_some() {
            return Err(fail("a topical message needs words".into()));
        }
        let mut example = Example::new(lang, label, text);
        if let Some(family) = family {
            example.family = family;
        }
        out.push(example);
    }
    Ok(out)
}

fn family_key(name: &str) -> u64 {
    let mut h = Sha256::new();
    h.update(b"family\0");
    h.update(name.as_bytes());
    let digest: [u8; 32] = h.finalize().into();
    u64::from_le_bytes(digest[..8].try_into().expect("eight bytes"))
}

/// Reads every `*.tsv` file directly in `dir`, in file-name order, drops exact repeats, and
/// refuses a message that two lines label differently.
pub fn load_dir(dir: &Path) -> Result<Vec<Example>, DataError> {
    let io = |source| DataError::Io {
        path: dir.to_owned(),
        source,
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(io)?;
    files.retain(|p| p.extension().is_some_and(|e| e == "tsv"));
    files.sort();
    if files.is_empty() {
        return Err(DataError::Empty(dir.to_owned()));
    }
    let mut all = Vec::new();
    for path in &files {
        all.extend(load_file(path)?.into_iter().map(|e| (e, path.clone())));
    }
    let mut examples = dedup(all)?;
    assign_families(&mut examples);
    Ok(examples)
}

/// Two messages sharing at least this share of their character trigrams (Jaccard) are
/// near-copies and always land in the same family.
pub const NEAR_COPY: f64 = 0.5;

/// The sorted, distinct character trigrams of a message's normalised words, joined by single
/// spaces and padded, so word order, typos and reordering all count.
pub fn trigrams(text: &str) -> Vec<u64> {
    let normal = normalise(text);
    let words: Vec<&str> = normal.split_whitespace().collect();
    let chars: Vec<char> = format!(" {} ", words.join(" ")).chars().collect();
    let mut out: Vec<u64> = chars
        .windows(3)
        .map(|w| {
            let mut h: u64 = 0xcbf2_9ce4_8422_2325;
            for &c in w {
                h = (h ^ u64::from(c)).wrapping_mul(0x0000_0100_0000_01b3);
            }
            h
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Jaccard similarity of two sorted, distinct sets.
pub fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    let (mut i, mut j, mut both) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                both += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - both;
    if union == 0 {
        1.0
    } else {
        both as f64 / union as f64
    }
}

/// Joins near-copies ([`NEAR_COPY`]) and members of one `#family:` into one family, and gives
/// every member the family's key: the smallest key among them. Deterministic: the result
/// depends on the set of messages, not on their order.
pub fn assign_families(examples: &mut [Example]) {
    let n = examples.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let join = |parent: &mut Vec<usize>, a: usize, b: usize| {
        let (ra, rb) = (root(parent, a), root(parent, b));
        if ra != rb {
            parent[ra.max(rb)] = ra.min(rb);
        }
    };
    // Members of a named family: join each to the first one seen.
    let mut named: std::collections::BTreeMap<u64, usize> = std::collections::BTreeMap::new();
    for (i, e) in examples.iter().enumerate() {
        if e.family != text_hash(&e.text) {
            let first = *named.entry(e.family).or_insert(i);
            join(&mut parent, first, i);
        }
    }
    let grams: Vec<Vec<u64>> = examples.iter().map(|e| trigrams(&e.text)).collect();
    for i in 0..n {
        for j in i + 1..n {
            // Sizes alone bound the Jaccard similarity: skip pairs that can't reach it.
            let (a, b) = (grams[i].len(), grams[j].len());
            if (a.min(b) as f64) < NEAR_COPY * a.max(b) as f64 {
                continue;
            }
            if jaccard(&grams[i], &grams[j]) >= NEAR_COPY {
                join(&mut parent, i, j);
            }
        }
    }
    let mut key = vec![u64::MAX; n];
    for (i, e) in examples.iter().enumerate() {
        let r = root(&mut parent, i);
        key[r] = key[r].min(e.family);
    }
    for (i, e) in examples.iter_mut().enumerate() {
        let r = root(&mut parent, i);
        e.family = key[r];
    }
}

/// Reads one TSV file.
pub fn load_file(path: &Path) -> Result<Vec<Example>, DataError> {
    let source = std::fs::read_to_string(path).map_err(|source| DataError::Io {
        path: path.to_owned(),
        source,
    })?;
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    parse_tsv(&source, &name)
}

fn dedup(all: Vec<(Example, PathBuf)>) -> Result<Vec<Example>, DataError> {
    // Key on what the model sees, so "Tack!" and "tack" count as one message.
    let mut seen: std::collections::BTreeMap<(Lang, String), (Option<Topic>, String)> =
        std::collections::BTreeMap::new();
    let mut out = Vec::with_capacity(all.len());
    for (example, path) in all {
        let key = (
            example.lang,
            normalise(&example.text)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
        );
        let origin = path.display().to_string();
        match seen.get(&key) {
            Some((label, _)) if *label == example.label => continue,
            Some((label, other_origin)) => {
                return Err(DataError::Conflict {
                    origin,
                    label: example.label_key().to_owned(),
                    text: example.text,
                    other: label.map_or(NO_TOPIC_KEY, Topic::key).to_owned(),
                    other_origin: other_origin.clone(),
                });
            }
            None => {
                seen.insert(key, (example.label, origin));
                out.push(example);
            }
        }
    }
    Ok(out)
}

/// SHA-256 of the examples in order plus a description of the training settings: what a model
/// file records so a stale model can be caught.
pub fn fingerprint(examples: &[Example], settings: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(settings.as_bytes());
    h.update(b"\n");
    for e in examples {
        h.update(e.lang.key().as_bytes());
        h.update(b"\t");
        h.update(e.label_key().as_bytes());
        h.update(b"\t");
        h.update(e.text.as_bytes());
        h.update(b"\n");
    }
    h.finalize().into()
}

/// Lowercase hex, for reports.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lines_and_skips_comments_and_blanks() {
        let src = "# a comment\n\nen\tshipping\tDo you ship to Norway?\nsv\tnone\ttack!\n";
        let examples = parse_tsv(src, "t.tsv").unwrap();
        assert_eq!(
            examples,
            vec![
                Example::new(Lang::En, Some(Topic::Shipping), "Do you ship to Norway?"),
                Example::new(Lang::Sv, None, "tack!"),
            ]
        );
    }

    #[test]
    fn a_family_line_names_the_family_of_the_lines_after_it() {
        let src = "en\tnone\thi\n#family: desk\nen\tshipping\tI need assistance with shipping\n\
                   en\treturns\tI need assistance with a refund\n#family:\nen\tnone\tok\n";
        let e = parse_tsv(src, "t.tsv").unwrap();
        assert_eq!(e[0].family, text_hash("hi"));
        assert_eq!(e[1].family, e[2].family);
        assert_ne!(e[1].family, text_hash(&e[1].text));
        assert_eq!(e[3].family, text_hash("ok"));
    }

    #[test]
    fn near_copies_and_named_families_share_one_family_and_so_one_split() {
        let src = "en\torder_status\twhere is my order please\n\
                   en\torder_status\twhere is my ordr pls\n\
                   en\tshipping\tdo you ship to Norway\n\
                   #family: a\nen\tnone\tthanks\nen\tnone\tgreat, that is all\n";
        let mut e = parse_tsv(src, "t.tsv").unwrap();
        assign_families(&mut e);
        assert_eq!(e[0].family, e[1].family, "a typo'd copy is the same family");
        assert_ne!(e[0].family, e[2].family);
        assert_eq!(e[3].family, e[4].family);
        // The same set of messages in another order gets the same families.
        let mut reversed = parse_tsv(src, "t.tsv").unwrap();
        reversed.reverse();
        assign_families(&mut reversed);
        reversed.reverse();
        assert_eq!(e, reversed);
    }

    #[test]
    fn jaccard_of_trigrams_tells_near_copies_from_other_messages() {
        let j = |a: &str, b: &str| jaccard(&trigrams(a), &trigrams(b));
        assert!(j("Var är mitt paket?", "var ar mitt paket") > 0.99);
        assert!(j("where is my order please", "where is my ordr pls") >= NEAR_COPY);
        assert!(j("where is my order", "can I change my order") < NEAR_COPY);
    }

    #[test]
    fn bad_lines_name_their_place() {
        let err = parse_tsv("en\tshipping\tok\nfi\tshipping\tmoi\n", "x.tsv").unwrap_err();
        assert_eq!(err.to_string(), "x.tsv:2: unknown language \"fi\"");
        let err = parse_tsv("en\trefunds\twhere is my money", "x.tsv").unwrap_err();
        assert_eq!(err.to_string(), "x.tsv:1: unknown label \"refunds\"");
        assert!(parse_tsv("en shipping no tabs", "x.tsv").is_err());
    }

    #[test]
    fn repeats_are_dropped_and_conflicts_refused() {
        let a = parse_tsv("en\tnone\tThanks!\nen\tnone\tthanks\n", "a.tsv").unwrap();
        let tagged: Vec<_> = a.into_iter().map(|e| (e, PathBuf::from("a.tsv"))).collect();
        assert_eq!(dedup(tagged).unwrap().len(), 1);
        let b = parse_tsv("en\tnone\tthanks\nen\tshipping\tThanks\n", "b.tsv").unwrap();
        let tagged: Vec<_> = b.into_iter().map(|e| (e, PathBuf::from("b.tsv"))).collect();
        assert!(matches!(dedup(tagged), Err(DataError::Conflict { .. })));
    }

    #[test]
    fn about_a_fifth_of_families_are_held_out() {
        let held = (0..1000u64)
            .filter(|&i| Split::of_family(mix(i)) == Split::HeldOut)
            .count();
        assert!(
            (150..250).contains(&held),
            "held-out share is about a fifth: {held}"
        );
    }
}
