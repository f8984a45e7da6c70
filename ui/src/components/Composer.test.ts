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
    previewMedia: vi.fn(),
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

it('previews a chosen image as it will be sent, and sends the file with the text', async () => {
  vi.mocked(commands.pickMedia).mockImplementation(() => ok('/home/astrid/Bilder/mugg.jpg'));
  vi.mocked(commands.previewMedia).mockImplementation(() =>
    ok({
      kind: 'image' as const,
      width: 2048,
      height: 1536,
      size: 420_000,
      thumbnail: 'data:image/jpeg;base64,/9j/4AAQ',
    }),
  );
  vi.mocked(commands.sendMedia).mockImplementation(() => ok(2));
  compose();
  await fireEvent.click(screen.getByTestId('composer-attach'));
  await waitFor(() => expect(screen.getByTestId('attachment-thumbnail')).toBeTruthy());
  expect(commands.previewMedia).toHaveBeenCalledWith('/home/astrid/Bilder/mugg.jpg');
  expect(screen.getByTestId<HTMLImageElement>('attachment-thumbnail').src).toBe(
    'data:image/jpeg;base64,/9j/4AAQ',
  );
  expect(screen.getByTestId('attachment-details').textContent).toContain('2048 × 1536 px');

  await fireEvent.click(screen.getByTestId('composer-send'));
  await waitFor(() =>
    expect(commands.sendMedia).toHaveBeenCalledWith(3, '/home/astrid/Bilder/mugg.jpg', 'Hej'),
  );
});

it('refuses a damaged file as soon as it is chosen, with the reason, and keeps the text', async () => {
  vi.mocked(commands.pickMedia).mockImplementation(() => ok('/tmp/trasig.png'));
  vi.mocked(commands.previewMedia).mockImplementation(() =>
    fail('corrupt_media', "the image is damaged and can't be opened"),
  );
  compose();
  await fireEvent.click(screen.getByTestId('composer-attach'));
  await waitFor(() =>
    expect(screen.getByTestId('composer-error').textContent).toContain('The file is damaged'),
  );
  expect(screen.queryByTestId('attachment-preview')).toBeNull();
  expect(screen.getByTestId<HTMLTextAreaElement>('composer-input').value).toBe('Hej');
  expect(commands.sendMedia).not.toHaveBeenCalled();
});

it('says only what holds now: after a refused file, a too-long text shows why Send is off', async () => {
  vi.mocked(commands.pickMedia).mockImplementation(() => ok('/tmp/trasig.png'));
  vi.mocked(commands.previewMedia).mockImplementation(() =>
    fail('corrupt_media', "the image is damaged and can't be opened"),
  );
  compose();
  await fireEvent.click(screen.getByTestId('composer-attach'));
  await waitFor(() => expect(screen.getByTestId('composer-error')).toBeTruthy());

  const input = screen.getByTestId<HTMLTextAreaElement>('composer-input');
  await fireEvent.input(input, { target: { value: 'x'.repeat(5_001) } });
  expect(screen.queryByTestId('composer-error')).toBeNull();
  expect(screen.getByTestId('composer-too-long').textContent).toMatch(
    /too long: 5.?001 characters/,
  );
  expect(screen.getByTestId<HTMLButtonElement>('composer-send').disabled).toBe(true);

  // Back within the limit: nothing stale is said, and Send is on again.
  await fireEvent.input(input, { target: { value: 'Hej igen' } });
  expect(screen.queryByTestId('composer-too-long')).toBeNull();
  expect(screen.queryByTestId('composer-error')).toBeNull();
  expect(screen.getByTestId<HTMLButtonElement>('composer-send').disabled).toBe(false);
});
