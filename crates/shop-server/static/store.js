// The storefront and its chat widget, and the demo outbox page, for the reference shop server.
//
// Plain ES2022, no dependencies, no build step: the server embeds this file as it is. It runs
// under a strict CSP (no inline script or style), so every piece of customer or staff text is put
// on the page with textContent/createElement and never parsed as HTML.

const API = '/api/v1';
const SESSION_KEY = 'nordlys.chat.v1';
const PANEL_OPEN_KEY = 'nordlys.chat.open';
const MAX_TEXT_CHARS = 5000;
const LOCALE = (navigator.languages && navigator.languages[0]) || navigator.language || 'en';

// ---------------------------------------------------------------------------------------------
// Small DOM and formatting helpers

/** Creates an element; `props.text` becomes textContent, `props.class` the class list. */
function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'text') node.textContent = String(value);
    else if (key === 'class') node.className = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else if (key in node && typeof value !== 'string') node[key] = value;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of [].concat(children)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const $ = (id) => document.getElementById(id);

const moneyFormats = new Map();

/** Formats `{minor, currency}` in the currency's own minor unit, dropping `.00` on whole amounts. */
function formatMoney(money) {
  if (!money || typeof money.minor !== 'number' || !money.currency) return '';
  let format = moneyFormats.get(money.currency);
  if (format === undefined) {
    try {
      format = new Intl.NumberFormat(LOCALE, {
        style: 'currency',
        currency: money.currency,
        trailingZeroDisplay: 'stripIfInteger',
      });
    } catch {
      format = null;
    }
    moneyFormats.set(money.currency, format);
  }
  if (!format) return `${(money.minor / 100).toFixed(2)} ${money.currency}`;
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(money.minor / 10 ** digits);
}

const timeFormat = new Intl.DateTimeFormat(LOCALE, { hour: 'numeric', minute: '2-digit' });
const dateTimeFormat = new Intl.DateTimeFormat(LOCALE, { dateStyle: 'medium', timeStyle: 'short' });

function formatTime(ms) {
  const date = new Date(ms);
  const today = new Date();
  return date.toDateString() === today.toDateString() ? timeFormat.format(date) : dateTimeFormat.format(date);
}

/** A URL from the shop, resolved against this origin; anything but http(s) becomes null. */
function safeUrl(url) {
  if (typeof url !== 'string' || url === '') return null;
  try {
    const resolved = new URL(url, location.origin);
    return resolved.protocol === 'https:' || resolved.protocol === 'http:' ? resolved.href : null;
  } catch {
    return null;
  }
}

/** Server problem details are lowercase without a full stop; customers read sentences. */
function sentence(text) {
  const trimmed = String(text ?? '').trim();
  if (!trimmed) return '';
  const first = trimmed[0].toUpperCase() + trimmed.slice(1);
  return /[.!?…]$/.test(first) ? first : `${first}.`;
}

const sleep = (ms, signal) =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

/** Exponential backoff with jitter, capped; a server's Retry-After wins when it is longer. */
function backoff(attempt, retryAfterMs = 0) {
  const base = Math.min(30_000, 1000 * 2 ** Math.min(attempt, 5));
  return Math.max(retryAfterMs, base / 2 + Math.random() * (base / 2));
}

// ---------------------------------------------------------------------------------------------
// The API

/** A failed request, classified the way the rest of the page acts on it. */
class ApiError extends Error {
  /**
   * @param {'network'|'transient'|'permanent'} kind
   * @param {{status?: number, code?: string, detail?: string, retryAfterMs?: number}} info
   */
  constructor(kind, info = {}) {
    super(info.detail || kind);
    this.kind = kind;
    this.status = info.status ?? 0;
    this.code = info.code ?? '';
    this.detail = info.detail ?? '';
    this.retryAfterMs = info.retryAfterMs ?? 0;
  }

  /** The chat token is no good any more: the customer has to start a new chat. */
  get sessionEnded() {
    return this.status === 401 || this.code === 'unauthenticated' || this.code === 'token_expired';
  }

  /** What to tell the customer. */
  get friendly() {
    if (this.kind === 'network') return "We couldn't reach the shop. Check your connection and try again.";
    if (this.code === 'rate_limited') {
      const seconds = Math.ceil(this.retryAfterMs / 1000);
      return seconds > 0 ? `You're going a little fast — please try again in ${seconds} s.` : "You're going a little fast — please try again in a moment.";
    }
    if (this.code === 'internal' || (this.status >= 500 && !this.detail)) {
      return 'Something went wrong on our side. Please try again in a moment.';
    }
    return sentence(this.detail) || `Something went wrong (${this.status || 'no response'}). Please try again.`;
  }
}

async function problemFrom(response) {
  let problem = {};
  try {
    const type = response.headers.get('content-type') || '';
    if (type.includes('json')) problem = await response.json();
    else {
      const text = await response.text();
      problem = { detail: text.length < 300 ? text : '' };
    }
  } catch {
    // A body that isn't a problem document still has a status.
  }
  const retryAfter = Number(response.headers.get('retry-after'));
  const status = response.status;
  const code = typeof problem.code === 'string' ? problem.code : '';
  const transient = status === 429 || status === 408 || status >= 500 || code === 'rate_limited' || code === 'internal';
  return new ApiError(transient ? 'transient' : 'permanent', {
    status,
    code,
    detail: typeof problem.detail === 'string' ? problem.detail : typeof problem.title === 'string' ? problem.title : '',
    retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : 0,
  });
}

/**
 * Calls the API and returns the parsed JSON body (null for an empty one).
 * @param {string} path below /api/v1
 * @param {{method?: string, body?: unknown, token?: string, idempotencyKey?: string, signal?: AbortSignal}} options
 */
async function api(path, options = {}) {
  const headers = { Accept: 'application/json' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  if (options.idempotencyKey) headers['Idempotency-Key'] = options.idempotencyKey;
  let response;
  try {
    response = await fetch(API + path, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      cache: 'no-store',
      credentials: 'same-origin',
      signal: options.signal,
    });
  } catch (error) {
    if (error?.name === 'AbortError') throw error;
    throw new ApiError('network', { detail: String(error?.message ?? error) });
  }
  if (!response.ok) throw await problemFrom(response);
  if (response.status === 204) return null;
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

// ---------------------------------------------------------------------------------------------
// Server-Sent Events over fetch (EventSource cannot send an Authorization header)

/**
 * Reads an SSE body and calls `onEvent({event, data, id})` per dispatched event and `onBytes()`
 * whenever anything arrives (heartbeat comments included). Resolves when the stream ends.
 */
async function readEventStream(body, onEvent, onBytes) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let data = [];
  let event = '';
  let id = null;
  let retry = null;

  const handleLine = (line) => {
    if (line === '') {
      if (data.length) onEvent({ event: event || 'message', data: data.join('\n'), id, retry });
      data = [];
      event = '';
      return;
    }
    if (line.startsWith(':')) return; // a comment: the server's heartbeat
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
    else if (field === 'id' && !value.includes('\0')) id = value;
    else if (field === 'retry' && /^\d+$/.test(value)) retry = Number(value);
  };

  try {
    for (let done = false; !done; ) {
      const chunk = await reader.read();
      done = chunk.done;
      if (!done) {
        onBytes();
        buffer += decoder.decode(chunk.value, { stream: true });
      }
      for (;;) {
        const match = /\r\n|\r|\n/.exec(buffer);
        if (!match) break;
        // A lone CR at the very end may be the first half of a CRLF split across chunks.
        if (!done && match[0] === '\r' && match.index === buffer.length - 1) break;
        handleLine(buffer.slice(0, match.index));
        buffer = buffer.slice(match.index + match[0].length);
      }
    }
  } finally {
    reader.releaseLock();
  }
}

