import { render, waitFor } from '@testing-library/svelte';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';

import { commands } from '../bindings';
import MetricsView from './MetricsView.svelte';

vi.mock('../bindings', () => ({
  commands: { metrics: vi.fn() },
  events: {},
}));

beforeEach(() => {
  vi.clearAllMocks();
  // Never answers: the question asked is what these tests look at.
  vi.mocked(commands.metrics).mockImplementation(() => new Promise(() => {}));
});

afterEach(() => vi.useRealTimers());

/** 8 December 2026, 10:00 UTC: already the 8th in Auckland (UTC+13) and in Los Angeles (−8). */
const NOW = Date.UTC(2026, 11, 8, 10, 0);

it('cuts days at the shop’s midnights, not this computer’s, and names the zone', () => {
  const view = render(MetricsView, {
    props: { now: NOW, staff: [], zone: 'Pacific/Auckland', onclose: vi.fn() },
  });
  // The last 7 days in Auckland: 2 to 8 December there, from 1 December 11:00 UTC.
  expect(commands.metrics).toHaveBeenCalledWith({
    current: { from: Date.UTC(2026, 11, 1, 11), to: Date.UTC(2026, 11, 8, 11) },
    previous: { from: Date.UTC(2026, 10, 24, 11), to: Date.UTC(2026, 11, 1, 11) },
  });
  expect(
    view.getByText(/Days start at midnight in the shop’s time zone \(Pacific\/Auckland\)/),
  ).toBeTruthy();
});

it('counts again when synced changes reach the mirror, at most once a second', async () => {
  const view = render(MetricsView, {
    props: { now: NOW, staff: [], zone: 'America/Los_Angeles', version: 0, onclose: vi.fn() },
  });
  expect(commands.metrics).toHaveBeenCalledTimes(1);
  expect(vi.mocked(commands.metrics).mock.calls[0]![0].current.to).toBe(Date.UTC(2026, 11, 9, 8));
  for (let version = 1; version <= 5; version++) await view.rerender({ version });
  expect(commands.metrics).toHaveBeenCalledTimes(1);
  await waitFor(() => expect(commands.metrics).toHaveBeenCalledTimes(2), { timeout: 2000 });
  expect(vi.mocked(commands.metrics).mock.calls[1]![0]).toEqual(
    vi.mocked(commands.metrics).mock.calls[0]![0],
  );
});
