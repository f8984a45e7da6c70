import { describe, expect, it } from 'vitest';

import {
  calendarDaysBefore,
  currencyDigits,
  formatCustomerSince,
  formatDate,
  formatDateTime,
  formatDayHeading,
  formatDuration,
  formatFileSize,
  formatFullDateTime,
  formatList,
  formatLocalTime,
  formatMessageTime,
  formatMinuteOfDay,
  formatMoney,
  formatMonthYear,
  formatTime,
  formatUpcoming,
} from './format';

const STOCKHOLM = { timeZone: 'Europe/Stockholm' };

/** A Stockholm wall-clock time as Unix milliseconds (CET, UTC+1, in November). */
function cet(year: number, month: number, day: number, hour: number, minute = 0): number {
  return Date.UTC(year, month - 1, day, hour - 1, minute);
}

/** Sunday 22 November 2026, 14:00 in Stockholm. */
const NOW = cet(2026, 11, 22, 14, 0);
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

describe('message times', () => {
  it('show the time of day for today', () => {
    const at = cet(2026, 11, 22, 9, 5);
    expect(formatMessageTime(at, NOW, 'sv-SE', STOCKHOLM)).toBe('09:05');
    expect(formatMessageTime(at, NOW, 'en-GB', STOCKHOLM)).toBe('09:05');
    expect(formatMessageTime(at, NOW, 'en-US', STOCKHOLM)).toMatch(/^9:05\sAM$/u);
  });

  it('count "today" from midnight, not from 24 hours ago', () => {
    const lastNight = cet(2026, 11, 21, 23, 50);
    expect(NOW - lastNight).toBeLessThan(DAY);
    expect(formatMessageTime(lastNight, NOW, 'en-GB', STOCKHOLM)).toBe('Sat');
    expect(formatMessageTime(lastNight, NOW, 'sv-SE', STOCKHOLM)).toBe('lör');
  });

  it('show the weekday for the six days before today', () => {
    expect(formatMessageTime(cet(2026, 11, 16, 12), NOW, 'en-GB', STOCKHOLM)).toBe('Mon');
    expect(formatMessageTime(cet(2026, 11, 16, 12), NOW, 'sv-SE', STOCKHOLM)).toBe('mån');
  });

  it('show the date from a week back, with the year only for other years', () => {
    const weekAgo = cet(2026, 11, 15, 12);
    expect(formatMessageTime(weekAgo, NOW, 'en-GB', STOCKHOLM)).toBe('15 Nov');
    expect(formatMessageTime(weekAgo, NOW, 'sv-SE', STOCKHOLM)).toBe('15 nov.');
    const lastYear = cet(2025, 12, 30, 12);
    expect(formatMessageTime(lastYear, NOW, 'en-GB', STOCKHOLM)).toBe('30 Dec 2025');
    expect(formatMessageTime(lastYear, NOW, 'sv-SE', STOCKHOLM)).toBe('30 dec. 2025');
  });

  it('decide "today" in the given time zone', () => {
    // 00:30 in Stockholm is 23:30 the day before in UTC.
    const now = cet(2026, 11, 23, 0, 30);
    const at = cet(2026, 11, 22, 23, 0);
    const earlier = cet(2026, 11, 22, 0, 30); // 23:30 UTC on the 21st
    expect(formatMessageTime(at, now, 'en-GB', STOCKHOLM)).toBe('Sun');
    expect(formatMessageTime(at, now, 'en-GB', { timeZone: 'UTC' })).toBe('22:00');
    expect(calendarDaysBefore(earlier, now, STOCKHOLM)).toBe(1);
    expect(calendarDaysBefore(earlier, now, { timeZone: 'UTC' })).toBe(1);
  });

  it('count calendar days across a daylight saving change', () => {
    // Summer time ended in Stockholm on 25 October 2026: that day had 25 hours.
    const before = Date.UTC(2026, 9, 24, 22, 30); // 00:30 on the 25th, CEST
    const after = Date.UTC(2026, 9, 25, 22, 30); // 23:30 on the 25th, CET
    expect(calendarDaysBefore(before, after, STOCKHOLM)).toBe(0);
    expect(formatMessageTime(before, after, 'sv-SE', STOCKHOLM)).toBe('00:30');
  });

  it('show a time in the future beyond today as a date, never as a weekday', () => {
    expect(formatMessageTime(NOW + 2 * DAY, NOW, 'en-GB', STOCKHOLM)).toBe('24 Nov');
  });
});

