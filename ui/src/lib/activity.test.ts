import { afterEach, describe, expect, it } from 'vitest';

import type { Present } from '../bindings';
import { message } from '../test/fixtures';
import { activityLine, firstName, repliedSince } from './activity';
import { setLocale } from './i18n/index.svelte';

afterEach(() => setLocale('en'));

const names: Record<number, string> = { 1: 'Jonas Berg', 2: 'Maja Lind', 3: 'Ola Ek' };
const staffName = (id: number) => names[id] ?? null;
const present = (staff_id: number | null, typing: boolean): Present => ({
  conversation_id: 7,
  staff_id,
  typing,
  until: 1,
});

describe('activityLine', () => {
  it('names a colleague by first name, and the typing before the viewing', () => {
    expect(activityLine([present(1, false)], staffName, 'Cecilia Berg', 'en')).toEqual({
      typing: false,
      text: 'Jonas is viewing',
    });
    expect(
      activityLine([present(1, false), present(2, true)], staffName, 'Cecilia Berg', 'en'),
    ).toEqual({ typing: true, text: 'Maja is typing…' });
    expect(activityLine([present(null, true)], staffName, 'Cecilia Berg', 'en')?.text).toBe(
      'Cecilia Berg is typing…',
    );
    expect(activityLine([], staffName, 'Cecilia Berg', 'en')).toBeNull();
  });

  it('lists several in the language’s way, in English and Swedish', () => {
    const three = [present(1, false), present(2, false), present(3, false)];
    expect(activityLine(three, staffName, 'x', 'en')?.text).toBe(
      'Jonas, Maja, and Ola are viewing',
    );
    setLocale('sv');
    expect(activityLine(three, staffName, 'x', 'sv')?.text).toBe(
      'Jonas, Maja och Ola tittar på den',
    );
    expect(activityLine([present(2, true)], staffName, 'x', 'sv')?.text).toBe('Maja skriver…');
    expect(activityLine([present(9, false)], staffName, 'x', 'sv')?.text).toBe(
      'Okänt tittar på den',
    );
  });

  it('takes a first name from a name with spaces around it', () => {
    expect(firstName('  Jonas  Berg ')).toBe('Jonas');
    expect(firstName('Cher')).toBe('Cher');
  });
});

describe('repliedSince', () => {
  const item = (over: Parameters<typeof message>[0]) => ({
    kind: 'message' as const,
    ...message(over),
  });
  const timeline = [
    item({ id: 1, author: { kind: 'customer', customer_id: 10 }, created_at: 5_000 }),
    item({ id: 2, author: { kind: 'staff', staff_id: 2 }, created_at: 6_000 }),
    item({ id: 3, author: { kind: 'staff', staff_id: 1 }, created_at: 7_000 }),
    item({ id: 4, author: { kind: 'staff', staff_id: 3 }, created_at: 8_000 }),
    item({ id: 5, author: { kind: 'customer', customer_id: 10 }, created_at: 9_000 }),
  ];

  it('finds the newest colleague’s reply after the reply was begun, never my own', () => {
    expect(repliedSince(timeline, 5_500, 3)).toEqual({ staffId: 1, messageId: 3, at: 7_000 });
    expect(repliedSince(timeline, 5_500, 1)).toEqual({ staffId: 3, messageId: 4, at: 8_000 });
    expect(repliedSince(timeline, 6_500, 3)).toEqual({ staffId: 1, messageId: 3, at: 7_000 });
    expect(repliedSince(timeline, 8_000, 1)).toBeNull();
    expect(repliedSince(timeline, 7_500, 3)).toBeNull();
  });
});
