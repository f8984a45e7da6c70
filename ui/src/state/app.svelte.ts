//! The app's state and the actions on it: who is signed in, the sync state, the list on
//! screen, the open conversation and its customer, and which overlay is up. Components read it
//! and call its methods; only this module listens to the engine's events, and it refetches what
//! is on screen when they say something changed (events carry ids, not state).
//!
//! While the window is hidden (closed to the tray) it fetches nothing: it notes that the screen
//! is out of date and refetches once, when the window is shown again. The engine, notifications
//! and the tray go on in the shell meanwhile.
//!
//! It never formats text for display (components do, with `t()` and `format.ts`).

import {
  commands,
  events,
  type Account,
  type Assignment,
  type ConversationStatus,
  type ConversationSummary,
  type ConversationView,
  type DeepLink,
  type Folder,
  type SnoozeChoices,
  type EngineEvent,
  type OutboxEntry,
  type Language,
  type Present,
  type ProfileView,
  type Staff,
  type SyncState,
  type Theme,
} from '../bindings';
import { tick } from 'svelte';
import { applyTextSize, applyTheme, clampTextSize, stepTextSize } from '../lib/appearance';
import { layoutFor, type Layout } from '../lib/layout';
import { call, failureCode, CommandFailure } from '../lib/api';
import { setLocale } from '../lib/i18n/index.svelte';
import type { Phrase } from '../lib/i18n/index.svelte';
import { errorPhrase, folderOf, shouldMarkRead } from '../lib/rules';
import { heldRows, HOLD_PAUSE_MS } from '../lib/listhold';
import { debounce } from '../lib/text';

/** Rows fetched per page; more pages load as the list scrolls near its end. */
export const PAGE_SIZE = 2000;

/** Rows fetched for an empty list: a screenful and some, so it shows at once; the rest of the
 * first page follows straight after. */
export const FIRST_PAGE_SIZE = 60;

export type Overlay =
  | 'palette'
  | 'help'
  | 'settings'
  | 'outbox'
  | 'assign'
  | 'snooze'
  | 'products'
  | 'discount'
  /** The composer's saved-reply picker (`/` in an empty reply, or the palette). */
  | 'savedReply'
  | 'metrics'
  | null;

export interface Toast {
  id: number;
  phrase: Phrase;
  detail?: string;
}

let toastSeq = 0;

export function languagePreference(language: Language): 'en' | 'sv' | 'system' {
  return language === 'auto' ? 'system' : language;
}

/** Whether staff can see the window: focused and not minimised or hidden. */
function windowFocused(): boolean {
  return document.hasFocus() && document.visibilityState === 'visible';
}

/** Whether the page is out of sight: the window is hidden to the tray or minimised. */
function pageHidden(): boolean {
  return typeof document !== 'undefined' && document.visibilityState === 'hidden';
}

export class AppState {
  phase = $state<'loading' | 'signin' | 'ready'>('loading');
  account = $state.raw<Account | null>(null);
  demo = $state(false);
  language = $state<Language>('auto');
  /** "Keep running when the window is closed" (closing hides to the tray). */
  keepRunning = $state(true);
  /** Whether the OS starts the app at login, in the tray. */
  startAtLogin = $state(false);
  theme = $state<Theme>('system');
  /** Text size in percent; the layout follows it. */
  textSize = $state(100);
  /** Opening a conversation puts the cursor in the reply box. */
  focusComposer = $state(false);
  /** How the window is laid out at its width and text size (lib/layout.ts). */
  layout = $state<Layout>('wide');
  /** The profile over the conversation, where it has no column of its own. */
  profileOverlay = $state(false);

  sync = $state.raw<SyncState>({ state: 'idle' });
  lastSyncedAt = $state<number | null>(null);
  staff = $state.raw<Staff[]>([]);

  tab = $state<Folder>('open');
  assignment = $state<Assignment>('all');
  rows = $state.raw<ConversationSummary[]>([]);
  listLoading = $state(false);
  hasMore = $state(false);
  /** The row the keyboard cursor is on. */
  cursorId = $state<number | null>(null);
  /** Conversations waiting behind the held list's bar (lib/listhold.ts). */
  waitingRows = $state(0);
  #listHeld = false;
  #heldFresh: ConversationSummary[] | null = null;
  #holdPause: ReturnType<typeof setTimeout> | null = null;

