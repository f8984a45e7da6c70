// A list that holds still while staff point at it or walk it with the keyboard: fresh rows
// update in place, but nothing moves, and what would move waits behind a "N new" bar until it
// is applied (on a click, on leaving the list, or after a pause). Pure; app.svelte.ts holds it.

/** Quiet time (ms) with the list held after which waiting rows are applied anyway. */
export const HOLD_PAUSE_MS = 5_000;

interface Row {
  id: number;
  last_message_at: number;
}

/**
 * The rows to show while the list is held: the shown rows in their places, each with its
 * fresh content where it has some (a row that left the list stays until the list is applied),
 * and how many conversations wait to move: new ones, and ones with newer activity.
 */
export function heldRows<T extends Row>(
  shown: readonly T[],
  fresh: readonly T[],
): {
  rows: T[];
  /** New conversations and ones with newer activity: what the bar counts. */
  waiting: number;
  /** Whether applying the fresh rows would move anything (a row that left counts too). */
  moves: boolean;
} {
  const byId = new Map(fresh.map((r) => [r.id, r]));
  const shownIds = new Set(shown.map((r) => r.id));
  let waiting = 0;
  const rows = shown.map((old) => {
    const now = byId.get(old.id);
    if (!now) return old;
    if (now.last_message_at > old.last_message_at) waiting++;
    return now;
  });
  for (const r of fresh) if (!shownIds.has(r.id)) waiting++;
  const moves = shown.length !== fresh.length || shown.some((r, i) => fresh[i]?.id !== r.id);
  return { rows, waiting, moves };
}
