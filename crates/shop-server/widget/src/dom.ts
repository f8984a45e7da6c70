// Building elements from data. Text only ever goes in as textContent or attribute values, never
// as markup: the widget has no innerHTML anywhere (a test greps the bundle for it).

type Child = Node | string | null | undefined | false;
/** Attribute and property values: text, numbers and flags, listeners, a dataset object. */
type Props = Record<string, string | number | boolean | null | undefined | object>;

/** A value as attribute text (objects are never written as attributes). */
const text = (value: unknown): string =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';

/** Creates an element; `text` becomes textContent, `class` the class name, `on*` listeners. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  children: Child | Child[] = [],
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'text') node.textContent = text(value);
    else if (key === 'class') node.className = text(value);
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') {
      node.addEventListener(key.slice(2), value as EventListener);
    } else if (key in node && typeof value !== 'string') {
      (node as unknown as Record<string, unknown>)[key] = value;
    } else node.setAttribute(key, value === true ? '' : text(value));
  }
  for (const child of ([] as Child[]).concat(children)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child);
  }
  return node;
}

/** An inline SVG icon from path data (a constant of ours, never from the network). */
export function icon(path: string, stroke = false): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const p = document.createElementNS(ns, 'path');
  p.setAttribute('d', path);
  if (stroke) {
    p.setAttribute('stroke', 'currentColor');
    p.setAttribute('stroke-width', '2');
    p.setAttribute('stroke-linecap', 'round');
    p.setAttribute('fill', 'none');
  } else p.setAttribute('fill', 'currentColor');
  svg.append(p);
  return svg;
}
