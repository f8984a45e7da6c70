//! From synced changes to the notifications one staff member should see, decided in the same
//! transaction that applies the changes to the mirror.
//!
//! The policy ([`crate::notify::decide`]) says who hears about a customer message; this module
//! adds what a person needs on top: "assigned to you" and "back from snooze", never twice for
//! one message (the `notified` table commits with the batch, so it survives restarts), nothing
//! for the conversation on screen, in quiet hours or while paused, nothing for what was already
//! read on another device, and one summary instead of a flood when a first sync or a catch-up
//! brings in messages that are old or many. It decides against the mirror as the batch leaves
//! it, so a listener that falls behind can't judge a message by a later assignment.
//!
//! It never shows anything: [`crate::desktop_notify`] (or the app) does. The settings live in
//! a small JSON file beside the mirror ([`SETTINGS_FILE`]), not in the database.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use inbox_protocol::*;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use crate::error::{Error, Result};
use crate::notify;
use crate::store;

/// Messages younger than this still notify one by one when they arrive in a catch-up.
pub const FRESH_FOR_MS: Millis = 3 * 60 * 1000;

/// A first sync or catch-up that would notify more messages than this sums them all up.
pub const FLOOD: usize = 3;

/// Longest preview shown, in characters.
const PREVIEW_CHARS: usize = 140;

/// The settings file in an account's folder (beside `mirror.db`).
pub const SETTINGS_FILE: &str = "notifications.json";

/// Do-not-disturb hours, as minutes after local midnight; may span midnight (22:00–07:00).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct QuietHours {
    pub start_minute: u16,
    pub end_minute: u16,
}

impl QuietHours {
    pub fn contains(&self, minute_of_day: u16) -> bool {
        if self.start_minute <= self.end_minute {
            (self.start_minute..self.end_minute).contains(&minute_of_day)
        } else {
            minute_of_day >= self.start_minute || minute_of_day < self.end_minute
        }
    }
}

impl std::fmt::Display for QuietHours {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hm = |m: u16| format!("{:02}:{:02}", m / 60, m % 60);
        write!(f, "{}-{}", hm(self.start_minute), hm(self.end_minute))
    }
}

impl std::str::FromStr for QuietHours {
    type Err = Error;

    /// `22:00-07:00`.
    fn from_str(text: &str) -> Result<QuietHours> {
        let bad = || Error::Input(format!("quiet hours look like 22:00-07:00, not {text:?}"));
        let minute = |hm: &str| -> Result<u16> {
            let (h, m) = hm.trim().split_once(':').ok_or_else(bad)?;
            let (h, m): (u16, u16) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
            if h > 23 || m > 59 {
                return Err(bad());
            }
            Ok(h * 60 + m)
        };
        let (start, end) = text.split_once('-').ok_or_else(bad)?;
        let (start_minute, end_minute) = (minute(start)?, minute(end)?);
        if start_minute == end_minute {
            return Err(Error::Input(
                "quiet hours must start and end at different times".into(),
            ));
        }
        Ok(QuietHours {
            start_minute,
            end_minute,
        })
    }
}

/// One account's notification settings, kept in [`SETTINGS_FILE`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct Settings {
    /// Show the message text; off shows only who wrote.
    pub previews: bool,
    pub quiet_hours: Option<QuietHours>,
    /// "Pause for 1 hour": nothing until then.
    pub paused_until: Option<Millis>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            previews: true,
            quiet_hours: None,
            paused_until: None,
        }
    }
}

