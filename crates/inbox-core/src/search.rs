//! Full-text search over the mirror: message text, customer names and emails, in open and
//! closed conversations, offline.
//!
//! Every word the user typed must match, each as a prefix (search as you type). Letters are
//! folded for case but not for diacritics, so `köp` finds "köp" and not "kop": Swedish å, ä, ö
//! are letters of their own. Customer matches come first, then conversations by their newest
//! matching message (newest first is cheap at any size; ranking all hits is not).

use std::collections::HashSet;

use inbox_protocol::ConversationStatus;
use rusqlite::{Connection, params};

use crate::error::Result;
use crate::views::SearchHit;

/// Marks the start and end of a matched word inside FTS5 snippets.
const OPEN: char = '\u{1}';
const CLOSE: char = '\u{2}';

/// The user's words as an FTS5 query: each word quoted (so no FTS syntax leaks through) and
/// matched as a prefix. `None` when there is nothing to look for.
pub fn fts_query(input: &str) -> Option<String> {
    let words: Vec<String> = input
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{}\"*", w.to_lowercase()))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// Splits an FTS5 snippet with our markers into plain text and highlighted character ranges.
pub fn highlights(snippet: &str) -> (String, Vec<(u32, u32)>) {
    let mut text = String::with_capacity(snippet.len());
    let mut ranges = Vec::new();
    let mut start = None;
    let mut chars = 0u32;
    for ch in snippet.chars() {
        match ch {
            OPEN => start = Some(chars),
            CLOSE => {
                if let Some(s) = start.take() {
                    ranges.push((s, chars));
                }
            }
            _ => {
                text.push(ch);
                chars += 1;
            }
        }
    }
    (text, ranges)
}

fn status(text: &str) -> ConversationStatus {
    if text == "closed" {
        ConversationStatus::Closed
    } else {
        ConversationStatus::Open
    }
}

/// Conversations matching `input`, best first, at most `limit`.
pub fn search(conn: &Connection, input: &str, limit: usize) -> Result<Vec<SearchHit>> {
    let Some(query) = fts_query(input) else {
        return Ok(Vec::new());
    };
    let mut hits = Vec::new();
    let mut seen = HashSet::new();

    // Customers by name or email: their most recent conversation.
    let mut customers = conn.prepare_cached(
        "SELECT c.id, cu.name, cu.email, c.status, c.last_message_at,
                highlight(customers_fts, 0, char(1), char(2)) || ' · ' ||
                highlight(customers_fts, 1, char(1), char(2))
           FROM customers_fts f
           JOIN customers cu ON cu.id = f.rowid
           JOIN conversations c ON c.customer_id = cu.id
          WHERE customers_fts MATCH ?1
          ORDER BY c.last_message_at DESC
          LIMIT ?2",
    )?;
    let rows = customers.query_map(params![query, limit as i64], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, i64>(4)?,
            r.get::<_, String>(5)?,
        ))
    })?;
    for row in rows {
        let (conversation_id, name, email, state, at, marked) = row?;
        if seen.insert(conversation_id) {
            let (snippet, highlights) = highlights(&marked);
            hits.push(SearchHit {
                conversation_id,
                customer_name: name,
                customer_email: email,
                status: status(&state),
                message_id: None,
                snippet,
                highlights,
                at,
            });
        }
    }
    if hits.len() >= limit {
        hits.truncate(limit);
        return Ok(hits);
    }

    // Messages, newest first; one hit per conversation.
    let mut newest = conn.prepare_cached(
        "SELECT m.id, m.conversation_id FROM messages_fts f JOIN messages m ON m.id = f.rowid
          WHERE messages_fts MATCH ?1 ORDER BY f.rowid DESC LIMIT ?2",
    )?;
    let mut chosen = Vec::new();
    let scan = (limit * 8).max(64) as i64;
    let rows = newest.query_map(params![query, scan], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
    })?;
    for row in rows {
        let (message_id, conversation_id) = row?;
        if seen.insert(conversation_id) {
            chosen.push(message_id);
            if hits.len() + chosen.len() >= limit {
                break;
            }
        }
    }
    let mut detail = conn.prepare_cached(
        "SELECT m.conversation_id, coalesce(cu.name, ''), coalesce(cu.email, ''), c.status, m.created_at,
                snippet(messages_fts, 0, char(1), char(2), '…', 16)
           FROM messages_fts f
           JOIN messages m ON m.id = f.rowid
           JOIN conversations c ON c.id = m.conversation_id
           LEFT JOIN customers cu ON cu.id = c.customer_id
          WHERE messages_fts MATCH ?1 AND f.rowid = ?2",
    )?;
    for message_id in chosen {
        let row = detail.query_row(params![query, message_id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, String>(5)?,
            ))
        });
        let Ok((conversation_id, name, email, state, at, marked)) = row else {
            continue;
        };
        let (snippet, highlights) = highlights(&marked);
        hits.push(SearchHit {
            conversation_id,
            customer_name: name,
            customer_email: email,
            status: status(&state),
            message_id: Some(message_id),
            snippet,
            highlights,
            at,
        });
    }
    Ok(hits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_becomes_quoted_prefix_terms() {
        assert_eq!(fts_query("köp blå"), Some("\"köp\"* \"blå\"*".into()));
        assert_eq!(
            fts_query("astrid@example.se"),
            Some("\"astrid\"* \"example\"* \"se\"*".into())
        );
        // FTS syntax typed by the user is just words.
        assert_eq!(
            fts_query("NEAR(\"x\" OR y*)"),
            Some("\"near\"* \"x\"* \"or\"* \"y\"*".into())
        );
        assert_eq!(fts_query("  …  "), None);
    }

    #[test]
    fn highlight_markers_become_character_ranges() {
        let (text, ranges) = highlights("var är min \u{1}beställning\u{2}?");
        assert_eq!(text, "var är min beställning?");
        assert_eq!(ranges, vec![(11, 22)]);
    }
}
