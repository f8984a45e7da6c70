import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';

import App from './App.svelte';
import { commands, type DeepLink } from './bindings';
import { setLocale } from './lib/i18n/index.svelte';
import { app, FIRST_PAGE_SIZE, PAGE_SIZE } from './state/app.svelte';
import { message, ok, staff, summary, view } from './test/fixtures';

vi.mock('./bindings', () => ({
  commands: {
    startup: vi.fn(),
    status: vi.fn(),
    staff: vi.fn(),
    conversations: vi.fn(),
    conversation: vi.fn(),
    profile: vi.fn(),
    setOpenConversation: vi.fn(),
    setStatus: vi.fn(),
    setUnread: vi.fn(),
    assign: vi.fn(),
    snooze: vi.fn(),
    snoozeChoices: vi.fn(),
    snoozeTime: vi.fn(),
    saveSettings: vi.fn(),
    about: vi.fn(),
    notificationSettings: vi.fn(() =>
      Promise.resolve({
        status: 'ok',
        data: {
          settings: { previews: true, quiet_hours: null, paused_until: null },
          silence: null,
        },
      }),
    ),
    search: vi.fn(),
    metrics: vi.fn(),
    saveDraft: vi.fn(() => Promise.resolve({ status: 'ok', data: null })),
    reply: vi.fn(),
    discard: vi.fn(),
    quit: vi.fn(() => Promise.resolve(null)),
    outbox: vi.fn(),
    retry: vi.fn(),
    attachmentCache: vi.fn(() => Promise.resolve({ status: 'ok', data: { used: 0, cap: 1 } })),
    setStartAtLogin: vi.fn(() => Promise.resolve({ status: 'ok', data: true })),
    activity: vi.fn(() => Promise.resolve({ status: 'ok', data: [] })),
    reportViewing: vi.fn(() => Promise.resolve({ status: 'ok', data: null })),
    reportTyping: vi.fn(() => Promise.resolve({ status: 'ok', data: null })),
    savedReplies: vi.fn(() => Promise.resolve({ status: 'ok', data: [] })),
  },
  events: {
    engineEvent: { listen: vi.fn(() => Promise.resolve(() => {})) },
    openConversation: { listen: vi.fn(() => Promise.resolve(() => {})) },
    openSearch: { listen: vi.fn(() => Promise.resolve(() => {})) },
  },
}));

/** The app's settings as saved: the defaults. */
const SETTINGS = {
  language: 'en' as const,
  keep_running: true,
  theme: 'system' as const,
  text_size: 100,
  focus_composer: false,
};

const account = {
  shop_url: 'https://shop.example',
  ca_path: null,
  staff: staff[0]!,
};

beforeEach(() => {
  vi.clearAllMocks();
  vi.mocked(commands.startup).mockImplementation(() =>
    ok({
      account,
      demo: false,
      settings: { ...SETTINGS, language: 'en' as const },
      link: null,
      start_at_login: false,
      first_page: [],
    }),
  );
  vi.mocked(commands.outbox).mockImplementation(() => ok([]));
  vi.mocked(commands.status).mockImplementation(() =>
    ok({ state: { state: 'live' as const }, last_synced_at: null, shop_time_zone: null }),
  );
  vi.mocked(commands.staff).mockImplementation(() => ok(staff));
  vi.mocked(commands.conversations).mockImplementation(() =>
    ok([summary({ id: 1 }), summary({ id: 2, customer_name: 'Bo' }), summary({ id: 3 })]),
  );
  vi.mocked(commands.conversation).mockImplementation((id: number) =>
    ok(view({ conversation: { ...view().conversation, id } })),
  );
  vi.mocked(commands.profile).mockImplementation(() => new Promise(() => {}));
  vi.mocked(commands.setOpenConversation).mockImplementation(() =>
    Promise.resolve({ status: 'ok', data: null }),
  );
  vi.mocked(commands.setStatus).mockImplementation(() => ok(1));
  vi.mocked(commands.setUnread).mockImplementation(() => ok(1));
  vi.mocked(commands.saveSettings).mockImplementation(() => ok(null));
  vi.mocked(commands.about).mockImplementation(() => new Promise(() => {}));
});

afterEach(() => {
  window.innerWidth = 1280;
  app.focusComposer = false;
  app.stop();
  app.overlay = null;
  app.closeConversation();
  app.cursorId = null;
  app.tab = 'open';
  app.rows = [];
  setLocale('en');
});

