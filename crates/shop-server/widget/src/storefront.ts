// The reference storefront page (`/store`) and the demo outbox page (`/store/outbox`): the shop
// server's own site. It sits beside the embedded chat widget exactly as a shop's site would,
// talking to it only through `window.NordlysChat` and its events; nothing here is part of the
// script a shop embeds. Text from the shop goes on the page as text (dom.ts).

import { Api, ApiError, newKey } from './api';
import { el } from './dom';
import type { NordlysChatApi } from './embed';
import { formatMoney, formatTime, safeUrl } from './format';
import type {
  Cart,
  CartAction,
  CheckoutLine,
  CheckoutQuote,
  OrderConfirmation,
  Product,
  Variant,
} from './types';

const api = new Api(location.origin);
const LOCALE = navigator.languages?.[0] ?? navigator.language ?? 'en';
const $ = (id: string) => document.getElementById(id)!;
const money = (m: Parameters<typeof formatMoney>[0]) => formatMoney(m, LOCALE);

interface CardParts {
  root: HTMLElement;
  select: HTMLSelectElement | null;
  price: HTMLElement;
  stock: HTMLElement;
  add: HTMLButtonElement;
  remove: HTMLButtonElement;
  inCart: HTMLElement;
}

const state = {
  products: [] as Product[],
  selected: new Map<number, number>(),
  cart: null as Cart | null,
  chatting: false,
  busy: new Set<number>(),
};
const cards = new Map<number, CardParts>();
let chat: NordlysChatApi | null = null;

let toastTimer: ReturnType<typeof setTimeout> | undefined;
function toast(message: string, tone: 'info' | 'error' = 'info'): void {
  const box = $('toast');
  box.textContent = message;
  box.dataset.tone = tone;
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (box.hidden = true), tone === 'error' ? 7000 : 4000);
}

function describe(error: unknown): string {
  return (
    chat?.describe(error) ??
    (error instanceof Error ? error.message : 'Something went wrong. Please try again.')
  );
}

function variantOf(product: Product): Variant | null {
  const id = state.selected.get(product.id);
  return product.variants.find((v) => v.id === id) ?? product.variants[0] ?? null;
}

function cartQuantity(variantId: number): number {
  return state.cart?.lines?.find((line) => line.variant_id === variantId)?.quantity ?? 0;
}

// ---- Products

async function loadProducts(): Promise<void> {
  const grid = $('products');
  grid.setAttribute('aria-busy', 'true');
  try {
    const list = await api.call<{ products: Product[] }>('/storefront/products');
    state.products = (list?.products ?? []).filter((p) => p.online_store !== false);
    renderProducts();
    renderCart();
    highlightFromPath(true);
  } catch (error) {
    grid.replaceChildren(
      el('div', { class: 'empty-state' }, [
        el('p', { text: "We couldn't load the collection." }),
        el('p', { class: 'muted', text: describe(error) }),
        el('button', {
          class: 'button',
          type: 'button',
          text: 'Try again',
          onclick: () => void loadProducts(),
        }),
      ]),
    );
  } finally {
    grid.setAttribute('aria-busy', 'false');
  }
}

function renderProducts(): void {
  const grid = $('products');
  cards.clear();
  const count = state.products.length;
  $('products-count').textContent = count ? `${count} ${count === 1 ? 'piece' : 'pieces'}` : '';
  if (!count) {
    grid.replaceChildren(
      el('p', { class: 'empty-state', text: 'The shelves are being restocked — check back soon.' }),
    );
    return;
  }
  grid.replaceChildren(...state.products.map(productCard));
  refreshCards();
}

function productImage(
  url: string | null,
  alt: string,
  className: string,
  name: string,
): HTMLElement {
  const src = safeUrl(url, location.origin);
  if (!src)
    return el('div', {
      class: `${className} img-placeholder`,
      'aria-hidden': 'true',
      text: (name || '·').trim().charAt(0),
    });
  return el('img', { class: className, src, alt, loading: 'lazy', decoding: 'async' });
}

