//! Pure message lookup: interpolation of `{name}` placeholders and plural selection. No state
//! here; the current locale lives in `index.svelte.ts`.

import type { Dictionary, Message, PluralForms } from './types';

/** Numbers in messages are written the locale's way (`1 234` in Swedish, `1,234` in English). */
function show(value: string | number, tag: string): string {
  return typeof value === 'number' ? new Intl.NumberFormat(tag).format(value) : value;
}

/**
 * Replaces each `{name}` with its parameter. A placeholder without a parameter stays as it is,
 * so a mistake is visible on screen instead of silently blank.
 */
export function interpolate(
  template: string,
  params: Readonly<Record<string, string | number>> | undefined,
  tag: string,
): string {
  if (!params) return template;
  return template.replace(/\{([A-Za-z0-9_]+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : show(value, tag);
  });
}

const pluralRules = new Map<string, Intl.PluralRules>();

function rulesFor(tag: string): Intl.PluralRules {
  let rules = pluralRules.get(tag);
  if (!rules) {
    rules = new Intl.PluralRules(tag);
    pluralRules.set(tag, rules);
  }
  return rules;
}

/** The form of `forms` that `count` takes in `tag`, falling back to `other`. */
export function pluralForm(forms: PluralForms, count: number, tag: string): string {
  const category = rulesFor(tag).select(count);
  return forms[category] ?? forms.other;
}

export function isPlural(message: Message): message is PluralForms {
  return typeof message !== 'string';
}

/**
 * Looks `key` up in `dictionary` (then in `fallback`), picks the plural form by `params.count`
 * and fills in the placeholders. An unknown key is returned as itself.
 */
export function translate(
  dictionary: Dictionary,
  fallback: Dictionary,
  tag: string,
  key: string,
  params?: Readonly<Record<string, string | number>>,
): string {
  const message = dictionary[key] ?? fallback[key];
  if (message === undefined) return key;
  const template = isPlural(message)
    ? pluralForm(message, typeof params?.count === 'number' ? params.count : 0, tag)
    : message;
  return interpolate(template, params, tag);
}
