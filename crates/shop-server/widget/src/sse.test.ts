import { describe, expect, it } from 'vitest';
import { SseParser } from './sse';

describe('SseParser', () => {
  it('dispatches an event at a blank line, with its name, id and retry', () => {
    const parser = new SseParser();
    expect(parser.push('retry: 3000\nid: 7\nevent: message\ndata: {"a":1}\n\n')).toEqual([
      { event: 'message', data: '{"a":1}', id: '7', retry: 3000 },
    ]);
  });
  it('joins data lines and ignores heartbeats (comments)', () => {
    const parser = new SseParser();
    expect(parser.push(':heartbeat\n\ndata: one\ndata: two\n\n')).toEqual([
      { event: 'message', data: 'one\ntwo', id: null, retry: null },
    ]);
  });
  it('handles chunks split anywhere, a CRLF split across chunks included', () => {
    const text = 'data: first\r\n\r\ndata: second\r\n\r\n';
    for (let cut = 1; cut < text.length; cut++) {
      const parser = new SseParser();
      const events = [...parser.push(text.slice(0, cut)), ...parser.push(text.slice(cut))];
      expect(
        events.map((e) => e.data),
        `cut at ${cut}`,
      ).toEqual(['first', 'second']);
    }
  });
  it('keeps the last id for later events, refuses an id with NUL', () => {
    const parser = new SseParser();
    const events = parser.push('id: 1\ndata: a\n\ndata: b\n\nid: x\u0000y\ndata: c\n\n');
    expect(events.map((e) => e.id)).toEqual(['1', '1', '1']);
  });
});