  openId = $state<number | null>(null);
  view = $state.raw<ConversationView | null>(null);
  viewError = $state<string | null>(null);
  profile = $state.raw<ProfileView | null>(null);
  /** Why the open conversation's customer profile could not be loaded (an error code). */
  profileError = $state<string | null>(null);
  profileOpen = $state(true);

  overlay = $state<Overlay>(null);
  /** Actions not yet at the shop: pending, and refused or failed with their reason. */
  outbox = $state.raw<OutboxEntry[]>([]);
  toasts = $state<Toast[]>([]);
  /** Bumped to ask the search box to take focus. */
  searchFocus = $state(0);
  /** Bumped to give the keyboard back to the conversation list (Escape in a text field). */
  listFocus = $state(0);
  /** A search an `inbox://search?q=` link asked for; `seq` makes each request new. */
  searchRequest = $state.raw<{ query: string; seq: number } | null>(null);
  /** Bumped to ask the composer to take focus. */
  composerFocus = $state(0);
  /** Bumped to ask the composer to open the file dialog. */
  attachSignal = $state(0);
  /** Bumped when a sync changed the shop's saved replies: the Settings editor lists them again. */
  savedRepliesChanged = $state(0);
  /** Bumped when synced changes to conversations or customers reached the mirror (what the
   * metrics view counts). */
  mirrorChanges = $state(0);
  /** Why sign-in is showing again, when the session ended by itself. */
  signedOutNotice = $state.raw<Phrase | null>(null);
  /** Everyone else at work in a conversation now (other staff viewing or typing, customers
   * typing), as the engine has it; read again when it says so and when an entry lapses. */
  activity = $state.raw<Present[]>([]);
  /** `activity` by conversation. */
  activityByConversation = $derived.by(() => {
    const by: Record<number, Present[]> = {};
    for (const p of this.activity) (by[p.conversation_id] ??= []).push(p);
    return by;
  });

  #unlisten: (() => void)[] = [];
  /** Something changed while the page was hidden; what is on screen is refetched on show. */
  #staleWhileHidden = false;
  #listSeq = 0;
  #viewSeq = 0;
  /** Reads `activity` again when its next entry lapses. */
  #activityLapse: ReturnType<typeof setTimeout> | null = null;
  /** The conversation last reported as on screen (`undefined`: nothing reported yet). */
  #viewingReported: number | null | undefined = undefined;

  get me(): number | null {
    return this.account?.staff.id ?? null;
  }

  get openSummary(): ConversationSummary | null {
    return this.rows.find((r) => r.id === this.openId) ?? null;
  }

  staffName(id: number | null | undefined): string | null {
    if (id == null) return null;
    return this.staff.find((s) => s.id === id)?.name ?? null;
  }

  // -------------------------------------------------------------------------------------------
  // Start, sign in, sign out
  // -------------------------------------------------------------------------------------------

  async start(): Promise<void> {
    // Both round trips at once: the first list paints one IPC wait sooner. No event is lost
    // meanwhile, since whatever happens before listening is in what startup and the first list
    // page read.
    const first = {
      status: this.tab,
      assignment: this.assignment,
      limit: FIRST_PAGE_SIZE,
      offset: 0,
    };
    const [, startup] = await Promise.allSettled([this.listen(), call(commands.startup(first))]);
    try {
      if (startup.status === 'rejected') throw startup.reason;
      const { demo, settings, account, first_page, link, start_at_login } = startup.value;
      this.demo = demo;
      this.language = settings.language;
      this.keepRunning = settings.keep_running;
      this.startAtLogin = start_at_login;
      this.theme = settings.theme;
      this.focusComposer = settings.focus_composer;
      applyTheme(this.theme);
      this.setTextSizeNow(settings.text_size);
      setLocale(languagePreference(this.language));
      this.account = account;
      if (account) {
        await this.enter(first_page);
        if (link) this.followLink(link);
      } else this.phase = 'signin';
    } catch (e) {
      this.toast(e);
      this.phase = 'signin';
    }
  }

