//! Labelled messages: the TSV format under `data/topics/`, and the fixed train / held-out
//! split.
//!
//! A line is `lang<TAB>label<TAB>text`, with `lang` `en` or `sv` and `label` a topic key or
//! `none`; blank lines and lines starting with `#` are skipped. The split is decided by a stable
//! hash of the normalised text alone, so a message stays in its split whatever file it moves to,
//! and two spellings that normalise alike can't land on both sides. Nothing here trains or
//! classifies.

use std::path::{Path, PathBuf};

use inbox_protocol::Topic;
use sha2::{Digest, Sha256};

use crate::features::{normalise, text_hash};
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
    /// 80 % train, 20 % held out, by the normalised text's hash.
    pub fn of(text: &str) -> Split {
        match text_hash(text) % 10 {
            0..=7 => Split::Train,
            _ => Split::HeldOut,
        }
    }
}

/// One labelled message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    pub lang: Lang,
    /// `None` is "no topic".
    pub label: Option<Topic>,
    pub text: String,
}

impl Example {
    pub fn split(&self) -> Split {
        Split::of(&self.text)
    }

    fn label_key(&self) -> &'static str {
        self.label.map_or(NO_TOPIC_KEY, Topic::key)
    }
}

/// Parses TSV lines; `origin` names the source in errors.
pub fn parse_tsv(source: &str, origin: &str) -> Result<Vec<Example>, DataError> {
    let mut out = Vec::new();
    for (i, line) in source.lines().enumerate() {
        let line = line.trim_end_matches('\r');
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
        out.push(Example {
            lang,
            label,
            text: text.to_owned(),
        });
    }
    Ok(out)
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
    dedup(all)
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
                Example {
                    lang: Lang::En,
                    label: Some(Topic::Shipping),
                    text: "Do you ship to Norway?".into()
                },
                Example {
                    lang: Lang::Sv,
                    label: None,
                    text: "tack!".into()
                },
            ]
        );
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
    fn the_split_depends_on_the_words_only() {
        assert_eq!(
            Split::of("Var är mitt paket?"),
            Split::of("var ar mitt paket")
        );
        // Digits all normalise to 0, so spell the numbers in letters.
        let word = |i: usize| {
            format!(
                "{}{}{}",
                (b'a' + (i % 26) as u8) as char,
                (b'a' + (i / 26 % 26) as u8) as char,
                (b'a' + (i / 676) as u8) as char
            )
        };
        let splits: Vec<Split> = (0..1000)
            .map(|i| Split::of(&format!("message {}", word(i))))
            .collect();
        let held = splits.iter().filter(|&&s| s == Split::HeldOut).count();
        assert!(
            (150..250).contains(&held),
            "held-out share is about a fifth: {held}"
        );
    }
}