async function signedIn() {
  render(App);
  await waitFor(() => expect(screen.getByTestId('sync-status').dataset.state).toBe('live'));
  await waitFor(() => expect(app.rows).toHaveLength(3));
  return screen.getByRole('listbox', { name: 'Open conversations' });
}

const key = (k: string, init: KeyboardEventInit = {}) =>
  fireEvent.keyDown(document.body, { key: k, ...init });

it('moves with j/k, opens with Enter, closes with e and marks unread with u', async () => {
  const list = await signedIn();
  // No cursor yet: the first j lands on the first row.
  expect(list.getAttribute('aria-activedescendant')).toBeNull();
  await key('j');
  expect(list.getAttribute('aria-activedescendant')).toBe('row-1');

  await key('j');
  await key('j');
  await key('j'); // stays on the last row
  await key('k');
  expect(list.getAttribute('aria-activedescendant')).toBe('row-2');

  await key('Enter');
  await waitFor(() => expect(screen.getByTestId('conversation').dataset.id).toBe('2'));
  expect(commands.conversation).toHaveBeenCalledWith(2);
  expect(commands.setOpenConversation).toHaveBeenCalledWith(2);

  await key('e');
  expect(commands.setStatus).toHaveBeenCalledWith(2, 'closed');

  await key('u');
  expect(commands.setUnread).toHaveBeenCalledWith(2, true);
});

it('opens the palette with Ctrl-K, help with ?, and closes them with Escape; / focuses search', async () => {
  await signedIn();
  await key('k', { ctrlKey: true });
  expect(screen.getByTestId('command-palette')).toBeTruthy();
  const labels = screen
    .getAllByTestId('palette-item')
    .map((i) => i.querySelector('span')?.textContent);
  expect(labels).toContain('Go to closed conversations');
  expect(labels).toContain('Open settings');

  await key('Escape');
  expect(screen.queryByTestId('command-palette')).toBeNull();

  await key('?');
  expect(screen.getByTestId('shortcut-help')).toBeTruthy();
  await key('Escape');
  expect(screen.queryByTestId('shortcut-help')).toBeNull();

  await key('/');
  expect(document.activeElement).toBe(screen.getByTestId('search-input'));
  // Typing in the search field is text, not shortcuts.
  await fireEvent.keyDown(screen.getByTestId('search-input'), { key: 'e' });
  expect(commands.setStatus).not.toHaveBeenCalled();
});

it('switches the language from settings, saves it, and relabels the screens', async () => {
  await signedIn();
  expect(screen.getByTestId('tab-open').textContent).toBe('Open');
  await fireEvent.click(screen.getByTestId('open-settings'));
  await fireEvent.change(screen.getByTestId('settings-language'), { target: { value: 'sv' } });
  expect(commands.saveSettings).toHaveBeenCalledWith({ ...SETTINGS, language: 'sv' });
  await waitFor(() => expect(screen.getByTestId('tab-open').textContent).toBe('Öppna'));
  expect(screen.getByTestId('tab-closed').textContent).toBe('Stängda');
  expect(screen.getByTestId('filter-mine').textContent).toBe('Tilldelade till mig');
});

it('shows sign-in when no account is signed in', async () => {
  vi.mocked(commands.startup).mockImplementation(() =>
    ok({
      account: null,
      demo: false,
      settings: { ...SETTINGS, language: 'auto' as const },
      link: null,
      start_at_login: false,
      first_page: [],
    }),
  );
  render(App);
  await waitFor(() => expect(screen.getByTestId('signin-submit')).toBeTruthy());
  expect(screen.queryByTestId('sync-status')).toBeNull();
});

it('shows a screenful of a long list first, then fetches the rest of the page', async () => {
  const all = Array.from({ length: 250 }, (_, i) => summary({ id: i + 1 }));
  vi.mocked(commands.conversations).mockImplementation((filter) =>
    ok(all.slice(filter.offset, filter.offset + filter.limit)),
  );
  // The first screenful comes with startup, so the list paints without another round trip.
  vi.mocked(commands.startup).mockImplementation((first) =>
    ok({
      account,
      demo: false,
      settings: { ...SETTINGS, language: 'en' as const },
      link: null,
      start_at_login: false,
      first_page: all.slice(first.offset, first.offset + first.limit),
    }),
  );
  render(App);
  await waitFor(() => expect(app.rows).toHaveLength(250));
  expect(commands.startup).toHaveBeenCalledWith({
    status: 'open',
    assignment: 'all',
    limit: FIRST_PAGE_SIZE,
    offset: 0,
  });
  const asked = vi.mocked(commands.conversations).mock.calls.map(([f]) => [f.offset, f.limit]);
  expect(asked[0]).toEqual([FIRST_PAGE_SIZE, PAGE_SIZE]);
  expect(app.hasMore).toBe(false);
  expect(new Set(app.rows.map((r) => r.id)).size).toBe(250);
});

