import { fireEvent, render, screen } from '@testing-library/svelte';
import { expect, it, vi } from 'vitest';

import { setLocale } from '../lib/i18n/index.svelte';
import { NOW, view } from '../test/fixtures';
import ProfilePanel from './ProfilePanel.svelte';

vi.mock('../bindings', () => ({ commands: {}, events: {} }));

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
  const customer = {
    id: 10,
    name: 'Anna Berg',
    email: 'anna@example.com',
    email_verified: false,
    phone: null,
    city: null,
    country: null,
    time_zone: null,
    kind: 'new' as const,
    customer_since: NOW - 86_400_000,
    total_spent: { minor: 0, currency: 'SEK' },
    email_marketing: false,
    sms_marketing: false,
    admin_url: '/admin/customers/10',
  };
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
