/**
 * CONTRACT: for each function, a real AlphaVantage capture and the simulator's answer to the same
 * request are parsed with the same production parser and must have the same structure: the same raw
 * top-level / meta / row keys in the same order, the same CSV header, the same parsed shape (keys
 * and value types), and the same value formats (4-decimal prices, integer volumes, indentation).
 * If the simulator drifts from AlphaVantage's wire format, these fail.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type AlphaVantageFunction, interpretResponse } from '../../functions/shared/alphavantage/index.ts';
import { type ApiContext, answerQuery } from '../../localstack/simulator/api.ts';
import { PLANS } from '../../localstack/simulator/quotas.ts';
import { ALPHAVANTAGE_FIXTURES_DIR } from '../support/fixtures.ts';

const fixturesDir = ALPHAVANTAGE_FIXTURES_DIR;
const readFixture = (file: string) => readFileSync(join(fixturesDir, file), 'utf8');

// The 2026 captures were fetched on 2026-05-17; pin the simulator to the same day.
const NOW = new Date('2026-05-17T12:00:00Z');

function simulate(
  params: Record<string, string>,
  plan: keyof typeof PLANS = 'unlimited',
  lineEnding: '\n' | '\r\n' = '\n',
): string {
  const context: ApiContext = {
    now: NOW,
    plan: PLANS[plan],
    unknownSymbols: new Set(['INVALID']),
    lineEnding,
    demoKeyRestricted: false,
  };
  return answerQuery(new URLSearchParams({ apikey: 'contract', ...params }), context).body;
}

/** Keys (recursively) and leaf types; arrays by their first element; null matches any leaf type. */
type Shape = string | Shape[] | { [key: string]: Shape };
function shapeOf(value: unknown): Shape {
  if (Array.isArray(value)) return value.length === 0 ? [] : [shapeOf(value[0])];
  if (value === null) return 'null';
  if (typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .map((key) => [key, shapeOf((value as Record<string, unknown>)[key])]),
    );
  }
  return typeof value;
}
/** Compares two shapes, treating null as compatible with any leaf type. */
function expectSameShape(real: Shape, simulated: Shape, path = '$'): void {
  if (typeof real === 'string' || typeof simulated === 'string') {
    if (real === 'null' || simulated === 'null') return;
    expect(simulated, path).toEqual(real);
    return;
  }
  if (Array.isArray(real) || Array.isArray(simulated)) {
    expect(Array.isArray(real) && Array.isArray(simulated), `${path} is an array in both`).toBe(true);
    const [realItem] = real as Shape[];
    const [simulatedItem] = simulated as Shape[];
    if (realItem !== undefined && simulatedItem !== undefined)
      expectSameShape(realItem, simulatedItem, `${path}[0]`);
    return;
  }
  expect(Object.keys(simulated), `${path} keys`).toEqual(Object.keys(real));
  for (const key of Object.keys(real))
    expectSameShape(real[key] as Shape, simulated[key] as Shape, `${path}.${key}`);
}

function parsed(fn: AlphaVantageFunction, body: string): unknown {
  const result = interpretResponse(fn, body);
  if (result.kind !== 'data') throw new Error(`${fn}: ${result.kind}: ${result.message}`);
  return result.data;
}

/** Raw JSON keys: top level, then one level into each object value, then into its first entry. */
function rawKeys(body: string): Record<string, string[]> {
  const value = JSON.parse(body) as Record<string, unknown>;
  const keys: Record<string, string[]> = { $: Object.keys(value) };
  for (const [key, child] of Object.entries(value)) {
    if (Array.isArray(child)) {
      if (child[0] && typeof child[0] === 'object') keys[`${key}[0]`] = Object.keys(child[0]);
    } else if (child && typeof child === 'object') {
      const entries = Object.entries(child as Record<string, unknown>);
      const first = entries[0]?.[1];
      if (first && typeof first === 'object') keys[`${key}.*`] = Object.keys(first as object);
      else keys[key] = entries.map(([name]) => name);
    }
  }
  return keys;
}

const csvHeader = (body: string) => body.split(/\r?\n/)[0];
const lineEnding = (body: string) => (body.includes('\r\n') ? 'CRLF' : 'LF');

interface JsonCase {
  name: string;
  fn: AlphaVantageFunction;
  fixture: string;
  params: Record<string, string>;
}

