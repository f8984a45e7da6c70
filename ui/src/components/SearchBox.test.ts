import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { expect, it, vi } from 'vitest';

import { commands } from '../bindings';
import { NOW, ok } from '../test/fixtures';
import SearchBox from './SearchBox.svelte';

vi.mock('../bindings', () => ({ commands: { search: vi.fn() }, events: {} }));

it('searches as staff type and marks the matched words from the character ranges', async () => {
  vi.mocked(commands.search).mockImplementation(() =>
    ok([
      {
        conversation_id: 42,
        customer_name: 'Åsa Öberg',
        customer_email: 'asa@example.com',
        status: 'closed' as const,
        message_id: 5,
        // Ranges count characters: "beställning" is 11..22 after "var är min ".
        snippet: 'var är min beställning? <b>',
        highlights: [[11, 22]] as [number, number][],
        at: NOW,
      },
    ]),
  );
  const onchoose = vi.fn();
  const { container } = render(SearchBox, { props: { onchoose, now: NOW } });
  await fireEvent.input(screen.getByTestId('search-input'), { target: { value: 'beställ' } });
  await waitFor(() => expect(screen.getByTestId('search-result')).toBeTruthy());
  expect(commands.search).toHaveBeenCalledWith('beställ', 50);

  const result = screen.getByTestId('search-result');
  expect(result.dataset.conversationId).toBe('42');
  const marks = Array.from(result.querySelectorAll('mark')).map((m) => m.textContent);
  expect(marks).toEqual(['beställning']);
  expect(container.querySelector('b')).toBeNull();

  await fireEvent.click(result);
  expect(onchoose).toHaveBeenCalledWith(42, 'closed', 5);
});

it('keeps the results open while the field has focus, and closes them when focus leaves', async () => {
  vi.mocked(commands.search).mockImplementation(() =>
    ok([
      {
        conversation_id: 7,
        customer_name: 'Saga Holm',
        customer_email: 'saga@example.se',
        status: 'open' as const,
        message_id: null,
        snippet: 'Saga Holm · saga@example.se',
        highlights: [[12, 16]] as [number, number][],
        at: NOW,
      },
    ]),
  );
  const outside = document.createElement('button');
  document.body.append(outside);
  render(SearchBox, { props: { onchoose: vi.fn(), now: NOW } });
  const input = screen.getByTestId<HTMLInputElement>('search-input');

  // Focus leaves and comes straight back (as clearing the field does), then typing goes on.
  input.focus();
  await fireEvent.input(input, { target: { value: 'saga' } });
  await waitFor(() => expect(screen.getByTestId('search-result')).toBeTruthy());
  input.blur();
  input.focus();
  await fireEvent.input(input, { target: { value: 'saga@example.se' } });
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(screen.getByTestId('search-result').dataset.conversationId).toBe('7');

  // Focus moves elsewhere: the results close.
  outside.focus();
  await waitFor(() => expect(screen.queryByTestId('search-result')).toBeNull());
  outside.remove();
});
