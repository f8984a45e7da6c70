//! The seeds' rules that decide what staff see, as pure functions over the engine's data.
//!
//! The shop and the engine already apply most of them (inbox-protocol: `CONFIDENCE_GATE`,
//! `LIST_LABELS`, `cart_event_product_name`, `MAX_SHARED_PRODUCTS`, `last_order_within_window`,
//! `DiscountStatus::at`; shop-server: `delivery_for`). The UI applies them again where it
//! renders, because it must never show more than the rule allows even if a view carries more,
//! and because some (three products, an inactive discount) must be refused before a request is
//! made, with the reason shown and the draft kept. Constants mirror the Rust ones by name.
//!
//! The input types are the fields these rules read, spelled as the engine serialises them, so
//! the generated bindings' types fit them without conversion. Nothing here formats text: rules
//! return message keys and parameters, and the screens translate them.

import { formatFileSize } from './format';
import type { MessageKey, Phrase } from './i18n/en';
import type { ConversationStatus, Folder } from '../bindings';

export type Millis = number;

// ---------------------------------------------------------------------------------------------
// Topic labels
// ---------------------------------------------------------------------------------------------

/** The classifier's topics, as keys on the wire (crates/inbox-protocol/src/topic.rs). */
export const TOPICS = [
  'checkout',
  'edit_orders',
  'order_status',
  'pricing_discounts',
  'product_details',
  'product_interest',
  'returns',
  'shipping',
  'store_info',
  'wholesale',
] as const;

export type Topic = (typeof TOPICS)[number];

/** Labels below this confidence are never applied ("lower than 90 %" in the seeds). */
export const CONFIDENCE_GATE = 0.9;

/** How many topic labels the conversation list shows per conversation. */
export const LIST_LABELS = 2;

export interface TopicLabelLike {
  topic: string;
  confidence: number;
  message_id: number;
  labelled_at: Millis;
}

/**
 * Whether a label cleared the gate. The classifier's confidence is an `f32` in Rust: an f32 of
 * exactly 0.9 reaches JavaScript as 0.8999999761581421 when the shell widens it to f64, so the
 * comparison is made in single precision, as the shop made it.
 */
export function passesConfidenceGate(confidence: number): boolean {
  return Math.fround(confidence) >= Math.fround(CONFIDENCE_GATE);
}

export function isTopic(key: string): key is Topic {
  return (TOPICS as readonly string[]).includes(key);
}

/**
 * The labels the conversation list shows: only those that cleared the gate, one per topic,
 * newest first (by when they were applied, then by the message that earned them), at most two.
 * Unknown topic keys (a newer shop) are skipped rather than shown raw.
 */
export function listTopics(labels: readonly TopicLabelLike[]): Topic[] {
  const newestFirst = labels
    .filter((l) => passesConfidenceGate(l.confidence))
    .slice()
    .sort((a, b) => b.labelled_at - a.labelled_at || b.message_id - a.message_id);
  const shown: Topic[] = [];
  for (const label of newestFirst) {
    if (shown.length === LIST_LABELS) break;
    if (isTopic(label.topic) && !shown.includes(label.topic)) shown.push(label.topic);
  }
  return shown;
}

/** The most recent topic, for the profile's conversation details; `null` when there is none. */
export function latestTopic(labels: readonly TopicLabelLike[]): Topic | null {
  return listTopics(labels)[0] ?? null;
}

/** The message key of a topic's label (`topic.checkout` → "Checkout" / "Kassa"). */
export function topicKey(topic: Topic): `topic.${Topic}` {
  return `topic.${topic}`;
}

// ---------------------------------------------------------------------------------------------
// Cart events
// ---------------------------------------------------------------------------------------------

/** Product names shorter than this many characters appear in cart event descriptions. */
export const CART_EVENT_NAME_LIMIT = 41;

/** Characters as people count them (code points, like Rust's `chars()`), not UTF-16 units. */
export function characterCount(text: string): number {
  return Array.from(text).length;
}

/**
 * The product name a cart event may show: the name when it has fewer than 41 characters,
 * otherwise `null`, and the event is described without a name ("added a product to the cart").
 */
export function cartEventProductName(name: string | null | undefined): string | null {
  if (name == null || name.trim() === '') return null;
  return characterCount(name) < CART_EVENT_NAME_LIMIT ? name : null;
}

export interface CartEventLike {
  action: 'added' | 'removed';
  product_name: string | null;
  quantity: number;
}

