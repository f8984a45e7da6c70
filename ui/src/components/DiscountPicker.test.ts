import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { beforeEach, expect, it, vi } from 'vitest';

import { commands } from '../bindings';
import { discount, fail, NOW, ok } from '../test/fixtures';
import DiscountPicker from './DiscountPicker.svelte';

vi.mock('../bindings', () => ({
  commands: { searchDiscounts: vi.fn(), shareDiscount: vi.fn() },
  events: {},
}));

const INACTIVE =
  'The discount code OLD10 is inactive. Update the code in the shop admin before sharing it.';

beforeEach(() => {
  vi.mocked(commands.searchDiscounts).mockImplementation(() =>
    ok([
      discount(),
      discount({ id: 2, code: 'OLD10', status: 'EXPIRED', ends_at: NOW - 1000 }),
      // Stored as active but its end has passed: inactive by its schedule.
      discount({ id: 3, code: 'LATE5', status: 'ACTIVE', ends_at: NOW - 1000 }),
    ]),
  );
});

async function option(code: string) {
  await waitFor(() => expect(screen.getAllByTestId('discount-option').length).toBe(3));
  return screen.getAllByTestId('discount-option').find((o) => o.dataset.code === code)!;
}

it('refuses an inactive code with the error telling staff to update it in the shop admin', async () => {
  render(DiscountPicker, { props: { conversationId: 4, onclose: vi.fn(), now: () => NOW } });
  await fireEvent.click(await option('OLD10'));
  expect(screen.getByTestId('discount-error').textContent).toBe(INACTIVE);
  expect(screen.getByTestId<HTMLButtonElement>('discount-share').disabled).toBe(true);

  await fireEvent.click(await option('LATE5'));
  expect(screen.getByTestId('discount-error').textContent).toContain('LATE5 is inactive');

  await fireEvent.click(await option('WINTER15'));
  expect(screen.queryByTestId('discount-error')).toBeNull();
});

it('shows the same error when the shop refuses the code as inactive', async () => {
  vi.mocked(commands.shareDiscount).mockImplementation(() => fail('discount_inactive'));
  const onclose = vi.fn();
  render(DiscountPicker, { props: { conversationId: 4, onclose, now: () => NOW } });
  await fireEvent.click(await option('WINTER15'));
  await fireEvent.click(screen.getByTestId('discount-share'));
  await waitFor(() =>
    expect(screen.getByTestId('discount-error').textContent).toBe(
      'The discount code WINTER15 is inactive. Update the code in the shop admin before sharing it.',
    ),
  );
  expect(commands.shareDiscount).toHaveBeenCalledWith(4, discount());
  expect(onclose).not.toHaveBeenCalled();
});

it('shows when a scheduled code starts, also when it has an end', async () => {
  vi.mocked(commands.searchDiscounts).mockImplementation(() =>
    ok([
      discount({
        id: 4,
        code: 'SOMMAR20',
        status: 'SCHEDULED',
        starts_at: NOW + 10 * 86_400_000,
        ends_at: NOW + 40 * 86_400_000,
      }),
    ]),
  );
  render(DiscountPicker, { props: { conversationId: 4, onclose: vi.fn(), now: () => NOW } });
  await waitFor(() => expect(screen.getAllByTestId('discount-option').length).toBe(1));
  const option = screen.getByTestId('discount-option');
  expect(screen.getByTestId('discount-starts').textContent).toMatch(/^Starts /);
  expect(option.textContent).toMatch(/Ends /);
});