/** "Size", "Colour" or "Option", from the variants' `Name: Value` options. */
function variantLabel(product: Product): string {
  const names = new Set<string>();
  for (const v of product.variants)
    for (const option of v.options ?? []) names.add(String(option).split(':')[0].trim());
  return names.size === 1 ? [...names][0] : 'Option';
}

function productCard(product: Product): HTMLElement {
  const titleId = `product-${product.id}-title`;
  const root = el('article', {
    class: 'product-card',
    id: `product-${product.id}`,
    'aria-labelledby': titleId,
    tabindex: '-1',
  });
  const link = safeUrl(product.url, location.origin);
  const image = productImage(
    product.image_url,
    product.title,
    'product-card__image',
    product.title,
  );
  const media = link
    ? el(
        'a',
        {
          class: 'product-card__media',
          href: link,
          tabindex: '-1',
          'aria-hidden': 'true',
          onclick: onProductLink,
        },
        image,
      )
    : el('div', { class: 'product-card__media' }, image);
  const title = el(
    'h3',
    { class: 'product-card__title', id: titleId },
    link ? el('a', { href: link, onclick: onProductLink, text: product.title }) : product.title,
  );
  const price = el('p', { class: 'product-card__price' });
  const stock = el('p', { class: 'product-card__stock' });
  const inCart = el('p', { class: 'product-card__in-cart', hidden: true });

  let select: HTMLSelectElement | null = null;
  let picker: HTMLElement | null = null;
  if (product.variants.length > 1) {
    const selectId = `product-${product.id}-variant`;
    const options = product.variants.map((v) =>
      el('option', { value: String(v.id), text: v.stock > 0 ? v.title : `${v.title} — sold out` }),
    );
    const chosen = el('select', { id: selectId, class: 'select' }, options);
    chosen.addEventListener('change', () => {
      state.selected.set(product.id, Number(chosen.value));
      refreshCards();
    });
    select = chosen;
    picker = el('div', { class: 'field field--compact' }, [
      el('label', { for: selectId, text: variantLabel(product) }),
      chosen,
    ]);
  }
  const add = el('button', {
    class: 'button button--primary',
    type: 'button',
    text: 'Add to cart',
  });
  const remove = el('button', { class: 'button button--ghost', type: 'button', text: 'Remove' });
  add.addEventListener('click', () => void changeCart(product, 'added'));
  remove.addEventListener('click', () => void changeCart(product, 'removed'));
  root.append(
    media,
    el('div', { class: 'product-card__body' }, [
      title,
      price,
      product.description
        ? el('p', { class: 'product-card__desc', text: product.description })
        : null,
      picker,
      el('div', { class: 'product-card__meta' }, [stock, inCart]),
      el('div', { class: 'product-card__actions' }, [add, remove]),
    ]),
  );
  cards.set(product.id, { root, select, price, stock, add, remove, inCart });
  return root;
}

function refreshCards(): void {
  for (const product of state.products) {
    const card = cards.get(product.id);
    if (!card) continue;
    const variant = variantOf(product);
    if (!variant) {
      card.price.textContent = '';
      card.stock.textContent = 'Unavailable';
      card.add.disabled = card.remove.disabled = true;
      continue;
    }
    if (card.select && card.select.value !== String(variant.id))
      card.select.value = String(variant.id);
    card.price.textContent = money(variant.price);
    const quantity = cartQuantity(variant.id);
    const soldOut = variant.stock <= 0;
    card.stock.textContent = soldOut
      ? 'Sold out'
      : variant.stock <= 3
        ? `Only ${variant.stock} left`
        : 'In stock';
    card.stock.dataset.level = soldOut ? 'out' : variant.stock <= 3 ? 'low' : 'ok';
    card.inCart.hidden = quantity === 0;
    card.inCart.textContent = quantity ? `${quantity} in your cart` : '';
    const busy = state.busy.has(variant.id);
    card.add.disabled = busy || soldOut || quantity >= variant.stock;
    card.add.textContent = soldOut ? 'Sold out' : 'Add to cart';
    card.remove.disabled = busy || quantity === 0;
    card.root.setAttribute('aria-busy', busy ? 'true' : 'false');
  }
}

