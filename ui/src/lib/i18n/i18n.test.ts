import { flushSync } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';

import topicRs from '../../../../crates/inbox-protocol/src/topic.rs?raw';
import { en, type MessageKey } from './en';
import {
  detectLocale,
  getIntlTag,
  getLocale,
  intlTag,
  isMessageKey,
  localeFor,
  setLocale,
  t,
  tPhrase,
  translateIn,
} from './index.svelte';
import { sv } from './sv';
import { interpolate, pluralForm } from './translate';
import type { Message } from './types';

const keys = Object.keys(en) as MessageKey[];

function placeholders(message: Message): string[] {
  const texts = typeof message === 'string' ? [message] : Object.values(message);
  const names = new Set<string>();
  for (const text of texts) {
    for (const [, name] of text.matchAll(/\{([A-Za-z0-9_]+)\}/g)) names.add(name!);
  }
  return [...names].sort();
}

/** Strings that are the same in both languages on purpose: names, loanwords, numbers. */
const SAME_IN_BOTH = new Set<MessageKey>([
  'attach.imageDetails',
  'attach.videoDetails',
  'app.name',
  'list.online',
  'conversation.online',
  'platform.messenger',
  'platform.instagram',
  'preview.video',
  'message.video',
  'header.cartLine',
  'profile.localTimeValue',
  'notes.byline',
  'details.status',
  'about.version',
  'about.app',
  'settings.languageEnglish',
  'settings.languageSwedish',
  'sync.live',
  'productPicker.variants',
]);

