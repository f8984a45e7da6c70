//! Benchmark: offline search over a big mirror.
//!
//! Builds a mirror of `MESSAGES` (default 1,000,000) messages in 100,000 conversations of about
//! 10,000 customers, English and Swedish chat text from word lists, through the real store
//! (`store::apply_all` in large transactions, as sync applies pages, so the full-text triggers
//! run as in production). Then runs a fixed set of queries a user would type (a common word, a
//! rare word, two words, a prefix as typed, a Swedish word with ä, a customer's email, a name)
//! through `search::search(conn, q, 50)` on a reader configured like the app's.
//!
//! The baseline, in the same run and on the same file: the same search without a full-text
//! index, with the same results (checked): customers whose name or email has words starting
//! with the typed ones, then messages newest first (stopping, like the real search, once 50
//! conversations are found or 400 matches scanned), rows found by a `LIKE '%word%'` scan and
//! checked with the search's matching rule (a bare `LIKE` matches inside words and folds case
//! for ASCII only).
//!
//! `cargo bench -p inbox-core --bench search` (quicker: `MESSAGES=100000 cargo bench ...`;
//! `REPS` and `LIKE_REPS` set the runs per query; `MIRROR_DIR=/some/dir` keeps the mirror there
//! and reuses it next time). Progress goes to stderr; the figures are one JSON line on stdout.

mod common;

use std::collections::{BTreeMap, HashSet};
use std::hint::black_box;
use std::time::Instant;

use anyhow::{Context, Result, ensure};
use common::ShopPlan;
use inbox_core::search;
use inbox_core::store::{self, Store};
use inbox_protocol::*;
use rusqlite::{Connection, params_from_iter};
use serde_json::json;

/// Entities per write transaction while building the mirror.
const CHUNK: usize = 50_000;
const LIMIT: usize = 50;

fn customer(c: &common::CustomerPlan) -> Customer {
    Customer {
        id: c.id,
        name: c.name.clone(),
        email: c.email.clone(),
        email_verified: true,
        phone: None,
        city: Some(c.city.to_owned()),
        country: Some(c.country.to_owned()),
        time_zone: Some("Europe/Stockholm".into()),
        kind: if c.id % 3 == 0 {
            CustomerKind::Returning
        } else {
            CustomerKind::New
        },
        customer_since: c.since,
        total_spent: Money {
            minor: (c.id % 7) * 34_900,
            currency: "SEK".into(),
        },
        email_marketing: c.id % 2 == 0,
        sms_marketing: false,
        admin_url: format!("https://admin.example/customers/{}", c.id),
    }
}

fn conversation(shop: &ShopPlan, c: &common::ConversationPlan) -> Conversation {
    Conversation {
        id: c.id,
        customer_id: shop.customers[c.customer].id,
        platform: Platform::from_key(common::PLATFORMS[c.platform]).expect("a platform"),
        status: if c.open {
            ConversationStatus::Open
        } else {
            ConversationStatus::Closed
        },
        assignee_id: c.assigned.then_some(1),
        contact_email: shop.customers[c.customer].email.clone(),
        customer_online: false,
        created_at: c.created_at,
        updated_at: c.last_message_at,
        last_message_at: c.last_message_at,
        topics: Vec::new(),
        snoozed_until: None,
        woke_at: None,
    }
}

fn message(shop: &ShopPlan, m: &common::MessagePlan) -> Message {
    let c = &shop.conversations[m.conversation];
    let platform = Platform::from_key(common::PLATFORMS[c.platform]).expect("a platform");
    Message {
        id: m.id,
        conversation_id: c.id,
        author: if m.from_customer {
            Author::Customer {
                customer_id: shop.customers[c.customer].id,
            }
        } else {
            Author::Staff { staff_id: 1 }
        },
        body: MessageBody::Text {
            text: m.text.clone(),
        },
        delivery: (!m.from_customer).then_some(Delivery::Platform { platform }),
        created_at: m.created_at,
    }
}