function productHandleFromPath(): string | null {
  const match = /^\/store\/products\/([^/]+)\/?$/.exec(location.pathname);
  if (!match) return null;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return match[1];
  }
}

function highlightFromPath(scroll: boolean): void {
  const notice = $('product-notice');
  for (const card of cards.values()) card.root.classList.remove('is-highlighted');
  const handle = productHandleFromPath();
  if (!handle) {
    notice.hidden = true;
    return;
  }
  const wanted = `/store/products/${encodeURIComponent(handle)}`;
  const product = state.products.find((p) => {
    try {
      return new URL(p.url, location.origin).pathname.replace(/\/$/, '') === wanted;
    } catch {
      return false;
    }
  });
  const card = product && cards.get(product.id);
  if (!product || !card) {
    notice.textContent =
      "That product isn't in the online store any more — have a look at the rest of the collection.";
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

/** Shows a product of this store on this page (the chat stays open); true when it did. */
function showProduct(href: string): boolean {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return false;
  }
  if (url.origin !== location.origin || !/^\/store\/products\/[^/]+\/?$/.test(url.pathname))
    return false;
  if (url.pathname !== location.pathname) history.pushState(null, '', url.pathname);
  highlightFromPath(true);
  return true;
}

function onProductLink(event: MouseEvent): void {
  if (
    event.defaultPrevented ||
    event.button !== 0 ||
    event.metaKey ||
    event.ctrlKey ||
    event.shiftKey ||
    event.altKey
  )
    return;
  if (showProduct((event.currentTarget as HTMLAnchorElement).href)) event.preventDefault();
}

// ---- The cart (it lives with the chat: the widget holds it, this page shows it)

async function changeCart(product: Product, action: CartAction): Promise<void> {
  const variant = variantOf(product);
  if (!variant || !chat) return;
  const title = product.variants.length > 1 ? `${product.title} (${variant.title})` : product.title;
  state.busy.add(variant.id);
  refreshCards();
  try {
    const event = await chat.changeCart(variant.id, action, title);
    if (event)
      toast(
        action === 'added' ? `Added ${title} to your cart.` : `Removed ${title} from your cart.`,
      );
  } catch (error) {
    toast(describe(error), 'error');
  } finally {
    state.busy.delete(variant.id);
    refreshCards();
  }
}

const cartView = {
  summary: null as HTMLElement | null,
  applied: null as HTMLElement | null,
  form: null as HTMLFormElement | null,
};

function renderCart(): void {
  const body = $('cart-body');
  if (!cartView.summary) {
    cartView.summary = el('div', { class: 'cart__summary' });
    cartView.applied = el('p', { class: 'cart__discount', id: 'cart-discount', hidden: true });
    cartView.form = discountForm();
    body.replaceChildren(
      cartView.summary,
      cartView.applied,
      cartView.form,
      el('p', { class: 'cart__fineprint muted', text: 'Shipping is worked out at checkout.' }),
    );
  }
  const cart = state.cart;
  const items = cart?.lines?.reduce((sum, line) => sum + line.quantity, 0) ?? 0;
  $('cart-count').textContent = String(items);
  $('cart-count').setAttribute('aria-label', `${items} ${items === 1 ? 'item' : 'items'}`);
  cartView.form!.hidden = !state.chatting;
  cartView.applied!.hidden = !cart?.discount_code;
  if (cart?.discount_code) {
    cartView.applied!.replaceChildren(
      el('span', { class: 'tag', text: cart.discount_code }),
      ' Discount code on your cart',
    );
  }
  if (!state.chatting) {
    cartView.summary.replaceChildren(
      el('p', { class: 'muted', text: 'Your cart is empty.' }),
      el('p', {
        class: 'cart__explain',
        text: 'Your cart lives with your chat: start one with your name and email, and our team can see what you pick and help you choose.',
      }),
      el('button', {
        class: 'button button--wide',
        type: 'button',
        text: 'Start a chat',
        onclick: () => chat?.open(),
      }),
    );
    return;
  }
  if (!cart || !cart.lines?.length) {
    cartView.summary.replaceChildren(
      el('p', {
        class: 'muted',
        text: 'Your cart is empty. Add something you like from the collection.',
      }),
    );
    return;
  }
  const list = el('ul', { class: 'cart__lines' });
  for (const line of cart.lines) {
    const product = state.products.find((p) => p.id === line.product_id);
    const remove = el('button', {
      class: 'link-button',
      type: 'button',
      text: 'Remove one',
      'aria-label': `Remove one ${line.product_name}`,
    });
    remove.addEventListener('click', () => void removeLine(line.variant_id, line.product_id));
    list.append(
      el('li', { class: 'cart-line' }, [
        productImage(product?.image_url ?? null, '', 'cart-line__image', line.product_name),
        el('div', { class: 'cart-line__info' }, [
          el('p', { class: 'cart-line__name', text: line.product_name }),
          line.options?.length
            ? el('p', { class: 'cart-line__options', text: line.options.join(' · ') })
            : null,
          el('p', {
            class: 'cart-line__qty',
            text: `${line.quantity} × ${money(line.unit_price)}`,
          }),
          remove,
        ]),
        el('p', {
          class: 'cart-line__total',
          text: money({
            minor: line.unit_price.minor * line.quantity,
            currency: line.unit_price.currency,
          }),
        }),
      ]),
    );
  }
  cartView.summary.replaceChildren(
    list,
    el('dl', { class: 'cart__totals' }, [
      el('dt', { text: 'Subtotal' }),
      el('dd', { text: money(cart.subtotal) }),
    ]),
    el('button', {
      class: 'button button--primary button--wide',
      id: 'checkout-button',
      type: 'button',
      text: 'Check out',
      onclick: () => goTo('/store/checkout'),
    }),
  );
}

async function removeLine(variantId: number, productId: number): Promise<void> {
  const product = state.products.find((p) => p.id === productId);
  if (product) {
    state.selected.set(product.id, variantId);
    refreshCards();
    return changeCart(product, 'removed');
  }
  // A product no longer on the online store can still be taken out of the cart.
  try {
    await chat?.changeCart(variantId, 'removed');
  } catch (error) {
    toast(describe(error), 'error');
  }
}

function discountForm(): HTMLFormElement {
  const input = el('input', {
    id: 'discount-code',
    class: 'input',
    type: 'text',
    maxlength: '100',
    autocomplete: 'off',
    spellcheck: 'false',
  });
  const error = el('p', { class: 'form-error', id: 'discount-error', role: 'alert', hidden: true });
  const submit = el('button', { class: 'button', type: 'submit', text: 'Apply' });
  const form = el('form', { class: 'discount-form' }, [
    el('label', { for: 'discount-code', text: 'Have a discount code?' }),
    el('div', { class: 'discount-form__row' }, [input, submit]),
    error,
  ]);
  form.addEventListener('submit', (event) => void submitCode(event));
  async function submitCode(event: Event): Promise<void> {
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
      await chat?.applyDiscount(code);
      input.value = '';
      toast('The discount code is on your cart.');
    } catch (err) {
      error.textContent = describe(err);
      error.hidden = false;
      input.focus();
    } finally {
      submit.disabled = false;
    }
  }
  return form;
}

