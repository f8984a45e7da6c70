//! Splitting text for display without markup: web links in messages, and the highlighted
//! ranges of a search snippet. Both return plain segments that components render as text
//! nodes and elements, never as HTML.

export type LinkSegment =
  { kind: 'text'; text: string } | { kind: 'link'; text: string; url: string };

/** http(s) URLs; trailing punctuation that usually ends a sentence is left out of the link. A
 * link ends at an invisible formatting character (zero-width, bidirectional marks, overrides,
 * isolates): "https://shop.example/\u202Egnp.exe" would otherwise show a link whose text reads
 * differently from the address it opens. */
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'\u200B-\u200F\u202A-\u202E\u2066-\u2069\uFEFF]+/giu;
const TRAILING = /[.,;:!?)\]}'"’”]+$/u;

export function linkify(text: string): LinkSegment[] {
  const segments: LinkSegment[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const start = match.index;
    let url = match[0];
    const trailing = TRAILING.exec(url)?.[0] ?? '';
    // Keep a closing bracket when the URL itself opened one, as in Wikipedia links.
    url = url.slice(0, url.length - trailing.length);
    if (!isWebUrl(url)) continue;
    if (start > last) segments.push({ kind: 'text', text: text.slice(last, start) });
    segments.push({ kind: 'link', text: url, url });
    last = start + url.length;
  }
  if (last < text.length) segments.push({ kind: 'text', text: text.slice(last) });
  return segments;
}

function isWebUrl(candidate: string): boolean {
  try {
    const url = new URL(candidate);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

export interface HighlightSegment {
  text: string;
  mark: boolean;
}

/**
 * A snippet cut at its highlight ranges. The ranges count characters (code points, as Rust's
 * `chars()` does), half-open `[start, end)`; overlapping or out-of-range ones are clamped.
 */
export function highlightSegments(
  snippet: string,
  ranges: readonly (readonly [number, number])[],
): HighlightSegment[] {
  const chars = Array.from(snippet);
  const sorted = ranges
    .map(([s, e]) => [Math.max(0, s), Math.min(chars.length, e)] as const)
    .filter(([s, e]) => e > s)
    .sort((a, b) => a[0] - b[0]);
  const segments: HighlightSegment[] = [];
  let at = 0;
  for (const [start, end] of sorted) {
    const s = Math.max(start, at);
    if (end <= s) continue;
    if (s > at) segments.push({ text: chars.slice(at, s).join(''), mark: false });
    segments.push({ text: chars.slice(s, end).join(''), mark: true });
    at = end;
  }
  if (at < chars.length) segments.push({ text: chars.slice(at).join(''), mark: false });
  return segments;
}

/** Debounces `fn`; `cancel` drops a pending call, `flush` runs it now. */
export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms: number) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let pending: A | undefined;
  const run = (...args: A) => {
    pending = args;
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      const a = pending;
      pending = undefined;
      if (a) fn(...a);
    }, ms);
  };
  run.cancel = () => {
    clearTimeout(timer);
    timer = undefined;
    pending = undefined;
  };
  run.flush = () => {
    clearTimeout(timer);
    timer = undefined;
    const a = pending;
    pending = undefined;
    if (a) fn(...a);
  };
  return run;
}
