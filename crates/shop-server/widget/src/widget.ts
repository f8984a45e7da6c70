// The chat widget: a button and a panel in a shadow root of their own (the host page's styles
// can't reach in, ours can't leak out), the customer's side of one conversation, and the cart
// that lives with it. It must never build markup from data: every piece of customer or staff
// text goes in as text (dom.ts), every URL through safeUrl.

import { Api, ApiError, newKey } from './api';
import { el, icon } from './dom';
import type { Words } from './en';
import { backoff, charCount, formatMoney, formatTime, safeUrl } from './format';
import type { Lang } from './i18n';
import { readSession, sessionKey, writeSession, type StoredSession } from './session';
import { ChatStream, sleep } from './sse';
import styles from './widget.css?inline';
import { cartEventWhat, insertionIndex, type SortKey } from './timeline';
import type {
  Attachment,
  Cart,
  CartAction,
  CartEvent,
  ChatSession,
  ChatTranscript,
  CheckoutQuote,
  DiscountCard,
  Message,
  OrderConfirmation,
  OrderEvent,
  PlaceOrder,
  ProductCard,
} from './types';

export const MAX_TEXT_CHARS = 5000;
/** Staff see "typing…" for this long after a report (TYPING_TTL_MS in the protocol crate). */
const TYPING_TTL_MS = 6000;
/** Typing is reported at most this often (TYPING_RENEW_MS). */
const TYPING_RENEW_MS = 3000;

export interface WidgetOptions {
  api: Api;
  words: Words;
  lang: Lang;
  /** For money and times: the browser's own locale when it speaks the widget's language. */
  locale: string;
  shopName: string;
  local: Storage | null;
  session: Storage | null;
}

/** What the widget tells the page it sits on (as DOM events on `window`, see embed.ts). */
export interface WidgetEvents {
  cart: Cart | null;
  session: { active: boolean; email: string | null };
  /** A product link in the chat was followed; cancel it to show the product yourself. */
  product: { url: string };
}

interface Entry {
  key: string;
  sort: SortKey;
  node: HTMLElement;
}

interface Pending {
  key: string;
  seq: number;
  text: string;
  idempotencyKey: string;
  session: StoredSession;
  state: 'sending' | 'failed';
  attempts: number;
  echoed: boolean;
}

interface DiscountView {
  card: HTMLElement;
  button: HTMLButtonElement;
  status: HTMLElement;
  code: string;
  error: string;
}

export class ChatWidget {
  readonly root: ShadowRoot;
  private readonly t: Words;
  private readonly api: Api;
  private readonly storeKey: string;
  private readonly openKey: string;
  private session: StoredSession | null = null;
  private cartState: Cart | null = null;
  private stream: ChatStream | null = null;
  private entries: Entry[] = [];
  private byKey = new Map<string, Entry>();
  private discounts = new Set<DiscountView>();
  private queue: Pending[] = [];
  private sending = false;
  private localSeq = 0;
  /** When typing was last reported to staff (0: not since the last message). */
  private typingAt = 0;
  private lastSeenId = 0;
  private maxStaffId = 0;
  private pendingAdd: { variantId: number; resolve: (e: CartEvent | null) => void } | null = null;
  private listeners = new Map<keyof WidgetEvents, Set<(detail: never) => void>>();

  // Parts of the panel.
  private readonly bubble: HTMLButtonElement;
  private readonly badge: HTMLElement;
  private readonly panel: HTMLElement;
  private readonly status: HTMLElement;
  private readonly startBox: HTMLElement;
  private readonly startIntro: HTMLElement;
  private readonly startReason: HTMLElement;
  private readonly nameInput: HTMLInputElement;
  private readonly emailInput: HTMLInputElement;
  private readonly startError: HTMLElement;
  private readonly startSubmit: HTMLButtonElement;
  private readonly conversation: HTMLElement;
  private readonly note: HTMLElement;
  private readonly verifyBox: HTMLElement;
  private readonly verifyText: HTMLElement;
  private readonly verifySend: HTMLButtonElement;
  private readonly verifyForm: HTMLFormElement;
  private readonly verifyInput: HTMLInputElement;
  private readonly verifyError: HTMLElement;
  private readonly log: HTMLElement;
  private readonly welcome: HTMLElement;
  private readonly chatError: HTMLElement;
  private readonly textarea: HTMLTextAreaElement;
  private readonly who: HTMLElement;

