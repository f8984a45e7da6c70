//! The metrics view in the real window: staff open it from the top bar, choose the last 30 days
//! and see the figures the demo shop's chats give, counted here again the plain way from
//! everything the shop holds (a mirror of it, synced by an engine of the test's own), for the
//! period and the 30 days before. Then the same in Swedish, with Swedish number formats, and
//! in the dark theme at the 720 px minimum, where the view is in the top bar's menu.
//! Days are the shop's (Europe/Stockholm, the demo's zone), not the computer's: the app runs
//! with `TZ=America/Los_Angeles`, and the test counts from the shop's midnights.
//! Screenshots: `target/e2e-screenshots/metrics-*`.

use inbox_core::{Folder, Inbox, ListFilter, TimelineItem};
use inbox_protocol::*;

use super::shop::Shop;
use super::{set_language, whole_test};

const DAY: i64 = 86_400_000;

#[derive(Debug, PartialEq, Eq)]
struct Counts {
    conversations: usize,
    replied: usize,
    with_sale: usize,
}

/// Every conversation the shop holds, with its timeline, and every customer's orders.
async fn recount(inbox: &Inbox, from: i64, to: i64) -> Counts {
    let mut counts = Counts {
        conversations: 0,
        replied: 0,
        with_sale: 0,
    };
    for status in [Folder::Open, Folder::Snoozed, Folder::Closed] {
        let list = inbox
            .conversations(ListFilter {
                status,
                limit: 100_000,
                ..ListFilter::default()
            })
            .await
            .unwrap();
        for summary in list {
            let view = inbox.conversation(summary.id).await.unwrap();
            let c = &view.conversation;
            if c.created_at < from || c.created_at >= to {
                continue;
            }
            counts.conversations += 1;
            let messages: Vec<&Message> = view
                .timeline
                .iter()
                .filter_map(|item| match item {
                    TimelineItem::Message(m) => Some(&m.message),
                    _ => None,
                })
                .collect();
            let asked = messages
                .iter()
                .filter(|m| matches!(m.author, Author::Customer { .. }))
                .map(|m| m.created_at)
                .min();
            let replied = asked.is_some_and(|asked| {
                messages.iter().any(|m| {
                    matches!(m.author, Author::Staff { .. }) && m.id > 0 && m.created_at >= asked
                })
            });
            counts.replied += usize::from(replied);
            let orders = inbox.profile(c.customer_id).await.unwrap().orders;
            let sale = orders.iter().any(|o| {
                o.status != OrderStatus::Open
                    && o.created_at >= c.created_at
                    && o.created_at < c.created_at + 7 * DAY
            });
            counts.with_sale += usize::from(sale);
        }
    }
    counts
}

fn grouped(n: usize, separator: &str) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(separator);
        }
        out.push(ch);
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn the_metrics_view_shows_the_demo_shops_figures_in_english_and_swedish() {
    whole_test(async {
        let mut shop = Shop::start().await;
        let (_mirror_dir, mirror) = shop.mirror().await;
        let data = tempfile::tempdir().unwrap();
        let mut app = super::harness::Desktop::launch(
            "metrics",
            &["--data-dir".into(), data.path().display().to_string()],
            &[
                ("INBOX_TOKEN_STORE".into(), "file".into()),
                ("TZ".into(), "America/Los_Angeles".into()),
            ],
        )
        .await;
        super::sign_in(&mut app, &shop).await;
        app.find("[data-testid=conversation-row]").await;

        // The last 30 days (today included, days from the shop's midnights) and the 30 before.
        let zone = jiff::tz::TimeZone::get(shop_server::demo::TIME_ZONE).unwrap();
        let today = jiff::Timestamp::from_millisecond(inbox_core::store::now_ms())
            .unwrap()
            .to_zoned_datetime(zone.clone())
            .date();
        let midnight = |days_back: i64| {
            today
                .checked_sub(jiff::Span::new().days(days_back))
                .unwrap()
                .to_zoned_datetime(zone.clone())
                .unwrap()
                .timestamp()
                .as_millisecond()
        };
        let (end, middle, start) = (midnight(-1), midnight(29), midnight(59));
        let current = recount(&mirror, middle, end).await;
        let previous = recount(&mirror, start, middle).await;
        eprintln!("[metrics] recount: {current:?}, before: {previous:?}");
        assert!(
            current.conversations > 0,
            "the demo shop has chats this month"
        );

        app.click("[data-testid=open-metrics]").await;
        app.click("[data-testid=metrics-range-30]").await;
        for (lang, separator, before) in [("en", ",", "previous"), ("sv", "\u{a0}", "föregående")]
        {
            if lang == "sv" {
                set_language(&app, "sv").await;
                app.click("[data-testid=open-metrics]").await;
                app.click("[data-testid=metrics-range-30]").await;
            }
            for (testid, now, then) in [
                (
                    "conversations",
                    current.conversations,
                    previous.conversations,
                ),
                ("replied", current.replied, previous.replied),
                ("sales", current.with_sale, previous.with_sale),
            ] {
                let want = grouped(now, separator);
                app.wait_text(&format!("[data-testid=metrics-{testid}]"), &want, |t| {
                    t == want
                })
                .await;
                let want = format!("{before}: {}", grouped(then, separator));
                app.wait_text(
                    &format!("[data-testid=metrics-{testid}-previous]"),
                    &want,
                    |t| t == want,
                )
                .await;
            }
            // Each split has a drawn chart (a canvas with pixels) and its table.
            for split in ["staff", "topic", "platform"] {
                app.find(&format!("[data-testid=metrics-table-{split}] tbody tr"))
                    .await;
                let drawn = app
                    .script(&format!(
                        "const c = document.querySelector('[data-testid=metrics-chart-{split}]');
                         const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                         for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) return true;
                         return false;"
                    ))
                    .await;
                assert_eq!(
                    drawn.as_bool(),
                    Some(true),
                    "the {split} chart is drawn ({lang})"
                );
            }
            app.screenshot(&format!("metrics-{lang}")).await;
        }
        // Dark, at the 720 px minimum: the view is in the top bar's menu, and still drawn.
        app.click("[data-testid=open-settings]").await;
        app.find("[data-testid=settings-theme]")
            .await
            .select_by_value("dark")
            .await
            .unwrap();
        app.click("[data-testid=settings-close]").await;
        app.wait_gone("[data-testid=settings-panel]").await;
        app.set_size(720, 800).await;
        app.click("[data-testid=header-menu]").await;
        app.click("[data-testid=menu-metrics]").await;
        app.click("[data-testid=metrics-range-30]").await;
        let want = grouped(current.conversations, "\u{a0}");
        app.wait_text("[data-testid=metrics-conversations]", &want, |t| t == want)
            .await;
        let theme = app
            .script("return document.documentElement.dataset.theme;")
            .await;
        assert_eq!(theme.as_str(), Some("dark"));
        app.screenshot("metrics-sv-dark-720px").await;
        app.close().await;
        shop.stop().await;
    })
    .await;
}