it('acts on a row from its menu, not on the conversation that is open', async () => {
  vi.mocked(commands.assign).mockImplementation(() => ok(1));
  await signedIn();
  await fireEvent.click(document.getElementById('row-1')!);
  await waitFor(() => expect(screen.getByTestId('conversation').dataset.id).toBe('1'));

  // A right click on another row offers its actions; closing it leaves the open one alone.
  await fireEvent.contextMenu(document.getElementById('row-3')!, { clientX: 40, clientY: 200 });
  expect(screen.getByTestId('row-menu').getAttribute('aria-label')).toBe(
    `Actions for ${app.rows[2]!.customer_name}`,
  );
  expect(document.activeElement).toBe(screen.getByTestId('row-menu-open'));
  await fireEvent.click(screen.getByTestId('row-menu-toggleStatus'));
  expect(commands.setStatus).toHaveBeenCalledWith(3, 'closed');
  expect(screen.queryByTestId('row-menu')).toBeNull();

  // From the keyboard (Shift+F10 on the list): assign the row under the cursor.
  app.cursorId = 2;
  const list = screen.getByRole('listbox', { name: 'Open conversations' });
  await fireEvent.keyDown(list, { key: 'F10', shiftKey: true });
  await fireEvent.click(screen.getByTestId('row-menu-assign'));
  const option = await waitFor(() => screen.getAllByTestId('assign-option')[0]!);
  await fireEvent.click(option);
  await waitFor(() => expect(commands.assign).toHaveBeenCalledWith(2, staff[0]!.id));
  expect(screen.getByTestId('conversation').dataset.id).toBe('1');
});

it('puts a discarded reply back into the message field only when it surely wasn’t sent', async () => {
  const failed = (code: string) =>
    view({
      timeline: [
        {
          kind: 'message',
          ...message(
            {
              author: { kind: 'staff', staff_id: 1 },
              body: { type: 'text', text: 'Use WINTER15!' },
            },
            { state: 'failed', code, detail: '' },
          ),
        },
      ],
    });
  vi.mocked(commands.discard).mockImplementation(() => ok(null));
  vi.mocked(commands.saveDraft).mockImplementation(() => ok(null));
  await signedIn();

  for (const [code, id, field] of [
    ['maybe_sent', 1, ''],
    ['shop_reset', 2, ''],
    ['discount_inactive', 3, 'Use WINTER15!'],
  ] as const) {
    vi.mocked(commands.conversation).mockImplementation(() =>
      ok({ ...failed(code), conversation: { ...view().conversation, id } }),
    );
    await fireEvent.click(document.getElementById(`row-${id}`)!);
    await waitFor(() => expect(screen.getByTestId('conversation').dataset.id).toBe(String(id)));
    const discard = screen.getByRole<HTMLButtonElement>('button', { name: 'Discard' });
    await fireEvent.click(discard);
    expect(commands.discard).toHaveBeenLastCalledWith(7);
    // The button is busy until the discard has settled and the pane has had its say.
    await waitFor(() => expect(discard.disabled).toBe(false));
    expect(screen.getByTestId<HTMLTextAreaElement>('composer-input').value, code).toBe(field);
  }
});

function launchedWith(link: DeepLink) {
  vi.mocked(commands.startup).mockImplementation(() =>
    ok({
      account,
      demo: false,
      settings: { ...SETTINGS, language: 'en' as const },
      link,
      start_at_login: false,
      first_page: [],
    }),
  );
}

it('opens the conversation an inbox:// link named at launch', async () => {
  launchedWith({ to: 'conversation', id: 2 });
  await signedIn();
  await waitFor(() => expect(app.openId).toBe(2));
  expect(commands.conversation).toHaveBeenCalledWith(2);
});

