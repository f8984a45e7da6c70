//! Dates, times, money, durations and sizes, written the way the staff member's locale writes
//! them, with the platform's `Intl` and nothing else.
//!
//! Every function is pure: the locale (a BCP 47 tag such as `sv-SE`, see `getIntlTag()`), the
//! current time and the time zone are arguments, never read from the environment, so tests pin
//! them and the UI passes one `now` to a whole screen. Times are Unix milliseconds and money is
//! integer minor units, as the engine delivers them.

export type Millis = number;

/** An amount in minor units (cents, öre) of an ISO 4217 currency. */
export interface Money {
  minor: number;
  currency: string;
}

/** Options shared by the date functions; `timeZone` defaults to the system's. */
export interface ZoneOptions {
  timeZone?: string;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

// Intl formatters are costly to build and a list formats hundreds of rows: keep them.
const cache = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat | Intl.RelativeTimeFormat>();

function cached<T extends Intl.DateTimeFormat | Intl.NumberFormat | Intl.RelativeTimeFormat>(
  kind: string,
  tag: string,
  options: object,
  make: () => T,
): T {
  const key = `${kind}|${tag}|${JSON.stringify(options)}`;
  let formatter = cache.get(key) as T | undefined;
  if (!formatter) {
    formatter = make();
    cache.set(key, formatter);
  }
  return formatter;
}

function dateTime(tag: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  return cached('dt', tag, options, () => new Intl.DateTimeFormat(tag, options));
}

function number(tag: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  return cached('nf', tag, options, () => new Intl.NumberFormat(tag, options));
}

function zone(opts: ZoneOptions | undefined): { timeZone?: string } {
  return opts?.timeZone ? { timeZone: opts.timeZone } : {};
}

/** The calendar day `at` falls on in the zone, as a day number (days since 1970-01-01). */
function dayNumber(at: Millis, opts?: ZoneOptions): number {
  const parts = dateTime('en-US', {
    ...zone(opts),
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
  }).formatToParts(at);
  const get = (type: Intl.DateTimeFormatPartTypes): number =>
    Number(parts.find((p) => p.type === type)?.value);
  return Math.round(Date.UTC(get('year'), get('month') - 1, get('day')) / DAY);
}

/** How many calendar days `at` lies before `now` in the zone (0 today, 1 yesterday, -1 tomorrow). */
export function calendarDaysBefore(at: Millis, now: Millis, opts?: ZoneOptions): number {
  return dayNumber(now, opts) - dayNumber(at, opts);
}

function yearOf(at: Millis, opts?: ZoneOptions): string {
  return dateTime('en-US', { ...zone(opts), year: 'numeric' }).format(at);
}

/** The time of day: `14:05` in Swedish and British English, `2:05 PM` in US English. */
export function formatTime(at: Millis, tag: string, opts?: ZoneOptions): string {
  return dateTime(tag, { ...zone(opts), timeStyle: 'short' }).format(at);
}

/**
 * A message's time in a list or timeline: the time for today, the weekday for the six days
 * before, otherwise the date (with the year only when it isn't this year's). Anything in the
 * future beyond today (a skewed clock) is shown as a date, never as a weekday.
 */
export function formatMessageTime(
  at: Millis,
  now: Millis,
  tag: string,
  opts?: ZoneOptions,
): string {
  const days = calendarDaysBefore(at, now, opts);
  if (days === 0) return formatTime(at, tag, opts);
  if (days > 0 && days < 7) return dateTime(tag, { ...zone(opts), weekday: 'short' }).format(at);
  const sameYear = yearOf(at, opts) === yearOf(now, opts);
  return dateTime(tag, {
    ...zone(opts),
    day: 'numeric',
    month: 'short',
    ...(sameYear ? {} : { year: 'numeric' }),
  }).format(at);
}

/**
 * A moment ahead, such as when a snooze ends: the time today, the weekday and time within the
 * next six days, otherwise the date and time (with the year only when it isn't this year's).
 */
export function formatUpcoming(at: Millis, now: Millis, tag: string, opts?: ZoneOptions): string {
  const days = -calendarDaysBefore(at, now, opts);
  const time = formatTime(at, tag, opts);
  if (days <= 0) return time;
  if (days < 7) return `${dateTime(tag, { ...zone(opts), weekday: 'short' }).format(at)} ${time}`;
  const sameYear = yearOf(at, opts) === yearOf(now, opts);
  const date = dateTime(tag, {
    ...zone(opts),
    day: 'numeric',
    month: 'short',
    ...(sameYear ? {} : { year: 'numeric' }),
  }).format(at);
  return `${date} ${time}`;
}

/** A full date and time, for tooltips and details: `Monday 3 March 2025 at 14:05`. */
export function formatFullDateTime(at: Millis, tag: string, opts?: ZoneOptions): string {
  return dateTime(tag, { ...zone(opts), dateStyle: 'full', timeStyle: 'short' }).format(at);
}

/** A date without time: `3 March 2025` / `3 mars 2025`. */
export function formatDate(at: Millis, tag: string, opts?: ZoneOptions): string {
  return dateTime(tag, { ...zone(opts), dateStyle: 'long' }).format(at);
}

/** A short date and time, for orders and notes: `3 Mar 2025, 14:05`. */
export function formatDateTime(at: Millis, tag: string, opts?: ZoneOptions): string {
  return dateTime(tag, { ...zone(opts), dateStyle: 'medium', timeStyle: 'short' }).format(at);
}

/**
 * A day separator in a timeline: "Today", "Yesterday" (in the locale's words), otherwise the
 * weekday and date.
 */
export function formatDayHeading(at: Millis, now: Millis, tag: string, opts?: ZoneOptions): string {
  const days = calendarDaysBefore(at, now, opts);
  if (days === 0 || days === 1) {
    const relative = cached(
      'rt',
      tag,
      { numeric: 'auto' },
      () => new Intl.RelativeTimeFormat(tag, { numeric: 'auto' }),
    );
    const text = relative.format(-days, 'day');
    // "today" → "Today": a heading starts with a capital in both languages.
    return text.charAt(0).toLocaleUpperCase(tag) + text.slice(1);
  }
  const sameYear = yearOf(at, opts) === yearOf(now, opts);
  return dateTime(tag, {
    ...zone(opts),
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    ...(sameYear ? {} : { year: 'numeric' }),
  }).format(at);
}

/** Month and year: `March 2024` / `mars 2024`. */
export function formatMonthYear(at: Millis, tag: string, opts?: ZoneOptions): string {
  return dateTime(tag, { ...zone(opts), month: 'long', year: 'numeric' }).format(at);
}

/** How many digits after the decimal point `currency` has (SEK 2, JPY 0, KWD 3). */
export function currencyDigits(currency: string): number {
  return number('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/**
 * Money from minor units: `{ minor: 123450, currency: 'SEK' }` is `1 234,50 kr` in sv-SE and
 * `SEK 1,234.50` in en-GB. An unknown currency code is shown as the plain amount and the code.
 */
export function formatMoney(money: Money, tag: string): string {
  let digits: number;
  try {
    digits = currencyDigits(money.currency);
  } catch {
    const plain = number(tag, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    return `${plain.format(money.minor / 100)} ${money.currency}`;
  }
  return number(tag, { style: 'currency', currency: money.currency }).format(
    money.minor / 10 ** digits,
  );
}

/**
 * The time now where the customer is, from their IANA time zone, with the zone's short name:
 * `{ time: '09:05', zone: 'GMT-5' }`. `null` for a missing or unknown zone, so the profile
 * leaves the line out instead of showing the staff member's own time.
 */
export function formatLocalTime(
  now: Millis,
  timeZone: string | null | undefined,
  tag: string,
): { time: string; zone: string } | null {
  if (!timeZone) return null;
  try {
    const time = formatTime(now, tag, { timeZone });
    const parts = dateTime(tag, { timeZone, timeZoneName: 'short' }).formatToParts(now);
    const zoneName = parts.find((p) => p.type === 'timeZoneName')?.value ?? timeZone;
    return { time, zone: zoneName };
  } catch {
    return null;
  }
}

type DurationUnit = 'year' | 'month' | 'week' | 'day' | 'hour' | 'minute' | 'second';

function unitAmount(value: number, unit: DurationUnit, tag: string): string {
  return number(tag, { style: 'unit', unit, unitDisplay: 'long' }).format(value);
}

/**
 * A span of time in its largest whole unit: `3 minutes`, `2 hours`, `5 days` / `3 minuter`,
 * `2 timmar`, `5 dagar`. For "offline for …"; under a minute is shown in seconds.
 */
export function formatDuration(ms: number, tag: string): string {
  const span = Math.max(0, ms);
  if (span >= DAY) return unitAmount(Math.floor(span / DAY), 'day', tag);
  if (span >= HOUR) return unitAmount(Math.floor(span / HOUR), 'hour', tag);
  if (span >= MINUTE) return unitAmount(Math.floor(span / MINUTE), 'minute', tag);
  return unitAmount(Math.floor(span / SECOND), 'second', tag);
}

/**
 * How long someone has been a customer, in whole calendar years, months or days:
 * `2 years`, `5 months`, `1 day` / `2 år`, `5 månader`, `1 dag`. Never less than one day.
 */
export function formatCustomerSince(
  since: Millis,
  now: Millis,
  tag: string,
  opts?: ZoneOptions,
): string {
  const from = new Date(since);
  const to = new Date(now);
  let months =
    (to.getUTCFullYear() - from.getUTCFullYear()) * 12 + (to.getUTCMonth() - from.getUTCMonth());
  if (to.getUTCDate() < from.getUTCDate()) months -= 1;
  if (months >= 12) return unitAmount(Math.floor(months / 12), 'year', tag);
  if (months >= 1) return unitAmount(months, 'month', tag);
  const days = Math.max(1, calendarDaysBefore(since, now, opts));
  return unitAmount(days, 'day', tag);
}

/** A file size in the largest unit that keeps it at least 1: `840 kB`, `12.5 MB` / `12,5 MB`. */
export function formatFileSize(bytes: number, tag: string): string {
  const units = [
    ['gigabyte', 1024 ** 3],
    ['megabyte', 1024 ** 2],
    ['kilobyte', 1024],
  ] as const;
  for (const [unit, size] of units) {
    if (bytes >= size) {
      return number(tag, { style: 'unit', unit, maximumFractionDigits: 1 }).format(bytes / size);
    }
  }
  return number(tag, { style: 'unit', unit: 'byte', unitDisplay: 'long' }).format(bytes);
}

/** Minutes after midnight as a time of day, for quiet hours: `1320` → `22:00`. */
export function formatMinuteOfDay(minute: number, tag: string): string {
  const clamped = ((Math.floor(minute) % 1440) + 1440) % 1440;
  return formatTime(Date.UTC(2000, 0, 1, 0, clamped), tag, { timeZone: 'UTC' });
}

/** A list of names in the locale's way: `A, B and C` / `A, B och C`. */
export function formatList(items: readonly string[], tag: string): string {
  return new Intl.ListFormat(tag, { style: 'long', type: 'conjunction' }).format(items);
}
