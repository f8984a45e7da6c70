//! Data-writing aid, not part of the product: lists the messages of one file that are
//! near-copies (`data::NEAR_COPY`) of messages in the rest of `data/topics/`, so new phrasing
//! families can be reworded before they join older ones.
//!
//! `cargo run -p inbox-topics --release --example near_copies -- data/topics/en.round3.tsv`

use inbox_topics::DATA_DIR;
use inbox_topics::data::{self, NEAR_COPY, jaccard, trigrams};

fn main() {
    let path = std::env::args().nth(1).expect("name a data file");
    let new = data::load_file(path.as_ref()).expect("the file loads");
    let all = data::load_dir(DATA_DIR.as_ref()).expect("the committed data loads");
    let new_texts: std::collections::BTreeSet<&str> = new.iter().map(|e| e.text.as_str()).collect();
    let old: Vec<_> = all
        .iter()
        .filter(|e| !new_texts.contains(e.text.as_str()))
        .map(|e| (e, trigrams(&e.text)))
        .collect();
    for n in &new {
        let grams = trigrams(&n.text);
        for (o, og) in &old {
            let j = jaccard(&grams, og);
            if j >= NEAR_COPY {
                println!("{j:.2}\t{}\t{}", n.text, o.text);
            }
        }
    }
}
