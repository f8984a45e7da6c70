import { describe, expect, it } from 'vitest';

import apiRs from '../../../crates/inbox-protocol/src/api.rs?raw';
import entitiesRs from '../../../crates/inbox-protocol/src/entities.rs?raw';
import topicRs from '../../../crates/inbox-protocol/src/topic.rs?raw';
import { t, translatePhrase, type Phrase } from './i18n/index.svelte';
import {
  presence,
  folderOf,
  CART_EVENT_NAME_LIMIT,
  CART_PREVIEW_LINES,
  CONFIDENCE_GATE,
  IMAGE_TYPES,
  LAST_ORDER_WINDOW_DAYS,
  LIST_LABELS,
  MAX_IMAGE_BYTES,
  MAX_SHARED_PRODUCTS,
  MAX_TEXT_CHARS,
  MAX_VIDEO_BYTES,
  TOPICS,
  VIDEO_TYPES,
  assignableStaff,
  canShareProducts,
  cartEventMessage,
  cartEventProductName,
  cartItemCount,
  cartPreview,
  characterCount,
  checkAttachment,
  chooseDiscount,
  discountStatusAt,
  errorPhrase,
  failedActions,
  hasUnseenCustomerMessage,
  lastOrderWithinWindow,
  latestTopic,
  listTopics,
  topicKey,
  messagePreview,
  normalizeShopUrl,
  passesConfidenceGate,
  previewLine,
  replyRoute,
  replyTextState,
  shouldMarkRead,
  showAllOrdersLink,
  signInErrorPhrase,
  toggleProduct,
  type TopicLabelLike,
} from './rules';

const DAY = 24 * 60 * 60 * 1000;

const en = (phrase: Phrase): string => translatePhrase('en', 'en-GB', phrase);
const sv = (phrase: Phrase): string => translatePhrase('sv', 'sv-SE', phrase);

describe('the rules mirror the protocol crate', () => {
  /** `pub const NAME: T = expr;` from Rust source, evaluated for plain arithmetic. */
  function rustConst(source: string, name: string): string {
    const match = new RegExp(`pub const ${name}: [^=]+= ([^;]+);`).exec(source);
    if (!match) throw new Error(`no const ${name}`);
    return match[1]!.replace(/_/g, '').trim();
  }
  const arithmetic = (expr: string): number => {
    if (!/^[\d\s*+.]+$/.test(expr)) throw new Error(`not arithmetic: ${expr}`);
    return expr.split('*').reduce((product, factor) => product * Number(factor), 1);
  };

  it('has the same limits as inbox-protocol', () => {
    expect(arithmetic(rustConst(topicRs, 'CONFIDENCE_GATE'))).toBe(CONFIDENCE_GATE);
    expect(arithmetic(rustConst(topicRs, 'LIST_LABELS'))).toBe(LIST_LABELS);
    expect(arithmetic(rustConst(entitiesRs, 'CART_EVENT_NAME_LIMIT'))).toBe(CART_EVENT_NAME_LIMIT);
    expect(arithmetic(rustConst(entitiesRs, 'LAST_ORDER_WINDOW_DAYS'))).toBe(
      LAST_ORDER_WINDOW_DAYS,
    );
    expect(arithmetic(rustConst(apiRs, 'MAX_SHARED_PRODUCTS'))).toBe(MAX_SHARED_PRODUCTS);
    expect(arithmetic(rustConst(apiRs, 'MAX_TEXT_CHARS'))).toBe(MAX_TEXT_CHARS);
    expect(arithmetic(rustConst(apiRs, 'MAX_IMAGE_BYTES'))).toBe(MAX_IMAGE_BYTES);
    expect(arithmetic(rustConst(apiRs, 'MAX_VIDEO_BYTES'))).toBe(MAX_VIDEO_BYTES);
    const strings = (expr: string) => [...expr.matchAll(/"([^"]+)"/g)].map((m) => m[1]);
    expect(strings(rustConst(apiRs, 'IMAGE_TYPES'))).toEqual([...IMAGE_TYPES]);
    expect(strings(rustConst(apiRs, 'VIDEO_TYPES'))).toEqual([...VIDEO_TYPES]);
  });

  it('knows the same ten topics', () => {
    const keys = [...topicRs.matchAll(/Topic::\w+ => "([a-z_]+)"/g)].map((m) => m[1]);
    expect([...new Set(keys)].sort()).toEqual([...TOPICS].sort());
  });
});

