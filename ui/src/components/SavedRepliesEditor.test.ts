import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';

import {
  commands,
  type Attachment_Serialize as Attachment,
  type SavedReply_Serialize as SavedReply,
} from '../bindings';
import { app } from '../state/app.svelte';
import { discount, fail, NOW, ok, product } from '../test/fixtures';
import SavedRepliesEditor from './SavedRepliesEditor.svelte';

vi.mock('../bindings', () => ({
  commands: {
    savedReplies: vi.fn(),
    savedReplyDetail: vi.fn(),
    addSavedReply: vi.fn(),
    editSavedReply: vi.fn(),
    deleteSavedReply: vi.fn(),
    searchProducts: vi.fn(),
    searchDiscounts: vi.fn(),
    pickMedia: vi.fn(),
    previewMedia: vi.fn(),
    uploadSavedReplyImage: vi.fn(),
    uploadPastedSavedReplyImage: vi.fn(),
    mediaUrl: vi.fn(),
  },
  events: {},
}));

const GIFTS: SavedReply = {
  id: 7,
  title: 'Presenttips',
  body: 'Hej {customer.first_name}! Här är våra favoriter:',
  product_ids: [4, 9],
  discount_id: 2,
  image_upload_id: null,
  author_id: 1,
  created_at: 0,
  updated_at: 0,
};
const HOURS: SavedReply = {
  ...GIFTS,
  id: 8,
  title: 'Opening hours',
  body: 'We answer 9–17.',
  product_ids: [],
  discount_id: null,
};
const EXPIRED = discount({ id: 2, code: 'OLD10', status: 'EXPIRED', ends_at: NOW - 1000 });
const PHOTO: Attachment = {
  upload_id: 'up_linen',
  kind: 'image',
  mime: 'image/jpeg',
  size: 48_000,
  width: 800,
  height: 600,
  sha256: 'ab12',
  url: '/media/up_linen',
};

let stored: SavedReply[] = [GIFTS, HOURS];

beforeEach(() => {
  vi.clearAllMocks();
  app.sync = { state: 'live' };
  stored = [GIFTS, HOURS];
  vi.mocked(commands.savedReplies).mockImplementation(() => ok(stored));
  vi.mocked(commands.savedReplyDetail).mockImplementation((id) => {
    const reply = stored.find((r) => r.id === id)!;
    return ok({
      saved_reply: reply,
      products: reply.product_ids.map((p) => product(p)),
      discount: reply.discount_id === 2 ? EXPIRED : reply.discount_id ? discount() : null,
      image: reply.image_upload_id === PHOTO.upload_id ? PHOTO : null,
    });
  });
  vi.mocked(commands.addSavedReply).mockImplementation(() => ok(21));
  vi.mocked(commands.editSavedReply).mockImplementation((id, reply) => {
    stored = stored.map((r) => (r.id === id ? { ...r, ...reply } : r));
    return ok(22);
  });
  vi.mocked(commands.deleteSavedReply).mockImplementation((id) => {
    stored = stored.filter((r) => r.id !== id);
    return ok(23);
  });
  vi.mocked(commands.searchProducts).mockImplementation(() =>
    ok([1, 2, 3, 4, 5].map((id) => product(id))),
  );
  vi.mocked(commands.searchDiscounts).mockImplementation(() => ok([discount(), EXPIRED]));
  vi.mocked(commands.mediaUrl).mockImplementation((a) => ok(`inbox-media://localhost/${a.sha256}`));
});

afterEach(() => {
  app.sync = { state: 'idle' };
});

function renderEditor() {
  return render(SavedRepliesEditor, { props: { now: () => NOW } });
}

async function edit(index: number) {
  await waitFor(() => expect(screen.getAllByTestId('saved-reply-row')).toHaveLength(stored.length));
  await fireEvent.click(screen.getAllByTestId('saved-reply-edit')[index]!);
}

async function save() {
  await fireEvent.click(screen.getByTestId('saved-reply-save'));
  await waitFor(() => expect(screen.queryByTestId('saved-reply-form')).toBeNull());
}

it('edits a reply showing what it attaches as the shop has it, an expired code as expired', async () => {
  renderEditor();
  await edit(0);
  const body = screen.getByTestId<HTMLTextAreaElement>('saved-reply-body');
  expect(body.value).toBe(GIFTS.body);
  await waitFor(() => expect(screen.getAllByTestId('saved-reply-product')).toHaveLength(2));
  expect(commands.savedReplyDetail).toHaveBeenCalledWith(7);
  const products = screen.getByTestId('saved-reply-products');
  expect(products.textContent).toContain('Products: 2 of 3');
  expect(products.textContent).toContain('Product 4');
  expect(products.textContent).toContain('Product 9');
  expect(screen.getByTestId('saved-reply-discount-code').textContent).toBe('OLD10');
  expect(screen.getByTestId('saved-reply-discount-status').textContent).toBe('Expired');
  expect(screen.getByTestId('saved-reply-discount-inactive').textContent).toContain(
    'The code OLD10 isn’t active',
  );

  await fireEvent.input(body, { target: { value: 'Hej {customer.first_name}! Tre favoriter:' } });
  await save();
  expect(commands.editSavedReply).toHaveBeenCalledWith(7, {
    title: 'Presenttips',
    body: 'Hej {customer.first_name}! Tre favoriter:',
    product_ids: [4, 9],
    discount_id: 2,
    image_upload_id: null,
  });
});

