//! The keyboard map: which action a key press asks for, as a pure function of the event's
//! fields, so the rules are tested without a DOM and the app has one `keydown` listener that
//! dispatches on the returned name.
//!
//! While staff type in a text field only Escape, the command palette (Ctrl-K, ⌘K on macOS) and
//! Quit (Ctrl-Q, ⌘Q) and the text size (Ctrl/⌘ with +, - and 0) are shortcuts; every other key belongs to the text. Enter on a button or link stays that
//! control's own, and held-down keys repeat only the list movements.

import type { MessageKey } from './i18n/en';

export type ShortcutAction =
  | 'next'
  | 'previous'
  | 'open'
  | 'toggleStatus'
  | 'markUnread'
  | 'assign'
  | 'snooze'
  | 'search'
  | 'commandPalette'
  | 'closeOverlay'
  | 'shortcutHelp'
  | 'textBigger'
  | 'textSmaller'
  | 'textReset'
  | 'quit';

export type KeyboardPlatform = 'mac' | 'other';

/** What a shortcut needs to know about the element a key press went to. */
export interface KeyTarget {
  tagName?: string;
  isContentEditable?: boolean;
  /** For inputs: `text`, `checkbox`, … */
  type?: string;
  /** The ARIA role, for custom widgets such as `role="textbox"`. */
  role?: string | null;
}

/** The fields of a `KeyboardEvent` the map reads; a real event fits as it is. */
export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
  repeat?: boolean;
  /** True while an input method (Japanese, Chinese, dead keys…) is composing text. */
  isComposing?: boolean;
  target?: KeyTarget | EventTarget | null;
}

/** Input types that take no typing, so shortcuts still work while one has focus. */
const NON_TEXT_INPUTS = new Set([
  'button',
  'checkbox',
  'color',
  'file',
  'image',
  'radio',
  'range',
  'reset',
  'submit',
]);

const TEXT_ROLES = new Set(['textbox', 'searchbox', 'combobox', 'spinbutton']);

function asTarget(target: KeyPress['target']): KeyTarget | null {
  if (!target || typeof target !== 'object') return null;
  const t = target as KeyTarget & { getAttribute?: (name: string) => string | null };
  return {
    tagName: t.tagName,
    isContentEditable: t.isContentEditable,
    type: t.type,
    role: t.role ?? (typeof t.getAttribute === 'function' ? t.getAttribute('role') : null),
  };
}

/** Whether key presses to `target` are typing: text inputs, text areas, selects, editables. */
export function isTypingTarget(target: KeyPress['target']): boolean {
  const t = asTarget(target);
  if (!t) return false;
  if (t.isContentEditable) return true;
  if (t.role && TEXT_ROLES.has(t.role)) return true;
  switch (t.tagName?.toUpperCase()) {
    case 'TEXTAREA':
    case 'SELECT':
      return true;
    case 'INPUT':
      return !NON_TEXT_INPUTS.has((t.type ?? 'text').toLowerCase());
    default:
      return false;
  }
}

/** Whether Enter on `target` already does something (activates a button, follows a link). */
function enterBelongsTo(target: KeyPress['target']): boolean {
  const t = asTarget(target);
  if (!t) return false;
  const tag = t.tagName?.toUpperCase();
  if (tag === 'BUTTON' || tag === 'A' || tag === 'SUMMARY') return true;
  if (tag === 'INPUT') return true;
  return t.role === 'button' || t.role === 'link' || t.role === 'menuitem' || t.role === 'tab';
}

/** The platform for the command key: ⌘ on macOS, Ctrl elsewhere. */
export function detectPlatform(nav?: {
  platform?: string;
  userAgent?: string;
  userAgentData?: { platform?: string };
}): KeyboardPlatform {
  const n = nav ?? (typeof navigator === 'undefined' ? undefined : navigator);
  if (!n) return 'other';
  const data = (n as { userAgentData?: { platform?: string } }).userAgentData;
  const name = data?.platform || n.platform || n.userAgent || '';
  return /mac|iphone|ipad|ipod/i.test(name) ? 'mac' : 'other';
}

/** Single letters, matched without Shift (Caps Lock gives upper case without Shift). */
const LETTERS: Readonly<Record<string, ShortcutAction>> = {
  j: 'next',
  k: 'previous',
  e: 'toggleStatus',
  u: 'markUnread',
  a: 'assign',
  z: 'snooze',
};

/** Actions that make sense to repeat while a key is held down. */
const REPEATABLE = new Set<ShortcutAction>(['next', 'previous']);

