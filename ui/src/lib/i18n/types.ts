//! The shapes of the translation dictionaries and what a message's parameters are.
//!
//! A message is a string with `{name}` placeholders, or a set of plural forms chosen by the
//! `count` parameter through `Intl.PluralRules` (English and Swedish use `one` and `other`).
//! Placeholder names are read from the English strings at the type level, so a call that
//! forgets a parameter, or passes one the message does not have, fails svelte-check.

/** Plural forms keyed by CLDR category; `other` is always required. */
export type PluralForms = { readonly other: string } & {
  readonly [C in Exclude<Intl.LDMLPluralRule, 'other'>]?: string;
};

export type Message = string | PluralForms;

export type Dictionary = Readonly<Record<string, Message>>;

/** `{a} and {b}` → `'a' | 'b'`. */
export type PlaceholderNames<S extends string> = S extends `${string}{${infer P}}${infer Rest}`
  ? P | PlaceholderNames<Rest>
  : never;

/** The parameters one message takes; plural messages always take a numeric `count`. */
export type MessageParams<M> = M extends string
  ? [PlaceholderNames<M>] extends [never]
    ? undefined
    : { readonly [P in PlaceholderNames<M>]: string | number }
  : M extends PluralForms
    ? {
        readonly [P in Exclude<PlaceholderNames<M[keyof M] & string>, 'count'>]: string | number;
      } & {
        readonly count: number;
      }
    : never;

/** A translation of `D`: the same keys, a string for a string, plural forms for plural forms. */
export type TranslationOf<D extends Dictionary> = {
  readonly [K in keyof D]: D[K] extends string ? string : PluralForms;
};