export type CartEventMessage =
  | {
      key: 'cartEvent.addedNamed' | 'cartEvent.removedNamed';
      params: { customer: string; product: string; count: number };
    }
  | {
      key: 'cartEvent.addedUnnamed' | 'cartEvent.removedUnnamed';
      params: { customer: string; count: number };
    };

/**
 * How a cart event reads in the conversation (a phrase for `tPhrase`): with the product's name
 * when the 41-character rule allows it, without one otherwise. The quantity picks the plural.
 */
export function cartEventMessage(event: CartEventLike, customer: string): CartEventMessage {
  const product = cartEventProductName(event.product_name);
  const count = Math.max(1, event.quantity);
  if (product !== null) {
    return {
      key: event.action === 'added' ? 'cartEvent.addedNamed' : 'cartEvent.removedNamed',
      params: { customer, product, count },
    };
  }
  return {
    key: event.action === 'added' ? 'cartEvent.addedUnnamed' : 'cartEvent.removedUnnamed',
    params: { customer, count },
  };
}

// ---------------------------------------------------------------------------------------------
// Sharing products
// ---------------------------------------------------------------------------------------------

/** At most this many products can be shared in one message. */
export const MAX_SHARED_PRODUCTS = 3;

export interface ShareableProductLike {
  id: number;
  /** Only products on the online store sales channel can be shared. */
  online_store: boolean;
}

export type ProductSelection =
  | { ok: true; selected: number[] }
  | {
      ok: false;
      /** The selection as it was: a refused pick changes nothing. */
      selected: number[];
      reason: 'max_three' | 'not_online_store';
      phrase: Phrase;
    };

/**
 * Selects or deselects `product` in the picker. Deselecting always works; a fourth product,
 * or one that isn't on the online store, is refused with the reason to show.
 */
export function toggleProduct(
  selected: readonly number[],
  product: ShareableProductLike,
): ProductSelection {
  if (selected.includes(product.id)) {
    return { ok: true, selected: selected.filter((id) => id !== product.id) };
  }
  if (!product.online_store) {
    return {
      ok: false,
      selected: [...selected],
      reason: 'not_online_store',
      phrase: { key: 'productPicker.notOnlineStore' },
    };
  }
  if (selected.length >= MAX_SHARED_PRODUCTS) {
    return {
      ok: false,
      selected: [...selected],
      reason: 'max_three',
      phrase: { key: 'productPicker.maxThree' },
    };
  }
  return { ok: true, selected: [...selected, product.id] };
}

/** Whether a selection can be sent: one to three products. */
export function canShareProducts(selected: readonly number[]): boolean {
  return selected.length >= 1 && selected.length <= MAX_SHARED_PRODUCTS;
}

// ---------------------------------------------------------------------------------------------
// Discount codes
// ---------------------------------------------------------------------------------------------

export type DiscountStatus = 'ACTIVE' | 'EXPIRED' | 'SCHEDULED';

export interface DiscountCodeLike {
  code: string;
  status: DiscountStatus;
  starts_at: Millis;
  ends_at: Millis | null;
}

/** The status a code has at `now`, from its schedule (as `DiscountStatus::at` in Rust). */
export function discountStatusAt(
  now: Millis,
  startsAt: Millis,
  endsAt: Millis | null,
): DiscountStatus {
  if (now < startsAt) return 'SCHEDULED';
  if (endsAt !== null && now >= endsAt) return 'EXPIRED';
  return 'ACTIVE';
}

export type DiscountChoice =
  { ok: true } | { ok: false; status: Exclude<DiscountStatus, 'ACTIVE'>; phrase: Phrase };

/**
 * Whether a discount code can be shared now. An inactive code (expired or not started, by its
 * stored status or by its schedule, whichever says so) is refused with the message telling
 * staff to update it in the shop admin.
 */
export function chooseDiscount(code: DiscountCodeLike, now: Millis): DiscountChoice {
  const scheduled = discountStatusAt(now, code.starts_at, code.ends_at);
  const status = code.status !== 'ACTIVE' ? code.status : scheduled;
  if (status === 'ACTIVE') return { ok: true };
  return {
    ok: false,
    status,
    phrase: { key: 'discountPicker.inactive', params: { code: code.code } },
  };
}

// ---------------------------------------------------------------------------------------------
// The customer's cart in the profile
// ---------------------------------------------------------------------------------------------

/** The profile shows this many cart lines before "View all". */
export const CART_PREVIEW_LINES = 3;