  async signedIn(account: Account): Promise<void> {
    this.account = account;
    this.signedOutNotice = null;
    await this.enter();
  }

  /** Shows the inbox; `firstPage` is the list's first rows when they came with startup. */
  private async enter(firstPage?: ConversationSummary[]): Promise<void> {
    if (firstPage && firstPage.length > 0) {
      // The list paints with the layout; the rest of its first page follows.
      this.rows = firstPage;
      this.hasMore = firstPage.length === FIRST_PAGE_SIZE;
      this.phase = 'ready';
      await Promise.all([
        this.loadStatus(),
        this.loadStaff(),
        this.loadMore(),
        this.loadOutbox(),
        this.loadActivity(),
      ]);
      return;
    }
    this.phase = 'ready';
    await Promise.all([
      this.loadStatus(),
      this.loadStaff(),
      this.refreshList(),
      this.loadOutbox(),
      this.loadActivity(),
    ]);
  }

  async signOut(): Promise<void> {
    try {
      await call(commands.signOut());
    } catch (e) {
      this.toast(e);
    }
    this.toSignIn();
  }

  private toSignIn(): void {
    this.phase = 'signin';
    this.overlay = null;
    this.rows = [];
    this.activity = [];
    this.closeConversation();
    this.#viewingReported = undefined;
  }