/** Keeps the chat's event stream open, reconnecting with backoff, until `stop()`. */
class ChatStream {
  constructor(session, handlers) {
    this.session = session;
    this.handlers = handlers;
    this.stopped = true;
    this.controller = null;
    this.wake = null;
    this.onOnline = () => this.wake?.abort();
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    window.addEventListener('online', this.onOnline);
    this.run();
  }

  stop() {
    this.stopped = true;
    window.removeEventListener('online', this.onOnline);
    this.controller?.abort();
    this.wake?.abort();
  }

  async run() {
    let attempt = 0;
    let serverRetryMs = 0;
    while (!this.stopped) {
      const controller = new AbortController();
      this.controller = controller;
      let retryAfterMs = 0;
      let watchdog = 0;
      // Heartbeats keep a healthy stream busy; silence this long means a dead connection.
      const feed = () => {
        clearTimeout(watchdog);
        watchdog = setTimeout(() => controller.abort(), 45_000);
      };
      try {
        feed();
        const response = await fetch(`${API}/storefront/conversations/${this.session.conversation_id}/events`, {
          headers: { Authorization: `Bearer ${this.session.token}`, Accept: 'text/event-stream' },
          cache: 'no-store',
          signal: controller.signal,
        });
        if (!response.ok) throw await problemFrom(response);
        attempt = 0;
        this.handlers.onOpen();
        await readEventStream(
          response.body,
          (event) => {
            if (event.retry) serverRetryMs = event.retry;
            let parsed;
            try {
              parsed = JSON.parse(event.data);
            } catch {
              return; // not ours; ignore rather than drop the connection
            }
            this.handlers.onEvent(parsed, event.event);
          },
          feed,
        );
      } catch (error) {
        if (error instanceof ApiError && error.kind === 'permanent') {
          clearTimeout(watchdog);
          if (!this.stopped) this.handlers.onFatal(error);
          this.stop();
          return;
        }
        if (error instanceof ApiError) retryAfterMs = error.retryAfterMs;
      } finally {
        clearTimeout(watchdog);
      }
      if (this.stopped) return;
      this.handlers.onDown();
      this.wake = new AbortController();
      await sleep(backoff(attempt++, Math.max(retryAfterMs, serverRetryMs)), this.wake.signal);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The chat session, kept across reloads

function readSession() {
  try {
    const raw = localStorage.getItem(SESSION_KEY);
    if (!raw) return null;
    const session = JSON.parse(raw);
    return typeof session?.token === 'string' && Number.isInteger(session?.conversation_id) ? session : null;
  } catch {
    return null;
  }
}

function writeSession(session) {
  try {
    if (session) localStorage.setItem(SESSION_KEY, JSON.stringify(session));
    else localStorage.removeItem(SESSION_KEY);
  } catch {
    // Private windows may refuse storage: the chat then lasts as long as the page.
  }
}

function rememberPanelOpen(open) {
  try {
    if (open) sessionStorage.setItem(PANEL_OPEN_KEY, '1');
    else sessionStorage.removeItem(PANEL_OPEN_KEY);
  } catch {
    // Not worth bothering the customer about.
  }
}

function panelWasOpen() {
  try {
    return sessionStorage.getItem(PANEL_OPEN_KEY) === '1';
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// The storefront

const state = {
  /** @type {any[]} */
  products: [],
  /** Selected variant id per product id. */
  selected: new Map(),
  /** @type {any|null} */
  cart: null,
  /** @type {any|null} */
  session: null,
  /** Variant ids with a cart request in flight. */
  busyVariants: new Set(),
  /** An "add to cart" waiting for the customer to start a chat. */
  pendingAdd: null,
};

const productCards = new Map(); // product id → {root, select, price, stock, add, remove, inCart}

function toast(message, tone = 'info') {
  const box = $('toast');
  if (!box) return;
  box.textContent = message;
  box.dataset.tone = tone;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => {
    box.hidden = true;
  }, tone === 'error' ? 7000 : 4000);
}

function variantOf(product) {
  const id = state.selected.get(product.id);
  return product.variants.find((v) => v.id === id) ?? product.variants[0] ?? null;
}

function cartQuantity(variantId) {
  return state.cart?.lines?.find((line) => line.variant_id === variantId)?.quantity ?? 0;
}

function productHandleFromPath() {
  const match = /^\/store\/products\/([^/]+)\/?$/.exec(location.pathname);
  if (!match) return null;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return match[1];
  }
}

function productPath(product) {
  try {
    return new URL(product.url, location.origin).pathname.replace(/\/$/, '');
  } catch {
    return '';
  }
}

async function loadProducts() {
  const grid = $('products');
  grid.setAttribute('aria-busy', 'true');
  try {
    const list = await api('/storefront/products');
    state.products = Array.isArray(list?.products) ? list.products.filter((p) => p.online_store !== false) : [];
    renderProducts();
    renderCart();
    highlightProductFromPath({ scroll: true });
  } catch (error) {
    grid.replaceChildren(
      el('div', { class: 'empty-state' }, [
        el('p', { text: "We couldn't load the collection." }),
        el('p', { class: 'muted', text: error instanceof ApiError ? error.friendly : 'Please try again.' }),
        el('button', { class: 'button', type: 'button', text: 'Try again', onclick: loadProducts }),
      ]),
    );
  } finally {
    grid.setAttribute('aria-busy', 'false');
  }
}

function renderProducts() {
  const grid = $('products');
  productCards.clear();
  if (!state.products.length) {
    grid.replaceChildren(el('p', { class: 'empty-state', text: 'The shelves are being restocked — check back soon.' }));
    $('products-count').textContent = '';
    return;
  }
  $('products-count').textContent = `${state.products.length} ${state.products.length === 1 ? 'piece' : 'pieces'}`;
  grid.replaceChildren(...state.products.map(productCard));
  refreshProductCards();
}

function productImage(url, alt, className, name = alt) {
  const src = safeUrl(url);
  if (!src) return el('div', { class: `${className} img-placeholder`, 'aria-hidden': 'true', text: (name || '·').trim().charAt(0) });
  return el('img', { class: className, src, alt, loading: 'lazy', decoding: 'async' });
}

function productCard(product) {
  const titleId = `product-${product.id}-title`;
  const root = el('article', { class: 'product-card', id: `product-${product.id}`, 'aria-labelledby': titleId, tabindex: '-1' });
  const link = safeUrl(product.url);
  const image = productImage(product.image_url, product.title, 'product-card__image');
  const media = link
    ? el('a', { class: 'product-card__media', href: link, tabindex: '-1', 'aria-hidden': 'true', onclick: onProductLink }, image)
    : el('div', { class: 'product-card__media' }, image);

  const title = el('h3', { class: 'product-card__title', id: titleId }, link
    ? el('a', { href: link, onclick: onProductLink, text: product.title })
    : product.title);
  const price = el('p', { class: 'product-card__price' });
  const stock = el('p', { class: 'product-card__stock' });
  const inCart = el('p', { class: 'product-card__in-cart', hidden: true });
  const description = product.description ? el('p', { class: 'product-card__desc', text: product.description }) : null;

  let select = null;
  let picker = null;
  if (product.variants.length > 1) {
    const selectId = `product-${product.id}-variant`;
    select = el('select', { id: selectId, class: 'select' },
      product.variants.map((v) => el('option', { value: String(v.id), text: v.stock > 0 ? v.title : `${v.title} — sold out` })));
    select.addEventListener('change', () => {
      state.selected.set(product.id, Number(select.value));
      refreshProductCards();
    });
    picker = el('div', { class: 'field field--compact' }, [
      el('label', { for: selectId, text: variantLabel(product) }),
      select,
    ]);
  }

  const add = el('button', { class: 'button button--primary', type: 'button', text: 'Add to cart' });
  const remove = el('button', { class: 'button button--ghost', type: 'button', text: 'Remove' });
  add.addEventListener('click', () => changeCart(product, 'added'));
  remove.addEventListener('click', () => changeCart(product, 'removed'));

  root.append(
    media,
    el('div', { class: 'product-card__body' }, [
      title,
      price,
      description,
      picker,
      el('div', { class: 'product-card__meta' }, [stock, inCart]),
      el('div', { class: 'product-card__actions' }, [add, remove]),
    ]),
  );
  productCards.set(product.id, { root, select, price, stock, add, remove, inCart });
  return root;
}

/** "Size", "Colour" or "Option", from the variants' `Name: Value` options. */
function variantLabel(product) {
  const names = new Set();
  for (const v of product.variants) for (const option of v.options ?? []) names.add(String(option).split(':')[0].trim());
  return names.size === 1 ? [...names][0] : 'Option';
}

function refreshProductCards() {
  for (const product of state.products) {
    const card = productCards.get(product.id);
    if (!card) continue;
    const variant = variantOf(product);
    if (!variant) {
      card.price.textContent = '';
      card.stock.textContent = 'Unavailable';
      card.add.disabled = true;
      card.remove.disabled = true;
      continue;
    }
    if (card.select && card.select.value !== String(variant.id)) card.select.value = String(variant.id);
    card.price.textContent = formatMoney(variant.price);
    const quantity = cartQuantity(variant.id);
    const soldOut = variant.stock <= 0;
    card.stock.textContent = soldOut ? 'Sold out' : variant.stock <= 3 ? `Only ${variant.stock} left` : 'In stock';
    card.stock.dataset.level = soldOut ? 'out' : variant.stock <= 3 ? 'low' : 'ok';
    card.inCart.hidden = quantity === 0;
    card.inCart.textContent = quantity ? `${quantity} in your cart` : '';
    const busy = state.busyVariants.has(variant.id);
    card.add.disabled = busy || soldOut || quantity >= variant.stock;
    card.add.textContent = soldOut ? 'Sold out' : 'Add to cart';
    card.remove.disabled = busy || quantity === 0;
    card.root.setAttribute('aria-busy', busy ? 'true' : 'false');
  }
}

function highlightProductFromPath({ scroll }) {
  const notice = $('product-notice');
  for (const card of productCards.values()) card.root.classList.remove('is-highlighted');
  const handle = productHandleFromPath();
  if (!handle) {
    notice.hidden = true;
    return;
  }
  const wanted = `/store/products/${handle}`;
  const product = state.products.find((p) => {
    const path = productPath(p);
    return path === wanted || path === `/store/products/${encodeURIComponent(handle)}`;
  });
  const card = product && productCards.get(product.id);
  if (!card) {
    notice.textContent = "That product isn't in the online store any more — have a look at the rest of the collection.";
    notice.hidden = false;
    return;
  }
  notice.hidden = true;
  card.root.classList.add('is-highlighted');
  document.title = `${product.title} — Nordlys Studio`;
  if (scroll) {
    const smooth = !matchMedia('(prefers-reduced-motion: reduce)').matches;
    card.root.scrollIntoView({ behavior: smooth ? 'smooth' : 'auto', block: 'center' });
    card.root.focus({ preventScroll: true });
  }
}

/** Product links stay on this page: highlight the card instead of reloading (the chat stays open). */
function onProductLink(event) {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const link = event.currentTarget;
  let url;
  try {
    url = new URL(link.href);
  } catch {
    return;
  }
  if (url.origin !== location.origin || !/^\/store\/products\/[^/]+\/?$/.test(url.pathname)) return;
  event.preventDefault();
  if (url.pathname !== location.pathname) history.pushState(null, '', url.pathname);
  highlightProductFromPath({ scroll: true });
}

// ---------------------------------------------------------------------------------------------
// The cart

function setCart(cart) {
  // Responses and stream events can cross; keep the newest state the shop told us about.
  if (cart && state.cart && typeof cart.updated_at === 'number' && cart.updated_at < state.cart.updated_at) return;
  state.cart = cart ?? null;
  renderCart();
  refreshProductCards();
  chat?.refreshDiscountCards();
}

/**
 * Applies what the cart endpoint answered: a `Cart`, or (as the server has it now) the
 * `CartEvent` it recorded, after which the cart itself is fetched again.
 */
async function acceptCartAnswer(session, answer) {
  if (state.session !== session || !answer) return;
  if (Array.isArray(answer.lines)) {
    setCart(answer);
    return;
  }
  if (typeof answer.action === 'string') chat.addCartEvent(answer, { live: true });
  await chat.loadTranscript(session);
}

async function changeCart(product, action) {
  const variant = variantOf(product);
  if (!variant) return;
  if (!state.session) {
    if (action === 'added') {
      state.pendingAdd = { productId: product.id, variantId: variant.id };
      chat.open({ reason: `To add ${product.title} to your cart, start a chat first: the shop keeps your cart with your chat, so our team can see it and help.` });
    }
    return;
  }
  const session = state.session;
  state.busyVariants.add(variant.id);
  refreshProductCards();
  try {
    const answer = await api(`/storefront/conversations/${session.conversation_id}/cart`, {
      method: 'POST',
      token: session.token,
      idempotencyKey: newKey(),
      body: { variant_id: variant.id, action, quantity: 1 },
    });
    if (state.session !== session) return;
    await acceptCartAnswer(session, answer);
    const title = product.variants.length > 1 ? `${product.title} (${variant.title})` : product.title;
    toast(action === 'added' ? `Added ${title} to your cart.` : `Removed ${title} from your cart.`);
  } catch (error) {
    if (error instanceof ApiError && error.sessionEnded) chat.endSession();
    else toast(error instanceof ApiError ? error.friendly : 'Something went wrong. Please try again.', 'error');
  } finally {
    state.busyVariants.delete(variant.id);
    refreshProductCards();
  }
}

async function applyDiscount(code) {
  const session = state.session;
  if (!session) throw new ApiError('permanent', { detail: 'start a chat first' });
  let cart;
  try {
    cart = await api(`/storefront/conversations/${session.conversation_id}/discount`, {
      method: 'POST',
      token: session.token,
      idempotencyKey: newKey(),
      body: { code },
    });
  } catch (error) {
    if (error instanceof ApiError && error.code === 'not_found') {
      throw new ApiError('permanent', { status: 404, code: 'not_found', detail: "we don't recognise that code; check the spelling and try again" });
    }
    throw error;
  }
  if (state.session === session) setCart(cart);
  return cart;
}

/** The cart aside: a part redrawn on every change, and a discount form that keeps its input. */
const cartView = { summary: null, discount: null, applied: null, input: null, error: null };

function renderCart() {
  const body = $('cart-body');
  if (!body) return;
  if (!cartView.summary) {
    cartView.summary = el('div', { class: 'cart__summary' });
    cartView.applied = el('p', { class: 'cart__discount', hidden: true });
    cartView.discount = discountForm();
    body.replaceChildren(
      cartView.summary,
      cartView.applied,
      cartView.discount,
      el('p', { class: 'cart__fineprint muted', text: 'Shipping is worked out at checkout.' }),
    );
  }
  const cart = state.cart;
  const items = cart?.lines?.reduce((sum, line) => sum + line.quantity, 0) ?? 0;
  $('cart-count').textContent = String(items);
  $('cart-count').setAttribute('aria-label', `${items} ${items === 1 ? 'item' : 'items'}`);

  cartView.discount.hidden = !state.session;
  cartView.applied.hidden = !cart?.discount_code;
  if (cart?.discount_code) {
    cartView.applied.replaceChildren(el('span', { class: 'tag', text: cart.discount_code }), ' Discount applied at checkout');
  }

  if (!state.session) {
    cartView.summary.replaceChildren(
      el('p', { class: 'muted', text: 'Your cart is empty.' }),
      el('p', { class: 'cart__explain', text: 'Your cart lives with your chat: start one with your name and email, and our team can see what you pick and help you choose.' }),
      el('button', { class: 'button button--wide', type: 'button', text: 'Start a chat', onclick: () => chat.open() }),
    );
    return;
  }

  if (!cart || !cart.lines?.length) {
    cartView.summary.replaceChildren(el('p', { class: 'muted', text: 'Your cart is empty. Add something you like from the collection.' }));
    return;
  }
  const list = el('ul', { class: 'cart__lines' });
  for (const line of cart.lines) {
    const product = state.products.find((p) => p.id === line.product_id);
    const lineTotal = { minor: line.unit_price.minor * line.quantity, currency: line.unit_price.currency };
    const remove = el('button', {
      class: 'link-button',
      type: 'button',
      text: 'Remove one',
      'aria-label': `Remove one ${line.product_name}`,
    });
    remove.addEventListener('click', () => removeLine(line));
    list.append(
      el('li', { class: 'cart-line' }, [
        productImage(product?.image_url, '', 'cart-line__image', line.product_name),
        el('div', { class: 'cart-line__info' }, [
          el('p', { class: 'cart-line__name', text: line.product_name }),
          line.options?.length ? el('p', { class: 'cart-line__options', text: line.options.join(' · ') }) : null,
          el('p', { class: 'cart-line__qty', text: `${line.quantity} × ${formatMoney(line.unit_price)}` }),
          remove,
        ]),
        el('p', { class: 'cart-line__total', text: formatMoney(lineTotal) }),
      ]),
    );
  }
  cartView.summary.replaceChildren(
    list,
    el('dl', { class: 'cart__totals' }, [el('dt', { text: 'Subtotal' }), el('dd', { text: formatMoney(cart.subtotal) })]),
  );
}

function discountForm() {
  const input = el('input', { id: 'discount-code', class: 'input', type: 'text', maxlength: '100', autocomplete: 'off', spellcheck: 'false' });
  const error = el('p', { class: 'form-error', id: 'discount-error', role: 'alert', hidden: true });
  const submit = el('button', { class: 'button', type: 'submit', text: 'Apply' });
  const form = el('form', { class: 'discount-form' }, [
    el('label', { for: 'discount-code', text: 'Have a discount code?' }),
    el('div', { class: 'discount-form__row' }, [input, submit]),
    error,
  ]);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const code = input.value.trim();
    if (!code) {
      error.textContent = 'Enter a code first.';
      error.hidden = false;
      input.focus();
      return;
    }
    submit.disabled = true;
    error.hidden = true;
    try {
      await applyDiscount(code);
      input.value = '';
      toast('Discount applied at checkout.');
    } catch (err) {
      if (err instanceof ApiError && err.sessionEnded) {
        chat.endSession();
        return;
      }
      error.textContent = err instanceof ApiError ? err.friendly : 'Something went wrong. Please try again.';
      error.hidden = false;
      input.focus();
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

async function removeLine(line) {
  const product = state.products.find((p) => p.id === line.product_id);
  if (product) {
    state.selected.set(product.id, line.variant_id);
    refreshProductCards();
    await changeCart(product, 'removed');
    return;
  }
  // A product no longer on the online store can still be taken out of the cart.
  const session = state.session;
  if (!session) return;
  try {
    const answer = await api(`/storefront/conversations/${session.conversation_id}/cart`, {
      method: 'POST',
      token: session.token,
      idempotencyKey: newKey(),
      body: { variant_id: line.variant_id, action: 'removed', quantity: 1 },
    });
    await acceptCartAnswer(session, answer);
  } catch (error) {
    toast(error instanceof ApiError ? error.friendly : 'Something went wrong. Please try again.', 'error');
  }
}

// ---------------------------------------------------------------------------------------------
// The chat widget

class ChatWidget {
  constructor() {
    this.panel = $('chat-panel');
    this.bubble = $('chat-bubble');
    this.log = $('chat-log');
    this.textarea = $('composer-text');
    /** Timeline entries, sorted: {key, sort: [time, rank, id], node}. */
    this.entries = [];
    this.byKey = new Map();
    this.discountCards = new Set();
    this.queue = [];
    this.sending = false;
    this.stream = null;
    this.live = false;
    this.localSeq = 0;
    this.lastSeenId = 0;
    this.maxStaffId = 0;
  }

  init() {
    this.bubble.addEventListener('click', () => (this.panel.hidden ? this.open() : this.close()));
    $('chat-close').addEventListener('click', () => this.close());
    this.panel.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') this.close();
    });
    $('chat-start-form').addEventListener('submit', (event) => this.onStart(event));
    $('composer').addEventListener('submit', (event) => {
      event.preventDefault();
      this.submitDraft();
    });
    this.textarea.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submitDraft();
      }
    });
    this.textarea.addEventListener('input', () => this.autosize());
    $('chat-reset').addEventListener('click', () => this.startOver());
    $('chat-verify-send').addEventListener('click', () => this.sendCode());
    $('chat-verify-form').addEventListener('submit', (event) => this.confirmCode(event));
    document.addEventListener('visibilitychange', () => this.markSeen());
    window.addEventListener('storage', (event) => {
      if (event.key !== SESSION_KEY) return;
      const other = readSession();
      if (!other && state.session) this.endSession({ quiet: true });
      else if (other && (!state.session || other.token !== state.session.token)) this.useSession(other);
    });
    // Closing the page must close the stream so the shop sees the customer leave; a page
    // restored from the back/forward cache opens it again.
    window.addEventListener('pagehide', () => this.stream?.stop());
    window.addEventListener('pageshow', (event) => {
      if (event.persisted && state.session && this.stream) {
        this.stream.start();
        this.loadTranscript(state.session);
      }
    });

    const session = readSession();
    if (session) this.useSession(session);
    else this.showStart();
    if (panelWasOpen()) this.open({ focus: false });
  }

