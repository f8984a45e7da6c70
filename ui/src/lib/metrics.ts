// The metrics view's decisions, as pure functions: which days a range choice covers, the
// period before it, and how its figures are written. The time zone and `now` are arguments;
// the view passes the shop's zone (this computer's until the first sync has told it).

import type { Compared_Serialize, Figures_Serialize as Figures, MetricsQuery } from '../bindings';

export type RangeChoice = 'today' | '7' | '30' | '90' | 'custom';

export const RANGE_CHOICES: readonly RangeChoice[] = ['today', '7', '30', '90', 'custom'];

/** A calendar day, `YYYY-MM-DD`, as a date input holds it. */
export type Day = string;

/** A day's year, month (1–12) and day of the month. */
function parts(day: Day): [number, number, number] {
  const [y = 1970, m = 1, d = 1] = day.split('-').map(Number);
  return [y, m, d];
}

/** The calendar day `at` falls on in `timeZone`. */
export function dayOf(at: number, timeZone?: string): Day {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(new Date(at));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** The day `n` days after `day` (before, for negative `n`), by the calendar. */
export function addDays(day: Day, n: number): Day {
  const [y, m, d] = parts(day);
  const date = new Date(Date.UTC(y, m - 1, d + n));
  return date.toISOString().slice(0, 10);
}

/** The offset of `timeZone` from UTC at `at`, in ms (positive east of Greenwich). */
function offsetAt(at: number, timeZone?: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(at));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return wall - Math.floor(at / 1000) * 1000;
}

/** The first millisecond of `day` in `timeZone` (midnight, or the first moment after it). */
export function startOfDay(day: Day, timeZone?: string): number {
  const [y, m, d] = parts(day);
  const utcMidnight = Date.UTC(y, m - 1, d);
  // Two passes find the offset in force at that midnight, across a change of offset.
  let at = utcMidnight - offsetAt(utcMidnight, timeZone);
  at = utcMidnight - offsetAt(at, timeZone);
  return at;
}

/** Whole days, first and last included. */
export interface DayRange {
  first: Day;
  last: Day;
}

/**
 * The days a choice covers, ending today: today alone, or the last 7, 30 or 90 days with
 * today the last of them. A custom range is taken as given, its ends swapped if reversed.
 */
export function daysFor(
  choice: RangeChoice,
  now: number,
  custom: DayRange,
  timeZone?: string,
): DayRange {
  const today = dayOf(now, timeZone);
  switch (choice) {
    case 'today':
      return { first: today, last: today };
    case '7':
    case '30':
    case '90':
      return { first: addDays(today, 1 - Number(choice)), last: today };
    case 'custom':
      return custom.first <= custom.last ? custom : { first: custom.last, last: custom.first };
  }
}

/** How many days a range holds. */
export function dayCount(range: DayRange): number {
  const ms = (day: Day) => {
    const [y, m, d] = parts(day);
    return Date.UTC(y, m - 1, d);
  };
  return Math.round((ms(range.last) - ms(range.first)) / 86_400_000) + 1;
}

/** The same number of days immediately before. */
export function previousDays(range: DayRange): DayRange {
  const n = dayCount(range);
  return { first: addDays(range.first, -n), last: addDays(range.first, -1) };
}

/** The engine's question: from the first day's midnight to the midnight after the last. */
export function queryFor(range: DayRange, timeZone?: string): MetricsQuery {
  const before = previousDays(range);
  return {
    current: {
      from: startOfDay(range.first, timeZone),
      to: startOfDay(addDays(range.last, 1), timeZone),
    },
    previous: {
      from: startOfDay(before.first, timeZone),
      to: startOfDay(addDays(before.last, 1), timeZone),
    },
  };
}

/** A count in the locale's digits. */
export function formatCount(n: number, tag: string): string {
  return new Intl.NumberFormat(tag).format(n);
}

/** A share as a percentage, none of nothing. */
export function formatShare(part: number, whole: number, tag: string): string | null {
  if (whole === 0) return null;
  return new Intl.NumberFormat(tag, { style: 'percent', maximumFractionDigits: 0 }).format(
    part / whole,
  );
}

/**
 * A response time: seconds under a minute, minutes under an hour, then hours and minutes, then
 * days and hours; in the locale's short units (`1 hr, 5 min` / `1 tim, 5 min`).
 */
export function formatResponseTime(ms: number | null, tag: string): string | null {
  if (ms === null) return null;
  const unit = (value: number, u: string) =>
    new Intl.NumberFormat(tag, { style: 'unit', unit: u, unitDisplay: 'short' }).format(value);
  const s = Math.round(Math.max(0, ms) / 1000);
  if (s < 60) return unit(s, 'second');
  const min = Math.floor(s / 60);
  if (min < 60) return unit(min, 'minute');
  const h = Math.floor(min / 60);
  if (h < 24)
    return min % 60 === 0 ? unit(h, 'hour') : `${unit(h, 'hour')} ${unit(min % 60, 'minute')}`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? unit(d, 'day') : `${unit(d, 'day')} ${unit(h % 24, 'hour')}`;
}

/** Which figure a chart or column shows. */
export type FigureKey = 'conversations' | 'replied' | 'median' | 'p90' | 'sales';

export const FIGURE_KEYS: readonly FigureKey[] = [
  'conversations',
  'replied',
  'median',
  'p90',
  'sales',
];

/** A figure's value: a count, or a time in ms (none when nothing was replied). */
export function figureValue(f: Figures, key: FigureKey): number | null {
  switch (key) {
    case 'conversations':
      return f.conversations;
    case 'replied':
      return f.replied;
    case 'median':
      return f.first_response_median_ms;
    case 'p90':
      return f.first_response_p90_ms;
    case 'sales':
      return f.with_sale;
  }
}

/** A figure written for people; a dash for a time of nothing. */
export function formatFigure(f: Figures, key: FigureKey, tag: string): string {
  const value = figureValue(f, key);
  if (value === null) return '–';
  return key === 'median' || key === 'p90'
    ? (formatResponseTime(value, tag) ?? '–')
    : formatCount(value, tag);
}

/** One row of a split as the chart and the table show it. */
export interface MetricsRow {
  key: string;
  label: string;
  figures: Compared_Serialize;
}
