/**
 * The close chart of the Security page (TradingView lightweight-charts): every stored close, the yearly
 * highest and lowest close as markers on their dates, the latest quote and the rolling average as price lines,
 * price-scaled indicators over the closes and the others in panes of their own. Zoom and pan are the
 * library's; the range presets set the visible range.
 */
import {
  createChart,
  createSeriesMarkers,
  type IChartApi,
  type ISeriesApi,
  LineSeries,
  LineStyle,
  type SeriesMarker,
  type Time,
} from 'lightweight-charts';
import type { StoredSecurity } from '../../api-types.ts';
import { h } from '../dom.ts';

/** Indicators drawn on the price scale, over the closes; the rest (RSI, MACD, ...) get a pane each. */
const OVERLAYS = new Set([
  'SMA',
  'EMA',
  'WMA',
  'DEMA',
  'TEMA',
  'TRIMA',
  'KAMA',
  'T3',
  'BBANDS',
  'VWAP',
  'MIDPOINT',
  'MIDPRICE',
  'SAR',
]);
const COLOURS = ['#e8a33d', '#7b61ff', '#16a085', '#c0392b', '#8e44ad', '#2c3e50'];
const RANGES: Array<[string, number | undefined]> = [
  ['1M', 31],
  ['3M', 92],
  ['1Y', 366],
  ['5Y', 1827],
  ['All', undefined],
];

export interface CloseChart {
  element: HTMLElement;
  /** Closes in the visible range, with the indicator values on those dates (for the CSV export). */
  visibleRows(): Array<Record<string, string | number>>;
}

export function extremeMarkers(stored: StoredSecurity): SeriesMarker<Time>[] {
  const markers: SeriesMarker<Time>[] = [];
  for (const year of stored.yearlyExtremes) {
    markers.push({
      time: year.highDate as Time,
      position: 'aboveBar',
      shape: 'arrowDown',
      color: '#c0392b',
      text: `high ${year.year} ${year.highClose}`,
    });
    markers.push({
      time: year.lowDate as Time,
      position: 'belowBar',
      shape: 'arrowUp',
      color: '#1e8449',
      text: `low ${year.year} ${year.lowClose}`,
    });
  }
  // The library wants markers in time order.
  return markers.sort((a, b) => String(a.time).localeCompare(String(b.time)));
}

function addIndicators(chart: IChartApi, stored: StoredSecurity): Map<string, Map<string, number>> {
  const columns = new Map<string, Map<string, number>>();
  let pane = 0;
  stored.indicators.forEach((indicator, index) => {
    const points = (indicator.recent ?? []).slice().sort((a, b) => a.date.localeCompare(b.date));
    const names = Object.keys(points[0] ?? {}).filter((key) => key !== 'date');
    const overlay = OVERLAYS.has(indicator.function);
    if (!overlay && names.length > 0) pane += 1;
    names.forEach((name, line) => {
      const column = `${indicator.indicator} ${name}`;
      const values = new Map(
        points.filter((p) => typeof p[name] === 'number').map((p) => [p.date, p[name] as number]),
      );
      columns.set(column, values);
      const series = chart.addSeries(
        LineSeries,
        {
          color: COLOURS[(index + line) % COLOURS.length] ?? '#888',
          lineWidth: 1,
          title: column,
          priceLineVisible: false,
          lastValueVisible: false,
        },
        overlay ? 0 : pane,
      );
      series.setData([...values].map(([date, value]) => ({ time: date as Time, value })));
    });
  });
  return columns;
}

/** The latest quote and the rolling average as price lines across the closes. */
function addPriceLines(closes: ISeriesApi<'Line'>, stored: StoredSecurity): void {
  const latest = stored.quote?.latest;
  if (typeof latest?.price === 'number')
    closes.createPriceLine({
      price: latest.price,
      color: '#555',
      lineStyle: LineStyle.Dotted,
      title: `quote ${latest.latestTradingDay ?? ''}`,
    });
  const average = stored.quote?.rolling?.average;
  if (typeof average === 'number')
    closes.createPriceLine({
      price: average,
      color: '#e67e22',
      lineStyle: LineStyle.Dashed,
      title: `rolling avg of ${stored.quote?.rolling?.count ?? '?'}`,
    });
}

/** One button per range preset, each showing that many days up to the last close ("All" fits everything). */
function rangePresets(chart: IChartApi, last: string | undefined): HTMLElement {
  return h(
    'div',
    { class: 'presets' },
    ...RANGES.map(([label, days]) =>
      h(
        'button',
        {
          'data-range': label,
          onclick: () => {
            if (!days || !last) return chart.timeScale().fitContent();
            const from = new Date(Date.parse(last) - days * 86_400_000).toISOString().slice(0, 10);
            chart.timeScale().setVisibleRange({ from: from as Time, to: last as Time });
          },
        },
        label,
      ),
    ),
  );
}

/** Reads the visible range when called, so the export follows the reader's zoom and pan. */
function visibleRowsOf(
  chart: IChartApi,
  stored: StoredSecurity,
  indicatorColumns: Map<string, Map<string, number>>,
): CloseChart['visibleRows'] {
  return () => {
    const range = chart.timeScale().getVisibleRange();
    const from = range ? String(range.from) : '';
    const to = range ? String(range.to) : '9999';
    return stored.recentCloses
      .filter((day) => day.date >= from && day.date <= to)
      .map((day) => {
        const row: Record<string, string | number> = { date: day.date, close: day.close };
        for (const [column, values] of indicatorColumns) row[column] = values.get(day.date) ?? '';
        return row;
      });
  };
}

export function closeChart(stored: StoredSecurity): CloseChart {
  const container = h('div', { id: 'chart', class: 'chart' });
  const chart = createChart(container, {
    autoSize: true,
    layout: { attributionLogo: true },
    timeScale: { borderVisible: false },
  });
  const closes = chart.addSeries(LineSeries, { color: '#2962ff', lineWidth: 2, title: 'close' });
  closes.setData(stored.recentCloses.map((day) => ({ time: day.date as Time, value: day.close })));
  const markers = createSeriesMarkers(closes, extremeMarkers(stored));
  addPriceLines(closes, stored);
  const indicatorColumns = addIndicators(chart, stored);
  // What the chart holds, for a reader of the page (and the browser tests): from the library, not the input.
  container.dataset.points = String(closes.data().length);
  container.dataset.markers = JSON.stringify(markers.markers().map((m) => `${m.text}@${String(m.time)}`));
  chart.timeScale().fitContent();
  const presets = rangePresets(chart, stored.recentCloses.at(-1)?.date);
  return {
    element: h('div', {}, presets, container),
    visibleRows: visibleRowsOf(chart, stored, indicatorColumns),
  };
}

/** RFC 4180 CSV of rows sharing the first row's columns. */
export function toCsv(rows: Array<Record<string, string | number>>): string {
  const columns = Object.keys(rows[0] ?? { date: '', close: '' });
  const cell = (value: unknown) => {
    const text = String(value ?? '');
    return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  const lines = [
    columns.map(cell).join(','),
    ...rows.map((row) => columns.map((c) => cell(row[c])).join(',')),
  ];
  return `${lines.join('\r\n')}\r\n`;
}
