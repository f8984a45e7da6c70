//! `notify-recorder`: the recording notification server for tests in another process or
//! language (the desktop app's end-to-end test, say).
//!
//! It starts a private session bus with the recorder on it and speaks JSON lines:
//!
//! - stdout, first line: `{"address":"unix:path=/tmp/dbus-…,guid=…"}`, the value for
//!   `DBUS_SESSION_BUS_ADDRESS` of the process under test;
//! - stdout, then one line per `Notify` call: `{"notify":{"id":1,"app_name":"Inbox",
//!   "summary":…,"body":…,"actions":["default","Open"],"hints":{…},"sender":…,…}}`;
//! - stdin, one command a line: `invoke ID [ACTION]` (a click; ACTION defaults to `default`),
//!   `close ID [REASON]` (REASON defaults to 2, dismissed), `quit`. Each is answered with
//!   `{"ok":"COMMAND"}` or `{"error":"…"}`.
//!
//! It stops, taking the bus with it, on `quit`, at the end of stdin, or on SIGTERM/Ctrl-C.

use std::time::Duration;

use anyhow::{Result, anyhow};
use notify_recorder::Recorder;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let recorder = Recorder::start().await?;
    println!("{}", json!({ "address": recorder.address() }));
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let mut printed = 0;
    loop {
        let line = tokio::select! {
            _ = tokio::signal::ctrl_c() => break,
            calls = recorder.wait_until(Duration::from_secs(3600), |calls| calls.len() > printed) => {
                for call in &calls?[printed..] {
                    println!("{}", json!({ "notify": call }));
                    printed += 1;
                }
                continue;
            }
            line = lines.next_line() => match line? {
                Some(line) => line,
                None => break,
            },
        };
        let words: Vec<&str> = line.split_whitespace().collect();
        let done = match words.as_slice() {
            [] => continue,
            ["quit"] => break,
            ["invoke", id, rest @ ..] => match id.parse() {
                Ok(id) => {
                    recorder
                        .invoke(id, rest.first().copied().unwrap_or("default"))
                        .await
                }
                Err(_) => Err(anyhow!("not a notification id: {id}")),
            },
            ["close", id, rest @ ..] => match (id.parse(), rest.first().unwrap_or(&"2").parse()) {
                (Ok(id), Ok(reason)) => recorder.close(id, reason).await,
                _ => Err(anyhow!("usage: close ID [REASON]")),
            },
            _ => Err(anyhow!(
                "unknown command; use invoke ID [ACTION], close ID [REASON] or quit"
            )),
        };
        match done {
            Ok(()) => println!("{}", json!({ "ok": words[0] })),
            Err(e) => println!("{}", json!({ "error": format!("{e:#}") })),
        }
    }
    Ok(())
}
