//! The `topics classify` command: one JSON object per input line, `--threshold` moves the gate.

use std::io::Write;
use std::process::{Command, Stdio};

fn classify(input: &str, args: &[&str]) -> Vec<serde_json::Value> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_topics"))
        .arg("classify")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("topics starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("topics finishes");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect()
}

#[test]
fn prints_one_object_per_line_with_topic_and_confidence() {
    let lines = classify("hej\nDo you ship to Finland?\n", &[]);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["topic"], serde_json::Value::Null);
    assert!(lines[0]["confidence"].as_f64().unwrap() < 0.9);
    assert_eq!(lines[1]["topic"], "shipping");
    assert!(lines[1]["confidence"].as_f64().unwrap() >= 0.9);
    let keys: Vec<&String> = lines[1].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["confidence", "topic"]);
}

#[test]
fn a_threshold_above_one_applies_no_label() {
    let lines = classify("Do you ship to Finland?\n", &["--threshold", "1.01"]);
    assert_eq!(lines[0]["topic"], serde_json::Value::Null);
}