describe('topic labels in the list', () => {
  const label = (
    topic: string,
    labelled_at: number,
    confidence = 0.95,
    message_id = labelled_at,
  ): TopicLabelLike => ({ topic, confidence, message_id, labelled_at });

  it('shows at most two, newest first, whatever order they arrive in', () => {
    const labels = [
      label('shipping', 100),
      label('checkout', 300),
      label('returns', 200),
      label('wholesale', 50),
    ];
    expect(listTopics(labels)).toEqual(['checkout', 'returns']);
    expect(listTopics([label('shipping', 1)])).toEqual(['shipping']);
    expect(listTopics([])).toEqual([]);
  });

  it('shows only labels that cleared the 90 % gate', () => {
    const labels = [label('checkout', 300, 0.89), label('returns', 200), label('shipping', 100)];
    expect(listTopics(labels)).toEqual(['returns', 'shipping']);
  });

  it('keeps a label of exactly 90 %, also when the f32 reaches JavaScript widened', () => {
    expect(passesConfidenceGate(0.9)).toBe(true);
    expect(passesConfidenceGate(Math.fround(0.9))).toBe(true); // 0.8999999761581421
    expect(passesConfidenceGate(0.8999)).toBe(false);
    expect(passesConfidenceGate(1)).toBe(true);
    expect(listTopics([label('checkout', 1, Math.fround(0.9))])).toEqual(['checkout']);
  });

  it('shows a topic once, at the place of its newest label', () => {
    const labels = [label('returns', 100), label('checkout', 200), label('checkout', 300)];
    expect(listTopics(labels)).toEqual(['checkout', 'returns']);
  });

  it('breaks a tie in time by the newer message, and skips topics it does not know', () => {
    const labels = [
      label('shipping', 100, 0.95, 7),
      label('returns', 100, 0.95, 9),
      label('refunds', 500),
    ];
    expect(listTopics(labels)).toEqual(['returns', 'shipping']);
    expect(latestTopic(labels)).toBe('returns');
    expect(latestTopic([])).toBeNull();
  });

  it('name each topic through its message key', () => {
    // Also a compile-time check: t() takes a topic key without parameters.
    expect(
      listTopics([label('returns', 2), label('store_info', 1)]).map((k) => t(topicKey(k))),
    ).toEqual(['Returns/Delivered orders', 'Store info']);
  });
});

describe('cart events', () => {
  const forty = 'a'.repeat(40);
  const fortyOne = 'a'.repeat(41);

  it('name the product when the name has fewer than 41 characters', () => {
    expect(cartEventProductName(forty)).toBe(forty);
    expect(cartEventProductName('Wool socks')).toBe('Wool socks');
  });

  it('leave the name out from 41 characters', () => {
    expect(cartEventProductName(fortyOne)).toBeNull();
    expect(cartEventProductName('a'.repeat(200))).toBeNull();
  });

  it('count characters, not bytes or UTF-16 units', () => {
    // 40 Swedish letters and 40 emoji (80 UTF-16 units) are 40 characters.
    expect(cartEventProductName('ö'.repeat(40))).toBe('ö'.repeat(40));
    expect('🧦'.repeat(40).length).toBe(80);
    expect(characterCount('🧦'.repeat(40))).toBe(40);
    expect(cartEventProductName('🧦'.repeat(40))).toBe('🧦'.repeat(40));
    expect(cartEventProductName('🧦'.repeat(41))).toBeNull();
  });

  it('have no name to show when there is none', () => {
    expect(cartEventProductName(null)).toBeNull();
    expect(cartEventProductName('')).toBeNull();
    expect(cartEventProductName('   ')).toBeNull();
  });

  it('read with the name under the limit and without it otherwise, in both languages', () => {
    const added = cartEventMessage(
      { action: 'added', product_name: 'Wool socks', quantity: 1 },
      'Anna',
    );
    expect(en(added)).toBe('Anna added Wool socks to the cart');
    expect(sv(added)).toBe('Anna lade till Wool socks i varukorgen');

    const two = cartEventMessage(
      { action: 'added', product_name: 'Wool socks', quantity: 2 },
      'Anna',
    );
    expect(en(two)).toBe('Anna added 2 × Wool socks to the cart');

    const long = cartEventMessage({ action: 'added', product_name: fortyOne, quantity: 1 }, 'Anna');
    expect(en(long)).toBe('Anna added a product to the cart');
    expect(en(long)).not.toContain(fortyOne);
    expect(sv(long)).toBe('Anna lade till en produkt i varukorgen');

    const removed = cartEventMessage({ action: 'removed', product_name: forty, quantity: 1 }, 'Bo');
    expect(en(removed)).toBe(`Bo removed ${forty} from the cart`);
    const removedLong = cartEventMessage(
      { action: 'removed', product_name: null, quantity: 3 },
      'Bo',
    );
    expect(sv(removedLong)).toBe('Bo tog bort 3 st. av en produkt från varukorgen');
  });
});

