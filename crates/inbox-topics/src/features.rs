//! Turns a message into the sparse feature vector the linear model reads.
//!
//! Training and classification both go through [`Features::extract`], so the two can never
//! disagree on what a message looks like. Text is lowercased, diacritics are folded (`å`, `ä` →
//! `a`, `ö` → `o`, `é` → `e`) because customers often type Swedish without them, apostrophes are
//! dropped (`don't` → `dont`) and digits become `0`. The features are word unigrams, word
//! bigrams and character 3- to 5-grams of each word, hashed into `2^HASH_BITS` buckets with a
//! hash that is fixed here (never `std`'s, whose output may change between Rust releases).
//! Two more families say which of the [`crate::lexicon`] word groups a message touches, alone
//! and in pairs, so one language's examples teach the other. Each family is scaled to unit
//! length, so long messages are not more confident just for being long, and a misspelt word
//! still shares most of its character grams with the right one. This module must stay free of
//! I/O and of anything that depends on iteration order.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::lexicon::GROUPS;

/// Bumped whenever extraction changes; a model trained with another version is refused.
pub const FEATURE_VERSION: u32 = 4;

/// Everything that decides extraction beyond this file's code, as text for the training
/// fingerprint: editing a word group or a weight makes the committed model stale.
pub fn describe() -> String {
    format!(
        "version={FEATURE_VERSION} bits={HASH_BITS} weights={WORD_WEIGHT},{BIGRAM_WEIGHT},\
         {CHAR_WEIGHT},{GROUP_WEIGHT},{PAIR_WEIGHT} grams={CHAR_GRAMS:?} max={MAX_TOKEN_CHARS} \
         inside={INSIDE_MIN} ask={ASK_WEIGHT},{ASK_BIGRAM_WEIGHT},{ASK_GROUP_WEIGHT},\
         {ASK_START_WEIGHT},{BACKGROUND_WEIGHT},{NEGATED_GROUP_WEIGHT} cues={ASK_CUES:?} \
         turns={CLAUSE_TURNS:?} negations={NEGATIONS:?} \
         swedish={SWEDISH_CUES:?} english={ENGLISH_CUES:?} \
         groups={GROUPS:?}"
    )
}

/// Feature buckets are `0..1 << HASH_BITS`.
pub const HASH_BITS: u8 = 18;

const WORD_WEIGHT: f32 = 1.0;
const BIGRAM_WEIGHT: f32 = 0.6;
const CHAR_WEIGHT: f32 = 1.0;
const GROUP_WEIGHT: f32 = 1.0;
const PAIR_WEIGHT: f32 = 1.0;
const CHAR_GRAMS: std::ops::RangeInclusive<usize> = 3..=5;
/// Longer tokens (URLs, pasted gibberish) add no more character grams than this many.
const MAX_TOKEN_CHARS: usize = 24;
/// A question mark is a weak hint that a message asks about something.
const QUESTION_TOKEN: &str = "<q>";

// The ask clause's own families: its words, word pairs, word groups and first two words, and
// the word groups only the other clauses touch (the background of the question).
const ASK_WEIGHT: f32 = 1.0;
const ASK_BIGRAM_WEIGHT: f32 = 0.6;
const ASK_GROUP_WEIGHT: f32 = 1.0;
const ASK_START_WEIGHT: f32 = 0.5;
const BACKGROUND_WEIGHT: f32 = 0.7;
const NEGATED_GROUP_WEIGHT: f32 = 0.7;

/// Words after which the rest of a clause is denied, not asked about ("I don't want to
/// *cancel*, …", "inte en *returfråga*"): those words and word groups are features of their own,
/// so a topic's vocabulary under a negation does not count as that topic.
const NEGATIONS: &[&str] = &[
    "not", "dont", "doesnt", "didnt", "never", "no", "isnt", "arent", "wasnt", "havent", "hasnt",
    "wont", "cant", "cannot", "inte", "ej", "ingen", "inget", "inga", "aldrig",
];

