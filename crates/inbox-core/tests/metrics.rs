//! The metrics view over a generated shop equals a plain recount.
//!
//! A seeded random shop (staff, customers, conversations on every platform with topic labels,
//! customer and staff messages, replies still in the outbox, orders in every status) is written
//! into a real mirror file through the store's write path (`store::apply_all`, as sync applies
//! a page). Each figure is then counted again here, the obvious way, from the generated
//! entities themselves, for several periods: wide ones, empty ones, a zero-length one, and ones
//! whose edges fall exactly on a conversation's start and on the 7-day sale window's edge.

use std::collections::BTreeMap;

use inbox_core::metrics::{self, Compared, Figures, Metrics, MetricsQuery, Period};
use inbox_core::store::{self, Store};
use inbox_protocol::*;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

const DAY: i64 = 86_400_000;
const NOW: i64 = 1_780_000_000_000;
const STAFF: [i64; 4] = [1, 2, 3, 4];

struct Shop {
    conversations: Vec<Conversation>,
    messages: Vec<Message>,
    orders: Vec<Order>,
    staff: Vec<Staff>,
    customers: Vec<Customer>,
}

fn customer(id: i64) -> Customer {
    Customer {
        id,
        name: format!("Customer {id}"),
        email: format!("c{id}@example.se"),
        email_verified: true,
        phone: None,
        city: None,
        country: None,
        time_zone: None,
        kind: CustomerKind::Returning,
        customer_since: NOW - 400 * DAY,
        total_spent: Money {
            minor: 0,
            currency: "SEK".into(),
        },
        email_marketing: false,
        sms_marketing: false,
        admin_url: String::new(),
    }
}

fn generate(seed: u64) -> Shop {
    let mut rng = StdRng::seed_from_u64(seed);
    let staff: Vec<Staff> = STAFF
        .iter()
        .map(|&id| Staff {
            id,
            name: format!("Staff {id}"),
            email: format!("s{id}@shop.example"),
            permissions: vec![Permission::OnlineStoreChat],
        })
        .collect();
    let customers: Vec<Customer> = (1..=60).map(customer).collect();
    let mut conversations = Vec::new();
    let mut messages = Vec::new();
    let mut orders = Vec::new();
    let mut message_id = 1;
    let mut pending_id = -1;
    for id in 1..=500 {
        // Starts over 200 days; some on a whole day, so period edges fall exactly on them.
        let mut created_at = NOW - rng.random_range(0..200 * DAY);
        if rng.random_bool(0.1) {
            created_at -= created_at % DAY;
        }
        let customer_id = rng.random_range(1..=60);
        let mut topics = Vec::new();
        for _ in 0..rng.random_range(0..=3) {
            let topic = *Topic::ALL.choose(&mut rng).unwrap();
            if !topics.iter().any(|l: &TopicLabel| l.topic == topic) {
                topics.push(TopicLabel {
                    topic,
                    confidence: 0.95,
                    message_id: 0,
                    labelled_at: created_at,
                });
            }
        }
        let platform = *Platform::ALL.choose(&mut rng).unwrap();
        let mut at = created_at;
        let mut last = created_at;
        for k in 0..rng.random_range(0..=8) {
            // The first message at the start or, rarely, a staff message first; some replies at
            // the very millisecond of the question.
            if k > 0 && !rng.random_bool(0.1) {
                at += rng.random_range(0..6 * 3_600_000);
            }
            let from_customer = rng.random_bool(0.55);
            let pending = !from_customer && rng.random_bool(0.1);
            let id = if pending {
                pending_id -= 1;
                pending_id
            } else {
                message_id += 1;
                message_id
            };
            messages.push(Message {
                id,
                conversation_id: conversations.len() as i64 + 1,
                author: if from_customer {
                    Author::Customer { customer_id }
                } else {
                    Author::Staff {
                        staff_id: *STAFF.choose(&mut rng).unwrap(),
                    }
                },
                body: MessageBody::Text {
                    text: format!("message {id}"),
                },
                delivery: None,
                created_at: at,
            });
            last = at;
        }
        conversations.push(Conversation {
            id,
            customer_id,
            platform,
            status: if rng.random_bool(0.3) {
                ConversationStatus::Open
            } else {
                ConversationStatus::Closed
            },
            assignee_id: if rng.random_bool(0.25) {
                None
            } else {
                // Staff 9 is not in the mirror: a row with no name.
                Some(*[1, 2, 3, 4, 9].choose(&mut rng).unwrap())
            },
            contact_email: String::new(),
            customer_online: false,
            created_at,
            updated_at: last,
            last_message_at: last,
            topics,
            snoozed_until: None,
            woke_at: None,
        });
        // An order right at the start or right at the end of the 7-day window, now and then.
        if rng.random_bool(0.1) {
            let offset = *[0, metrics::SALE_WINDOW_MS - 1, metrics::SALE_WINDOW_MS]
                .choose(&mut rng)
                .unwrap();
            orders.push(order(
                orders.len() as i64 + 1,
                customer_id,
                created_at + offset,
                OrderStatus::Paid,
            ));
        }
    }
    for _ in 0..150 {
        let status = *[
            OrderStatus::Open,
            OrderStatus::Paid,
            OrderStatus::Fulfilled,
            OrderStatus::Cancelled,
            OrderStatus::Refunded,
        ]
        .choose(&mut rng)
        .unwrap();
        orders.push(order(
            orders.len() as i64 + 1,
            rng.random_range(1..=60),
            NOW - rng.random_range(0..210 * DAY),
            status,
        ));
    }
    Shop {
        conversations,
        messages,
        orders,
        staff,
        customers,
    }
}