describe('sharing products', () => {
  const product = (id: number, online_store = true) => ({ id, online_store });

  it('selects up to three and refuses a fourth with the reason, keeping the three', () => {
    let selected: number[] = [];
    for (const id of [1, 2, 3]) {
      const result = toggleProduct(selected, product(id));
      expect(result.ok).toBe(true);
      selected = result.selected;
    }
    expect(selected).toEqual([1, 2, 3]);

    const fourth = toggleProduct(selected, product(4));
    expect(fourth.ok).toBe(false);
    if (fourth.ok) throw new Error('unreachable');
    expect(fourth.reason).toBe('max_three');
    expect(fourth.selected).toEqual([1, 2, 3]);
    expect(en(fourth.phrase)).toBe(
      'You can share at most three products at a time. Deselect one to choose another.',
    );
    expect(sv(fourth.phrase)).toContain('högst tre produkter');
  });

  it('always lets a product be deselected, which makes room for another', () => {
    const fewer = toggleProduct([1, 2, 3], product(2));
    expect(fewer).toEqual({ ok: true, selected: [1, 3] });
    expect(toggleProduct(fewer.selected, product(4))).toEqual({ ok: true, selected: [1, 3, 4] });
  });

  it('refuses a product that is not on the online store', () => {
    const result = toggleProduct([], product(9, false));
    expect(result.ok).toBe(false);
    if (result.ok) throw new Error('unreachable');
    expect(result.reason).toBe('not_online_store');
    expect(result.selected).toEqual([]);
    expect(en(result.phrase)).toBe('This product isn’t available in your online store.');
  });

  it('can share one to three products', () => {
    expect(canShareProducts([])).toBe(false);
    expect(canShareProducts([1])).toBe(true);
    expect(canShareProducts([1, 2, 3])).toBe(true);
    expect(canShareProducts([1, 2, 3, 4])).toBe(false);
  });
});

describe('discount codes', () => {
  const now = 1_000 * DAY;
  const code = (
    status: 'ACTIVE' | 'EXPIRED' | 'SCHEDULED',
    starts_at = now - DAY,
    ends_at: number | null = null,
  ) => ({ code: 'SUMMER15', status, starts_at, ends_at });

  it('follow their schedule as the protocol crate does', () => {
    expect(discountStatusAt(5, 10, null)).toBe('SCHEDULED');
    expect(discountStatusAt(10, 10, 20)).toBe('ACTIVE');
    expect(discountStatusAt(20, 10, 20)).toBe('EXPIRED');
    expect(discountStatusAt(1_000, 10, null)).toBe('ACTIVE');
  });

  it('can be shared while active', () => {
    expect(chooseDiscount(code('ACTIVE'), now)).toEqual({ ok: true });
  });

  it('are refused when inactive, telling staff to update the code in the shop admin', () => {
    const expired = chooseDiscount(code('EXPIRED'), now);
    expect(expired.ok).toBe(false);
    if (expired.ok) throw new Error('unreachable');
    expect(expired.status).toBe('EXPIRED');
    expect(en(expired.phrase)).toBe(
      'The discount code SUMMER15 is inactive. Update the code in the shop admin before sharing it.',
    );
    expect(sv(expired.phrase)).toBe(
      'Rabattkoden SUMMER15 är inaktiv. Uppdatera rabattkoden i butikens admin innan du delar den.',
    );
  });

  it('are refused when the schedule has ended or not begun, even if stored as active', () => {
    const ended = chooseDiscount(code('ACTIVE', now - 10 * DAY, now - DAY), now);
    expect(ended).toMatchObject({ ok: false, status: 'EXPIRED' });
    const early = chooseDiscount(code('ACTIVE', now + DAY), now);
    expect(early).toMatchObject({ ok: false, status: 'SCHEDULED' });
  });
});