  async listen(): Promise<void> {
    const onVisibility = () => this.onVisibilityChange();
    document.addEventListener('visibilitychange', onVisibility);
    this.#unlisten.push(() => document.removeEventListener('visibilitychange', onVisibility));
    try {
      this.#unlisten.push(
        ...(await Promise.all([
          events.engineEvent.listen((e) => this.onEngineEvent(e.payload)),
          events.openConversation.listen((e) =>
            this.followLink({ to: 'conversation', id: e.payload.id }),
          ),
          events.openSearch.listen((e) =>
            this.followLink({ to: 'search', query: e.payload.query }),
          ),
        ])),
      );
    } catch {
      // Outside the shell (a plain browser) there is nothing to listen to.
    }
  }

  stop(): void {
    for (const unlisten of this.#unlisten) unlisten();
    this.#unlisten = [];
    this.refreshSoon.cancel();
    this.statusSoon.cancel();
    this.#staleWhileHidden = false;
    if (this.#holdPause) clearTimeout(this.#holdPause);
    this.#holdPause = null;
    this.#listHeld = false;
    this.#heldFresh = null;
    this.waitingRows = 0;
    if (this.#activityLapse) clearTimeout(this.#activityLapse);
    this.#activityLapse = null;
  }

  // -------------------------------------------------------------------------------------------
  // Engine events
  // -------------------------------------------------------------------------------------------

  onEngineEvent(event: EngineEvent): void {
    switch (event.event) {
      case 'sync_state': {
        // The event is the sync state with its tag; the state is the rest.
        const { event: tag, ...state } = event;
        void tag;
        this.sync = state;
        if (state.state === 'signed_out' && this.phase === 'ready') {
          this.signedOutNotice = { key: 'signIn.error.sessionExpired' };
          this.toSignIn();
        } else void this.loadStatus();
        return;
      }
      case 'resync':
        this.savedRepliesChanged++;
        void this.loadStaff();
        void this.loadStatus();
        this.refreshSoon(true);
        return;
      case 'activity':
        void this.loadActivity();
        return;
      case 'synced':
        if (event.conversations.length > 0 || event.customers.length > 0) this.mirrorChanges++;
        if (event.staff) void this.loadStaff();
        if (event.saved_replies) this.savedRepliesChanged++;
        // "Last synced" is the last change received, live ones included.
        this.statusSoon();
        this.refreshSoon(false);
        return;
      default:
        this.refreshSoon(false);
    }
  }

  async loadOutbox(): Promise<void> {
    try {
      this.outbox = await call(commands.outbox());
    } catch {
      // Signed out or unreadable: the conversation shows its own failures meanwhile.
    }
  }

  async retryOutbox(id: number): Promise<void> {
    try {
      await call(commands.retry(id));
    } catch (e) {
      this.toast(e);
    }
    await this.loadOutbox();
  }

  async discardOutbox(id: number): Promise<void> {
    try {
      await call(commands.discard(id));
    } catch (e) {
      this.toast(e);
    }
    await this.loadOutbox();
  }

  /** The window was hidden or shown: on show, what changed meanwhile is fetched once. */
  onVisibilityChange(): void {
    this.reportViewing();
    if (!pageHidden()) void this.loadActivity();
    if (pageHidden() || !this.#staleWhileHidden) return;
    this.#staleWhileHidden = false;
    this.refreshSoon(true);
    this.statusSoon();
  }

  /** Refetches what is on screen, at most every ~100 ms however many events arrive; while the
   * page is hidden it only notes that it must, so a day in the tray costs no work per message
   * in the page (issue 15: it grew the web process by a fifth in ten minutes). */
  refreshSoon = debounce((_all: boolean) => {
    if (this.phase !== 'ready') return;
    if (pageHidden()) {
      this.#staleWhileHidden = true;
      return;
    }
    void this.refreshList();
    void this.loadOutbox();
    if (this.openId !== null) {
      const id = this.openId;
      void this.loadView(id).then((view) => {
        if (view && shouldMarkRead(view, { focused: windowFocused() })) void this.markRead(id);
      });
      // Notes, carts and orders change with the customer and with actions on the conversation.
      const customer = this.view?.conversation.customer_id;
      if (customer !== undefined) void this.loadProfile(customer);
    }
  }, 100);

  // -------------------------------------------------------------------------------------------
  // Loading
  // -------------------------------------------------------------------------------------------

  /** Reads the status again after a burst of synced batches, once (on show, when hidden). */
  private statusSoon = debounce(() => {
    if (pageHidden()) {
      this.#staleWhileHidden = true;
      return;
    }
    void this.loadStatus();
  }, 250);

  async loadStatus(): Promise<void> {
    try {
      const status = await call(commands.status());
      this.sync = status.state;
      this.lastSyncedAt = status.last_synced_at;
      if (status.shop_time_zone) this.shopZone = status.shop_time_zone;
    } catch (e) {
      if (failureCode(e) === 'signed_out') this.toSignIn();
    }
  }

  async loadStaff(): Promise<void> {
    try {
      this.staff = await call(commands.staff());
    } catch {
      // The list still works without names; the assign picker shows the error when opened.
    }
  }

  /** Refetches the list as far as it has been scrolled (at least one page). */
  async refreshList(): Promise<void> {
    const seq = ++this.#listSeq;
    const empty = this.rows.length === 0;
    const limit = empty ? FIRST_PAGE_SIZE : Math.max(PAGE_SIZE, this.rows.length);
    this.listLoading = empty;
    let more = false;
    try {
      const rows = await call(
        commands.conversations({ status: this.tab, assignment: this.assignment, limit, offset: 0 }),
      );
      if (seq !== this.#listSeq) return;
      if (this.#listHeld && !empty) {
        // Staff are pointing at the list or walking it: nothing moves under them.
        const held = heldRows(this.rows, rows);
        this.rows = held.rows;
        this.#heldFresh = held.moves ? rows : null;
        this.waitingRows = held.waiting;
        if (held.moves) this.#pauseThenApply();
        return;
      }
      this.#heldFresh = null;
      this.waitingRows = 0;
      this.rows = rows;
      this.hasMore = rows.length === limit;
      more = empty && this.hasMore;
      // A cursor whose row left the list starts again from the top on the next j.
      if (this.cursorId !== null && !rows.some((r) => r.id === this.cursorId)) {
        this.cursorId = null;
      }
    } catch (e) {
      if (seq === this.#listSeq) this.toast(e);
    } finally {
      if (seq === this.#listSeq) this.listLoading = false;
    }
    if (more) await this.loadMore();
  }

  /** The list is held while the pointer is over it or it has keyboard focus. */
  holdList(held: boolean): void {
    if (this.#listHeld === held) return;
    this.#listHeld = held;
    if (!held) this.applyWaitingRows();
  }

  /** Something happened in the held list (a pointer move, a key): the pause starts again. */
  listActivity(): void {
    if (this.#heldFresh) this.#pauseThenApply();
  }

  /** Shows what waited behind the held list's bar, in its order. */
  applyWaitingRows(): void {
    if (this.#holdPause) clearTimeout(this.#holdPause);
    this.#holdPause = null;
    const fresh = this.#heldFresh;
    this.#heldFresh = null;
    this.waitingRows = 0;
    if (!fresh) return;
    this.rows = fresh;
    if (this.cursorId !== null && !fresh.some((r) => r.id === this.cursorId)) this.cursorId = null;
  }

  #pauseThenApply(): void {
    if (this.#holdPause) clearTimeout(this.#holdPause);
    this.#holdPause = setTimeout(() => this.applyWaitingRows(), HOLD_PAUSE_MS);
  }

  async loadMore(): Promise<void> {
    if (!this.hasMore || this.listLoading) return;
    const seq = ++this.#listSeq;
    this.listLoading = true;
    const offset = this.rows.length;
    try {
      const more = await call(
        commands.conversations({
          status: this.tab,
          assignment: this.assignment,
          limit: PAGE_SIZE,
          offset,
        }),
      );
      if (seq !== this.#listSeq) return;
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local lookup, not state
      const seen = new Set(this.rows.map((r) => r.id));
      this.rows = [...this.rows, ...more.filter((r) => !seen.has(r.id))];
      this.hasMore = more.length === PAGE_SIZE;
    } catch (e) {
      this.toast(e);
    } finally {
      if (seq === this.#listSeq) this.listLoading = false;
    }
  }

  /** Shows a list; choosing the tab already shown takes the cursor back to its top. */
  setTab(tab: Folder): void {
    this.cursorId = null;
    if (this.tab === tab) return;
    this.tab = tab;
    this.rows = [];
    this.cursorId = null;
    void this.refreshList();
  }

  setAssignment(assignment: Assignment): void {
    if (this.assignment === assignment) return;
    this.assignment = assignment;
    this.rows = [];
    this.cursorId = null;
    void this.refreshList();
  }

  // -------------------------------------------------------------------------------------------
  // The open conversation
  // -------------------------------------------------------------------------------------------

  /** Opens a conversation; `status` switches the tab to where it lives at once, and the tab
   * follows the conversation once it is loaded (a snoozed one is in Snoozed). */
  /** A message the next opened conversation shows first, highlighted (a search hit). */
  focusMessage: number | null = null;

  async openConversation(id: number, status?: Folder, atMessage?: number | null): Promise<void> {
    this.focusMessage = atMessage ?? null;
    if (status && status !== this.tab) {
      this.tab = status;
      this.rows = [];
      void this.refreshList();
    }
    this.openId = id;
    this.cursorId = id;
    this.viewError = null;
    if (this.view?.conversation.id !== id) {
      this.view = null;
      this.profile = null;
      this.profileError = null;
    }
    void commands.setOpenConversation(id)?.catch?.(() => {});
    this.reportViewing();
    const view = await this.loadView(id);
    if (!view) return;
    // The hint was the conversation's status (a search hit): a snoozed one lives in Snoozed.
    if (folderOf(view.conversation) !== this.tab) {
      this.tab = folderOf(view.conversation);
      this.rows = [];
      void this.refreshList();
    }
    void this.loadProfile(view.conversation.customer_id);
    if (this.focusComposer) {
      // After the conversation's composer is on screen.
      await tick();
      this.composerFocus++;
    }
    // Read from the conversation itself: one opened from a notification may not be in the list.
    if (shouldMarkRead(view, 'opened')) await this.markRead(id);
  }

  private async markRead(id: number): Promise<void> {
    try {
      await call(commands.setUnread(id, false));
    } catch {
      // Staying unread is harmless; the next open tries again.
    }
  }

  closeConversation(): void {
    this.openId = null;
    this.profileOverlay = false;
    this.view = null;
    this.profile = null;
    this.profileError = null;
    void commands.setOpenConversation(null)?.catch?.(() => {});
    this.reportViewing();
  }

  // -------------------------------------------------------------------------------------------
  // Who else is on it
  // -------------------------------------------------------------------------------------------

  /** Tells the shop which conversation is on screen: the open one, none while the window is
   * hidden or nobody is signed in. Only changes are sent; the engine renews them. */
  reportViewing(): void {
    const id = this.phase === 'ready' && !pageHidden() ? this.openId : null;
    if (id === this.#viewingReported) return;
    this.#viewingReported = id;
    void commands.reportViewing(id)?.catch?.(() => {});
  }

  /** Reads who else is at work where, and again when the first of them lapses. While the
   * window is hidden nothing shows it: it is read when the window is shown. */
  async loadActivity(): Promise<void> {
    if (this.#activityLapse) clearTimeout(this.#activityLapse);
    this.#activityLapse = null;
    if (pageHidden()) return;
    try {
      const activity = await call(commands.activity());
      this.activity = activity;
      if (activity.length > 0) {
        const next = Math.min(...activity.map((p) => p.until));
        this.#activityLapse = setTimeout(
          () => void this.loadActivity(),
          Math.max(0, next - Date.now()) + 50,
        );
      }
    } catch {
      // Signed out: nobody to show.
    }
  }

  activityIn(conversationId: number): Present[] {
    return this.activityByConversation[conversationId] ?? [];
  }

  async loadView(id: number): Promise<ConversationView | null> {
    const seq = ++this.#viewSeq;
    try {
      const view = await call(commands.conversation(id));
      if (seq !== this.#viewSeq || this.openId !== id) return null;
      this.view = view;
      return view;
    } catch (e) {
      if (seq === this.#viewSeq && this.openId === id) this.viewError = failureCode(e);
      return null;
    }
  }

  async loadProfile(customerId: number): Promise<void> {
    try {
      const profile = await call(commands.profile(customerId));
      if (this.view?.conversation.customer_id === customerId) {
        this.profile = profile;
        this.profileError = null;
      }
    } catch (e) {
      // The panel says it can't show the profile, with a way to try again.
      if (this.view?.conversation.customer_id === customerId) this.profileError = failureCode(e);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Actions
  // -------------------------------------------------------------------------------------------

  /** The conversation an action applies to: the open one, else the one under the cursor. */
  get targetId(): number | null {
    return this.openId ?? this.cursorId;
  }

  /** The conversation the assign picker is for: one chosen from the list's menu, else the
   * action target. */
  assignFor = $state<number | null>(null);

  get assignTargetId(): number | null {
    return this.assignFor ?? this.targetId;
  }

  /** Opens the assign picker for `id` (a row's menu), or for the action target. */
  openAssign(id: number | null = null): void {
    this.assignFor = id;
    if (this.assignTargetId !== null) this.overlay = 'assign';
  }

  /** The conversation the snooze picker is for: one chosen from the list's menu, else the
   * action target. */
  snoozeFor = $state<number | null>(null);
  /** The choices the snooze picker offers, worked out when it opens. */
  snoozeChoices = $state.raw<SnoozeChoices | null>(null);
  /** The shop's time zone, once known: snooze times show in it. */
  shopZone = $state<string | null>(null);

  get snoozeTargetId(): number | null {
    return this.snoozeFor ?? this.targetId;
  }

  /** When the snooze target comes back, if it is snoozed (from what is on screen). */
  get snoozeTargetUntil(): number | null {
    const id = this.snoozeTargetId;
    if (id === null) return null;
    if (this.view?.conversation.id === id) return this.view.conversation.snoozed_until ?? null;
    return this.rows.find((r) => r.id === id)?.snoozed_until ?? null;
  }

  /** Opens the snooze picker for `id` (a row's menu), or for the action target; an open
   * conversation only. */
  async openSnooze(id: number | null = null): Promise<void> {
    this.snoozeFor = id;
    const target = this.snoozeTargetId;
    if (target === null || this.statusOf(target) !== 'open') return;
    this.snoozeChoices = null;
    this.overlay = 'snooze';
    try {
      const choices = await call(commands.snoozeChoices());
      this.snoozeChoices = choices;
      if (choices.time_zone) this.shopZone = choices.time_zone;
    } catch (e) {
      this.toast(e);
    }
  }

  /** Snoozes the picker's conversation until `until`, or ends its snooze with `null`; `done`
   * is what the toast says (the picker words it, with the time in the shop's zone). */
  async snooze(until: number | null, done?: Phrase): Promise<boolean> {
    const id = this.snoozeTargetId;
    if (id === null) return false;
    const ok = await this.run(
      commands.snooze(id, until),
      done ?? (until === null ? { key: 'action.unsnoozed' } : undefined),
    );
    if (!ok) return false;
    this.overlay = null;
    this.snoozeFor = null;
    // It moved to another list; the cursor moves on to a neighbour in this one.
    const to: Folder = until === null ? 'open' : 'snoozed';
    const index = this.rows.findIndex((r) => r.id === id);
    if (index >= 0 && to !== this.tab) {
      this.rows = this.rows.filter((r) => r.id !== id);
      this.cursorId = this.rows[Math.min(index, this.rows.length - 1)]?.id ?? null;
    }
    if (this.openId === id) void this.loadView(id);
    return true;
  }

  /** A custom snooze's moment: a date and a time of day in the shop's time zone; `null` (and
   * a toast saying why) when it can't be one. */
  async snoozeTime(date: string, time: string): Promise<number | null> {
    try {
      return await call(commands.snoozeTime(date, time));
    } catch (e) {
      this.toast(e);
      return null;
    }
  }

  get targetStatus(): ConversationStatus | null {
    const id = this.targetId;
    return id === null ? null : this.statusOf(id);
  }

  /** Where a conversation is (Open or Closed), from what is on screen. */
  private statusOf(id: number): ConversationStatus | null {
    if (this.view?.conversation.id === id) return this.view.conversation.status;
    return this.rows.find((r) => r.id === id)?.status ?? null;
  }

  /** Closes or reopens `id` (a row's menu), else the action target. */
  async toggleStatus(id: number | null = this.targetId): Promise<void> {
    const status = id === null ? null : this.statusOf(id);
    if (id === null || status === null) return;
    const next: ConversationStatus = status === 'open' ? 'closed' : 'open';
    await this.run(commands.setStatus(id, next), {
      key: next === 'closed' ? 'action.closed' : 'action.reopened',
    });
    // It moved to the other list; the cursor moves on to a neighbour in this one.
    const index = this.rows.findIndex((r) => r.id === id);
    if (index >= 0) {
      this.rows = this.rows.filter((r) => r.id !== id);
      this.cursorId = this.rows[Math.min(index, this.rows.length - 1)]?.id ?? null;
    }
    if (this.openId === id) void this.loadView(id);
  }

  async markUnread(id: number | null = this.targetId): Promise<void> {
    if (id === null) return;
    if (await this.run(commands.setUnread(id, true), { key: 'action.markedUnread' })) {
      this.rows = this.rows.map((r) => (r.id === id ? { ...r, unread: true } : r));
    }
  }

  async assign(staffId: number | null): Promise<boolean> {
    const id = this.assignTargetId;
    if (id === null) return false;
    const name = this.staffName(staffId) ?? '';
    const ok = await this.run(
      commands.assign(id, staffId),
      staffId === null
        ? { key: 'action.unassigned' }
        : { key: 'action.assigned', params: { name } },
    );
    if (ok) {
      this.overlay = null;
      this.assignFor = null;
    }
    return ok;
  }

  /** Runs a command, toasts the outcome; the events it causes refresh the screen. */
  async run<T>(
    result: Promise<
      { status: 'ok'; data: T } | { status: 'error'; error: { code: string; message: string } }
    >,
    done?: Phrase,
  ): Promise<boolean> {
    try {
      await call(result);
      if (done) this.notice(done);
      this.refreshSoon(false);
      return true;
    } catch (e) {
      this.toast(e);
      return false;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Keyboard cursor
  // -------------------------------------------------------------------------------------------

  /** Moves the keyboard cursor; from no cursor, the first press lands on the first row. */
  moveCursor(delta: 1 | -1): void {
    if (this.rows.length === 0) return;
    const index = this.rows.findIndex((r) => r.id === this.cursorId);
    const next = index < 0 ? 0 : Math.min(this.rows.length - 1, Math.max(0, index + delta));
    this.cursorId = this.rows[next]?.id ?? null;
    if (next >= this.rows.length - 50) void this.loadMore();
  }

  openCursor(): void {
    if (this.cursorId !== null) void this.openConversation(this.cursorId);
  }

  // -------------------------------------------------------------------------------------------
  // Settings, messages to staff
  // -------------------------------------------------------------------------------------------

  /** Goes where an `inbox://` link or a notification click says (signed in only). */
  followLink(link: DeepLink): void {
    if (this.phase !== 'ready') return;
    this.overlay = null;
    if (link.to === 'conversation') void this.openConversation(link.id);
    else this.searchRequest = { query: link.query, seq: (this.searchRequest?.seq ?? 0) + 1 };
  }

  async setLanguage(language: Language): Promise<void> {
    this.language = language;
    setLocale(languagePreference(language));
    await this.saveSettings();
  }

  async setKeepRunning(keepRunning: boolean): Promise<void> {
    this.keepRunning = keepRunning;
    await this.saveSettings();
  }

  async setTheme(theme: Theme): Promise<void> {
    this.theme = theme;
    applyTheme(theme);
    await this.saveSettings();
  }

  async setTextSize(percent: number): Promise<void> {
    this.setTextSizeNow(percent);
    await this.saveSettings();
  }

  /** A step up or down through the sizes Settings offers (Ctrl/⌘ + and -); 0 resets. */
  async stepTextSize(step: 1 | -1 | 0): Promise<void> {
    await this.setTextSize(step === 0 ? 100 : stepTextSize(this.textSize, step));
  }

  private setTextSizeNow(percent: number): void {
    this.textSize = clampTextSize(percent);
    applyTextSize(this.textSize);
    this.measureLayout();
  }

  async setFocusComposer(focus: boolean): Promise<void> {
    this.focusComposer = focus;
    await this.saveSettings();
  }

  /** Lays the window out again for its width and text size (on resize and text size). */
  measureLayout(): void {
    // The root font size in px (a DOM without layout, as in tests, answers the percentage).
    const root = getComputedStyle(document.documentElement).fontSize;
    const rem = root.endsWith('px') ? parseFloat(root) : (16 * this.textSize) / 100;
    const layout = layoutFor(window.innerWidth, rem);
    if (layout === 'wide') this.profileOverlay = false;
    this.layout = layout;
  }

  /** The customer name's toggle: the profile column where there is one, else the overlay. */
  toggleProfile(): void {
    if (this.layout === 'wide') this.profileOpen = !this.profileOpen;
    else this.profileOverlay = !this.profileOverlay;
  }

  /** Whether the profile is showing, as a column or over the conversation. */
  get profileShown(): boolean {
    return this.layout === 'wide' ? this.profileOpen : this.profileOverlay;
  }

  private async saveSettings(): Promise<void> {
    try {
      await call(
        commands.saveSettings({
          language: this.language,
          keep_running: this.keepRunning,
          theme: this.theme,
          text_size: this.textSize,
          focus_composer: this.focusComposer,
        }),
      );
    } catch (e) {
      this.toast(e);
    }
  }

  async setStartAtLogin(enabled: boolean): Promise<void> {
    try {
      this.startAtLogin = await call(commands.setStartAtLogin(enabled));
    } catch (e) {
      this.toast(e);
    }
  }

  /** Opens a link in the system browser; a link that can't open says why. */
  async openLink(url: string): Promise<void> {
    try {
      await call(commands.openLink(url));
    } catch (e) {
      this.toast(e);
    }
  }

  /** Quit: the shell gives the outbox a moment to drain, then ends the app. */
  async quit(): Promise<void> {
    try {
      await commands.quit();
    } catch (e) {
      this.toast(e);
    }
  }

  showError(code: string, detail?: string): void {
    this.toasts = [...this.toasts, { id: ++toastSeq, phrase: errorPhrase(code), detail }];
  }

  toast(e: unknown): void {
    const code = e instanceof CommandFailure ? e.code : 'unknown';
    const detail = e instanceof Error ? e.message : undefined;
    this.toasts = [...this.toasts, { id: ++toastSeq, phrase: errorPhrase(code), detail }];
  }

  /** A confirmation (not an error); it goes to the status live region. */
  notice(phrase: Phrase): void {
    this.lastNotice = { id: ++toastSeq, phrase };
  }

  lastNotice = $state.raw<{ id: number; phrase: Phrase } | null>(null);

  dismissToast(id: number): void {
    this.toasts = this.toasts.filter((t) => t.id !== id);
  }
}

export const app = new AppState();
