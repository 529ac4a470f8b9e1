/**
 * Security: the close chart with the yearly extremes, the quote and its rolling window, the indicators,
 * the fundamentals, CSV export of what the chart shows, and a backfill of the symbol with its progress.
 */

import type { BackfillProgress, BackfillStarted, Item, StoredSecurity } from '../../api-types.ts';
import { ApiError, get, post } from '../api.ts';
import { h, number, problem, table, titledSection, when } from '../dom.ts';
import { closeChart, toCsv } from './chart.ts';

const BACKFILL_DATASETS = ['overview', 'history', 'quote', 'indicators'];
const OVERVIEW_FIELDS = [
  'sector',
  'industry',
  'marketCapitalization',
  'peRatio',
  'eps',
  'dividendYield',
  'beta',
  'latestQuarter',
];
const POLL_MS = 1000;

/** One checkbox per dataset a backfill can collect, all checked to begin with. */
function datasetBoxes(): HTMLLabelElement[] {
  return BACKFILL_DATASETS.map((dataset) =>
    h(
      'label',
      {},
      h('input', { type: 'checkbox', name: 'dataset', value: dataset, checked: true }),
      ` ${dataset}`,
    ),
  );
}

function checkedDatasets(boxes: HTMLLabelElement[]): string[] {
  return boxes
    .map((box) => box.querySelector('input') as HTMLInputElement)
    .filter((i) => i.checked)
    .map((i) => i.value);
}

/** The backfill's state and one bar per dataset, handled commands against published ones. */
function progressView(requestId: string, progress: BackfillProgress): HTMLElement[] {
  return [
    h('p', {}, progress.done ? `Backfill ${requestId}: done.` : `Backfill ${requestId}: running…`),
    ...progress.datasets.map((row) =>
      h(
        'div',
        { class: 'progress-row', 'data-dataset': row.role },
        h('span', {}, row.role),
        h('progress', { max: Math.max(row.published, 1), value: row.handled }),
        h('span', { class: 'count' }, `${row.handled}/${row.published} handled`),
      ),
    ),
  ];
}

function backfillSection(
  symbol: string,
  boxes: HTMLElement[],
  start: () => void,
  status: HTMLElement,
): HTMLElement {
  return h(
    'section',
    { class: 'backfill' },
    h('h3', {}, `Backfill ${symbol}`),
    h('div', { class: 'toolbar' }, ...boxes, h('button', { id: 'backfill', onclick: start }, 'Backfill now')),
    h(
      'p',
      { class: 'muted' },
      'Publishes collect commands as `horton backfill` does; each call still goes through the shared AlphaVantage budget.',
    ),
    status,
  );
}

function backfillPanel(symbol: string, onDone: () => void): { element: HTMLElement; stop: () => void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const status = h('div', { id: 'backfill-status' });
  const boxes = datasetBoxes();
  const follow = async (requestId: string) => {
    try {
      const progress = await get<BackfillProgress>(`backfill/${encodeURIComponent(requestId)}`);
      status.replaceChildren(...progressView(requestId, progress));
      status.dataset.done = String(progress.done);
      if (progress.done) onDone();
      else timer = setTimeout(() => void follow(requestId), POLL_MS);
    } catch (error) {
      status.replaceChildren(problem(error instanceof ApiError ? error.message : String(error)));
    }
  };
  const start = async () => {
    const datasets = checkedDatasets(boxes);
    status.replaceChildren(h('p', {}, 'Starting…'));
    try {
      const started = await post<BackfillStarted>('backfill', {
        symbols: symbol,
        datasets: datasets.join(','),
      });
      const total = Object.values(started.published).reduce((sum, count) => sum + count, 0);
      status.replaceChildren(h('p', {}, `Backfill ${started.requestId}: ${total} commands published.`));
      await follow(started.requestId);
    } catch (error) {
      status.replaceChildren(problem(error instanceof ApiError ? error.message : String(error)));
    }
  };
  const element = backfillSection(symbol, boxes, () => void start(), status);
  return { element, stop: () => clearTimeout(timer) };
}

/** The overview's key figures, then one table per annual statement (its every figure folded away). */
function fundamentals(stored: StoredSecurity): HTMLElement | null {
  const overview = (stored.fundamentals.OVERVIEW?.data ?? {}) as Item;
  const value = (v: unknown) => (typeof v === 'number' ? number(v, 0) : String(v));
  const rows = OVERVIEW_FIELDS.filter((f) => overview[f] !== undefined && overview[f] !== null).map((f) => [
    f,
    value(overview[f]),
  ]);
  const statements = ['INCOME_STATEMENT', 'BALANCE_SHEET', 'CASH_FLOW'].flatMap((kind) => {
    const report = stored.fundamentals[kind];
    if (!report) return [];
    const figures = Object.entries((report.data ?? {}) as Item).filter(([, v]) => typeof v === 'number');
    return [
      h(
        'details',
        {},
        h(
          'summary',
          {},
          `${kind.toLowerCase().replace('_', ' ')}, fiscal year ending ${String(report.fiscalDateEnding ?? '–')} (${figures.length} figures)`,
        ),
        table(
          ['Figure', 'Value'],
          figures.map(([field, v]) => [field, value(v)]),
        ),
      ),
    ];
  });
  if (rows.length === 0 && statements.length === 0) return null;
  return titledSection(
    'Fundamentals',
    table(['Field', 'Value'], rows, { id: 'fundamentals' }),
    ...statements,
  );
}