export interface CartPreview<T> {
  shown: T[];
  /** Lines behind "View all"; 0 when there is no link. */
  hidden: number;
  /** "View all" appears only when there are more than three lines. */
  viewAll: boolean;
}

export function cartPreview<T>(lines: readonly T[], expanded = false): CartPreview<T> {
  const viewAll = lines.length > CART_PREVIEW_LINES;
  const shown = expanded || !viewAll ? [...lines] : lines.slice(0, CART_PREVIEW_LINES);
  return { shown, hidden: lines.length - shown.length, viewAll };
}

/** How many items a cart holds, adding up quantities, for the conversation header. */
export function cartItemCount(lines: readonly { quantity: number }[]): number {
  return lines.reduce((sum, line) => sum + Math.max(0, line.quantity), 0);
}

// ---------------------------------------------------------------------------------------------
// Orders in the profile
// ---------------------------------------------------------------------------------------------

/** Orders newer than this are shown as the customer's last order. */
export const LAST_ORDER_WINDOW_DAYS = 60;

const DAY_MS = 24 * 60 * 60 * 1000;

export interface OrderLike {
  id: number;
  created_at: Millis;
}

/**
 * The most recent order placed or opened within the last 60 days (inclusive), or `null`, in
 * which case the order block stays empty. Same rule as `last_order_within_window` in Rust.
 */
export function lastOrderWithinWindow<T extends OrderLike>(
  orders: readonly T[],
  now: Millis,
): T | null {
  const since = now - LAST_ORDER_WINDOW_DAYS * DAY_MS;
  let last: T | null = null;
  for (const order of orders) {
    if (order.created_at < since || order.created_at > now) continue;
    if (
      last === null ||
      order.created_at > last.created_at ||
      (order.created_at === last.created_at && order.id > last.id)
    ) {
      last = order;
    }
  }
  return last;
}

/** "View all" orders appears when the customer has more than one order. */
export function showAllOrdersLink(orders: readonly unknown[], recent: unknown): boolean {
  // More than one order (the seeds), or one older than the window: the only way to see it.
  return orders.length > 1 || (orders.length > 0 && recent == null);
}

// ---------------------------------------------------------------------------------------------
// The last message, as a list preview
// ---------------------------------------------------------------------------------------------

/** Longest preview, in characters (the engine's notification previews use the same). */
export const PREVIEW_CHARS = 140;

/**
 * The last message as one line: every run of whitespace (line breaks included) becomes one
 * space, the ends are trimmed, and a text longer than `max` characters is cut at a character
 * boundary (never inside a surrogate pair) and ends with "…".
 */
export function previewLine(text: string | null | undefined, max = PREVIEW_CHARS): string {
  const line = (text ?? '').replace(/\s+/gu, ' ').trim();
  const chars = Array.from(line);
  if (chars.length <= max) return line;
  return `${chars
    .slice(0, max - 1)
    .join('')
    .trimEnd()}…`;
}

export type MessageBodyLike =
  | { type: 'text'; text: string }
  | { type: 'products'; text?: string | null; products: readonly unknown[] }
  | { type: 'discount'; discount: { code: string } }
  | { type: 'attachment'; text?: string | null; attachment: { kind: 'image' | 'video' } };

/**
 * What the list shows for a message: its text as one line (a string), or, for a message
 * without text (a bare product share, a discount code, an image), a phrase describing it.
 */
export function messagePreview(body: MessageBodyLike | null | undefined): string | Phrase {
  if (!body) return { key: 'preview.none' };
  const text = previewLine(body.type === 'discount' ? null : body.text);
  if (text !== '') return text;
  switch (body.type) {
    case 'text':
      return { key: 'preview.none' };
    case 'products':
      return { key: 'preview.products', params: { count: body.products.length } };
    case 'discount':
      return { key: 'preview.discount', params: { code: body.discount.code } };
    case 'attachment':
      return { key: body.attachment.kind === 'video' ? 'preview.video' : 'preview.image' };
  }
}

// ---------------------------------------------------------------------------------------------
// Where a reply goes
// ---------------------------------------------------------------------------------------------

export type Platform = 'online_store' | 'shop_app' | 'messenger' | 'instagram' | 'email';

export interface ConversationLike {
  platform: Platform;
  customer_online: boolean;
  contact_email: string;
}

export type ReplyRoute =
  { via: 'platform'; platform: Platform } | { via: 'email'; address: string };

