import { render, screen } from '@testing-library/svelte';
import { expect, it, vi } from 'vitest';

import { setLocale } from '../lib/i18n/index.svelte';
import { app } from '../state/app.svelte';
import { message, NOW, view } from '../test/fixtures';
import ConversationPane from './ConversationPane.svelte';

vi.mock('../bindings', () => ({ commands: {}, events: {} }));

it('shows an order placed from the chat in the timeline, in English and Swedish', () => {
  const placed = {
    kind: 'order_event' as const,
    id: 8,
    conversation_id: 1,
    order_id: 8,
    order_name: '#1234',
    total: { minor: 27_310, currency: 'SEK' },
    created_at: NOW - 30_000,
  };
  const timeline = [{ kind: 'message' as const, ...message() }, placed];
  setLocale('en');
  const { unmount } = render(ConversationPane, { props: { view: view({ timeline }), now: NOW } });
  const event = screen.getByTestId('order-event').textContent ?? '';
  expect(event).toContain('Order #1234 placed');
  expect(event).toContain('273.10');
  unmount();
  setLocale('sv');
  render(ConversationPane, { props: { view: view({ timeline }), now: NOW } });
  expect(screen.getByTestId('order-event').textContent).toContain('Order #1234 lagd');
  setLocale('en');
});

it('marks where the unread part begins and tells a screen reader what arrives', async () => {
  setLocale('en');
  const staffReply = {
    kind: 'message' as const,
    ...message({
      id: 101,
      author: { kind: 'staff', staff_id: 1 },
      body: { type: 'text', text: 'Hi!' },
    }),
  };
  const unread = {
    kind: 'message' as const,
    ...message({ id: 102, body: { type: 'text', text: 'Do you ship to Norway?' } }),
  };
  const first = view({
    timeline: [{ kind: 'message' as const, ...message() }, staffReply, unread],
    read_state: {
      conversation_id: 1,
      staff_id: 1,
      last_read_message_id: 101,
      marked_unread: false,
      updated_at: NOW,
    },
  });
  const { rerender } = render(ConversationPane, { props: { view: first, now: NOW } });
  const divider = screen.getByTestId('unread-divider');
  expect(divider.textContent).toContain('New');
  // The divider is right above the first unread message.
  expect(divider.nextElementSibling?.textContent).toContain('Do you ship to Norway?');

  const arrived = {
    kind: 'message' as const,
    ...message({ id: 103, body: { type: 'text', text: 'Or Finland?' } }),
  };
  await rerender({ view: { ...first, timeline: [...first.timeline, arrived] }, now: NOW });
  await vi.waitFor(() =>
    expect(app.lastNotice?.phrase).toEqual({
      key: 'a11y.newMessage',
      params: { name: 'anna@example.com', text: 'Or Finland?' },
    }),
  );
});