/// Words that start a new clause inside a sentence: what follows them is what the customer
/// turns to ("I sent it back, *but* is the coat waterproof?").
const CLAUSE_TURNS: &[&str] = &["but", "however", "btw", "men", "forresten"];

/// Words that mark a clause as a request when no clause ends in a question mark.
const ASK_CUES: &[&str] = &[
    "can", "could", "would", "will", "please", "pls", "plz", "want", "wanted", "need", "how",
    "where", "when", "what", "which", "why", "is", "are", "do", "does", "did", "help", "any",
    "kan", "skulle", "vill", "ville", "behover", "hur", "var", "vart", "nar", "vad", "vilken",
    "vilka", "varfor", "ar", "finns", "har", "hjalp", "snalla", "undrar", "onskar",
];

/// Everyday Swedish words (normalised: no diacritics) that English messages hardly use; with
/// [`ENGLISH_CUES`] they tell which calibration map a message gets ([`reads_swedish`]).
const SWEDISH_CUES: &[&str] = &[
    "och",
    "jag",
    "ja",
    "ar",
    "e",
    "det",
    "de",
    "att",
    "inte",
    "int",
    "min",
    "mitt",
    "mina",
    "hur",
    "vad",
    "va",
    "kan",
    "har",
    "till",
    "te",
    "pa",
    "med",
    "om",
    "ni",
    "er",
    "era",
    "hej",
    "tack",
    "nar",
    "var",
    "vart",
    "vill",
    "skulle",
    "den",
    "ett",
    "som",
    "av",
    "sa",
    "nagon",
    "nagot",
    "nan",
    "nat",
    "nagra",
    "ska",
    "mig",
    "mej",
    "dom",
    "kommer",
    "finns",
    "halla",
    "snalla",
    "funkar",
    "ocksa",
    "eller",
    "elle",
    "men",
    "nu",
    "fran",
    "tva",
    "bara",
    "hade",
    "blev",
    "sen",
    "nej",
    "okej",
    "undrar",
    "fortfarande",
    "fick",
    "paketet",
    "bestallning",
    "bestallningen",
    "ordern",
    "varan",
    "frakt",
    "frakten",
    "butik",
    "butiken",
    "rabatt",
    "priset",
    "storlek",
    "hejsan",
    "tjena",
    "tja",
    "tackar",
    "bra",
    "ingen",
    "inga",
    "inget",
    "allt",
    "vi",
    "ses",
    "helg",
    "oj",
    "fel",
    "kanske",
    "visst",
    "toppen",
    "japp",
    "stoppa",
];

/// Everyday English words that Swedish messages hardly use.
const ENGLISH_CUES: &[&str] = &[
    "the", "is", "are", "my", "you", "your", "do", "does", "can", "to", "of", "and", "it", "what",
    "how", "when", "where", "please", "pls", "have", "has", "this", "that", "with", "on", "in",
    "be", "was", "will", "would", "could", "any", "an", "we", "our", "get", "thanks", "thank",
    "hi", "hello", "there", "if", "not", "dont", "im", "just", "yes", "no", "about", "from",
    "still", "which", "why", "like", "want", "need", "its", "so",
];

/// Whether a message reads as Swedish: more of its words are everyday Swedish than everyday
/// English, counting a letter `å`, `ä` or `ö` as one Swedish word. Ties (no cue words, or as
/// many of each) read as English. Only the calibration uses this; the features are the same
/// for both languages.
pub fn reads_swedish(text: &str) -> bool {
    let mut score: i32 = if text
        .chars()
        .any(|c| matches!(c, 'å' | 'ä' | 'ö' | 'Å' | 'Ä' | 'Ö'))
    {
        1
    } else {
        0
    };
    for word in normalise(text).split_whitespace() {
        if SWEDISH_CUES.contains(&word) {
            score += 1;
        } else if ENGLISH_CUES.contains(&word) {
            score -= 1;
        }
    }
    score > 0
}