/**
 * How a reply will reach the customer, as the shop decides it (`delivery_for`): back on the
 * platform they wrote from, except that an online store customer who has left the store gets
 * it by email at the address they gave when the chat started.
 */
export function replyRoute(conversation: ConversationLike): ReplyRoute {
  if (conversation.platform === 'online_store' && !conversation.customer_online) {
    return { via: 'email', address: conversation.contact_email };
  }
  return { via: 'platform', platform: conversation.platform };
}

// ---------------------------------------------------------------------------------------------
// Assigning staff
// ---------------------------------------------------------------------------------------------

export interface StaffLike {
  id: number;
  name: string;
  email: string;
  permissions: readonly string[];
}

/** Only staff with the online store chat permission can be assigned a conversation. */
export function canChat(staff: StaffLike): boolean {
  return staff.permissions.includes('online_store_chat');
}

/**
 * The "Assign staff" list: staff who can chat whose name or email contains every word of the
 * query (case-insensitive; å, ä and ö stay letters of their own), the signed-in staff member
 * first, then by name.
 */
export function assignableStaff<T extends StaffLike>(
  staff: readonly T[],
  query: string,
  me: number | null,
  tag: string,
): T[] {
  const words = query.toLocaleLowerCase(tag).split(/\s+/u).filter(Boolean);
  const collator = new Intl.Collator(tag, { sensitivity: 'base' });
  return staff
    .filter(canChat)
    .filter((s) => {
      const haystack = `${s.name} ${s.email}`.toLocaleLowerCase(tag);
      return words.every((w) => haystack.includes(w));
    })
    .sort((a, b) => Number(b.id === me) - Number(a.id === me) || collator.compare(a.name, b.name));
}

// ---------------------------------------------------------------------------------------------
// Attachments and text limits
// ---------------------------------------------------------------------------------------------

/** As `MAX_IMAGE_BYTES`, `MAX_VIDEO_BYTES`, `IMAGE_TYPES`, `VIDEO_TYPES` in inbox-protocol. */
export const MAX_IMAGE_BYTES = 20 * 1024 * 1024;
export const MAX_VIDEO_BYTES = 100 * 1024 * 1024;
export const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'] as const;
export const VIDEO_TYPES = ['video/mp4', 'video/quicktime', 'video/webm'] as const;

/** Longest message text accepted, in characters. */
export const MAX_TEXT_CHARS = 5000;

export type AttachmentCheck =
  | { ok: true; kind: 'image' | 'video' }
  | { ok: false; reason: 'unsupported' | 'too_large'; phrase: Phrase };

/**
 * A quick check of a dropped, pasted or chosen file by its declared type and size, so staff
 * hear at once why it can't go (sizes written for `tag`). The engine checks the bytes again
 * before anything is queued.
 */
export function checkAttachment(
  file: { name: string; type: string; size: number },
  tag: string,
): AttachmentCheck {
  const type = file.type.toLowerCase();
  const kind = (IMAGE_TYPES as readonly string[]).includes(type)
    ? 'image'
    : (VIDEO_TYPES as readonly string[]).includes(type)
      ? 'video'
      : null;
  if (kind === null) {
    return {
      ok: false,
      reason: 'unsupported',
      phrase: { key: 'attach.unsupported', params: { name: file.name } },
    };
  }
  const limit = kind === 'image' ? MAX_IMAGE_BYTES : MAX_VIDEO_BYTES;
  if (file.size > limit) {
    return {
      ok: false,
      reason: 'too_large',
      phrase: {
        key: kind === 'image' ? 'attach.imageTooLarge' : 'attach.videoTooLarge',
        params: {
          name: file.name,
          size: formatFileSize(file.size, tag),
          max: formatFileSize(limit, tag),
        },
      },
    };
  }
  return { ok: true, kind };
}

/** Longest saved reply title and text accepted, in characters (as `inbox-protocol`). */
export const MAX_SAVED_REPLY_TITLE_CHARS = 100;
export const MAX_SAVED_REPLY_BODY_CHARS = 2000;

/** Why a saved reply can't be saved as written, or `null` when it can: the shop's limits. */
export function savedReplyProblem(title: string, body: string): Phrase | null {
  if (title.trim() === '' || body.trim() === '') return { key: 'savedReplies.required' };
  const titleLength = characterCount(title.trim());
  if (titleLength > MAX_SAVED_REPLY_TITLE_CHARS) {
    return {
      key: 'savedReplies.titleTooLong',
      params: { length: titleLength, max: MAX_SAVED_REPLY_TITLE_CHARS },
    };
  }
  const bodyLength = characterCount(body);
  if (bodyLength > MAX_SAVED_REPLY_BODY_CHARS) {
    return {
      key: 'savedReplies.bodyTooLong',
      params: { length: bodyLength, max: MAX_SAVED_REPLY_BODY_CHARS },
    };
  }
  return null;
}

