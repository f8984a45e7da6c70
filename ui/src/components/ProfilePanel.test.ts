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
