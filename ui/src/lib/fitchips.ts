// A Svelte action for a row of labels that must never be cut mid-word: the labels
// (`[data-chip]`, their order of importance in `data-chip`) that fit whole are shown, the rest
// collapse into a "+N" chip (`[data-more]`) whose tooltip names them. Labels left out stay
// readable to screen readers (visually hidden, not removed), so the "+N" itself is hidden from
// them.
//
// One ResizeObserver serves every row: it reports new rows (their first size) and rows whose
// width changed after layout and before paint, and all reported rows are fitted together, in
// three passes (reset, measure, hide), so a screenful of new rows costs two layouts, not two a
// row. A row is fitted again, alone, when `key` changes (other labels, another language).

import { chipsThatFit } from './layout';

const LEFT_OUT = 'chip-left-out';

interface Parts {
  node: HTMLElement;
  chips: HTMLElement[];
  more: HTMLElement;
}

/** Shows every chip and "+N" at its widest, to be measured. */
function reset(node: HTMLElement): Parts | null {
  const more = node.querySelector<HTMLElement>('[data-more]');
  if (!more) return null;
  const chips = [...node.querySelectorAll<HTMLElement>('[data-chip]')].sort(
    (a, b) => Number(a.dataset.chip) - Number(b.dataset.chip),
  );
  for (const chip of chips) chip.classList.remove(LEFT_OUT);
  more.hidden = false;
  more.textContent = `+${chips.length}`;
  return { node, chips, more };
}

function fitAll(nodes: HTMLElement[]): void {
  const rows = nodes.map(reset).filter((r): r is Parts => r !== null);
  const shown = rows.map(({ node, chips, more }) =>
    chipsThatFit(
      chips.map((c) => c.offsetWidth),
      node.clientWidth,
      parseFloat(getComputedStyle(node).columnGap) || 0,
      more.offsetWidth,
    ),
  );
  rows.forEach(({ chips, more }, i) => {
    const left = chips.slice(shown[i]);
    for (const chip of left) chip.classList.add(LEFT_OUT);
    more.hidden = left.length === 0;
    more.textContent = `+${left.length}`;
    more.title = left.map((c) => c.textContent?.trim() ?? '').join(', ');
  });
}

let observer: ResizeObserver | null = null;

function rows(): ResizeObserver {
  observer ??= new ResizeObserver((entries) => fitAll(entries.map((e) => e.target as HTMLElement)));
  return observer;
}

export function fitChips(node: HTMLElement, key: string) {
  rows().observe(node);
  return {
    update(next: string) {
      if (next !== key) {
        key = next;
        fitAll([node]);
      }
    },
    destroy() {
      rows().unobserve(node);
    },
  };
}