fn order(id: i64, customer_id: i64, created_at: i64, status: OrderStatus) -> Order {
    Order {
        id,
        customer_id,
        name: format!("#{}", 1000 + id),
        created_at,
        total: Money {
            minor: 10_000,
            currency: "SEK".into(),
        },
        status,
        admin_url: String::new(),
    }
}

async fn mirror(shop: &Shop) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("mirror.db")).unwrap();
    let mut entities: Vec<Entity> = Vec::new();
    entities.extend(shop.staff.iter().cloned().map(Entity::Staff));
    entities.extend(shop.customers.iter().cloned().map(Entity::Customer));
    entities.extend(shop.conversations.iter().cloned().map(Entity::Conversation));
    entities.extend(shop.messages.iter().cloned().map(Entity::Message));
    entities.extend(shop.orders.iter().cloned().map(Entity::Order));
    store
        .write(move |tx| store::apply_all(tx, &entities))
        .await
        .unwrap();
    (dir, store)
}

/// One conversation's facts, counted the plain way.
struct Recount {
    first_response: Option<i64>,
    sale: bool,
}

fn recount_one(shop: &Shop, c: &Conversation) -> Recount {
    let mine: Vec<&Message> = shop
        .messages
        .iter()
        .filter(|m| m.conversation_id == c.id)
        .collect();
    let asked = mine
        .iter()
        .filter(|m| matches!(m.author, Author::Customer { .. }))
        .map(|m| m.created_at)
        .min();
    let first_response = asked.and_then(|asked| {
        mine.iter()
            .filter(|m| matches!(m.author, Author::Staff { .. }))
            .filter(|m| m.id > 0 && m.created_at >= asked)
            .map(|m| m.created_at - asked)
            .min()
    });
    let sale = shop.orders.iter().any(|o| {
        o.customer_id == c.customer_id
            && o.status != OrderStatus::Open
            && o.created_at >= c.created_at
            && o.created_at - c.created_at < 7 * DAY
    });
    Recount {
        first_response,
        sale,
    }
}

fn recount_figures(shop: &Shop, conversations: &[&Conversation]) -> Figures {
    let facts: Vec<Recount> = conversations.iter().map(|c| recount_one(shop, c)).collect();
    let mut times: Vec<i64> = facts.iter().filter_map(|f| f.first_response).collect();
    times.sort();
    let pick = |p: f64| {
        if times.is_empty() {
            None
        } else {
            let rank = (p * times.len() as f64).ceil() as usize;
            Some(times[rank.max(1) - 1])
        }
    };
    Figures {
        conversations: conversations.len() as u32,
        replied: times.len() as u32,
        first_response_median_ms: pick(0.5),
        first_response_p90_ms: pick(0.9),
        with_sale: facts.iter().filter(|f| f.sale).count() as u32,
    }
}