/// A sparse feature vector: bucket ids ascending, each once.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Features {
    pub buckets: Vec<u32>,
    pub values: Vec<f32>,
}

impl Features {
    pub fn extract(text: &str) -> Features {
        let pieces = clauses(text);
        let ask_at = ask_index(&pieces);
        // Every word with its clause and whether a negation earlier in that clause covers it.
        let mut tokens: Vec<&str> = Vec::new();
        let mut negated: Vec<bool> = Vec::new();
        let mut in_ask: Vec<bool> = Vec::new();
        for (i, (clause, _)) in pieces.iter().enumerate() {
            let mut scope = false;
            for word in clause.split_whitespace() {
                tokens.push(word);
                negated.push(scope);
                in_ask.push(Some(i) == ask_at);
                scope |= NEGATIONS.contains(&word);
            }
        }
        if text.contains('?') {
            tokens.push(QUESTION_TOKEN);
            negated.push(false);
            in_ask.push(false);
        }

        let mut words = Vec::with_capacity(tokens.len());
        for (token, &neg) in tokens.iter().zip(&negated) {
            words.push(bucket(hash_parts(if neg { b'n' } else { b'w' }, &[token])));
        }
        let mut bigrams = Vec::with_capacity(tokens.len());
        for (pair, neg) in tokens.windows(2).zip(negated.windows(2)) {
            let kind = if neg[1] { b'N' } else { b'b' };
            bigrams.push(bucket(hash_parts(kind, &[pair[0], pair[1]])));
        }
        let mut chars = Vec::with_capacity(tokens.len() * 12);
        let mut marked: Vec<char> = Vec::with_capacity(MAX_TOKEN_CHARS + 2);
        for (token, &neg) in tokens.iter().zip(&negated) {
            marked.clear();
            marked.push('<');
            marked.extend(token.chars().take(MAX_TOKEN_CHARS));
            marked.push('>');
            char_grams(&marked, if neg { b'k' } else { b'c' }, &mut chars);
        }

        // What is said, and what is said not to be the case, read as separate word lists (a
        // placeholder keeps two-word stems from joining across the gap).
        let plain: Vec<&str> = tokens
            .iter()
            .zip(&negated)
            .map(|(t, &neg)| if neg { "_" } else { *t })
            .collect();
        let denied: Vec<&str> = tokens
            .iter()
            .zip(&negated)
            .map(|(t, &neg)| if neg { *t } else { "_" })
            .collect();
        let mut negated_groups: Vec<u32> = lexicon()
            .groups_of(&denied)
            .into_iter()
            .map(|g| bucket(hash_parts(b'x', &[GROUPS[g].0])))
            .collect();

        let ask_tokens: Vec<&str> = tokens
            .iter()
            .zip(negated.iter().zip(&in_ask))
            .filter(|&(_, (&neg, &ask))| ask && !neg)
            .map(|(t, _)| *t)
            .collect();
        let mut ask_words: Vec<u32> = ask_tokens
            .iter()
            .map(|t| bucket(hash_parts(b'a', &[t])))
            .collect();
        let mut ask_bigrams: Vec<u32> = ask_tokens
            .windows(2)
            .map(|p| bucket(hash_parts(b'A', &[p[0], p[1]])))
            .collect();
        let mut ask_start: Vec<u32> = match ask_tokens.as_slice() {
            [] => Vec::new(),
            [one] => vec![bucket(hash_parts(b's', &[one]))],
            [first, second, ..] => vec![bucket(hash_parts(b's', &[first, second]))],
        };
        let ask_found = lexicon().groups_of(&ask_tokens);
        let mut ask_groups: Vec<u32> = ask_found
            .iter()
            .map(|&g| bucket(hash_parts(b'G', &[GROUPS[g].0])))
            .collect();

        let mut groups = Vec::new();
        let mut group_pairs = Vec::new();
        let found = lexicon().groups_of(&plain);
        let mut background: Vec<u32> = found
            .iter()
            .filter(|g| !ask_found.contains(g))
            .map(|&g| bucket(hash_parts(b'B', &[GROUPS[g].0])))
            .collect();
        for (i, &a) in found.iter().enumerate() {
            groups.push(bucket(hash_parts(b'g', &[GROUPS[a].0])));
            for &b in &found[i + 1..] {
                group_pairs.push(bucket(hash_parts(b'p', &[GROUPS[a].0, GROUPS[b].0])));
            }
        }

        let mut pairs =
            Vec::with_capacity(words.len() + bigrams.len() + chars.len() + groups.len() * 4);
        push_group(&mut pairs, &mut words, WORD_WEIGHT);
        push_group(&mut pairs, &mut bigrams, BIGRAM_WEIGHT);
        push_group(&mut pairs, &mut chars, CHAR_WEIGHT);
        push_group(&mut pairs, &mut groups, GROUP_WEIGHT);
        push_group(&mut pairs, &mut group_pairs, PAIR_WEIGHT);
        push_group(&mut pairs, &mut ask_words, ASK_WEIGHT);
        push_group(&mut pairs, &mut ask_bigrams, ASK_BIGRAM_WEIGHT);
        push_group(&mut pairs, &mut ask_groups, ASK_GROUP_WEIGHT);
        push_group(&mut pairs, &mut ask_start, ASK_START_WEIGHT);
        push_group(&mut pairs, &mut background, BACKGROUND_WEIGHT);
        push_group(&mut pairs, &mut negated_groups, NEGATED_GROUP_WEIGHT);
        pairs.sort_unstable_by_key(|&(b, _)| b);

        let mut features = Features {
            buckets: Vec::with_capacity(pairs.len()),
            values: Vec::with_capacity(pairs.len()),
        };
        for (b, v) in pairs {
            if features.buckets.last() == Some(&b) {
                *features.values.last_mut().expect("values parallel buckets") += v;
            } else {
                features.buckets.push(b);
                features.values.push(v);
            }
        }
        features
    }

