import { describe, expect, it } from 'vitest';

import { heldRows } from './listhold';

const row = (id: number, at: number, name = `c${id}`) => ({ id, last_message_at: at, name });

describe('a held list', () => {
  it('keeps every row in its place, with its fresh content', () => {
    const shown = [row(1, 30), row(2, 20), row(3, 10)];
    // Conversation 3 got a message and would jump to the top.
    const fresh = [row(3, 40, 'c3 new'), row(1, 30), row(2, 20)];
    const held = heldRows(shown, fresh);
    expect(held.rows.map((r) => r.id)).toEqual([1, 2, 3]);
    expect(held.rows[2]!.name).toBe('c3 new');
    expect(held.waiting).toBe(1);
    expect(held.moves).toBe(true);
  });

  it('counts new conversations as waiting and does not show them yet', () => {
    const held = heldRows([row(1, 30), row(2, 20)], [row(9, 50), row(1, 30), row(2, 20)]);
    expect(held.rows.map((r) => r.id)).toEqual([1, 2]);
    expect(held.waiting).toBe(1);
  });

  it('keeps a row that left the list until the list is applied', () => {
    const held = heldRows([row(1, 30), row(2, 20)], [row(2, 20)]);
    expect(held.rows.map((r) => r.id)).toEqual([1, 2]);
    expect(held.waiting).toBe(0);
    expect(held.moves).toBe(true);
  });

  it('has nothing waiting when nothing would move', () => {
    const held = heldRows([row(1, 30)], [row(1, 30, 'read now')]);
    expect(held.waiting).toBe(0);
    expect(held.moves).toBe(false);
  });
});
