//! Data-writing aid, not part of the product: lists the messages of one file that are
//! near-copies (`data::NEAR_COPY`) of messages in the rest of `data/topics/`, so new phrasing
//! families can be reworded before they join older ones. The other files are read one by
//! one, so a word-for-word repeat (which loading the folder would drop) shows as 1.00.
//!
//! `cargo run -p inbox-topics --release --example near_copies -- data/topics/en.round3.tsv`

use inbox_topics::DATA_DIR;
use inbox_topics::data::{self, NEAR_COPY, jaccard, trigrams};

fn main() {
    let path = std::env::args().nth(1).expect("name a data file");
    let new = data::load_file(path.as_ref()).expect("the file loads");
    let new_path = std::fs::canonicalize(&path).expect("the file exists");
    let mut files: Vec<_> = std::fs::read_dir(DATA_DIR)
        .expect("the data folder exists")
        .map(|entry| entry.expect("a folder entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "tsv"))
        .filter(|p| std::fs::canonicalize(p).ok().as_ref() != Some(&new_path))
        .collect();
    files.sort();
    let all: Vec<_> = files
        .iter()
        .flat_map(|p| data::load_file(p).expect("a data file loads"))
        .collect();
    let old: Vec<_> = all.iter().map(|e| (e, trigrams(&e.text))).collect();
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
