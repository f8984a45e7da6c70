import { describe, expect, it } from 'vitest';
import { en } from './en';
import { dictionaries, pickLang } from './i18n';
import { sv } from './sv';

describe('pickLang', () => {
  it('speaks Swedish when the browser prefers it, in any region', () => {
    expect(pickLang(['sv-SE', 'en-US'])).toBe('sv');
    expect(pickLang(['sv-FI'])).toBe('sv');
    expect(pickLang(['SV'])).toBe('sv');
  });
  it('takes the first language it knows', () => {
    expect(pickLang(['de-DE', 'sv-SE', 'en'])).toBe('sv');
    expect(pickLang(['en-GB', 'sv-SE'])).toBe('en');
  });
  it('falls back to English', () => {
    expect(pickLang(['de-DE', 'fi'])).toBe('en');
    expect(pickLang([])).toBe('en');
  });
  it('lets the embed snippet choose, unless it says auto or something unknown', () => {
    expect(pickLang(['en-US'], 'sv')).toBe('sv');
    expect(pickLang(['sv-SE'], 'en')).toBe('en');
    expect(pickLang(['sv-SE'], 'auto')).toBe('sv');
    expect(pickLang(['sv-SE'], 'klingon')).toBe('sv');
  });
});

describe('the dictionaries', () => {
  it('have the same keys, and Swedish functions take the same arguments', () => {
    expect(Object.keys(sv).sort()).toEqual(Object.keys(en).sort());
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      const english = en[key];
      const swedish = sv[key];
      expect(typeof swedish, key).toBe(typeof english);
      if (typeof english === 'function')
        expect((swedish as typeof english).length, key).toBe(english.length);
    }
  });
  it('say different things: nothing was left in English by mistake', () => {
    const same = (Object.keys(en) as (keyof typeof en)[]).filter((key) => {
      const e = en[key];
      const s = sv[key];
      return typeof e === 'string' && e === s;
    });
    expect(same).toEqual([]);
    expect(dictionaries.sv.cartAdded('Mugg')).toBe('Du lade Mugg i varukorgen');
  });
});