/**
 * The action a key press asks for, or `null` when it is not a shortcut (and must be left to
 * the browser: the caller calls `preventDefault()` only for a non-null answer).
 */
export function shortcutFor(press: KeyPress, platform: KeyboardPlatform): ShortcutAction | null {
  if (press.isComposing) return null;
  const action = match(press, platform);
  if (action === null) return null;
  if (press.repeat && !REPEATABLE.has(action)) return null;
  return action;
}

function match(press: KeyPress, platform: KeyboardPlatform): ShortcutAction | null {
  const { key } = press;

  // The command palette: ⌘K on macOS (where Ctrl-K deletes to the end of the line in text
  // fields), Ctrl-K elsewhere. It works while typing.
  const command =
    platform === 'mac' ? press.metaKey && !press.ctrlKey : press.ctrlKey && !press.metaKey;
  if (command && !press.altKey && !press.shiftKey && key.toLowerCase() === 'k') {
    return 'commandPalette';
  }
  // Quit, as every app: Ctrl-Q, ⌘Q on macOS (where the app menu's Quit has it too).
  if (command && !press.altKey && !press.shiftKey && key.toLowerCase() === 'q') {
    return 'quit';
  }

  // Text size, as in every browser: Ctrl/⌘ with + (or =, its key without Shift), - and 0.
  // They work while typing too.
  if (command && !press.altKey) {
    if (key === '+' || key === '=') return 'textBigger';
    if (key === '-' || key === '_') return 'textSmaller';
    if (key === '0' && !press.shiftKey) return 'textReset';
  }

  if (key === 'Escape' && !press.ctrlKey && !press.metaKey && !press.altKey) {
    return 'closeOverlay';
  }

  // Everything else is a plain key: no Ctrl, ⌘ or Alt (AltGr types characters on many
  // layouts), and never while typing.
  if (press.ctrlKey || press.metaKey || press.altKey) return null;
  if (isTypingTarget(press.target)) return null;

  // `/` and `?` are what the layout typed, whatever Shift it took to type them.
  if (key === '/') return 'search';
  if (key === '?') return 'shortcutHelp';

  if (key === 'Enter') {
    return press.shiftKey || enterBelongsTo(press.target) ? null : 'open';
  }

  if (press.shiftKey) return null;
  return LETTERS[key.toLowerCase()] ?? null;
}

/** A shortcut as the help overlay and the command palette show it. */
export interface ShortcutHelp {
  action: ShortcutAction;
  /** Keys to press together, as shown on the keycaps. */
  keys: string[];
}

/** Every shortcut, in the order the help overlay lists them, with the platform's key names. */
export function shortcutList(platform: KeyboardPlatform): ShortcutHelp[] {
  const command = platform === 'mac' ? ['⌘', 'K'] : ['Ctrl', 'K'];
  const quit = platform === 'mac' ? ['⌘', 'Q'] : ['Ctrl', 'Q'];
  return [
    { action: 'next', keys: ['J'] },
    { action: 'previous', keys: ['K'] },
    { action: 'open', keys: ['Enter'] },
    { action: 'toggleStatus', keys: ['E'] },
    { action: 'markUnread', keys: ['U'] },
    { action: 'assign', keys: ['A'] },
    { action: 'snooze', keys: ['Z'] },
    { action: 'search', keys: ['/'] },
    { action: 'commandPalette', keys: command },
    { action: 'closeOverlay', keys: ['Esc'] },
    { action: 'shortcutHelp', keys: ['?'] },
    { action: 'textBigger', keys: [command[0]!, '+'] },
    { action: 'textSmaller', keys: [command[0]!, '-'] },
    { action: 'textReset', keys: [command[0]!, '0'] },
    { action: 'quit', keys: quit },
  ];
}

/** The message key naming each action in the shortcut help. */
export const SHORTCUT_LABELS = {
  next: 'shortcuts.next',
  previous: 'shortcuts.previous',
  open: 'shortcuts.open',
  toggleStatus: 'shortcuts.toggleStatus',
  markUnread: 'shortcuts.markUnread',
  assign: 'shortcuts.assign',
  snooze: 'shortcuts.snooze',
  search: 'shortcuts.search',
  commandPalette: 'shortcuts.commandPalette',
  closeOverlay: 'shortcuts.closeOverlay',
  shortcutHelp: 'shortcuts.help',
  textBigger: 'shortcuts.textBigger',
  textSmaller: 'shortcuts.textSmaller',
  textReset: 'shortcuts.textReset',
  quit: 'shortcuts.quit',
} as const satisfies Record<ShortcutAction, MessageKey>;
