import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { beforeEach, expect, it, vi } from 'vitest';

import { commands } from '../bindings';
import { ok, product } from '../test/fixtures';
import ProductPicker from './ProductPicker.svelte';

vi.mock('../bindings', () => ({
  commands: { searchProducts: vi.fn(), shareProducts: vi.fn() },
  events: {},
}));

beforeEach(() => {
  vi.mocked(commands.searchProducts).mockImplementation(() =>
    ok([product(1), product(2), product(3), product(4), product(5, { online_store: false })]),
  );
  vi.mocked(commands.shareProducts).mockImplementation(() => ok(1));
});

async function options() {
  await waitFor(() => expect(screen.getAllByTestId('product-option').length).toBeGreaterThan(0));
  return screen.getAllByTestId('product-option');
}

it('lists online-store products only and refuses a fourth with the reason, keeping three', async () => {
  render(ProductPicker, { props: { conversationId: 9, onclose: vi.fn() } });
  const list = await options();
  expect(list.map((o) => o.dataset.id)).toEqual(['1', '2', '3', '4']);

  for (const o of list.slice(0, 3)) await fireEvent.click(o);
  expect(list.slice(0, 3).map((o) => o.getAttribute('aria-selected'))).toEqual([
    'true',
    'true',
    'true',
  ]);
  const fourth = list[3]!;
  expect(fourth.getAttribute('aria-disabled')).toBe('true');

  await fireEvent.click(fourth);
  expect(fourth.getAttribute('aria-selected')).toBe('false');
  expect(screen.getByTestId('product-limit').textContent).toContain(
    'You can share at most three products at a time',
  );

  // Deselecting one makes room again.
  await fireEvent.click(list[0]!);
  expect(fourth.getAttribute('aria-disabled')).toBeNull();
});

it('shares the selected products as cards with the cheapest price and the optional text', async () => {
  const onclose = vi.fn();
  render(ProductPicker, { props: { conversationId: 9, onclose } });
  const list = await options();
  await fireEvent.click(list[1]!);
  await fireEvent.input(screen.getByTestId('product-text'), { target: { value: 'In stock now' } });
  await fireEvent.click(screen.getByTestId('product-share'));
  await waitFor(() => expect(onclose).toHaveBeenCalled());
  expect(commands.shareProducts).toHaveBeenCalledWith(
    9,
    [
      {
        product_id: 2,
        title: 'Product 2',
        price: { minor: 14900, currency: 'SEK' },
        image_url: null,
        url: 'https://shop.example/products/2',
      },
    ],
    'In stock now',
  );
});
