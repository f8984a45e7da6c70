import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { beforeEach, expect, it, vi } from 'vitest';

import { commands, type SavedReply_Serialize as SavedReply } from '../bindings';
import { fail, ok } from '../test/fixtures';
import SavedRepliesEditor from './SavedRepliesEditor.svelte';

vi.mock('../bindings', () => ({
  commands: {
    savedReplies: vi.fn(),
    addSavedReply: vi.fn(),
    editSavedReply: vi.fn(),
    deleteSavedReply: vi.fn(),
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

let stored: SavedReply[] = [GIFTS, HOURS];

beforeEach(() => {
  vi.clearAllMocks();
  stored = [GIFTS, HOURS];
  vi.mocked(commands.savedReplies).mockImplementation(() => ok(stored));
  vi.mocked(commands.addSavedReply).mockImplementation(() => ok(21));
  vi.mocked(commands.editSavedReply).mockImplementation((id, reply) => {
    stored = stored.map((r) => (r.id === id ? { ...r, ...reply } : r));
    return ok(22);
  });
  vi.mocked(commands.deleteSavedReply).mockImplementation((id) => {
    stored = stored.filter((r) => r.id !== id);
    return ok(23);
  });
});

it('lists the saved replies and edits one, keeping what it attaches', async () => {
  render(SavedRepliesEditor);
  await waitFor(() => expect(screen.getAllByTestId('saved-reply-row')).toHaveLength(2));
  await fireEvent.click(screen.getAllByTestId('saved-reply-edit')[0]!);
  const body = screen.getByTestId<HTMLTextAreaElement>('saved-reply-body');
  expect(body.value).toBe(GIFTS.body);
  expect(screen.getByTestId('saved-reply-form').textContent).toContain(
    'Keeps what it attaches: 2 products, Discount code.',
  );
  await fireEvent.input(body, { target: { value: 'Hej {customer.first_name}! Tre favoriter:' } });
  await fireEvent.click(screen.getByTestId('saved-reply-save'));
  await waitFor(() =>
    expect(commands.editSavedReply).toHaveBeenCalledWith(7, {
      title: 'Presenttips',
      body: 'Hej {customer.first_name}! Tre favoriter:',
      product_ids: [4, 9],
      discount_id: 2,
      image_upload_id: null,
    }),
  );
  await waitFor(() => expect(screen.queryByTestId('saved-reply-form')).toBeNull());
});

it('drops an expired discount code from a reply and keeps its products', async () => {
  render(SavedRepliesEditor);
  await waitFor(() => expect(screen.getAllByTestId('saved-reply-row')).toHaveLength(2));
  await fireEvent.click(screen.getAllByTestId('saved-reply-edit')[0]!);
  await fireEvent.click(screen.getByTestId('saved-reply-drop-discount'));
  expect(screen.getByTestId('saved-reply-form').textContent).toContain(
    'Keeps what it attaches: 2 products.',
  );
  expect(screen.queryByTestId('saved-reply-drop-discount')).toBeNull();
  await fireEvent.click(screen.getByTestId('saved-reply-save'));
  await waitFor(() =>
    expect(commands.editSavedReply).toHaveBeenCalledWith(7, {
      title: 'Presenttips',
      body: GIFTS.body,
      product_ids: [4, 9],
      discount_id: null,
      image_upload_id: null,
    }),
  );
});

it('shows the limits as staff type and refuses a title that is too long before queueing', async () => {
  render(SavedRepliesEditor);
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
  render(SavedRepliesEditor);
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
