import { render, screen, within } from '@testing-library/svelte';
import { expect, it } from 'vitest';

import { setLocale } from '../lib/i18n/index.svelte';
import MetricsTable from './MetricsTable.svelte';

const rows = [
  {
    key: 'staff-1',
    label: 'Alva Lund',
    figures: {
      current: {
        conversations: 1204,
        replied: 1100,
        first_response_median_ms: 4 * 60_000,
        first_response_p90_ms: 2 * 3_600_000 + 5 * 60_000,
        with_sale: 87,
      },
      previous: {
        conversations: 998,
        replied: 0,
        first_response_median_ms: null,
        first_response_p90_ms: null,
        with_sale: 3,
      },
    },
  },
  {
    key: 'staff-none',
    label: 'Unassigned',
    figures: {
      current: {
        conversations: 2,
        replied: 1,
        first_response_median_ms: 30_000,
        first_response_p90_ms: 30_000,
        with_sale: 0,
      },
      previous: {
        conversations: 0,
        replied: 0,
        first_response_median_ms: null,
        first_response_p90_ms: null,
        with_sale: 0,
      },
    },
  },
];

it('shows every number it is given, this period and the previous, in the locale', () => {
  setLocale('en');
  render(MetricsTable, { caption: 'By staff member', rows, tag: 'en-GB', testid: 't' });
  const table = screen.getByRole('table', { name: 'By staff member' });
  const headers = within(table)
    .getAllByRole('columnheader')
    .map((h) => h.textContent);
  expect(headers).toEqual([
    'Row',
    'Conversations',
    'Replied conversations',
    'Median first response time',
    '90th percentile first response time',
    'Conversations with a sale within 7 days',
  ]);
  const cells = (name: string) =>
    within(within(table).getByRole('rowheader', { name }).closest('tr')!)
      .getAllByRole('cell')
      .map((c) => c.textContent?.replace(/\s+/g, ' ').trim());
  expect(cells('Alva Lund')).toEqual([
    '1,204 previous: 998',
    '1,100 previous: 0',
    '4 mins previous: –',
    '2 hrs 5 mins previous: –',
    '87 previous: 3',
  ]);
  expect(cells('Unassigned')).toEqual([
    '2 previous: 0',
    '1 previous: 0',
    '30 secs previous: –',
    '30 secs previous: –',
    '0 previous: 0',
  ]);
});

it('writes Swedish numbers and words in Swedish', () => {
  setLocale('sv');
  render(MetricsTable, { caption: 'Per medarbetare', rows, tag: 'sv-SE' });
  const row = screen.getByRole('rowheader', { name: 'Alva Lund' }).closest('tr')!;
  const first = within(row).getAllByRole('cell')[0]!.textContent?.replace(/\s+/g, ' ').trim();
  expect(first).toBe('1 204 föregående: 998');
  expect(screen.getByRole('columnheader', { name: 'Konversationer' })).toBeTruthy();
  setLocale('en');
});