// ---- Checkout: every amount comes from the shop's quote, never from this page's arithmetic

const SHIPPING_COUNTRIES: [string, string][] = [
  ['SE', 'Sweden'],
  ['NO', 'Norway'],
  ['DK', 'Denmark'],
  ['FI', 'Finland'],
];

const checkout = {
  shipping: 'standard',
  quote: null as CheckoutQuote | null,
  /** One key per Pay the customer means: a retry after a lost answer reuses it. */
  key: newKey(),
  paying: false,
  form: null as HTMLFormElement | null,
};

function goTo(path: string): void {
  if (location.pathname !== path) history.pushState(null, '', path);
  route();
}

function onCheckoutPage(): boolean {
  return /^\/store\/checkout\/?$/.test(location.pathname);
}

function route(): void {
  const inCheckout = onCheckoutPage();
  for (const id of ['hero', 'layout']) $(id).hidden = inCheckout;
  $('checkout').hidden = !inCheckout;
  if (inCheckout) {
    document.title = 'Checkout — Nordlys Studio';
    void showCheckout();
  } else {
    document.title = 'Nordlys Studio — Scandinavian living';
    if (state.products.length) highlightFromPath(true);
  }
}

function field(
  id: string,
  label: string,
  props: Record<string, string | boolean> = {},
): HTMLElement {
  return el('div', { class: 'field' }, [
    el('label', { for: id, text: label }),
    el('input', { id, class: 'input', type: 'text', required: true, ...props }),
  ]);
}