    pub fn is_empty(&self) -> bool {
        self.buckets.is_empty()
    }
}

/// The clause that carries the message's question, normalised: the last clause ending in a
/// question mark, else the last clause with a request word ([`ASK_CUES`]), else the last
/// clause. Clauses end at sentence punctuation, commas and line breaks, and a turn word
/// ([`CLAUSE_TURNS`]) starts a new one. A message of one clause is its own ask clause.
pub fn ask_clause(text: &str) -> String {
    let pieces = clauses(text);
    ask_index(&pieces)
        .map(|i| pieces[i].0.clone())
        .unwrap_or_default()
}

/// Which of `clauses` asks (see [`ask_clause`]); `None` only when there are none.
fn ask_index(clauses: &[(String, bool)]) -> Option<usize> {
    let cued = |p: &str| p.split_whitespace().any(|w| ASK_CUES.contains(&w));
    clauses
        .iter()
        .rposition(|(_, asked)| *asked)
        .or_else(|| clauses.iter().rposition(|(p, _)| cued(p)))
        .or(clauses.len().checked_sub(1))
}

/// A message's clauses, normalised, in order, each with whether it ended in a question mark:
/// cut at sentence punctuation, commas, colons and line breaks, and again before a turn word.
pub fn clauses(text: &str) -> Vec<(String, bool)> {
    let mut clauses: Vec<(String, bool)> = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        if matches!(c, '.' | '!' | '?' | ';' | ',' | '\n' | ':') {
            if !current.trim().is_empty() {
                clauses.push((std::mem::take(&mut current), c == '?'));
            }
            current.clear();
        } else {
            current.push(c);
        }
    }
    if !current.trim().is_empty() {
        clauses.push((current, false));
    }
    // Split again at turn words, on normalised text; only the last piece keeps a question
    // mark.
    let mut pieces: Vec<(String, bool)> = Vec::new();
    for (clause, asked) in clauses {
        let normal = normalise(&clause);
        let mut piece: Vec<&str> = Vec::new();
        let mut split: Vec<String> = Vec::new();
        for word in normal.split_whitespace() {
            if CLAUSE_TURNS.contains(&word) && !piece.is_empty() {
                split.push(piece.join(" "));
                piece.clear();
            }
            piece.push(word);
        }
        if piece.len() == 1 && !split.is_empty() {
            // A turn word closing the clause ("..., but") turns to nothing: keep it where it was.
            let tail = piece.join(" ");
            let before = split.last_mut().expect("not empty");
            before.push(' ');
            before.push_str(&tail);
        } else if !piece.is_empty() {
            split.push(piece.join(" "));
        }
        let last = split.len().saturating_sub(1);
        pieces.extend(
            split
                .into_iter()
                .enumerate()
                .map(|(i, p)| (p, asked && i == last)),
        );
    }
    pieces
}

