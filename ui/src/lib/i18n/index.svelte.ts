//! The app's language: which one is in use (a `$state`, so everything that calls `t` updates
//! when it changes), how the first one is chosen, and `t` itself.
//!
//! The locale starts from the system's languages (`sv*` → Swedish, anything else → English) and
//! can be switched; persisting the choice is the settings screen's job, not this module's.

import { en, type English, type MessageKey, type Phrase } from './en';
import { sv } from './sv';
import { translate } from './translate';
import type { Dictionary, MessageParams } from './types';

export type { MessageKey, Phrase } from './en';
export type { MessageParams } from './types';

export type Locale = 'en' | 'sv';

export const LOCALES: readonly Locale[] = ['en', 'sv'];

/** A language setting: a fixed locale, or whatever the system prefers. */
export type LanguagePreference = Locale | 'system';

const dictionaries: Record<Locale, Dictionary> = { en, sv };

/** The regional formats used when the system names none for the chosen language. */
const DEFAULT_TAGS: Record<Locale, string> = { en: 'en-GB', sv: 'sv-SE' };

/** The locale for a list of BCP 47 tags, in preference order: the first one decides. */
export function detectLocale(languages: readonly string[]): Locale {
  const first = languages[0]?.toLowerCase() ?? '';
  return first === 'sv' || first.startsWith('sv-') ? 'sv' : 'en';
}

/**
 * The `Intl` tag for `locale`: the system's own regional variant when it has one for that
 * language (an `en-US` system keeps US dates in English), else `en-GB` or `sv-SE`.
 */
export function intlTag(locale: Locale, languages: readonly string[]): string {
  const regional = languages.find((tag) => {
    const lower = tag.toLowerCase();
    return lower.startsWith(`${locale}-`) && isSupportedTag(tag);
  });
  return regional ?? DEFAULT_TAGS[locale];
}

function isSupportedTag(tag: string): boolean {
  try {
    return Intl.DateTimeFormat.supportedLocalesOf([tag]).length > 0;
  } catch {
    return false;
  }
}

function systemLanguages(): readonly string[] {
  if (typeof navigator === 'undefined') return [];
  if (navigator.languages.length > 0) return navigator.languages;
  return navigator.language ? [navigator.language] : [];
}

export function localeFor(preference: LanguagePreference, languages: readonly string[]): Locale {
  return preference === 'system' ? detectLocale(languages) : preference;
}

const state = $state<{ locale: Locale; tag: string }>(initial());

function initial(): { locale: Locale; tag: string } {
  const languages = systemLanguages();
  const locale = detectLocale(languages);
  return { locale, tag: intlTag(locale, languages) };
}

/** The current locale; reading it inside a component or `$derived` tracks it. */
export function getLocale(): Locale {
  return state.locale;
}

/** The current `Intl` tag (`sv-SE`, `en-GB`, …), for the formatters in `format.ts`. */
export function getIntlTag(): string {
  return state.tag;
}

/** Switches the language everywhere, including `<html lang>` for screen readers. */
export function setLocale(preference: LanguagePreference): void {
  const languages = systemLanguages();
  const locale = localeFor(preference, languages);
  state.locale = locale;
  state.tag = intlTag(locale, languages);
  if (typeof document !== 'undefined') document.documentElement.lang = locale;
}

type Args<K extends MessageKey> =
  MessageParams<English[K]> extends undefined ? [] : [params: MessageParams<English[K]>];

/** A message in `locale`, with English as the fallback for a key Swedish lacks at run time. */
export function translateIn<K extends MessageKey>(
  locale: Locale,
  tag: string,
  key: K,
  ...args: Args<K>
): string {
  return translate(dictionaries[locale], en, tag, key, args[0]);
}

/** A message in the current locale. */
export function t<K extends MessageKey>(key: K, ...args: Args<K>): string {
  return translateIn(state.locale, state.tag, key, ...args);
}

/** A phrase (a key and parameters chosen by data, such as a rule's verdict) in the current locale. */
export function tPhrase(phrase: Phrase): string {
  return translate(dictionaries[state.locale], en, state.tag, phrase.key, phrase.params);
}

/** A phrase in `locale`; the pure form of `tPhrase`, for tests and non-reactive code. */
export function translatePhrase(locale: Locale, tag: string, phrase: Phrase): string {
  return translate(dictionaries[locale], en, tag, phrase.key, phrase.params);
}

/** Whether `key` names a message; for keys built from data, such as `topic.${topic}`. */
export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(en, key);
}
