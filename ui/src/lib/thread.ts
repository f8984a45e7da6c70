// Where the thread's scroll goes when its content changes, as pure decisions: stick to the
// bottom when the reader is there (new messages, images loading), keep the reader's place
// otherwise (with a count of what arrived below), and a message this staff member sends always
// shows whole; a conversation opens where the reader left off. The component
// (ConversationPane) measures and scrolls; this decides.

import type { ReadState, TimelineItem } from '../bindings';

/** How close to the bottom (px) still counts as reading the newest. */
export const STICK_SLACK = 48;

export function isAtBottom(scrollTop: number, clientHeight: number, scrollHeight: number): boolean {
  return scrollHeight - scrollTop - clientHeight <= STICK_SLACK;
}

export type ThreadChange =
  /** Another conversation is shown: at a search hit if there is one, else at the first
   * unread message if there is one, else at the newest. */
  | { kind: 'opened'; hitFound: boolean; unreadFound?: boolean }
  /** Items were added at the end; `mine` when the newest is this staff member's own. */
  | { kind: 'appended'; added: number; mine: boolean }
  /** Something changed size (an image loaded, a banner, the window). */
  | { kind: 'resized' };

export type ThreadMove =
  | { to: 'bottom' }
  | { to: 'hit' }
  /** The first unread message at the top, with its divider. */
  | { to: 'unread' }
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
      if (change.hitFound) return { move: { to: 'hit' }, unseen: 0 };
      return { move: change.unreadFound ? { to: 'unread' } : { to: 'bottom' }, unseen: 0 };
    case 'appended':
      if (atBottom || change.mine) return { move: { to: 'bottom' }, unseen: 0 };
      return { move: { to: 'anchor' }, unseen: unseen + change.added };
    case 'resized':
      return { move: atBottom ? { to: 'bottom' } : { to: 'anchor' }, unseen };
  }
}

/**
 * The first message the reader hasn't read: the first customer message after both their read
 * mark and the last reply from staff (answering a message is reading it); `null` when all is
 * read. A chat nobody has read yet opens at its start.
 */
export function firstUnread(
  timeline: readonly TimelineItem[],
  read: ReadState | null,
): number | null {
  let after = read?.last_read_message_id ?? -1;
  for (const item of timeline) {
    if (item.kind === 'message' && item.message.author.kind === 'staff') {
      after = Math.max(after, item.message.id);
    }
  }
  for (const item of timeline) {
    if (
      item.kind === 'message' &&
      item.message.author.kind === 'customer' &&
      item.message.id > after
    ) {
      return item.message.id;
    }
  }
  return null;
}
