import { describe, expect, it } from 'vitest';
import { Api, ApiError, problemFrom } from './api';
import { en } from './en';
import { sv } from './sv';

const problem = (status: number, body: object, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });

describe('failures', () => {
  it('are classified the way the widget acts on them', async () => {
    expect(
      (await problemFrom(problem(429, { code: 'rate_limited' }, { 'retry-after': '12' }))).kind,
    ).toBe('transient');
    expect((await problemFrom(problem(503, {}))).kind).toBe('transient');
    const refused = await problemFrom(
      problem(422, { code: 'discount_inactive', detail: 'this code has expired' }),
    );
    expect(refused.kind).toBe('permanent');
    expect((await problemFrom(problem(401, { code: 'token_expired' }))).sessionEnded).toBe(true);
  });

  it('are told in the customer’s language', async () => {
    const limited = await problemFrom(
      problem(429, { code: 'rate_limited' }, { 'retry-after': '12' }),
    );
    expect(limited.friendly(en, true)).toBe(
      "You're going a little fast — please try again in 12 s.",
    );
    expect(limited.friendly(sv, false)).toBe('Det går lite för fort — försök igen om 12 s.');
    const expired = await problemFrom(
      problem(422, { code: 'discount_inactive', detail: 'this code has expired' }),
    );
    expect(expired.friendly(en, true)).toBe('This code has expired.');
    expect(expired.friendly(sv, false)).toBe('Koden gäller inte just nu.');
    const declined = new ApiError('permanent', {
      status: 402,
      code: 'payment_declined',
      detail: 'The card was declined (test mode); nothing was charged.',
      retryAfterMs: 0,
    });
    expect(declined.friendly(sv, false)).toBe(
      'Kortet nekades. Inget drogs och varukorgen är som den var.',
    );
    expect(declined.friendly(en, true)).toBe(
      'The card was declined (test mode); nothing was charged.',
    );
    // The shop's English detail is never shown to a Swedish customer.
    const other = await problemFrom(
      problem(422, { code: 'malformed_payload', detail: 'text is empty' }),
    );
    expect(other.friendly(sv, false)).toBe('Något gick fel. Försök igen.');
    expect(new ApiError('network').friendly(sv, false)).toBe(
      'Vi når inte butiken. Kontrollera anslutningen och försök igen.',
    );
    expect(
      (await problemFrom(problem(500, { code: 'internal', detail: 'db locked' }))).friendly(
        en,
        true,
      ),
    ).toBe('Something went wrong on our side. Please try again in a moment.');
  });
});

describe('requests', () => {
  it('go to the shop’s origin with the token and a retry key, never with cookies', async () => {
    const seen: { url: string; init: RequestInit }[] = [];
    const api = new Api('https://shop.example', async (input, init) => {
      seen.push({ url: String(input), init: init ?? {} });
      return new Response('{"id":1}', {
        status: 201,
        headers: { 'content-type': 'application/json' },
      });
    });
    const answer = await api.call<{ id: number }>('/storefront/conversations/7/messages', {
      method: 'POST',
      token: 'ct_abc',
      idempotencyKey: 'k1',
      body: { text: 'hej' },
    });
    expect(answer).toEqual({ id: 1 });
    expect(seen[0].url).toBe('https://shop.example/api/v1/storefront/conversations/7/messages');
    expect(seen[0].init.credentials).toBe('omit');
    expect(seen[0].init.headers).toMatchObject({
      Authorization: 'Bearer ct_abc',
      'Idempotency-Key': 'k1',
      'Content-Type': 'application/json',
    });
    expect(seen[0].init.body).toBe('{"text":"hej"}');
  });

  it('that never reach the shop are network failures', async () => {
    const api = new Api('https://shop.example', async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(api.call('/storefront/products')).rejects.toMatchObject({ kind: 'network' });
  });
});