it('runs the search an inbox://search link asked for', async () => {
  vi.mocked(commands.search).mockImplementation(() => ok([]));
  launchedWith({ to: 'search', query: 'köp' });
  await signedIn();
  await waitFor(() =>
    expect(screen.getByTestId<HTMLInputElement>('search-input').value).toBe('köp'),
  );
  expect(commands.search).toHaveBeenCalledWith('köp', 50);
});

it('ignores a link on the sign-in screen', async () => {
  vi.mocked(commands.startup).mockImplementation(() =>
    ok({
      account: null,
      demo: false,
      settings: { ...SETTINGS, language: 'en' as const },
      link: null,
      start_at_login: false,
      first_page: [],
    }),
  );
  render(App);
  await waitFor(() => expect(screen.getByTestId('signin-submit')).toBeTruthy());
  app.followLink({ to: 'conversation', id: 2 });
  expect(commands.conversation).not.toHaveBeenCalled();
});

it('quits with Ctrl-Q, also while typing and on the sign-in screen', async () => {
  await signedIn();
  await fireEvent.keyDown(screen.getByTestId('search-input'), { key: 'q', ctrlKey: true });
  expect(commands.quit).toHaveBeenCalledTimes(1);
  await key('q');
  expect(commands.quit).toHaveBeenCalledTimes(1);
});

it('saves "keep running" with the language and asks the OS to start at login', async () => {
  await signedIn();
  await fireEvent.click(screen.getByTestId('open-settings'));
  const keep = await screen.findByTestId<HTMLInputElement>('settings-keep-running');
  expect(keep.checked).toBe(true);
  await fireEvent.click(keep);
  expect(commands.saveSettings).toHaveBeenLastCalledWith({ ...SETTINGS, keep_running: false });
  expect(screen.getByTestId('settings-life').textContent).toContain('Closing the window quits');
  const login = screen.getByTestId<HTMLInputElement>('settings-start-at-login');
  expect(login.checked).toBe(false);
  await fireEvent.click(login);
  expect(commands.setStartAtLogin).toHaveBeenCalledWith(true);
  await waitFor(() => expect(app.startAtLogin).toBe(true));
});

it('shows a refused close on the conversation itself, with Retry', async () => {
  vi.mocked(commands.outbox).mockImplementation(() =>
    ok([
      {
        id: 9,
        conversation_id: 2,
        kind: 'close',
        customer_name: 'Bo',
        state: { state: 'failed' as const, code: 'permission_denied', detail: 'not yours' },
        attempts: 1,
        created_at: 1,
      },
    ]),
  );
  vi.mocked(commands.retry).mockImplementation(() => ok(null));
  await signedIn();
  await app.openConversation(2);
  const banner = await screen.findByTestId('conversation-failed-action');
  expect(banner.textContent).toContain('Close conversation');
  expect(banner.textContent).toContain('Not done');
  await fireEvent.click(within(banner).getByText('Retry'));
  expect(commands.retry).toHaveBeenCalledWith(9);
});

it('moves "Last synced" on with every change received live, not only at a catch-up', async () => {
  await signedIn();
  // Today, whatever day the suite runs: an older day would be shown as a date.
  const today = new Date();
  const at = (h: number, m: number) =>
    new Date(today.getFullYear(), today.getMonth(), today.getDate(), h, m).getTime();
  vi.mocked(commands.status).mockImplementation(() =>
    ok({ state: { state: 'live' as const }, last_synced_at: at(9, 5), shop_time_zone: null }),
  );
  app.onEngineEvent({
    event: 'synced',
    conversations: [1],
    customers: [],
    staff: false,
    messages: [],
    live: true,
    first_sync: false,
    saved_replies: false,
  });
  await waitFor(() =>
    expect(screen.getByTestId('sync-status').textContent).toMatch(/Last synced .*9:05/),
  );
});

/** Makes the page hidden (the window closed to the tray) or shown, as the webview does. */
function setPageHidden(hidden: boolean): void {
  Object.defineProperty(document, 'visibilityState', {
    configurable: true,
    get: () => (hidden ? 'hidden' : 'visible'),
  });
  document.dispatchEvent(new Event('visibilitychange'));
}

