import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import { commands } from '../bindings';
import type { Overtaken } from '../lib/activity';
import { app } from '../state/app.svelte';
import { fail, ok, staff } from '../test/fixtures';
import Composer from './Composer.svelte';

vi.mock('../bindings', () => ({
  commands: {
    reply: vi.fn(),
    saveDraft: vi.fn(),
    sendPastedMedia: vi.fn(),
    sendMedia: vi.fn(),
    pickMedia: vi.fn(),
    previewMedia: vi.fn(),
    savedReplies: vi.fn(),
    insertSavedReply: vi.fn(),
    sendSavedReply: vi.fn(),
    reportTyping: vi.fn(),
  },
  events: {},
}));

beforeEach(() => {
  vi.clearAllMocks();
  vi.mocked(commands.saveDraft).mockImplementation(() => ok(null));
  app.overlay = null;
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

const SAVED = {
  id: 7,
  title: 'Presenttips',
  body: 'Hej {customer.first_name}! Här är våra favoriter:',
  product_ids: [4, 9],
  discount_id: null,
  image_upload_id: null,
  author_id: 1,
  created_at: 0,
  updated_at: 0,
};

const CARD = {
  product_id: 4,
  title: 'Stoneware Mug',
  price: { minor: 24_900, currency: 'SEK' },
  image_url: null,
  url: '/store/products/stoneware-mug',
};

function composeEmpty() {
  return render(Composer, {
    props: {
      conversationId: 3,
      draft: '',
      route: { via: 'platform', platform: 'online_store' },
      onproducts: vi.fn(),
      ondiscount: vi.fn(),
    },
  });
}

it('opens saved replies on / in an empty composer, fills the text and sends the products with it', async () => {
  vi.mocked(commands.savedReplies).mockImplementation(() => ok([SAVED]));
  const insert = {
    text: 'Hej Saga! Här är våra favoriter:',
    products: [CARD, { ...CARD, product_id: 9, title: 'Birch Tar Soap' }],
    discount: null,
    image: null,
    image_path: null,
  };
  vi.mocked(commands.insertSavedReply).mockImplementation(() => ok(insert));
  vi.mocked(commands.sendSavedReply).mockImplementation(() => ok([11]));
  composeEmpty();
  const input = screen.getByTestId<HTMLTextAreaElement>('composer-input');

  await fireEvent.keyDown(input, { key: '/' });
  await waitFor(() => expect(screen.getAllByTestId('saved-reply-item')).toHaveLength(1));
  expect(screen.getByTestId('saved-reply-item').textContent).toContain('2 products');
  await fireEvent.keyDown(screen.getByTestId('saved-reply-search'), { key: 'Enter' });

  await waitFor(() => expect(input.value).toBe('Hej Saga! Här är våra favoriter:'));
  expect(commands.insertSavedReply).toHaveBeenCalledWith(7, 3);
  expect(screen.queryByTestId('saved-reply-picker')).toBeNull();
  const attached = screen.getByTestId('saved-reply-attached');
  expect(attached.textContent).toContain('Presenttips');
  expect(attached.textContent).toContain('Stoneware Mug · Birch Tar Soap');

  // Staff may edit the text before sending; the products go with it.
  await fireEvent.input(input, { target: { value: 'Hej Saga! Här är två favoriter:' } });
  await fireEvent.click(screen.getByTestId('composer-send'));
  await waitFor(() =>
    expect(commands.sendSavedReply).toHaveBeenCalledWith(
      3,
      insert,
      'Hej Saga! Här är två favoriter:',
    ),
  );
  await waitFor(() => expect(screen.queryByTestId('saved-reply-attached')).toBeNull());
  expect(commands.reply).not.toHaveBeenCalled();
});

it('types a / into a composer that has text, and does not open saved replies', () => {
  compose();
  const input = screen.getByTestId<HTMLTextAreaElement>('composer-input');
  const slash = new KeyboardEvent('keydown', { key: '/', bubbles: true, cancelable: true });
  input.dispatchEvent(slash);
  expect(slash.defaultPrevented).toBe(false);
  expect(screen.queryByTestId('saved-reply-picker')).toBeNull();
});

it('refuses a saved reply with an expired code as sharing the code by hand is, and changes nothing', async () => {
  vi.mocked(commands.savedReplies).mockImplementation(() => ok([{ ...SAVED, discount_id: 3 }]));
  vi.mocked(commands.insertSavedReply).mockImplementation(() => fail('discount_inactive'));
  compose();
  const input = screen.getByTestId<HTMLTextAreaElement>('composer-input');
  await fireEvent.input(input, { target: { value: '' } });
  await fireEvent.keyDown(input, { key: '/' });
  await waitFor(() => expect(screen.getAllByTestId('saved-reply-item')).toHaveLength(1));
  await fireEvent.click(screen.getByTestId('saved-reply-item'));
  await waitFor(() =>
    expect(screen.getByTestId('composer-error').textContent).toBe(
      'This discount code is inactive. Update the code in the shop admin before sharing it.',
    ),
  );
  expect(screen.queryByTestId('saved-reply-attached')).toBeNull();
  expect(input.value).toBe('');
  expect(commands.sendSavedReply).not.toHaveBeenCalled();
});

describe('when a colleague replied after this reply was begun', () => {
  const jonas = { staffId: 2, messageId: 41, at: Date.now() - 20_000 };

  function composeOvertaken(overtaken: (since: number) => Overtaken | null) {
    app.staff = staff;
    const onreview = vi.fn();
    render(Composer, {
      props: {
        conversationId: 3,
        draft: '',
        route: { via: 'platform', platform: 'online_store' },
        overtaken,
        onreview,
        onproducts: vi.fn(),
        ondiscount: vi.fn(),
      },
    });
    return onreview;
  }

  it('reports typing and asks before sending: Send anyway sends', async () => {
    vi.mocked(commands.reply).mockImplementation(() => ok(1));
    const overtaken = vi.fn((_since: number): Overtaken | null => jonas);
    composeOvertaken(overtaken);
    const input = screen.getByTestId<HTMLTextAreaElement>('composer-input');
    const begun = Date.now();
    await fireEvent.input(input, { target: { value: 'Ja, den finns' } });
    expect(commands.reportTyping).toHaveBeenCalledWith(3);

    await fireEvent.keyDown(input, { key: 'Enter' });
    const guard = await screen.findByTestId('composer-guard');
    expect(guard.textContent).toContain('Bo replied 20 seconds ago');
    expect(overtaken.mock.calls[0]![0]).toBeGreaterThanOrEqual(begun);
    expect(commands.reply).not.toHaveBeenCalled();

    await fireEvent.click(screen.getByTestId('composer-send-anyway'));
    await waitFor(() => expect(commands.reply).toHaveBeenCalledWith(3, 'Ja, den finns'));
    expect(screen.queryByTestId('composer-guard')).toBeNull();
  });

  it('Review shows the reply, keeps the text, and asks again only for a newer one', async () => {
    vi.mocked(commands.reply).mockImplementation(() => ok(1));
    const overtaken = vi.fn((since: number): Overtaken | null => (since < jonas.at ? jonas : null));
    const onreview = composeOvertaken(overtaken);
    const input = screen.getByTestId<HTMLTextAreaElement>('composer-input');
    await fireEvent.input(input, { target: { value: 'Vi skickar i dag' } });
    // The reply was begun before Jonas answered, as far as the guard is concerned.
    overtaken.mockImplementationOnce(() => jonas);
    await fireEvent.click(screen.getByTestId('composer-send'));
    await fireEvent.click(await screen.findByTestId('composer-review'));
    expect(onreview).toHaveBeenCalledWith(41);
    expect(input.value).toBe('Vi skickar i dag');
    expect(commands.reply).not.toHaveBeenCalled();

    await fireEvent.click(screen.getByTestId('composer-send'));
    await waitFor(() => expect(commands.reply).toHaveBeenCalledWith(3, 'Vi skickar i dag'));
  });

  it('says “just now” for a reply seconds old', async () => {
    const overtaken = vi.fn((_since: number): Overtaken | null => ({
      ...jonas,
      at: Date.now() - 2_000,
    }));
    composeOvertaken(overtaken);
    const input = screen.getByTestId<HTMLTextAreaElement>('composer-input');
    await fireEvent.input(input, { target: { value: 'Hej!' } });
    await fireEvent.keyDown(input, { key: 'Enter' });
    expect((await screen.findByTestId('composer-guard')).textContent).toContain(
      'Bo replied just now, after you started writing.',
    );
    expect(commands.reply).not.toHaveBeenCalled();
  });

  it('never asks about a reply begun after the colleague’s', async () => {
    vi.mocked(commands.reply).mockImplementation(() => ok(1));
    const overtaken = vi.fn((_since: number): Overtaken | null => null);
    composeOvertaken(overtaken);
    const input = screen.getByTestId<HTMLTextAreaElement>('composer-input');
    await fireEvent.input(input, { target: { value: 'Hej!' } });
    await fireEvent.keyDown(input, { key: 'Enter' });
    await waitFor(() => expect(commands.reply).toHaveBeenCalledWith(3, 'Hej!'));
    expect(screen.queryByTestId('composer-guard')).toBeNull();
  });
});
