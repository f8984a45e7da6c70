import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { beforeEach, expect, it, vi } from 'vitest';

import { commands } from '../bindings';
import { fail, ok } from '../test/fixtures';
import Composer from './Composer.svelte';

vi.mock('../bindings', () => ({
  commands: {
    reply: vi.fn(),
    saveDraft: vi.fn(),
    sendPastedMedia: vi.fn(),
    sendMedia: vi.fn(),
    pickMedia: vi.fn(),
  },
  events: {},
}));

beforeEach(() => {
  vi.clearAllMocks();
  vi.mocked(commands.saveDraft).mockImplementation(() => ok(null));
});

function compose() {
  return render(Composer, {
    props: {
      conversationId: 3,
      draft: 'Hej',
      route: { via: 'platform', platform: 'online_store' },
      onproducts: vi.fn(),
      ondiscount: vi.fn(),
    },
  });
}

it('sends on Enter, keeps Shift+Enter for a new line, and keeps the text when refused', async () => {
  vi.mocked(commands.reply).mockImplementation(() => fail('network'));
  compose();
  const input = screen.getByTestId<HTMLTextAreaElement>('composer-input');
  expect(input.value).toBe('Hej');

  await fireEvent.keyDown(input, { key: 'Enter', shiftKey: true });
  expect(commands.reply).not.toHaveBeenCalled();

  await fireEvent.keyDown(input, { key: 'Enter' });
  await waitFor(() =>
    expect(screen.getByTestId('composer-error').textContent).toContain('Can’t reach the shop'),
  );
  expect(commands.reply).toHaveBeenCalledWith(3, 'Hej');
  expect(input.value).toBe('Hej');
});

it('takes a pasted image, previews it, and sends it as base64 with the text', async () => {
  vi.mocked(commands.sendPastedMedia).mockImplementation(() => ok(1));
  compose();
  const file = new File([new Uint8Array([137, 80, 78, 71])], 'shot.png', { type: 'image/png' });
  const paste = new Event('paste', { bubbles: true, cancelable: true });
  Object.defineProperty(paste, 'clipboardData', { value: { files: [file] } });
  screen.getByTestId('composer-input').dispatchEvent(paste);
  await waitFor(() => expect(screen.getByTestId('attachment-preview')).toBeTruthy());
  expect(paste.defaultPrevented).toBe(true);

  await fireEvent.click(screen.getByTestId('composer-send'));
  await waitFor(() => expect(commands.sendPastedMedia).toHaveBeenCalled());
  expect(commands.sendPastedMedia).toHaveBeenCalledWith(3, 'shot.png', 'iVBORw==', 'Hej');
  await waitFor(() => expect(screen.queryByTestId('attachment-preview')).toBeNull());
});
