// How the window is laid out at its size and text size, as pure decisions: three columns when
// there is room, the profile as a panel over the thread when there isn't, one column at a time
// when even two don't fit; and how many of a row's labels fit whole. Widths are in rem (the
// text size), so 200 % text lays out like a window half as wide. Components measure; this
// decides.

/** A conversation needs this much width (rem) to read and write comfortably. */
export const THREAD_MIN_REM = 24;
/** The list beside it: its full width, and the least it may shrink to. */
export const LIST_REM = 20;
export const LIST_MIN_REM = 15;
/** The profile panel when it is a column of its own. */
export const PROFILE_REM = 20;

/**
 * - `wide`: list, conversation and profile side by side.
 * - `medium`: list and conversation; the profile opens over the conversation and the top
 *   bar's actions move into a menu.
 * - `narrow`: the list or the conversation, with a way back to the list.
 */
export type Layout = 'wide' | 'medium' | 'narrow';

export function layoutFor(widthPx: number, remPx: number): Layout {
  const rem = widthPx / (remPx > 0 ? remPx : 16);
  if (rem >= LIST_REM + THREAD_MIN_REM + PROFILE_REM + 6) return 'wide';
  if (rem >= LIST_MIN_REM + THREAD_MIN_REM) return 'medium';
  return 'narrow';
}

/**
 * How many chips (labels, in the order they matter) fit whole in `available` px, with `gap`
 * between them and, when some are left out, a "+N" chip of `moreWidth` after the ones shown.
 * Never cuts one: a chip either shows whole or is counted in "+N".
 */
export function chipsThatFit(
  widths: readonly number[],
  available: number,
  gap: number,
  moreWidth: number,
): number {
  const total = (n: number) =>
    widths.slice(0, n).reduce((sum, w) => sum + w, 0) + gap * Math.max(0, n - 1);
  if (total(widths.length) <= available) return widths.length;
  for (let n = widths.length - 1; n >= 0; n--) {
    const withMore = total(n) + (n > 0 ? gap : 0) + moreWidth;
    if (withMore <= available) return n;
  }
  return 0;
}
