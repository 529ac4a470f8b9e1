/**
 * The handler catalogue: what each Lambda handler is triggered by, which topic it consumes, which topics it
 * produces to and which tables it reads or writes. The CDK app derives functions, event source mappings and
 * least-privilege grants from it; the local runner derives its consumers from it. One list, so the two cannot
 * drift apart.
 */
import type { TableRole, TopicRole } from './config.ts';

/**
 * DynamoDB actions Horton's store modules use. A TransactWriteItems of Puts is authorised as PutItem per item
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html).
 */
export type DynamoDbAction =
  | 'GetItem'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'Query'
  | 'Scan'
  | 'BatchWriteItem';

/** What the AlphaVantage limiter (functions/shared/store/alphavantage-quota.ts) sends to its quota table. */
export const ALPHAVANTAGE_QUOTA_ACTIONS = [
  'UpdateItem',
  'GetItem',
] as const satisfies readonly DynamoDbAction[];

/**
 * What a handler that calls AlphaVantage sends to the no-data table (functions/shared/store/no-data.ts): it reads
 * the entry before a call, remembers an answer without data, and forgets it once data comes.
 */
const NO_DATA_ACTIONS = ['GetItem', 'PutItem', 'DeleteItem'] as const satisfies readonly DynamoDbAction[];

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
  /**
   * DynamoDB actions per table: exactly what the handler's store calls (functions/shared/store/*) send, and all
   * the function is granted. test/unit/cdk-grants.test.ts derives them from the sources and compares.
   */
  tables: Partial<Record<TableRole, readonly DynamoDbAction[]>>;
  /** Topics it reads records from outside an event source mapping (operators' inspection). @default none */
  readsTopics?: TopicRole[];
  /** Describes the Kafka-triggered handlers' consumer groups (offsets, lag). @default false */
  describesGroups?: boolean;
  /**
   * Calls AlphaVantage: needs the API key secret, and takes every call from the shared budget (the
   * `alphaVantageQuota` table, `ALPHAVANTAGE_QUOTA_ACTIONS` only; see docs/decisions/0020-alphavantage-limiter.md).
   */
  callsAlphaVantage: boolean;
  description: string;
}

export const HANDLERS = {
  dispatcher: {
    entry: 'functions/dispatcher/index.ts',
    trigger: { kind: 'schedule' },
    produces: ['securities'],
    tables: {},
    callsAlphaVantage: false,
    description: 'Turns a schedule firing into a collect command on the securities topic',
  },
  securities: {
    entry: 'functions/securities/index.ts',
    trigger: { kind: 'kafka', topic: 'securities' },
    produces: ['overview', 'history', 'quote', 'indicators', 'deadLetter'],
    // The no-data memory, read whole (it is sparse) so remembered items are not fanned out.
    tables: { securities: ['Scan', 'BatchWriteItem'], noData: ['Scan'] },
    callsAlphaVantage: true,
    description:
      'LISTING_STATUS or the watchlist -> securities table -> one command per security and dataset',
  },
  overview: {
    entry: 'functions/overview/index.ts',
    trigger: { kind: 'kafka', topic: 'overview' },
    produces: ['deadLetter'],
    // The stored overview and statements decide whether a newer fiscal period can exist (freshness); parts of an
    // interrupted collection are staged and removed with the final write.
    tables: {
      fundamentals: ['Query', 'GetItem', 'PutItem', 'DeleteItem'],
      noData: NO_DATA_ACTIONS,
    },
    callsAlphaVantage: true,
    description: 'OVERVIEW + latest annual INCOME_STATEMENT, BALANCE_SHEET, CASH_FLOW -> fundamentals table',
  },
  history: {
    entry: 'functions/history/index.ts',
    trigger: { kind: 'kafka', topic: 'history' },
    // Computed indicators follow the closes they are computed from (docs/decisions/0031).
    produces: ['indicators', 'deadLetter'],
    tables: {
      dailyPrices: ['GetItem', 'PutItem', 'BatchWriteItem'],
      yearlyExtremes: ['Query', 'BatchWriteItem'],
      noData: NO_DATA_ACTIONS,
    },
    callsAlphaVantage: true,
    description:
      'TIME_SERIES_DAILY -> daily prices + per-trading-year close extremes (incremental) -> computed indicators',
  },
  quote: {
    entry: 'functions/quote/index.ts',
    trigger: { kind: 'kafka', topic: 'quote' },
    produces: ['deadLetter'],
    tables: { quotes: ['GetItem', 'PutItem'], noData: NO_DATA_ACTIONS },
    callsAlphaVantage: true,
    description: 'GLOBAL_QUOTE -> latest quote + rolling average of the last N quotes (conditional writes)',
  },
  indicators: {
    entry: 'functions/indicators/index.ts',
    trigger: { kind: 'kafka', topic: 'indicators' },
    produces: ['deadLetter'],
    // Computed indicators read the stored daily prices; fetched ones read their stored item (freshness).
    tables: { dailyPrices: ['Query'], indicators: ['GetItem', 'PutItem'], noData: NO_DATA_ACTIONS },
    callsAlphaVantage: true,
    description: 'One configured technical indicator for one security -> indicators table',
  },
  backfill: {
    entry: 'functions/backfill/index.ts',
    trigger: { kind: 'manual' },
    produces: ['securities', 'overview', 'history', 'quote', 'indicators'],
    // The no-data memory, read whole (it is sparse) so remembered items are not published.
    tables: { noData: ['Scan'] },
    callsAlphaVantage: false,
    description: 'Operator request (symbols, datasets, options) -> validated collect commands',
  },
  operations: {
    entry: 'functions/operations/index.ts',
    trigger: { kind: 'manual' },
    // Redrive and `horton send` publish to the command topics; redrive markers go to the dead-letter topic.
    produces: ['securities', 'overview', 'history', 'quote', 'indicators', 'deadLetter'],
    readsTopics: ['securities', 'overview', 'history', 'quote', 'indicators', 'deadLetter'],
    describesGroups: true,
    tables: {},
    callsAlphaVantage: false,
    description:
      'Operator requests from the horton CLI that need Kafka: dead letters (list, show, redrive), offsets and lag, send',
  },
} as const satisfies Record<string, HandlerSpec>;

export type HandlerName = keyof typeof HANDLERS;
export const HANDLER_NAMES = Object.keys(HANDLERS) as HandlerName[];
