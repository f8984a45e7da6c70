//! What the snooze choices mean, worked out on this computer so they work offline: "later
//! today", "tomorrow" and "next week" as times in the **shop's** time zone (the one the shop
//! last told us, [`crate::store::shop_time_zone`]; this computer's when it never did), and a custom date
//! and time read in that zone. The shop ends snoozes by absolute time; only choosing one needs
//! a calendar.

use inbox_protocol::{MAX_SNOOZE_MS, Millis};
use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ZonedDateTime as Zoned};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// When "tomorrow" and "next week" start, in the shop's time zone.
pub const MORNING_HOUR: i8 = 9;

/// "Later today" is this many hours ahead, on the hour…
pub const LATER_TODAY_HOURS: i64 = 3;

/// …and only offered while that is still before this hour in the shop.
pub const LATER_TODAY_UNTIL_HOUR: i8 = 21;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum SnoozeKind {
    LaterToday,
    Tomorrow,
    NextWeek,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SnoozeChoice {
    pub kind: SnoozeKind,
    pub until: Millis,
}

/// The choices offered now, and the zone they are in (for showing their times there).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SnoozeChoices {
    /// An IANA name such as `Europe/Stockholm`; empty when neither the shop nor this computer
    /// names one.
    pub time_zone: String,
    pub choices: Vec<SnoozeChoice>,
}

/// The shop's zone by name, or this computer's when the name is empty or unknown here.
pub fn zone(name: Option<&str>) -> TimeZone {
    name.filter(|n| !n.is_empty())
        .and_then(|n| TimeZone::get(n).ok())
        .unwrap_or_else(TimeZone::system)
}

fn at(zoned: &Zoned) -> Millis {
    zoned.timestamp().as_millisecond()
}

fn on(date: Date, hour: i8, zone: &TimeZone) -> Result<Zoned> {
    date.to_datetime(Time::constant(hour, 0, 0, 0))
        .to_zoned_datetime(zone.clone())
        .map_err(|e| Error::Input(format!("no such time in the shop's time zone: {e}")))
}

/// The choices at `now` in `zone`: later today (while it is still today there), tomorrow at
/// [`MORNING_HOUR`], and next Monday at [`MORNING_HOUR`] (the Monday after, on a Monday).
pub fn choices(now: Millis, zone: &TimeZone) -> Result<SnoozeChoices> {
    let now = Timestamp::from_millisecond(now)
        .map_err(|e| Error::Input(format!("not a time: {e}")))?
        .to_zoned_datetime(zone.clone());
    let today = now.date();
    let mut choices = Vec::new();
    let later = now
        .checked_add(jiff::Span::new().hours(LATER_TODAY_HOURS))
        .map_err(|e| Error::Input(e.to_string()))?;
    // On the hour: "until 15:00" reads better than "until 14:37".
    let later = if later.minute() == 0 && later.second() == 0 && later.subsec_nanosecond() == 0 {
        later
    } else {
        on(later.date(), later.hour(), zone)?
            .checked_add(jiff::Span::new().hours(1))
            .map_err(|e| Error::Input(e.to_string()))?
    };
    if later.date() == today && later.hour() <= LATER_TODAY_UNTIL_HOUR {
        choices.push(SnoozeChoice {
            kind: SnoozeKind::LaterToday,
            until: at(&later),
        });
    }
    let tomorrow = today.tomorrow().map_err(|e| Error::Input(e.to_string()))?;
    choices.push(SnoozeChoice {
        kind: SnoozeKind::Tomorrow,
        until: at(&on(tomorrow, MORNING_HOUR, zone)?),
    });
    let monday = today
        .nth_weekday(1, Weekday::Monday)
        .map_err(|e| Error::Input(e.to_string()))?;
    choices.push(SnoozeChoice {
        kind: SnoozeKind::NextWeek,
        until: at(&on(monday, MORNING_HOUR, zone)?),
    });
    Ok(SnoozeChoices {
        time_zone: zone.iana_name().unwrap_or_default().to_owned(),
        choices,
    })
}

/// A custom choice: `date` (`2026-12-24`) and `time` (`09:30`) read in `zone`. A time that
/// doesn't exist there (skipped by a clock change) moves forward as the clocks did.
pub fn local(date: &str, time: &str, zone: &TimeZone) -> Result<Millis> {
    let date: Date = date
        .trim()
        .parse()
        .map_err(|_| Error::Input(format!("{date:?} is not a date like 2026-12-24")))?;
    let time: Time = time
        .trim()
        .parse()
        .map_err(|_| Error::Input(format!("{time:?} is not a time like 09:30")))?;
    let zoned = date
        .to_datetime(time)
        .to_zoned_datetime(zone.clone())
        .map_err(|e| Error::Input(format!("no such time in the shop's time zone: {e}")))?;
    Ok(at(&zoned))
}

