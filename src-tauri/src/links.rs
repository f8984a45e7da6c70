//! `inbox://` links: what they may say, and the one route every way of opening the app at a
//! place goes through (a link from a browser or an email, a second launch with a link as its
//! argument, a notification click). Anything else in a link is refused, not guessed at.

use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager};
use tauri_specta::Event as _;

use crate::events::{OpenConversation, OpenSearch};
use crate::state::AppState;

/// The scheme registered with the OS for the app.
pub const SCHEME: &str = "inbox";

/// Longest search a link may carry (characters); a longer one is cut, not refused.
const MAX_QUERY: usize = 200;

/// Where a link asks the window to go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "to", rename_all = "snake_case")]
pub enum DeepLink {
    /// `inbox://conversation/{id}`
    Conversation { id: i64 },
    /// `inbox://search?q=…`
    Search { query: String },
}

impl DeepLink {
    /// Reads a link; the error says what is wrong with it.
    pub fn parse(link: &str) -> Result<DeepLink, String> {
        let link = link.trim();
        let rest = link
            .get(..SCHEME.len() + 3)
            .filter(|head| head.eq_ignore_ascii_case("inbox://"))
            .map(|_| &link[SCHEME.len() + 3..])
            .ok_or_else(|| format!("not an {SCHEME}:// link"))?;
        let (path, query) = match rest.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (rest, None),
        };
        let path = path.split('#').next().unwrap_or_default();
        let mut parts = path.trim_end_matches('/').split('/');
        match (parts.next(), parts.next(), parts.next()) {
            (Some("conversation" | "conversations"), Some(id), None) => {
                let id: i64 = id
                    .parse()
                    .ok()
                    .filter(|id| *id > 0)
                    .ok_or_else(|| format!("{id:?} is not a conversation number"))?;
                Ok(DeepLink::Conversation { id })
            }
            (Some("search"), None, None) => {
                let q = query
                    .unwrap_or_default()
                    .split('#')
                    .next()
                    .unwrap_or_default()
                    .split('&')
                    .find_map(|pair| pair.strip_prefix("q="))
                    .ok_or("a search link needs ?q=")?;
                let query = percent_decode(q)?;
                let query: String = query.trim().chars().take(MAX_QUERY).collect();
                Ok(DeepLink::Search { query })
            }
            _ => Err(format!("{link:?} is not a place in Inbox")),
        }
    }

    /// The links among a launch's arguments (the OS passes a link as one).
    pub fn in_args<'a>(
        args: impl IntoIterator<Item = &'a String>,
    ) -> Vec<Result<DeepLink, String>> {
        args.into_iter()
            .filter(|arg| {
                arg.get(..SCHEME.len() + 1)
                    .is_some_and(|head| head.eq_ignore_ascii_case("inbox:"))
            })
            .map(|arg| DeepLink::parse(arg))
            .collect()
    }
}

/// `%XX` escapes and `+` (a space in a query) undone; the text must be UTF-8.
fn percent_decode(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = text
                    .get(i + 1..i + 3)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or("a broken %-escape in the link")?;
                out.push(hex);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| "the link's text is not UTF-8".to_owned())
}

/// Shows the window at the place a link names. Before the window has asked for its first
/// screen, the place is kept and handed over with it (see `commands::startup`).
pub fn open(app: &AppHandle, link: DeepLink) {
    tracing::info!(?link, "opening a link");
    crate::tray::show_window(app);
    let state = app.state::<AppState>();
    if !state.window_ready() {
        state.set_pending_link(link);
        return;
    }
    let sent = match link {
        DeepLink::Conversation { id } => OpenConversation { id }.emit(app),
        DeepLink::Search { query } => OpenSearch { query }.emit(app),
    };
    if let Err(e) = sent {
        tracing::warn!("can't ask the window to open a link: {e}");
    }
}

/// A launch's arguments (this one's or a second launch's): shows the window, at the last link
/// among them if there is one.
pub fn open_args(app: &AppHandle, args: &[String]) {
    let mut last = None;
    for link in DeepLink::in_args(args) {
        match link {
            Ok(link) => last = Some(link),
            Err(e) => tracing::warn!("a link was refused: {e}"),
        }
    }
    match last {
        Some(link) => open(app, link),
        None => crate::tray::show_window(app),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversation_and_search_links_are_read() {
        assert_eq!(
            DeepLink::parse("inbox://conversation/42"),
            Ok(DeepLink::Conversation { id: 42 })
        );
        assert_eq!(
            DeepLink::parse("INBOX://conversation/42/"),
            Ok(DeepLink::Conversation { id: 42 })
        );
        assert_eq!(
            DeepLink::parse("inbox://search?q=best%C3%A4llning+12"),
            Ok(DeepLink::Search {
                query: "beställning 12".into()
            })
        );
        assert_eq!(
            DeepLink::parse("inbox://search?x=1&q=k%C3%B6p#top"),
            Ok(DeepLink::Search {
                query: "köp".into()
            })
        );
    }

    #[test]
    fn anything_else_is_refused_with_a_reason() {
        for bad in [
            "https://example.com/conversation/1",
            "inbox://conversation/abc",
            "inbox://conversation/-3",
            "inbox://conversation/0",
            "inbox://conversation/1/delete",
            "inbox://settings",
            "inbox://search",
            "inbox://search?q=%ZZ",
            "inbox://search?q=%FF",
            "inbox:",
            "",
        ] {
            assert!(DeepLink::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn a_long_search_is_cut_and_only_inbox_arguments_are_links() {
        let long = format!("inbox://search?q={}", "a".repeat(5000));
        let DeepLink::Search { query } = DeepLink::parse(&long).unwrap() else {
            panic!("not a search")
        };
        assert_eq!(query.chars().count(), MAX_QUERY);
        let args: Vec<String> = [
            "--data-dir",
            "/tmp/x",
            "inbox://conversation/7",
            "inbox:bad",
        ]
        .map(String::from)
        .to_vec();
        let links = DeepLink::in_args(&args);
        assert_eq!(links.len(), 2);
        assert_eq!(links[0], Ok(DeepLink::Conversation { id: 7 }));
        assert!(links[1].is_err());
    }
}
