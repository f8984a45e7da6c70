import { describe, expect, it } from 'vitest';

import { chipsThatFit, layoutFor } from './layout';

describe('layoutFor', () => {
  it('gives three columns to a normal window at normal text', () => {
    expect(layoutFor(1280, 16)).toBe('wide');
    expect(layoutFor(3840, 16)).toBe('wide');
  });

  it('puts the profile over the thread at the minimum width', () => {
    expect(layoutFor(720, 16)).toBe('medium');
    expect(layoutFor(1000, 16)).toBe('medium');
  });

  it('lays 200 % text out like a window half as wide', () => {
    expect(layoutFor(1280, 32)).toBe(layoutFor(640, 16));
    expect(layoutFor(1280, 32)).toBe('medium');
    expect(layoutFor(720, 32)).toBe('narrow');
  });

  it('never divides by a zero text size', () => {
    expect(layoutFor(1280, 0)).toBe('wide');
  });
});

describe('chipsThatFit', () => {
  it('shows every chip when all fit', () => {
    expect(chipsThatFit([50, 60, 80], 200, 4, 24)).toBe(3);
    expect(chipsThatFit([], 10, 4, 24)).toBe(0);
  });

  it('leaves room for "+N" when some must go', () => {
    // 50 + 4 + 60 = 114 fits, 114 + 4 + 80 = 198 doesn't in 150; with "+1" 114 + 4 + 24 = 142.
    expect(chipsThatFit([50, 60, 80], 150, 4, 24)).toBe(2);
    // 142 doesn't fit in 130: one chip and "+2" (50 + 4 + 24 = 78).
    expect(chipsThatFit([50, 60, 80], 130, 4, 24)).toBe(1);
  });

  it('shows only "+N" when not even the first fits whole', () => {
    expect(chipsThatFit([120, 60], 100, 4, 24)).toBe(0);
  });

  it('never cuts a chip: what is shown always fits', () => {
    for (let available = 0; available < 300; available += 7) {
      const widths = [70, 45, 110];
      const n = chipsThatFit(widths, available, 4, 24);
      const used =
        widths.slice(0, n).reduce((a, b) => a + b, 0) +
        4 * Math.max(0, n - 1) +
        (n < widths.length ? (n > 0 ? 4 : 0) + 24 : 0);
      expect(used <= available || n === 0).toBe(true);
    }
  });
});