const JSON_CASES: JsonCase[] = [
  {
    name: 'TIME_SERIES_DAILY compact',
    fn: 'TIME_SERIES_DAILY',
    fixture: 'TIME_SERIES_DAILY-IBM-compact-2024.json',
    params: { function: 'TIME_SERIES_DAILY', symbol: 'IBM' },
  },
  {
    name: 'TIME_SERIES_DAILY full',
    fn: 'TIME_SERIES_DAILY',
    fixture: 'TIME_SERIES_DAILY-IBM-full.json',
    params: { function: 'TIME_SERIES_DAILY', symbol: 'IBM', outputsize: 'full' },
  },
  {
    name: 'GLOBAL_QUOTE',
    fn: 'GLOBAL_QUOTE',
    fixture: 'GLOBAL_QUOTE-IBM-2022.json',
    params: { function: 'GLOBAL_QUOTE', symbol: 'IBM' },
  },
  {
    name: 'OVERVIEW',
    fn: 'OVERVIEW',
    fixture: 'OVERVIEW-IBM-2026.json',
    params: { function: 'OVERVIEW', symbol: 'IBM' },
  },
  {
    name: 'INCOME_STATEMENT',
    fn: 'INCOME_STATEMENT',
    fixture: 'INCOME_STATEMENT-IBM-2026.json',
    params: { function: 'INCOME_STATEMENT', symbol: 'IBM' },
  },
  {
    name: 'BALANCE_SHEET',
    fn: 'BALANCE_SHEET',
    fixture: 'BALANCE_SHEET-IBM-2026.json',
    params: { function: 'BALANCE_SHEET', symbol: 'IBM' },
  },
  {
    name: 'CASH_FLOW',
    fn: 'CASH_FLOW',
    fixture: 'CASH_FLOW-IBM-2026.json',
    params: { function: 'CASH_FLOW', symbol: 'IBM' },
  },
  {
    name: 'SMA weekly',
    fn: 'SMA',
    fixture: 'SMA-IBM-weekly-2022.json',
    params: { function: 'SMA', symbol: 'IBM', interval: 'weekly', time_period: '10', series_type: 'open' },
  },
  {
    name: 'EMA weekly',
    fn: 'EMA',
    fixture: 'EMA-IBM-weekly-2022.json',
    params: { function: 'EMA', symbol: 'IBM', interval: 'weekly', time_period: '10', series_type: 'open' },
  },
  {
    name: 'RSI daily',
    fn: 'RSI',
    fixture: 'RSI-MSFT-daily-2017.json',
    params: { function: 'RSI', symbol: 'MSFT', interval: 'daily', time_period: '10', series_type: 'close' },
  },
  {
    name: 'MACD daily',
    fn: 'MACD',
    fixture: 'MACD-MSFT-daily-2017.json',
    params: { function: 'MACD', symbol: 'MSFT', interval: 'daily', series_type: 'close' },
  },
  {
    name: 'BBANDS daily',
    fn: 'BBANDS',
    fixture: 'BBANDS-MSFT-daily-2017.json',
    params: {
      function: 'BBANDS',
      symbol: 'MSFT',
      interval: 'daily',
      time_period: '5',
      series_type: 'close',
      nbdevup: '3',
      nbdevdn: '3',
    },
  },
];

