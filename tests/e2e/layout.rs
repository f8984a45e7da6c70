//! The window as staff size it and read it: 1280 px, the 720 px minimum and 200 % text, light
//! and dark, English and Swedish. At each, every action of the top bar and the conversation is
//! on screen (or in the menu that replaces them), nothing overlaps and no label is cut, checked
//! from element rectangles; axe-core finds no serious or critical problem on the list, thread,
//! profile and settings; and a screenshot of each view is saved
//! (`target/e2e-screenshots/layout-*`).

use super::harness::Desktop;
use super::shop::Shop;
use super::{signed_in_app, whole_test};

const ESCAPE: &str = "\u{E00C}";

struct Look {
    lang: &'static str,
    theme: &'static str,
}

#[tokio::test(flavor = "multi_thread")]
async fn english_light_fits_at_every_size() {
    whole_test(every_view_fits(Look {
        lang: "en",
        theme: "light",
    }))
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn english_dark_fits_at_every_size() {
    whole_test(every_view_fits(Look {
        lang: "en",
        theme: "dark",
    }))
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn swedish_light_fits_at_every_size() {
    whole_test(every_view_fits(Look {
        lang: "sv",
        theme: "light",
    }))
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn swedish_dark_fits_at_every_size() {
    whole_test(every_view_fits(Look {
        lang: "sv",
        theme: "dark",
    }))
    .await;
}

/// What is wrong with the layout on screen, as sentences; empty when all is well.
const PROBLEMS: &str = r#"
const W = innerWidth, H = innerHeight, problems = [];
const box = e => e.getBoundingClientRect();
const shown = e => { const r = box(e); return r.width > 0 && r.height > 0
  && getComputedStyle(e).visibility !== 'hidden'; };
const name = e => e.dataset.testid || (e.textContent || '').trim().slice(0, 30) || e.tagName;
const inside = (e, within) => { const r = box(e), w = within ? box(within)
  : { left: 0, top: 0, right: W, bottom: H };
  if (r.left < w.left - 1 || r.right > w.right + 1 || r.top < w.top - 1 || r.bottom > w.bottom + 1)
    problems.push(`${name(e)} is cut off: ${Math.round(r.left)}..${Math.round(r.right)} × `
      + `${Math.round(r.top)}..${Math.round(r.bottom)} in ${Math.round(w.left)}..`
      + `${Math.round(w.right)} × ${Math.round(w.top)}..${Math.round(w.bottom)}`); };
const overlap = (a, b) => { const r = box(a), s = box(b);
  return r.left < s.right - 1 && s.left < r.right - 1 && r.top < s.bottom - 1 && s.top < r.bottom - 1; };
const apart = (items, what) => { for (let i = 0; i < items.length; i++)
  for (let j = i + 1; j < items.length; j++) if (overlap(items[i], items[j]))
    problems.push(`${what}: ${name(items[i])} overlaps ${name(items[j])}`); };
const whole = e => { if (e.scrollWidth > e.clientWidth + 1)
  problems.push(`${name(e)} has its text cut (${e.scrollWidth} > ${e.clientWidth})`); };

// The top bar: every item on screen, none over another.
const bar = [...document.querySelector('.topbar').children].filter(shown);
bar.forEach(e => inside(e)); apart(bar, 'top bar');
bar.filter(e => e.tagName === 'BUTTON').forEach(whole);

// The columns side by side; a profile over the conversation is meant to cover it.
const columns = [...document.querySelector('[data-testid=columns]').children]
  .filter(shown).filter(e => !e.classList.contains('profile-overlay'));
columns.forEach(e => inside(e)); apart(columns, 'columns');

// The conversation's header and composer: every control on screen and in the pane, whole.
const pane = document.querySelector('[data-testid=conversation]');
if (pane) {
  const controls = [...pane.querySelectorAll('.header button, .header .label, '
    + '[data-testid=header-assignee], [data-testid=composer-send], [data-testid=composer-input], '
    + '[data-testid=composer-products], [data-testid=composer-discount], '
    + '[data-testid=composer-attach]')].filter(shown);
  controls.forEach(e => inside(e, pane));
  controls.filter(e => e.tagName === 'BUTTON').forEach(whole);
  apart([...pane.querySelectorAll('.header button')].filter(shown), 'conversation header');
  const send = pane.querySelector('[data-testid=composer-send]');
  const profile = document.querySelector('.profile-column');
  if (send && profile && overlap(send, profile)) problems.push('Send is under the profile');
}

// Rows: a label shows whole or not at all.
for (const labels of document.querySelectorAll('[data-testid=conversation-row] .labels')) {
  const chips = [...labels.children].filter(shown).filter(e => !e.classList.contains('chip-left-out'));
  chips.forEach(e => { whole(e); inside(e, labels); });
}
return problems;
"#;

async fn every_view_fits(look: Look) {
    let started = std::time::Instant::now();
    let step = |what: &str| eprintln!("[layout] {:>6.1} s {what}", started.elapsed().as_secs_f32());
    let mut shop = Shop::start().await;
    let data = tempfile::tempdir().unwrap();
    let name = format!("layout-{}-{}", look.lang, look.theme);
    let mut app = signed_in_app(&name, &shop, data.path()).await;
    app.find("[data-testid=conversation-row]").await;
    // The busiest row: two topics and an assignee, if the demo shop has one.
    let id = app
        .script(
            "const rows = [...document.querySelectorAll('[data-testid=conversation-row]')];
             const busy = rows.find(r => r.querySelectorAll('[data-testid=row-topic]').length === 2
               && r.querySelector('[data-testid=row-assignee]')) || rows[0];
             return Number(busy.dataset.id);",
        )
        .await
        .as_i64()
        .expect("a row id");
    step("signed in");

    // 1280 px, normal text: three columns. axe-core on the list, thread and profile, then
    // on settings.
    choose(&app, look.lang, look.theme, 100).await;
    open(&app, id).await;
    check(&mut app, &look, "1280px", "wide").await;
    let violations = app.axe_violations().await;
    assert!(
        violations.is_empty(),
        "axe-core, {} {}: {violations:#?}",
        look.lang,
        look.theme
    );
    settings_view(&mut app, &look, "1280px", true).await;
    step("1280 px");

    // The 720 px minimum: two columns, the profile over the conversation.
    app.set_size(720, 800).await;
    check(&mut app, &look, "720px", "medium").await;
    profile_over(&mut app, &look, "720px").await;
    settings_view(&mut app, &look, "720px", false).await;
    step("720 px");

    // 200 % text at 1280 px: laid out as half the width.
    app.set_size(1280, 800).await;
    choose(&app, look.lang, look.theme, 200).await;
    check(&mut app, &look, "200pct", "medium").await;
    profile_over(&mut app, &look, "200pct").await;
    settings_view(&mut app, &look, "200pct", false).await;
    step("200 % text");

    // 200 % text at 720 px: one column at a time, with the way back to the list.
    app.set_size(720, 800).await;
    check(&mut app, &look, "720px-200pct", "narrow").await;
    app.click("[data-testid=back-to-list]").await;
    app.wait_gone("[data-testid=conversation]").await;
    let row = app.find("[data-testid=conversation-row]").await;
    assert!(row.is_displayed().await.unwrap(), "the list is back");
    app.screenshot(&format!("{}-{}-720px-200pct-list", look.lang, look.theme))
        .await;
    step("200 % text at 720 px");

    app.close().await;
    shop.stop().await;
}

/// Sets language, theme and text size in Settings, as staff do.
async fn choose(app: &Desktop, lang: &str, theme: &str, text: u32) {
    open_settings(app).await;
    for (select, value) in [
        ("settings-language", lang.to_owned()),
        ("settings-theme", theme.to_owned()),
        ("settings-text-size", text.to_string()),
    ] {
        app.find(&format!("[data-testid={select}]"))
            .await
            .select_by_value(&value)
            .await
            .unwrap_or_else(|e| panic!("{select} has {value}: {e}"));
    }
    app.click("[data-testid=settings-close]").await;
    app.wait_gone("[data-testid=settings-panel]").await;
    let theme_now = app
        .script("return document.documentElement.dataset.theme;")
        .await;
    assert_eq!(theme_now.as_str(), Some(theme), "the theme is applied");
}

/// Settings, from the top bar or from its menu where the window is narrow.
async fn open_settings(app: &Desktop) {
    let wide = app
        .script("return !!document.querySelector('[data-testid=open-settings]');")
        .await;
    if wide.as_bool() == Some(true) {
        app.click("[data-testid=open-settings]").await;
    } else {
        app.click("[data-testid=header-menu]").await;
        app.click("[data-testid=menu-settings]").await;
    }
    app.find("[data-testid=settings-panel]").await;
}

async fn open(app: &Desktop, id: i64) {
    if app
        .script(&format!(
            "return !!document.querySelector('[data-testid=conversation][data-id=\"{id}\"]');"
        ))
        .await
        .as_bool()
        == Some(true)
    {
        return;
    }
    app.click(&super::row(id)).await;
    app.find(&format!("[data-testid=conversation][data-id=\"{id}\"]"))
        .await;
}

/// The layout is the one expected at this size, nothing is cut or overlapping, every action
/// of the top bar can be reached, and a screenshot is saved.
async fn check(app: &mut Desktop, look: &Look, size: &str, layout: &str) {
    let at = format!("{}-{}-{size}", look.lang, look.theme);
    app.find(&format!("[data-testid=columns][data-layout={layout}]"))
        .await;
    // Labels are fitted a frame after a resize.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let problems = app.script(PROBLEMS).await;
    assert_eq!(problems, serde_json::json!([]), "layout at {at}");
    if layout == "wide" {
        for action in ["open-outbox", "open-settings"] {
            let button = app.find(&format!("[data-testid={action}]")).await;
            assert!(button.is_displayed().await.unwrap(), "{action} at {at}");
        }
    } else {
        // The menu holds them, and shows them whole and on screen.
        app.click("[data-testid=header-menu]").await;
        for item in ["menu-outbox", "menu-settings", "menu-shortcuts"] {
            app.find(&format!("[data-testid={item}]")).await;
        }
        let cut = app
            .script(
                "const W = innerWidth, H = innerHeight;
                 return [...document.querySelectorAll('[role=menuitem]')]
                   .map(e => [e.dataset.testid, e.getBoundingClientRect()])
                   .filter(([, r]) => r.left < 0 || r.right > W || r.top < 0 || r.bottom > H)
                   .map(([id]) => id);",
            )
            .await;
        assert_eq!(cut, serde_json::json!([]), "menu items cut off at {at}");
        app.screenshot(&format!("{at}-menu")).await;
        app.press(ESCAPE).await;
        app.wait_gone("[data-testid=header-menu-items]").await;
        // So does the conversation's.
        app.click("[data-testid=conversation-menu]").await;
        let mut items = vec!["menu-snooze", "menu-unread", "menu-assign"];
        if layout == "narrow" {
            // In one column, Close waits in the menu too.
            items.push("menu-close");
        } else {
            let close = app.find("[data-testid=action-close]").await;
            assert!(close.is_displayed().await.unwrap(), "action-close at {at}");
        }
        for item in items {
            let entry = app.find(&format!("[data-testid={item}]")).await;
            assert!(entry.is_displayed().await.unwrap(), "{item} at {at}");
        }
        app.press(ESCAPE).await;
        app.wait_gone("[data-testid=conversation-menu-items]").await;
    }
    app.screenshot(&format!("{at}-conversation")).await;
}

/// The profile over the conversation: on screen, whole, closed with Escape.
async fn profile_over(app: &mut Desktop, look: &Look, size: &str) {
    let at = format!("{}-{}-{size}", look.lang, look.theme);
    app.click("[data-testid=conversation-customer]").await;
    app.find(".profile-overlay [data-testid=profile-panel]")
        .await;
    let cut = app
        .script(
            "const r = document.querySelector('.profile-overlay').getBoundingClientRect();
             return r.left >= 0 && r.right <= innerWidth + 1 && r.width > 200;",
        )
        .await;
    assert_eq!(
        cut.as_bool(),
        Some(true),
        "the profile is on screen at {at}"
    );
    app.screenshot(&format!("{at}-profile")).await;
    app.click("[data-testid=close-profile]").await;
    app.wait_gone(".profile-overlay").await;
}

async fn settings_view(app: &mut Desktop, look: &Look, size: &str, axe: bool) {
    let at = format!("{}-{}-{size}", look.lang, look.theme);
    open_settings(app).await;
    let cut = app
        .script(
            "const r = document.querySelector('[data-testid=settings-panel]').getBoundingClientRect();
             return r.left >= 0 && r.right <= innerWidth + 1;",
        )
        .await;
    assert_eq!(cut.as_bool(), Some(true), "settings on screen at {at}");
    if axe {
        let violations = app.axe_violations().await;
        assert!(
            violations.is_empty(),
            "axe-core on settings, {at}: {violations:#?}"
        );
    }
    app.screenshot(&format!("{at}-settings")).await;
    app.click("[data-testid=settings-close]").await;
    app.wait_gone("[data-testid=settings-panel]").await;
}
