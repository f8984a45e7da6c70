// The chat session, kept across reloads in the page's localStorage under a key per shop, so a
// site that embeds two shops' widgets keeps them apart. Storage may be refused (private
// windows): the chat then lasts as long as the page.

import type { ChatSession } from './types';

/** What the widget keeps: the shop's session plus what the customer typed and has seen. */
export interface StoredSession extends ChatSession {
  name: string;
  email: string;
  last_seen_id?: number;
}

export function sessionKey(shopOrigin: string): string {
  return `nordlys.chat.v1:${shopOrigin}`;
}

export function readSession(storage: Storage | null, key: string): StoredSession | null {
  try {
    const raw = storage?.getItem(key);
    if (!raw) return null;
    const session = JSON.parse(raw) as Partial<StoredSession> | null;
    if (typeof session?.token !== 'string' || !Number.isInteger(session?.conversation_id))
      return null;
    if (typeof session.expires_at === 'number' && session.expires_at < Date.now()) return null;
    return session as StoredSession;
  } catch {
    return null;
  }
}

export function writeSession(
  storage: Storage | null,
  key: string,
  session: StoredSession | null,
): void {
  try {
    if (session) storage?.setItem(key, JSON.stringify(session));
    else storage?.removeItem(key);
  } catch {
    // Refused storage: nothing to do, see above.
  }
}

/** The page's storage, or null where touching it throws (sandboxed frames). */
export function storageOf(kind: 'localStorage' | 'sessionStorage'): Storage | null {
  try {
    return window[kind];
  } catch {
    return null;
  }
}
