import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { expect, it, vi } from 'vitest';

import { setLocale } from '../lib/i18n/index.svelte';
import { NOW, view } from '../test/fixtures';
import ProfilePanel from './ProfilePanel.svelte';

vi.mock('../bindings', () => ({ commands: {}, events: {} }));

/** A customer as the profile shows one; each test says what matters to it. */
function profileCustomer(fields: {
  id: number;
  name: string;
  email: string;
  email_verified?: boolean;
  kind: 'new' | 'returning';
  customer_since: number;
  total_spent: { minor: number; currency: string };
}) {
  return {
    email_verified: true,
    phone: null,
    city: null,
    country: null,
    time_zone: null,
    email_marketing: false,
    sms_marketing: false,
    admin_url: `/admin/customers/${fields.id}`,
    ...fields,
  };
}

it('says when the profile cannot be shown and offers to try again, instead of loading forever', async () => {
  setLocale('en');
  const onretry = vi.fn();
  render(ProfilePanel, {
    props: {
      profile: null,
      view: view(),
      now: NOW,
      staffName: () => null,
      onchanged: () => {},
      error: 'network',
      onretry,
    },
  });
  expect(screen.getByTestId('profile-error').textContent).toContain(
    "The customer's profile can't be shown right now.",
  );
  expect(screen.queryByText('Loading…')).toBeNull();
  await fireEvent.click(screen.getByTestId('profile-retry'));
  expect(onretry).toHaveBeenCalledOnce();
});

it('shows Loading while the profile is on its way', () => {
  setLocale('sv');
  render(ProfilePanel, {
    props: { profile: null, view: view(), now: NOW, staffName: () => null, onchanged: () => {} },
  });
  expect(screen.queryByTestId('profile-error')).toBeNull();
  expect(screen.getByText('Läser in…')).toBeTruthy();
  setLocale('en');
});

it('says beside the email that nobody proved it', () => {
  setLocale('en');
  const customer = profileCustomer({
    id: 10,
    name: 'Anna Berg',
    email: 'anna@example.com',
    email_verified: false,
    kind: 'new' as const,
    customer_since: NOW - 86_400_000,
    total_spent: { minor: 0, currency: 'SEK' },
  });
  const props = {
    profile: { customer, notes: [], cart: null, last_order: null, orders: [] },
    view: view(),
    now: NOW,
    staffName: () => null,
    onchanged: () => {},
  };
  const { unmount } = render(ProfilePanel, { props });
  expect(screen.getByTestId('profile-unverified').textContent).toBe('Email not verified');
  unmount();
  render(ProfilePanel, {
    props: {
      ...props,
      profile: { ...props.profile, customer: { ...customer, email_verified: true } },
    },
  });
  expect(screen.queryByTestId('profile-unverified')).toBeNull();
});

it('has no order block for a customer with no orders, and says so when every order is older than 60 days', async () => {
  setLocale('en');
  const customer = profileCustomer({
    id: 11,
    name: 'Nils Berg',
    email: 'nils@example.se',
    kind: 'returning' as const,
    customer_since: NOW - 400 * 86_400_000,
    total_spent: { minor: 24_900, currency: 'SEK' },
  });
  const old = {
    id: 7,
    customer_id: 11,
    name: '#1007',
    created_at: NOW - 61 * 86_400_000,
    total: { minor: 24_900, currency: 'SEK' },
    status: 'paid' as const,
    admin_url: '/admin/orders/7',
  };
  const props = (orders: (typeof old)[]) => ({
    profile: { customer, notes: [], cart: null, last_order: null, orders },
    view: view(),
    now: NOW,
    staffName: () => null,
    onchanged: () => {},
  });

  const { unmount } = render(ProfilePanel, { props: props([]) });
  expect(screen.queryByTestId('profile-orders')).toBeNull();
  expect(screen.queryByText('Last order')).toBeNull();
  unmount();

  render(ProfilePanel, { props: props([old]) });
  expect(screen.getByTestId('profile-no-recent-order').textContent?.trim()).toBe(
    'No orders in the last 60 days',
  );
  await fireEvent.click(screen.getByText('View all orders'));
  expect(screen.getByText('#1007')).toBeTruthy();
});

it('puts the cursor in a note opened for editing, at its end', async () => {
  setLocale('en');
  const customer = profileCustomer({
    id: 12,
    name: 'Elin Dahl',
    email: 'elin@example.se',
    kind: 'returning' as const,
    customer_since: NOW - 86_400_000,
    total_spent: { minor: 0, currency: 'SEK' },
  });
  const note = {
    id: 5,
    customer_id: 12,
    author_id: 1,
    body: 'Prefers email',
    created_at: NOW - 1000,
    updated_at: NOW - 1000,
  };
  render(ProfilePanel, {
    props: {
      profile: { customer, notes: [note], cart: null, last_order: null, orders: [] },
      view: view(),
      now: NOW,
      staffName: () => null,
      onchanged: () => {},
    },
  });
  await fireEvent.click(screen.getByTestId('note-edit'));
  const field = await waitFor(() => screen.getByTestId<HTMLTextAreaElement>('note-edit-field'));
  await waitFor(() => expect(document.activeElement).toBe(field));
  expect(field.selectionStart).toBe('Prefers email'.length);
});

it('shows an order placed at checkout as the last order, with View all orders', async () => {
  setLocale('en');
  const customer = profileCustomer({
    id: 10,
    name: 'Anna Berg',
    email: 'anna@example.com',
    kind: 'returning' as const,
    customer_since: NOW - 90 * 86_400_000,
    total_spent: { minor: 62_210, currency: 'SEK' },
  });
  const order = (id: number, number: number, at: number, minor: number) => ({
    id,
    customer_id: 10,
    name: `#${number}`,
    created_at: at,
    total: { minor, currency: 'SEK' },
    status: 'paid' as const,
    admin_url: `/admin/orders/${id}`,
  });
  const placed = order(8, 1234, NOW - 60_000, 27_310);
  const older = order(3, 1100, NOW - 30 * 86_400_000, 34_900);
  render(ProfilePanel, {
    props: {
      profile: { customer, notes: [], cart: null, last_order: placed, orders: [placed, older] },
      view: view(),
      now: NOW,
      staffName: () => null,
      onchanged: () => {},
    },
  });
  const last = screen.getByRole('button', { name: '#1234' });
  expect(last.closest('section')?.textContent).toContain('Last order');
  expect(screen.queryByRole('button', { name: '#1100' })).toBeNull();
  await fireEvent.click(screen.getByRole('button', { name: 'View all orders' }));
  expect(screen.getByRole('button', { name: '#1100' })).toBeTruthy();
  expect(screen.getAllByRole('button', { name: '#1234' })).toHaveLength(2);
});
