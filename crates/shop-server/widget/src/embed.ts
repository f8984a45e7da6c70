// The script a shop embeds (`widget.js`): reads its settings from its own <script> tag, mounts
// the chat widget at the end of <body>, and offers the page a small API as `window.NordlysChat`
// plus DOM events on `window` (see README "Embedding the chat widget"):
//
//   nordlys-chat:ready    detail: the API            once the widget is mounted
//   nordlys-chat:cart     detail: { cart }           whenever the chat's cart changes
//   nordlys-chat:session  detail: { active, email }  a chat started or ended
//   nordlys-chat:product  detail: { url }            a shared product was clicked (cancelable)

import { Api } from './api';
import { dictionaries, pickLang } from './i18n';
import { storageOf } from './session';
import type {
  Cart,
  CartAction,
  CartEvent,
  CheckoutQuote,
  OrderConfirmation,
  PlaceOrder,
} from './types';
import { ChatWidget } from './widget';

export interface NordlysChatApi {
  readonly version: string;
  open(): void;
  close(): void;
  readonly cart: Cart | null;
  readonly session: { email: string; name: string; conversationId: number } | null;
  /** Adds or removes one of a variant (asks for a chat first when there is none). */
  changeCart(
    variantId: number,
    action: CartAction,
    productTitle?: string,
  ): Promise<CartEvent | null>;
  applyDiscount(code: string): Promise<Cart>;
  /** Takes the discount code off the cart. */
  removeDiscount(): Promise<Cart>;
  /** The cart priced by the shop for checkout, shipped `standard` or `express`. */
  quote(shipping: string): Promise<CheckoutQuote>;
  /** Pays (test mode) and places the order; retry with the same key after a lost answer. */
  placeOrder(order: PlaceOrder, idempotencyKey: string): Promise<OrderConfirmation>;
  /** The customer-facing words for an error these calls threw, in the widget's language. */
  describe(error: unknown): string;
}

declare global {
  interface Window {
    NordlysChat?: NordlysChatApi;
  }
}

function ownScript(): HTMLScriptElement | null {
  const current = document.currentScript;
  if (current instanceof HTMLScriptElement) return current;
  return document.querySelector<HTMLScriptElement>('script[src*="/widget.js"]');
}

function mount(script: HTMLScriptElement | null): void {
  if (window.NordlysChat) return; // embedded twice: one widget
  const src = script?.src ? new URL(script.src, location.href) : new URL(location.href);
  const origin = script?.dataset.shop ? new URL(script.dataset.shop).origin : src.origin;
  const lang = pickLang(navigator.languages ?? [navigator.language], script?.dataset.lang);
  const browser = navigator.language || lang;
  const locale = browser.toLowerCase().startsWith(lang) ? browser : lang === 'sv' ? 'sv-SE' : 'en';

  const host = document.createElement('div');
  host.id = 'nordlys-chat';
  host.lang = lang;
  document.body.append(host);
  const widget = new ChatWidget(host, {
    api: new Api(origin),
    words: dictionaries[lang],
    lang,
    locale,
    shopName: script?.dataset.shopName ?? '',
    local: storageOf('localStorage'),
    session: storageOf('sessionStorage'),
  });
  const fire = (name: string, detail: unknown) =>
    window.dispatchEvent(new CustomEvent(`nordlys-chat:${name}`, { detail }));
  widget.on('cart', (cart) => fire('cart', { cart }));
  widget.on('session', (session) => fire('session', session));

  const api: NordlysChatApi = {
    version: '1',
    open: () => widget.open(),
    close: () => widget.close(),
    get cart() {
      return widget.cart;
    },
    get session() {
      return widget.activeSession;
    },
    changeCart: (variantId, action, productTitle) =>
      widget.changeCart(variantId, action, productTitle),
    applyDiscount: (code) => widget.applyDiscount(code),
    removeDiscount: () => widget.removeDiscount(),
    quote: (shipping) => widget.quote(shipping),
    placeOrder: (order, key) => widget.placeOrder(order, key),
    describe: (error) => widget.describe(error),
  };
  window.NordlysChat = api;
  widget.start();
  fire('ready', api);
}

const script = ownScript();
if (document.body) mount(script);
else document.addEventListener('DOMContentLoaded', () => mount(script), { once: true });