  // ---- Panel

  open({ reason = '', focus = true } = {}) {
    this.panel.hidden = false;
    this.bubble.setAttribute('aria-expanded', 'true');
    document.body.classList.add('chat-open');
    rememberPanelOpen(true);
    const reasonBox = $('chat-start-reason');
    if (!reason) state.pendingAdd = null;
    reasonBox.textContent = reason;
    reasonBox.hidden = !reason || Boolean(state.session);
    if (!state.session) {
      if (focus) ($('chat-name').value ? $('chat-email') : $('chat-name')).focus();
    } else {
      this.scrollToEnd(true);
      if (focus) this.textarea.focus();
    }
    this.markSeen();
  }

  close() {
    this.panel.hidden = true;
    this.bubble.setAttribute('aria-expanded', 'false');
    document.body.classList.remove('chat-open');
    rememberPanelOpen(false);
    this.bubble.focus();
  }

  get visible() {
    return !this.panel.hidden && document.visibilityState === 'visible';
  }

  showStart() {
    $('chat-start').hidden = false;
    $('chat-conversation').hidden = true;
    $('chat-status').textContent = 'A real person replies, usually within minutes';
    this.bubble.classList.remove('is-live');
  }

  // ---- Starting and ending

  async onStart(event) {
    event.preventDefault();
    const name = $('chat-name');
    const email = $('chat-email');
    const error = $('chat-start-error');
    const submit = $('chat-start-submit');
    error.hidden = true;
    name.removeAttribute('aria-invalid');
    email.removeAttribute('aria-invalid');
    if (!name.value.trim()) {
      return this.startError(name, 'Please tell us your name.');
    }
    if (!email.value.trim() || !email.checkValidity()) {
      return this.startError(email, 'Please enter an email address we can reply to, like anna@example.com.');
    }
    submit.disabled = true;
    submit.textContent = 'Starting…';
    try {
      const session = await api('/storefront/chats', {
        method: 'POST',
        idempotencyKey: newKey(),
        body: { name: name.value.trim(), email: email.value.trim(), platform: 'online_store' },
      });
      const stored = { ...session, name: name.value.trim(), email: email.value.trim() };
      writeSession(stored);
      await this.useSession(stored);
      this.textarea.focus();
      const pending = state.pendingAdd;
      state.pendingAdd = null;
      const product = pending && state.products.find((p) => p.id === pending.productId);
      if (product) {
        state.selected.set(product.id, pending.variantId);
        await changeCart(product, 'added');
      }
    } catch (err) {
      this.startError(null, err instanceof ApiError ? err.friendly : 'Something went wrong. Please try again.');
    } finally {
      submit.disabled = false;
      submit.textContent = 'Start chat';
    }
  }