  constructor(
    host: HTMLElement,
    private readonly options: WidgetOptions,
  ) {
    this.t = options.words;
    this.api = options.api;
    this.storeKey = sessionKey(options.api.origin);
    this.openKey = `nordlys.chat.open:${options.api.origin}`;
    const t = this.t;
    this.root = host.attachShadow({ mode: 'open' });
    if ('adoptedStyleSheets' in ShadowRoot.prototype && 'replaceSync' in CSSStyleSheet.prototype) {
      // A constructed sheet is not an inline style: it works under the host page's strict CSP.
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(styles);
      this.root.adoptedStyleSheets = [sheet];
    } else {
      this.root.append(el('style', { text: styles }));
    }

    this.badge = el('span', { class: 'badge', hidden: true });
    this.bubble = el(
      'button',
      {
        class: 'bubble',
        id: 'bubble',
        type: 'button',
        'aria-expanded': 'false',
        'aria-controls': 'panel',
      },
      [
        icon(
          'M4 5.5A2.5 2.5 0 0 1 6.5 3h11A2.5 2.5 0 0 1 20 5.5v8a2.5 2.5 0 0 1-2.5 2.5H10l-4.2 3.6c-.5.4-1.3.1-1.3-.6V16.1A2.5 2.5 0 0 1 4 13.5z',
        ),
        el('span', { class: 'bubble__label', text: t.bubble }),
        this.badge,
      ],
    );

    this.status = el('p', { class: 'status', id: 'status', text: t.statusIdle });
    const close = el(
      'button',
      { class: 'icon-button', type: 'button', 'aria-label': t.close },
      icon('M6 6l12 12M18 6L6 18', true),
    );

    this.startIntro = el('p', { class: 'muted', text: t.startIntro });
    this.startReason = el('p', { class: 'reason', hidden: true });
    this.nameInput = el('input', {
      id: 'name',
      name: 'name',
      type: 'text',
      autocomplete: 'name',
      maxlength: '200',
      required: true,
    });
    this.emailInput = el('input', {
      id: 'email',
      name: 'email',
      type: 'email',
      autocomplete: 'email',
      maxlength: '320',
      required: true,
      'aria-describedby': 'email-hint',
    });
    this.startError = el('p', {
      class: 'form-error',
      id: 'start-error',
      role: 'alert',
      hidden: true,
    });
    this.startSubmit = el('button', {
      class: 'button button--primary button--wide',
      type: 'submit',
      text: t.startChat,
    });
    const startForm = el('form', { class: 'start__form', novalidate: true }, [
      el('div', { class: 'field' }, [el('label', { for: 'name', text: t.name }), this.nameInput]),
      el('div', { class: 'field' }, [
        el('label', { for: 'email', text: t.email }),
        this.emailInput,
        el('p', { class: 'hint', id: 'email-hint', text: t.emailHint }),
      ]),
      this.startError,
      this.startSubmit,
    ]);
    startForm.addEventListener('submit', (event) => void this.onStart(event));
    this.startBox = el('div', { class: 'start', hidden: true }, [
      this.startIntro,
      this.startReason,
      startForm,
    ]);

    this.note = el('p', { class: 'note' });
    this.verifyText = el('p', { text: t.verifyIntro });
    this.verifySend = el('button', { class: 'link-button', type: 'button', text: t.verifySend });
    this.verifySend.addEventListener('click', () => void this.sendCode());
    this.verifyInput = el('input', {
      id: 'verify-code',
      name: 'code',
      type: 'text',
      inputmode: 'numeric',
      autocomplete: 'one-time-code',
      maxlength: '20',
      required: true,
    });
    this.verifyForm = el('form', { class: 'verify__form', novalidate: true, hidden: true }, [
      el('label', { for: 'verify-code', text: t.verifyCode }),
      this.verifyInput,
      el('button', { class: 'button', type: 'submit', text: t.verifyConfirm }),
    ]);
    this.verifyForm.addEventListener('submit', (event) => void this.confirmCode(event));
    this.verifyError = el('p', { class: 'form-error', role: 'alert', hidden: true });
    this.verifyBox = el('div', { class: 'verify', hidden: true }, [
      this.verifyText,
      this.verifySend,
      this.verifyForm,
      this.verifyError,
    ]);

    this.welcome = el('p', { class: 'welcome' });
    this.log = el(
      'div',
      {
        class: 'log',
        role: 'log',
        'aria-live': 'polite',
        'aria-relevant': 'additions',
        'aria-label': t.messages,
        tabindex: '0',
      },
      this.welcome,
    );
    this.chatError = el('p', { class: 'form-error chat-error', role: 'alert', hidden: true });
    this.textarea = el('textarea', {
      id: 'composer-text',
      name: 'text',
      rows: '1',
      maxlength: String(MAX_TEXT_CHARS),
      placeholder: t.placeholder,
      enterkeyhint: 'send',
      'aria-describedby': 'composer-hint',
    });
    this.textarea.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submitDraft();
      }
    });
    this.textarea.addEventListener('input', () => {
      this.autosize();
      this.reportTyping();
    });
    const composer = el('form', { class: 'composer' }, [
      el('label', { class: 'visually-hidden', for: 'composer-text', text: t.message }),
      this.textarea,
      el('button', { class: 'button button--primary', type: 'submit', text: t.send }),
      el('p', { class: 'visually-hidden', id: 'composer-hint', text: t.composerHint }),
    ]);
    composer.addEventListener('submit', (event) => {
      event.preventDefault();
      this.submitDraft();
    });
    this.who = el('span');
    const reset = el('button', { class: 'link-button', type: 'button', text: t.startOver });
    reset.addEventListener('click', () => this.startOver());
    this.conversation = el('div', { class: 'conversation', hidden: true }, [
      this.note,
      this.verifyBox,
      this.log,
      this.chatError,
      composer,
      el('p', { class: 'foot' }, [this.who, ' ', reset]),
    ]);

    this.panel = el(
      'section',
      {
        class: 'panel',
        id: 'panel',
        role: 'dialog',
        'aria-modal': 'false',
        'aria-labelledby': 'title',
        hidden: true,
      },
      [
        el('div', { class: 'head' }, [
          el('div', {}, [
            el('h2', { class: 'title', id: 'title', text: t.title(options.shopName) }),
            this.status,
          ]),
          close,
        ]),
        this.startBox,
        this.conversation,
      ],
    );
    this.root.append(this.bubble, this.panel);

    this.bubble.addEventListener('click', () => (this.panel.hidden ? this.open() : this.close()));
    close.addEventListener('click', () => this.close());
    this.panel.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') this.close();
      else if (event.key === 'Tab' && this.fullScreen()) this.keepFocusIn(event);
    });
    document.addEventListener('visibilitychange', () => this.updateUnread());
    window.addEventListener('storage', (event) => {
      if (event.key !== this.storeKey) return;
      const other = readSession(this.options.local, this.storeKey);
      if (!other && this.session) this.endSession(true);
      else if (other && (!this.session || other.token !== this.session.token))
        void this.useSession(other);
    });
    // Closing the page closes the stream, so the shop sees the customer leave; a page restored
    // from the back/forward cache opens it again.
    window.addEventListener('pagehide', () => this.stream?.stop());
    window.addEventListener('pageshow', (event) => {
      if (event.persisted && this.session && this.stream) {
        this.stream.start();
        void this.loadTranscript(this.session);
      }
    });
    this.setUnread(0);
    this.showStart();
  }

  /** Picks up the chat this browser already has with the shop, once listeners are attached. */
  start(): void {
    const saved = readSession(this.options.local, this.storeKey);
    if (saved) void this.useSession(saved);
    try {
      if (this.options.session?.getItem(this.openKey) === '1') this.open({ focus: false });
    } catch {
      // Refused storage: the panel starts closed.
    }
  }

  // ---- What the page sees

  get cart(): Cart | null {
    return this.cartState;
  }

  get activeSession(): { email: string; name: string; conversationId: number } | null {
    const s = this.session;
    return s ? { email: s.email, name: s.name, conversationId: s.conversation_id } : null;
  }

  on<K extends keyof WidgetEvents>(
    event: K,
    listener: (detail: WidgetEvents[K]) => void,
  ): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  private emit<K extends keyof WidgetEvents>(event: K, detail: WidgetEvents[K]): void {
    for (const listener of this.listeners.get(event) ?? [])
      (listener as (d: WidgetEvents[K]) => void)(detail);
  }

  // ---- Panel

  open({ reason = '', focus = true }: { reason?: string; focus?: boolean } = {}): void {
    this.panel.hidden = false;
    this.panel.setAttribute('aria-modal', String(this.fullScreen()));
    this.bubble.setAttribute('aria-expanded', 'true');
    this.bubble.hidden = true;
    this.remember(true);
    if (!reason && this.pendingAdd) {
      this.pendingAdd.resolve(null);
      this.pendingAdd = null;
    }
    this.startReason.textContent = reason;
    this.startReason.hidden = !reason || Boolean(this.session);
    if (!this.session) {
      if (focus) (this.nameInput.value ? this.emailInput : this.nameInput).focus();
    } else {
      this.scrollToEnd(true);
      if (focus) this.textarea.focus();
    }
    this.updateUnread();
  }

  /** On a phone the panel is the whole screen: a dialog that holds the focus. */
  private fullScreen(): boolean {
    return window.matchMedia?.('(max-width: 560px)').matches ?? false;
  }

  /** Tab from the last control goes to the first, Shift+Tab from the first to the last: the
   * page behind a full-screen panel is out of sight, so focus must not wander there. */
  private keepFocusIn(event: KeyboardEvent): void {
    const focusable = [
      ...this.panel.querySelectorAll<HTMLElement>(
        'button, [href], input, textarea, [tabindex]:not([tabindex="-1"])',
      ),
    ].filter((e) => !(e as HTMLButtonElement).disabled && e.getClientRects().length > 0);
    if (!focusable.length) return;
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    const active = this.root.activeElement;
    if (event.shiftKey && (active === first || !this.panel.contains(active))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (active === last || !this.panel.contains(active))) {
      event.preventDefault();
      first.focus();
    }
  }

  close(): void {
    // An add to the cart that waited for a chat is given up with the panel.
    this.pendingAdd?.resolve(null);
    this.pendingAdd = null;
    this.panel.hidden = true;
    this.bubble.hidden = false;
    this.bubble.setAttribute('aria-expanded', 'false');
    this.remember(false);
    this.bubble.focus();
  }

  private remember(open: boolean): void {
    try {
      if (open) this.options.session?.setItem(this.openKey, '1');
      else this.options.session?.removeItem(this.openKey);
    } catch {
      // Not worth bothering the customer about.
    }
  }

  private get visible(): boolean {
    return !this.panel.hidden && document.visibilityState === 'visible';
  }

  private showStart(): void {
    this.startBox.hidden = false;
    this.conversation.hidden = true;
    this.status.textContent = this.t.statusIdle;
    this.bubble.classList.remove('is-live');
  }

  private friendly(error: unknown): string {
    return error instanceof ApiError
      ? error.friendly(this.t, this.options.lang === 'en')
      : this.t.errGeneric;
  }

  // ---- Starting and ending

  private async onStart(event: Event): Promise<void> {
    event.preventDefault();
    const t = this.t;
    this.startError.hidden = true;
    this.nameInput.removeAttribute('aria-invalid');
    this.emailInput.removeAttribute('aria-invalid');
    const name = this.nameInput.value.trim();
    const email = this.emailInput.value.trim();
    if (!name) return this.showStartError(this.nameInput, t.needName);
    if (!email || !this.emailInput.checkValidity())
      return this.showStartError(this.emailInput, t.needEmail);
    this.startSubmit.disabled = true;
    this.startSubmit.textContent = t.starting;
    try {
      const session = await this.api.call<ChatSession>('/storefront/chats', {
        method: 'POST',
        idempotencyKey: newKey(),
        body: { name, email, platform: 'online_store' },
      });
      const stored: StoredSession = { ...session, name, email };
      writeSession(this.options.local, this.storeKey, stored);
      await this.useSession(stored);
      this.textarea.focus();
      const pending = this.pendingAdd;
      this.pendingAdd = null;
      if (pending)
        pending.resolve(await this.changeCart(pending.variantId, 'added').catch(() => null));
    } catch (error) {
      this.showStartError(null, this.friendly(error));
    } finally {
      this.startSubmit.disabled = false;
      this.startSubmit.textContent = t.startChat;
    }
  }

  private showStartError(field: HTMLInputElement | null, message: string): void {
    this.startError.textContent = message;
    this.startError.hidden = false;
    if (field) {
      field.setAttribute('aria-invalid', 'true');
      field.setAttribute('aria-errormessage', 'start-error');
      field.focus();
    }
  }

  private async useSession(session: StoredSession): Promise<void> {
    const t = this.t;
    this.stream?.stop();
    this.resetTimeline();
    this.session = session;
    this.cartState = null;
    this.lastSeenId = Number(session.last_seen_id) || 0;
    this.startBox.hidden = true;
    this.conversation.hidden = false;
    this.startReason.hidden = true;
    this.welcome.textContent = t.welcome(String(session.name ?? '').split(/\s+/)[0]);
    this.who.textContent = session.email
      ? t.chattingAs(session.name || session.email, session.email)
      : '';
    this.setLive(false, true);
    this.verifyBox.hidden = session.email_verified !== false;
    this.verifyText.textContent = t.verifyIntro;
    this.verifySend.textContent = t.verifySend;
    this.verifySend.hidden = false;
    this.verifyForm.hidden = true;
    this.verifyError.hidden = true;
    this.emit('session', { active: true, email: session.email });

    const stream = new ChatStream(this.api, session.conversation_id, session.token, {
      onOpen: () => {
        this.setLive(true);
        // Whatever happened while we were away (or before the stream opened) comes from here.
        void this.loadTranscript(session);
      },
      onEvent: (data, name) => this.onStreamEvent(session, name, data),
      onDown: () => this.setLive(false),
      onFatal: (error) => {
        if (error.sessionEnded) this.endSession();
        else this.showError(t.streamStopped(this.friendly(error)));
      },
    });
    this.stream = stream;
    await this.loadTranscript(session);
    if (this.session === session && this.stream === stream) stream.start();
  }

  async loadTranscript(session: StoredSession): Promise<void> {
    try {
      const transcript = await this.api.call<ChatTranscript>(
        `/storefront/conversations/${session.conversation_id}`,
        {
          token: session.token,
        },
      );
      if (this.session !== session) return;
      for (const message of transcript.messages ?? []) this.addMessage(message);
      for (const cartEvent of transcript.cart_events ?? []) this.addCartEvent(cartEvent);
      for (const orderEvent of transcript.order_events ?? []) this.addOrderEvent(orderEvent);
      this.setCart(transcript.cart ?? null);
      this.chatError.hidden = true;
      this.updateUnread();
      this.scrollToEnd(true);
    } catch (error) {
      if (this.session !== session) return;
      if (error instanceof ApiError && error.sessionEnded) this.endSession();
      else this.showError(error instanceof ApiError ? this.friendly(error) : this.t.loadFailed);
    }
  }

  private onStreamEvent(session: StoredSession, name: string, data: unknown): void {
    if (this.session !== session || !data || typeof data !== 'object') return;
    const event = data as { event?: string; data?: unknown };
    switch (event.event ?? name) {
      case 'message':
        this.addMessage(event.data as Message, true);
        break;
      case 'cart_event':
        this.addCartEvent(event.data as CartEvent, true);
        break;
      case 'cart':
        this.setCart((event.data as Cart) ?? null);
        break;
      case 'order_event':
        this.addOrderEvent(event.data as OrderEvent, true);
        break;
      default:
        break; // newer servers may send more; ignore what we don't know
    }
  }

  /** Leaves the chat on this device and ends its session at the shop (a shared computer's next
   * visitor can't pick it up); the conversation itself stays with the shop. */
  startOver(): void {
    const session = this.session;
    if (session) {
      this.api.call('/storefront/session', { method: 'DELETE', token: session.token }).catch(() => {
        // Offline or already ended: the token is forgotten here either way and expires.
      });
    }
    this.endSession(true);
    this.nameInput.value = '';
    this.emailInput.value = '';
    this.startIntro.textContent = session?.email
      ? this.t.startAgain(session.email)
      : this.t.startIntro;
    this.nameInput.focus();
  }

  /** The token stopped working, or the customer left the chat here. */
  private endSession(quiet = false): void {
    this.stream?.stop();
    this.stream = null;
    this.session = null;
    this.pendingAdd?.resolve(null);
    this.pendingAdd = null;
    writeSession(this.options.local, this.storeKey, null);
    this.resetTimeline();
    this.setUnread(0);
    this.showStart();
    this.setCart(null, true);
    this.emit('session', { active: false, email: null });
    if (!quiet) this.startIntro.textContent = this.t.sessionEnded;
  }

  private setLive(live: boolean, initial = false): void {
    const t = this.t;
    const email = this.session?.email;
    const replyTo = email ? ` (${email})` : '';
    this.note.textContent = live
      ? t.noteLive(replyTo)
      : initial
        ? t.noteConnecting(replyTo)
        : t.noteReconnecting(replyTo);
    this.note.dataset.tone = live || initial ? 'live' : 'warn';
    this.status.textContent = live
      ? t.statusLive
      : initial
        ? t.statusConnecting
        : t.statusReconnecting;
    this.bubble.classList.toggle('is-live', live);
  }

  private showError(message: string): void {
    this.chatError.textContent = message;
    this.chatError.hidden = false;
  }

  // ---- Proving the email

  private async sendCode(): Promise<void> {
    const session = this.session;
    if (!session) return;
    this.verifyError.hidden = true;
    this.verifySend.disabled = true;
    try {
      const sent = await this.api.call<{ to: string }>(
        `/storefront/conversations/${session.conversation_id}/verification`,
        {
          method: 'POST',
          token: session.token,
        },
      );
      this.verifyText.textContent = this.t.verifySent(sent.to);
      this.verifySend.textContent = this.t.verifyAgain;
      this.verifyForm.hidden = false;
      this.verifyInput.focus();
    } catch (error) {
      this.failVerify(error);
    } finally {
      this.verifySend.disabled = false;
    }
  }

  private async confirmCode(event: Event): Promise<void> {
    event.preventDefault();
    const session = this.session;
    const code = this.verifyInput.value.trim();
    if (!session || !code) return this.verifyInput.focus();
    this.verifyError.hidden = true;
    try {
      const identity = await this.api.call<{ customer_id: number }>(
        `/storefront/conversations/${session.conversation_id}/verification/confirm`,
        { method: 'POST', token: session.token, body: { code } },
      );
      const proven: StoredSession = {
        ...session,
        customer_id: identity.customer_id,
        email_verified: true,
      };
      writeSession(this.options.local, this.storeKey, proven);
      this.verifyInput.value = '';
      await this.useSession(proven);
      // Said where it was asked, until the customer leaves the chat.
      this.verifyBox.hidden = false;
      this.verifyText.textContent = this.t.verified;
      this.verifySend.hidden = true;
    } catch (error) {
      this.failVerify(error);
    }
  }

  private failVerify(error: unknown): void {
    if (error instanceof ApiError && error.sessionEnded) return this.endSession();
    this.verifyError.textContent = this.friendly(error);
    this.verifyError.hidden = false;
  }

  // ---- The cart

  private setCart(cart: Cart | null, force = false): void {
    // Responses and stream events can cross; keep the newest state the shop told us about.
    const current = this.cartState;
    if (
      !force &&
      cart &&
      current &&
      typeof cart.updated_at === 'number' &&
      cart.updated_at < current.updated_at
    )
      return;
    this.cartState = cart;
    for (const view of this.discounts) this.refreshDiscount(view);
    this.emit('cart', cart);
  }

  /**
   * Adds or removes one of a variant. Without a chat the panel opens and asks for one first;
   * the change is made once the chat starts (the promise then gives its event), or never
   * (null) if the customer closes the panel instead.
   */
  async changeCart(
    variantId: number,
    action: CartAction,
    productTitle = '',
  ): Promise<CartEvent | null> {
    const session = this.session;
    if (!session) {
      if (action !== 'added') return null;
      this.pendingAdd?.resolve(null);
      return new Promise((resolve) => {
        this.open({ reason: this.t.startReasonCart(productTitle || this.t.aProduct) });
        this.pendingAdd = { variantId, resolve };
      });
    }
    try {
      const event = await this.api.call<CartEvent>(
        `/storefront/conversations/${session.conversation_id}/cart`,
        {
          method: 'POST',
          token: session.token,
          idempotencyKey: newKey(),
          body: { variant_id: variantId, action, quantity: 1 },
        },
      );
      if (this.session === session) {
        this.addCartEvent(event, true);
        await this.loadTranscript(session);
      }
      return event;
    } catch (error) {
      if (error instanceof ApiError && error.sessionEnded) this.endSession();
      throw error;
    }
  }

  /** Stores a discount code on the cart; the updated cart, or an ApiError saying why not. */
  async applyDiscount(code: string): Promise<Cart> {
    const session = this.session;
    if (!session) throw new ApiError('permanent', { detail: this.t.errNeedChat });
    try {
      const cart = await this.api.call<Cart>(
        `/storefront/conversations/${session.conversation_id}/discount`,
        {
          method: 'POST',
          token: session.token,
          idempotencyKey: newKey(),
          body: { code },
        },
      );
      if (this.session === session) this.setCart(cart);
      return cart;
    } catch (error) {
      if (error instanceof ApiError && error.sessionEnded) this.endSession();
      if (error instanceof ApiError && error.code === 'not_found') {
        throw new ApiError('permanent', {
          status: 404,
          code: 'not_found',
          detail: this.t.errUnknownCode,
        });
      }
      throw error;
    }
  }

  /** Takes the discount code off the cart. */
  async removeDiscount(): Promise<Cart> {
    const session = this.requireSession();
    return this.guard(async () => {
      const cart = await this.api.call<Cart>(
        `/storefront/conversations/${session.conversation_id}/discount`,
        { method: 'DELETE', token: session.token },
      );
      if (this.session === session) this.setCart(cart);
      return cart;
    });
  }

  /** The chat's cart priced by the shop for checkout with this way of shipping. */
  async quote(shipping: string): Promise<CheckoutQuote> {
    const session = this.requireSession();
    return this.guard(() =>
      this.api.call<CheckoutQuote>(
        `/storefront/conversations/${session.conversation_id}/checkout?shipping=${encodeURIComponent(shipping)}`,
        { token: session.token },
      ),
    );
  }

  /**
   * Pays for the cart and places the order. The same `idempotencyKey` on a retry (a lost
   * answer) gets the same order back, never a second one.
   */
  async placeOrder(order: PlaceOrder, idempotencyKey: string): Promise<OrderConfirmation> {
    const session = this.requireSession();
    return this.guard(async () => {
      const placed = await this.api.call<OrderConfirmation>(
        `/storefront/conversations/${session.conversation_id}/orders`,
        { method: 'POST', token: session.token, idempotencyKey, body: order },
      );
      if (this.session === session) await this.loadTranscript(session);
      return placed;
    });
  }

  private requireSession(): StoredSession {
    const session = this.session;
    if (!session) throw new ApiError('permanent', { detail: this.t.errNeedChat });
    return session;
  }

  private async guard<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof ApiError && error.sessionEnded) this.endSession();
      throw error;
    }
  }

  /** The words the widget uses for an error, for a page that shows the widget's failures. */
  describe(error: unknown): string {
    return this.friendly(error);
  }

  // ---- The timeline

  private resetTimeline(): void {
    for (const entry of this.entries) entry.node.remove();
    this.entries = [];
    this.byKey.clear();
    this.discounts.clear();
    this.queue = [];
    this.maxStaffId = 0;
  }

  private nearBottom(): boolean {
    return this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 80;
  }

  private scrollToEnd(force = false): void {
    if (force || this.nearBottom()) this.log.scrollTop = this.log.scrollHeight;
  }

  /** Puts a node into the timeline in order; replaces an entry with the same key. */
  private place(key: string, sort: SortKey, node: HTMLElement): void {
    const stick = this.nearBottom();
    const existing = this.byKey.get(key);
    if (existing) {
      existing.node.replaceWith(node);
      existing.node = node;
      return;
    }
    const index = insertionIndex(
      this.entries.map((e) => e.sort),
      sort,
    );
    const after = this.entries[index];
    if (after) this.log.insertBefore(node, after.node);
    else this.log.append(node);
    const entry = { key, sort, node };
    this.entries.splice(index, 0, entry);
    this.byKey.set(key, entry);
    if (stick) this.scrollToEnd(true);
  }

  private remove(key: string): void {
    const entry = this.byKey.get(key);
    if (!entry) return;
    entry.node.remove();
    this.byKey.delete(key);
    this.entries.splice(this.entries.indexOf(entry), 1);
  }

  private addMessage(message: Message, live = false): void {
    if (!message || typeof message.id !== 'number') return;
    const key = `m:${message.id}`;
    if (this.byKey.has(key)) return;
    const fromCustomer = message.author?.kind === 'customer';
    // Our own send may come back on the stream before the POST answers: drop its local echo.
    if (fromCustomer && live && message.body?.type === 'text') {
      const text = message.body.text;
      const echo = this.queue.find((p) => p.state === 'sending' && !p.echoed && p.text === text);
      if (echo) {
        echo.echoed = true;
        this.remove(echo.key);
      }
    }
    this.place(key, [message.created_at, 0, message.id], this.messageNode(message));
    if (!fromCustomer) {
      this.maxStaffId = Math.max(this.maxStaffId, message.id);
      this.updateUnread();
    }
  }

  private addCartEvent(cartEvent: CartEvent, live = false): void {
    if (!cartEvent || typeof cartEvent.id !== 'number') return;
    const key = `c:${cartEvent.id}`;
    if (this.byKey.has(key)) return;
    const added = cartEvent.action === 'added';
    const what = cartEventWhat(cartEvent, this.t);
    const node = el('div', { class: 'event', dataset: { action: cartEvent.action } }, [
      el('span', { class: 'event__icon', 'aria-hidden': 'true', text: added ? '+' : '−' }),
      el('span', { text: added ? this.t.cartAdded(what) : this.t.cartRemoved(what) }),
      this.timeNode(cartEvent.created_at),
    ]);
    this.place(key, [cartEvent.created_at, 1, cartEvent.id], node);
    if (live) this.scrollToEnd();
  }

  private addOrderEvent(orderEvent: OrderEvent, live = false): void {
    if (!orderEvent || typeof orderEvent.id !== 'number') return;
    const key = `o:${orderEvent.id}`;
    if (this.byKey.has(key)) return;
    const total = formatMoney(orderEvent.total, this.options.locale);
    const node = el('div', { class: 'event event--order' }, [
      el('span', { class: 'event__icon', 'aria-hidden': 'true', text: '✓' }),
      el('span', { text: this.t.orderPlaced(String(orderEvent.order_name ?? ''), total) }),
      this.timeNode(orderEvent.created_at),
    ]);
    this.place(key, [orderEvent.created_at, 1, orderEvent.id], node);
    if (live) this.scrollToEnd();
  }

  private timeNode(ms: number): HTMLTimeElement {
    return el('time', {
      datetime: new Date(ms).toISOString(),
      text: formatTime(ms, this.options.locale),
    });
  }

  private messageNode(message: Message): HTMLElement {
    const t = this.t;
    const fromCustomer = message.author?.kind === 'customer';
    const body = message.body;
    const content: HTMLElement[] = [];
    switch (body?.type) {
      case 'text':
        content.push(el('p', { class: 'text', text: body.text ?? '' }));
        break;
      case 'products':
        if (body.text) content.push(el('p', { class: 'text', text: body.text }));
        content.push(
          el(
            'div',
            { class: 'products' },
            (body.products ?? []).map((card) => this.productNode(card)),
          ),
        );
        break;
      case 'discount':
        content.push(this.discountNode(body.discount));
        break;
      case 'attachment':
        content.push(this.attachmentNode(body.attachment));
        if (body.text) content.push(el('p', { class: 'text', text: body.text }));
        break;
      default:
        content.push(el('p', { class: 'text muted', text: t.unknownMessage }));
    }
    const meta = el('p', { class: 'meta' }, [
      this.timeNode(message.created_at),
      message.delivery?.via === 'email' ? t.alsoEmailed : null,
    ]);
    return el(
      'div',
      {
        class: `msg ${fromCustomer ? 'msg--customer' : 'msg--staff'}`,
        dataset: { messageId: String(message.id) },
      },
      [
        el('span', {
          class: 'visually-hidden',
          text: fromCustomer ? t.youWrote : t.shopWrote(this.options.shopName),
        }),
        el('div', { class: 'col' }, [el('div', { class: 'bubble-text' }, content), meta]),
      ],
    );
  }

  private image(url: string | null, alt: string, className: string, name: string): HTMLElement {
    const src = safeUrl(url, this.api.origin);
    if (!src)
      return el('span', {
        class: `${className} placeholder`,
        'aria-hidden': 'true',
        text: (name || '·').trim().charAt(0),
      });
    return el('img', { class: className, src, alt, loading: 'lazy', decoding: 'async' });
  }

  private productNode(card: ProductCard): HTMLElement {
    const href = safeUrl(card.url, this.api.origin);
    const title = card.title ?? this.t.product;
    const inner = [
      this.image(card.image_url, '', 'product__image', title),
      el('span', { class: 'product__info' }, [
        el('span', { class: 'product__title', text: title }),
        el('span', { class: 'product__price', text: formatMoney(card.price, this.options.locale) }),
        href ? el('span', { class: 'product__cta', text: this.t.viewProduct }) : null,
      ]),
    ];
    if (!href) return el('div', { class: 'product' }, inner);
    // On a shop's own site the product page is the shop server's: a new tab keeps the site.
    const elsewhere = new URL(href).origin !== location.origin;
    const link = el(
      'a',
      {
        class: 'product',
        href,
        target: elsewhere ? '_blank' : null,
        rel: elsewhere ? 'noopener' : null,
      },
      inner,
    );
    link.addEventListener('click', (event) => {
      if (
        event.defaultPrevented ||
        event.button !== 0 ||
        event.metaKey ||
        event.ctrlKey ||
        event.shiftKey ||
        event.altKey
      )
        return;
      // The page may show the product itself (and keep the chat open) by cancelling.
      const asked = new CustomEvent('nordlys-chat:product', {
        detail: { url: href },
        cancelable: true,
      });
      if (!window.dispatchEvent(asked)) event.preventDefault();
      this.emit('product', { url: href });
    });
    return link;
  }

  private discountNode(discount: DiscountCard): HTMLElement {
    const code = String(discount?.code ?? '');
    const button = el('button', { class: 'discount__code', type: 'button', text: code });
    const status = el('p', { class: 'discount__status', role: 'status' });
    const card = el('div', { class: 'discount', dataset: { code } }, [
      el('p', { class: 'discount__label', text: this.t.discountLabel }),
      discount?.summary ? el('p', { class: 'discount__summary', text: discount.summary }) : null,
      button,
      status,
    ]);
    const view: DiscountView = { card, button, status, code, error: '' };
    this.discounts.add(view);
    button.addEventListener('click', () => void this.applyFromCard(view));
    this.refreshDiscount(view);
    return card;
  }

  /** A click on a shared code: stores it on the cart, or says why not on the card. */
  private async applyFromCard(view: DiscountView): Promise<void> {
    view.error = '';
    view.button.disabled = true;
    view.status.textContent = this.t.applying;
    try {
      await this.applyDiscount(view.code);
    } catch (error) {
      view.error = this.friendly(error);
    } finally {
      view.button.disabled = false;
      this.refreshDiscount(view);
    }
  }

  private refreshDiscount(view: DiscountView): void {
    const t = this.t;
    const applied =
      Boolean(this.cartState?.discount_code) &&
      this.cartState!.discount_code!.toLowerCase() === view.code.toLowerCase();
    view.card.classList.toggle('is-applied', applied);
    view.card.classList.toggle('is-error', Boolean(view.error) && !applied);
    view.button.setAttribute(
      'aria-label',
      applied ? t.discountAppliedLabel(view.code) : t.discountApply(view.code),
    );
    view.status.textContent = applied ? t.discountApplied : view.error || t.discountHint;
  }

  private attachmentNode(attachment: Attachment): HTMLElement {
    const t = this.t;
    const src = safeUrl(attachment?.url, this.api.origin);
    if (!src) return el('p', { class: 'text muted', text: t.badAttachment });
    if (attachment.kind === 'video') {
      return el(
        'video',
        { class: 'media', src, controls: true, preload: 'metadata', playsInline: true },
        el('a', { href: src, text: t.downloadVideo }),
      );
    }
    const image = el('img', {
      class: 'media',
      src,
      alt: t.image,
      loading: 'lazy',
      decoding: 'async',
    });
    if (attachment.width && attachment.height) {
      image.width = attachment.width;
      image.height = attachment.height;
    }
    return el(
      'a',
      {
        class: 'media-link',
        href: src,
        target: '_blank',
        rel: 'noopener',
        'aria-label': t.openImage,
      },
      image,
    );
  }

  // ---- Unread badge

  /** Staff replies newer than the last one seen with the panel open count as unread. */
  private updateUnread(): void {
    if (!this.session) return this.setUnread(0);
    if (this.visible) {
      if (this.maxStaffId > this.lastSeenId) {
        this.lastSeenId = this.maxStaffId;
        this.session.last_seen_id = this.lastSeenId;
        writeSession(this.options.local, this.storeKey, this.session);
      }
      return this.setUnread(0);
    }
    let unread = 0;
    for (const entry of this.entries) {
      if (
        entry.key.startsWith('m:') &&
        entry.node.classList.contains('msg--staff') &&
        Number(entry.key.slice(2)) > this.lastSeenId
      )
        unread++;
    }
    this.setUnread(unread);
  }

  private setUnread(count: number): void {
    this.badge.hidden = count === 0;
    this.badge.textContent = count > 9 ? '9+' : String(count);
    this.bubble.setAttribute('aria-label', count ? this.t.bubbleUnread(count) : this.t.bubble);
  }

  // ---- Sending

  private autosize(): void {
    const t = this.textarea;
    t.style.height = 'auto';
    t.style.height = `${Math.min(t.scrollHeight, 140)}px`;
  }

  /** Lets staff see the customer typing: at most every few seconds while keys are pressed,
   * and that it stopped when the field is emptied. A report that fails is not retried. */
  private reportTyping(): void {
    const session = this.session;
    if (!session) return;
    const typing = this.textarea.value.trim() !== '';
    const now = Date.now();
    if (typing ? now - this.typingAt < TYPING_RENEW_MS : now - this.typingAt >= TYPING_TTL_MS) {
      return;
    }
    this.typingAt = typing ? now : 0;
    this.api
      .call(`/storefront/conversations/${session.conversation_id}/typing`, {
        method: 'POST',
        token: session.token,
        body: { typing },
      })
      .catch(() => {});
  }

  private submitDraft(): void {
    const text = this.textarea.value.trim();
    if (!text || !this.session) return;
    if (charCount(text) > MAX_TEXT_CHARS) return this.showError(this.t.tooLong(MAX_TEXT_CHARS));
    this.chatError.hidden = true;
    this.textarea.value = '';
    this.autosize();
    // The shop ends the typing when the message arrives; the next key reports afresh.
    this.typingAt = 0;
    const seq = ++this.localSeq;
    const pending: Pending = {
      key: `p:${seq}`,
      seq,
      text,
      idempotencyKey: newKey(),
      session: this.session,
      state: 'sending',
      attempts: 0,
      echoed: false,
    };
    this.queue.push(pending);
    this.renderPending(pending);
    void this.drain();
  }

  private renderPending(pending: Pending): void {
    const t = this.t;
    const status =
      pending.state === 'failed'
        ? el('span', { class: 'failed' }, [
            `${t.notSent} `,
            el('button', {
              class: 'link-button',
              type: 'button',
              text: t.retry,
              onclick: () => this.retry(pending),
            }),
          ])
        : el('span', { text: t.sending });
    const node = el(
      'div',
      { class: `msg msg--customer msg--pending${pending.state === 'failed' ? ' is-failed' : ''}` },
      [
        el('span', { class: 'visually-hidden', text: t.youWrote }),
        el('div', { class: 'col' }, [
          el('div', { class: 'bubble-text' }, el('p', { class: 'text', text: pending.text })),
          el('p', { class: 'meta' }, status),
        ]),
      ],
    );
    this.place(pending.key, [Number.MAX_SAFE_INTEGER, 2, pending.seq], node);
  }

  private retry(pending: Pending): void {
    pending.state = 'sending';
    pending.attempts = 0;
    this.renderPending(pending);
    void this.drain();
  }

  private dequeue(pending: Pending): void {
    const index = this.queue.indexOf(pending);
    if (index !== -1) this.queue.splice(index, 1);
  }

  /** Sends queued messages one at a time, in order, so they reach the shop as typed. */
  private async drain(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      for (;;) {
        const pending = this.queue.find((p) => p.state === 'sending');
        if (!pending) break;
        const session = pending.session;
        if (session !== this.session) {
          this.dequeue(pending);
          continue;
        }
        try {
          const message = await this.api.call<Message>(
            `/storefront/conversations/${session.conversation_id}/messages`,
            {
              method: 'POST',
              token: session.token,
              idempotencyKey: pending.idempotencyKey,
              body: { text: pending.text },
            },
          );
          this.dequeue(pending);
          this.remove(pending.key);
          if (this.session === session) this.addMessage(message);
        } catch (caught) {
          const error =
            caught instanceof ApiError
              ? caught
              : new ApiError('transient', { detail: String(caught) });
          if (error.sessionEnded) {
            this.endSession();
            this.textarea.value = pending.text;
            return;
          }
          if (error.kind === 'permanent') {
            // The shop will never take this one: give the words back so nothing is lost.
            this.dequeue(pending);
            this.remove(pending.key);
            if (!this.textarea.value.trim()) this.textarea.value = pending.text;
            this.autosize();
            this.showError(this.friendly(error));
            continue;
          }
          pending.attempts++;
          if (pending.echoed) {
            // The stream already showed it arrived; the shop has it.
            this.dequeue(pending);
            continue;
          }
          if (pending.attempts >= 4) {
            // Same Idempotency-Key on a manual retry: the shop never stores it twice.
            pending.state = 'failed';
            this.renderPending(pending);
            this.showError(this.friendly(error));
            continue;
          }
          await sleep(backoff(pending.attempts - 1, error.retryAfterMs));
        }
      }
    } finally {
      this.sending = false;
    }
  }
}
