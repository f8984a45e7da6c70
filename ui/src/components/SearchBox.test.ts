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
  expect(onchoose).toHaveBeenCalledWith(42, 'closed');
});