it('chooses up to three products, does not offer a fourth and says why, and removes one', async () => {
  renderEditor();
  await edit(1);
  await fireEvent.click(screen.getByTestId('saved-reply-choose-products'));
  const chooser = screen.getByTestId('saved-reply-products-chooser');
  await waitFor(() =>
    expect(document.activeElement).toBe(within(chooser).getByTestId('product-search')),
  );
  await waitFor(() => expect(within(chooser).getAllByTestId('product-option')).toHaveLength(5));
  const options = within(chooser).getAllByTestId('product-option');
  for (const o of options.slice(0, 3)) await fireEvent.click(o);
  expect(screen.getAllByTestId('saved-reply-product')).toHaveLength(3);
  expect(screen.getByTestId('saved-reply-products').textContent).toContain('Products: 3 of 3');

  // The fourth is not offered, and the reason is shown.
  const fourth = options[3]!;
  expect(fourth.getAttribute('aria-disabled')).toBe('true');
  expect(screen.getByTestId('product-limit').textContent).toContain(
    'A saved reply can carry at most three products',
  );
  await fireEvent.click(fourth);
  expect(fourth.getAttribute('aria-selected')).toBe('false');
  expect(screen.getAllByTestId('saved-reply-product')).toHaveLength(3);

  await fireEvent.click(screen.getByTestId('saved-reply-products-done'));
  expect(screen.queryByTestId('saved-reply-products-chooser')).toBeNull();
  await waitFor(() =>
    expect(document.activeElement).toBe(screen.getByTestId('saved-reply-choose-products')),
  );
  await fireEvent.click(screen.getByRole('button', { name: 'Remove Product 2' }));
  expect(screen.getAllByTestId('saved-reply-product').map((p) => p.textContent)).toEqual([
    expect.stringContaining('Product 1'),
    expect.stringContaining('Product 3'),
  ]);
  await save();
  expect(commands.editSavedReply).toHaveBeenCalledWith(8, {
    title: 'Opening hours',
    body: 'We answer 9–17.',
    product_ids: [1, 3],
    discount_id: null,
    image_upload_id: null,
  });
});

it('chooses an active code, refuses an expired one with the reason, and removes a code', async () => {
  renderEditor();
  await edit(1);
  await fireEvent.click(screen.getByTestId('saved-reply-choose-discount'));
  await waitFor(() => expect(screen.getAllByTestId('discount-option')).toHaveLength(2));
  const option = (code: string) =>
    screen.getAllByTestId('discount-option').find((o) => o.dataset.code === code)!;
  // The chooser shows an expired code as expired, and refuses it.
  expect(option('OLD10').textContent).toContain('Expired');
  await fireEvent.click(option('OLD10'));
  expect(screen.getByTestId('discount-error').textContent).toContain('OLD10 is inactive');
  expect(screen.queryByTestId('saved-reply-discount-code')).toBeNull();

  await fireEvent.click(option('WINTER15'));
  expect(screen.queryByTestId('saved-reply-discount-chooser')).toBeNull();
  expect(screen.getByTestId('saved-reply-discount-code').textContent).toBe('WINTER15');
  expect(screen.getByTestId('saved-reply-discount-status').textContent).toBe('Active');
  await save();
  expect(commands.editSavedReply).toHaveBeenLastCalledWith(8, {
    title: 'Opening hours',
    body: 'We answer 9–17.',
    product_ids: [],
    discount_id: 1,
    image_upload_id: null,
  });

  // The expired code of the gifts reply is removed; its products stay.
  await edit(0);
  await waitFor(() => expect(screen.getByTestId('saved-reply-discount-code')).toBeTruthy());
  await fireEvent.click(screen.getByRole('button', { name: 'Remove the discount code' }));
  expect(screen.queryByTestId('saved-reply-discount-code')).toBeNull();
  await save();
  expect(commands.editSavedReply).toHaveBeenLastCalledWith(7, {
    title: 'Presenttips',
    body: GIFTS.body,
    product_ids: [4, 9],
    discount_id: null,
    image_upload_id: null,
  });
});