/// How a stem of [`GROUPS`] may match a word.
#[derive(Clone, Copy, PartialEq)]
enum Match {
    Word,
    Prefix,
    Inside,
}

/// [`GROUPS`] indexed for lookup: every stem maps to the groups it belongs to and how it
/// matches. Only looked up, never iterated, so its order can't leak into features.
struct Lexicon {
    stems: HashMap<&'static str, Vec<(usize, Match)>>,
    longest: usize,
}

/// Stems this long or longer match inside a word; shorter ones only at its start.
const INSIDE_MIN: usize = 5;

fn lexicon() -> &'static Lexicon {
    static LEXICON: OnceLock<Lexicon> = OnceLock::new();
    LEXICON.get_or_init(|| {
        let mut stems: HashMap<&'static str, Vec<(usize, Match)>> = HashMap::new();
        let mut longest = 0;
        for (group, (_, list)) in GROUPS.iter().enumerate() {
            for stem in *list {
                let (bare, how) = match stem.strip_suffix('=') {
                    Some(bare) => (bare, Match::Word),
                    None if stem.contains(' ') => (*stem, Match::Word),
                    None if stem.len() >= INSIDE_MIN => (*stem, Match::Inside),
                    None => (*stem, Match::Prefix),
                };
                longest = longest.max(bare.len());
                stems.entry(bare).or_default().push((group, how));
            }
        }
        Lexicon { stems, longest }
    })
}

impl Lexicon {
    /// The groups `tokens` touch, ascending, each once.
    fn groups_of(&self, tokens: &[&str]) -> Vec<usize> {
        let mut found = Vec::new();
        let mut hit = |key: &str, allowed: &[Match]| {
            if let Some(entries) = self.stems.get(key) {
                found.extend(
                    entries
                        .iter()
                        .filter(|(_, how)| allowed.contains(how))
                        .map(|(g, _)| *g),
                );
            }
        };
        for (i, token) in tokens.iter().enumerate() {
            hit(token, &[Match::Word, Match::Prefix, Match::Inside]);
            if let Some(next) = tokens.get(i + 1) {
                hit(&format!("{token} {next}"), &[Match::Word]);
            }
            let bounds: Vec<usize> = token
                .char_indices()
                .map(|(b, _)| b)
                .chain(std::iter::once(token.len()))
                .collect();
            for (si, &start) in bounds.iter().enumerate() {
                for &end in &bounds[si + 1..] {
                    let len = end - start;
                    if len > self.longest || end == token.len() && start == 0 {
                        continue;
                    }
                    if start == 0 && len < INSIDE_MIN {
                        hit(&token[..end], &[Match::Prefix]);
                    } else if len >= INSIDE_MIN {
                        hit(&token[start..end], &[Match::Inside]);
                    }
                }
            }
        }
        found.sort_unstable();
        found.dedup();
        found
    }
}

