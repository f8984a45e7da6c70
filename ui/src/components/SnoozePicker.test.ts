import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, expect, it, vi } from 'vitest';

import type { SnoozeChoices } from '../bindings';
import { setLocale } from '../lib/i18n/index.svelte';
import SnoozePicker from './SnoozePicker.svelte';

afterEach(() => setLocale('en'));

/** A Stockholm wall-clock time in December (CET, UTC+1) as Unix milliseconds. */
const cet = (day: number, hour: number, minute = 0) => Date.UTC(2026, 11, day, hour - 1, minute);
/** Tuesday 8 December 2026, 14:37 in Stockholm. */
const NOW = cet(8, 14, 37);

const CHOICES: SnoozeChoices = {
  time_zone: 'Europe/Stockholm',
  choices: [
    { kind: 'later_today', until: cet(8, 18) },
    { kind: 'tomorrow', until: cet(9, 9) },
    { kind: 'next_week', until: cet(14, 9) },
  ],
};

function picker(over: Partial<Parameters<typeof render<typeof SnoozePicker>>[1]> = {}) {
  const props = {
    choices: CHOICES,
    snoozedUntil: null,
    now: NOW,
    onsnooze: vi.fn(),
    onpick: vi.fn(() => Promise.resolve(cet(24, 9, 30))),
    onclose: vi.fn(),
    ...(over as object),
  };
  render(SnoozePicker, { props });
  return props;
}

it('offers later today, tomorrow and next week with their times in the shop’s zone', () => {
  const props = picker();
  expect(screen.getByTestId('snooze-later_today').textContent).toContain('Later today');
  expect(screen.getByTestId('snooze-later_today').textContent).toContain('6:00 PM');
  expect(screen.getByTestId('snooze-tomorrow').textContent).toContain('Wed 9:00 AM');
  expect(screen.getByTestId('snooze-next_week').textContent).toContain('Mon 9:00 AM');
  expect(screen.getByText('Times are the shop’s (Europe/Stockholm).')).toBeTruthy();
  expect(screen.queryByTestId('snooze-end')).toBeNull();

  void fireEvent.click(screen.getByTestId('snooze-tomorrow'));
  expect(props.onsnooze).toHaveBeenCalledWith(cet(9, 9), {
    key: 'action.snoozed',
    params: { time: 'Wed 9:00 AM' },
  });
});

it('reads a custom date and time through the engine, starting at tomorrow 09:00', async () => {
  const props = picker();
  const date = screen.getByTestId<HTMLInputElement>('snooze-date');
  await waitFor(() => expect(date.value).toBe('2026-12-09'));
  expect(screen.getByTestId<HTMLInputElement>('snooze-time').value).toBe('09:00');
  await fireEvent.input(date, { target: { value: '2026-12-24' } });
  await fireEvent.input(screen.getByTestId('snooze-time'), { target: { value: '09:30' } });
  await fireEvent.click(screen.getByTestId('snooze-custom'));
  await waitFor(() => expect(props.onsnooze).toHaveBeenCalled());
  expect(props.onpick).toHaveBeenCalledWith('2026-12-24', '09:30');
  expect(props.onsnooze).toHaveBeenCalledWith(cet(24, 9, 30), {
    key: 'action.snoozed',
    params: { time: 'Dec 24 9:30 AM' },
  });
});

it('says until when a snoozed conversation is set aside and offers to end it', async () => {
  const props = picker({ snoozedUntil: cet(9, 9) });
  expect(screen.getByTestId('snooze-current').textContent).toContain('Snoozed until Wed 9:00 AM');
  await fireEvent.click(screen.getByTestId('snooze-end'));
  expect(props.onsnooze).toHaveBeenCalledWith(null);
});

it('speaks Swedish, with Swedish times', () => {
  setLocale('sv');
  picker();
  expect(screen.getByTestId('snooze-tomorrow').textContent).toContain('I morgon');
  expect(screen.getByTestId('snooze-tomorrow').textContent).toContain('ons 09:00');
  expect(screen.getByText('Tiderna är butikens (Europe/Stockholm).')).toBeTruthy();
});

it('waits for the choices without offering any', () => {
  picker({ choices: null });
  expect(screen.getByRole('status').textContent).toContain('Working out the times');
  expect(screen.queryByTestId('snooze-tomorrow')).toBeNull();
});