impl Settings {
    /// The settings saved in an account's folder; the defaults when there are none. A damaged
    /// file is an error (the caller decides whether to fall back).
    pub fn load(account_dir: &Path) -> Result<Settings> {
        match std::fs::read(account_dir.join(SETTINGS_FILE)) {
            Ok(bytes) => Ok(serde_json::from_slice(&bytes)?),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Settings::default()),
            Err(e) => Err(e.into()),
        }
    }

    /// Saves atomically (a whole file or the old one, never half).
    pub fn save(&self, account_dir: &Path) -> Result<()> {
        std::fs::create_dir_all(account_dir)?;
        let path = account_dir.join(SETTINGS_FILE);
        let tmp = account_dir.join(format!("{SETTINGS_FILE}.tmp"));
        std::fs::write(&tmp, serde_json::to_vec_pretty(self)?)?;
        std::fs::rename(&tmp, &path)?;
        Ok(())
    }

    /// Why nothing is shown at `moment`, if it isn't.
    pub fn silence(&self, moment: &Moment) -> Option<Silence> {
        if let Some(until) = self.paused_until.filter(|until| moment.now < *until) {
            return Some(Silence::Paused { until });
        }
        self.quiet_hours
            .filter(|q| q.contains(moment.local_minute))
            .map(Silence::QuietHours)
    }
}

/// Why notifications are held back right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Silence {
    Paused { until: Millis },
    QuietHours(QuietHours),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    #[default]
    En,
    Sv,
}

/// The moment a batch is judged in.
#[derive(Debug, Clone, Copy)]
pub struct Moment {
    pub now: Millis,
    /// Minutes after local midnight, for quiet hours.
    pub local_minute: u16,
    /// The conversation open on screen in a focused window, if any.
    pub focused: Option<i64>,
}

