//! Full-text search over the mirror: message text, customer names and emails, in open and
//! closed conversations, offline.
//!
//! Every word the user typed must match, each as a prefix (search as you type). Letters are
//! folded for case but not for diacritics, so `köp` finds "köp" and not "kop": Swedish å, ä, ö
//! are letters of their own. Customer matches come first, then conversations by their newest
//! matching message (newest first is cheap at any size; ranking all hits is not). The newest
//! messages have a small full-text index of their own (`003_recent_search.sql`), searched
//! first, so that a short prefix typed as you type stays cheap however big the mirror grows.

use std::collections::HashSet;

use inbox_protocol::ConversationStatus;
use rusqlite::{Connection, params};

use crate::error::Result;
use crate::store;
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

    // Customers by name or email, with their conversations, most recent first. The
    // conversations come from an index alone (a name shared by hundreds of customers has
    // thousands); names are highlighted only for the conversations shown.
    let mut customers = conn.prepare_cached(
        "WITH shown AS MATERIALIZED (
             SELECT c.id, c.customer_id, c.status, c.last_message_at
               FROM customers_fts f
               JOIN conversations c ON c.customer_id = f.rowid
              WHERE customers_fts MATCH ?1
              ORDER BY c.last_message_at DESC, c.id DESC
              LIMIT ?2)
         SELECT shown.id, cu.name, cu.email, shown.status, shown.last_message_at,
                highlight(customers_fts, 0, char(1), char(2)) || ' · ' ||
                highlight(customers_fts, 1, char(1), char(2))
           FROM customers_fts f
          CROSS JOIN shown ON shown.customer_id = f.rowid
           JOIN customers cu ON cu.id = f.rowid
          WHERE customers_fts MATCH ?1
          ORDER BY shown.last_message_at DESC, shown.id DESC",
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

    // Messages newest first: those in the recent-messages window from its small index (where
    // a common prefix costs well under a millisecond), then the older ones from the full index
    // (where it costs 10 ms and more), only if the window didn't hold enough. Both indexes
    // tokenize alike, so this is the same search over one index, in the same order.
    let window = store::recent_first_id(conn)?;

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
                "SELECT EXISTS (SELECT 1 FROM recent_messages_fts WHERE recent_messages_fts MATCH ?1)
                     OR EXISTS (SELECT 1 FROM messages_fts WHERE messages_fts MATCH ?1 AND rowid < ?2)",
            )?
            .query_row(params![longest, window], |r| r.get(0))?;
        if !found {
            return Ok(hits);
        }
    }

    // One hit per conversation. Each statement is stepped only as far as needed: every
    // evaluation of a MATCH with prefix terms merges the doclists of all the words starting
    // with them, so a second query per hit would repeat that cost 50 times. snippet() runs
    // only for the rows stepped. Conversations are LEFT JOINed so that a message whose
    // conversation is missing still takes its place in the scan (and is then left out).
    let mut recent = conn.prepare_cached(
        "SELECT m.id, m.conversation_id, c.id IS NOT NULL, coalesce(cu.name, ''),
                coalesce(cu.email, ''), coalesce(c.status, ''), m.created_at,
                snippet(recent_messages_fts, 0, char(1), char(2), '…', 16)
           FROM recent_messages_fts f
           JOIN messages m ON m.id = f.rowid
           LEFT JOIN conversations c ON c.id = m.conversation_id
           LEFT JOIN customers cu ON cu.id = c.customer_id
          WHERE recent_messages_fts MATCH ?1
          ORDER BY f.rowid DESC LIMIT ?2",
    )?;
    let mut older = conn.prepare_cached(
        "SELECT m.id, m.conversation_id, c.id IS NOT NULL, coalesce(cu.name, ''),
                coalesce(cu.email, ''), coalesce(c.status, ''), m.created_at,
                snippet(messages_fts, 0, char(1), char(2), '…', 16)
           FROM messages_fts f
           JOIN messages m ON m.id = f.rowid
           LEFT JOIN conversations c ON c.id = m.conversation_id
           LEFT JOIN customers cu ON cu.id = c.customer_id
          WHERE messages_fts MATCH ?1 AND f.rowid < ?3
          ORDER BY f.rowid DESC LIMIT ?2",
    )?;
    let mut scan = (limit * 8).max(64) as i64;
    let mut chosen = 0;
    for (statement, below_window) in [(&mut recent, false), (&mut older, true)] {
        if scan <= 0 {
            break;
        }
        let mut rows = if below_window {
            statement.query(params![query, scan, window])?
        } else {
            statement.query(params![query, scan])?
        };
        while let Some(r) = rows.next()? {
            scan -= 1;
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
                return Ok(hits);
            }
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
            email_verified: true,
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
            snoozed_until: None,
            woke_at: None,
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

    /// A mirror of many messages built through `apply_all`, with the recent-messages window
    /// refreshed after every batch at `window` messages (never with `None`).
    fn grown(window: Option<i64>) -> Connection {
        use inbox_protocol::*;
        let mut conn = Connection::open_in_memory().unwrap();
        crate::store::migrate(&mut conn).unwrap();
        let words = [
            "order",
            "ordning",
            "Orderbekräftelse",
            "beställning",
            "bästa",
            "leverans",
            "Leveranstid",
            "ändra",
            "Ändrad",
            "tack",
            "ullfilt",
            "oslo",
            "öre",
            "år",
        ];
        let text = |id: i64| {
            // Some words only in old messages, some only in new ones, most everywhere.
            let era = if id < 150 { "förr" } else { "nyss" };
            let a = words[(id * 7 % 14) as usize];
            let b = words[(id * 3 % 13) as usize];
            format!("{a} {era} m{id} {b}!")
        };
        let message = |id: i64, text: String| {
            Entity::Message(Message {
                id,
                conversation_id: 1 + id % 37,
                author: Author::Customer { customer_id: 7 },
                body: MessageBody::Text { text },
                delivery: None,
                created_at: id,
            })
        };
        let conversation = |id: i64| {
            Entity::Conversation(Conversation {
                id,
                customer_id: 7,
                platform: Platform::OnlineStore,
                status: ConversationStatus::Open,
                assignee_id: None,
                contact_email: "ordning@example.se".into(),
                customer_online: false,
                created_at: 1,
                updated_at: 1,
                last_message_at: id,
                topics: Vec::new(),
                snoozed_until: None,
                woke_at: None,
            })
        };
        let mut batches: Vec<Vec<Entity>> = vec![(1..=37).map(conversation).collect()];
        for start in (1..=300).step_by(60) {
            batches.push(
                (start..start + 60)
                    .map(|id| message(id, text(id)))
                    .collect(),
            );
        }
        // New text for messages below and inside the window, and one moved conversation.
        batches.push(vec![
            message(20, "ändrad leverans i oslo".into()),
            message(295, "nu helt annan text".into()),
            message(280, text(280)),
        ]);
        batches.push((301..=340).map(|id| message(id, text(id))).collect());
        for batch in batches {
            let tx = conn.transaction().unwrap();
            crate::store::apply_all(&tx, &batch).unwrap();
            if let Some(size) = window {
                crate::store::refresh_recent_window(&tx, size).unwrap();
            }
            tx.commit().unwrap();
        }
        conn
    }

    #[test]
    fn the_recent_window_finds_what_the_full_index_alone_finds() {
        let plain = grown(None);
        assert_eq!(crate::store::recent_first_id(&plain).unwrap(), i64::MAX);
        let queries = [
            "o",
            "or",
            "ord",
            "order",
            "ORDN",
            "b",
            "bä",
            "be",
            "lev",
            "ä",
            "ändr",
            "år",
            "öre",
            "förr",
            "nyss",
            "förr order",
            "nyss lev o",
            "m2",
            "m29",
            "m330",
            "annan",
            "oslo",
            "ändrad leverans",
            "ordning example",
            "saga",
        ];
        for window in [1, 20, 45, 130, 1_000] {
            let windowed = grown(Some(window));
            let first = crate::store::recent_first_id(&windowed).unwrap();
            assert!(first > 0 && first <= 340, "window of {window}: {first}");
            let held: i64 = windowed
                .query_row(
                    "SELECT count(*) FROM recent_messages_fts WHERE recent_messages_fts MATCH 'm*'",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            // Every message from `first` on, except the two whose new text has no "m…".
            let expected = (first..=340).filter(|id| ![20, 295].contains(id)).count();
            assert_eq!(held as usize, expected, "window of {window} from {first}");
            // Sound in itself (it holds only part of its content table, so it is not
            // checked against all of it).
            windowed
                .execute(
                    "INSERT INTO recent_messages_fts (recent_messages_fts) VALUES ('integrity-check')",
                    [],
                )
                .unwrap();
            for query in queries {
                for limit in [3, 12, 50] {
                    assert_eq!(
                        search(&windowed, query, limit).unwrap(),
                        search(&plain, query, limit).unwrap(),
                        "{query:?}, limit {limit}, window of {window} from {first}"
                    );
                }
            }
        }
        assert!(!search(&plain, "förr order", 50).unwrap().is_empty());
        assert_eq!(
            found(&search(&plain, "annan", 50).unwrap()),
            [(37, Some(295))]
        );
    }

    #[test]
    fn highlight_markers_become_character_ranges() {
        let (text, ranges) = highlights("var är min \u{1}beställning\u{2}?");
        assert_eq!(text, "var är min beställning?");
        assert_eq!(ranges, vec![(11, 22)]);
    }
}