/// Lowercase, fold diacritics, drop apostrophes, digits to `0`, everything else that is not a
/// letter to a space.
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut digits = 0;
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_digit() {
            // Long numbers (order numbers, phone numbers) all look alike past four digits.
            if digits < 4 {
                out.push('0');
            }
            digits += 1;
            continue;
        }
        digits = 0;
        match c {
            '\'' | '’' | '`' | '´' => {}
            'à' | 'á' | 'â' | 'ä' | 'å' | 'ã' | 'ā' => out.push('a'),
            'æ' => out.push_str("ae"),
            'ç' => out.push('c'),
            'è' | 'é' | 'ê' | 'ë' => out.push('e'),
            'ì' | 'í' | 'î' | 'ï' => out.push('i'),
            'ñ' => out.push('n'),
            'ò' | 'ó' | 'ô' | 'ö' | 'õ' | 'ø' => out.push('o'),
            'ù' | 'ú' | 'û' | 'ü' => out.push('u'),
            'ý' | 'ÿ' => out.push('y'),
            'ß' => out.push_str("ss"),
            c if c.is_alphanumeric() => out.push(c),
            _ => out.push(' '),
        }
    }
    out
}

/// The words of a message after [`normalise`]; what the benchmark's baseline does per message.
pub fn tokens(text: &str) -> usize {
    normalise(text).split_whitespace().count()
}

/// Appends the hashed character n-grams of one boundary-marked token, of family `kind`.
fn char_grams(marked: &[char], kind: u8, out: &mut Vec<u32>) {
    let (min, max) = (*CHAR_GRAMS.start(), *CHAR_GRAMS.end());
    for start in 0..marked.len() {
        let mut h = FNV_OFFSET;
        h = fnv_byte(h, kind);
        for (len, &c) in marked[start..].iter().take(max).enumerate() {
            h = fnv_char(h, c);
            if len + 1 >= min {
                out.push(bucket(h));
            }
        }
    }
}

/// Scales one group to `weight` length (each distinct bucket counted by its multiplicity).
fn push_group(pairs: &mut Vec<(u32, f32)>, group: &mut [u32], weight: f32) {
    if group.is_empty() {
        return;
    }
    group.sort_unstable();
    let mut counts: Vec<(u32, f32)> = Vec::with_capacity(group.len());
    for &b in group.iter() {
        match counts.last_mut() {
            Some((last, n)) if *last == b => *n += 1.0,
            _ => counts.push((b, 1.0)),
        }
    }
    let norm = counts.iter().map(|(_, n)| n * n).sum::<f32>().sqrt();
    pairs.extend(counts.into_iter().map(|(b, n)| (b, weight * n / norm)));
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

fn fnv_byte(h: u64, b: u8) -> u64 {
    (h ^ u64::from(b)).wrapping_mul(FNV_PRIME)
}

fn fnv_char(mut h: u64, c: char) -> u64 {
    let mut buf = [0u8; 4];
    for &b in c.encode_utf8(&mut buf).as_bytes() {
        h = fnv_byte(h, b);
    }
    h
}

fn hash_parts(group: u8, parts: &[&str]) -> u64 {
    let mut h = fnv_byte(FNV_OFFSET, group);
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            h = fnv_byte(h, b' ');
        }
        for &b in part.as_bytes() {
            h = fnv_byte(h, b);
        }
    }
    h
}

/// FNV's bits are weakly mixed for short inputs, so finish with SplitMix64's mixer.
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn bucket(h: u64) -> u32 {
    (mix(h) >> (64 - u32::from(HASH_BITS))) as u32
}