fn in_period(shop: &Shop, p: Period, keep: impl Fn(&Conversation) -> bool) -> Vec<&Conversation> {
    shop.conversations
        .iter()
        .filter(|c| p.from <= c.created_at && c.created_at < p.to && keep(c))
        .collect()
}

fn recount_compared(
    shop: &Shop,
    q: MetricsQuery,
    keep: impl Fn(&Conversation) -> bool,
) -> Compared {
    Compared {
        current: recount_figures(shop, &in_period(shop, q.current, &keep)),
        previous: recount_figures(shop, &in_period(shop, q.previous, &keep)),
    }
}

fn assert_matches_recount(shop: &Shop, m: &Metrics) {
    let q = m.query;
    assert_eq!(
        m.total,
        recount_compared(shop, q, |_| true),
        "total for {q:?}"
    );

    let mut staff_keys: Vec<Option<i64>> =
        shop.conversations.iter().map(|c| c.assignee_id).collect();
    staff_keys.sort();
    staff_keys.dedup();
    let mut expected = BTreeMap::new();
    for key in staff_keys {
        let figures = recount_compared(shop, q, |c| c.assignee_id == key);
        if figures.current.conversations + figures.previous.conversations > 0 {
            expected.insert(key, figures);
        }
    }
    let got: BTreeMap<Option<i64>, Compared> = m
        .by_staff
        .iter()
        .map(|r| (r.staff_id, r.figures.clone()))
        .collect();
    assert_eq!(got, expected, "by staff for {q:?}");
    for row in &m.by_staff {
        let name = row
            .staff_id
            .and_then(|id| shop.staff.iter().find(|s| s.id == id))
            .map(|s| s.name.clone());
        assert_eq!(row.name, name);
    }

    let mut expected = BTreeMap::new();
    for key in Topic::ALL.iter().copied().map(Some).chain([None]) {
        let figures = recount_compared(shop, q, |c| match key {
            Some(t) => c.topics.iter().any(|l| l.topic == t),
            None => c.topics.is_empty(),
        });
        if figures.current.conversations + figures.previous.conversations > 0 {
            expected.insert(key, figures);
        }
    }
    let got: BTreeMap<Option<Topic>, Compared> = m
        .by_topic
        .iter()
        .map(|r| (r.topic, r.figures.clone()))
        .collect();
    assert_eq!(got, expected, "by topic for {q:?}");

    let mut expected = BTreeMap::new();
    for key in Platform::ALL {
        let figures = recount_compared(shop, q, |c| c.platform == key);
        if figures.current.conversations + figures.previous.conversations > 0 {
            expected.insert(key.key(), figures);
        }
    }
    let got: BTreeMap<&str, Compared> = m
        .by_platform
        .iter()
        .map(|r| (r.platform.key(), r.figures.clone()))
        .collect();
    assert_eq!(got, expected, "by platform for {q:?}");

    // Rows come most conversations first.
    let counts = |rows: Vec<(u32, u32)>| rows.windows(2).all(|w| w[0] >= w[1]);
    assert!(counts(
        m.by_staff
            .iter()
            .map(|r| (
                r.figures.current.conversations,
                r.figures.previous.conversations
            ))
            .collect()
    ));
    assert!(counts(
        m.by_topic
            .iter()
            .map(|r| (
                r.figures.current.conversations,
                r.figures.previous.conversations
            ))
            .collect()
    ));
    assert!(counts(
        m.by_platform
            .iter()
            .map(|r| (
                r.figures.current.conversations,
                r.figures.previous.conversations
            ))
            .collect()
    ));
}