function summaryLine(line: CheckoutLine): HTMLElement {
  return el('li', { class: 'cart-line' }, [
    el('div', { class: 'cart-line__info' }, [
      el('p', { class: 'cart-line__name', text: line.product_name }),
      line.options?.length
        ? el('p', { class: 'cart-line__options', text: line.options.join(' · ') })
        : null,
      el('p', { class: 'cart-line__qty', text: `${line.quantity} × ${money(line.unit_price)}` }),
      line.quantity > line.available
        ? el('p', {
            class: 'form-error',
            text: line.available > 0 ? `Only ${line.available} left` : 'Out of stock',
          })
        : null,
    ]),
    el('p', { class: 'cart-line__total', text: money(line.line_total) }),
  ]);
}

/** The order summary: lines, subtotal, the code (or why it can't be used), shipping, total. */
function renderSummary(quote: CheckoutQuote): void {
  const rows: HTMLElement[] = [
    el('dt', { text: 'Subtotal' }),
    el('dd', { id: 'checkout-subtotal', text: money(quote.subtotal) }),
  ];
  if (quote.discount) {
    rows.push(
      el('dt', { text: `Discount (${quote.discount.code})` }),
      el('dd', { id: 'checkout-discount', text: `−${money(quote.discount.amount)}` }),
    );
  }
  rows.push(
    el('dt', { text: `Shipping (${quote.shipping.name})` }),
    el('dd', { id: 'checkout-shipping', text: money(quote.shipping.price) }),
    el('dt', { class: 'checkout__total', text: 'Total' }),
    el('dd', { class: 'checkout__total', id: 'checkout-total', text: money(quote.total) }),
  );
  const refused = quote.discount_refused;
  $('checkout-summary').replaceChildren(
    el('h2', { text: 'Your order' }),
    el('ul', { class: 'cart__lines' }, quote.lines.map(summaryLine)),
    ...(refused
      ? [
          el(
            'div',
            { class: 'notice notice--error', id: 'checkout-discount-refused', role: 'alert' },
            [
              el('p', { text: sentence(refused.reason) }),
              el('button', {
                class: 'button',
                type: 'button',
                text: `Remove ${refused.code}`,
                onclick: () => void removeCode(),
              }),
            ],
          ),
        ]
      : []),
    el('dl', { class: 'checkout__totals' }, rows),
  );
  const pay = document.getElementById('pay-button');
  if (pay) pay.textContent = `Pay ${money(quote.total)}`;
}

function sentence(text: string): string {
  const first = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(first) ? first : `${first}.`;
}

async function removeCode(): Promise<void> {
  try {
    await chat?.removeDiscount();
    await refreshQuote();
  } catch (error) {
    checkoutError(describe(error));
  }
}

function checkoutError(message: string | null): void {
  const box = $('checkout-error');
  box.textContent = message ?? '';
  box.hidden = !message;
}

