import { fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, expect, it, vi } from 'vitest';

import { commands } from '../bindings';
import { setLocale } from '../lib/i18n/index.svelte';
import { message, NOW, ok } from '../test/fixtures';
import { app } from '../state/app.svelte';
import MessageItem from './MessageItem.svelte';

vi.mock('../bindings', () => ({
  commands: { openLink: vi.fn(), retry: vi.fn(), discard: vi.fn(), mediaUrl: vi.fn() },
  events: {},
}));

afterEach(() => setLocale('en'));

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
  vi.mocked(commands.openLink).mockImplementation((url: string) => ok(url));
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

/** A reply of mine that failed with `code`, as the engine lists it. */
function failedReply(code: string, detail = `detail of ${code}`) {
  return message(
    { author: { kind: 'staff', staff_id: 1 }, body: { type: 'text', text: 'Use WINTER15!' } },
    { state: 'failed', code, detail },
  );
}

it('says a refused message was not sent, offers Retry, and that Discard gives the text back', () => {
  show(failedReply('discount_inactive'));
  expect(screen.getByTestId('message-error').textContent?.trim()).toBe(
    'Not sent: This discount code is inactive. Update the code in the shop admin before sharing it.',
  );
  expect(screen.getByRole('button', { name: 'Retry' })).toBeTruthy();
  expect(screen.getByRole('button', { name: 'Discard' }).title).toBe(
    'The text goes back into the message field.',
  );
});

it('says a message whose answer was lost may have been sent, and Discard only removes it', async () => {
  vi.mocked(commands.retry).mockImplementation(() => ok(null));
  show(failedReply('maybe_sent'));
  const error = screen.getByTestId('message-error').textContent?.trim();
  expect(error).toMatch(/^May have been sent: It may have been sent anyway;/);
  expect(error).not.toContain('Not sent');
  // Retry reuses the idempotency key, so it is offered and can't send twice.
  await fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
  expect(commands.retry).toHaveBeenCalledWith(7);
  expect(screen.getByRole('button', { name: 'Discard' }).title).toBe(
    'Remove this from the conversation.',
  );
});

it('offers no Retry for a message from before the shop was reset', () => {
  show(failedReply('shop_reset'));
  expect(screen.getByTestId('message-error').textContent?.trim()).toMatch(
    /^Not sent: The shop was reset after you wrote this/,
  );
  expect(screen.queryByRole('button', { name: 'Retry' })).toBeNull();
  expect(screen.queryByTestId('message-retry')).toBeNull();
  expect(screen.getByRole('button', { name: 'Discard' }).title).toBe(
    'Remove this from the conversation.',
  );
});

it('says the same in Swedish', () => {
  setLocale('sv');
  show(failedReply('maybe_sent'));
  expect(screen.getByTestId('message-error').textContent?.trim()).toMatch(
    /^Kan ha skickats: Det kan ha skickats ändå;/,
  );
  expect(screen.getByRole('button', { name: 'Försök igen' })).toBeTruthy();
  expect(screen.getByRole('button', { name: 'Släng' }).title).toBe(
    'Ta bort det här från konversationen.',
  );
});

it('does not promise to give back text a discarded discount code never had', () => {
  show(
    message(
      {
        author: { kind: 'staff', staff_id: 1 },
        body: {
          type: 'discount',
          discount: { discount_id: 1, code: 'WINTER15', summary: '15% off' },
        },
      },
      { state: 'failed', code: 'discount_inactive', detail: '' },
    ),
  );
  expect(screen.getByRole('button', { name: 'Retry' })).toBeTruthy();
  expect(screen.getByRole('button', { name: 'Discard' }).title).toBe(
    'Remove this from the conversation.',
  );
});

it('says why a shared product’s link could not open, instead of doing nothing', async () => {
  vi.mocked(commands.openLink).mockImplementation(() =>
    Promise.resolve({
      status: 'error' as const,
      error: { code: 'no_browser', message: 'no browser opened https://shop.example/p/1' },
    }),
  );
  show(
    message({
      body: {
        type: 'products',
        text: null,
        products: [
          {
            product_id: 1,
            title: 'Mug',
            price: { minor: 12900, currency: 'SEK' },
            image_url: null,
            url: '/store/products/mug',
          },
        ],
      },
    }),
  );
  await fireEvent.click(screen.getByTestId('product-view'));
  expect(commands.openLink).toHaveBeenCalledWith('/store/products/mug');
  await vi.waitFor(() => expect(app.toasts.at(-1)?.phrase.key).toBe('error.no_browser'));
  expect(app.toasts.at(-1)?.detail).toContain('https://shop.example/p/1');
});