  startError(field, message) {
    const error = $('chat-start-error');
    error.textContent = message;
    error.hidden = false;
    if (field) {
      field.setAttribute('aria-invalid', 'true');
      field.focus();
    }
  }

  async useSession(session) {
    this.stream?.stop();
    this.resetTimeline();
    state.session = session;
    state.cart = null;
    this.lastSeenId = Number(session.last_seen_id) || 0;
    $('chat-start').hidden = true;
    $('chat-conversation').hidden = false;
    $('chat-start-reason').hidden = true;
    const first = String(session.name ?? '').split(/\s+/)[0];
    $('chat-welcome').textContent = `Hi${first ? ` ${first}` : ''}! Ask us anything — sizes, materials, delivery or gift ideas. A real person from our team answers here.`;
    $('chat-who').textContent = session.email ? `Chatting as ${session.name || session.email} (${session.email}).` : '';
    this.setLive(false, true);
    this.showVerify(session);
    renderCart();
    refreshProductCards();

    this.stream = new ChatStream(session, {
      onOpen: () => {
        this.setLive(true);
        // Whatever happened while we were away (or before the stream opened) comes from here.
        this.loadTranscript(session);
      },
      onEvent: (event) => this.onStreamEvent(session, event),
      onDown: () => this.setLive(false),
      onFatal: (error) => {
        if (error.sessionEnded) this.endSession();
        else this.showError(`Live updates stopped: ${error.friendly} Reload the page to try again.`);
      },
    });
    // First paint from the transcript, without waiting for the stream.
    await this.loadTranscript(session);
    if (state.session === session) this.stream.start();
  }