it('fetches nothing while hidden in the tray, and shows what changed meanwhile once on show', async () => {
  await signedIn();
  await app.openConversation(1);
  await waitFor(() => expect(app.view?.conversation.id).toBe(1));
  try {
    setPageHidden(true);
    vi.mocked(commands.conversations).mockClear();
    vi.mocked(commands.conversation).mockClear();
    vi.mocked(commands.outbox).mockClear();
    vi.mocked(commands.status).mockClear();
    vi.mocked(commands.conversations).mockImplementation(() =>
      ok([summary({ id: 4, customer_name: 'Nya' }), summary({ id: 1 })]),
    );
    // A minute of customers writing while the window is hidden.
    for (let i = 0; i < 5; i++) {
      app.onEngineEvent({
        event: 'synced',
        conversations: [4],
        customers: [],
        staff: false,
        messages: [],
        live: true,
        first_sync: false,
        saved_replies: false,
      });
      await new Promise((r) => setTimeout(r, 120));
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(commands.conversations).not.toHaveBeenCalled();
    expect(commands.conversation).not.toHaveBeenCalled();
    expect(commands.outbox).not.toHaveBeenCalled();
    expect(commands.status).not.toHaveBeenCalled();
    expect(app.rows.map((r) => r.id)).toEqual([1, 2, 3]);

    setPageHidden(false);
    await waitFor(() => expect(app.rows.map((r) => r.id)).toEqual([4, 1]));
    expect(screen.getByText('Nya')).toBeTruthy();
    await waitFor(() => expect(commands.status).toHaveBeenCalledTimes(1));
    expect(commands.conversations).toHaveBeenCalledTimes(1);
    expect(commands.conversation).toHaveBeenCalledWith(1);
    // Shown again with nothing new: nothing is fetched.
    setPageHidden(true);
    setPageHidden(false);
    await new Promise((r) => setTimeout(r, 300));
    expect(commands.conversations).toHaveBeenCalledTimes(1);
  } finally {
    setPageHidden(false);
  }
});

it('keeps focus on the list when a row is clicked, so j and Enter open the next row', async () => {
  const list = await signedIn();
  const rows = within(list).getAllByTestId('conversation-row');
  // As a browser does: a mouse press focuses what it lands on unless that is prevented.
  const press = new MouseEvent('mousedown', { bubbles: true, cancelable: true, button: 0 });
  rows[0]!.dispatchEvent(press);
  if (!press.defaultPrevented) rows[0]!.focus();
  await fireEvent.click(rows[0]!);
  await waitFor(() => expect(app.openId).toBe(1));
  expect(document.activeElement).toBe(list);

  await fireEvent.keyDown(document.activeElement!, { key: 'j' });
  await fireEvent.keyDown(document.activeElement!, { key: 'Enter' });
  await waitFor(() => expect(app.openId).toBe(2));
  expect(vi.mocked(commands.conversation).mock.calls.at(-1)?.[0]).toBe(2);
});

it('leaves the message field for the list on Escape, so j j Enter opens a row and sends nothing', async () => {
  const list = await signedIn();
  await fireEvent.click(within(list).getAllByTestId('conversation-row')[0]!);
  const input = await waitFor(() => screen.getByTestId<HTMLTextAreaElement>('composer-input'));
  input.focus();
  await fireEvent.input(input, { target: { value: 'Tack!' } });

  await fireEvent.keyDown(input, { key: 'Escape' });
  expect(document.activeElement).toBe(list);
  for (const k of ['j', 'j', 'Enter']) await fireEvent.keyDown(document.activeElement!, { key: k });

  await waitFor(() => expect(app.openId).toBe(3));
  expect(commands.reply).not.toHaveBeenCalled();
  // What was typed stays in its conversation's draft.
  await waitFor(() => expect(commands.saveDraft).toHaveBeenCalledWith(1, 'Tack!'));
});

it('opens saved replies as an overlay: list keys wait, Escape closes it and gives the reply field back', async () => {
  const list = await signedIn();
  await fireEvent.click(within(list).getAllByTestId('conversation-row')[0]!);
  const input = await waitFor(() => screen.getByTestId<HTMLTextAreaElement>('composer-input'));
  input.focus();
  await fireEvent.keyDown(input, { key: '/' });
  const search = await screen.findByTestId('saved-reply-search');
  expect(app.overlay).toBe('savedReply');
  expect(document.activeElement).toBe(search);
  // While it is up, a list key is not a shortcut.
  await key('e');
  expect(commands.setStatus).not.toHaveBeenCalled();

  await fireEvent.keyDown(search, { key: 'Escape' });
  expect(screen.queryByTestId('saved-reply-picker')).toBeNull();
  expect(app.overlay).toBeNull();
  expect(document.activeElement).toBe(input);

  // The palette's "Insert saved reply" opens the same overlay, in place of the palette.
  await key('k', { ctrlKey: true });
  await fireEvent.input(screen.getByTestId('palette-input'), {
    target: { value: 'Insert saved' },
  });
  await fireEvent.click(screen.getAllByTestId('palette-item')[0]!);
  await screen.findByTestId('saved-reply-picker');
  expect(screen.queryByTestId('command-palette')).toBeNull();
  expect(app.overlay).toBe('savedReply');
  await key('Escape');
  expect(screen.queryByTestId('saved-reply-picker')).toBeNull();
});

it('holds the list still under the pointer; what moved waits behind a bar until applied', async () => {
  const list = await signedIn();
  const nav = screen.getByRole('navigation', { name: 'Conversations' });
  const names = () =>
    within(list)
      .getAllByTestId('conversation-row')
      .map((r) => r.dataset.id);
  expect(names()).toEqual(['1', '2', '3']);

  await fireEvent.pointerEnter(nav);
  // A customer writes in conversation 3, which would jump to the top.
  vi.mocked(commands.conversations).mockImplementation(() =>
    ok([
      summary({ id: 3, last_message_at: Date.now() }),
      summary({ id: 1 }),
      summary({ id: 2, customer_name: 'Bo' }),
    ]),
  );
  await app.refreshList();
  expect(names()).toEqual(['1', '2', '3']);
  expect(screen.getByTestId('list-waiting').textContent).toBe('1 new ↑');

  await fireEvent.click(screen.getByTestId('list-waiting'));
  await waitFor(() => expect(names()).toEqual(['3', '1', '2']));
  expect(screen.queryByTestId('list-waiting')).toBeNull();

  // Leaving the list applies what waited, too.
  vi.mocked(commands.conversations).mockImplementation(() =>
    ok([
      summary({ id: 2, customer_name: 'Bo', last_message_at: Date.now() + 1 }),
      summary({ id: 3, last_message_at: Date.now() }),
      summary({ id: 1 }),
    ]),
  );
  await app.refreshList();
  expect(names()).toEqual(['3', '1', '2']);
  await fireEvent.pointerLeave(nav);
  await waitFor(() => expect(names()).toEqual(['2', '3', '1']));
});

it('moves the top bar’s actions into a menu when the window is narrow, and back', async () => {
  await signedIn();
  expect(screen.getByTestId('columns').dataset.layout).toBe('wide');
  window.innerWidth = 720;
  await fireEvent(window, new Event('resize'));
  await waitFor(() => expect(screen.getByTestId('columns').dataset.layout).toBe('medium'));
  expect(screen.queryByTestId('open-settings')).toBeNull();
  const menu = screen.getByTestId('header-menu');
  await fireEvent.click(menu);
  const items = screen.getAllByRole('menuitem');
  expect(items.map((i) => i.textContent)).toEqual([
    'Metrics',
    'Outbox',
    'Settings',
    'Show keyboard shortcuts',
  ]);
  expect(document.activeElement).toBe(items[0]);
  await fireEvent.keyDown(items[0]!, { key: 'ArrowDown' });
  expect(document.activeElement).toBe(items[1]);
  await fireEvent.keyDown(items[1]!, { key: 'Escape' });
  expect(screen.queryByRole('menu')).toBeNull();
  expect(document.activeElement).toBe(menu);
  await fireEvent.click(menu);
  await fireEvent.click(screen.getByTestId('menu-settings'));
  expect(app.overlay).toBe('settings');
  app.overlay = null;

  window.innerWidth = 1280;
  await fireEvent(window, new Event('resize'));
  await waitFor(() => expect(screen.getByTestId('open-settings')).toBeTruthy());
});

it('shows the profile over the conversation where it has no column, and Escape closes it', async () => {
  window.innerWidth = 720;
  const list = await signedIn();
  await fireEvent.click(within(list).getAllByTestId('conversation-row')[0]!);
  await waitFor(() => screen.getByTestId('conversation'));
  expect(screen.queryByTestId('profile-panel')).toBeNull();
  await fireEvent.click(screen.getByTestId('conversation-customer'));
  expect(screen.getByTestId('profile-panel')).toBeTruthy();
  expect(screen.getByTestId('conversation-customer').getAttribute('aria-expanded')).toBe('true');
  await key('Escape');
  expect(screen.queryByTestId('profile-panel')).toBeNull();
});

it('puts the cursor in the reply box on opening only when the setting says so', async () => {
  const list = await signedIn();
  await fireEvent.click(within(list).getAllByTestId('conversation-row')[0]!);
  await waitFor(() => expect(app.openId).toBe(1));
  expect(document.activeElement).toBe(list);

  app.focusComposer = true;
  await fireEvent.click(within(list).getAllByTestId('conversation-row')[1]!);
  await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('composer-input')));
});

