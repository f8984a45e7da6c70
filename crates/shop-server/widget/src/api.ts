// The storefront half of the Inbox API as the widget calls it: requests to the shop's origin
// with the chat token, and every failure classified as network, transient or permanent. The
// widget may run on the shop's own site (another origin): requests carry no cookies, only the
// token, and the shop answers with CORS for the origins it allows.

import type { Words } from './en';
import { sentence } from './format';

export type FailureKind = 'network' | 'transient' | 'permanent';

export interface ProblemInfo {
  status?: number;
  code?: string;
  detail?: string;
  retryAfterMs?: number;
}

/** A failed request, classified the way the widget acts on it. */
export class ApiError extends Error {
  readonly kind: FailureKind;
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly retryAfterMs: number;

  constructor(kind: FailureKind, info: ProblemInfo = {}) {
    super(info.detail || kind);
    this.kind = kind;
    this.status = info.status ?? 0;
    this.code = info.code ?? '';
    this.detail = info.detail ?? '';
    this.retryAfterMs = info.retryAfterMs ?? 0;
  }

  /** The chat token no longer works: the customer has to start a new chat. */
  get sessionEnded(): boolean {
    return this.status === 401 || this.code === 'unauthenticated' || this.code === 'token_expired';
  }

  /**
   * What to tell the customer. The shop's details are English; in another language a known
   * code gets its own words and anything else a general sentence.
   */
  friendly(t: Words, english: boolean): string {
    if (this.kind === 'network') return t.errNetwork;
    if (this.code === 'rate_limited') return t.errRateLimited(Math.ceil(this.retryAfterMs / 1000));
    if (this.code === 'internal' || this.status >= 500) return t.errInternal;
    // The shop explains in English; in Swedish each refusal a customer can meet says so.
    if (!english) {
      const words: Record<string, string> = {
        discount_inactive: t.errDiscountInactive,
        discount_not_applicable: t.errDiscountNotApplicable,
        cart_empty: t.errCartEmpty,
        payment_declined: t.errPaymentDeclined,
        product_unavailable: t.errProductUnavailable,
      };
      return words[this.code] ?? t.errGeneric;
    }
    return sentence(this.detail) || t.errGeneric;
  }
}

/** Reads a problem document (RFC 9457) from a failed response. */
export async function problemFrom(response: Response): Promise<ApiError> {
  let problem: Record<string, unknown> = {};
  try {
    const type = response.headers.get('content-type') ?? '';
    if (type.includes('json')) problem = (await response.json()) as Record<string, unknown>;
  } catch {
    // A body that isn't a problem document still has a status.
  }
  const retryAfter = Number(response.headers.get('retry-after'));
  const status = response.status;
  const code = typeof problem.code === 'string' ? problem.code : '';
  const transient = status === 429 || status === 408 || status >= 500;
  return new ApiError(transient ? 'transient' : 'permanent', {
    status,
    code,
    detail: typeof problem.detail === 'string' ? problem.detail : '',
    retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : 0,
  });
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'DELETE';
  body?: unknown;
  token?: string;
  idempotencyKey?: string;
  signal?: AbortSignal;
}

/** The shop's API at one origin. */
export class Api {
  constructor(
    readonly origin: string,
    private readonly fetcher: typeof fetch = (...args) => fetch(...args),
  ) {}

  url(path: string): string {
    return `${this.origin}/api/v1${path}`;
  }

  /** Calls the API; the parsed JSON body, or null for an empty one. */
  async call<T>(path: string, options: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    if (options.token) headers.Authorization = `Bearer ${options.token}`;
    if (options.idempotencyKey) headers['Idempotency-Key'] = options.idempotencyKey;
    let response: Response;
    try {
      response = await this.fetcher(this.url(path), {
        method: options.method ?? 'GET',
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        cache: 'no-store',
        credentials: 'omit',
        signal: options.signal,
      });
    } catch (error) {
      if ((error as Error)?.name === 'AbortError') throw error;
      throw new ApiError('network', { detail: String((error as Error)?.message ?? error) });
    }
    if (!response.ok) throw await problemFrom(response);
    if (response.status === 204) return null as T;
    const text = await response.text();
    return (text ? JSON.parse(text) : null) as T;
  }

  /** Opens an event stream (fetch, not EventSource: EventSource can't send a token). */
  async stream(
    path: string,
    token: string,
    signal: AbortSignal,
  ): Promise<ReadableStream<Uint8Array>> {
    const response = await this.fetcher(this.url(path), {
      headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' },
      cache: 'no-store',
      credentials: 'omit',
      signal,
    });
    if (!response.ok) throw await problemFrom(response);
    if (!response.body) throw new ApiError('transient', { detail: 'no stream body' });
    return response.body;
  }
}

/** A fresh Idempotency-Key. */
export function newKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
