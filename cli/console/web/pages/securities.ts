/**
 * Securities: the universe, searched and paged by the server, with each dataset's freshness (`no data` when the
 * memory of answers without data holds its call back; hovering shows the remembered answer and its next try).
 */

import type { Dataset, Freshness, SecuritiesPage } from '../../api-types.ts';
import { ApiError, get } from '../api.ts';
import { h, problem, when } from '../dom.ts';

/** The datasets of the freshness columns, in the order the handlers collect them. */
const DATASETS: readonly Dataset[] = ['overview', 'history', 'quote', 'indicators'];

type Row = SecuritiesPage['rows'][number];

/** A dataset's freshness; `no data` names the remembered answer and its next try (as `horton status` does). */
function badge(row: Row, dataset: Dataset) {
  const freshness: Freshness = row.freshness[dataset];
  const remembered = row.noData
    .filter((entry) => (entry.dataset.startsWith('indicator:') ? 'indicators' : entry.dataset) === dataset)
    .map((entry) => entry.line);
  return h(
    'span',
    {
      class: `badge ${freshness.replace(' ', '-')}`,
      'data-dataset': dataset,
      title: remembered.length > 0 ? remembered.join('\n') : undefined,
    },
    freshness,
  );
}

/** Goes to a page of the search's matches. */
function showPage(query: string, page: number): void {
  location.hash = `#/securities/${new URLSearchParams({ q: query, page: String(page) }).toString()}`;
}

/** The search box and its button; Enter or the button searches from the first page. */
function searchBar(query: string): HTMLElement {
  const search = h('input', {
    type: 'search',
    id: 'search',
    placeholder: 'symbol or name',
    value: query,
    autofocus: true,
  });
  search.addEventListener('keydown', (event) => {
    if ((event as KeyboardEvent).key === 'Enter') showPage(search.value, 1);
  });
  return h(
    'div',
    { class: 'toolbar' },
    search,
    h('button', { onclick: () => showPage(search.value, 1) }, 'Search'),
  );
}

function matchesLine(result: SecuritiesPage, query: string, pages: number): HTMLElement {
  return h(
    'p',
    { class: 'muted', id: 'matches' },
    `${result.matches} of ${result.total} securities${query ? ` match “${query}”` : ''} · page ${result.page} of ${pages} · universe read ${when(result.readAt)}` +
      (result.budgetSpent ? ' · today’s budget is spent: due datasets are deferred' : ''),
  );
}

function securityRow(row: Row): HTMLTableRowElement {
  return h(
    'tr',
    { 'data-symbol': row.symbol },
    h('td', {}, h('a', { href: `#/security/${encodeURIComponent(row.symbol)}` }, row.symbol)),
    h('td', {}, row.name),
    h('td', {}, row.exchange),
    h('td', {}, row.assetType),
    ...DATASETS.map((d) => h('td', {}, badge(row, d))),
  );
}

function securitiesTable(rows: Row[]): HTMLTableElement {
  return h(
    'table',
    { id: 'securities' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', {}, 'Symbol'),
        h('th', {}, 'Name'),
        h('th', {}, 'Exchange'),
        h('th', {}, 'Type'),
        ...DATASETS.map((d) => h('th', {}, d)),
      ),
    ),
    h('tbody', {}, ...rows.map(securityRow)),
  );
}

function pager(query: string, page: number, pages: number): HTMLElement {
  return h(
    'div',
    { class: 'pager' },
    h('button', { disabled: page <= 1, onclick: () => showPage(query, page - 1) }, '‹ previous'),
    h('button', { disabled: page >= pages, onclick: () => showPage(query, page + 1) }, 'next ›'),
  );
}

export async function securitiesPage(root: HTMLElement, argument: string): Promise<undefined> {
  const params = new URLSearchParams(argument);
  const query = params.get('q') ?? '';
  const page = Number(params.get('page') ?? '1') || 1;
  root.append(h('h2', {}, 'Securities'), searchBar(query));
  let result: SecuritiesPage;
  try {
    result = await get<SecuritiesPage>(`securities?${new URLSearchParams({ q: query, page: String(page) })}`);
  } catch (error) {
    root.append(problem(error instanceof ApiError ? error.message : String(error)));
    return undefined;
  }
  const pages = Math.max(1, Math.ceil(result.matches / result.pageSize));
  root.append(
    matchesLine(result, query, pages),
    result.rows.length === 0
      ? problem(
          query ? `no security matches “${query}”` : 'the universe is empty: run a universe collection first',
        )
      : securitiesTable(result.rows),
    pager(query, page, pages),
  );
  return undefined;
}
