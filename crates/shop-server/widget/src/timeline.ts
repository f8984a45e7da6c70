// The order of the chat's timeline: messages and cart events by time, then kind, then id, with
// the customer's unsent messages last. Pure, so the ordering is unit-tested without a DOM.

/** [time, rank, id]: rank 0 message, 1 cart event, 2 a message still being sent. */
export type SortKey = readonly [number, number, number];

export function compareSort(a: SortKey, b: SortKey): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}

/** Where `key` goes in `sorted` (after equal keys), scanning from the end: new entries are
 * almost always the newest. */
export function insertionIndex(sorted: readonly SortKey[], key: SortKey): number {
  let index = sorted.length;
  while (index > 0 && compareSort(sorted[index - 1], key) > 0) index--;
  return index;
}

/** What a cart event says to the customer, before translation: a name only when the shop
 * gave one (it names products shorter than 41 characters). */
export function cartEventWhat(
  event: { product_name: string | null; quantity: number },
  words: { aProduct: string; nProducts: (n: number) => string },
): string {
  const name = event.product_name;
  if (name) return event.quantity > 1 ? `${event.quantity} × ${name}` : name;
  return event.quantity > 1 ? words.nProducts(event.quantity) : words.aProduct;
}