describe('the cart in the profile', () => {
  const lines = (n: number) => Array.from({ length: n }, (_, i) => ({ id: i, quantity: 2 }));

  it('shows every line and no "view all" up to three lines', () => {
    expect(cartPreview(lines(3))).toEqual({ shown: lines(3), hidden: 0, viewAll: false });
    expect(cartPreview([])).toEqual({ shown: [], hidden: 0, viewAll: false });
  });

  it('shows three lines and "view all" from four', () => {
    const preview = cartPreview(lines(4));
    expect(preview.viewAll).toBe(true);
    expect(preview.shown).toHaveLength(CART_PREVIEW_LINES);
    expect(preview.hidden).toBe(1);
    expect(cartPreview(lines(4), true)).toEqual({ shown: lines(4), hidden: 0, viewAll: true });
  });

  it('counts items by quantity for the header', () => {
    expect(cartItemCount(lines(3))).toBe(6);
    expect(cartItemCount([])).toBe(0);
  });
});

describe('the last order', () => {
  const now = 1_000 * DAY;
  const order = (id: number, created_at: number) => ({ id, created_at, name: `#${id}` });

  it('is the newest within 60 days', () => {
    const orders = [order(1, now - 61 * DAY), order(2, now - 59 * DAY), order(3, now - 10 * DAY)];
    expect(lastOrderWithinWindow(orders, now)?.id).toBe(3);
    expect(lastOrderWithinWindow([orders[1]!, orders[0]!], now)?.id).toBe(2);
  });

  it('is nothing when every order is older than 60 days, or there are none', () => {
    expect(lastOrderWithinWindow([order(1, now - 61 * DAY)], now)).toBeNull();
    expect(lastOrderWithinWindow([order(1, now - 60 * DAY - 1)], now)).toBeNull();
    expect(lastOrderWithinWindow([], now)).toBeNull();
  });

  it('includes an order exactly 60 days old, and not one from the future', () => {
    expect(lastOrderWithinWindow([order(4, now - 60 * DAY)], now)?.id).toBe(4);
    expect(lastOrderWithinWindow([order(5, now + 1)], now)).toBeNull();
  });

  it('breaks a tie by the higher id', () => {
    expect(lastOrderWithinWindow([order(8, now - DAY), order(9, now - DAY)], now)?.id).toBe(9);
  });

  it('offers "view all" when there is more than one order', () => {
    expect(showAllOrdersLink([order(1, 0)], order(1, 0))).toBe(false);
    expect(showAllOrdersLink([order(1, 0), order(2, 0)], order(2, 0))).toBe(true);
  });

  it('offers "view all" for a lone order older than the window, and nothing with no orders', () => {
    expect(showAllOrdersLink([order(1, 0)], null)).toBe(true);
    expect(showAllOrdersLink([], null)).toBe(false);
  });
});

