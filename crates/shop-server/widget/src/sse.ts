// Server-Sent Events over fetch, and the chat's stream kept open with backoff. The parser is
// pure (text in, events out) so its edge cases are unit-tested; `ChatStream` owns reconnecting.

import { Api, ApiError } from './api';
import { backoff } from './format';

export interface SseEvent {
  event: string;
  data: string;
  id: string | null;
  retry: number | null;
}

/** The SSE wire format, fed text as it arrives (chunks may split lines anywhere). */
export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private event = '';
  private id: string | null = null;
  private retry: number | null = null;

  /** Feeds more text; returns the events it completed. `done` flushes a final line. */
  push(text: string, done = false): SseEvent[] {
    this.buffer += text;
    const out: SseEvent[] = [];
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      if (!match) break;
      // A lone CR at the very end may be the first half of a CRLF split across chunks.
      if (!done && match[0] === '\r' && match.index === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      const event = this.line(line);
      if (event) out.push(event);
    }
    return out;
  }

  private line(line: string): SseEvent | null {
    if (line === '') {
      const event = this.data.length
        ? {
            event: this.event || 'message',
            data: this.data.join('\n'),
            id: this.id,
            retry: this.retry,
          }
        : null;
      this.data = [];
      this.event = '';
      return event;
    }
    if (line.startsWith(':')) return null; // a comment: the server's heartbeat
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id' && !value.includes('\0')) this.id = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.retry = Number(value);
    return null;
  }
}

export interface StreamHandlers {
  onOpen(): void;
  onEvent(data: unknown, name: string): void;
  onDown(): void;
  onFatal(error: ApiError): void;
}

/** Silence this long on a stream that sends heartbeats means a dead connection. */
const WATCHDOG_MS = 45_000;

/** Keeps one chat's event stream open, reconnecting with backoff, until `stop()`. */
export class ChatStream {
  private stopped = true;
  private controller: AbortController | null = null;
  private wake: AbortController | null = null;
  private readonly onOnline = () => this.wake?.abort();

  constructor(
    private readonly api: Api,
    private readonly conversationId: number,
    private readonly token: string,
    private readonly handlers: StreamHandlers,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    window.addEventListener('online', this.onOnline);
    void this.run();
  }

  stop(): void {
    this.stopped = true;
    window.removeEventListener('online', this.onOnline);
    this.controller?.abort();
    this.wake?.abort();
  }

  private async run(): Promise<void> {
    let attempt = 0;
    let serverRetryMs = 0;
    while (!this.stopped) {
      const controller = new AbortController();
      this.controller = controller;
      let retryAfterMs = 0;
      let watchdog: ReturnType<typeof setTimeout> | undefined;
      const feed = () => {
        clearTimeout(watchdog);
        watchdog = setTimeout(() => controller.abort(), WATCHDOG_MS);
      };
      try {
        feed();
        const body = await this.api.stream(
          `/storefront/conversations/${this.conversationId}/events`,
          this.token,
          controller.signal,
        );
        attempt = 0;
        this.handlers.onOpen();
        const reader = body.getReader();
        const decoder = new TextDecoder();
        const parser = new SseParser();
        try {
          for (;;) {
            const chunk = await reader.read();
            if (!chunk.done) feed();
            const text = chunk.done
              ? decoder.decode()
              : decoder.decode(chunk.value, { stream: true });
            for (const event of parser.push(text, chunk.done)) {
              if (event.retry) serverRetryMs = event.retry;
              let parsed: unknown;
              try {
                parsed = JSON.parse(event.data);
              } catch {
                continue; // not ours; ignore rather than drop the connection
              }
              this.handlers.onEvent(parsed, event.event);
            }
            if (chunk.done) break;
          }
        } finally {
          reader.releaseLock();
        }
      } catch (error) {
        if (error instanceof ApiError && error.kind === 'permanent') {
          clearTimeout(watchdog);
          if (!this.stopped) this.handlers.onFatal(error);
          this.stop();
          return;
        }
        if (error instanceof ApiError) retryAfterMs = error.retryAfterMs;
      } finally {
        clearTimeout(watchdog);
      }
      if (this.stopped) return;
      this.handlers.onDown();
      this.wake = new AbortController();
      await sleep(backoff(attempt++, Math.max(retryAfterMs, serverRetryMs)), this.wake.signal);
    }
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
