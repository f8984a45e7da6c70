import { render, screen } from '@testing-library/svelte';
import { expect, it, vi } from 'vitest';

import { setLocale } from '../lib/i18n/index.svelte';
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
