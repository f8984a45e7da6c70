// Which language the widget speaks: Swedish when the browser prefers it, English otherwise, or
// what the embed snippet's `data-lang` says. Owns the choice only; the words are en.ts / sv.ts.

import { en, type Words } from './en';
import { sv } from './sv';

export type Lang = 'en' | 'sv';

export const dictionaries: Record<Lang, Words> = { en, sv };

/** The first of the browser's languages the widget speaks; English when none. */
export function pickLang(preferred: readonly string[], forced?: string | null): Lang {
  const known = (tag: string): Lang | null => {
    const primary = tag.trim().toLowerCase().split(/[-_]/)[0];
    return primary === 'sv' || primary === 'en' ? primary : null;
  };
  if (forced && forced !== 'auto') {
    const lang = known(forced);
    if (lang) return lang;
  }
  for (const tag of preferred) {
    const lang = known(tag);
    if (lang) return lang;
  }
  return 'en';
}

export type { Words };