it('uploads a chosen image as the composer prepares one, shows its thumbnail, and removes it', async () => {
  vi.mocked(commands.pickMedia).mockImplementation(() => ok('/home/astrid/linen.jpg'));
  vi.mocked(commands.previewMedia).mockImplementation(() =>
    ok({ kind: 'image' as const, width: 800, height: 600, size: 48_000, thumbnail: null }),
  );
  vi.mocked(commands.uploadSavedReplyImage).mockImplementation(() => ok(PHOTO));
  renderEditor();
  await edit(1);
  await fireEvent.click(screen.getByTestId('saved-reply-choose-image'));
  const thumbnail = await screen.findByTestId('saved-reply-thumbnail');
  expect(commands.previewMedia).toHaveBeenCalledWith('/home/astrid/linen.jpg');
  expect(commands.uploadSavedReplyImage).toHaveBeenCalledWith('/home/astrid/linen.jpg');
  const img = await within(thumbnail).findByRole('img', { name: 'The saved reply’s image' });
  expect(img.getAttribute('src')).toBe('inbox-media://localhost/ab12');
  expect(commands.mediaUrl).toHaveBeenCalledWith(PHOTO);
  await save();
  expect(commands.editSavedReply).toHaveBeenLastCalledWith(8, {
    title: 'Opening hours',
    body: 'We answer 9–17.',
    product_ids: [],
    discount_id: null,
    image_upload_id: 'up_linen',
  });

  // Edited again: the image shows from the shop, and Remove takes it off.
  await edit(1);
  await screen.findByTestId('saved-reply-thumbnail');
  await fireEvent.click(screen.getByRole('button', { name: 'Remove the image' }));
  expect(screen.queryByTestId('saved-reply-thumbnail')).toBeNull();
  await save();
  expect(commands.editSavedReply).toHaveBeenLastCalledWith(8, {
    title: 'Opening hours',
    body: 'We answer 9–17.',
    product_ids: [],
    discount_id: null,
    image_upload_id: null,
  });
});

it('refuses a video for a reply before uploading anything', async () => {
  vi.mocked(commands.pickMedia).mockImplementation(() => ok('/home/astrid/clip.mp4'));
  vi.mocked(commands.previewMedia).mockImplementation(() =>
    ok({ kind: 'video' as const, width: null, height: null, size: 900_000, thumbnail: null }),
  );
  renderEditor();
  await edit(1);
  await fireEvent.click(screen.getByTestId('saved-reply-choose-image'));
  await waitFor(() =>
    expect(screen.getByTestId('saved-reply-image-error').textContent).toBe(
      'A saved reply can carry an image, not a video.',
    ),
  );
  expect(commands.uploadSavedReplyImage).not.toHaveBeenCalled();
});

function paste(target: Element, file: File) {
  const event = new Event('paste', { bubbles: true, cancelable: true });
  Object.defineProperty(event, 'clipboardData', { value: { files: [file] } });
  target.dispatchEvent(event);
  return event;
}

it('takes an image pasted into the text as the reply’s image', async () => {
  vi.mocked(commands.uploadPastedSavedReplyImage).mockImplementation(() => ok(PHOTO));
  renderEditor();
  await fireEvent.click(screen.getByTestId('saved-reply-new'));
  await fireEvent.input(screen.getByTestId('saved-reply-title'), { target: { value: 'Linne' } });
  const body = screen.getByTestId('saved-reply-body');
  await fireEvent.input(body, { target: { value: 'Så här ser det ut:' } });
  const file = new File([new Uint8Array([137, 80, 78, 71])], 'shot.png', { type: 'image/png' });
  expect(paste(body, file).defaultPrevented).toBe(true);
  await screen.findByTestId('saved-reply-thumbnail');
  expect(commands.uploadPastedSavedReplyImage).toHaveBeenCalledWith('shot.png', 'iVBORw==');
  await save();
  expect(commands.addSavedReply).toHaveBeenCalledWith({
    title: 'Linne',
    body: 'Så här ser det ut:',
    product_ids: [],
    discount_id: null,
    image_upload_id: 'up_linen',
  });
});

it('says an image needs the connection when the upload can’t reach the shop, and loses nothing', async () => {
  vi.mocked(commands.pickMedia).mockImplementation(() => ok('/home/astrid/linen.jpg'));
  vi.mocked(commands.previewMedia).mockImplementation(() =>
    ok({ kind: 'image' as const, width: 800, height: 600, size: 48_000, thumbnail: null }),
  );
  vi.mocked(commands.uploadSavedReplyImage).mockImplementation(() => fail('network'));
  renderEditor();
  await edit(1);
  const body = screen.getByTestId<HTMLTextAreaElement>('saved-reply-body');
  await fireEvent.input(body, { target: { value: 'We answer 9–18.' } });
  await fireEvent.click(screen.getByTestId('saved-reply-choose-image'));
  await waitFor(() =>
    expect(screen.getByTestId('saved-reply-image-error').textContent).toContain(
      'The image can’t be uploaded without a connection to the shop',
    ),
  );
  expect(body.value).toBe('We answer 9–18.');
  expect(screen.queryByTestId('saved-reply-thumbnail')).toBeNull();
  await save();
  expect(commands.editSavedReply).toHaveBeenCalledWith(8, {
    title: 'Opening hours',
    body: 'We answer 9–18.',
    product_ids: [],
    discount_id: null,
    image_upload_id: null,
  });
});

