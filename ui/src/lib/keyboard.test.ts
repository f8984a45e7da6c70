import { afterEach, describe, expect, it } from 'vitest';

import { en } from './i18n/en';
import { t } from './i18n/index.svelte';
import {
  SHORTCUT_LABELS,
  detectPlatform,
  isTypingTarget,
  shortcutFor,
  shortcutList,
  type KeyPress,
  type KeyTarget,
  type ShortcutAction,
} from './keyboard';

const BODY: KeyTarget = { tagName: 'BODY' };
const TEXT_INPUT: KeyTarget = { tagName: 'INPUT', type: 'text' };

function press(key: string, extra: Partial<KeyPress> = {}): KeyPress {
  return {
    key,
    ctrlKey: false,
    metaKey: false,
    altKey: false,
    shiftKey: false,
    target: BODY,
    ...extra,
  };
}

describe('shortcuts outside text fields', () => {
  const cases: [string, Partial<KeyPress>, ShortcutAction][] = [
    ['j', {}, 'next'],
    ['k', {}, 'previous'],
    ['Enter', {}, 'open'],
    ['e', {}, 'toggleStatus'],
    ['u', {}, 'markUnread'],
    ['a', {}, 'assign'],
    ['/', {}, 'search'],
    ['?', { shiftKey: true }, 'shortcutHelp'],
    ['Escape', {}, 'closeOverlay'],
    ['k', { ctrlKey: true }, 'commandPalette'],
  ];
  it.each(cases)('%s %o is %s', (key, extra, action) => {
    expect(shortcutFor(press(key, extra), 'other')).toBe(action);
  });

  it('take / and ? as typed, whatever Shift the layout needed (Swedish: Shift+7, Shift++)', () => {
    expect(shortcutFor(press('/', { shiftKey: true }), 'other')).toBe('search');
    expect(shortcutFor(press('?', { shiftKey: true }), 'other')).toBe('shortcutHelp');
  });

  it('ignore keys that are not shortcuts', () => {
    for (const key of ['x', 'J', 'ArrowDown', 'Tab', ' ', 'F1', 'Shift', 'ö']) {
      expect(shortcutFor(press(key, { shiftKey: key === 'J' }), 'other'), key).toBeNull();
    }
  });

  it('match letters under Caps Lock, but not with Shift held', () => {
    expect(shortcutFor(press('J'), 'other')).toBe('next');
    expect(shortcutFor(press('J', { shiftKey: true }), 'other')).toBeNull();
    expect(shortcutFor(press('E', { shiftKey: true }), 'other')).toBeNull();
  });

  it('leave letters with Ctrl, ⌘ or Alt to the system (copy, AltGr characters, …)', () => {
    expect(shortcutFor(press('j', { ctrlKey: true }), 'other')).toBeNull();
    expect(shortcutFor(press('u', { metaKey: true }), 'mac')).toBeNull();
    expect(shortcutFor(press('e', { altKey: true }), 'other')).toBeNull();
    expect(shortcutFor(press('/', { ctrlKey: true }), 'other')).toBeNull();
    expect(shortcutFor(press('Enter', { shiftKey: true }), 'other')).toBeNull();
  });
});

describe('the command palette', () => {
  it('is ⌘K on macOS and Ctrl-K elsewhere', () => {
    expect(shortcutFor(press('k', { metaKey: true }), 'mac')).toBe('commandPalette');
    expect(shortcutFor(press('k', { ctrlKey: true }), 'other')).toBe('commandPalette');
    expect(shortcutFor(press('K', { ctrlKey: true }), 'other')).toBe('commandPalette');
  });

  it('is not Ctrl-K on macOS (delete to end of line) nor the Windows key elsewhere', () => {
    expect(shortcutFor(press('k', { ctrlKey: true }), 'mac')).toBeNull();
    expect(shortcutFor(press('k', { metaKey: true }), 'other')).toBeNull();
    expect(shortcutFor(press('k', { ctrlKey: true, shiftKey: true }), 'other')).toBeNull();
    expect(shortcutFor(press('k', { ctrlKey: true, altKey: true }), 'other')).toBeNull();
  });
});

