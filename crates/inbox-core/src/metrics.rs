//! The metrics view: how the shop's chats went over a chosen period and the period before it,
//! counted from the mirror alone (offline), whole and split by staff member, topic and platform.
//! It reads through the store's seam (a reader `Connection`) and never writes.
//!
//! The definitions (the same words are in `docs/metrics.md` and in the view):
//!
//! - **Period.** A half-open span of Unix milliseconds, `[from, to)`. The caller chooses it: the
//!   app cuts days at midnight in the shop's time zone (which the mirror keeps from `/me`; this
//!   computer's before the first sync), and the previous period is the same number of days
//!   immediately before.
//! - **Conversations.** Conversations that *started* in the period (their `created_at` is in
//!   it), whatever happened later. A conversation belongs to exactly one period.
//! - **Replied conversations.** Those of them in which a staff member wrote after the first
//!   customer message. Only messages the shop has accepted count: a reply still waiting in the
//!   outbox does not. Every message in the mirror is written by the customer or by a staff
//!   member; the shop sends no automated messages, and cart and order events are not messages.
//! - **First response time.** For a replied conversation: from its first customer message to the
//!   first staff message at or after it, in wall-clock time (business hours are not modelled: a
//!   question at 23:00 answered at 08:00 took nine hours). The median and the 90th percentile
//!   are over the replied conversations, by nearest rank: sort the times, take the one at rank
//!   ⌈p·n⌉ (so the median of an even count is the lower middle one). None when nothing was
//!   replied.
//! - **Conversations with a sale.** Those whose customer placed an order within 7 days after the
//!   conversation started: `started ≤ order placed < started + 7 × 24 h`. An order counts once
//!   it is placed (paid, fulfilled, or later cancelled or refunded); an open, unpaid order does
//!   not. The order need not have been placed from the chat.
//! - **By staff member.** The staff member the conversation is assigned to now (the mirror keeps
//!   no history of assignments); unassigned conversations form a row of their own. The figures
//!   of a row are those of its conversations, whoever replied.
//! - **By topic.** The topic labels the conversation carries; a conversation with two labels
//!   counts in both rows, so the rows may add up to more than the total. Conversations without a
//!   label form a row of their own.
//! - **By platform.** The platform the customer wrote from.

use std::collections::BTreeMap;

use inbox_protocol::*;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The 7 days after a conversation starts in which an order counts as its sale.
pub const SALE_WINDOW_MS: Millis = 7 * 24 * 60 * 60 * 1000;

/// A half-open span of time, `[from, to)`, in Unix milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Period {
    pub from: Millis,
    pub to: Millis,
}

impl Period {
    pub fn contains(&self, at: Millis) -> bool {
        self.from <= at && at < self.to
    }
}

/// The period asked about and the one shown beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MetricsQuery {
    pub current: Period,
    pub previous: Period,
}

/// The four figures of a set of conversations.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Figures {
    pub conversations: u32,
    pub replied: u32,
    /// Median first response time in ms; none when nothing was replied.
    pub first_response_median_ms: Option<i64>,
    /// 90th percentile first response time in ms; none when nothing was replied.
    pub first_response_p90_ms: Option<i64>,
    pub with_sale: u32,
}

/// One row of a split: its figures in the period and in the one before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Compared {
    pub current: Figures,
    pub previous: Figures,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StaffRow {
    /// None: conversations assigned to nobody.
    pub staff_id: Option<i64>,
    /// The staff member's name as the mirror knows it (none for unassigned, or a staff member
    /// the mirror has not synced).
    pub name: Option<String>,
    pub figures: Compared,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TopicRow {
    /// None: conversations without a topic label.
    pub topic: Option<Topic>,
    pub figures: Compared,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PlatformRow {
    pub platform: Platform,
    pub figures: Compared,
}

/// Everything the metrics view shows. Split rows are ordered by conversations in the current
/// period, most first, then by the previous period's, then by key; a row appears when either
/// period has a conversation in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Metrics {
    pub query: MetricsQuery,
    pub total: Compared,
    pub by_staff: Vec<StaffRow>,
    pub by_topic: Vec<TopicRow>,
    pub by_platform: Vec<PlatformRow>,
}

/// What the figures need to know of one conversation that started in a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Started {
    pub id: i64,
    pub assignee_id: Option<i64>,
    pub platform: Platform,
    pub topics: Vec<Topic>,
    /// First customer message to first staff reply, if replied.
    pub first_response_ms: Option<i64>,
    pub sale: bool,
}

/// The figures of `current` and `previous`, whole and split.
pub fn metrics(conn: &Connection, query: MetricsQuery) -> Result<Metrics> {
    for period in [query.current, query.previous] {
        if period.from > period.to {
            return Err(Error::Input(format!(
                "a period must not end before it starts ({} > {})",
                period.from, period.to
            )));
        }
    }
    let current = started(conn, query.current)?;
    let previous = started(conn, query.previous)?;
    let names: BTreeMap<i64, String> = crate::store::staff(conn)?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    Ok(Metrics {
        query,
        total: Compared {
            current: figures(current.iter()),
            previous: figures(previous.iter()),
        },
        by_staff: split(&current, &previous, |c| vec![c.assignee_id])
            .into_iter()
            .map(|(staff_id, figures)| StaffRow {
                staff_id,
                name: staff_id.and_then(|id| names.get(&id).cloned()),
                figures,
            })
            .collect(),
        by_topic: split(&current, &previous, |c| {
            if c.topics.is_empty() {
                vec![None]
            } else {
                c.topics.iter().copied().map(Some).collect()
            }
        })
        .into_iter()
        .map(|(topic, figures)| TopicRow { topic, figures })
        .collect(),
        // Keyed by the platform's place in `Platform::ALL` (platforms have no order of their own).
        by_platform: split(&current, &previous, |c| {
            vec![Platform::ALL.iter().position(|p| *p == c.platform)]
        })
        .into_iter()
        .filter_map(|(place, figures)| {
            Some(PlatformRow {
                platform: Platform::ALL[place?],
                figures,
            })
        })
        .collect(),
    })
}

