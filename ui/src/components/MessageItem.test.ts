import { fireEvent, render, screen } from '@testing-library/svelte';
import { expect, it, vi } from 'vitest';

import { commands } from '../bindings';
import { message, NOW, ok } from '../test/fixtures';
import MessageItem from './MessageItem.svelte';

vi.mock('../bindings', () => ({
  commands: { openLink: vi.fn(), retry: vi.fn(), discard: vi.fn(), mediaUrl: vi.fn() },
  events: {},
}));

function show(item = message()) {
  return render(MessageItem, {
    props: { item, customerName: 'Anna', staffName: () => 'Bo', me: 1, now: NOW },
  });
}

it('renders customer text that looks like markup as text, never as elements', () => {
  const text = '<img src=x onerror=alert(1)> <b>hi</b>';
  const { container } = show(message({ body: { type: 'text', text } }));
  const el = screen.getByTestId('message-text');
  expect(el.textContent).toBe(text);
  expect(container.querySelector('img')).toBeNull();
  expect(container.querySelector('b')).toBeNull();
  expect(screen.getByTestId('message').dataset.side).toBe('customer');
});

it('turns http(s) links into links that open through the shell', async () => {
  vi.mocked(commands.openLink).mockImplementation(() => ok(null));
  show(
    message({
      body: { type: 'text', text: 'See https://shop.example/p/1. Or javascript:alert(1)' },
    }),
  );
  const links = screen.getAllByRole('link');
  expect(links).toHaveLength(1);
  expect(links[0]!.textContent).toBe('https://shop.example/p/1');
  await fireEvent.click(links[0]!);
  expect(commands.openLink).toHaveBeenCalledWith('https://shop.example/p/1');
});

it('shows a failed staff message with its reason, Retry and Discard', async () => {
  vi.mocked(commands.retry).mockImplementation(() => ok(null));
  show(
    message(
      { author: { kind: 'staff', staff_id: 1 }, body: { type: 'text', text: 'Sure!' } },
      { state: 'failed', code: 'network', detail: 'connection refused' },
    ),
  );
  const el = screen.getByTestId('message');
  expect(el.dataset.side).toBe('staff');
  expect(el.dataset.state).toBe('failed');
  expect(screen.getByTestId('message-error').textContent).toContain('Can’t reach the shop');
  // The engine's English words are there to copy, behind Details, not in the sentence.
  expect(screen.getByTestId('message-error').textContent).not.toContain('connection refused');
  expect(screen.getByText('Details').closest('details')?.textContent).toContain(
    'connection refused',
  );
  await fireEvent.click(screen.getByTestId('message-retry'));
  expect(commands.retry).toHaveBeenCalledWith(7);
});
