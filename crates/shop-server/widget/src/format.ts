// Pure helpers: money and times in the customer's locale, URLs from the shop made safe, and the
// retry backoff. No DOM, no network.

import type { Money } from './types';

const moneyFormats = new Map<string, Intl.NumberFormat | null>();

/** `{minor, currency}` in the currency's own minor unit, without `.00` on whole amounts. */
export function formatMoney(money: Money | null | undefined, locale: string): string {
  if (!money || typeof money.minor !== 'number' || !money.currency) return '';
  const key = `${locale}|${money.currency}`;
  let format = moneyFormats.get(key);
  if (format === undefined) {
    try {
      format = new Intl.NumberFormat(locale, {
        style: 'currency',
        currency: money.currency,
        trailingZeroDisplay: 'stripIfInteger',
      } as Intl.NumberFormatOptions);
    } catch {
      format = null;
    }
    moneyFormats.set(key, format);
  }
  if (!format) return `${(money.minor / 100).toFixed(2)} ${money.currency}`;
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(money.minor / 10 ** digits);
}

/** A time today as "14:05", another day with its date. */
export function formatTime(ms: number, locale: string, now: Date = new Date()): string {
  const date = new Date(ms);
  const sameDay = date.toDateString() === now.toDateString();
  return new Intl.DateTimeFormat(
    locale,
    sameDay ? { hour: 'numeric', minute: '2-digit' } : { dateStyle: 'medium', timeStyle: 'short' },
  ).format(date);
}

/**
 * A URL from the shop (relative to the shop, as the API gives them) resolved against the shop's
 * origin; anything but http(s) becomes null, so a `javascript:` URL never reaches an href.
 */
export function safeUrl(url: unknown, base: string): string | null {
  if (typeof url !== 'string' || url === '') return null;
  try {
    const resolved = new URL(url, base);
    return resolved.protocol === 'https:' || resolved.protocol === 'http:' ? resolved.href : null;
  } catch {
    return null;
  }
}

/** Server problem details are lowercase without a full stop; customers read sentences. */
export function sentence(text: unknown): string {
  const trimmed = typeof text === 'string' ? text.trim() : '';
  if (!trimmed) return '';
  const first = trimmed[0].toUpperCase() + trimmed.slice(1);
  return /[.!?…]$/.test(first) ? first : `${first}.`;
}

/** Exponential backoff with jitter, capped at 30 s; a server's Retry-After wins when longer. */
export function backoff(
  attempt: number,
  retryAfterMs = 0,
  random: () => number = Math.random,
): number {
  const base = Math.min(30_000, 1000 * 2 ** Math.min(attempt, 5));
  return Math.max(retryAfterMs, base / 2 + random() * (base / 2));
}

/** Characters as people count them (a code point each), for the 5,000-character limit. */
export function charCount(text: string): number {
  return [...text].length;
}
