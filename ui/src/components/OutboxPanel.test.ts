import { fireEvent, render, screen } from '@testing-library/svelte';
import { expect, it, vi } from 'vitest';

import type { OutboxEntry } from '../bindings';
import { outboxKindKey, outboxSummary } from '../lib/rules';
import { NOW } from '../test/fixtures';
import OutboxPanel from './OutboxPanel.svelte';

const entries: OutboxEntry[] = [
  {
    id: 1,
    conversation_id: 30,
    kind: 'message',
    customer_name: 'Saga Holm',
    state: { state: 'pending' },
    attempts: 2,
    created_at: NOW - 60_000,
  },
  {
    id: 2,
    conversation_id: 30,
    kind: 'close',
    customer_name: 'Saga Holm',
    state: { state: 'failed', code: 'permission_denied', detail: 'not yours to close' },
    attempts: 1,
    created_at: NOW - 30_000,
  },
  {
    id: 3,
    conversation_id: null,
    kind: 'add_note',
    customer_name: 'Bo Ek',
    state: { state: 'failed', code: 'shop_reset', detail: 'the shop was reset' },
    attempts: 0,
    created_at: NOW,
  },
];

it('lists pending and refused actions with their reason, Retry, Discard and the conversation', async () => {
  const onretry = vi.fn();
  const ondiscard = vi.fn();
  const onopen = vi.fn();
  render(OutboxPanel, {
    props: { entries, now: NOW, onretry, ondiscard, onopen, onclose: vi.fn() },
  });
  const rows = screen.getAllByTestId('outbox-entry');
  expect(rows.map((r) => r.dataset.kind)).toEqual(['message', 'close', 'add_note']);
  expect(rows[0]!.textContent).toContain('Reply');
  expect(rows[0]!.textContent).toContain('tried 2 times');
  expect(rows[1]!.textContent).toContain('Close conversation');
  expect(rows[1]!.textContent).toContain('Saga Holm');
  const reason = rows[1]!.querySelector('[data-testid=outbox-reason]')!.textContent;
  expect(reason).toContain('Not done:');
  expect(reason).toContain('not yours to close');
  // A pending action can't be retried yet; one from before a shop reset never can.
  expect(rows[0]!.querySelector('[data-testid=outbox-retry]')).toBeNull();
  expect(rows[2]!.querySelector('[data-testid=outbox-retry]')).toBeNull();
  expect(rows[2]!.querySelector('[data-testid=outbox-open]')).toBeNull();
  await fireEvent.click(rows[1]!.querySelector('[data-testid=outbox-retry]')!);
  expect(onretry).toHaveBeenCalledWith(2);
  await fireEvent.click(rows[2]!.querySelector('[data-testid=outbox-discard]')!);
  expect(ondiscard).toHaveBeenCalledWith(3);
  await fireEvent.click(rows[1]!.querySelector('[data-testid=outbox-open]')!);
  expect(onopen).toHaveBeenCalledWith(30);
});

it('says when everything reached the shop', () => {
  render(OutboxPanel, {
    props: {
      entries: [],
      now: NOW,
      onretry: vi.fn(),
      ondiscard: vi.fn(),
      onopen: vi.fn(),
      onclose: vi.fn(),
    },
  });
  expect(screen.getByTestId('outbox-empty').textContent).toContain('reached the shop');
});

it('names every kind the engine sends and counts what failed', () => {
  for (const kind of [
    'message',
    'media',
    'close',
    'reopen',
    'mark_unread',
    'mark_read',
    'assign',
    'unassign',
    'add_note',
    'edit_note',
    'delete_note',
  ]) {
    expect(outboxKindKey(kind)).not.toBe('outbox.kind.other');
  }
  expect(outboxKindKey('something_new')).toBe('outbox.kind.other');
  expect(outboxSummary(entries)).toEqual({ count: 3, failed: 2 });
});
