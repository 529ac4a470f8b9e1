/**
 * DynamoDB data model: one table per dataset, keyed by symbol so every read a handler or an operator makes is a
 * GetItem or a Query on one partition. The CDK app and the local emulator setup both create tables from these
 * specs, so the key schema is defined once.
 */
import type { TableRole } from './config.ts';

export interface TableSpec {
  partitionKey: { name: string; type: 'S' | 'N' };
  sortKey?: { name: string; type: 'S' | 'N' };
  /** What one item is, for the README's data model and for readers of the code. */
  item: string;
  /** Attribute holding an epoch-seconds expiry: DynamoDB deletes the item some time after it. */
  timeToLiveAttribute?: string;
}

export const TABLES: Record<TableRole, TableSpec> = {
  securities: {
    partitionKey: { name: 'symbol', type: 'S' },
    item: 'one security of the universe: name, exchange, assetType, ipoDate, status, source (listing|watchlist)',
  },
  fundamentals: {
    partitionKey: { name: 'symbol', type: 'S' },
    sortKey: { name: 'kind', type: 'S' },
    item:
      'kind = OVERVIEW | INCOME_STATEMENT | BALANCE_SHEET | CASH_FLOW; the overview or the latest annual report; ' +
      'kind = STAGED: the parts an unfinished collect-overview command fetched (expire via expiresAt)',
    timeToLiveAttribute: 'expiresAt',
  },
  dailyPrices: {
    partitionKey: { name: 'symbol', type: 'S' },
    sortKey: { name: 'date', type: 'S' },
    item: 'one trading day: open, high, low, close, volume (date = YYYY-MM-DD, so sort order = time order)',
  },
  yearlyExtremes: {
    partitionKey: { name: 'symbol', type: 'S' },
    sortKey: { name: 'year', type: 'N' },
    item: 'one trading year: highest and lowest close with their dates, trading days seen, last date merged',
  },
  quotes: {
    partitionKey: { name: 'symbol', type: 'S' },
    item: 'latest quote + rolling window of the last N quotes, their average, and a version for conditional writes',
  },
  indicators: {
    partitionKey: { name: 'symbol', type: 'S' },
    sortKey: { name: 'indicator', type: 'S' },
    item: 'indicator = e.g. SMA:daily:20:close; latest value(s) and date, plus the recent points',
  },
  alphaVantageQuota: {
    partitionKey: { name: 'pk', type: 'S' },
    item:
      'the shared AlphaVantage budget (docs/decisions/0020-alphavantage-limiter.md): `pace` holds the ' +
      'theoretical arrival time of the next call (GCRA), `day#YYYY-MM-DD` the calls of that UTC day',
    timeToLiveAttribute: 'expiresAt',
  },
  noData: {
    partitionKey: { name: 'symbol', type: 'S' },
    sortKey: { name: 'dataset', type: 'S' },
    item:
      'an answer without data remembered (docs/decisions/0033-no-data-memory.md): dataset = quote | history | ' +
      'overview | indicator:<id>; since, occurrences, nextTryAt (no call before), the answer',
    timeToLiveAttribute: 'expiresAt',
  },
};
