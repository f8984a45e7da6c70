import { describe, expect, it } from 'vitest';
import { backoff, charCount, formatMoney, safeUrl, sentence } from './format';

const SHOP = 'https://shop.example';

describe('formatMoney', () => {
  it('reads minor units in the currency’s own digits and the customer’s locale', () => {
    expect(formatMoney({ minor: 24900, currency: 'SEK' }, 'sv-SE').replace(/\s/g, ' ')).toBe(
      '249 kr',
    );
    expect(formatMoney({ minor: 24950, currency: 'SEK' }, 'sv-SE').replace(/\s/g, ' ')).toBe(
      '249,50 kr',
    );
    expect(formatMoney({ minor: 24950, currency: 'SEK' }, 'en-US').replace(/\s/g, ' ')).toBe(
      'SEK 249.50',
    );
    expect(formatMoney({ minor: 500, currency: 'JPY' }, 'en-US')).toBe('¥500');
  });
  it('shows nothing for no price, and a plain amount for an unknown currency', () => {
    expect(formatMoney(null, 'en')).toBe('');
    expect(formatMoney({ minor: 1234, currency: 'NOPE!' }, 'en')).toBe('12.34 NOPE!');
  });
});

describe('safeUrl', () => {
  it('resolves the shop’s relative URLs against the shop, not the page', () => {
    expect(safeUrl('/store/products/mug', SHOP)).toBe('https://shop.example/store/products/mug');
    expect(safeUrl('/media/abc', SHOP)).toBe('https://shop.example/media/abc');
  });
  it('refuses anything that is not http(s)', () => {
    for (const url of [
      'javascript:alert(1)',
      ' JavaScript:alert(1)',
      'data:text/html,<b>x</b>',
      'vbscript:x',
      '',
    ]) {
      expect(safeUrl(url, SHOP), url).toBeNull();
    }
    expect(safeUrl(42, SHOP)).toBeNull();
  });
});

describe('sentence', () => {
  it('turns a problem detail into a sentence', () => {
    expect(sentence('this discount code has expired')).toBe('This discount code has expired.');
    expect(sentence('Already one!')).toBe('Already one!');
    expect(sentence('  ')).toBe('');
  });
});

describe('backoff', () => {
  it('doubles with jitter up to 30 s, and never undercuts Retry-After', () => {
    expect(backoff(0, 0, () => 0)).toBe(500);
    expect(backoff(0, 0, () => 1)).toBe(1000);
    expect(backoff(3, 0, () => 1)).toBe(8000);
    expect(backoff(20, 0, () => 1)).toBe(30_000);
    expect(backoff(0, 45_000, () => 1)).toBe(45_000);
  });
});

it('counts characters as people do', () => {
  expect(charCount('å👍🏽')).toBe(3);
});