/// The conversations that started in `period`, with what the figures need of each.
///
/// Read through three indexes: conversations by start (`008_metrics.sql`), a conversation's
/// messages with their author kind, and a customer's orders by when they were placed (all three
/// shaped by that migration).
pub fn started(conn: &Connection, period: Period) -> Result<Vec<Started>> {
    /// The part of a stored conversation the figures need; serde skips the rest. Parsing the
    /// stored JSON here is about a third of what asking SQLite for each field costs.
    #[derive(Deserialize)]
    struct Stored {
        platform: Platform,
        topics: Vec<Label>,
    }
    #[derive(Deserialize)]
    struct Label {
        topic: Topic,
    }
    let mut stmt = conn.prepare_cached(
        "WITH started AS MATERIALIZED (
           SELECT c.id, c.customer_id, c.assignee_id, c.data,
                  json_extract(c.data, '$.created_at') AS started_at,
                  (SELECT MIN(m.created_at) FROM messages m
                   WHERE m.conversation_id = c.id AND m.from_customer = 1) AS asked_at
           FROM conversations c
           WHERE json_extract(c.data, '$.created_at') >= ?1
             AND json_extract(c.data, '$.created_at') < ?2
         )
         SELECT s.id, s.assignee_id, s.data,
                (SELECT MIN(m.created_at) FROM messages m
                 WHERE m.conversation_id = s.id AND m.from_customer = 0
                   AND m.created_at >= s.asked_at AND m.id > 0) - s.asked_at,
                EXISTS (SELECT 1 FROM orders o
                        WHERE o.customer_id = s.customer_id
                          AND json_extract(o.data, '$.created_at') >= s.started_at
                          AND json_extract(o.data, '$.created_at') < s.started_at + ?3
                          AND json_extract(o.data, '$.status') <> 'open')
         FROM started s",
    )?;
    let mut rows = stmt.query(rusqlite::params![period.from, period.to, SALE_WINDOW_MS])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let stored: Stored =
            serde_json::from_str(row.get_ref(2)?.as_str().map_err(rusqlite::Error::from)?)?;
        let mut topics: Vec<Topic> = stored.topics.into_iter().map(|l| l.topic).collect();
        topics.sort();
        topics.dedup();
        out.push(Started {
            id: row.get(0)?,
            assignee_id: row.get(1)?,
            platform: stored.platform,
            topics,
            first_response_ms: row.get(3)?,
            sale: row.get(4)?,
        });
    }
    Ok(out)
}

/// The four figures of some conversations.
pub fn figures<'a>(conversations: impl IntoIterator<Item = &'a Started>) -> Figures {
    let mut out = Figures::default();
    let mut times = Vec::new();
    for c in conversations {
        out.conversations += 1;
        out.with_sale += u32::from(c.sale);
        if let Some(t) = c.first_response_ms {
            out.replied += 1;
            times.push(t);
        }
    }
    times.sort_unstable();
    out.first_response_median_ms = nearest_rank(&times, 50);
    out.first_response_p90_ms = nearest_rank(&times, 90);
    out
}

/// The value at rank ⌈p·n/100⌉ of the sorted `values` (1-based), none for no values.
pub fn nearest_rank(sorted: &[i64], percent: usize) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (percent * sorted.len()).div_ceil(100).max(1);
    Some(sorted[rank - 1])
}

/// Groups both periods' conversations by `keys` (a conversation may have several) and orders
/// the rows as [`Metrics`] says.
fn split<K: Ord + Copy>(
    current: &[Started],
    previous: &[Started],
    keys: impl Fn(&Started) -> Vec<K>,
) -> Vec<(K, Compared)> {
    let mut groups: BTreeMap<K, (Vec<&Started>, Vec<&Started>)> = BTreeMap::new();
    for c in current {
        for k in keys(c) {
            groups.entry(k).or_default().0.push(c);
        }
    }
    for c in previous {
        for k in keys(c) {
            groups.entry(k).or_default().1.push(c);
        }
    }
    let mut rows: Vec<(K, Compared)> = groups
        .into_iter()
        .map(|(k, (now, before))| {
            (
                k,
                Compared {
                    current: figures(now),
                    previous: figures(before),
                },
            )
        })
        .collect();
    // Stable: equal counts keep the key order.
    rows.sort_by(|a, b| {
        (b.1.current.conversations, b.1.previous.conversations)
            .cmp(&(a.1.current.conversations, a.1.previous.conversations))
    });
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_takes_the_lower_middle_and_the_ninetieth() {
        assert_eq!(nearest_rank(&[], 50), None);
        assert_eq!(nearest_rank(&[7], 50), Some(7));
        assert_eq!(nearest_rank(&[7], 90), Some(7));
        assert_eq!(nearest_rank(&[1, 2], 50), Some(1));
        assert_eq!(nearest_rank(&[1, 2, 3], 50), Some(2));
        let ten: Vec<i64> = (1..=10).collect();
        assert_eq!(nearest_rank(&ten, 90), Some(9));
        let eleven: Vec<i64> = (1..=11).collect();
        assert_eq!(nearest_rank(&eleven, 90), Some(10));
    }
}