  async loadTranscript(session) {
    try {
      const transcript = await api(`/storefront/conversations/${session.conversation_id}`, { token: session.token });
      if (state.session !== session) return;
      for (const message of transcript.messages ?? []) this.addMessage(message);
      for (const cartEvent of transcript.cart_events ?? []) this.addCartEvent(cartEvent);
      setCart(transcript.cart ?? null);
      this.hideError();
      this.updateUnread();
      this.scrollToEnd(true);
    } catch (error) {
      if (state.session !== session) return;
      if (error instanceof ApiError && error.sessionEnded) this.endSession();
      else this.showError(error instanceof ApiError ? error.friendly : 'We could not load your chat.');
    }
  }

  onStreamEvent(session, event) {
    if (state.session !== session || !event || typeof event !== 'object') return;
    switch (event.event) {
      case 'message':
        this.addMessage(event.data, { live: true });
        break;
      case 'cart_event':
        this.addCartEvent(event.data, { live: true });
        break;
      case 'cart':
        setCart(event.data);
        break;
      default:
        break; // newer servers may send more; ignore what we don't know
    }
  }

  // ---- Proving the email

  /** An email typed at chat start is only a claim: until the customer types the code we email
   * them, the chat sees only the cart it made itself. */
  showVerify(session) {
    const box = $('chat-verify');
    box.hidden = session.email_verified !== false;
    $('chat-verify-form').hidden = true;
    $('chat-verify-error').hidden = true;
    $('chat-verify-send').hidden = false;
  }

