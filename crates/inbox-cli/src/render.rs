//! How the engine's views read in a terminal: lists, a conversation's timeline, search hits
//! with their matches marked, events. Text only; `--json` output never comes through here.
//!
//! Every string from the shop (what customers write, their names and emails, product titles,
//! codes, the shop's error details) passes [`safe`] or [`safe_line`] before it is printed, and
//! everything printed passes [`safe`] once more on its way out: a customer must never be able
//! to send the staff member's terminal a control sequence (an OSC 52 that sets the clipboard, a
//! CSI that hides or forges lines) or reorder what it shows with bidi controls.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;

use inbox_core::notifications::{Settings, Silence};
use inbox_core::{
    ConversationSummary, ConversationView, Event, Notification, SearchHit, SendState, SyncState,
    TimelineItem,
};
use inbox_protocol::*;

/// Whether a character must not reach a terminal as it is: C0 and C1 controls (ESC starts
/// the sequences a terminal obeys; 0x9B is a one-byte CSI to some), DEL, and the Unicode bidi
/// controls (embeddings, overrides, isolates, marks) that reorder the text after them. Line
/// feeds and tabs are text where lines are.
fn is_hostile(c: char, lines: bool) -> bool {
    match c {
        '\n' | '\t' => !lines,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => true,
        '\u{061c}'
        | '\u{200e}'
        | '\u{200f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}' => true,
        _ => false,
    }
}

/// The one place text is made safe for a terminal: each hostile character (see
/// [`is_hostile`]) is shown escaped, as `\u{1b}`, so staff see that something was there and
/// the terminal obeys nothing. Borrowed when there is nothing to escape, as almost always.
fn escape_controls(text: &str, lines: bool) -> Cow<'_, str> {
    if !text.chars().any(|c| is_hostile(c, lines)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_hostile(c, lines) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Text that may have lines (a message, a note), safe for a terminal: line feeds and tabs
/// stay, every other control character and every bidi control is shown escaped.
pub fn safe(text: &str) -> Cow<'_, str> {
    escape_controls(text, true)
}

/// A one-line field (a name, an email, a product title, an error detail), safe for a
/// terminal: as [`safe`], and a line feed or tab is shown escaped too, so a name can't start
/// a forged line of its own.
pub fn safe_line(text: &str) -> Cow<'_, str> {
    escape_controls(text, false)
}

/// JSON as printed: serde_json escapes C0 controls, but leaves DEL, C1 controls and bidi
/// controls as they are. They can only stand inside strings, where `\uXXXX` means the same
/// character, so the value a program reads is unchanged and a terminal obeys nothing.
pub fn safe_json(json: &str) -> Cow<'_, str> {
    let hostile = |c: char| c != '\n' && c != '\t' && is_hostile(c, true);
    if !json.chars().any(hostile) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if hostile(c) {
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// How to mark emphasis: ANSI bold on a terminal that accepts colour, brackets otherwise.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub ansi: bool,
}

impl Style {
    /// For stdout: ANSI only on a terminal, and never with `NO_COLOR` set.
    pub fn stdout() -> Style {
        use std::io::IsTerminal;
        Style {
            ansi: std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }

    fn strong(self, text: &str) -> String {
        if self.ansi {
            format!("\x1b[1m{text}\x1b[0m")
        } else {
            format!("[{text}]")
        }
    }
}

/// A time in the local time zone, to the minute.
pub fn time(ms: Millis) -> String {
    match jiff::Timestamp::from_millisecond(ms) {
        Ok(at) => at
            .to_zoned_datetime(jiff::tz::TimeZone::system())
            .strftime("%Y-%m-%d %H:%M")
            .to_string(),
        Err(_) => "????-??-?? ??:??".into(),
    }
}

/// `text` on one line, at most `max` characters, with an ellipsis when cut.
pub fn clip(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        let mut cut: String = flat.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

/// Left-aligns to `width` characters, clipping what is longer.
fn column(text: &str, width: usize) -> String {
    let text = clip(text, width);
    let pad = width.saturating_sub(text.chars().count());
    format!("{text}{}", " ".repeat(pad))
}

pub fn money(money: &Money) -> String {
    let sign = if money.minor < 0 { "-" } else { "" };
    let minor = money.minor.unsigned_abs();
    format!(
        "{sign}{}.{:02} {}",
        minor / 100,
        minor % 100,
        safe_line(&money.currency)
    )
}

fn platform(platform: Platform) -> &'static str {
    match platform {
        Platform::OnlineStore => "online store",
        Platform::ShopApp => "Shop app",
        Platform::Messenger => "Messenger",
        Platform::Instagram => "Instagram",
        Platform::Email => "email",
    }
}

fn status(status: ConversationStatus) -> &'static str {
    match status {
        ConversationStatus::Open => "open",
        ConversationStatus::Closed => "closed",
    }
}

