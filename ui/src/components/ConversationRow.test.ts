import { render, screen } from '@testing-library/svelte';
import type { ComponentProps } from 'svelte';
import { afterEach, expect, it, vi } from 'vitest';

import { setLocale } from '../lib/i18n/index.svelte';
import { NOW, summary } from '../test/fixtures';
import ConversationRow from './ConversationRow.svelte';

afterEach(() => setLocale('en'));

function row(props: Partial<ComponentProps<typeof ConversationRow>>) {
  return render(ConversationRow, {
    props: { row: summary(), assignee: null, me: 1, now: NOW, onopen: vi.fn(), ...props },
  });
}

it('shows name, preview, at most two topic labels newest first, unread, online and assignee', () => {
  row({
    row: summary({
      unread: true,
      customer_online: true,
      assignee_id: 2,
      // The engine sends at most two; the row never shows more than two even if it sent three.
      topics: ['shipping', 'checkout', 'returns'],
    }),
    assignee: 'Bo Ek',
  });
  const el = screen.getByTestId('conversation-row');
  expect(el.dataset.id).toBe('1');
  expect(el.dataset.unread).toBe('true');
  expect(screen.getByTestId('row-name').textContent).toBe('Anna Berg');
  expect(screen.getByTestId('row-preview').textContent).toBe('Do you have the socks in size 40?');
  expect(screen.getAllByTestId('row-topic').map((e) => e.textContent)).toEqual([
    'Shipping',
    'Checkout',
  ]);
  expect(screen.getByTestId('row-online').textContent).toBe('Online');
  expect(screen.getByTestId('row-assignee').textContent).toBe('Assigned to Bo Ek');
});

it('has no online mark, assignee or unread mark when none applies', () => {
  row({ row: summary() });
  expect(screen.getByTestId('conversation-row').dataset.unread).toBe('false');
  expect(screen.queryByTestId('row-online')).toBeNull();
  expect(screen.queryByTestId('row-assignee')).toBeNull();
  expect(screen.queryAllByTestId('row-topic')).toHaveLength(0);
});

it('previews the newest message, also one without text', () => {
  row({
    row: summary({
      last_message: { type: 'discount', discount: { discount_id: 3, code: 'VÅR10', summary: '' } },
    }),
  });
  expect(screen.getByTestId('row-preview').textContent).toBe('Shared the discount code VÅR10');
});

it('says "assigned to you" for the signed-in staff member, in Swedish too', () => {
  setLocale('sv');
  row({ row: summary({ assignee_id: 1, topics: ['pricing_discounts'] }), assignee: 'Astrid Lind' });
  expect(screen.getByTestId('row-assignee').textContent).toBe('Tilldelad till dig');
  expect(screen.getByTestId('row-topic').textContent).toBe('Prissättning/rabatter');
});

it('marks a chat whose email nobody proved, in English and Swedish', () => {
  const { unmount } = row({ row: summary({ customer_email_verified: false }) });
  const mark = screen.getByTestId('row-unverified');
  expect(mark.textContent).toBe('Email not verified');
  expect(mark.title).toContain('confirms it with the code');
  unmount();
  setLocale('sv');
  row({ row: summary({ customer_email_verified: false }) });
  expect(screen.getByTestId('row-unverified').textContent).toBe('E-post ej bekräftad');
});

it('shows no mark for a verified customer', () => {
  row({ row: summary() });
  expect(screen.queryByTestId('row-unverified')).toBeNull();
});

it('shows presence as unknown, never Online, while the app is not live', () => {
  row({ row: summary({ customer_online: true }), live: false });
  expect(screen.queryByTestId('row-online')).toBeNull();
  expect(screen.getByTestId('row-presence-unknown').textContent).toBe('Presence unknown');
});

it('says until when a snoozed conversation is set aside, in the shop’s zone', () => {
  // NOW is 22 November 2026, 13:00 in Stockholm; 09:00 there on the 24th is a Tuesday.
  row({
    row: summary({ snoozed_until: Date.UTC(2026, 10, 24, 8, 0) }),
    zone: 'Europe/Stockholm',
  });
  expect(screen.getByTestId('row-snoozed').textContent).toBe('Until Tue 9:00 AM');
});