it('makes text larger and smaller with Ctrl + and -, and saves the size', async () => {
  await signedIn();
  await key('+', { ctrlKey: true });
  expect(document.documentElement.style.fontSize).toBe('110%');
  await key('=', { ctrlKey: true });
  expect(document.documentElement.style.fontSize).toBe('125%');
  await key('-', { ctrlKey: true });
  expect(document.documentElement.style.fontSize).toBe('110%');
  await waitFor(() =>
    expect(commands.saveSettings).toHaveBeenLastCalledWith({ ...SETTINGS, text_size: 110 }),
  );
  await key('0', { ctrlKey: true });
  expect(document.documentElement.style.fontSize).toBe('100%');
});

it('snoozes the row under the cursor with z: it leaves Open, and the Snoozed tab lists it', async () => {
  const tomorrow = Date.UTC(2026, 10, 23, 8, 0);
  vi.mocked(commands.snoozeChoices).mockImplementation(() =>
    ok({
      time_zone: 'Europe/Stockholm',
      choices: [{ kind: 'tomorrow' as const, until: tomorrow }],
    }),
  );
  vi.mocked(commands.snooze).mockImplementation(() => ok(1));
  await signedIn();
  await key('j');
  await key('j');
  await key('z');
  const picker = await screen.findByTestId('snooze-picker');
  await fireEvent.click(await within(picker).findByTestId('snooze-tomorrow'));
  expect(commands.snooze).toHaveBeenCalledWith(2, tomorrow);
  await waitFor(() => expect(app.rows.map((r) => r.id)).toEqual([1, 3]));
  expect(screen.queryByTestId('snooze-picker')).toBeNull();
  expect(screen.getByText(/^Snoozed until .*It moved to Snoozed\.$/)).toBeTruthy();

  vi.mocked(commands.conversations).mockImplementation(() =>
    ok([summary({ id: 2, customer_name: 'Bo', snoozed_until: tomorrow })]),
  );
  await fireEvent.click(screen.getByTestId('tab-snoozed'));
  expect(commands.conversations).toHaveBeenLastCalledWith(
    expect.objectContaining({ status: 'snoozed' }),
  );
  await waitFor(() => expect(screen.getByTestId('row-snoozed').textContent).toMatch(/^Until /));
  // In Snoozed, z offers to end the snooze.
  await key('j');
  await key('z');
  await fireEvent.click(await screen.findByTestId('snooze-end'));
  expect(commands.snooze).toHaveBeenLastCalledWith(2, null);
});