  verifyError(error) {
    const box = $('chat-verify-error');
    box.textContent = error instanceof ApiError ? error.friendly : 'Something went wrong. Please try again.';
    box.hidden = false;
  }

  async sendCode() {
    const session = state.session;
    if (!session) return;
    $('chat-verify-error').hidden = true;
    const button = $('chat-verify-send');
    button.disabled = true;
    try {
      const sent = await api(`/storefront/conversations/${session.conversation_id}/verification`, {
        method: 'POST',
        token: session.token,
      });
      $('chat-verify-text').textContent = `We sent a code to ${sent.to}. It works for 15 minutes.`;
      button.textContent = 'Send another code';
      $('chat-verify-form').hidden = false;
      $('chat-verify-code').focus();
    } catch (error) {
      if (error instanceof ApiError && error.sessionEnded) this.endSession();
      else this.verifyError(error);
    } finally {
      button.disabled = false;
    }
  }

  async confirmCode(event) {
    event.preventDefault();
    const session = state.session;
    const input = $('chat-verify-code');
    if (!session || !input.value.trim()) return input.focus();
    $('chat-verify-error').hidden = true;
    const submit = $('chat-verify-submit');
    submit.disabled = true;
    try {
      const identity = await api(`/storefront/conversations/${session.conversation_id}/verification/confirm`, {
        method: 'POST',
        token: session.token,
        body: { code: input.value.trim() },
      });
      const proven = { ...session, customer_id: identity.customer_id, email_verified: true };
      writeSession(proven);
      state.session = proven;
      input.value = '';
      $('chat-verify').hidden = true;
      toast('Email confirmed — your cart is here now.');
      await this.useSession(proven);
    } catch (error) {
      if (error instanceof ApiError && error.sessionEnded) this.endSession();
      else this.verifyError(error);
    } finally {
      submit.disabled = false;
    }
  }

  /** Leaves the chat on this device and ends its session at the shop (a shared computer's next
   * visitor can't pick it up); the conversation itself stays with the shop. */
  startOver() {
    const session = state.session;
    const email = session?.email ?? '';
    if (session) {
      api('/storefront/session', { method: 'DELETE', token: session.token }).catch(() => {
        // Offline or already ended: the token is forgotten here either way and expires.
      });
    }
    this.endSession({ quiet: true });
    $('chat-name').value = '';
    $('chat-email').value = '';
    $('chat-start-intro').textContent = email
      ? `You've left the chat as ${email} on this device. Start a new one below.`
      : 'Tell us who you are and ask away.';
    $('chat-name').focus();
  }

  /** Called when the token stops working, or to sign out of the chat here. */
  endSession({ quiet = false } = {}) {
    this.stream?.stop();
    this.stream = null;
    state.session = null;
    state.cart = null;
    state.pendingAdd = null;
    writeSession(null);
    this.resetTimeline();
    this.setUnread(0);
    this.showStart();
    renderCart();
    refreshProductCards();
    if (!quiet) {
      $('chat-start-intro').textContent = 'Your chat session has ended. Start a new one and we will pick up from there.';
      toast('Your chat session has ended — start a new chat to continue.', 'error');
    }
  }

  setLive(live, initial = false) {
    this.live = live;
    const note = $('chat-note');
    const email = state.session?.email;
    const replyTo = email ? ` (${email})` : '';
    if (live) {
      note.textContent = `You're chatting live. If you leave, we'll reply to your email${replyTo}.`;
      note.dataset.tone = 'live';
      $('chat-status').textContent = 'Online · we usually reply within minutes';
    } else {
      note.textContent = initial
        ? `Connecting… If you leave, we'll reply to your email${replyTo}.`
        : `Reconnecting… Until then, our replies go to your email${replyTo}.`;
      note.dataset.tone = initial ? 'live' : 'warn';
      $('chat-status').textContent = initial ? 'Connecting…' : 'Reconnecting…';
    }
    this.bubble.classList.toggle('is-live', live);
  }

  showError(message) {
    const box = $('chat-error');
    box.textContent = message;
    box.hidden = false;
  }

  hideError() {
    $('chat-error').hidden = true;
  }

  // ---- The timeline

  resetTimeline() {
    for (const entry of this.entries) entry.node.remove();
    this.entries = [];
    this.byKey.clear();
    this.discountCards.clear();
    this.queue = [];
    this.maxStaffId = 0;
  }

  nearBottom() {
    return this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 80;
  }

  scrollToEnd(force = false) {
    if (force || this.nearBottom()) this.log.scrollTop = this.log.scrollHeight;
  }

  /** Puts a node into the timeline in time order; replaces an entry with the same key. */
  place(key, sort, node) {
    const stick = this.nearBottom();
    const existing = this.byKey.get(key);
    if (existing) {
      existing.node.replaceWith(node);
      existing.node = node;
      return;
    }
    const entry = { key, sort, node };
    let index = this.entries.length;
    while (index > 0 && compareSort(this.entries[index - 1].sort, sort) > 0) index--;
    const after = this.entries[index];
    if (after) this.log.insertBefore(node, after.node);
    else this.log.append(node);
    this.entries.splice(index, 0, entry);
    this.byKey.set(key, entry);
    if (stick) this.scrollToEnd(true);
  }

  remove(key) {
    const entry = this.byKey.get(key);
    if (!entry) return;
    entry.node.remove();
    this.byKey.delete(key);
    this.entries.splice(this.entries.indexOf(entry), 1);
  }