/** Whether a reply can be sent: some text that isn't only whitespace, within the limit. */
export function replyTextState(text: string): 'empty' | 'ok' | 'too_long' {
  if (text.trim() === '') return 'empty';
  return characterCount(text) > MAX_TEXT_CHARS ? 'too_long' : 'ok';
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

const ERROR_CODES = [
  'network',
  'transient',
  'signed_out',
  'token_expired',
  'unauthenticated',
  'invalid_credentials',
  'certificate',
  'permission_denied',
  'not_found',
  'too_many_products',
  'no_products',
  'product_unavailable',
  'discount_inactive',
  'attachment_too_large',
  'unsupported_media',
  'corrupt_media',
  'staff_cannot_chat',
  'conversation_closed',
  'rate_limited',
  'database',
  'local',
  'io',
  'protocol',
  'bad_input',
  'stopped',
  'internal',
  'shop_reset',
  'maybe_sent',
  'link_refused',
  'no_browser',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * The message for an error's stable `code` (the engine's `Error::code()` and the shop's
 * `ProblemCode`), so the UI switches on codes and never on English text. Unknown codes get the
 * generic message; the screen may show the detail beside it.
 */
export function errorPhrase(code: string): Phrase {
  const known = (ERROR_CODES as readonly string[]).includes(code);
  return { key: known ? (`error.${code as ErrorCode}` satisfies MessageKey) : 'error.unknown' };
}

/** What a failed staff message offers, from its error `code` (see [`failedActions`]). */
export interface FailedActions {
  /** The line shown, headed "Not sent" or "May have been sent" before its `{reason}`. */
  label: 'message.failedReason' | 'message.maybeSentReason';
  /** Whether Retry is offered: the engine refuses it for an item from before a shop reset. */
  retry: boolean;
  /** Whether Discard puts the message's text back into the composer. */
  restoresDraft: boolean;
}

/**
 * What a failed message says and offers, as the engine's outbox decides it (`outbox::retry`,
 * `outbox::discard`). A shop refusal, or any other failure, was not sent: Retry tries again and
 * Discard gives the text back to edit. `maybe_sent` may have reached the shop: Retry reuses its
 * idempotency key so it can't go twice, but its text stays out of the composer, where it would
 * be one keystroke from going twice by hand. `shop_reset` was never sent and never will be:
 * no Retry, and no text put into a conversation its id may now give to someone else.
 */
export function failedActions(code: string): FailedActions {
  switch (code) {
    case 'maybe_sent':
      return { label: 'message.maybeSentReason', retry: true, restoresDraft: false };
    case 'shop_reset':
      return { label: 'message.failedReason', retry: false, restoresDraft: false };
    default:
      return { label: 'message.failedReason', retry: true, restoresDraft: true };
  }
}

export type ShopAddress = { ok: true; url: string } | { ok: false; phrase: Phrase };

/**
 * The shop address as the engine needs it (`https://host[:port][/path]`, no trailing slash),
 * from what staff typed: a bare host gets `https://`; `http://` and anything that isn't a
 * web address is refused with the reason, since the engine only speaks TLS.
 */
export function normalizeShopUrl(input: string): ShopAddress {
  const typed = input.trim();
  if (typed === '') return { ok: false, phrase: { key: 'signIn.error.shopUrlRequired' } };
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(typed)?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== 'https') {
    return { ok: false, phrase: { key: 'signIn.error.notHttps' } };
  }
  let url: URL;
  try {
    url = new URL(scheme === undefined ? `https://${typed}` : typed);
  } catch {
    return { ok: false, phrase: { key: 'signIn.error.invalidUrl' } };
  }
  if (url.hostname === '' || url.username !== '' || url.password !== '' || /\s/.test(typed)) {
    return { ok: false, phrase: { key: 'signIn.error.invalidUrl' } };
  }
  const path = url.pathname.replace(/\/+$/, '');
  return { ok: true, url: `https://${url.host}${path}` };
}