/// Writes the whole shop into the mirror the way sync does: `store::apply_all`, big
/// transactions (then, like sync once caught up, `store::refresh_recent`).
async fn build(store: &Store, shop: &ShopPlan) -> Result<()> {
    let staff = Entity::Staff(Staff {
        id: 1,
        name: "Bench Staff".into(),
        email: "bench@nordlys.example".into(),
        permissions: vec![Permission::OnlineStoreChat, Permission::Customers],
    });
    let mut entities = vec![staff];
    entities.extend(shop.customers.iter().map(|c| Entity::Customer(customer(c))));
    entities.extend(
        shop.conversations
            .iter()
            .map(|c| Entity::Conversation(conversation(shop, c))),
    );
    let mut written = 0;
    let mut pending = entities;
    let mut messages = shop.messages.iter();
    loop {
        while pending.len() < CHUNK {
            match messages.next() {
                Some(m) => pending.push(Entity::Message(message(shop, m))),
                None => break,
            }
        }
        if pending.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::take(&mut pending);
        written += chunk.len();
        store
            .write(move |tx| {
                store::apply_all(tx, &chunk)?;
                Ok(())
            })
            .await?;
        if written % 250_000 < CHUNK {
            eprintln!("  {written} entities written");
        }
    }
}

/// The user's words as the search takes them: split at anything not a letter or digit,
/// lower-cased.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.chars().flat_map(char::to_lowercase).collect())
        .collect()
}

/// The search's matching rule, checked on the text itself: every query word starts a word of
/// the text, letters compared case-folded (å and Å alike, å and a not), as the full-text
/// index's tokenizer (`unicode61 remove_diacritics 0`) compares them.
fn matches(query: &[String], texts: &[&str]) -> bool {
    let words: Vec<String> = texts.iter().flat_map(|t| words(t)).collect();
    query
        .iter()
        .all(|q| words.iter().any(|w| w.starts_with(q.as_str())))
}

/// A `LIKE` pattern every text holding a word that starts with `word` matches: the word's
/// longest run of ASCII characters (LIKE folds case for ASCII only), `%` if it has none.
fn like_pattern(word: &str) -> String {
    let longest = word
        .split(|c: char| !c.is_ascii())
        .max_by_key(|run| run.len())
        .unwrap_or_default();
    format!("%{longest}%")
}

/// The baseline: the same search without the full-text index, as one would write it on the
/// same file, with the same results. Customers first (their conversations newest first), then
/// conversations by their newest matching message, with the same scan cap. Rows are found by
/// a `LIKE '%…%'` scan per word, which lets through every row that can match, and then
/// checked with the search's own rule ([`matches`]): a bare `LIKE` would also take "reorder"
/// for "order" and miss "Åkesson" for "åkesson".
fn like_search(conn: &Connection, input: &str, limit: usize) -> Result<usize> {
    let query = words(input);
    if query.is_empty() {
        return Ok(0);
    }
    let patterns: Vec<String> = query.iter().map(|w| like_pattern(w)).collect();
    let each = |column: &str| {
        (1..=patterns.len())
            .map(|i| format!("{column} LIKE ?{i}"))
            .collect::<Vec<_>>()
            .join(" AND ")
    };
    let mut seen = HashSet::new();
    let mut hits = 0;
    // Matching customers first (a scan of 10,000 rows), then their conversations by index.
    let mut customers = conn.prepare_cached(&format!(
        "SELECT id, name, email FROM customers WHERE {}",
        each("(name || ' ' || email)")
    ))?;
    let mut found = Vec::new();
    let mut rows = customers.query(params_from_iter(&patterns))?;
    while let Some(r) = rows.next()? {
        let (name, email): (String, String) = (r.get(1)?, r.get(2)?);
        if matches(&query, &[&name, &email]) {
            found.push(r.get::<_, i64>(0)?);
        }
    }
    drop(rows);
    if !found.is_empty() {
        let ids = found
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let mut conversations = conn.prepare(&format!(
            "SELECT c.id, cu.name, cu.email, c.status, c.last_message_at
               FROM conversations c JOIN customers cu ON cu.id = c.customer_id
              WHERE c.customer_id IN ({ids})
              ORDER BY c.last_message_at DESC, c.id DESC LIMIT {limit}"
        ))?;
        let mut rows = conversations.query([])?;
        while let Some(r) = rows.next()? {
            if seen.insert(r.get::<_, i64>(0)?) {
                black_box((r.get_ref(1)?, r.get_ref(2)?, r.get_ref(3)?, r.get_ref(4)?));
                hits += 1;
            }
        }
    }
    if hits >= limit {
        return Ok(limit);
    }
    let mut scan = (limit * 8).max(64);
    let mut newest = conn.prepare_cached(&format!(
        "SELECT m.id, m.conversation_id, m.text FROM messages m WHERE {} ORDER BY m.id DESC",
        each("m.text")
    ))?;
    let mut chosen = Vec::new();
    let mut rows = newest.query(params_from_iter(&patterns))?;
    while let Some(r) = rows.next()? {
        let text = r.get_ref(2)?.as_str()?;
        if !matches(&query, &[text]) {
            continue;
        }
        scan -= 1;
        if seen.insert(r.get::<_, i64>(1)?) {
            chosen.push(r.get::<_, i64>(0)?);
            if hits + chosen.len() >= limit {
                break;
            }
        }
        if scan == 0 {
            break;
        }
    }
    drop(rows);
    let mut detail = conn.prepare_cached(
        "SELECT m.conversation_id, coalesce(cu.name, ''), coalesce(cu.email, ''), c.status,
                m.created_at, m.text
           FROM messages m
           JOIN conversations c ON c.id = m.conversation_id
           LEFT JOIN customers cu ON cu.id = c.customer_id
          WHERE m.id = ?1",
    )?;
    for id in chosen {
        let mut rows = detail.query([id])?;
        if let Some(r) = rows.next()? {
            black_box((r.get_ref(1)?, r.get_ref(5)?));
            hits += 1;
        }
    }
    Ok(hits)
}