describe('the dictionaries', () => {
  it('have the same keys in Swedish as in English', () => {
    expect(Object.keys(sv).sort()).toEqual([...keys].sort());
  });

  it('keep every placeholder of the English message in the Swedish one', () => {
    const mismatched = keys.filter(
      (key) => placeholders(en[key]).join() !== placeholders(sv[key]).join(),
    );
    expect(mismatched).toEqual([]);
  });

  it('use plural forms in Swedish exactly where English does, with every form each language needs', () => {
    for (const [dictionary, tag] of [
      [en, 'en'],
      [sv, 'sv'],
    ] as const) {
      const categories = new Intl.PluralRules(tag).resolvedOptions().pluralCategories;
      for (const key of keys) {
        const message: Message = dictionary[key];
        expect(typeof message, `${tag} ${key}`).toBe(typeof en[key]);
        if (typeof message !== 'string') {
          for (const category of categories) {
            expect(message[category], `${tag} ${key} ${category}`).toBeTypeOf('string');
          }
        }
      }
    }
  });

  it('have no empty or padded strings', () => {
    for (const dictionary of [en, sv]) {
      for (const key of keys) {
        const message: Message = dictionary[key];
        for (const text of typeof message === 'string' ? [message] : Object.values(message)) {
          expect(text.trim(), key).not.toBe('');
          expect(text, key).toBe(text.trim());
        }
      }
    }
  });

  it('translate everything into Swedish except the names and loanwords listed', () => {
    const untranslated = keys.filter(
      (key) => JSON.stringify(en[key]) === JSON.stringify(sv[key]) && !SAME_IN_BOTH.has(key),
    );
    expect(untranslated).toEqual([]);
  });

  it('use the Swedish help page’s own words', () => {
    const seed: Partial<Record<MessageKey, string>> = {
      'list.open': 'Öppna',
      'list.closed': 'Stängda',
      'list.openConversations': 'Öppna konversationer',
      'list.closedConversations': 'Stängda konversationer',
      'list.filter.mine': 'Tilldelade till mig',
      'list.filter.unassigned': 'Ej tilldelade',
      'list.filter.all': 'Alla',
      'action.close': 'Stäng konversation',
      'action.reopen': 'Öppna konversation igen',
      'action.markUnread': 'Markera som oläst',
      'action.assign': 'Tilldela',
      'action.unassign': 'Ta bort tilldelning',
      'assign.title': 'Tilldela personal',
      'discountPicker.share': 'Dela rabatt',
      'profile.show': 'Visa kundprofil',
      'profile.details': 'Kunduppgifter',
      'profile.manage': 'Hantera',
      'profile.subscribed': 'Prenumererar',
      'orders.last': 'Senast lagda order',
      'orders.viewAll': 'Visa alla',
      'details.title': 'Konversationsuppgifter',
      'composer.send': 'Skicka',
      'productPicker.selectUpTo': 'Du kan välja upp till tre produkter åt gången.',
      'notes.internal': 'Kundanteckningar är interna och syns inte för kunden.',
    };
    for (const [key, text] of Object.entries(seed)) {
      expect(sv[key as MessageKey], key).toBe(text);
    }
    expect(sv['productPicker.share'].one).toBe('Dela produkt');
    expect(sv['list.assignedTo']).toBe('Tilldelad till {name}');
  });

  it('name the topics as the classifier crate does, in both languages', () => {
    // topic.rs is the source of truth for keys and labels; read it rather than copy it.
    const arms = (fn: string): Map<string, string> => {
      const body = topicRs.slice(topicRs.indexOf(`pub fn ${fn}(`)).split('\n    }\n')[0]!;
      return new Map([...body.matchAll(/Topic::(\w+) => "([^"]+)"/g)].map((m) => [m[1]!, m[2]!]));
    };
    const wireKeys = arms('key');
    const labelsEn = arms('label_en');
    const labelsSv = arms('label_sv');
    expect(wireKeys.size).toBe(10);
    const topicKeys = keys.filter((k) => k.startsWith('topic.')).map((k) => k.slice(6));
    expect(topicKeys.sort()).toEqual([...wireKeys.values()].sort());
    for (const [variant, key] of wireKeys) {
      expect(en[`topic.${key}` as MessageKey], key).toBe(labelsEn.get(variant));
      expect(sv[`topic.${key}` as MessageKey], key).toBe(labelsSv.get(variant));
    }
  });
});

describe('interpolation and plurals', () => {
  it('fills named placeholders and leaves unknown ones visible', () => {
    expect(interpolate('Assigned to {name}', { name: 'Sara' }, 'en')).toBe('Assigned to Sara');
    expect(interpolate('{a} and {b}', { a: 'x' }, 'en')).toBe('x and {b}');
    expect(translateIn('sv', 'sv-SE', 'list.assignedTo', { name: 'Åsa' })).toBe(
      'Tilldelad till Åsa',
    );
  });

  it('writes numeric parameters the locale’s way', () => {
    expect(translateIn('en', 'en-GB', 'search.results', { count: 1234 })).toBe('1,234 results');
    expect(translateIn('sv', 'sv-SE', 'search.results', { count: 1234 })).toBe(
      '1\u00a0234 träffar',
    );
  });

  it('picks the plural form by count with Intl.PluralRules', () => {
    expect(translateIn('en', 'en-GB', 'orders.count', { count: 1 })).toBe('1 order');
    expect(translateIn('en', 'en-GB', 'orders.count', { count: 0 })).toBe('0 orders');
    expect(translateIn('en', 'en-GB', 'orders.count', { count: 2 })).toBe('2 orders');
    expect(translateIn('sv', 'sv-SE', 'orders.count', { count: 1 })).toBe('1 order');
    expect(translateIn('sv', 'sv-SE', 'orders.count', { count: 2 })).toBe('2 ordrar');
    expect(translateIn('sv', 'sv-SE', 'search.results', { count: 1 })).toBe('1 träff');
    expect(translateIn('sv', 'sv-SE', 'search.results', { count: 0 })).toBe('0 träffar');
    expect(translateIn('en', 'en-GB', 'productPicker.share', { count: 1 })).toBe('Share product');
    expect(translateIn('sv', 'sv-SE', 'productPicker.share', { count: 3 })).toBe('Dela produkter');
  });

  it('treats 1.5 as plural in English, as CLDR does', () => {
    expect(pluralForm({ one: 'one', other: 'other' }, 1.5, 'en')).toBe('other');
    expect(pluralForm({ one: 'one', other: 'other' }, 1, 'en')).toBe('one');
  });

  it('falls back to the key for an unknown message', () => {
    expect(tPhrase({ key: 'no.such.key' as MessageKey })).toBe('no.such.key');
    expect(isMessageKey('list.open')).toBe(true);
    expect(isMessageKey('list.nope')).toBe(false);
  });
});

describe('the locale', () => {
  afterEach(() => setLocale('en'));

  it('starts from the system languages: sv* is Swedish, anything else English', () => {
    expect(detectLocale(['sv-SE', 'en-US'])).toBe('sv');
    expect(detectLocale(['sv'])).toBe('sv');
    expect(detectLocale(['SV-fi'])).toBe('sv');
    expect(detectLocale(['en-US', 'sv-SE'])).toBe('en');
    expect(detectLocale(['de-DE'])).toBe('en');
    expect(detectLocale(['svc'])).toBe('en');
    expect(detectLocale([])).toBe('en');
    expect(localeFor('system', ['sv-SE'])).toBe('sv');
    expect(localeFor('en', ['sv-SE'])).toBe('en');
  });

  it('keeps the system’s regional formats for the chosen language', () => {
    expect(intlTag('en', ['en-US', 'en'])).toBe('en-US');
    expect(intlTag('en', ['sv-SE'])).toBe('en-GB');
    expect(intlTag('sv', ['sv-FI', 'en'])).toBe('sv-FI');
    expect(intlTag('sv', ['en-US'])).toBe('sv-SE');
  });

  it('switches every message at once, and the document language with it', () => {
    setLocale('sv');
    flushSync();
    expect(getLocale()).toBe('sv');
    expect(getIntlTag()).toBe('sv-SE');
    expect(t('list.open')).toBe('Öppna');
    expect(t('list.unreadCount', { count: 2 })).toBe('2 olästa');
    expect(document.documentElement.lang).toBe('sv');

    // jsdom's navigator says en-US.
    setLocale('system');
    expect(getLocale()).toBe('en');
    expect(getIntlTag()).toBe('en-US');
    expect(t('list.open')).toBe('Open');
    expect(document.documentElement.lang).toBe('en');
  });
});