impl Moment {
    /// Now, by the system clock and time zone.
    pub fn now(focused: Option<i64>) -> Moment {
        let now = store::now_ms();
        let local_minute = jiff::Timestamp::from_millisecond(now)
            .map(|at| {
                let local = at.to_zoned_datetime(jiff::tz::TimeZone::system());
                local.hour() as u16 * 60 + local.minute() as u16
            })
            .unwrap_or_default();
        Moment {
            now,
            local_minute,
            focused,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Notification {
    /// One customer message; clicking opens its conversation.
    Message {
        conversation_id: i64,
        message_id: i64,
        title: String,
        body: String,
    },
    /// Someone assigned a conversation to this staff member.
    Assigned {
        conversation_id: i64,
        title: String,
        body: String,
    },
    /// A snoozed conversation came back because its time came.
    Woke {
        conversation_id: i64,
        title: String,
        body: String,
    },
    /// Messages that arrived while offline (or too many at once), summed up.
    Summary {
        messages: u32,
        conversations: u32,
        title: String,
        body: String,
    },
    /// "Send test notification" in the settings.
    Test { title: String, body: String },
    /// Said once, the first time the window is closed: the app keeps running in the tray.
    StillRunning { title: String, body: String },
}

impl Notification {
    pub fn title(&self) -> &str {
        match self {
            Notification::Message { title, .. }
            | Notification::Assigned { title, .. }
            | Notification::Woke { title, .. }
            | Notification::Summary { title, .. }
            | Notification::Test { title, .. }
            | Notification::StillRunning { title, .. } => title,
        }
    }

    pub fn body(&self) -> &str {
        match self {
            Notification::Message { body, .. }
            | Notification::Assigned { body, .. }
            | Notification::Woke { body, .. }
            | Notification::Summary { body, .. }
            | Notification::Test { body, .. }
            | Notification::StillRunning { body, .. } => body,
        }
    }

    /// The conversation a click opens; `None` opens the inbox.
    pub fn conversation_id(&self) -> Option<i64> {
        match self {
            Notification::Message {
                conversation_id, ..
            }
            | Notification::Assigned {
                conversation_id, ..
            }
            | Notification::Woke {
                conversation_id, ..
            } => Some(*conversation_id),
            Notification::Summary { .. }
            | Notification::Test { .. }
            | Notification::StillRunning { .. } => None,
        }
    }

    pub fn message_id(&self) -> Option<i64> {
        match self {
            Notification::Message { message_id, .. } => Some(*message_id),
            _ => None,
        }
    }

    /// A short stable name of the kind: `message`, `assigned`, `woke`, `summary`, `test`,
    /// `still_running`.
    pub fn kind(&self) -> &'static str {
        match self {
            Notification::Message { .. } => "message",
            Notification::Assigned { .. } => "assigned",
            Notification::Woke { .. } => "woke",
            Notification::Summary { .. } => "summary",
            Notification::Test { .. } => "test",
            Notification::StillRunning { .. } => "still_running",
        }
    }

    /// The first time the window is closed: where the app went, and how to change it.
    pub fn still_running(lang: Lang) -> Notification {
        let (title, body) = match lang {
            Lang::En => (
                "Inbox is still running",
                "Closing the window keeps Inbox in the tray, so notifications keep coming. \
                 Quit from the tray menu, or turn off \"Keep running when the window is closed\" \
                 in Settings.",
            ),
            Lang::Sv => (
                "Inkorg körs fortfarande",
                "När fönstret stängs finns Inkorg kvar i systemfältet, så notiser fortsätter att \
                 komma. Avsluta från menyn i systemfältet, eller stäng av \"Fortsätt köra när \
                 fönstret stängs\" i Inställningar.",
            ),
        };
        Notification::StillRunning {
            title: title.to_owned(),
            body: body.to_owned(),
        }
    }

    /// What "send test notification" shows; says so when notifications are held back now.
    pub fn test(lang: Lang, silence: Option<Silence>) -> Notification {
        let (title, mut body) = match lang {
            Lang::En => (
                "Inbox",
                "Notifications work: new customer messages will look like this.".to_owned(),
            ),
            Lang::Sv => (
                "Inkorg",
                "Notiser fungerar: nya kundmeddelanden kommer att se ut så här.".to_owned(),
            ),
        };
        let held = match (silence, lang) {
            (None, _) => None,
            (Some(Silence::Paused { .. }), Lang::En) => Some("Notifications are paused now."),
            (Some(Silence::Paused { .. }), Lang::Sv) => Some("Notiser är pausade nu."),
            (Some(Silence::QuietHours(_)), Lang::En) => Some("It is quiet hours now."),
            (Some(Silence::QuietHours(_)), Lang::Sv) => Some("Det är stilla timmar nu."),
        };
        if let Some(held) = held {
            body.push(' ');
            body.push_str(held);
        }
        Notification::Test {
            title: title.to_owned(),
            body,
        }
    }
}

fn summary(messages: u32, conversations: u32, lang: Lang) -> (String, String) {
    match lang {
        Lang::En => (
            "Inbox".to_owned(),
            format!(
                "{messages} new {} in {conversations} {}",
                if messages == 1 { "message" } else { "messages" },
                if conversations == 1 {
                    "conversation"
                } else {
                    "conversations"
                }
            ),
        ),
        Lang::Sv => (
            "Inkorg".to_owned(),
            format!(
                "{messages} {} i {conversations} {}",
                if messages == 1 {
                    "nytt meddelande"
                } else {
                    "nya meddelanden"
                },
                if conversations == 1 {
                    "konversation"
                } else {
                    "konversationer"
                }
            ),
        ),
    }
}

fn hidden_preview(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "New message",
        Lang::Sv => "Nytt meddelande",
    }
}

fn preview(message: &Message, previews: bool, lang: Lang) -> String {
    if !previews {
        return hidden_preview(lang).to_owned();
    }
    match message.body.text() {
        Some(text) if !text.trim().is_empty() => {
            let mut out: String = plain(text).split_whitespace().collect::<Vec<_>>().join(" ");
            if out.chars().count() > PREVIEW_CHARS {
                out = out.chars().take(PREVIEW_CHARS - 1).collect::<String>() + "…";
            }
            out
        }
        _ => hidden_preview(lang).to_owned(),
    }
}

/// How a notification names a conversation: its customer, or the address it came from.
fn who(conn: &Connection, conversation: &Conversation) -> Result<String> {
    let name = store::customer(conn, conversation.customer_id)?
        .map(|c| c.name)
        .unwrap_or_else(|| conversation.contact_email.clone());
    Ok(plain(&name))
}

/// Customer text as a notification may show it: no control characters (a newline or escape in
/// a name) and no bidirectional overrides, embeddings or isolates, which would let a name such
/// as "\u{202E}gnp.exe" read backwards in the OS's notification. A notification server shows
/// its text as the OS lays it out, with nothing of ours to contain an override.
pub fn plain(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .filter(|c| !matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
        .collect()
}

/// What deciding needs from the caller, fixed for one batch.
#[derive(Debug, Clone)]
pub struct Context {
    pub settings: Settings,
    pub lang: Lang,
    pub moment: Moment,
}

/// What the mirror held of each conversation of a batch before the batch was applied: `None`
/// for a conversation the mirror did not know. Read inside the batch's transaction.
pub type Before = BTreeMap<i64, Option<Was>>;

/// A conversation as the mirror held it before a batch, as far as notifications care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Was {
    pub assignee_id: Option<i64>,
    /// When it last came back from a snooze, as the mirror knew it.
    pub woke_at: Option<Millis>,
}

pub fn before(tx: &Transaction<'_>, conversation_ids: impl Iterator<Item = i64>) -> Result<Before> {
    let mut out = Before::new();
    for id in conversation_ids {
        if out.contains_key(&id) {
            continue;
        }
        let was: Option<Was> = tx
            .prepare_cached(
                "SELECT assignee_id, json_extract(data, '$.woke_at') FROM conversations WHERE id = ?1",
            )?
            .query_row([id], |r| {
                Ok(Was {
                    assignee_id: r.get(0)?,
                    woke_at: r.get(1)?,
                })
            })
            .optional()?;
        out.insert(id, was);
    }
    Ok(out)
}

/// What one batch decided. Message notifications wait in `fresh` and `old` until
/// [`Decided::settle`], so a catch-up of several pages can still become one summary.
#[derive(Debug, Default)]
pub struct Decided {
    /// Messages new enough to show one by one, unless there are too many.
    pub fresh: Vec<Notification>,
    /// Messages to sum up: (conversation, message).
    pub old: Vec<(i64, i64)>,
    /// "Assigned to you" and "new conversation": shown as they are.
    pub other: Vec<Notification>,
}

impl Decided {
    pub fn extend(&mut self, more: Decided) {
        self.fresh.extend(more.fresh);
        self.old.extend(more.old);
        self.other.extend(more.other);
    }

