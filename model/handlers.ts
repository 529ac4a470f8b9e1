/**
 * The handler catalogue: what each Lambda handler is triggered by, which topic it consumes, which topics it
 * produces to and which tables it reads or writes. The CDK app derives functions, event source mappings and
 * least-privilege grants from it; the local runner derives its consumers from it. One list, so the two cannot
 * drift apart.
 */
import type { TableRole, TopicRole } from './config.ts';

export interface HandlerSpec {
  /** Entry file, relative to the repository root; exports `handler`. */
  entry: string;
  /** What invokes it: a Kafka topic (event source mapping), a schedule, or an operator. */
  trigger:
    | { kind: 'kafka'; topic: Exclude<TopicRole, 'deadLetter'> }
    | { kind: 'schedule' }
    | { kind: 'manual' };
  /** Topics it publishes to (every Kafka-triggered handler also publishes to the dead-letter topic). */
  produces: TopicRole[];
  reads: TableRole[];
  writes: TableRole[];
  /**
   * Calls AlphaVantage: needs the API key secret, and takes every call from the shared budget (the
   * `alphaVantageQuota` table, UpdateItem and GetItem only; see docs/decisions/0020-alphavantage-limiter.md).
   */
  callsAlphaVantage: boolean;
  description: string;
}

export const HANDLERS = {
  dispatcher: {
    entry: 'functions/dispatcher/index.ts',
    trigger: { kind: 'schedule' },
    produces: ['securities'],
    reads: [],
    writes: [],
    callsAlphaVantage: false,
    description: 'Turns a schedule firing into a collect command on the securities topic',
  },
  securities: {
    entry: 'functions/securities/index.ts',
    trigger: { kind: 'kafka', topic: 'securities' },
    produces: ['overview', 'history', 'quote', 'indicators', 'deadLetter'],
    reads: ['securities'],
    writes: ['securities'],
    callsAlphaVantage: true,
    description:
      'LISTING_STATUS or the watchlist -> securities table -> one command per security and dataset',
  },
  overview: {
    entry: 'functions/overview/index.ts',
    trigger: { kind: 'kafka', topic: 'overview' },
    produces: ['deadLetter'],
    reads: [],
    writes: ['fundamentals'],
    callsAlphaVantage: true,
    description: 'OVERVIEW + latest annual INCOME_STATEMENT, BALANCE_SHEET, CASH_FLOW -> fundamentals table',
  },
  history: {
    entry: 'functions/history/index.ts',
    trigger: { kind: 'kafka', topic: 'history' },
    produces: ['deadLetter'],
    reads: ['dailyPrices', 'yearlyExtremes'],
    writes: ['dailyPrices', 'yearlyExtremes'],
    callsAlphaVantage: true,
    description: 'TIME_SERIES_DAILY -> daily prices + per-trading-year close extremes (incremental)',
  },
  quote: {
    entry: 'functions/quote/index.ts',
    trigger: { kind: 'kafka', topic: 'quote' },
    produces: ['deadLetter'],
    reads: ['quotes'],
    writes: ['quotes'],
    callsAlphaVantage: true,
    description: 'GLOBAL_QUOTE -> latest quote + rolling average of the last N quotes (conditional writes)',
  },
  indicators: {
    entry: 'functions/indicators/index.ts',
    trigger: { kind: 'kafka', topic: 'indicators' },
    produces: ['deadLetter'],
    reads: [],
    writes: ['indicators'],
    callsAlphaVantage: true,
    description: 'One configured technical indicator for one security -> indicators table',
  },
  backfill: {
    entry: 'functions/backfill/index.ts',
    trigger: { kind: 'manual' },
    produces: ['securities', 'overview', 'history', 'quote', 'indicators'],
    reads: [],
    writes: [],
    callsAlphaVantage: false,
    description: 'Operator request (symbols, datasets, options) -> validated collect commands',
  },
} as const satisfies Record<string, HandlerSpec>;

export type HandlerName = keyof typeof HANDLERS;
export const HANDLER_NAMES = Object.keys(HANDLERS) as HandlerName[];
