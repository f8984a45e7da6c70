import { describe, expect, it } from 'vitest';
import { en } from './en';
import { sv } from './sv';
import { cartEventWhat, compareSort, insertionIndex, type SortKey } from './timeline';

describe('the timeline order', () => {
  it('sorts by time, then messages before cart events, then id; unsent last', () => {
    const keys: SortKey[] = [
      [Number.MAX_SAFE_INTEGER, 2, 1],
      [200, 1, 5],
      [100, 0, 9],
      [200, 0, 6],
      [100, 0, 3],
    ];
    const sorted: SortKey[] = [];
    for (const key of keys) sorted.splice(insertionIndex(sorted, key), 0, key);
    expect(sorted).toEqual([
      [100, 0, 3],
      [100, 0, 9],
      [200, 0, 6],
      [200, 1, 5],
      [Number.MAX_SAFE_INTEGER, 2, 1],
    ]);
    expect(compareSort([1, 0, 0], [1, 0, 0])).toBe(0);
  });
});

describe('cart events', () => {
  it('name the product only when the shop did (names under 41 characters)', () => {
    expect(cartEventWhat({ product_name: 'Lip Balm Trio', quantity: 1 }, en)).toBe('Lip Balm Trio');
    expect(cartEventWhat({ product_name: 'Lip Balm Trio', quantity: 2 }, en)).toBe(
      '2 × Lip Balm Trio',
    );
    expect(cartEventWhat({ product_name: null, quantity: 1 }, en)).toBe('a product');
    expect(cartEventWhat({ product_name: null, quantity: 3 }, sv)).toBe('3 produkter');
  });
});
