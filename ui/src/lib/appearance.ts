// The look chosen in Settings, applied to the document: the theme as `data-theme` on <html>
// (light or dark; "system" follows the OS and its changes) and the text size as the root font
// size, which every rem in the styles follows (lib/layout.ts lays the window out by it).

import type { Theme } from '../bindings';

/** The text sizes Settings offers and Ctrl/⌘ +/- steps through, in percent. */
export const TEXT_SIZES = [100, 110, 125, 150, 175, 200] as const;

let choice: Theme = 'system';
let systemDark: MediaQueryList | null = null;

function resolved(): 'light' | 'dark' {
  if (choice !== 'system') return choice;
  return systemDark?.matches ? 'dark' : 'light';
}

function paint(): void {
  document.documentElement.dataset.theme = resolved();
}

/** Sets the theme; "system" follows the OS from now on. Safe to call before settings load. */
export function applyTheme(theme: Theme): void {
  choice = theme;
  if (!systemDark && typeof matchMedia === 'function') {
    systemDark = matchMedia('(prefers-color-scheme: dark)');
    systemDark.addEventListener('change', paint);
  }
  paint();
}

export function applyTextSize(percent: number): void {
  document.documentElement.style.fontSize = `${clampTextSize(percent)}%`;
}

export function clampTextSize(percent: number): number {
  const min = TEXT_SIZES[0];
  const max = TEXT_SIZES[TEXT_SIZES.length - 1]!;
  return Math.min(max, Math.max(min, Math.round(percent)));
}

/** The next size up (`step` 1) or down (-1) from `percent`, staying within the range. */
export function stepTextSize(percent: number, step: 1 | -1): number {
  const sizes = [...TEXT_SIZES];
  if (step > 0) return sizes.find((s) => s > percent) ?? sizes[sizes.length - 1]!;
  return [...sizes].reverse().find((s) => s < percent) ?? sizes[0]!;
}
