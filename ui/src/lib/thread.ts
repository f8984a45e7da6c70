// Where the thread's scroll goes when its content changes, as pure decisions: stick to the
// bottom when the reader is there (new messages, images loading), keep the reader's place
// otherwise (with a count of what arrived below), and a message this staff member sends always
// shows whole. The component (ConversationPane) measures and scrolls; this decides.

/** How close to the bottom (px) still counts as reading the newest. */
export const STICK_SLACK = 48;

export function isAtBottom(scrollTop: number, clientHeight: number, scrollHeight: number): boolean {
  return scrollHeight - scrollTop - clientHeight <= STICK_SLACK;
}

export type ThreadChange =
  /** Another conversation is shown; `hit` is a message to open at (a search hit) if any. */
  | { kind: 'opened'; hitFound: boolean }
  /** Items were added at the end; `mine` when the newest is this staff member's own. */
  | { kind: 'appended'; added: number; mine: boolean }
  /** Something changed size (an image loaded, a banner, the window). */
  | { kind: 'resized' };

export type ThreadMove =
  | { to: 'bottom' }
  | { to: 'hit' }
  /** Keep the first visible item where it was on screen. */
  | { to: 'anchor' };

/** The scroll after `change`, and how many arrivals below the reader has not seen. */
export function threadMove(
  change: ThreadChange,
  atBottom: boolean,
  unseen: number,
): { move: ThreadMove; unseen: number } {
  switch (change.kind) {
    case 'opened':
      return { move: change.hitFound ? { to: 'hit' } : { to: 'bottom' }, unseen: 0 };
    case 'appended':
      if (atBottom || change.mine) return { move: { to: 'bottom' }, unseen: 0 };
      return { move: { to: 'anchor' }, unseen: unseen + change.added };
    case 'resized':
      return { move: atBottom ? { to: 'bottom' } : { to: 'anchor' }, unseen };
  }
}
