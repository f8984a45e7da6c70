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
    let words = terms(input);
    (!words.is_empty()).then(|| words.join(" "))
}

/// Each of the user's words as a quoted FTS5 prefix term.
fn terms(input: &str) -> Vec<String> {
    input
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{}\"*", w.to_lowercase()))
        .collect()
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
    let customer_hits = hits.len();

    // An email address or an order reference splits into three or more words, some common
    // ("se", "com") and costly to expand as prefixes, others (the name, the number) rare. When
    // the longest word matches no message, all of them together can't either, and the costly
    // query below is skipped; otherwise this adds one cheap-to-moderate lookup.
    let words = terms(input);
    if words.len() >= 3 {
        let longest = words
            .iter()
            .max_by_key(|w| w.chars().count())
            .expect("three words");
        let found: bool = conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM messages_fts WHERE messages_fts MATCH ?1)",
            )?
            .query_row([longest], |r| r.get(0))?;
        if !found {
            return Ok(hits);
        }
    }

    // Messages, newest first; one hit per conversation. One statement, stepped only as far as
    // needed: every evaluation of a MATCH with prefix terms merges the doclists of all the
    // words starting with them (tens of milliseconds for a common word in a million messages),
    // so a second query per hit would repeat that cost 50 times. snippet() runs only for the
    // rows stepped. Conversations are LEFT JOINed so that a message whose conversation is
    // missing still takes its place in the scan (and is then left out), as before.
    let mut newest = conn.prepare_cached(
        "SELECT m.id, m.conversation_id, c.id IS NOT NULL, coalesce(cu.name, ''),
                coalesce(cu.email, ''), coalesce(c.status, ''), m.created_at,
                snippet(messages_fts, 0, char(1), char(2), '…', 16)
           FROM messages_fts f
           JOIN messages m ON m.id = f.rowid
           LEFT JOIN conversations c ON c.id = m.conversation_id
           LEFT JOIN customers cu ON cu.id = c.customer_id
          WHERE messages_fts MATCH ?1 ORDER BY f.rowid DESC LIMIT ?2",
    )?;
    let scan = (limit * 8).max(64) as i64;
    let mut rows = newest.query(params![query, scan])?;
    let mut chosen = 0;
    while let Some(r) = rows.next()? {
        let conversation_id: i64 = r.get(1)?;
        if !seen.insert(conversation_id) {
            continue;
        }
        chosen += 1;
        if r.get::<_, bool>(2)? {
            let (snippet, highlights) = highlights(&r.get::<_, String>(7)?);
            hits.push(SearchHit {
                conversation_id,
                customer_name: r.get(3)?,
                customer_email: r.get(4)?,
                status: status(&r.get::<_, String>(5)?),
                message_id: Some(r.get(0)?),
                snippet,
                highlights,
                at: r.get(6)?,
            });
        }
        if customer_hits + chosen >= limit {
            break;
        }
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

    /// A mirror with one customer, two conversations and a message whose conversation is
    /// missing (the feed can deliver a message before its conversation).
    fn mirror() -> Connection {
        use inbox_protocol::*;
        let mut conn = Connection::open_in_memory().unwrap();
        crate::store::migrate(&mut conn).unwrap();
        let customer = Customer {
            id: 7,
            name: "Saga Holm".into(),
            email: "saga.holm@example.se".into(),
            phone: None,
            city: None,
            country: None,
            time_zone: None,
            kind: CustomerKind::New,
            customer_since: 1,
            total_spent: Money {
                minor: 0,
                currency: "SEK".into(),
            },
            email_marketing: false,
            sms_marketing: false,
            admin_url: String::new(),
        };
        let conversation = |id, last_message_at| Conversation {
            id,
            customer_id: 7,
            platform: Platform::OnlineStore,
            status: ConversationStatus::Open,
            assignee_id: None,
            contact_email: customer.email.clone(),
            customer_online: false,
            created_at: 1,
            updated_at: last_message_at,
            last_message_at,
            topics: Vec::new(),
        };
        let message = |id, conversation_id, text: &str| {
            Entity::Message(Message {
                id,
                conversation_id,
                author: Author::Customer { customer_id: 7 },
                body: MessageBody::Text { text: text.into() },
                delivery: None,
                created_at: 100 + id,
            })
        };
        let entities = [
            Entity::Customer(customer.clone()),
            Entity::Conversation(conversation(1, 101)),
            Entity::Conversation(conversation(2, 103)),
            message(1, 1, "Hej! Var är min beställning?"),
            message(2, 2, "Kan jag ändra min beställning?"),
            message(3, 2, "Tack, det gick bra."),
            message(4, 99, "Var är min beställning nu?"),
        ];
        let tx = conn.transaction().unwrap();
        crate::store::apply_all(&tx, &entities).unwrap();
        tx.commit().unwrap();
        conn
    }

    fn found(hits: &[SearchHit]) -> Vec<(i64, Option<i64>)> {
        hits.iter()
            .map(|h| (h.conversation_id, h.message_id))
            .collect()
    }

    #[test]
    fn conversations_come_by_their_newest_matching_message() {
        let conn = mirror();
        let hits = search(&conn, "beställ", 50).unwrap();
        // Message 4 is newest but its conversation is missing: left out.
        assert_eq!(found(&hits), vec![(2, Some(2)), (1, Some(1))]);
        assert_eq!(hits[0].snippet, "Kan jag ändra min beställning?");
        assert_eq!(hits[0].highlights, vec![(18, 29)]);
        assert_eq!(
            found(&search(&conn, "tack", 50).unwrap()),
            vec![(2, Some(3))]
        );
    }

    #[test]
    fn an_email_finds_the_customer_and_no_messages() {
        let conn = mirror();
        let hits = search(&conn, "saga.holm@example.se", 50).unwrap();
        assert_eq!(found(&hits), vec![(2, None), (1, None)]);
        assert_eq!(hits[0].snippet, "Saga Holm · saga.holm@example.se");
    }

    #[test]
    fn every_word_of_a_longer_query_must_match() {
        let conn = mirror();
        let hits = search(&conn, "var är min beställning", 50).unwrap();
        assert_eq!(found(&hits), vec![(1, Some(1))]);
        // The longest word matches messages, the others together don't.
        assert!(
            search(&conn, "kan tack beställning", 50)
                .unwrap()
                .is_empty()
        );
        // The longest word matches nothing.
        assert!(
            search(&conn, "var är min paraplyet", 50)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn highlight_markers_become_character_ranges() {
        let (text, ranges) = highlights("var är min \u{1}beställning\u{2}?");
        assert_eq!(text, "var är min beställning?");
        assert_eq!(ranges, vec![(11, 22)]);
    }
}
