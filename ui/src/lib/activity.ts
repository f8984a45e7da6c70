//! Who else is on a conversation, as the list row and the conversation's header say it, and
//! the check before a reply goes that nobody else answered while it was being written.
//!
//! The engine keeps who is at work where (crates/inbox-core/src/activity.rs) and says when
//! each entry lapses; this module only words it and reads the thread.

import type { Present, TimelineItem } from '../bindings';
import { formatList } from './format';
import { t } from './i18n/index.svelte';

/** A staff member's first name, as colleagues are named in "Jonas is typing…". */
export function firstName(name: string): string {
  return name.trim().split(/\s+/)[0] || name;
}

/** What is said of the others at work in one conversation: the typing outrank the viewing. */
export interface ActivityLine {
  typing: boolean;
  text: string;
}

export function activityLine(
  present: readonly Present[],
  staffName: (id: number) => string | null,
  customerName: string,
  tag: string,
): ActivityLine | null {
  if (present.length === 0) return null;
  const typing = present.filter((p) => p.typing);
  const shown = typing.length > 0 ? typing : present;
  const names = shown.map((p) =>
    p.staff_id == null ? customerName : firstName(staffName(p.staff_id) ?? t('common.unknown')),
  );
  const one = names.length === 1;
  const text =
    typing.length > 0
      ? one
        ? t('activity.typing', { name: names[0]! })
        : t('activity.typingMany', { names: formatList(names, tag) })
      : one
        ? t('activity.viewing', { name: names[0]! })
        : t('activity.viewingMany', { names: formatList(names, tag) });
  return { typing: typing.length > 0, text };
}

/** Another staff member's reply, newer than `since`. */
export interface Overtaken {
  staffId: number;
  messageId: number;
  at: number;
}

/** The newest reply by a colleague after `since` (when this reply was begun), if any. */
export function repliedSince(
  timeline: readonly TimelineItem[],
  since: number,
  me: number | null,
): Overtaken | null {
  let newest: Overtaken | null = null;
  for (const item of timeline) {
    if (item.kind !== 'message') continue;
    const { author, created_at: at, id } = item.message;
    if (author.kind !== 'staff' || author.staff_id === me || at <= since) continue;
    if (!newest || at > newest.at) newest = { staffId: author.staff_id, messageId: id, at };
  }
  return newest;
}