async function refreshQuote(): Promise<void> {
  if (!chat) return;
  try {
    const quote = await chat.quote(checkout.shipping);
    checkout.quote = quote;
    renderSummary(quote);
    for (const option of quote.shipping_options) {
      const price = document.getElementById(`shipping-${option.id}-price`);
      if (price) price.textContent = money(option.price);
    }
  } catch (error) {
    checkout.quote = null;
    $('checkout-summary').replaceChildren(
      el('h2', { text: 'Your order' }),
      el('p', {
        class: 'muted',
        text:
          error instanceof ApiError && error.code === 'cart_empty'
            ? 'Your cart is empty. Add something you like from the collection first.'
            : describe(error),
      }),
    );
  }
}

function checkoutForm(): HTMLFormElement {
  const session = chat?.session;
  const shipping = el('fieldset', { class: 'checkout__fieldset' }, [
    el('legend', { text: 'Shipping method' }),
    ...[
      ['standard', 'Standard delivery, 2–4 working days'],
      ['express', 'Express delivery, next working day'],
    ].map(([id, name]) => {
      const radio = el('input', {
        type: 'radio',
        name: 'shipping',
        id: `shipping-${id}`,
        value: id,
        checked: id === checkout.shipping,
      });
      radio.addEventListener('change', () => {
        checkout.shipping = id;
        void refreshQuote();
      });
      return el('label', { class: 'checkout__option', for: `shipping-${id}` }, [
        radio,
        el('span', { text: name }),
        el('span', { class: 'checkout__price', id: `shipping-${id}-price` }),
      ]);
    }),
  ]);
  const country = el(
    'select',
    { id: 'checkout-country', class: 'select' },
    SHIPPING_COUNTRIES.map(([code, name]) => el('option', { value: code, text: name })),
  );
  const form = el('form', { class: 'checkout__form', novalidate: true }, [
    el('fieldset', { class: 'checkout__fieldset' }, [
      el('legend', { text: 'Contact' }),
      field('checkout-email', 'Email', {
        type: 'email',
        autocomplete: 'email',
        value: session?.email ?? '',
      }),
    ]),
    el('fieldset', { class: 'checkout__fieldset' }, [
      el('legend', { text: 'Shipping address' }),
      field('checkout-name', 'Full name', { autocomplete: 'name', value: session?.name ?? '' }),
      field('checkout-line1', 'Address', { autocomplete: 'address-line1' }),
      field('checkout-postal', 'Postal code', { autocomplete: 'postal-code' }),
      field('checkout-city', 'City', { autocomplete: 'address-level2' }),
      el('div', { class: 'field' }, [
        el('label', { for: 'checkout-country', text: 'Country' }),
        country,
      ]),
    ]),
    shipping,
    el('fieldset', { class: 'checkout__fieldset' }, [
      el('legend', { text: 'Payment (test mode)' }),
      field('checkout-card', 'Card number', {
        autocomplete: 'off',
        inputmode: 'numeric',
        'aria-describedby': 'checkout-card-hint',
      }),
      el('p', {
        class: 'muted cart__fineprint',
        id: 'checkout-card-hint',
        text: 'Payments are in test mode: 4242 4242 4242 4242 is charged, 4000 0000 0000 0002 is declined. No real card is ever charged.',
      }),
    ]),
    el('p', { class: 'form-error', id: 'checkout-error', role: 'alert', hidden: true }),
    el('button', {
      class: 'button button--primary button--wide',
      id: 'pay-button',
      type: 'submit',
      text: 'Pay',
    }),
  ]);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void pay();
  });
  return form;
}

const value = (id: string) => (document.getElementById(id) as HTMLInputElement).value.trim();

