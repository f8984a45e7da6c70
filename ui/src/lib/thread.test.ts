import { describe, expect, it } from 'vitest';

import type { TimelineItem } from '../bindings';
import { message } from '../test/fixtures';
import { firstUnread, isAtBottom, STICK_SLACK, threadMove } from './thread';

const customer = (id: number): TimelineItem => ({ kind: 'message', ...message({ id }) });
const staff = (id: number): TimelineItem => ({
  kind: 'message',
  ...message({ id, author: { kind: 'staff', staff_id: 1 } }),
});
const read = (last: number | null) => ({
  conversation_id: 1,
  staff_id: 1,
  last_read_message_id: last,
  marked_unread: false,
  updated_at: 0,
});

describe('the thread keeps its place', () => {
  it('counts as at the bottom within the slack', () => {
    expect(isAtBottom(1000 - 400, 400, 1000)).toBe(true);
    expect(isAtBottom(1000 - 400 - STICK_SLACK, 400, 1000)).toBe(true);
    expect(isAtBottom(1000 - 400 - STICK_SLACK - 1, 400, 1000)).toBe(false);
  });

  it('opens at the search hit when there is one, else at the newest', () => {
    expect(threadMove({ kind: 'opened', hitFound: true }, false, 3)).toEqual({
      move: { to: 'hit' },
      unseen: 0,
    });
    expect(threadMove({ kind: 'opened', hitFound: false }, false, 3)).toEqual({
      move: { to: 'bottom' },
      unseen: 0,
    });
  });

  it('opens at the first unread message when there is no search hit', () => {
    expect(threadMove({ kind: 'opened', hitFound: false, unreadFound: true }, false, 0)).toEqual({
      move: { to: 'unread' },
      unseen: 0,
    });
    expect(threadMove({ kind: 'opened', hitFound: true, unreadFound: true }, false, 0)).toEqual({
      move: { to: 'hit' },
      unseen: 0,
    });
  });

  it('follows new messages at the bottom, keeps the place above it and counts what came', () => {
    expect(threadMove({ kind: 'appended', added: 1, mine: false }, true, 0)).toEqual({
      move: { to: 'bottom' },
      unseen: 0,
    });
    expect(threadMove({ kind: 'appended', added: 2, mine: false }, false, 1)).toEqual({
      move: { to: 'anchor' },
      unseen: 3,
    });
  });

  it('always shows what this staff member sends, wherever they were reading', () => {
    expect(threadMove({ kind: 'appended', added: 1, mine: true }, false, 2)).toEqual({
      move: { to: 'bottom' },
      unseen: 0,
    });
  });

  it('sticks to the bottom as images load there, and never jumps elsewhere on a resize', () => {
    expect(threadMove({ kind: 'resized' }, true, 0).move).toEqual({ to: 'bottom' });
    expect(threadMove({ kind: 'resized' }, false, 2)).toEqual({
      move: { to: 'anchor' },
      unseen: 2,
    });
  });
});

describe('the first unread message', () => {
  it('is the first customer message after the read mark', () => {
    const thread = [customer(1), staff(2), customer(3), customer(4)];
    expect(firstUnread(thread, read(2))).toBe(3);
    expect(firstUnread(thread, read(3))).toBe(4);
    expect(firstUnread(thread, read(4))).toBeNull();
  });

  it('counts a reply from staff as reading what came before it', () => {
    const thread = [customer(1), customer(2), staff(3), customer(4)];
    expect(firstUnread(thread, read(null))).toBe(4);
    expect(firstUnread([customer(1), staff(2)], null)).toBeNull();
  });

  it('opens a chat nobody has read at its start', () => {
    expect(firstUnread([customer(5), customer(6)], null)).toBe(5);
  });
});
