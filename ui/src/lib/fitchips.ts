// A Svelte action for a row of labels that must never be cut mid-word: the labels
// (`[data-chip]`, their order of importance in `data-chip`) that fit whole are shown, the rest
// collapse into a "+N" chip (`[data-more]`) whose tooltip names them. Labels left out stay
// readable to screen readers (visually hidden, not removed), so the "+N" itself is hidden from
// them. It measures on mount, when `key` changes (other labels, another language) and when the
// row's width changes.

import { chipsThatFit } from './layout';

const LEFT_OUT = 'chip-left-out';

function fit(node: HTMLElement): void {
  const chips = [...node.querySelectorAll<HTMLElement>('[data-chip]')].sort(
    (a, b) => Number(a.dataset.chip) - Number(b.dataset.chip),
  );
  const more = node.querySelector<HTMLElement>('[data-more]');
  for (const chip of chips) chip.classList.remove(LEFT_OUT);
  if (!more) return;
  more.hidden = false;
  more.textContent = `+${chips.length}`;
  const moreWidth = more.offsetWidth;
  more.hidden = true;
  const gap = parseFloat(getComputedStyle(node).columnGap) || 0;
  const shown = chipsThatFit(
    chips.map((c) => c.offsetWidth),
    node.clientWidth,
    gap,
    moreWidth,
  );
  const left = chips.slice(shown);
  for (const chip of left) chip.classList.add(LEFT_OUT);
  if (left.length > 0) {
    more.hidden = false;
    more.textContent = `+${left.length}`;
    more.title = left.map((c) => c.textContent?.trim() ?? '').join(', ');
  }
}

export function fitChips(node: HTMLElement, key: string) {
  let frame = 0;
  const soon = () => {
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(() => fit(node));
  };
  fit(node);
  let width = node.clientWidth;
  const observer = new ResizeObserver(() => {
    if (node.clientWidth !== width) {
      width = node.clientWidth;
      soon();
    }
  });
  observer.observe(node);
  return {
    update(next: string) {
      if (next !== key) {
        key = next;
        fit(node);
      }
    },
    destroy() {
      cancelAnimationFrame(frame);
      observer.disconnect();
    },
  };
}