it('offline: the choosers are disabled with the reason; the text is edited and what it attaches kept or removed', async () => {
  app.sync = { state: 'offline', since: NOW, reason: 'connection refused' };
  vi.mocked(commands.savedReplyDetail).mockImplementation(() => fail('network'));
  renderEditor();
  await edit(0);
  expect(screen.getByTestId('saved-reply-offline').textContent).toContain(
    'needs a connection to the shop',
  );
  const form = screen.getByTestId('saved-reply-form');
  await waitFor(() =>
    expect(form.textContent).toContain('Keeps what it attaches: 2 products, Discount code.'),
  );
  await fireEvent.click(screen.getByTestId('saved-reply-drop-discount'));
  expect(form.textContent).toContain('Keeps what it attaches: 2 products.');
  await save();
  expect(commands.editSavedReply).toHaveBeenCalledWith(7, {
    title: 'Presenttips',
    body: GIFTS.body,
    product_ids: [4, 9],
    discount_id: null,
    image_upload_id: null,
  });

  // A new reply: nothing to choose from offline, and a pasted image is refused with the reason.
  await fireEvent.click(screen.getByTestId('saved-reply-new'));
  for (const id of ['products', 'discount', 'image']) {
    expect(screen.getByTestId<HTMLButtonElement>(`saved-reply-choose-${id}`).disabled).toBe(true);
  }
  const file = new File([new Uint8Array([137, 80, 78, 71])], 'shot.png', { type: 'image/png' });
  paste(screen.getByTestId('saved-reply-body'), file);
  await waitFor(() =>
    expect(screen.getByTestId('saved-reply-image-error').textContent).toContain(
      'without a connection',
    ),
  );
  expect(commands.uploadPastedSavedReplyImage).not.toHaveBeenCalled();
});

it('shows the limits as staff type and refuses a title that is too long before queueing', async () => {
  renderEditor();
  await fireEvent.click(screen.getByTestId('saved-reply-new'));
  const title = screen.getByTestId<HTMLInputElement>('saved-reply-title');
  await fireEvent.input(title, { target: { value: 'å'.repeat(101) } });
  await fireEvent.input(screen.getByTestId('saved-reply-body'), { target: { value: 'Text' } });
  expect(screen.getByTestId('saved-reply-form').textContent).toContain('101 of 100 characters');
  expect(title.getAttribute('aria-invalid')).toBe('true');
  await fireEvent.click(screen.getByTestId('saved-reply-save'));
  expect(screen.getByTestId('saved-reply-error').textContent).toBe(
    'The title is too long: 101 characters, at most 100.',
  );
  expect(commands.addSavedReply).not.toHaveBeenCalled();

  await fireEvent.input(title, { target: { value: 'Öppettider' } });
  await fireEvent.click(screen.getByTestId('saved-reply-save'));
  await waitFor(() =>
    expect(commands.addSavedReply).toHaveBeenCalledWith({
      title: 'Öppettider',
      body: 'Text',
      product_ids: [],
      discount_id: null,
      image_upload_id: null,
    }),
  );
  expect((await screen.findByTestId('saved-reply-notice')).textContent).toBe(
    'Saved. It goes to the shop when the connection allows.',
  );
});

it('deletes after asking, and shows a refusal without losing the list', async () => {
  renderEditor();
  await waitFor(() => expect(screen.getAllByTestId('saved-reply-row')).toHaveLength(2));
  await fireEvent.click(screen.getAllByTestId('saved-reply-delete')[1]!);
  expect(screen.getByTestId('settings-saved-replies').textContent).toContain(
    'Delete “Opening hours” for everyone?',
  );
  await fireEvent.click(screen.getByTestId('saved-reply-delete-confirm'));
  await waitFor(() => expect(screen.getAllByTestId('saved-reply-row')).toHaveLength(1));
  expect(commands.deleteSavedReply).toHaveBeenCalledWith(8);

  vi.mocked(commands.deleteSavedReply).mockImplementation(() => fail('database'));
  await fireEvent.click(screen.getByTestId('saved-reply-delete'));
  await fireEvent.click(screen.getByTestId('saved-reply-delete-confirm'));
  await waitFor(() => expect(screen.getByTestId('saved-reply-error')).toBeTruthy());
  expect(screen.getAllByTestId('saved-reply-row')).toHaveLength(1);
});
