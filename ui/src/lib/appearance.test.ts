import { describe, expect, it } from 'vitest';

import { applyTextSize, applyTheme, clampTextSize, stepTextSize, TEXT_SIZES } from './appearance';

describe('text size', () => {
  it('steps through the sizes Settings offers and stops at the ends', () => {
    expect(stepTextSize(100, 1)).toBe(110);
    expect(stepTextSize(175, 1)).toBe(200);
    expect(stepTextSize(200, 1)).toBe(200);
    expect(stepTextSize(110, -1)).toBe(100);
    expect(stepTextSize(100, -1)).toBe(100);
    // A size from a hand-edited file steps to its neighbours.
    expect(stepTextSize(130, 1)).toBe(150);
    expect(stepTextSize(130, -1)).toBe(125);
  });

  it('keeps every size within 100 to 200 %', () => {
    expect(clampTextSize(20)).toBe(100);
    expect(clampTextSize(900)).toBe(200);
    expect(TEXT_SIZES[0]).toBe(100);
    expect(TEXT_SIZES[TEXT_SIZES.length - 1]).toBe(200);
  });

  it('scales the root font size, which every rem follows', () => {
    applyTextSize(200);
    expect(document.documentElement.style.fontSize).toBe('200%');
    applyTextSize(100);
    expect(document.documentElement.style.fontSize).toBe('100%');
  });
});

describe('theme', () => {
  it('sets light or dark on the document, whatever was chosen', () => {
    applyTheme('dark');
    expect(document.documentElement.dataset.theme).toBe('dark');
    applyTheme('light');
    expect(document.documentElement.dataset.theme).toBe('light');
    applyTheme('system');
    expect(['light', 'dark']).toContain(document.documentElement.dataset.theme);
  });
});