/** What the sign-in screen says for an error code; `shop` is the address staff typed. */
export function signInErrorPhrase(code: string, shop: string, detail: string): Phrase {
  switch (code) {
    case 'invalid_credentials':
      return { key: 'signIn.error.invalidCredentials' };
    case 'network':
      return { key: 'signIn.error.unreachable', params: { shop } };
    case 'certificate':
      return { key: 'signIn.error.certificate' };
    case 'signed_out':
    case 'token_expired':
    case 'unauthenticated':
      return { key: 'signIn.error.sessionExpired' };
    case 'rate_limited':
      return { key: 'signIn.error.rateLimited' };
    default:
      return { key: 'signIn.error.other', params: { detail } };
  }
}

// ---------------------------------------------------------------------------------------------
// Read state
// ---------------------------------------------------------------------------------------------

interface ReadViewLike {
  read_state?: { last_read_message_id?: number | null; marked_unread: boolean } | null;
  timeline: readonly (
    | { kind: 'message'; message: { id: number; author: { kind: 'customer' | 'staff' } } }
    | { kind: 'cart_event' }
    | { kind: 'order_event' }
  )[];
}

/** Whether the conversation has a customer message newer than the last one this staff member
 * read (the engine's `store::is_unread`, without "mark as unread"). Local echoes of sends have
 * negative ids and are never customer messages. */
export function hasUnseenCustomerMessage(view: ReadViewLike): boolean {
  let newest: number | null = null;
  for (const item of view.timeline) {
    if (item.kind === 'message' && item.message.author.kind === 'customer') {
      newest = Math.max(newest ?? item.message.id, item.message.id);
    }
  }
  if (newest === null) return false;
  const last = view.read_state?.last_read_message_id;
  return last == null || newest > last;
}

/** Whether showing the conversation should mark it read. Opening it does whenever it is unread,
 * "mark as unread" included; while it stays on screen, only a new customer message seen in a
 * focused window does: "mark as unread" holds until staff open the conversation again. */
export function shouldMarkRead(view: ReadViewLike, how: 'opened' | { focused: boolean }): boolean {
  const marked = view.read_state?.marked_unread ?? false;
  if (how === 'opened') return marked || hasUnseenCustomerMessage(view);
  return how.focused && !marked && hasUnseenCustomerMessage(view);
}

/**
 * What to show of a customer's presence: the mirror's "online" is only true while the app is
 * live with the shop. Offline (or catching up, or signed out) it may be hours old, so a
 * customer it last saw online shows as "unknown", never "Online".
 */
export function presence(customerOnline: boolean, syncState: string): 'online' | 'unknown' | null {
  if (!customerOnline) return null;
  return syncState === 'live' ? 'online' : 'unknown';
}

/** What the Outbox view calls each kind of queued action (`OutboxEntry.kind`). */
export const OUTBOX_KINDS = {
  message: 'outbox.kind.message',
  media: 'outbox.kind.media',
  close: 'outbox.kind.close',
  reopen: 'outbox.kind.reopen',
  mark_unread: 'outbox.kind.markUnread',
  mark_read: 'outbox.kind.markRead',
  assign: 'outbox.kind.assign',
  unassign: 'outbox.kind.unassign',
  snooze: 'outbox.kind.snooze',
  unsnooze: 'outbox.kind.unsnooze',
  add_note: 'outbox.kind.addNote',
  edit_note: 'outbox.kind.editNote',
  delete_note: 'outbox.kind.deleteNote',
  add_saved_reply: 'outbox.kind.addSavedReply',
  edit_saved_reply: 'outbox.kind.editSavedReply',
  delete_saved_reply: 'outbox.kind.deleteSavedReply',
} as const satisfies Record<string, MessageKey>;

export type OutboxKindKey = (typeof OUTBOX_KINDS)[keyof typeof OUTBOX_KINDS] | 'outbox.kind.other';

export function outboxKindKey(kind: string): OutboxKindKey {
  return (OUTBOX_KINDS as Record<string, OutboxKindKey>)[kind] ?? 'outbox.kind.other';
}

/** How many queued actions the header's Outbox button counts, and whether any failed. */
export function outboxSummary(entries: readonly { state: { state: string } }[]): {
  count: number;
  failed: number;
} {
  return {
    count: entries.length,
    failed: entries.filter((e) => e.state.state === 'failed').length,
  };
}

/** Which list a conversation is in: Closed, Snoozed (open and set aside until a time) or Open. */
export function folderOf(c: { status: ConversationStatus; snoozed_until?: number | null }): Folder {
  if (c.status === 'closed') return 'closed';
  return c.snoozed_until != null ? 'snoozed' : 'open';
}