it('opens the metrics view from the top bar, asks for the last 7 days and the 7 before, and shows the figures', async () => {
  // jsdom draws nothing on a canvas; Chart.js is told there is no context, as it would be.
  const getContext = vi
    .spyOn(HTMLCanvasElement.prototype, 'getContext')
    .mockImplementation(() => null);
  const figures = (conversations: number) => ({
    conversations,
    replied: conversations - 1,
    first_response_median_ms: 90_000,
    first_response_p90_ms: 3_600_000,
    with_sale: 2,
  });
  vi.mocked(commands.metrics).mockImplementation((query) =>
    ok({
      query,
      total: { current: figures(1234), previous: figures(17) },
      by_staff: [
        { staff_id: null, name: null, figures: { current: figures(5), previous: figures(3) } },
      ],
      by_topic: [],
      by_platform: [
        { platform: 'instagram', figures: { current: figures(9), previous: figures(4) } },
      ],
    }),
  );
  await signedIn();
  await fireEvent.click(screen.getByTestId('open-metrics'));
  // The first open loads the view and Chart.js: slow in the test runner's transform.
  await waitFor(
    () => expect(screen.getByTestId('metrics-conversations').textContent).toBe('1,234'),
    { timeout: 20_000 },
  );
  expect(screen.getByTestId('metrics-conversations-previous').textContent).toBe('previous: 17');
  expect(screen.getByTestId('metrics-median').textContent).toBe('1 min');
  expect(screen.getByTestId('metrics-p90').textContent).toBe('1 hr');
  const query = vi.mocked(commands.metrics).mock.calls[0]![0];
  const DAY = 86_400_000;
  expect(Math.round((query.current.to - query.current.from) / DAY)).toBe(7);
  expect(query.previous.to).toBe(query.current.from);
  expect(Math.round((query.previous.to - query.previous.from) / DAY)).toBe(7);
  expect(query.current.from).toBeLessThanOrEqual(Date.now());
  expect(query.current.to).toBeGreaterThan(Date.now());
  const staffTable = screen.getByRole('table', { name: 'By staff member' });
  expect(within(staffTable).getByRole('rowheader').textContent).toBe('Unassigned');
  expect(
    within(screen.getByRole('table', { name: 'By platform' })).getByRole('rowheader').textContent,
  ).toBe('Instagram');
  expect(screen.getByRole('img', { name: /^By platform: Conversations/ })).toBeTruthy();

  // Today: one day, and the day before.
  await fireEvent.click(screen.getByTestId('metrics-range-today'));
  await waitFor(() => expect(commands.metrics).toHaveBeenCalledTimes(2));
  const today = vi.mocked(commands.metrics).mock.calls[1]![0];
  expect(Math.round((today.current.to - today.current.from) / DAY)).toBe(1);
  expect(today.previous.to).toBe(today.current.from);

  await fireEvent.click(screen.getByTestId('close-metrics'));
  expect(screen.getByTestId('columns')).toBeTruthy();
  getContext.mockRestore();
}, 30_000);