describe('contract: simulator JSON vs real AlphaVantage JSON', () => {
  it.each(JSON_CASES)('$name: same raw keys and order, same parsed shape', ({ fn, fixture, params }) => {
    // Prepare
    const real = readFixture(fixture);
    const simulated = simulate(params);
    // Act + Assess: raw keys (top level, meta, first row) in AlphaVantage's order.
    expect(rawKeys(simulated)).toEqual(rawKeys(real));
    expectSameShape(shapeOf(parsed(fn, real)), shapeOf(parsed(fn, simulated)));
  });

  it.each(JSON_CASES)(
    '$name: same layout (4-space indent, no trailing newline) and value formats',
    ({ fixture, params }) => {
      const real = readFixture(fixture);
      const simulated = simulate(params);
      expect(simulated.split('\n')[1]?.match(/^ */)?.[0]).toBe(real.split('\n')[1]?.match(/^ */)?.[0]);
      expect(simulated.endsWith('}')).toBe(true);
      expect(real.endsWith('}')).toBe(true);
      // Each quoted value reduced to its format class: 4-decimal, integer, date, other.
      const formats = (body: string): Set<string> =>
        new Set(
          [...body.matchAll(/": "([^"]*)"/g)].map(([, value = '']) =>
            /^-?\d+\.\d{4}$/.test(value)
              ? 'fixed4'
              : /^-?\d+$/.test(value)
                ? 'integer'
                : /^\d{4}-\d{2}-\d{2}$/.test(value)
                  ? 'date'
                  : /^-?\d+\.\d{4}%$/.test(value)
                    ? 'percent4'
                    : 'other',
          ),
        );
      const realFormats = formats(real);
      for (const format of ['fixed4', 'integer', 'percent4']) {
        if (realFormats.has(format)) expect(formats(simulated).has(format), format).toBe(true);
      }
    },
  );

  it("OVERVIEW has exactly the current keys in AlphaVantage's order", () => {
    expect(Object.keys(JSON.parse(simulate({ function: 'OVERVIEW', symbol: 'MSFT' })))).toEqual(
      Object.keys(JSON.parse(readFixture('OVERVIEW-IBM-2026.json'))),
    );
  });

  it('indicator meta data uses the same numbered keys with colons and numeric parameters', () => {
    const realMeta = JSON.parse(readFixture('BBANDS-MSFT-daily-2017.json'))['Meta Data'];
    const simMeta = JSON.parse(simulate(JSON_CASES[11]?.params ?? {}))['Meta Data'];
    for (const key of Object.keys(realMeta)) expect(typeof simMeta[key], key).toBe(typeof realMeta[key]);
  });
});

interface CsvCase {
  name: string;
  fn: AlphaVantageFunction;
  fixture: string;
  params: Record<string, string>;
}

const CSV_CASES: CsvCase[] = [
  {
    name: 'TIME_SERIES_DAILY',
    fn: 'TIME_SERIES_DAILY',
    fixture: 'TIME_SERIES_DAILY-IBM-compact-2026.csv',
    params: { function: 'TIME_SERIES_DAILY', symbol: 'IBM', datatype: 'csv' },
  },
  {
    name: 'GLOBAL_QUOTE',
    fn: 'GLOBAL_QUOTE',
    fixture: 'GLOBAL_QUOTE-IBM-2026.csv',
    params: { function: 'GLOBAL_QUOTE', symbol: 'IBM', datatype: 'csv' },
  },
  {
    name: 'LISTING_STATUS',
    fn: 'LISTING_STATUS',
    fixture: 'LISTING_STATUS-active-2026.csv',
    params: { function: 'LISTING_STATUS' },
  },
  {
    name: 'SMA',
    fn: 'SMA',
    fixture: 'SMA-IBM-weekly-2026.csv',
    params: {
      function: 'SMA',
      symbol: 'IBM',
      interval: 'weekly',
      time_period: '10',
      series_type: 'open',
      datatype: 'csv',
    },
  },
  {
    name: 'EMA',
    fn: 'EMA',
    fixture: 'EMA-IBM-weekly-2026.csv',
    params: {
      function: 'EMA',
      symbol: 'IBM',
      interval: 'weekly',
      time_period: '10',
      series_type: 'open',
      datatype: 'csv',
    },
  },
  {
    name: 'RSI',
    fn: 'RSI',
    fixture: 'RSI-IBM-weekly-2026.csv',
    params: {
      function: 'RSI',
      symbol: 'IBM',
      interval: 'weekly',
      time_period: '10',
      series_type: 'open',
      datatype: 'csv',
    },
  },
  {
    name: 'MACD',
    fn: 'MACD',
    fixture: 'MACD-IBM-daily-2026.csv',
    params: { function: 'MACD', symbol: 'IBM', interval: 'daily', series_type: 'open', datatype: 'csv' },
  },
  {
    name: 'BBANDS',
    fn: 'BBANDS',
    fixture: 'BBANDS-IBM-weekly-2026.csv',
    params: {
      function: 'BBANDS',
      symbol: 'IBM',
      interval: 'weekly',
      time_period: '5',
      series_type: 'close',
      nbdevup: '3',
      nbdevdn: '3',
      datatype: 'csv',
    },
  },
];

describe('contract: simulator CSV vs real AlphaVantage CSV (2026 captures)', () => {
  it.each(CSV_CASES)(
    '$name: same header, line end, latest date and parsed shape',
    ({ fn, fixture, params }) => {
      const real = readFixture(fixture);
      const simulated = simulate(params);
      expect(csvHeader(simulated)).toBe(csvHeader(real));
      expect(lineEnding(simulated)).toBe(lineEnding(real));
      expect(simulated.endsWith('\n')).toBe(real.endsWith('\n'));
      expectSameShape(shapeOf(parsed(fn, real)), shapeOf(parsed(fn, simulated)));
      if (fn !== 'LISTING_STATUS')
        expect(simulated.split('\n')[1]?.split(',')[fn === 'GLOBAL_QUOTE' ? 6 : 0]).toBe('2026-05-15');
    },
  );

  it('CRLF mode matches the older CRLF captures', () => {
    const real = readFixture('TIME_SERIES_DAILY-IBM-full-2019.csv');
    const simulated = simulate(
      { function: 'TIME_SERIES_DAILY', symbol: 'IBM', datatype: 'csv', outputsize: 'full' },
      'unlimited',
      '\r\n',
    );
    expect(csvHeader(simulated)).toBe(csvHeader(real));
    expect(lineEnding(simulated)).toBe('CRLF');
    expect(simulated.endsWith('\r\n')).toBe(real.endsWith('\r\n'));
  });
});

describe('contract: error answers', () => {
  it('an invalid call reads byte for byte like the real one (2025 capture, function name swapped)', () => {
    const real = readFixture('error-ErrorMessage-invalid-call-BOP-demo-2025.json').replace(
      'for BOP.',
      'for TIME_SERIES_DAILY.',
    );
    expect(simulate({ function: 'TIME_SERIES_DAILY', symbol: 'INVALID' })).toBe(real);
  });

  it('a premium plan over its quota answers the real call-volume text', async () => {
    const { PREMIUM_RATE_LIMIT } = await import('../../localstack/simulator/messages.ts');
    expect(PREMIUM_RATE_LIMIT).toBe(
      JSON.parse(readFixture('error-Information-call-volume-2018.json')).Information,
    );
  });
});