    pub fn is_empty(&self) -> bool {
        self.fresh.is_empty() && self.old.is_empty() && self.other.is_empty()
    }

    /// What to show. `flood` is the most messages shown one by one before everything is
    /// summed up (`None` for live batches, which show each message as it comes).
    pub fn settle(self, lang: Lang, flood: Option<usize>) -> Vec<Notification> {
        let mut summed = self.old;
        let mut singles = self.fresh;
        if flood.is_some_and(|limit| singles.len() + summed.len() > limit) {
            summed.extend(singles.drain(..).filter_map(|n| match n {
                Notification::Message {
                    conversation_id,
                    message_id,
                    ..
                } => Some((conversation_id, message_id)),
                _ => None,
            }));
        }
        let mut out = Vec::new();
        if !summed.is_empty() {
            let conversations: BTreeSet<i64> = summed.iter().map(|s| s.0).collect();
            let (messages, conversations) = (summed.len() as u32, conversations.len() as u32);
            let (title, body) = summary(messages, conversations, lang);
            out.push(Notification::Summary {
                messages,
                conversations,
                title,
                body,
            });
        }
        // Someone assigned me a conversation whose messages are already in the summary or
        // shown: the assignment still says something new.
        out.extend(self.other);
        out.extend(singles);
        out
    }
}

fn already_notified(tx: &Transaction<'_>, message_id: i64) -> Result<bool> {
    Ok(tx
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM notified WHERE message_id = ?1)")?
        .query_row([message_id], |r| r.get(0))?)
}

