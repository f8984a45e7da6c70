import { describe, expect, it } from 'vitest';

import type { Figures_Serialize as Figures } from '../bindings';
import {
  addDays,
  dayCount,
  dayOf,
  daysFor,
  formatFigure,
  formatResponseTime,
  previousDays,
  queryFor,
  startOfDay,
} from './metrics';

const STOCKHOLM = 'Europe/Stockholm';
// 2026-03-30 10:00 in Stockholm (summer time began on the 29th).
const NOW = Date.UTC(2026, 2, 30, 8, 0);
const CUSTOM = { first: '2026-01-01', last: '2026-01-10' };

describe('ranges', () => {
  it('cuts days at midnight in the given time zone', () => {
    expect(dayOf(Date.UTC(2026, 0, 1, 22, 59), STOCKHOLM)).toBe('2026-01-01');
    expect(dayOf(Date.UTC(2026, 0, 1, 23, 0), STOCKHOLM)).toBe('2026-01-02');
    expect(startOfDay('2026-01-02', STOCKHOLM)).toBe(Date.UTC(2026, 0, 1, 23, 0));
    // Summer time: midnight is 22:00 UTC.
    expect(startOfDay('2026-03-30', STOCKHOLM)).toBe(Date.UTC(2026, 2, 29, 22, 0));
    expect(startOfDay('2026-03-30', 'UTC')).toBe(Date.UTC(2026, 2, 30));
  });

  it('today, 7, 30 and 90 days end today; a custom range is taken as given', () => {
    expect(daysFor('today', NOW, CUSTOM, STOCKHOLM)).toEqual({
      first: '2026-03-30',
      last: '2026-03-30',
    });
    expect(daysFor('7', NOW, CUSTOM, STOCKHOLM)).toEqual({
      first: '2026-03-24',
      last: '2026-03-30',
    });
    expect(daysFor('30', NOW, CUSTOM, STOCKHOLM)).toEqual({
      first: '2026-03-01',
      last: '2026-03-30',
    });
    expect(dayCount(daysFor('90', NOW, CUSTOM, STOCKHOLM))).toBe(90);
    expect(daysFor('custom', NOW, CUSTOM, STOCKHOLM)).toEqual(CUSTOM);
    expect(daysFor('custom', NOW, { first: '2026-01-10', last: '2026-01-01' })).toEqual(CUSTOM);
  });

  it('the previous period is the same number of days just before', () => {
    expect(previousDays({ first: '2026-03-30', last: '2026-03-30' })).toEqual({
      first: '2026-03-29',
      last: '2026-03-29',
    });
    expect(previousDays(CUSTOM)).toEqual({ first: '2025-12-22', last: '2025-12-31' });
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
  });

  it('asks the engine for half-open spans from midnight to midnight, across summer time', () => {
    const q = queryFor(daysFor('7', NOW, CUSTOM, STOCKHOLM), STOCKHOLM);
    expect(q.current).toEqual({
      from: Date.UTC(2026, 2, 23, 23, 0),
      to: Date.UTC(2026, 2, 30, 22, 0),
    });
    // The week holding the change is an hour shorter; the one before is whole.
    expect(q.current.to - q.current.from).toBe(7 * 86_400_000 - 3_600_000);
    expect(q.previous).toEqual({ from: Date.UTC(2026, 2, 16, 23, 0), to: q.current.from });
  });
});

describe('formatting', () => {
  const figures: Figures = {
    conversations: 1234,
    replied: 1000,
    first_response_median_ms: 95 * 60_000,
    first_response_p90_ms: null,
    with_sale: 56,
  };

  it('writes counts and response times in the locale', () => {
    expect(formatFigure(figures, 'conversations', 'en-GB')).toBe('1,234');
    expect(formatFigure(figures, 'conversations', 'sv-SE')).toBe('1\u00a0234');
    expect(formatFigure(figures, 'p90', 'en-GB')).toBe('–');
    expect(formatFigure(figures, 'median', 'en-GB')).toBe('1 hr 35 mins');
    expect(formatFigure(figures, 'median', 'sv-SE')).toBe('1 tim 35 min');
  });

  it('response times in their largest sensible units', () => {
    expect(formatResponseTime(null, 'en-GB')).toBeNull();
    expect(formatResponseTime(42_000, 'en-GB')).toBe('42 secs');
    expect(formatResponseTime(5 * 60_000, 'en-GB')).toBe('5 mins');
    expect(formatResponseTime(2 * 3_600_000, 'en-GB')).toBe('2 hrs');
    expect(formatResponseTime(26 * 3_600_000, 'sv-SE')).toBe('1 d 2 tim');
  });
});