#[derive(Debug, Clone)]
struct Query {
    kind: &'static str,
    text: String,
}

fn queries(shop: &ShopPlan) -> Vec<Query> {
    let order = |c: usize| (10_000 + (c as i64 * 7919) % 90_000).to_string();
    let n = shop.conversations.len();
    let email = |fraction: f64| {
        let i = ((shop.customers.len() - 1) as f64 * fraction) as usize;
        shop.customers[i].email.clone()
    };
    // Names as typed: a whole name, a last name with å/ä/ö in lower case, a first name.
    let last_name = |c: &&common::CustomerPlan| {
        c.name
            .rsplit(' ')
            .next()
            .is_some_and(|last| last.contains(['å', 'ä', 'ö', 'Å', 'Ä', 'Ö']))
    };
    let whole = shop.customers[shop.customers.len() * 3 / 10].name.clone();
    let swedish_last = shop.customers[shop.customers.len() * 6 / 10..]
        .iter()
        .find(last_name)
        .and_then(|c| c.name.rsplit(' ').next())
        .unwrap_or("sjöberg")
        .to_lowercase();
    let q = |kind, text: &str| Query {
        kind,
        text: text.to_owned(),
    };
    vec![
        q("common_word", "order"),
        q("common_word", "tack"),
        q("common_word", "delivery"),
        q("rare_word", "zeppelin"),
        q("rare_word", "lissabon"),
        q("rare_word", &order(n / 3)),
        q("two_words", "wool blanket"),
        q("two_words", "return policy"),
        q("two_words", "byta storlek"),
        q("prefix", "best"),
        q("prefix", "retu"),
        q("prefix", "lev"),
        q("swedish_a_umlaut", "ändra"),
        q("swedish_a_umlaut", "lägenhet"),
        q("swedish_a_umlaut", "läderväska"),
        q("customer_email", &email(0.1)),
        q("customer_email", &email(0.5)),
        q("customer_email", &email(0.97)),
        q("name", &whole),
        q("name", &swedish_last),
        q("name", "göran"),
    ]
}

#[derive(Default)]
struct Samples(Vec<f64>);

impl Samples {
    fn summary(&self) -> serde_json::Value {
        let mut v = self.0.clone();
        v.sort_by(f64::total_cmp);
        json!({
            "runs": v.len(),
            "p50_ms": common::round(common::percentile(&v, 0.5), 3),
            "p95_ms": common::round(common::percentile(&v, 0.95), 3),
            "max_ms": common::round(v.last().copied().unwrap_or(f64::NAN), 3),
        })
    }

    fn p(&self, q: f64) -> f64 {
        let mut v = self.0.clone();
        v.sort_by(f64::total_cmp);
        common::percentile(&v, q)
    }
}