async function pay(): Promise<void> {
  if (!chat || checkout.paying) return;
  const missing = [
    ['checkout-email', 'your email'],
    ['checkout-name', 'your name'],
    ['checkout-line1', 'your address'],
    ['checkout-postal', 'your postal code'],
    ['checkout-city', 'your city'],
    ['checkout-card', 'a card number'],
  ].find(([id]) => !value(id));
  if (missing) {
    checkoutError(`Fill in ${missing[1]} first.`);
    document.getElementById(missing[0])?.focus();
    return;
  }
  checkout.paying = true;
  const button = $('pay-button') as HTMLButtonElement;
  button.disabled = true;
  checkoutError(null);
  try {
    const placed = await chat.placeOrder(
      {
        email: value('checkout-email'),
        shipping_address: {
          name: value('checkout-name'),
          line1: value('checkout-line1'),
          line2: null,
          postal_code: value('checkout-postal'),
          city: value('checkout-city'),
          country: value('checkout-country'),
        },
        shipping_method: checkout.shipping,
        card_number: value('checkout-card'),
      },
      checkout.key,
    );
    checkout.key = newKey();
    showConfirmation(placed);
  } catch (error) {
    // A refusal is final for this request; a lost answer is retried with the same key.
    if (error instanceof ApiError && error.kind === 'permanent') checkout.key = newKey();
    checkoutError(describe(error));
    await refreshQuote();
  } finally {
    checkout.paying = false;
    button.disabled = false;
  }
}

function showConfirmation(placed: OrderConfirmation): void {
  checkout.form = null;
  const rows: HTMLElement[] = [
    el('dt', { text: 'Subtotal' }),
    el('dd', { text: money(placed.subtotal) }),
  ];
  if (placed.discount)
    rows.push(
      el('dt', { text: `Discount (${placed.discount.code})` }),
      el('dd', { text: `−${money(placed.discount.amount)}` }),
    );
  rows.push(
    el('dt', { text: `Shipping (${placed.shipping.name})` }),
    el('dd', { text: money(placed.shipping.price) }),
    el('dt', { class: 'checkout__total', text: 'Paid' }),
    el('dd', { class: 'checkout__total', text: money(placed.total) }),
  );
  const address = placed.shipping_address;
  const heading = el('h1', {
    id: 'order-confirmation-title',
    tabindex: '-1',
    text: `Thank you! Order ${placed.order.name} is placed`,
  });
  $('checkout').replaceChildren(
    el('div', { class: 'checkout__confirmation', id: 'order-confirmation' }, [
      heading,
      el('p', { text: `Contact email: ${placed.email}` }),
      el('p', {
        class: 'muted',
        text: `Shipping to ${address.name}, ${address.line1}, ${address.postal_code} ${address.city}, ${address.country}.`,
      }),
      el('ul', { class: 'cart__lines' }, placed.lines.map(summaryLine)),
      el('dl', { class: 'checkout__totals' }, rows),
      el('a', { class: 'button', href: '/store', text: 'Continue shopping', onclick: backToShop }),
    ]),
  );
  heading.focus();
}

function backToShop(event: MouseEvent): void {
  event.preventDefault();
  goTo('/store');
}

async function showCheckout(): Promise<void> {
  const section = $('checkout');
  if (!chat?.session) {
    section.replaceChildren(
      el('div', { class: 'checkout__empty' }, [
        el('h1', { text: 'Checkout' }),
        el('p', { text: 'Your cart lives with your chat: start one to shop.' }),
        el('a', { class: 'button', href: '/store', text: 'Back to the shop', onclick: backToShop }),
      ]),
    );
    return;
  }
  if (!checkout.form) {
    checkout.form = checkoutForm();
    section.replaceChildren(
      el('div', { class: 'checkout__head' }, [
        el('a', { href: '/store', text: '← Back to the shop', onclick: backToShop }),
        el('h1', { id: 'checkout-title', text: 'Checkout' }),
      ]),
      el('div', { class: 'checkout__columns' }, [
        checkout.form,
        el('aside', { class: 'checkout__summary', id: 'checkout-summary', 'aria-live': 'polite' }),
      ]),
    );
  }
  await refreshQuote();
}