  addMessage(message, { live = false } = {}) {
    if (!message || typeof message.id !== 'number') return;
    const key = `m:${message.id}`;
    if (this.byKey.has(key)) return;
    const fromCustomer = message.author?.kind === 'customer';
    // Our own send may come back on the stream before the POST answers: drop its local echo.
    if (fromCustomer && live && message.body?.type === 'text') {
      const echo = this.queue.find((p) => p.state === 'sending' && !p.echoed && p.text === message.body.text);
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

  addCartEvent(cartEvent, { live = false } = {}) {
    if (!cartEvent || typeof cartEvent.id !== 'number') return;
    const key = `c:${cartEvent.id}`;
    if (this.byKey.has(key)) return;
    const added = cartEvent.action === 'added';
    const name = cartEvent.product_name;
    const quantity = cartEvent.quantity > 1 ? `${cartEvent.quantity} × ` : '';
    const what = name ? `${quantity}${name}` : cartEvent.quantity > 1 ? `${cartEvent.quantity} products` : 'a product';
    const text = added ? `You added ${what} to your cart` : `You removed ${what} from your cart`;
    const node = el('div', { class: 'chat-event', dataset: { action: cartEvent.action } }, [
      el('span', { class: 'chat-event__icon', 'aria-hidden': 'true', text: added ? '+' : '−' }),
      el('span', { text }),
      el('time', { class: 'chat-event__time', datetime: new Date(cartEvent.created_at).toISOString(), text: formatTime(cartEvent.created_at) }),
    ]);
    this.place(key, [cartEvent.created_at, 1, cartEvent.id], node);
    if (live) this.scrollToEnd();
  }

  messageNode(message) {
    const fromCustomer = message.author?.kind === 'customer';
    const body = message.body ?? {};
    const bubble = el('div', { class: 'msg__bubble' });
    const content = [];

    switch (body.type) {
      case 'text':
        content.push(el('p', { class: 'msg__text', text: body.text ?? '' }));
        break;
      case 'products':
        if (body.text) content.push(el('p', { class: 'msg__text', text: body.text }));
        content.push(el('div', { class: 'msg__products' }, (body.products ?? []).map((card) => this.productCardNode(card))));
        break;
      case 'discount':
        content.push(this.discountNode(body.discount ?? {}));
        break;
      case 'attachment':
        content.push(this.attachmentNode(body.attachment ?? {}));
        if (body.text) content.push(el('p', { class: 'msg__text', text: body.text }));
        break;
      default:
        content.push(el('p', { class: 'msg__text muted', text: 'This message can’t be shown here.' }));
    }
    bubble.append(...content);

    const meta = el('p', { class: 'msg__meta' }, [
      el('time', { datetime: new Date(message.created_at).toISOString(), title: dateTimeFormat.format(new Date(message.created_at)), text: formatTime(message.created_at) }),
      message.delivery?.via === 'email' ? el('span', { class: 'msg__via', text: ' · also sent to your email' }) : null,
    ]);

    return el('div', { class: `msg ${fromCustomer ? 'msg--customer' : 'msg--staff'}`, dataset: { messageId: String(message.id) } }, [
      el('span', { class: 'visually-hidden', text: fromCustomer ? 'You wrote:' : 'Nordlys Studio wrote:' }),
      fromCustomer ? null : el('span', { class: 'msg__avatar', 'aria-hidden': 'true', text: 'N' }),
      el('div', { class: 'msg__col' }, [bubble, meta]),
    ]);
  }

  productCardNode(card) {
    const href = safeUrl(card.url);
    const inner = [
      productImage(card.image_url, '', 'chat-product__image', card.title),
      el('span', { class: 'chat-product__info' }, [
        el('span', { class: 'chat-product__title', text: card.title ?? 'Product' }),
        el('span', { class: 'chat-product__price', text: formatMoney(card.price) }),
        href ? el('span', { class: 'chat-product__cta', text: 'View product →' }) : null,
      ]),
    ];
    return href
      ? el('a', { class: 'chat-product', href, onclick: onProductLink }, inner)
      : el('div', { class: 'chat-product' }, inner);
  }

  discountNode(discount) {
    const code = String(discount.code ?? '');
    const button = el('button', { class: 'discount-card__code', type: 'button', text: code });
    const status = el('p', { class: 'discount-card__status', role: 'status' });
    const card = el('div', { class: 'discount-card' }, [
      el('p', { class: 'discount-card__label', text: 'A discount for you' }),
      discount.summary ? el('p', { class: 'discount-card__summary', text: discount.summary }) : null,
      button,
      status,
    ]);
    card.dataset.code = code;
    const record = { card, button, status, code, error: '' };
    this.discountCards.add(record);
    button.addEventListener('click', async () => {
      record.error = '';
      button.disabled = true;
      status.textContent = 'Applying…';
      try {
        await applyDiscount(code);
      } catch (error) {
        if (error instanceof ApiError && error.sessionEnded) {
          this.endSession();
          return;
        }
        record.error = error instanceof ApiError ? error.friendly : 'Something went wrong. Please try again.';
      } finally {
        button.disabled = false;
        this.refreshDiscountCard(record);
      }
    });
    this.refreshDiscountCard(record);
    return card;
  }

  refreshDiscountCards() {
    for (const record of this.discountCards) this.refreshDiscountCard(record);
  }

  refreshDiscountCard(record) {
    const applied = Boolean(state.cart?.discount_code) && state.cart.discount_code.toLowerCase() === record.code.toLowerCase();
    record.card.classList.toggle('is-applied', applied);
    record.card.classList.toggle('is-error', Boolean(record.error) && !applied);
    record.button.setAttribute('aria-label', applied ? `Discount code ${record.code}, applied` : `Apply discount code ${record.code} to your cart`);
    record.status.textContent = applied ? '✓ Discount applied at checkout' : record.error || 'Click the code to apply it to your cart';
  }

  attachmentNode(attachment) {
    const src = safeUrl(attachment.url);
    if (!src) return el('p', { class: 'msg__text muted', text: 'An attachment that can’t be shown here.' });
    if (attachment.kind === 'video') {
      const video = el('video', { class: 'msg__media', src, controls: true, preload: 'metadata', playsInline: true });
      video.append(el('a', { href: src, text: 'Download the video' }));
      return video;
    }
    const image = el('img', { class: 'msg__media', src, alt: 'Image from the shop', loading: 'lazy', decoding: 'async' });
    if (attachment.width && attachment.height) {
      image.width = attachment.width;
      image.height = attachment.height;
    }
    return el('a', { class: 'msg__media-link', href: src, target: '_blank', rel: 'noopener', 'aria-label': 'Open the image in a new tab' }, image);
  }

  // ---- Unread badge

  markSeen() {
    this.updateUnread();
  }

  /** Staff replies newer than the last one seen with the panel open count as unread. */
  updateUnread() {
    if (!state.session) return this.setUnread(0);
    if (this.visible) {
      if (this.maxStaffId > this.lastSeenId) {
        this.lastSeenId = this.maxStaffId;
        state.session.last_seen_id = this.lastSeenId;
        writeSession(state.session);
      }
      return this.setUnread(0);
    }
    let unread = 0;
    for (const entry of this.entries) {
      const id = Number(entry.key.slice(2));
      if (entry.key.startsWith('m:') && entry.node.classList.contains('msg--staff') && id > this.lastSeenId) unread++;
    }
    this.setUnread(unread);
  }

  setUnread(count) {
    const badge = $('chat-unread');
    badge.hidden = count === 0;
    badge.textContent = count > 9 ? '9+' : String(count);
    this.bubble.setAttribute('aria-label', count ? `Chat with us, ${count} new ${count === 1 ? 'reply' : 'replies'}` : 'Chat with us');
  }

  // ---- Sending

  autosize() {
    const t = this.textarea;
    t.style.height = 'auto';
    t.style.height = `${Math.min(t.scrollHeight, 140)}px`;
  }

  submitDraft() {
    const text = this.textarea.value.trim();
    if (!text || !state.session) return;
    if ([...text].length > MAX_TEXT_CHARS) {
      this.showError(`Messages can be up to ${MAX_TEXT_CHARS} characters long.`);
      return;
    }
    this.hideError();
    this.textarea.value = '';
    this.autosize();
    const pending = {
      key: `p:${++this.localSeq}`,
      text,
      idempotencyKey: newKey(),
      session: state.session,
      state: 'sending',
      attempts: 0,
      echoed: false,
    };
    this.queue.push(pending);
    this.renderPending(pending);
    this.drain();
  }

  renderPending(pending) {
    const status =
      pending.state === 'failed'
        ? el('span', { class: 'msg__failed' }, [
            'Not sent. ',
            el('button', { class: 'link-button', type: 'button', text: 'Retry', onclick: () => this.retry(pending) }),
          ])
        : el('span', { text: 'Sending…' });
    const node = el('div', { class: `msg msg--customer msg--pending${pending.state === 'failed' ? ' is-failed' : ''}` }, [
      el('span', { class: 'visually-hidden', text: 'You wrote:' }),
      el('div', { class: 'msg__col' }, [
        el('div', { class: 'msg__bubble' }, el('p', { class: 'msg__text', text: pending.text })),
        el('p', { class: 'msg__meta' }, status),
      ]),
    ]);
    this.place(pending.key, [Number.MAX_SAFE_INTEGER, 2, Number(pending.key.slice(2))], node);
  }

  retry(pending) {
    pending.state = 'sending';
    pending.attempts = 0;
    this.renderPending(pending);
    this.drain();
  }

  /** Sends queued messages one at a time, in order, so they reach the shop as typed. */
  async drain() {
    if (this.sending) return;
    this.sending = true;
    try {
      while (this.queue.length) {
        const pending = this.queue.find((p) => p.state === 'sending');
        if (!pending) break;
        const session = pending.session;
        if (session !== state.session) {
          this.queue.splice(this.queue.indexOf(pending), 1);
          continue;
        }
        try {
          const message = await api(`/storefront/conversations/${session.conversation_id}/messages`, {
            method: 'POST',
            token: session.token,
            idempotencyKey: pending.idempotencyKey,
            body: { text: pending.text },
          });
          this.queue.splice(this.queue.indexOf(pending), 1);
          this.remove(pending.key);
          if (state.session === session) this.addMessage(message);
        } catch (caught) {
          const error = caught instanceof ApiError ? caught : new ApiError('transient', { detail: String(caught?.message ?? caught) });
          if (error.sessionEnded) {
            this.endSession();
            this.textarea.value = pending.text;
            return;
          }
          if (error.kind === 'permanent') {
            // The shop will never take this one: give the words back so nothing is lost.
            this.queue.splice(this.queue.indexOf(pending), 1);
            this.remove(pending.key);
            if (!this.textarea.value.trim()) this.textarea.value = pending.text;
            this.autosize();
            this.showError(error.friendly);
            continue;
          }
          pending.attempts++;
          if (pending.echoed) {
            // The stream already showed it arrived; the shop has it.
            this.queue.splice(this.queue.indexOf(pending), 1);
            continue;
          }
          if (pending.attempts >= 4) {
            // Same Idempotency-Key on a manual retry: the shop never stores it twice.
            pending.state = 'failed';
            this.renderPending(pending);
            this.showError(error.friendly);
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

function compareSort(a, b) {
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}

/** @type {ChatWidget|null} */
let chat = null;

function bootStore() {
  chat = new ChatWidget();
  chat.init();
  renderCart();
  loadProducts();
  window.addEventListener('popstate', () => highlightProductFromPath({ scroll: true }));
}

// ---------------------------------------------------------------------------------------------
// The demo outbox page

function bootOutbox() {
  const list = $('outbox-list');
  const status = $('outbox-status');
  let lastSignature = '';
  let timer = 0;

  const render = (emails) => {
    const sorted = [...emails].sort((a, b) => b.created_at - a.created_at || b.id - a.id);
    const signature = JSON.stringify(sorted.map((e) => [e.id, e.sent_at]));
    if (signature === lastSignature) return;
    lastSignature = signature;
    if (!sorted.length) {
      list.replaceChildren(el('p', { class: 'empty-state', text: 'No emails yet. When a customer leaves the chat and staff reply, the email shows up here.' }));
      return;
    }
    list.replaceChildren(
      ...sorted.map((email) =>
        el('article', { class: 'email', 'aria-labelledby': `email-${email.id}-subject` }, [
          el('header', { class: 'email__head' }, [
            el('h2', { class: 'email__subject', id: `email-${email.id}-subject`, text: email.subject || '(no subject)' }),
            el('span', {
              class: `tag ${email.sent_at ? 'tag--ok' : 'tag--muted'}`,
              text: email.sent_at ? `Sent ${formatTime(email.sent_at)}` : 'Kept in outbox (no SMTP server)',
            }),
          ]),
          el('dl', { class: 'email__meta' }, [
            el('dt', { text: 'To' }),
            el('dd', { text: email.to }),
            el('dt', { text: 'Written' }),
            el('dd', {}, el('time', { datetime: new Date(email.created_at).toISOString(), text: dateTimeFormat.format(new Date(email.created_at)) })),
          ]),
          el('pre', { class: 'email__body', text: email.body }),
        ]),
      ),
    );
  };

  const refresh = async () => {
    clearTimeout(timer);
    try {
      const outbox = await api('/demo/outbox');
      render(Array.isArray(outbox?.emails) ? outbox.emails : []);
      const count = outbox?.emails?.length ?? 0;
      status.textContent = `${count} ${count === 1 ? 'email' : 'emails'} · updated ${timeFormat.format(new Date())}`;
      status.dataset.tone = '';
    } catch (error) {
      status.textContent = error instanceof ApiError ? error.friendly : 'Could not load the outbox.';
      status.dataset.tone = 'error';
    }
    if (document.visibilityState === 'visible') timer = setTimeout(refresh, 4000);
  };

  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') refresh();
    else clearTimeout(timer);
  });
  $('outbox-refresh')?.addEventListener('click', refresh);
  refresh();
}

// ---------------------------------------------------------------------------------------------

if (document.body.dataset.page === 'outbox') bootOutbox();
else bootStore();