fn time_ms(f: &mut dyn FnMut() -> Result<usize>) -> Result<(f64, usize)> {
    let started = Instant::now();
    let hits = f()?;
    Ok((started.elapsed().as_secs_f64() * 1e3, hits))
}

fn main() -> Result<()> {
    let messages = common::env_count("MESSAGES", 1_000_000)?;
    let reps = common::env_count("REPS", 200)?;
    let like_reps = common::env_count("LIKE_REPS", 3)?;
    // `MIRROR_DIR` keeps the built mirror there and reuses it on the next run (same MESSAGES).
    let temp = tempfile::tempdir()?;
    let dir = match std::env::var_os("MIRROR_DIR") {
        Some(dir) => std::path::PathBuf::from(dir),
        None => temp.path().to_owned(),
    };
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("mirror-{messages}.db"));
    let reuse = path.exists();
    eprintln!(
        "search benchmark ({} build): planning {messages} messages",
        common::profile()
    );
    let shop = common::plan(messages, common::now_ms());
    eprintln!(
        "building a mirror of {} customers, {} conversations, {} messages in {}",
        shop.customers.len(),
        shop.conversations.len(),
        shop.messages.len(),
        path.display()
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .build()?;
    let started = Instant::now();
    runtime.block_on(async {
        // Opening migrates a mirror kept from an older build.
        let store = Store::open(&path)?;
        if !reuse {
            build(&store, &shop).await?;
        }
        // As sync does once caught up: the newest messages get their own small index.
        store.write(store::refresh_recent).await?;
        anyhow::Ok(())
    })?;
    let build_seconds = started.elapsed().as_secs_f64();
    let db_bytes = std::fs::metadata(&path)?.len();
    if reuse {
        eprintln!("  reusing the mirror built earlier");
    } else {
        eprintln!(
            "  built in {build_seconds:.1} s ({:.0} messages/s through store::apply_all with FTS), {:.0} MB",
            messages as f64 / build_seconds,
            db_bytes as f64 / 1e6
        );
    }

    // A reader exactly like the ones the app searches on.
    let conn = store::open_reader(&path)?;
    let stored: i64 = conn.query_row("SELECT count(*) FROM messages", [], |r| r.get(0))?;
    ensure!(
        stored as usize == messages,
        "the mirror holds {stored} messages"
    );
    let queries = queries(&shop);

    // How many messages each query's words match, to show what kind of query it is.
    let mut matches = BTreeMap::new();
    for q in &queries {
        let fts = search::fts_query(&q.text).context("a query with words")?;
        let count: i64 = conn.query_row(
            "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH ?1",
            [&fts],
            |r| r.get(0),
        )?;
        let customers: i64 = conn.query_row(
            "SELECT count(*) FROM customers_fts WHERE customers_fts MATCH ?1",
            [&fts],
            |r| r.get(0),
        )?;
        matches.insert(q.text.clone(), (count, customers));
    }

    eprintln!(
        "search: {} queries x {reps} runs through search::search(conn, q, {LIMIT})",
        queries.len()
    );
    let mut fts_by_kind: BTreeMap<&str, Samples> = BTreeMap::new();
    let mut fts_all = Samples::default();
    let mut per_query = Vec::new();
    for q in &queries {
        let mut samples = Samples::default();
        let mut hits = 0;
        for rep in 0..reps + 3 {
            let (ms, n) =
                time_ms(&mut || Ok(black_box(search::search(&conn, &q.text, LIMIT)?).len()))?;
            hits = n;
            // The first runs warm the statement cache and the pages this query touches.
            if rep >= 3 {
                samples.0.push(ms);
            }
        }
        ensure!(hits > 0, "{:?} found nothing", q.text);
        let (p50, p95) = (samples.p(0.5), samples.p(0.95));
        let (count, customers) = matches[&q.text];
        eprintln!(
            "  {:<17} {:<36} {count:>7} msgs {customers:>5} customers  {hits:>2} hits  p50 {p50:>7.3} ms  p95 {p95:>7.3} ms",
            q.kind, q.text
        );
        fts_by_kind.entry(q.kind).or_default().0.extend(&samples.0);
        fts_all.0.extend(&samples.0);
        per_query.push((q.clone(), samples, hits));
    }

    eprintln!(
        "baseline: the same search as LIKE '%word%' scans checked with its rule, {like_reps} runs each"
    );
    let mut like_by_kind: BTreeMap<&str, Samples> = BTreeMap::new();
    let mut like_all = Samples::default();
    let mut query_json = Vec::new();
    for (q, fts, hits) in &per_query {
        let mut samples = Samples::default();
        let mut like_hits = 0;
        for _ in 0..like_reps {
            let (ms, n) = time_ms(&mut || like_search(&conn, &q.text, LIMIT))?;
            like_hits = n;
            samples.0.push(ms);
        }
        // Equal weight per query in the overall figures, whatever the repetitions.
        let weight = reps / like_reps.min(reps);
        for _ in 0..weight {
            like_all.0.extend(&samples.0);
        }
        like_by_kind.entry(q.kind).or_default().0.extend(&samples.0);
        // Same rule, same file: the scan must find what the index finds.
        ensure!(
            like_hits == *hits,
            "{:?}: the scan found {like_hits} hits, the search {hits}",
            q.text
        );
        let ratio = samples.p(0.5) / fts.p(0.5);
        eprintln!(
            "  {:<17} {:<36} {like_hits:>2} hits  p50 {:>9.3} ms  {ratio:>8.0}x slower than FTS",
            q.kind,
            q.text,
            samples.p(0.5)
        );
        let (count, customers) = matches[&q.text];
        query_json.push(json!({
            "kind": q.kind,
            "query": q.text,
            "matching_messages": count,
            "matching_customers": customers,
            "hits": hits,
            "like_hits": like_hits,
            "fts": fts.summary(),
            "like": samples.summary(),
            "ratio_p50": common::round(ratio, 1),
        }));
    }

    let mut kinds = serde_json::Map::new();
    for (kind, fts) in &fts_by_kind {
        let like = &like_by_kind[kind];
        let ratio = like.p(0.5) / fts.p(0.5);
        eprintln!(
            "  {kind:<17} FTS p50 {:>7.3} ms p95 {:>7.3} ms max {:>7.3} ms | LIKE p50 {:>9.3} ms | {ratio:>7.0}x",
            fts.p(0.5),
            fts.p(0.95),
            fts.p(1.0),
            like.p(0.5)
        );
        kinds.insert(
            kind.to_string(),
            json!({ "fts": fts.summary(), "like": like.summary(), "ratio_p50": common::round(ratio, 1) }),
        );
    }
    let p95 = fts_all.p(0.95);
    let ratio_p50 = like_all.p(0.5) / fts_all.p(0.5);
    // The slow end of each: what typing feels like at its worst.
    let ratio_p95 = like_all.p(0.95) / p95;
    let ratio_mean = like_all.0.iter().sum::<f64>()
        / like_all.0.len() as f64
        / (fts_all.0.iter().sum::<f64>() / fts_all.0.len() as f64);
    eprintln!(
        "overall: FTS p50 {:.3} ms, p95 {p95:.3} ms (aim <= 5 ms); LIKE p50 {:.1} ms; ratio of \
         medians {ratio_p50:.0}x, of p95s {ratio_p95:.0}x, of means {ratio_mean:.0}x (aim >= 100x). 2-core machine, others \
         compiling: figures may be pessimistic",
        fts_all.p(0.5),
        like_all.p(0.5)
    );
    println!(
        "{}",
        json!({
            "bench": "search",
            "profile": common::profile(),
            "messages": messages,
            "conversations": shop.conversations.len(),
            "customers": shop.customers.len(),
            "limit": LIMIT,
            "reps": reps,
            "like_reps": like_reps,
            "build_seconds": (!reuse).then(|| common::round(build_seconds, 1)),
            "build_msgs_per_s": (!reuse).then(|| (messages as f64 / build_seconds).round()),
            "db_megabytes": common::round(db_bytes as f64 / 1e6, 0),
            "fts": fts_all.summary(),
            "like": like_all.summary(),
            "ratio_p50": common::round(ratio_p50, 1),
            "ratio_p95": common::round(ratio_p95, 1),
            "ratio_mean": common::round(ratio_mean, 1),
            "aims": { "p95_ms": 5.0, "ratio": 100.0 },
            "meets_aims": p95 <= 5.0 && ratio_p50 >= 100.0,
            "kinds": kinds,
            "queries": query_json,
        })
    );
    Ok(())
}