function connect(widget: NordlysChatApi): void {
  chat = widget;
  state.chatting = Boolean(widget.session);
  state.cart = widget.cart;
  window.addEventListener('nordlys-chat:cart', (event) => {
    state.cart = (event as CustomEvent<{ cart: Cart | null }>).detail.cart;
    renderCart();
    refreshCards();
    if (onCheckoutPage() && checkout.form && !checkout.paying) void refreshQuote();
  });
  window.addEventListener('nordlys-chat:session', (event) => {
    state.chatting = (event as CustomEvent<{ active: boolean }>).detail.active;
    renderCart();
    refreshCards();
  });
  // A product shared in the chat opens here, with the chat still open beside it.
  window.addEventListener('nordlys-chat:product', (event) => {
    if (showProduct((event as CustomEvent<{ url: string }>).detail.url)) event.preventDefault();
  });
  renderCart();
  refreshCards();
  if (onCheckoutPage()) void showCheckout();
}

function bootStore(): void {
  if (window.NordlysChat) connect(window.NordlysChat);
  else
    window.addEventListener(
      'nordlys-chat:ready',
      (event) => connect((event as CustomEvent<NordlysChatApi>).detail),
      { once: true },
    );
  renderCart();
  void loadProducts();
  window.addEventListener('popstate', route);
  route();
}

// ---- The demo outbox page

interface OutgoingEmail {
  id: number;
  to: string;
  subject: string;
  body: string;
  created_at: number;
  sent_at: number | null;
}

function bootOutbox(): void {
  const list = $('outbox-list');
  const status = $('outbox-status');
  let lastSignature = '';
  let timer: ReturnType<typeof setTimeout> | undefined;
  const render = (emails: OutgoingEmail[]) => {
    const sorted = [...emails].sort((a, b) => b.created_at - a.created_at || b.id - a.id);
    const signature = JSON.stringify(sorted.map((e) => [e.id, e.sent_at]));
    if (signature === lastSignature) return;
    lastSignature = signature;
    if (!sorted.length) {
      list.replaceChildren(
        el('p', {
          class: 'empty-state',
          text: 'No emails yet. When a customer leaves the chat and staff reply, the email shows up here.',
        }),
      );
      return;
    }
    list.replaceChildren(
      ...sorted.map((email) =>
        el('article', { class: 'email', 'aria-labelledby': `email-${email.id}-subject` }, [
          el('header', { class: 'email__head' }, [
            el('h2', {
              class: 'email__subject',
              id: `email-${email.id}-subject`,
              text: email.subject || '(no subject)',
            }),
            el('span', {
              class: `tag ${email.sent_at ? 'tag--ok' : 'tag--muted'}`,
              text: email.sent_at
                ? `Sent ${formatTime(email.sent_at, LOCALE)}`
                : 'Kept in outbox (no SMTP server)',
            }),
          ]),
          el('dl', { class: 'email__meta' }, [
            el('dt', { text: 'To' }),
            el('dd', { text: email.to }),
            el('dt', { text: 'Written' }),
            el('dd', { text: formatTime(email.created_at, LOCALE) }),
          ]),
          el('pre', { class: 'email__body', text: email.body }),
        ]),
      ),
    );
  };
  const refresh = async () => {
    clearTimeout(timer);
    try {
      const outbox = await api.call<{ emails: OutgoingEmail[] }>('/demo/outbox');
      const emails = Array.isArray(outbox?.emails) ? outbox.emails : [];
      render(emails);
      status.textContent = `${emails.length} ${emails.length === 1 ? 'email' : 'emails'} · updated ${formatTime(Date.now(), LOCALE)}`;
      status.dataset.tone = '';
    } catch (error) {
      status.textContent =
        error instanceof ApiError
          ? error.detail || 'Could not load the outbox.'
          : 'Could not load the outbox.';
      status.dataset.tone = 'error';
    }
    if (document.visibilityState === 'visible') timer = setTimeout(() => void refresh(), 4000);
  };
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') void refresh();
    else clearTimeout(timer);
  });
  $('outbox-refresh').addEventListener('click', () => void refresh());
  void refresh();
}

if (document.body.dataset.page === 'outbox') bootOutbox();
else bootStore();