describe('the last message as a preview', () => {
  it('is one trimmed line', () => {
    expect(previewLine('  Hi!\n\nDo you ship\tto Norway?  \r\n')).toBe(
      'Hi! Do you ship to Norway?',
    );
    expect(previewLine('\u00a0Hej\u2028då ')).toBe('Hej då');
    expect(previewLine(null)).toBe('');
  });

  it('is cut with an ellipsis past 140 characters, never inside a character', () => {
    const long = 'word '.repeat(60);
    const line = previewLine(long);
    expect(characterCount(line)).toBeLessThanOrEqual(140);
    expect(line.endsWith('…')).toBe(true);
    expect(previewLine('a'.repeat(140))).toBe('a'.repeat(140));
    expect(previewLine('a'.repeat(141))).toBe(`${'a'.repeat(139)}…`);
    const emoji = previewLine('🧦'.repeat(20), 10);
    expect(emoji).toBe(`${'🧦'.repeat(9)}…`);
    expect(emoji).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('describes a message without text', () => {
    expect(messagePreview({ type: 'text', text: 'Hello\nthere' })).toBe('Hello there');
    const products = messagePreview({ type: 'products', text: null, products: [1, 2] });
    expect(typeof products !== 'string' && en(products)).toBe('Shared 2 products');
    const withText = messagePreview({ type: 'products', text: 'Look!', products: [1] });
    expect(withText).toBe('Look!');
    const discount = messagePreview({ type: 'discount', discount: { code: 'SUMMER15' } });
    expect(typeof discount !== 'string' && sv(discount)).toBe('Delade rabattkoden SUMMER15');
    const image = messagePreview({ type: 'attachment', text: '', attachment: { kind: 'image' } });
    expect(typeof image !== 'string' && en(image)).toBe('Image');
    const none = messagePreview(null);
    expect(typeof none !== 'string' && en(none)).toBe('No messages yet');
  });
});

describe('where a reply goes', () => {
  const conversation = {
    platform: 'online_store' as const,
    customer_online: true,
    contact_email: 'anna@example.com',
  };

  it('goes back on the platform the customer wrote from', () => {
    expect(replyRoute(conversation)).toEqual({ via: 'platform', platform: 'online_store' });
    expect(replyRoute({ ...conversation, platform: 'shop_app', customer_online: false })).toEqual({
      via: 'platform',
      platform: 'shop_app',
    });
  });

  it('goes by email to the address given at chat start once the customer left the store', () => {
    const left = replyRoute({ ...conversation, customer_online: false });
    expect(left).toEqual({ via: 'email', address: 'anna@example.com' });
    expect(
      en({ key: 'conversation.customerLeft', params: { email: 'anna@example.com' } }),
    ).toContain('sent to anna@example.com');
  });
});

describe('assigning staff', () => {
  const staff = [
    { id: 1, name: 'Örjan Berg', email: 'orjan@shop.se', permissions: ['online_store_chat'] },
    { id: 2, name: 'Anna Lind', email: 'anna@shop.se', permissions: ['online_store_chat'] },
    { id: 3, name: 'Bo Ek', email: 'bo@shop.se', permissions: ['customers'] },
    { id: 4, name: 'Cecilia Ås', email: 'cecilia@shop.se', permissions: ['online_store_chat'] },
  ];

  it('lists only staff with the online store chat permission, me first, then by name', () => {
    const names = assignableStaff(staff, '', 4, 'sv-SE').map((s) => s.name);
    expect(names).toEqual(['Cecilia Ås', 'Anna Lind', 'Örjan Berg']);
    expect(names).not.toContain('Bo Ek');
  });

  it('finds staff by any words of their name or email, keeping å, ä and ö distinct', () => {
    expect(assignableStaff(staff, 'ANNA', null, 'sv-SE').map((s) => s.id)).toEqual([2]);
    expect(assignableStaff(staff, 'shop.se lind', null, 'sv-SE').map((s) => s.id)).toEqual([2]);
    expect(assignableStaff(staff, 'örjan', null, 'sv-SE').map((s) => s.id)).toEqual([1]);
    expect(assignableStaff(staff, 'Ås', null, 'sv-SE').map((s) => s.id)).toEqual([4]);
    expect(assignableStaff(staff, 'bo', null, 'sv-SE')).toEqual([]);
  });
});

describe('attachments and text', () => {
  it('accepts the image and video types the shop takes, up to their size limits', () => {
    expect(
      checkAttachment({ name: 'a.jpg', type: 'image/jpeg', size: MAX_IMAGE_BYTES }, 'en-GB'),
    ).toEqual({ ok: true, kind: 'image' });
    expect(checkAttachment({ name: 'a.mov', type: 'video/quicktime', size: 1 }, 'en-GB')).toEqual({
      ok: true,
      kind: 'video',
    });
  });

  it('refuses a file one byte over the limit, saying how large it is and may be', () => {
    const big = checkAttachment(
      { name: 'big.png', type: 'image/png', size: MAX_IMAGE_BYTES + 1 },
      'en-GB',
    );
    expect(big.ok).toBe(false);
    if (big.ok) throw new Error('unreachable');
    expect(big.reason).toBe('too_large');
    expect(en(big.phrase)).toBe('big.png is 20 MB. Images can be at most 20 MB.');
    const video = checkAttachment(
      { name: 'clip.mp4', type: 'video/mp4', size: 150 * 1024 * 1024 },
      'sv-SE',
    );
    expect(!video.ok && sv(video.phrase)).toBe('clip.mp4 är 150 MB. Videor får vara högst 100 MB.');
  });

  it('refuses other types with the list of what can be sent', () => {
    const pdf = checkAttachment({ name: 'invoice.pdf', type: 'application/pdf', size: 10 }, 'en');
    expect(pdf).toMatchObject({ ok: false, reason: 'unsupported' });
    expect(!pdf.ok && en(pdf.phrase)).toContain('invoice.pdf can’t be sent');
    expect(checkAttachment({ name: 'x', type: '', size: 1 }, 'en').ok).toBe(false);
  });

  it('sends text that is not blank and at most 5,000 characters', () => {
    expect(replyTextState('')).toBe('empty');
    expect(replyTextState(' \n\t')).toBe('empty');
    expect(replyTextState('Hej')).toBe('ok');
    expect(replyTextState('ö'.repeat(MAX_TEXT_CHARS))).toBe('ok');
    expect(replyTextState('ö'.repeat(MAX_TEXT_CHARS + 1))).toBe('too_long');
  });
});

describe('errors', () => {
  it('have a message for every stable code, and a generic one for others', () => {
    const codes = [
      'network',
      'transient',
      'signed_out',
      'certificate',
      'too_many_products',
      'discount_inactive',
      'staff_cannot_chat',
      'corrupt_media',
      'database',
      'local',
      'protocol',
      'shop_reset',
      'maybe_sent',
    ];
    for (const code of codes) {
      expect(errorPhrase(code).key).toBe(`error.${code}`);
      expect(en(errorPhrase(code))).not.toBe(en({ key: 'error.unknown' }));
    }
    expect(errorPhrase('something_new')).toEqual({ key: 'error.unknown' });
    expect(sv(errorPhrase('discount_inactive'))).toContain('butikens admin');
  });

  it('offer on a failed message what the engine will do with it', () => {
    const line = (code: string, say: (p: Phrase) => string) =>
      say({ key: failedActions(code).label, params: { reason: say(errorPhrase(code)) } });

    // A refusal by the shop was not sent: try again, or take the text back to fix it.
    for (const code of ['discount_inactive', 'network', 'something_new']) {
      expect(failedActions(code), code).toMatchObject({ retry: true, restoresDraft: true });
    }
    expect(line('discount_inactive', en)).toBe(
      'Not sent: This discount code is inactive. Update the code in the shop admin before sharing it.',
    );

    // It may have reached the shop: Retry can't send it twice, the composer could.
    expect(failedActions('maybe_sent')).toMatchObject({ retry: true, restoresDraft: false });
    expect(line('maybe_sent', en)).toMatch(/^May have been sent: It may have been sent anyway;/);
    expect(line('maybe_sent', en)).not.toContain('Not sent');
    expect(line('maybe_sent', sv)).toMatch(/^Kan ha skickats: Det kan ha skickats ändå;/);

    // From before a reset of the shop: never sent, and the engine refuses to retry it.
    expect(failedActions('shop_reset')).toMatchObject({ retry: false, restoresDraft: false });
    expect(line('shop_reset', en)).toMatch(/^Not sent: The shop was reset after you wrote this/);
    expect(line('shop_reset', sv)).toMatch(/^Inte skickat: Butiken återställdes/);
  });

  it('take the shop address as staff type it, and give the engine an https URL', () => {
    expect(normalizeShopUrl('shop.example.com')).toEqual({
      ok: true,
      url: 'https://shop.example.com',
    });
    expect(normalizeShopUrl('  https://Shop.Example.com/  ')).toEqual({
      ok: true,
      url: 'https://shop.example.com',
    });
    expect(normalizeShopUrl('127.0.0.1:8443')).toEqual({ ok: true, url: 'https://127.0.0.1:8443' });
    expect(normalizeShopUrl('https://shop.se/inbox//?x=1#y')).toEqual({
      ok: true,
      url: 'https://shop.se/inbox',
    });
  });

  it('refuse a shop address the engine would refuse, saying why', () => {
    const reason = (input: string) => {
      const result = normalizeShopUrl(input);
      return result.ok ? result.url : en(result.phrase);
    };
    expect(reason('http://shop.se')).toBe('The shop’s address must start with https://.');
    expect(reason('ftp://shop.se')).toBe('The shop’s address must start with https://.');
    expect(reason('')).toBe('Enter the shop’s address.');
    expect(reason('shop .se')).toBe('Enter the shop’s address, like shop.example.com.');
    expect(reason('anna:secret@shop.se')).toBe('Enter the shop’s address, like shop.example.com.');
    expect(reason('https://')).toBe('Enter the shop’s address, like shop.example.com.');
  });

  it('tell staff at sign-in what went wrong and what to do', () => {
    expect(en(signInErrorPhrase('invalid_credentials', 'shop.se', ''))).toBe(
      'Wrong email or password.',
    );
    expect(en(signInErrorPhrase('network', 'shop.example.com', 'timeout'))).toBe(
      'Can’t reach the shop at shop.example.com. Check the address and your connection.',
    );
    expect(sv(signInErrorPhrase('certificate', 'shop.se', ''))).toContain('CA-certifikat');
    expect(en(signInErrorPhrase('token_expired', 'shop.se', ''))).toBe(
      'Your session has expired. Sign in again.',
    );
    expect(en(signInErrorPhrase('internal', 'shop.se', 'boom'))).toBe('Couldn’t sign in: boom');
  });
});

describe('reading a conversation', () => {
  const customer = (id: number) =>
    ({ kind: 'message', message: { id, author: { kind: 'customer' } } }) as const;
  const staff = (id: number) =>
    ({ kind: 'message', message: { id, author: { kind: 'staff' } } }) as const;
  const view = (
    last: number | null,
    marked: boolean,
    ...timeline: (ReturnType<typeof customer> | ReturnType<typeof staff>)[]
  ) => ({
    read_state: { last_read_message_id: last, marked_unread: marked },
    timeline,
  });

  it('is unseen when a customer wrote after the last message read', () => {
    expect(hasUnseenCustomerMessage(view(5, false, customer(4), staff(5)))).toBe(false);
    expect(hasUnseenCustomerMessage(view(5, false, customer(4), customer(6)))).toBe(true);
    expect(hasUnseenCustomerMessage(view(null, false, customer(1)))).toBe(true);
    // Staff replies (and their local echoes, with negative ids) are not news to staff.
    expect(hasUnseenCustomerMessage(view(5, false, customer(5), staff(9), staff(-3)))).toBe(false);
    expect(hasUnseenCustomerMessage({ read_state: null, timeline: [{ kind: 'cart_event' }] })).toBe(
      false,
    );
  });

  it('opening marks it read, "mark as unread" included', () => {
    expect(shouldMarkRead(view(5, true, customer(5)), 'opened')).toBe(true);
    expect(shouldMarkRead(view(5, false, customer(6)), 'opened')).toBe(true);
    expect(shouldMarkRead(view(6, false, customer(6)), 'opened')).toBe(false);
  });

  it('a new message on screen is read only in a focused window, and never undoes "mark as unread"', () => {
    expect(shouldMarkRead(view(5, false, customer(6)), { focused: true })).toBe(true);
    expect(shouldMarkRead(view(5, false, customer(6)), { focused: false })).toBe(false);
    expect(shouldMarkRead(view(5, true, customer(6)), { focused: true })).toBe(false);
    expect(shouldMarkRead(view(6, false, customer(6)), { focused: true })).toBe(false);
  });
});

describe('presence', () => {
  it('is known only while live', () => {
    expect(presence(true, 'live')).toBe('online');
    for (const state of ['offline', 'syncing', 'idle', 'signed_out', 'error']) {
      expect(presence(true, state)).toBe('unknown');
    }
    expect(presence(false, 'live')).toBeNull();
    expect(presence(false, 'offline')).toBeNull();
  });
});

describe('which list a conversation is in', () => {
  it('is Closed, Snoozed or Open', () => {
    expect(folderOf({ status: 'closed', snoozed_until: null })).toBe('closed');
    expect(folderOf({ status: 'open', snoozed_until: 5 })).toBe('snoozed');
    expect(folderOf({ status: 'open', snoozed_until: null })).toBe('open');
    expect(folderOf({ status: 'open' })).toBe('open');
  });
});