fn record(tx: &Transaction<'_>, message_id: i64, now: Millis) -> Result<()> {
    tx.prepare_cached("INSERT OR IGNORE INTO notified (message_id, notified_at) VALUES (?1, ?2)")?
        .execute(params![message_id, now])?;
    Ok(())
}

/// Whether this staff member has already read `message_id` (on another device, say).
fn read_already(tx: &Transaction<'_>, conversation_id: i64, message_id: i64) -> Result<bool> {
    Ok(store::read_state(tx, conversation_id)?
        .and_then(|r| r.last_read_message_id)
        .is_some_and(|last| last >= message_id))
}

/// Decides what `me` is told about a batch that has just been applied (not part of a first
/// sync): its customer messages (`arrived`, in feed order: conversation, message), the
/// conversations it brought that the mirror did not know, and the ones newly assigned to me.
/// Records every message it decided on, shown or deliberately not, so none is decided twice.
///
/// A message is judged by its conversation as this batch leaves it. The feed gives each
/// entity's current state, so within one batch it can't tell whether an assignment came
/// before or after a message; live batches are a few milliseconds of the shop's time, and
/// in a catch-up the current assignee is the one who will answer.
pub fn for_batch(
    tx: &Transaction<'_>,
    me: i64,
    arrived: &[(i64, i64)],
    before: &Before,
    cx: &Context,
) -> Result<Decided> {
    let silenced = cx.settings.silence(&cx.moment).is_some();
    let shown = |conversation_id: i64| !silenced && cx.moment.focused != Some(conversation_id);
    let fresh = |at: Millis| cx.moment.now - at <= FRESH_FOR_MS;
    let mut conversations: BTreeMap<i64, Option<Conversation>> = BTreeMap::new();
    let mut load = |id: i64| -> Result<Option<Conversation>> {
        if let Some(c) = conversations.get(&id) {
            return Ok(c.clone());
        }
        let c = store::conversation(tx, id)?;
        conversations.insert(id, c.clone());
        Ok(c)
    };
    let mut out = Decided::default();
    for &(conversation_id, message_id) in arrived {
        if already_notified(tx, message_id)? {
            continue;
        }
        let Some(conversation) = load(conversation_id)? else {
            continue;
        };
        let message: Option<Message> = tx
            .prepare_cached("SELECT data FROM messages WHERE id = ?1")?
            .query_row([message_id], |r| r.get::<_, String>(0))
            .optional()?
            .map(|text| serde_json::from_str(&text))
            .transpose()?;
        let Some(message) = message else { continue };
        if !notify::decide(me, &conversation, &message).notifies() {
            continue;
        }
        record(tx, message_id, cx.moment.now)?;
        if !shown(conversation_id) || read_already(tx, conversation_id, message_id)? {
            continue;
        }
        if fresh(message.created_at) {
            out.fresh.push(Notification::Message {
                conversation_id,
                message_id,
                title: who(tx, &conversation)?,
                body: preview(&message, cx.settings.previews, cx.lang),
            });
        } else {
            out.old.push((conversation_id, message_id));
        }
    }
    for (&conversation_id, &was) in before {
        let Some(conversation) = load(conversation_id)? else {
            continue;
        };
        let Some(was) = was else {
            // New to the mirror: its first message says it.
            continue;
        };
        // Back from a snooze because its time came: news for whoever it concerns, under the
        // rules of a customer message (mine or nobody's), once for each wake.
        let woke = conversation
            .woke_at
            .filter(|&at| was.woke_at != Some(at) && fresh(at))
            .filter(|_| {
                conversation.status == ConversationStatus::Open
                    && conversation.snoozed_until.is_none()
                    && conversation.assignee_id.is_none_or(|a| a == me)
            });
        if woke.is_some() && shown(conversation_id) {
            out.other.push(Notification::Woke {
                conversation_id,
                title: who(tx, &conversation)?,
                body: match cx.lang {
                    Lang::En => "Back from snooze".into(),
                    Lang::Sv => "Tillbaka från snooze".into(),
                },
            });
        }
        let now_mine = conversation.assignee_id == Some(me);
        let assigned_to_me = now_mine && was.assignee_id != Some(me);
        // A customer who opened the chat without writing yet is no news: the first message
        // is, and one notification says it (a new chat that notified on opening too came
        // twice, 200 ms apart, as the widget starts the chat and then sends).
        if !assigned_to_me || !shown(conversation_id) || !fresh(conversation.updated_at) {
            continue;
        }
        let title = who(tx, &conversation)?;
        out.other.push(Notification::Assigned {
            conversation_id,
            title,
            body: match cx.lang {
                Lang::En => "Assigned to you".into(),
                Lang::Sv => "Tilldelad dig".into(),
            },
        });
    }
    Ok(out)
}

