import { describe, expect, it } from 'vitest';

import { linkify } from './text';

describe('linkify', () => {
  it('finds web links and leaves the sentence around them as text', () => {
    expect(linkify('See https://shop.example/mug, thanks!')).toEqual([
      { kind: 'text', text: 'See ' },
      { kind: 'link', text: 'https://shop.example/mug', url: 'https://shop.example/mug' },
      { kind: 'text', text: ', thanks!' },
    ]);
    expect(linkify('javascript:alert(1) ftp://x.example')).toEqual([
      { kind: 'text', text: 'javascript:alert(1) ftp://x.example' },
    ]);
  });

  it('ends a link at a bidirectional override, so its text reads as the address it opens', () => {
    const segments = linkify('Invoice: https://shop.example/\u202Efdp.exe');
    const link = segments.find((s) => s.kind === 'link');
    expect(link).toEqual({
      kind: 'link',
      text: 'https://shop.example/',
      url: 'https://shop.example/',
    });
    for (const hidden of ['\u200B', '\u200F', '\u2066', '\uFEFF']) {
      const url = linkify(`https://a.example/x${hidden}y`).find((s) => s.kind === 'link');
      expect(url?.text).toBe('https://a.example/x');
    }
  });
});