it('shows who else is on a conversation in its row and header, until it lapses', async () => {
  await signedIn();
  const until = Date.now() + 300;
  vi.mocked(commands.activity)
    .mockImplementationOnce(() =>
      ok([
        { conversation_id: 2, staff_id: 1, typing: true, until },
        { conversation_id: 2, staff_id: 2, typing: false, until: until + 60_000 },
        { conversation_id: 3, staff_id: null, typing: true, until },
      ]),
    )
    .mockImplementation(() => ok([]));
  app.onEngineEvent({ event: 'activity', conversations: [2, 3] });
  const row = (id: number) => document.getElementById(`row-${id}`)!;
  await waitFor(() =>
    expect(within(row(2)).getByTestId('row-activity').textContent).toBe('Astrid is typing…'),
  );
  expect(within(row(3)).getByTestId('row-activity').textContent).toBe('Anna Berg is typing…');
  expect(within(row(1)).queryByTestId('row-activity')).toBeNull();

  await app.openConversation(2);
  expect((await screen.findByTestId('conversation-activity')).textContent).toBe(
    'Astrid is typing…',
  );
  // When the first entry lapses the engine is asked again; nobody is left.
  await waitFor(() => expect(screen.queryByTestId('conversation-activity')).toBeNull(), {
    timeout: 2000,
  });
  expect(within(row(2)).queryByTestId('row-activity')).toBeNull();
});

it('tells the shop which conversation is on screen, and none while hidden', async () => {
  await signedIn();
  await app.openConversation(2);
  expect(commands.reportViewing).toHaveBeenLastCalledWith(2);
  await app.openConversation(2);
  expect(vi.mocked(commands.reportViewing).mock.calls.filter(([id]) => id === 2)).toHaveLength(1);
  try {
    setPageHidden(true);
    expect(commands.reportViewing).toHaveBeenLastCalledWith(null);
    setPageHidden(false);
    expect(commands.reportViewing).toHaveBeenLastCalledWith(2);
  } finally {
    setPageHidden(false);
  }
  app.closeConversation();
  expect(commands.reportViewing).toHaveBeenLastCalledWith(null);
});

it('takes the shop’s time zone from the status, before any snooze picker opened', async () => {
  vi.mocked(commands.status).mockImplementation(() =>
    ok({
      state: { state: 'live' as const },
      last_synced_at: null,
      shop_time_zone: 'Pacific/Auckland',
    }),
  );
  await signedIn();
  await waitFor(() => expect(app.shopZone).toBe('Pacific/Auckland'));
});