/// At the end of a first sync: the unread customer messages in open conversations that are
/// mine or nobody's, none decided before. Older ones are summed up; all are recorded.
pub fn for_first_sync(tx: &Transaction<'_>, me: i64, cx: &Context) -> Result<Decided> {
    let rows: Vec<(i64, i64, Millis)> = tx
        .prepare(
            "SELECT m.conversation_id, m.id, m.created_at
               FROM messages m
               JOIN conversations c ON c.id = m.conversation_id
               LEFT JOIN read_states r ON r.conversation_id = m.conversation_id
              WHERE m.from_customer = 1 AND m.id > 0 AND c.status = 'open'
                AND (c.assignee_id IS NULL OR c.assignee_id = ?1)
                AND coalesce(json_extract(r.data, '$.last_read_message_id'), 0) < m.id
                AND NOT EXISTS (SELECT 1 FROM notified n WHERE n.message_id = m.id)
              ORDER BY m.id",
        )?
        .query_map([me], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let silenced = cx.settings.silence(&cx.moment).is_some();
    let mut out = Decided::default();
    for (conversation_id, message_id, created_at) in rows {
        record(tx, message_id, cx.moment.now)?;
        if silenced || cx.moment.focused == Some(conversation_id) {
            continue;
        }
        if cx.moment.now - created_at <= FRESH_FOR_MS {
            let conversation = store::conversation(tx, conversation_id)?;
            let message: Option<Message> = tx
                .prepare_cached("SELECT data FROM messages WHERE id = ?1")?
                .query_row([message_id], |r| r.get::<_, String>(0))
                .optional()?
                .map(|text| serde_json::from_str(&text))
                .transpose()?;
            if let (Some(conversation), Some(message)) = (conversation, message) {
                out.fresh.push(Notification::Message {
                    conversation_id,
                    message_id,
                    title: who(tx, &conversation)?,
                    body: preview(&message, cx.settings.previews, cx.lang),
                });
                continue;
            }
        }
        out.old.push((conversation_id, message_id));
    }
    Ok(out)
}

/// The engine's side of notifications: whether anyone listens, the settings (re-read when
/// the file changes, so `inbox notify pause` reaches a running `inbox watch`), the language,
/// the focused conversation, and the channel decided notifications go out on.
#[derive(Debug)]
pub struct Notifier {
    dir: PathBuf,
    inner: Mutex<NotifierState>,
}

#[derive(Debug)]
struct NotifierState {
    settings: Settings,
    loaded: Option<SystemTime>,
    lang: Lang,
    focused: Option<i64>,
    tx: Option<mpsc::UnboundedSender<Notification>>,
}

impl Notifier {
    /// For the account whose folder is `dir`. A damaged settings file is replaced by the
    /// defaults (with a warning): it must not keep the inbox from opening.
    pub fn new(dir: &Path) -> Notifier {
        let settings = Settings::load(dir).unwrap_or_else(|error| {
            tracing::warn!(%error, "notification settings are damaged; using the defaults");
            Settings::default()
        });
        Notifier {
            dir: dir.to_owned(),
            inner: Mutex::new(NotifierState {
                settings,
                loaded: modified(dir),
                lang: Lang::default(),
                focused: None,
                tx: None,
            }),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, NotifierState> {
        self.inner.lock().expect("notifier poisoned")
    }

    /// Opens the stream of decided notifications (replacing an earlier one). Until a stream is
    /// open nothing is decided or recorded: a one-shot sync notifies no one.
    pub fn subscribe(&self) -> mpsc::UnboundedReceiver<Notification> {
        let (tx, rx) = mpsc::unbounded_channel();
        self.state().tx = Some(tx);
        rx
    }

    /// What deciding needs now, or `None` when nobody listens.
    pub fn context(&self) -> Option<Context> {
        let mut state = self.state();
        if state.tx.as_ref().is_none_or(|tx| tx.is_closed()) {
            return None;
        }
        let on_disk = modified(&self.dir);
        if on_disk != state.loaded {
            match Settings::load(&self.dir) {
                Ok(settings) => state.settings = settings,
                Err(error) => tracing::warn!(%error, "notification settings are damaged"),
            }
            state.loaded = on_disk;
        }
        Some(Context {
            settings: state.settings.clone(),
            lang: state.lang,
            moment: Moment::now(state.focused),
        })
    }

    pub fn send(&self, notifications: Vec<Notification>) {
        let state = self.state();
        if let Some(tx) = &state.tx {
            for n in notifications {
                let _ = tx.send(n);
            }
        }
    }

    pub fn settings(&self) -> Settings {
        self.state().settings.clone()
    }

    pub fn set_settings(&self, settings: Settings) -> Result<()> {
        let mut state = self.state();
        settings.save(&self.dir)?;
        state.settings = settings;
        state.loaded = modified(&self.dir);
        Ok(())
    }

    pub fn set_lang(&self, lang: Lang) {
        self.state().lang = lang;
    }

    pub fn lang(&self) -> Lang {
        self.state().lang
    }

    pub fn set_focused(&self, conversation_id: Option<i64>) {
        self.state().focused = conversation_id;
    }
}

fn modified(dir: &Path) -> Option<SystemTime> {
    std::fs::metadata(dir.join(SETTINGS_FILE))
        .and_then(|m| m.modified())
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_hours_may_span_midnight() {
        let night = QuietHours {
            start_minute: 22 * 60,
            end_minute: 7 * 60,
        };
        assert!(night.contains(23 * 60));
        assert!(night.contains(0));
        assert!(night.contains(6 * 60 + 59));
        assert!(!night.contains(7 * 60));
        assert!(!night.contains(12 * 60));
        let lunch = QuietHours {
            start_minute: 12 * 60,
            end_minute: 13 * 60,
        };
        assert!(lunch.contains(12 * 60 + 30));
        assert!(!lunch.contains(13 * 60));
    }

    #[test]
    fn quiet_hours_read_and_print_as_clock_times() {
        let night: QuietHours = "22:00-07:30".parse().unwrap();
        assert_eq!(
            night,
            QuietHours {
                start_minute: 22 * 60,
                end_minute: 7 * 60 + 30
            }
        );
        assert_eq!(night.to_string(), "22:00-07:30");
        for bad in [
            "22-07",
            "24:00-07:00",
            "22:00-22:00",
            "evening",
            "10:61-11:00",
        ] {
            assert!(bad.parse::<QuietHours>().is_err(), "{bad}");
        }
    }

    #[test]
    fn summaries_count_in_both_languages() {
        assert_eq!(
            summary(12, 5, Lang::En).1,
            "12 new messages in 5 conversations"
        );
        assert_eq!(summary(1, 1, Lang::En).1, "1 new message in 1 conversation");
        assert_eq!(
            summary(12, 5, Lang::Sv).1,
            "12 nya meddelanden i 5 konversationer"
        );
    }

    fn message(conversation_id: i64, message_id: i64) -> Notification {
        Notification::Message {
            conversation_id,
            message_id,
            title: "Elsa".into(),
            body: "hej".into(),
        }
    }

    #[test]
    fn a_few_fresh_messages_show_one_by_one_and_more_are_summed_up() {
        let few = Decided {
            fresh: vec![message(1, 10), message(2, 11)],
            old: vec![(3, 5)],
            other: vec![],
        };
        let shown = few.settle(Lang::En, Some(FLOOD));
        assert_eq!(shown.len(), 3);
        assert!(matches!(
            &shown[0],
            Notification::Summary {
                messages: 1,
                conversations: 1,
                ..
            }
        ));
        let many = Decided {
            fresh: (0..50).map(|i| message(i % 5, 100 + i)).collect(),
            ..Decided::default()
        };
        let shown = many.settle(Lang::En, Some(FLOOD));
        assert!(
            matches!(&shown[..], [Notification::Summary { messages: 50, conversations: 5, body, .. }] if body == "50 new messages in 5 conversations"),
            "{shown:?}"
        );
        let live = Decided {
            fresh: (0..5).map(|i| message(1, i)).collect(),
            ..Decided::default()
        };
        assert_eq!(live.settle(Lang::En, None).len(), 5);
    }

    #[test]
    fn settings_round_trip_through_their_file_and_default_to_previews_on() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Settings::load(dir.path()).unwrap(), Settings::default());
        assert!(Settings::default().previews);
        let settings = Settings {
            previews: false,
            quiet_hours: Some("22:00-07:00".parse().unwrap()),
            paused_until: Some(1_000),
        };
        settings.save(dir.path()).unwrap();
        assert_eq!(Settings::load(dir.path()).unwrap(), settings);
        // A file from a later version with more fields, or fewer, still loads.
        std::fs::write(
            dir.path().join(SETTINGS_FILE),
            r#"{"previews": false, "sound": true}"#,
        )
        .unwrap();
        let loaded = Settings::load(dir.path()).unwrap();
        assert!(!loaded.previews && loaded.quiet_hours.is_none());
    }

    #[test]
    fn pause_and_quiet_hours_silence_and_say_why() {
        let at = |now, local_minute| Moment {
            now,
            local_minute,
            focused: None,
        };
        let settings = Settings {
            previews: true,
            quiet_hours: Some("22:00-07:00".parse().unwrap()),
            paused_until: Some(5_000),
        };
        assert_eq!(
            settings.silence(&at(1_000, 12 * 60)),
            Some(Silence::Paused { until: 5_000 })
        );
        assert_eq!(settings.silence(&at(6_000, 12 * 60)), None);
        assert!(matches!(
            settings.silence(&at(6_000, 23 * 60)),
            Some(Silence::QuietHours(_))
        ));
        let test = Notification::test(Lang::En, settings.silence(&at(1_000, 0)));
        assert!(test.body().ends_with("Notifications are paused now."));
    }

    #[test]
    fn customer_text_in_a_notification_cannot_reverse_or_break_it() {
        assert_eq!(plain("Elsa\u{202E}gnp.exe"), "Elsagnp.exe");
        assert_eq!(plain("\u{2067}Maja\u{2069}"), "Maja");
        assert_eq!(plain("Bo\nBerg\u{1b}[31m"), "Bo Berg [31m");
        // Right-to-left text itself, and its marks, stay as written.
        assert_eq!(plain("שלום\u{200F}"), "שלום\u{200F}");
    }
}