/// A stable 64-bit hash of a message's normalised text, used to split the data.
pub fn text_hash(text: &str) -> u64 {
    let normal = normalise(text);
    let words: Vec<&str> = normal.split_whitespace().collect();
    mix(hash_parts(b't', &words))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalise_folds_case_diacritics_apostrophes_and_digits() {
        assert_eq!(
            normalise("Var ÄR min Beställning?"),
            "var ar min bestallning "
        );
        assert_eq!(normalise("don't"), "dont");
        assert_eq!(normalise("order #123456"), "order  0000");
        assert_eq!(normalise("Ålö"), "alo");
    }

    #[test]
    fn swedish_with_and_without_diacritics_extract_the_same_features() {
        assert_eq!(
            Features::extract("Hur mycket kostar frakten till Göteborg?"),
            Features::extract("hur mycket kostar frakten till goteborg?")
        );
    }

    #[test]
    fn buckets_are_ascending_unique_and_in_range() {
        let f = Features::extract("where is my order, where is it? where??");
        assert!(!f.is_empty());
        assert!(f.buckets.windows(2).all(|w| w[0] < w[1]));
        assert!(f.buckets.iter().all(|&b| b < 1 << HASH_BITS));
        assert_eq!(f.buckets.len(), f.values.len());
    }

    fn group_names(text: &str) -> Vec<&'static str> {
        let normal = normalise(text);
        let tokens: Vec<&str> = normal.split_whitespace().collect();
        lexicon()
            .groups_of(&tokens)
            .into_iter()
            .map(|g| GROUPS[g].0)
            .collect()
    }

    #[test]
    fn word_groups_match_whole_words_prefixes_compounds_and_pairs() {
        assert_eq!(group_names("Finns det studentrabatt?"), ["discount"]);
        assert_eq!(
            group_names("Vem betalar returfrakten?"),
            ["pay", "return", "shipping"]
        );
        assert_eq!(group_names("can I pick up in Stockholm"), ["pickup"]);
        assert_eq!(group_names("wholesale"), ["wholesale"]);
        // "sale" is a whole-word stem, so it does not fire inside "wholesale" or "salesman".
        assert!(!group_names("salesman").contains(&"discount"));
        assert_eq!(group_names("iPhone"), Vec::<&str>::new());
    }

    #[test]
    fn the_ask_clause_is_the_one_that_asks() {
        assert_eq!(
            ask_clause("I returned a jumper last month, but does the coat come in L?"),
            "but does the coat come in l"
        );
        assert_eq!(
            ask_clause("got my refund, thanks! does it come in brown though?"),
            "does it come in brown though"
        );
        assert_eq!(
            ask_clause("Paid via PayPal Tuesday. Status of order 4412? Thanks"),
            "status of order 0000"
        );
        assert_eq!(
            ask_clause("Returen gick bra. Jag vill byta storlek. Tack"),
            "jag vill byta storlek"
        );
        assert_eq!(
            ask_clause("skickade tillbaka den men finns den i svart"),
            "men finns den i svart"
        );
        assert_eq!(ask_clause("hej"), "hej");
        assert_eq!(ask_clause("?!"), "");
    }

    #[test]
    fn a_negated_topic_word_is_a_feature_of_its_own_to_the_end_of_its_clause() {
        let has = |text: &str, kind: u8, part: &str| {
            Features::extract(text)
                .buckets
                .contains(&bucket(hash_parts(kind, &[part])))
        };
        assert!(has("is this a return question", b'g', "return"));
        assert!(!has(
            "not a return question, is the coat washable",
            b'g',
            "return"
        ));
        assert!(has(
            "not a return question, is the coat washable",
            b'x',
            "return"
        ));
        assert!(has(
            "not a return question, is the coat washable",
            b'n',
            "return"
        ));
        // The negation ends with its clause.
        assert!(has(
            "I dont want to cancel, I want a refund",
            b'g',
            "return"
        ));
        assert!(has(
            "jag vill inte avbeställa, bara returnera",
            b'x',
            "cancel"
        ));
    }

    #[test]
    fn empty_and_punctuation_only_messages_have_no_features() {
        assert!(Features::extract("").is_empty());
        assert!(Features::extract(" ... !!! ").is_empty());
    }

    #[test]
    fn hashes_are_fixed_across_builds() {
        // Changing these changes every committed model: bump FEATURE_VERSION if you must.
        assert_eq!(
            text_hash("Where is my order?"),
            text_hash("where is my ORDER")
        );
        assert_eq!(bucket(hash_parts(b'w', &["order"])), 134_746);
        assert_eq!(text_hash("var är mitt paket"), 5_362_039_656_215_500_453);
    }
}