describe('while typing', () => {
  const typingTargets: [string, KeyTarget][] = [
    ['a text input', TEXT_INPUT],
    ['an input without a type', { tagName: 'INPUT' }],
    ['a search input', { tagName: 'INPUT', type: 'search' }],
    ['an email input', { tagName: 'input', type: 'email' }],
    ['a textarea', { tagName: 'TEXTAREA' }],
    ['a select', { tagName: 'SELECT' }],
    ['a contenteditable', { tagName: 'DIV', isContentEditable: true }],
    ['a role=textbox widget', { tagName: 'DIV', role: 'textbox' }],
    ['a combobox', { tagName: 'DIV', role: 'combobox' }],
  ];

  it.each(typingTargets)('in %s, letters, Enter, / and ? are text', (_, target) => {
    for (const key of ['j', 'k', 'e', 'u', 'a', '/', 'Enter']) {
      expect(shortcutFor(press(key, { target }), 'other'), key).toBeNull();
    }
    expect(shortcutFor(press('?', { target, shiftKey: true }), 'other')).toBeNull();
  });

  it.each(typingTargets)('in %s, Escape and Ctrl/⌘-K still work', (_, target) => {
    expect(shortcutFor(press('Escape', { target }), 'other')).toBe('closeOverlay');
    expect(shortcutFor(press('k', { target, ctrlKey: true }), 'other')).toBe('commandPalette');
    expect(shortcutFor(press('k', { target, metaKey: true }), 'mac')).toBe('commandPalette');
  });

  it('does not count checkboxes, radios and buttons as typing', () => {
    for (const type of ['checkbox', 'radio', 'button', 'submit', 'range']) {
      const target = { tagName: 'INPUT', type };
      expect(isTypingTarget(target), type).toBe(false);
      expect(shortcutFor(press('j', { target }), 'other'), type).toBe('next');
    }
  });

  it('never fires in the middle of an input method composition, not even Escape', () => {
    expect(shortcutFor(press('Escape', { isComposing: true }), 'other')).toBeNull();
    expect(shortcutFor(press('j', { isComposing: true }), 'other')).toBeNull();
  });
});

describe('Enter and held keys', () => {
  it('leaves Enter to a focused button or link', () => {
    expect(shortcutFor(press('Enter', { target: { tagName: 'BUTTON' } }), 'other')).toBeNull();
    expect(shortcutFor(press('Enter', { target: { tagName: 'A' } }), 'other')).toBeNull();
    expect(
      shortcutFor(press('Enter', { target: { tagName: 'DIV', role: 'button' } }), 'other'),
    ).toBeNull();
    expect(
      shortcutFor(press('Enter', { target: { tagName: 'DIV', role: 'option' } }), 'other'),
    ).toBe('open');
  });

  it('repeats moving through the list, never an action', () => {
    expect(shortcutFor(press('j', { repeat: true }), 'other')).toBe('next');
    expect(shortcutFor(press('k', { repeat: true }), 'other')).toBe('previous');
    expect(shortcutFor(press('e', { repeat: true }), 'other')).toBeNull();
    expect(shortcutFor(press('u', { repeat: true }), 'other')).toBeNull();
    expect(shortcutFor(press('k', { repeat: true, ctrlKey: true }), 'other')).toBeNull();
  });
});