/// Whether a snooze until `until` may be asked for at `now`: ahead, and at most a year ahead.
pub fn check(until: Millis, now: Millis) -> Result<()> {
    if until <= now {
        return Err(Error::Input("the snooze must end in the future".into()));
    }
    if until - now > MAX_SNOOZE_MS {
        return Err(Error::Input(
            "a conversation can be snoozed for a year at most".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stockholm() -> TimeZone {
        TimeZone::get("Europe/Stockholm").unwrap()
    }

    fn ms(text: &str) -> Millis {
        text.parse::<Zoned>().unwrap().timestamp().as_millisecond()
    }

    fn kinds(c: &SnoozeChoices) -> Vec<(SnoozeKind, Millis)> {
        c.choices.iter().map(|c| (c.kind, c.until)).collect()
    }

    #[test]
    fn a_tuesday_afternoon_in_the_shop() {
        // 2026-12-08 is a Tuesday; 14:37 in Stockholm.
        let now = ms("2026-12-08T14:37:00+01:00[Europe/Stockholm]");
        let c = choices(now, &stockholm()).unwrap();
        assert_eq!(c.time_zone, "Europe/Stockholm");
        assert_eq!(
            kinds(&c),
            [
                (
                    SnoozeKind::LaterToday,
                    ms("2026-12-08T18:00:00+01:00[Europe/Stockholm]")
                ),
                (
                    SnoozeKind::Tomorrow,
                    ms("2026-12-09T09:00:00+01:00[Europe/Stockholm]")
                ),
                (
                    SnoozeKind::NextWeek,
                    ms("2026-12-14T09:00:00+01:00[Europe/Stockholm]")
                ),
            ]
        );
    }

    #[test]
    fn late_in_the_evening_there_is_no_later_today() {
        let now = ms("2026-12-08T19:05:00+01:00[Europe/Stockholm]");
        let c = choices(now, &stockholm()).unwrap();
        assert_eq!(c.choices[0].kind, SnoozeKind::Tomorrow);
        assert_eq!(c.choices.len(), 2);
    }

    #[test]
    fn on_a_monday_next_week_is_the_monday_after() {
        let now = ms("2026-12-14T08:00:00+01:00[Europe/Stockholm]");
        let c = choices(now, &stockholm()).unwrap();
        let next = c
            .choices
            .iter()
            .find(|c| c.kind == SnoozeKind::NextWeek)
            .unwrap();
        assert_eq!(
            next.until,
            ms("2026-12-21T09:00:00+01:00[Europe/Stockholm]")
        );
    }

    #[test]
    fn the_shop_s_morning_not_this_computer_s() {
        // 23:30 in New York is 05:30 the next day in Stockholm: "tomorrow" is the shop's.
        let now = ms("2026-12-08T23:30:00-05:00[America/New_York]");
        let c = choices(now, &stockholm()).unwrap();
        let tomorrow = c
            .choices
            .iter()
            .find(|c| c.kind == SnoozeKind::Tomorrow)
            .unwrap();
        assert_eq!(
            tomorrow.until,
            ms("2026-12-10T09:00:00+01:00[Europe/Stockholm]")
        );
        let later = c
            .choices
            .iter()
            .find(|c| c.kind == SnoozeKind::LaterToday)
            .unwrap();
        assert_eq!(
            later.until,
            ms("2026-12-09T09:00:00+01:00[Europe/Stockholm]")
        );
    }

    #[test]
    fn across_a_clock_change() {
        // Stockholm moves to summer time on 2027-03-28 at 02:00; the next morning is 09:00
        // summer time, an hour less than 24 h later.
        let now = ms("2027-03-27T20:00:00+01:00[Europe/Stockholm]");
        let c = choices(now, &stockholm()).unwrap();
        let tomorrow = c
            .choices
            .iter()
            .find(|c| c.kind == SnoozeKind::Tomorrow)
            .unwrap();
        assert_eq!(
            tomorrow.until,
            ms("2027-03-28T09:00:00+02:00[Europe/Stockholm]")
        );
        // 02:30 that night doesn't exist there: it moves forward with the clocks.
        assert_eq!(
            local("2027-03-28", "02:30", &stockholm()).unwrap(),
            ms("2027-03-28T03:30:00+02:00[Europe/Stockholm]")
        );
    }

    #[test]
    fn custom_times_read_in_the_shop_s_zone_and_bad_ones_say_why() {
        assert_eq!(
            local("2026-12-24", "09:30", &stockholm()).unwrap(),
            ms("2026-12-24T09:30:00+01:00[Europe/Stockholm]")
        );
        let bad = local("24/12/2026", "09:30", &stockholm()).unwrap_err();
        assert!(bad.to_string().contains("2026-12-24"), "{bad}");
        let bad = local("2026-12-24", "25:00", &stockholm()).unwrap_err();
        assert!(bad.to_string().contains("09:30"), "{bad}");
    }

    #[test]
    fn a_snooze_is_ahead_and_within_a_year() {
        assert!(check(1_000, 1_000).is_err());
        assert!(check(1_001, 1_000).is_ok());
        assert!(check(1_000 + MAX_SNOOZE_MS + 1, 1_000).is_err());
    }

    #[test]
    fn an_unknown_zone_falls_back_to_this_computer_s() {
        assert_eq!(zone(Some("Mars/Olympus")), TimeZone::system());
        assert_eq!(zone(Some("")), TimeZone::system());
        assert_eq!(zone(Some("Europe/Stockholm")), stockholm());
    }
}