describe('dates', () => {
  it('write full dates and times in each language', () => {
    expect(formatFullDateTime(NOW, 'en-GB', STOCKHOLM)).toBe('Sunday, 22 November 2026 at 14:00');
    expect(formatFullDateTime(NOW, 'sv-SE', STOCKHOLM)).toBe('söndag 22 november 2026 kl. 14:00');
    expect(formatDate(NOW, 'sv-SE', STOCKHOLM)).toBe('22 november 2026');
    expect(formatDateTime(NOW, 'en-GB', STOCKHOLM)).toBe('22 Nov 2026, 14:00');
    expect(formatMonthYear(NOW, 'sv-SE', STOCKHOLM)).toBe('november 2026');
    expect(formatTime(NOW, 'sv-SE', STOCKHOLM)).toBe('14:00');
  });

  it('head timeline days with today, yesterday, then the date', () => {
    expect(formatDayHeading(cet(2026, 11, 22, 8), NOW, 'en-GB', STOCKHOLM)).toBe('Today');
    expect(formatDayHeading(cet(2026, 11, 21, 8), NOW, 'en-GB', STOCKHOLM)).toBe('Yesterday');
    expect(formatDayHeading(cet(2026, 11, 22, 8), NOW, 'sv-SE', STOCKHOLM)).toMatch(/^I ?dag$/);
    expect(formatDayHeading(cet(2026, 11, 21, 8), NOW, 'sv-SE', STOCKHOLM)).toMatch(/^I ?går$/);
    expect(formatDayHeading(cet(2026, 11, 20, 8), NOW, 'en-GB', STOCKHOLM)).toBe(
      'Friday 20 November',
    );
    expect(formatDayHeading(cet(2026, 11, 20, 8), NOW, 'sv-SE', STOCKHOLM)).toBe(
      'fredag 20 november',
    );
    expect(formatDayHeading(cet(2025, 11, 20, 8), NOW, 'en-GB', STOCKHOLM)).toBe(
      'Thursday, 20 November 2025',
    );
  });

  it('write quiet hours as times of day', () => {
    expect(formatMinuteOfDay(22 * 60, 'sv-SE')).toBe('22:00');
    expect(formatMinuteOfDay(7 * 60 + 30, 'en-GB')).toBe('07:30');
    expect(formatMinuteOfDay(7 * 60 + 30, 'en-US')).toMatch(/^7:30\sAM$/u);
    expect(formatMinuteOfDay(1440, 'sv-SE')).toBe('00:00');
  });
});

describe('money', () => {
  it('writes SEK the Swedish way in Swedish: 1 234,50 kr', () => {
    expect(formatMoney({ minor: 123450, currency: 'SEK' }, 'sv-SE')).toBe('1\u00a0234,50\u00a0kr');
  });

  it('writes the same amount the English way in English', () => {
    expect(formatMoney({ minor: 123450, currency: 'SEK' }, 'en-GB')).toBe('SEK\u00a01,234.50');
    expect(formatMoney({ minor: 123450, currency: 'SEK' }, 'en-US')).toBe('SEK\u00a01,234.50');
    expect(formatMoney({ minor: 1999, currency: 'USD' }, 'en-US')).toBe('$19.99');
    expect(formatMoney({ minor: 1999, currency: 'EUR' }, 'sv-SE')).toBe('19,99\u00a0€');
  });

  it('reads minor units by the currency’s own number of decimals', () => {
    expect(currencyDigits('SEK')).toBe(2);
    expect(currencyDigits('JPY')).toBe(0);
    expect(currencyDigits('KWD')).toBe(3);
    expect(formatMoney({ minor: 500, currency: 'JPY' }, 'en-US')).toBe('¥500');
    expect(formatMoney({ minor: 1234, currency: 'KWD' }, 'en-GB')).toBe('KWD\u00a01.234');
  });

  it('keeps whole amounts, zero and negatives right', () => {
    expect(formatMoney({ minor: 0, currency: 'SEK' }, 'sv-SE')).toBe('0,00\u00a0kr');
    expect(formatMoney({ minor: 5, currency: 'SEK' }, 'sv-SE')).toBe('0,05\u00a0kr');
    expect(formatMoney({ minor: -1250, currency: 'SEK' }, 'sv-SE')).toBe('\u221212,50\u00a0kr');
    expect(formatMoney({ minor: 100_000_000, currency: 'SEK' }, 'sv-SE')).toBe(
      '1\u00a0000\u00a0000,00\u00a0kr',
    );
  });

  it('shows a malformed currency code beside the plain amount instead of throwing', () => {
    expect(formatMoney({ minor: 1234, currency: 'KRONOR' }, 'sv-SE')).toBe('12,34 KRONOR');
  });
});

