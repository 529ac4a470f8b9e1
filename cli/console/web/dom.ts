/** A few DOM helpers: the pages build their elements with `h` and never parse HTML from data. */
type Child = Node | string | number | null | undefined | false;
type Attributes = Record<string, string | number | boolean | undefined | ((event: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/** A table of rows; header cells from `head`. */
export function table(head: string[], rows: Child[][], attributes: Attributes = {}): HTMLTableElement {
  return h(
    'table',
    attributes,
    h('thead', {}, h('tr', {}, ...head.map((cell) => h('th', {}, cell)))),
    h('tbody', {}, ...rows.map((row) => h('tr', {}, ...row.map((cell) => h('td', {}, cell))))),
  );
}

/** A page section under its heading. */
export function titledSection(title: string, ...children: (Child | Child[])[]): HTMLElement {
  return h('section', {}, h('h3', {}, title), ...children);
}

/** The one-line message a page shows when its data cannot be read. */
export function problem(message: string): HTMLElement {
  return h('div', { class: 'problem', role: 'alert' }, message);
}

export const number = (value: unknown, digits = 2) =>
  typeof value === 'number' ? value.toLocaleString('en-US', { maximumFractionDigits: digits }) : '–';

/** A time as "2026-12-06 14:03:07 UTC (5 min ago)". */
export function when(iso: string | undefined): string {
  if (!iso) return '–';
  const ms = Date.now() - Date.parse(iso);
  const ago =
    Math.abs(ms) < 90_000
      ? `${Math.round(ms / 1000)} s`
      : Math.abs(ms) < 5_400_000
        ? `${Math.round(ms / 60_000)} min`
        : `${Math.round(ms / 3_600_000)} h`;
  return `${iso.replace('T', ' ').slice(0, 19)} UTC (${ms >= 0 ? `${ago} ago` : `in ${ago.replace('-', '')}`})`;
}
