import { describe, expect, it } from 'vitest';

import { isAtBottom, STICK_SLACK, threadMove } from './thread';

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