describe('the customer’s local time', () => {
  it('is the time now in their zone, with the zone’s short name', () => {
    expect(formatLocalTime(NOW, 'America/New_York', 'en-GB')).toEqual({
      time: '08:00',
      zone: 'GMT-5',
    });
    expect(formatLocalTime(NOW, 'Asia/Tokyo', 'sv-SE')).toEqual({
      time: '22:00',
      zone: 'GMT+9',
    });
    expect(formatLocalTime(NOW, 'Europe/Stockholm', 'sv-SE')?.time).toBe('14:00');
  });

  it('is left out for a missing or unknown zone', () => {
    expect(formatLocalTime(NOW, null, 'en-GB')).toBeNull();
    expect(formatLocalTime(NOW, '', 'en-GB')).toBeNull();
    expect(formatLocalTime(NOW, 'Mars/Olympus_Mons', 'en-GB')).toBeNull();
  });
});

describe('durations', () => {
  it('say how long in the largest whole unit, for "offline for …"', () => {
    expect(formatDuration(30 * 1000, 'en-GB')).toBe('30 seconds');
    expect(formatDuration(90 * 1000, 'en-GB')).toBe('1 minute');
    expect(formatDuration(90 * 1000, 'sv-SE')).toBe('1 minut');
    expect(formatDuration(2 * HOUR + 59 * 60 * 1000, 'en-GB')).toBe('2 hours');
    expect(formatDuration(2 * HOUR, 'sv-SE')).toBe('2 timmar');
    expect(formatDuration(3 * DAY, 'en-GB')).toBe('3 days');
    expect(formatDuration(-5000, 'en-GB')).toBe('0 seconds');
  });

  it('say how long someone has been a customer in calendar years, months or days', () => {
    expect(formatCustomerSince(cet(2024, 3, 15, 12), NOW, 'en-GB', STOCKHOLM)).toBe('2 years');
    expect(formatCustomerSince(cet(2024, 3, 15, 12), NOW, 'sv-SE', STOCKHOLM)).toBe('2 år');
    // One day short of a year is still months.
    expect(formatCustomerSince(cet(2025, 11, 23, 12), NOW, 'en-GB', STOCKHOLM)).toBe('11 months');
    expect(formatCustomerSince(cet(2025, 11, 22, 12), NOW, 'en-GB', STOCKHOLM)).toBe('1 year');
    expect(formatCustomerSince(cet(2026, 6, 1, 12), NOW, 'sv-SE', STOCKHOLM)).toBe('5 månader');
    expect(formatCustomerSince(cet(2026, 11, 20, 12), NOW, 'en-GB', STOCKHOLM)).toBe('2 days');
    expect(formatCustomerSince(NOW - HOUR, NOW, 'en-GB', STOCKHOLM)).toBe('1 day');
  });
});

describe('sizes and lists', () => {
  it('write file sizes in the locale’s way', () => {
    expect(formatFileSize(20 * 1024 * 1024, 'en-GB')).toBe('20 MB');
    expect(formatFileSize(1536, 'en-GB')).toBe('1.5 kB');
    expect(formatFileSize(1536, 'sv-SE')).toBe('1,5 kB');
    expect(formatFileSize(500, 'en-GB')).toBe('500 bytes');
  });

  it('join names with the locale’s conjunction', () => {
    expect(formatList(['Checkout', 'Shipping'], 'en-GB')).toBe('Checkout and Shipping');
    expect(formatList(['Kassa', 'Frakt'], 'sv-SE')).toBe('Kassa och Frakt');
  });
});

describe('times ahead (a snooze ending)', () => {
  it('show the time today, the weekday within a week, the date after', () => {
    expect(formatUpcoming(cet(2026, 11, 22, 18, 0), NOW, 'sv-SE', STOCKHOLM)).toBe('18:00');
    // Wednesday 25 November, 09:00.
    expect(formatUpcoming(cet(2026, 11, 25, 9, 0), NOW, 'sv-SE', STOCKHOLM)).toBe('ons 09:00');
    expect(formatUpcoming(cet(2026, 11, 25, 9, 0), NOW, 'en-GB', STOCKHOLM)).toBe('Wed 09:00');
    expect(formatUpcoming(cet(2026, 12, 24, 9, 30), NOW, 'sv-SE', STOCKHOLM)).toBe('24 dec. 09:30');
    expect(formatUpcoming(cet(2026, 12, 24, 9, 30), NOW, 'en-GB', STOCKHOLM)).toBe('24 Dec 09:30');
    expect(formatUpcoming(cet(2027, 1, 4, 9, 0), NOW, 'en-GB', STOCKHOLM)).toBe('4 Jan 2027 09:00');
  });

  it('read the day in the zone given, not the computer’s', () => {
    // 23:30 on the 22nd in Stockholm is already the 23rd in Tokyo.
    const at = cet(2026, 11, 22, 23, 30);
    expect(formatUpcoming(at, NOW, 'en-GB', STOCKHOLM)).toBe('23:30');
    expect(formatUpcoming(at, NOW, 'en-GB', { timeZone: 'Asia/Tokyo' })).toBe('Mon 07:30');
  });
});
