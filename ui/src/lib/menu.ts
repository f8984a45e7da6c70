// The keys of a menu (the row menu, the top bar's and the conversation's): arrows move between
// its items, Home and End go to the ends, Escape and Tab close it. Letters stay with the menu,
// so j, k, e, u and a don't reach the list's shortcuts while it is open.

export function menuKeys(e: KeyboardEvent, items: HTMLElement[], close: () => void): void {
  const at = items.indexOf(document.activeElement as HTMLElement);
  if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
    e.preventDefault();
    const step = e.key === 'ArrowDown' ? 1 : -1;
    items[(at + step + items.length) % items.length]?.focus();
  } else if (e.key === 'Home' || e.key === 'End') {
    e.preventDefault();
    (e.key === 'Home' ? items[0] : items[items.length - 1])?.focus();
  } else if (e.key === 'Escape' || e.key === 'Tab') {
    e.preventDefault();
    e.stopPropagation();
    close();
  }
  if (e.key.length === 1) e.stopPropagation();
}
