// The widget in jsdom, against a scripted shop (the real shop is in tests/browser.rs): what
// the customer sees for each kind of message, that text stays text, Swedish, and axe-core.

import axe from 'axe-core';
import { afterEach, describe, expect, it } from 'vitest';
import { Api } from './api';
import { dictionaries, type Lang } from './i18n';
import type { ChatTranscript, Message } from './types';
import { ChatWidget } from './widget';

const SHOP = 'https://shop.example';
const NOW = Date.UTC(2026, 11, 4, 12, 0);

function message(id: number, body: Message['body'], staff = true): Message {
  return {
    id,
    conversation_id: 7,
    author: staff ? { kind: 'staff', staff_id: 1 } : { kind: 'customer', customer_id: 3 },
    body,
    delivery: null,
    created_at: NOW + id,
  };
}

const TRANSCRIPT: ChatTranscript = {
  conversation_id: 7,
  messages: [
    message(1, { type: 'text', text: '<img src=x onerror="window.__pwned=1"><b>hi</b>' }, false),
    message(2, {
      type: 'products',
      text: null,
      products: [
        {
          product_id: 1,
          title: 'Mug <script>x()</script>',
          price: { minor: 24900, currency: 'SEK' },
          image_url: '/assets/products/mug.png',
          url: '/store/products/mug',
        },
        {
          product_id: 2,
          title: 'Evil',
          price: { minor: 100, currency: 'SEK' },
          image_url: 'javascript:alert(1)',
          url: 'javascript:alert(1)',
        },
      ],
    }),
    message(3, {
      type: 'discount',
      discount: { discount_id: 1, code: 'FIKA15', summary: '15% off mugs' },
    }),
    message(4, {
      type: 'attachment',
      text: 'In daylight',
      attachment: {
        upload_id: 'u1',
        kind: 'image',
        mime: 'image/png',
        width: 320,
        height: 320,
        url: '/media/u1',
      },
    }),
  ],
  cart_events: [
    {
      id: 1,
      conversation_id: 7,
      action: 'added',
      product_id: 1,
      product_name: null,
      quantity: 1,
      created_at: NOW + 10,
    },
  ],
  cart: null,
};

/** A shop that answers the transcript, and a stream that stays open and quiet. */
function scriptedShop(seen: { url: string; method: string; body: string }[] = []): typeof fetch {
  return async (input, init) => {
    const url = String(input);
    seen.push({ url, method: init?.method ?? 'GET', body: String(init?.body ?? '') });
    if (url.endsWith('/typing')) return new Response(null, { status: 204 });
    if (url.endsWith('/events')) {
      return new Response(new ReadableStream({ start() {} }), {
        headers: { 'content-type': 'text/event-stream' },
      });
    }
    if (url.endsWith('/storefront/conversations/7')) {
      return new Response(JSON.stringify(TRANSCRIPT), {
        headers: { 'content-type': 'application/json' },
      });
    }
    return new Response(JSON.stringify({ code: 'not_found', detail: 'no such thing' }), {
      status: 404,
      headers: { 'content-type': 'application/problem+json' },
    });
  };
}

function mount(
  lang: Lang,
  withSession: boolean,
  seen: { url: string; method: string; body: string }[] = [],
): { widget: ChatWidget; root: ShadowRoot } {
  const local = window.localStorage;
  local.clear();
  window.sessionStorage.clear();
  if (withSession) {
    const session = {
      token: 'ct_x',
      conversation_id: 7,
      customer_id: 3,
      email_verified: false,
      expires_at: NOW * 2,
      name: 'Ada <b>',
      email: 'ada@example.com',
    };
    local.setItem(`nordlys.chat.v1:${SHOP}`, JSON.stringify(session));
  }
  const host = document.createElement('div');
  document.body.append(host);
  const widget = new ChatWidget(host, {
    api: new Api(SHOP, scriptedShop(seen)),
    words: dictionaries[lang],
    lang,
    locale: lang === 'sv' ? 'sv-SE' : 'en-US',
    shopName: 'Nordlys Studio',
    local,
    session: window.sessionStorage,
  });
  widget.start();
  return { widget, root: host.shadowRoot! };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}

afterEach(() => {
  document.body.replaceChildren();
});