function download(name: string, text: string): void {
  const link = h('a', { href: URL.createObjectURL(new Blob([text], { type: 'text/csv' })), download: name });
  link.click();
  URL.revokeObjectURL(link.href);
}

/** Name, exchange and type, and where the listing came from. */
function listingLine(stored: StoredSecurity): HTMLElement {
  const overview = (stored.fundamentals.OVERVIEW?.data ?? {}) as Item;
  const listing = stored.listing ?? {};
  return h(
    'p',
    { class: 'muted' },
    `${String(overview.name ?? listing.name ?? '')} · ${String(listing.exchange ?? '–')} ${String(listing.assetType ?? '')} · ${listing.source ? `source ${String(listing.source)}` : 'not in the universe'}`,
  );
}

/** The close chart and the export of its visible range; a line saying so when no close is stored. */
function closesSection(stored: StoredSecurity): HTMLElement {
  if (stored.recentCloses.length === 0) return h('p', {}, 'No daily closes stored.');
  const chart = closeChart(stored);
  return h(
    'section',
    {},
    h(
      'h3',
      {},
      `Daily close: ${stored.recentCloses.length} trading days, ${stored.recentCloses[0]?.date} to ${stored.recentCloses.at(-1)?.date}`,
    ),
    chart.element,
    h(
      'button',
      {
        id: 'export',
        onclick: () => download(`${stored.symbol}-closes.csv`, toCsv(chart.visibleRows())),
      },
      'Export CSV of the visible range',
    ),
  );
}

/** The latest quote and the rolling window's observations, newest first. */
function quoteSection(quote: StoredSecurity['quote']): HTMLElement | null {
  if (!quote?.latest) return null;
  return titledSection(
    'Quote and rolling window',
    h(
      'p',
      { id: 'quote' },
      `Latest ${number(quote.latest.price)} on ${quote.latest.latestTradingDay ?? '–'} (${number(quote.latest.changePercent)} %), observed ${when(quote.latest.observedAt)}; rolling average ${number(quote.rolling?.average)} over ${quote.rolling?.count ?? 0} of ${quote.rolling?.windowSize ?? '?'} quotes.`,
    ),
    table(
      ['Observed', 'Price'],
      (quote.rolling?.observations ?? [])
        .slice()
        .reverse()
        .map((o) => [o.observedAt, number(o.price)]),
      { id: 'window' },
    ),
  );
}

function indicatorsSection(stored: StoredSecurity): HTMLElement | null {
  if (stored.indicators.length === 0) return null;
  return titledSection(
    'Indicators',
    table(
      ['Indicator', 'Source', 'Date', 'Latest'],
      stored.indicators.map((i) => [
        i.indicator,
        i.source ?? '–',
        i.latestDate ?? '–',
        Object.entries(i.latest ?? {})
          .map(([k, v]) => `${k} ${number(v)}`)
          .join(', '),
      ]),
      { id: 'indicators' },
    ),
  );
}

/** Each year's highest and lowest close, newest year first. */
function extremesSection(stored: StoredSecurity): HTMLElement | null {
  if (stored.yearlyExtremes.length === 0) return null;
  return titledSection(
    'Yearly close extremes',
    table(
      ['Year', 'Highest close', 'on', 'Lowest close', 'on'],
      stored.yearlyExtremes
        .slice()
        .reverse()
        .map((y) => [y.year, number(y.highClose), y.highDate, number(y.lowClose), y.lowDate]),
      { id: 'extremes' },
    ),
  );
}

function render(root: HTMLElement, stored: StoredSecurity): void {
  root.append(
    listingLine(stored),
    closesSection(stored),
    quoteSection(stored.quote) ?? '',
    indicatorsSection(stored) ?? '',
    extremesSection(stored) ?? '',
    fundamentals(stored) ?? '',
  );
}

export async function securityPage(root: HTMLElement, symbol: string): Promise<() => void> {
  root.append(h('h2', {}, symbol || '(no symbol)'));
  const body = h('div', {});
  /** Draws the stored data; returns the HTTP status of the read (0 when the server did not answer). */
  const reload = async (): Promise<number> => {
    try {
      const stored = await get<StoredSecurity>(`security/${encodeURIComponent(symbol)}`);
      body.replaceChildren();
      render(body, stored);
      return 200;
    } catch (error) {
      body.replaceChildren(problem(error instanceof ApiError ? error.message : String(error)));
      return error instanceof ApiError ? error.status : 0;
    }
  };
  const backfill = backfillPanel(symbol, () => void reload());
  root.append(body);
  // A symbol with nothing stored can be backfilled; a bad symbol or an unreachable target cannot.
  const status = await reload();
  if (status === 200 || status === 404) root.append(backfill.element);
  return backfill.stop;
}