describe('with real DOM events', () => {
  afterEach(() => document.body.replaceChildren());

  function dispatch(target: HTMLElement, init: KeyboardEventInit): ShortcutAction | null {
    let action: ShortcutAction | null = null;
    document.addEventListener('keydown', (e) => (action = shortcutFor(e, 'other')), {
      once: true,
    });
    target.dispatchEvent(new KeyboardEvent('keydown', { bubbles: true, ...init }));
    return action;
  }

  it('reads the element the key went to', () => {
    const input = document.createElement('input');
    const textarea = document.createElement('textarea');
    const editable = document.createElement('div');
    editable.contentEditable = 'true';
    const row = document.createElement('div');
    row.setAttribute('role', 'option');
    const box = document.createElement('div');
    box.setAttribute('role', 'textbox');
    document.body.append(input, textarea, editable, row, box);

    expect(dispatch(input, { key: 'j' })).toBeNull();
    expect(dispatch(input, { key: 'Escape' })).toBe('closeOverlay');
    expect(dispatch(textarea, { key: 'k', ctrlKey: true })).toBe('commandPalette');
    expect(dispatch(textarea, { key: '/' })).toBeNull();
    expect(dispatch(box, { key: 'a' })).toBeNull();
    expect(dispatch(row, { key: 'Enter' })).toBe('open');
    expect(dispatch(row, { key: 'j' })).toBe('next');
    expect(dispatch(document.body, { key: '?' })).toBe('shortcutHelp');
    // jsdom does not implement isContentEditable; the role or a real browser covers it.
    expect(isTypingTarget({ tagName: 'DIV', isContentEditable: true })).toBe(true);
  });
});

describe('platform and help', () => {
  it('knows macOS from the navigator', () => {
    expect(detectPlatform({ platform: 'MacIntel' })).toBe('mac');
    expect(detectPlatform({ userAgentData: { platform: 'macOS' } })).toBe('mac');
    expect(detectPlatform({ platform: 'Win32' })).toBe('other');
    expect(detectPlatform({ platform: 'Linux x86_64' })).toBe('other');
    expect(detectPlatform({})).toBe('other');
  });

  it('lists every shortcut once, with the platform’s key for the palette', () => {
    const mac = shortcutList('mac');
    const actions = mac.map((s) => s.action);
    expect(new Set(actions).size).toBe(actions.length);
    expect(actions.sort()).toEqual(Object.keys(SHORTCUT_LABELS).sort());
    expect(mac.find((s) => s.action === 'commandPalette')?.keys).toEqual(['⌘', 'K']);
    expect(shortcutList('other').find((s) => s.action === 'commandPalette')?.keys).toEqual([
      'Ctrl',
      'K',
    ]);
    for (const key of Object.values(SHORTCUT_LABELS)) expect(en[key]).toBeTruthy();
    expect(mac.map((s) => t(SHORTCUT_LABELS[s.action]))).toContain('Command palette');
  });
});

describe('quit', () => {
  it('is Ctrl-Q (⌘Q on macOS), also while typing', () => {
    expect(shortcutFor(press('q', { ctrlKey: true }), 'other')).toBe('quit');
    expect(shortcutFor(press('Q', { ctrlKey: true, target: TEXT_INPUT }), 'other')).toBe('quit');
    expect(shortcutFor(press('q', { metaKey: true }), 'mac')).toBe('quit');
    expect(shortcutFor(press('q', { ctrlKey: true }), 'mac')).toBeNull();
    expect(shortcutFor(press('q'), 'other')).toBeNull();
    expect(shortcutFor(press('q', { ctrlKey: true, shiftKey: true }), 'other')).toBeNull();
    expect(shortcutFor(press('q', { ctrlKey: true, repeat: true }), 'other')).toBeNull();
  });
});

describe('snooze', () => {
  it('is Z on the list or a conversation, never while typing', () => {
    expect(shortcutFor(press('z'), 'other')).toBe('snooze');
    expect(shortcutFor(press('Z'), 'mac')).toBe('snooze');
    expect(shortcutFor(press('z', { target: TEXT_INPUT }), 'other')).toBeNull();
    expect(shortcutFor(press('z', { ctrlKey: true }), 'other')).toBeNull();
    expect(shortcutList('other').find((s) => s.action === 'snooze')?.keys).toEqual(['Z']);
    expect(t(SHORTCUT_LABELS.snooze)).toBe('Snooze');
  });
});