describe('the chat widget', () => {
  it('shows each kind of message, and text from anyone only as text', async () => {
    const { root } = mount('en', true);
    await until(() => root.querySelectorAll('.msg').length === 4);
    const texts = [...root.querySelectorAll('.text')].map((e) => e.textContent);
    expect(texts).toContain('<img src=x onerror="window.__pwned=1"><b>hi</b>');
    expect(root.querySelectorAll('b, script').length).toBe(0);
    expect((window as unknown as { __pwned?: number }).__pwned).toBeUndefined();
    expect(root.querySelector('.foot span')?.textContent).toBe(
      'Chatting as Ada <b> (ada@example.com).',
    );

    // Product links and images resolve against the shop; a javascript: URL makes no link.
    const links = [...root.querySelectorAll<HTMLAnchorElement>('a.product')];
    expect(links.map((a) => a.href)).toEqual(['https://shop.example/store/products/mug']);
    expect(root.querySelector('.product__title')?.textContent).toBe('Mug <script>x()</script>');
    expect([...root.querySelectorAll('img')].map((i) => i.getAttribute('src'))).toEqual([
      'https://shop.example/assets/products/mug.png',
      'https://shop.example/media/u1',
    ]);
    expect(root.querySelector('.discount__code')?.getAttribute('aria-label')).toBe(
      'Apply discount code FIKA15 to your cart',
    );
    expect(root.querySelector('.event')?.textContent).toContain('You added a product to your cart');
  });

  it('lets staff see the customer typing, every few seconds at most, and when it stops', async () => {
    const seen: { url: string; method: string; body: string }[] = [];
    const { widget, root } = mount('en', true, seen);
    widget.open();
    await until(() => root.querySelectorAll('.msg').length === 4);
    const field = root.querySelector<HTMLTextAreaElement>('#composer-text')!;
    const type = (value: string) => {
      field.value = value;
      field.dispatchEvent(new Event('input'));
    };
    const typing = () => seen.filter((r) => r.url.endsWith('/storefront/conversations/7/typing'));
    type('H');
    type('He');
    type('Hej');
    expect(typing()).toHaveLength(1);
    expect(typing()[0]).toMatchObject({ method: 'POST', body: '{"typing":true}' });
    type('');
    expect(typing()).toHaveLength(2);
    expect(typing()[1].body).toBe('{"typing":false}');
    type('');
    expect(typing()).toHaveLength(2);
  });

  it('speaks Swedish', async () => {
    const { root } = mount('sv', true);
    await until(() => root.querySelectorAll('.msg').length === 4);
    expect(root.querySelector('#title')?.textContent).toBe('Chatta med Nordlys Studio');
    expect(root.querySelector('.event')?.textContent).toContain('Du lade en produkt i varukorgen');
    expect(root.querySelector('#composer-text')?.getAttribute('placeholder')).toBe(
      'Skriv ett meddelande…',
    );
    expect(root.querySelector('.discount__status')?.textContent).toBe(
      'Klicka på koden för att lägga den i varukorgen',
    );
  });

  it('asks for a name and an email before it starts a chat, and says which is missing', async () => {
    const { widget, root } = mount('en', false);
    widget.open();
    const submit = root.querySelector<HTMLButtonElement>('.start__form button[type=submit]')!;
    submit.click();
    const error = root.querySelector('#start-error')!;
    expect(error.textContent).toBe('Please tell us your name.');
    expect(root.querySelector('#name')?.getAttribute('aria-invalid')).toBe('true');
    expect(root.activeElement?.id).toBe('name');
  });

  it('without a chat, adding to the cart opens the panel and says why', async () => {
    const { widget, root } = mount('en', false);
    const pending = widget.changeCart(11, 'added', 'Linen Throw');
    expect(root.querySelector('.panel')?.hasAttribute('hidden')).toBe(false);
    expect(root.querySelector('.reason')?.textContent).toContain(
      'To add Linen Throw to your cart, start a chat first',
    );
    widget.close();
    await expect(pending).resolves.toBeNull();
  });

  it('has no axe-core violations, closed, starting and chatting', async () => {
    const rules = { 'color-contrast': { enabled: false } }; // jsdom does no layout; the browser test checks contrast
    const check = async (node: Element) => {
      const result = await axe.run(node, { rules });
      expect(
        result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.html).join(' ')}`),
      ).toEqual([]);
    };
    const fresh = mount('en', false);
    await check(document.body);
    fresh.widget.open();
    await check(document.body);
    document.body.replaceChildren();
    const chatting = mount('sv', true);
    chatting.widget.open();
    await until(() => chatting.root.querySelectorAll('.msg').length === 4);
    await check(document.body);
  });
});