fn days_back(days: i64, end: i64) -> MetricsQuery {
    let len = days * DAY;
    MetricsQuery {
        current: Period {
            from: end - len,
            to: end,
        },
        previous: Period {
            from: end - 2 * len,
            to: end - len,
        },
    }
}

#[tokio::test]
async fn metrics_over_a_generated_shop_equal_a_recount() {
    for seed in [1, 2, 3] {
        let shop = generate(seed);
        let (_dir, store) = mirror(&shop).await;
        let midnight = NOW - NOW % DAY + DAY;
        // Starts on a conversation's start (included) and ends on another's (excluded).
        let mut starts: Vec<i64> = shop.conversations.iter().map(|c| c.created_at).collect();
        starts.sort();
        let edge = MetricsQuery {
            current: Period {
                from: starts[100],
                to: starts[300],
            },
            previous: Period {
                from: starts[10],
                to: starts[100],
            },
        };
        let mut queries = vec![
            days_back(1, midnight),
            days_back(7, midnight),
            days_back(30, midnight),
            days_back(90, midnight),
            edge,
            // In the future: nothing yet, and nothing before either.
            MetricsQuery {
                current: Period {
                    from: NOW + 10 * DAY,
                    to: NOW + 20 * DAY,
                },
                previous: Period {
                    from: NOW + DAY,
                    to: NOW + 10 * DAY,
                },
            },
            // Zero length.
            MetricsQuery {
                current: Period {
                    from: starts[5],
                    to: starts[5],
                },
                previous: Period {
                    from: starts[5],
                    to: starts[5],
                },
            },
            // Everything against nothing.
            MetricsQuery {
                current: Period {
                    from: 0,
                    to: NOW + DAY,
                },
                previous: Period { from: -DAY, to: 0 },
            },
        ];
        for c in shop.conversations.iter().step_by(97) {
            queries.push(MetricsQuery {
                current: Period {
                    from: c.created_at,
                    to: c.created_at + 1,
                },
                previous: Period {
                    from: c.created_at - DAY,
                    to: c.created_at,
                },
            });
        }
        for q in queries {
            let m = store.read(move |c| metrics::metrics(c, q)).await.unwrap();
            assert_eq!(m.query, q);
            assert_matches_recount(&shop, &m);
        }
        // The shop is not trivial: the wide period has every kind of figure.
        let all = store
            .read(|c| metrics::metrics(c, days_back(400, NOW + DAY)))
            .await
            .unwrap();
        let t = &all.total.current;
        assert_eq!(t.conversations, 500);
        assert!(t.replied > 100 && t.replied < 500, "{t:?}");
        assert!(t.with_sale > 10 && t.with_sale < 500, "{t:?}");
        assert!(
            t.first_response_median_ms < t.first_response_p90_ms,
            "{t:?}"
        );
        assert!(all.by_staff.iter().any(|r| r.staff_id.is_none()));
        assert!(all.by_topic.iter().any(|r| r.topic.is_none()));
        assert_eq!(all.by_platform.len(), Platform::ALL.len());
    }
}

#[tokio::test]
async fn a_period_ending_before_it_starts_is_refused() {
    let shop = generate(4);
    let (_dir, store) = mirror(&shop).await;
    let q = MetricsQuery {
        current: Period {
            from: NOW,
            to: NOW - 1,
        },
        previous: Period { from: 0, to: 1 },
    };
    let err = store
        .read(move |c| metrics::metrics(c, q))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "bad_input", "{err}");
}

/// The queries read conversations by their start through the index, not by scanning them all.
#[tokio::test]
async fn conversations_are_found_by_their_start_through_the_index() {
    let shop = generate(5);
    let (_dir, store) = mirror(&shop).await;
    let plan = store
        .read(|c| {
            let mut stmt = c.prepare(
                "EXPLAIN QUERY PLAN SELECT id FROM conversations c
                 WHERE json_extract(c.data, '$.created_at') >= 1 AND json_extract(c.data, '$.created_at') < 2",
            )?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(3))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?.join("\n"))
        })
        .await
        .unwrap();
    assert!(plan.contains("conversations_by_start"), "{plan}");
}