/// Staff names by id, to say who wrote or holds what.
pub struct People<'a> {
    pub staff: HashMap<i64, &'a Staff>,
    pub me: i64,
}

impl<'a> People<'a> {
    pub fn new(staff: &'a [Staff], me: i64) -> People<'a> {
        People {
            staff: staff.iter().map(|s| (s.id, s)).collect(),
            me,
        }
    }

    fn staff_name(&self, id: i64) -> String {
        let name = self
            .staff
            .get(&id)
            .map(|s| safe_line(&s.name).into_owned())
            .unwrap_or_else(|| format!("staff member {id}"));
        if id == self.me {
            format!("{name} (you)")
        } else {
            name
        }
    }
}

/// One line per conversation: unread mark, id, last activity, customer, assignee, labels,
/// preview.
pub fn conversations(list: &[ConversationSummary], people: &People) -> String {
    let mut out = String::new();
    for c in list {
        let assignee = match c.assignee_id {
            Some(id) if id == people.me => "you".to_owned(),
            Some(id) => people.staff_name(id),
            None => "unassigned".to_owned(),
        };
        let topics = if c.topics.is_empty() {
            String::new()
        } else {
            let keys: Vec<&str> = c.topics.iter().map(|t| t.key()).collect();
            format!("[{}] ", keys.join(", "))
        };
        let _ = writeln!(
            out,
            "{} {:>6}  {}  {}  {}  {topics}{}",
            if c.unread { "●" } else { " " },
            c.id,
            time(c.last_message_at),
            column(&safe_line(&c.customer_name), 22),
            column(&assignee, 14),
            clip(&safe_line(&preview(c.last_message.as_ref())), 60),
        );
    }
    out
}

/// A list row's one line for its newest message: the text, or what a message without text holds.
fn preview(body: Option<&MessageBody>) -> String {
    let Some(body) = body else {
        return String::new();
    };
    if let Some(text) = body.text().filter(|t| !t.trim().is_empty()) {
        return text.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    match body {
        MessageBody::Text { .. } => String::new(),
        MessageBody::Products { products, .. } if products.len() == 1 => "[1 product]".to_owned(),
        MessageBody::Products { products, .. } => format!("[{} products]", products.len()),
        MessageBody::Discount { discount } => {
            format!("[discount code {}]", safe_line(&discount.code))
        }
        MessageBody::Attachment { attachment, .. } => match attachment.kind {
            MediaKind::Image => "[image]".to_owned(),
            MediaKind::Video => "[video]".to_owned(),
        },
    }
}

fn body(body: &MessageBody) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(text) = body.text().filter(|t| !t.trim().is_empty()) {
        lines.extend(text.lines().map(|line| safe(line).into_owned()));
    }
    match body {
        MessageBody::Text { .. } => {}
        MessageBody::Products { products, .. } => {
            for p in products {
                lines.push(format!(
                    "↳ product: {} ({})",
                    safe_line(&p.title),
                    money(&p.price)
                ));
            }
        }
        MessageBody::Discount { discount } => {
            lines.push(format!(
                "↳ discount code {}: {}",
                safe_line(&discount.code),
                safe_line(&discount.summary)
            ));
        }
        MessageBody::Attachment { attachment, .. } => {
            let what = match attachment.kind {
                MediaKind::Image => "image",
                MediaKind::Video => "video",
            };
            let size = match (attachment.width, attachment.height) {
                (Some(w), Some(h)) => format!(" {w}×{h}"),
                _ => String::new(),
            };
            lines.push(format!("↳ {what}{size}: {}", safe_line(&attachment.url)));
        }
    }
    lines
}

fn order_event(event: &OrderEvent) -> String {
    format!(
        "Order {} placed ({})",
        safe_line(&event.order_name),
        money(&event.total)
    )
}

fn cart_event(event: &CartEvent) -> String {
    let verb = match event.action {
        CartAction::Added => "added",
        CartAction::Removed => "removed",
    };
    let direction = match event.action {
        CartAction::Added => "to",
        CartAction::Removed => "from",
    };
    // The shop names the product only when the name is short enough to show.
    let what = match &event.product_name {
        Some(name) => safe_line(name).into_owned(),
        None => "a product".to_owned(),
    };
    let quantity = if event.quantity == 1 {
        String::new()
    } else {
        format!(" ×{}", event.quantity)
    };
    format!("{verb} {what}{quantity} {direction} the cart")
}

/// A conversation: who, where, state, then every message and cart event, oldest first.
pub fn conversation(view: &ConversationView, people: &People) -> String {
    let mut out = String::new();
    let c = &view.conversation;
    let customer = view
        .customer
        .as_ref()
        .map(|cu| {
            format!(
                "{} <{}>{}",
                safe_line(&cu.name),
                safe_line(&cu.email),
                if cu.email_verified {
                    ""
                } else {
                    " (email not verified)"
                }
            )
        })
        .unwrap_or_else(|| format!("customer {}", c.customer_id));
    let assignee = match c.assignee_id {
        Some(id) => format!("assigned to {}", people.staff_name(id)),
        None => "unassigned".to_owned(),
    };
    let _ = writeln!(
        out,
        "#{} {customer} · {} · {} · {assignee}{}",
        c.id,
        platform(c.platform),
        status(c.status),
        if c.customer_online {
            " · online now"
        } else {
            ""
        },
    );
    if !c.topics.is_empty() {
        let keys: Vec<&str> = c.topics.iter().map(|t| t.topic.key()).collect();
        let _ = writeln!(out, "Topics: {}", keys.join(", "));
    }
    if let Some(cart) = &view.cart {
        let lines: Vec<String> = cart
            .lines
            .iter()
            .map(|l| format!("{} ×{}", safe_line(&l.product_name), l.quantity))
            .collect();
        let _ = writeln!(
            out,
            "Cart: {} ({})",
            lines.join(", "),
            money(&cart.subtotal)
        );
    }
    let customer_name = view
        .customer
        .as_ref()
        .map(|cu| safe_line(&cu.name).into_owned())
        .unwrap_or_else(|| "Customer".to_owned());
    for item in &view.timeline {
        out.push('\n');
        match item {
            TimelineItem::Message(m) => {
                let author = match m.message.author {
                    Author::Customer { .. } => customer_name.clone(),
                    Author::Staff { staff_id } => people.staff_name(staff_id),
                };
                let state = match &m.send_state {
                    SendState::Sent => String::new(),
                    SendState::Pending => "  [pending: not sent yet]".to_owned(),
                    SendState::Failed { code, detail } => {
                        format!("  [failed: {} ({})]", safe_line(detail), safe_line(code))
                    }
                };
                let via = match &m.message.delivery {
                    Some(Delivery::Email { address }) => {
                        format!("  (emailed to {})", safe_line(address))
                    }
                    _ => String::new(),
                };
                let _ = writeln!(out, "{}  {author}{via}{state}", time(m.message.created_at));
                for line in body(&m.message.body) {
                    let _ = writeln!(out, "    {line}");
                }
            }
            TimelineItem::CartEvent(e) => {
                let _ = writeln!(
                    out,
                    "{}  {customer_name} {}",
                    time(e.created_at),
                    cart_event(e)
                );
            }
            TimelineItem::OrderEvent(e) => {
                let _ = writeln!(out, "{}  {}", time(e.created_at), order_event(e));
            }
        }
    }
    if let Some(draft) = view.draft.as_deref().filter(|d| !d.is_empty()) {
        let _ = writeln!(out, "\nDraft: {}", clip(&safe_line(draft), 200));
    }
    out
}

/// The snippet with its highlighted character ranges marked.
pub fn highlighted(hit: &SearchHit, style: Style) -> String {
    let chars: Vec<char> = hit.snippet.chars().collect();
    let mut out = String::new();
    let mut at = 0usize;
    for &(start, end) in &hit.highlights {
        let (start, end) = (start as usize, (end as usize).min(chars.len()));
        if start < at || start > end {
            continue;
        }
        // Made safe piece by piece: the ranges count the snippet's own characters.
        let piece = |range: &[char]| safe_line(&range.iter().collect::<String>()).into_owned();
        out.push_str(&piece(&chars[at..start]));
        out.push_str(&style.strong(&piece(&chars[start..end])));
        at = end;
    }
    out.push_str(&safe_line(
        &chars[at.min(chars.len())..].iter().collect::<String>(),
    ));
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub fn search_hits(hits: &[SearchHit], style: Style) -> String {
    let mut out = String::new();
    for hit in hits {
        let _ = writeln!(
            out,
            "{:>6}  {}  {} <{}>{}",
            hit.conversation_id,
            time(hit.at),
            safe_line(&hit.customer_name),
            safe_line(&hit.customer_email),
            match hit.status {
                ConversationStatus::Open => "",
                ConversationStatus::Closed => "  (closed)",
            }
        );
        let _ = writeln!(out, "        {}", highlighted(hit, style));
    }
    out
}

pub fn staff(list: &[Staff], me: i64) -> String {
    let mut out = String::new();
    for s in list {
        let _ = writeln!(
            out,
            "{:>6}  {}  {}  {}{}",
            s.id,
            column(&safe_line(&s.name), 22),
            column(&safe_line(&s.email), 32),
            if s.can_chat() {
                "can chat"
            } else {
                "no chat permission"
            },
            if s.id == me { "  (you)" } else { "" },
        );
    }
    out
}

/// A sync state as `watch` reports it.
pub fn sync_state(state: &SyncState) -> String {
    match state {
        SyncState::Idle => "sync: idle".into(),
        SyncState::Syncing {
            done,
            total: Some(total),
        } => format!("sync: catching up, {done} of {total} changes"),
        SyncState::Syncing { done, total: None } => format!("sync: catching up, {done} changes"),
        SyncState::Live => "sync: live".into(),
        SyncState::Offline { reason, .. } => {
            format!("sync: offline ({}); retrying", safe_line(reason))
        }
        SyncState::SignedOut => "sync: signed out".into(),
        SyncState::Error { detail, .. } => {
            format!("sync: error: {}; retrying", safe_line(detail))
        }
    }
}

/// A new customer message as `watch` reports it.
pub fn arrival(view: &ConversationView, message_id: i64) -> Option<String> {
    let message = view.timeline.iter().find_map(|item| match item {
        TimelineItem::Message(m) if m.message.id == message_id => Some(&m.message),
        _ => None,
    })?;
    let name = view
        .customer
        .as_ref()
        .map(|c| safe_line(&c.name))
        .unwrap_or(Cow::Borrowed("A customer"));
    let preview = body(&message.body).join(" ");
    Some(format!(
        "{}  new message from {name} in #{}: {}",
        time(message.created_at),
        view.conversation.id,
        clip(&preview, 100)
    ))
}

/// Events other than arrivals and sync states, for `watch`; `None` for the ones not worth a
/// line.
/// A decided notification, as `watch` prints it.
pub fn notification(n: &Notification) -> String {
    let place = n
        .conversation_id()
        .map(|id| format!(" #{id}"))
        .unwrap_or_default();
    format!(
        "notify{place}: {}: {}",
        safe_line(n.title()),
        safe_line(n.body())
    )
}

/// The notification settings, and whether they hold notifications back now.
pub fn notification_settings(settings: &Settings, silence: Option<Silence>) -> String {
    let mut text = format!(
        "previews: {}\nquiet hours: {}\n",
        if settings.previews { "on" } else { "off" },
        settings
            .quiet_hours
            .map(|q| q.to_string())
            .unwrap_or_else(|| "none".into()),
    );
    match silence {
        Some(Silence::Paused { until }) => {
            text.push_str(&format!("paused until {}\n", time(until)));
        }
        Some(Silence::QuietHours(_)) => text.push_str("quiet hours now: nothing is shown\n"),
        None => {}
    }
    text
}

pub fn other_event(event: &Event) -> Option<String> {
    match event {
        Event::Resync => Some("(missed some events; showing from here)".into()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(snippet: &str, highlights: Vec<(u32, u32)>) -> SearchHit {
        SearchHit {
            conversation_id: 1,
            customer_name: "Saga".into(),
            customer_email: "saga@example.se".into(),
            status: ConversationStatus::Closed,
            message_id: None,
            snippet: snippet.into(),
            highlights,
            at: 0,
        }
    }

    #[test]
    fn matches_are_marked_by_character_not_byte() {
        let h = hit("var är min beställning?", vec![(11, 22)]);
        assert_eq!(
            highlighted(&h, Style { ansi: false }),
            "var är min [beställning]?"
        );
        assert_eq!(
            highlighted(&h, Style { ansi: true }),
            "var är min \x1b[1mbeställning\x1b[0m?"
        );
    }

    #[test]
    fn clipping_counts_characters_and_flattens_lines() {
        assert_eq!(clip("åäö\nåäö", 20), "åäö åäö");
        assert_eq!(clip("åäöåäö", 4), "åäö…");
    }

    #[test]
    fn a_cart_event_names_the_product_only_when_the_shop_does() {
        let mut event = CartEvent {
            id: 1,
            conversation_id: 1,
            action: CartAction::Added,
            product_id: 3,
            product_name: Some("Blå kopp".into()),
            quantity: 2,
            created_at: 0,
        };
        assert_eq!(cart_event(&event), "added Blå kopp ×2 to the cart");
        event.product_name = None;
        event.action = CartAction::Removed;
        event.quantity = 1;
        assert_eq!(cart_event(&event), "removed a product from the cart");
    }

    #[test]
    fn an_order_event_says_which_order_was_placed() {
        let event = OrderEvent {
            id: 7,
            conversation_id: 3,
            order_id: 7,
            order_name: "#1234".into(),
            total: Money {
                minor: 27_310,
                currency: "SEK".into(),
            },
            created_at: 0,
        };
        assert_eq!(
            order_event(&event),
            format!("Order #1234 placed ({})", money(&event.total))
        );
    }

    #[test]
    fn money_is_minor_units() {
        let m = Money {
            minor: 49_900,
            currency: "SEK".into(),
        };
        assert_eq!(money(&m), "499.00 SEK");
    }
}

#[cfg(test)]
mod safety {
    use super::*;

    /// What a hostile customer sends: an OSC 52 that sets the clipboard, a CSI that erases the
    /// line, a one-byte CSI (C1), and a right-to-left override.
    const HOSTILE: &str = "hi\u{1b}]52;c;Y3VybCBldmlsfHNo\u{7}\u{1b}[2K\u{9b}31m \u{202e}gpj.exe";

    fn no_controls(text: &str) {
        assert!(
            !text.chars().any(|c| (c.is_control() && c != '\n' && c != '\t')
                || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')),
            "{text:?}"
        );
    }

    #[test]
    fn control_and_bidi_characters_are_shown_escaped() {
        assert_eq!(
            safe(HOSTILE),
            "hi\\u{1b}]52;c;Y3VybCBldmlsfHNo\\u{7}\\u{1b}[2K\\u{9b}31m \\u{202e}gpj.exe"
        );
        for c in [
            '\u{0}', '\r', '\u{7f}', '\u{85}', '\u{61c}', '\u{200e}', '\u{200f}', '\u{2066}',
            '\u{2069}',
        ] {
            no_controls(&safe(&format!("a{c}b")));
        }
        // Lines and tabs are text in a message; in a one-line field they would forge lines.
        assert_eq!(safe("two\nlines\tand a tab"), "two\nlines\tand a tab");
        assert_eq!(
            safe_line("Saga\n2026-01-01 12:00  Astrid (you)"),
            "Saga\\u{a}2026-01-01 12:00  Astrid (you)"
        );
        // Ordinary text, Swedish included, is left alone and not copied.
        assert!(matches!(
            safe("Hej, har ni den blå koppen?"),
            Cow::Borrowed(_)
        ));
        // Escaping twice changes nothing: the escapes are plain text.
        assert_eq!(safe(&safe(HOSTILE)), safe(HOSTILE));
    }

    #[test]
    fn json_keeps_its_value_and_shows_no_controls() {
        let value = serde_json::json!({ "text": HOSTILE, "name": "Åsa" });
        let printed = safe_json(&serde_json::to_string_pretty(&value).unwrap()).into_owned();
        no_controls(&printed);
        let read: serde_json::Value = serde_json::from_str(&printed).unwrap();
        assert_eq!(read, value, "{printed}");
    }

    fn view(name: &str, text: &str) -> ConversationView {
        ConversationView {
            conversation: Conversation {
                id: 105,
                customer_id: 9,
                platform: Platform::OnlineStore,
                status: ConversationStatus::Open,
                assignee_id: None,
                contact_email: "saga@example.se".into(),
                customer_online: false,
                created_at: 0,
                updated_at: 0,
                last_message_at: 0,
                topics: vec![],
                snoozed_until: None,
                woke_at: None,
            },
            customer: Some(Customer {
                id: 9,
                name: name.into(),
                email: format!("{HOSTILE}@example.se"),
                email_verified: true,
                phone: None,
                city: None,
                country: None,
                time_zone: None,
                kind: CustomerKind::New,
                customer_since: 0,
                total_spent: Money {
                    minor: 0,
                    currency: "SEK".into(),
                },
                email_marketing: false,
                sms_marketing: false,
                admin_url: String::new(),
            }),
            assignee: None,
            read_state: None,
            timeline: vec![TimelineItem::Message(inbox_core::MessageView {
                message: Message {
                    id: 1,
                    conversation_id: 105,
                    author: Author::Customer { customer_id: 9 },
                    body: MessageBody::Products {
                        text: Some(text.into()),
                        products: vec![ProductCard {
                            product_id: 1,
                            title: HOSTILE.into(),
                            price: Money {
                                minor: 100,
                                currency: HOSTILE.into(),
                            },
                            image_url: None,
                            url: "/".into(),
                        }],
                    },
                    delivery: None,
                    created_at: 0,
                },
                send_state: SendState::Failed {
                    code: "x".into(),
                    detail: HOSTILE.into(),
                },
                outbox_id: None,
            })],
            cart: None,
            draft: Some(HOSTILE.into()),
        }
    }

    #[test]
    fn a_chat_whose_email_nobody_proved_says_so() {
        let mut v = view("Saga", "hej");
        let people = People::new(&[], 1);
        assert!(!conversation(&v, &people).contains("not verified"));
        if let Some(c) = v.customer.as_mut() {
            c.email_verified = false;
        }
        let shown = conversation(&v, &people);
        assert!(
            shown
                .lines()
                .next()
                .unwrap()
                .contains("(email not verified)"),
            "{shown}"
        );
    }

    #[test]
    fn a_conversation_a_watch_line_and_a_notification_carry_no_controls() {
        let v = view(
            &format!("Saga{HOSTILE}\nforged line"),
            &format!("{HOSTILE}\nsecond line"),
        );
        let people = People::new(&[], 1);
        let shown = conversation(&v, &people);
        no_controls(&shown);
        assert!(shown.contains("\n    hi\\u{1b}]52;c;"), "{shown}");
        assert!(
            shown.contains("\n    second line\n"),
            "a message keeps its lines: {shown}"
        );
        assert!(
            !shown.contains("\nforged line"),
            "a name can't start a line: {shown}"
        );
        no_controls(&arrival(&v, 1).unwrap());
        let hit = SearchHit {
            conversation_id: 105,
            customer_name: HOSTILE.into(),
            customer_email: HOSTILE.into(),
            status: ConversationStatus::Open,
            message_id: Some(1),
            snippet: format!("{HOSTILE} koppen"),
            highlights: vec![(0, 2)],
            at: 0,
        };
        no_controls(&search_hits(&[hit], Style { ansi: false }));
    }
}
