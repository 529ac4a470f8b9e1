/**
 * Fixture mode: serve real recorded AlphaVantage responses when one matches the request. Files are
 * matched by name, `FUNCTION-SYMBOL-[tokens]-VINTAGE.(json|csv)` as in test/fixtures/alphavantage:
 * function and symbol must match, the datatype must match the extension, TIME_SERIES_DAILY must match
 * `compact`/`full` (a name without either is a full history), indicators must match the interval
 * token. Among several matches the newest vintage wins, and files marked `legacy` only when nothing
 * else matches. Bytes are served unchanged.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SUPPORTED_FUNCTIONS } from './functions.ts';

export interface FixtureEntry {
  file: string;
  functionName: string;
  /** Upper-case symbol; for LISTING_STATUS the state ("ACTIVE"). */
  key: string;
  datatype: 'json' | 'csv';
  tokens: readonly string[];
  vintage: number;
  legacy: boolean;
}

export interface FixtureRequest {
  functionName: string;
  symbol?: string;
  datatype: 'json' | 'csv';
  outputSize?: string;
  interval?: string;
  state?: string;
}

const SERVABLE_FUNCTIONS = new Set<string>(SUPPORTED_FUNCTIONS);

export function parseFixtureName(file: string): FixtureEntry | undefined {
  const match = /^([A-Z_]+)-(.+)\.(json|csv)$/.exec(file);
  if (match === null) return undefined;
  const [, functionName = '', rest = '', extension = ''] = match;
  if (!SERVABLE_FUNCTIONS.has(functionName)) return undefined;
  const [key = '', ...tokens] = rest.split('-');
  const years = tokens.filter((token) => /^\d{4}$/.test(token)).map(Number);
  return {
    file,
    functionName,
    key: key.toUpperCase(),
    datatype: extension === 'csv' ? 'csv' : 'json',
    tokens: tokens.map((token) => token.toLowerCase()),
    vintage: years.length > 0 ? Math.max(...years) : 0,
    legacy: tokens.some((token) => token.toLowerCase() === 'legacy'),
  };
}

export function indexFixtures(directory: string): FixtureEntry[] {
  return readdirSync(directory)
    .map(parseFixtureName)
    .filter((entry): entry is FixtureEntry => entry !== undefined);
}

export function findFixture(
  entries: readonly FixtureEntry[],
  request: FixtureRequest,
): FixtureEntry | undefined {
  const key = (
    request.functionName === 'LISTING_STATUS' ? (request.state ?? 'active') : (request.symbol ?? '')
  ).toUpperCase();
  const candidates = entries.filter((entry) => {
    if (
      entry.functionName !== request.functionName ||
      entry.key !== key ||
      entry.datatype !== request.datatype
    )
      return false;
    if (entry.functionName === 'TIME_SERIES_DAILY') {
      const size = entry.tokens.includes('compact') ? 'compact' : 'full';
      return size === (request.outputSize === 'full' ? 'full' : 'compact');
    }
    if (['SMA', 'EMA', 'RSI', 'MACD', 'BBANDS'].includes(entry.functionName)) {
      return request.interval !== undefined && entry.tokens.includes(request.interval.toLowerCase());
    }
    return true;
  });
  return candidates.sort(
    (left, right) => Number(left.legacy) - Number(right.legacy) || right.vintage - left.vintage,
  )[0];
}

export function readFixture(directory: string, entry: FixtureEntry): string {
  return readFileSync(join(directory, entry.file), 'utf8');
}
