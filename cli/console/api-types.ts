/**
 * The JSON of the console's API, one definition for both sides: the server's data functions (cli/console/data/)
 * declare these as their results, and the front end (cli/console/web/) reads them with `import type`, so a field
 * renamed on one side fails `npm run build` on the other. Types only: the front end is type-checked on its own
 * (DOM, no Node types), so this module imports nothing but type-only model modules that need no Node either
 * (model/plan.ts, model/config.ts, model/domain/no-data.ts). The operations function's reports
 * (model/operations.ts) import node:crypto and cannot be imported here; their shapes are restated below, and the
 * server's data functions, which return the model's types under these names, make tsc check that they agree.
 */
import type { Dataset } from '../../model/config.ts';
import type { NoDataEntry } from '../../model/domain/no-data.ts';
import type { DailyPlan } from '../../model/plan.ts';

export type { Dataset };

export interface ScheduleTimesView {
  name: string;
  job: string;
  expression: string;
  timezone: string;
  enabled: boolean;
  lastDue?: string;
  nextDue?: string;
}

export interface QuotaTodayView {
  day: string;
  used: number;
  cap?: number | null;
  plan?: string;
  requestsPerMinute?: number;
  resetsAt: string;
}

/** Per handler over the last 24 hours (cli/console/data/activity.ts says where each source counts). */
export interface HandlerActivity {
  handler: string;
  /** Invocations, whether they ended or failed (`errors`). */
  invocations: number;
  /**
   * Invocations that threw or timed out (Lambda's `Errors`): they report no records, and the event source mapping
   * retries their whole batch.
   */
  errors: number;
  /** Records handled to the end. */
  processed: number;
  /** Records reported as batch item failures (retried by the event source mapping). */
  failed: number;
  /** Records sent to the dead-letter topic. */
  deadLettered: number;
}

export interface PipelineView {
  target: string;
  readAt: string;
  schedules: ScheduleTimesView[];
  scheduleTopic: string;
  handlers: Array<{
    handler: string;
    role: string;
    groupId: string;
    lag: number;
    lastProcessedAt?: string;
    topic: string;
    description: string;
    produces: Array<{ role: string; topic: string }>;
    tables: Array<{ role: string; table: string }>;
    deadLetters: Array<{ reason: string; count: number; pending: number }>;
    /** Undefined when the source could not be read (`activityProblem` says why). */
    activity?: HandlerActivity;
  }>;
  /** Where the invocation counts come from, e.g. `CloudWatch metrics (Horton namespace), last 24 h`. */
  activitySource: string;
  activityProblem?: string;
  deadLetterTopic: string;
  deadLetters: { total: number; pending: number; redriven: number };
  quotaUsedToday: QuotaTodayView | 'no limiter';
}

export interface DayCount {
  day: string;
  calls: number;
  /** The limiter marked the day as used up (AlphaVantage refused a call, or the cap was reached). */
  exhausted: boolean;
}

export interface BudgetView {
  limiter: boolean;
  requestsPerDay: number | null;
  requestsPerMinute: number;
  today?: DayCount;
  yesterday?: DayCount;
  /** The limiter's theoretical arrival time of the next call; in the past when the budget is idle. */
  nextSlotAt?: string;
  /** Whether today's calls reached the daily cap: due work waits for tomorrow. */
  spentToday: boolean;
  waiting: Array<{ handler: string; lag: number }>;
  plan: DailyPlan;
  planSource: string;
}

/** A remembered answer without data, as stored (fields the console reads), judged at the time of reading. */
export interface NoDataView extends NoDataEntry {
  /** The entry holds the call back now (its next try is still ahead). */
  holds: boolean;
  /** The CLI's line for it (`horton status`). */
  line: string;
}

export interface NoDataPage {
  /** The memory's table; null when the deployment has none. */
  table: string | null;
  entries: NoDataView[];
  /** Cursor of the next page, when there is one. */
  next?: string;
}

export type Freshness = 'fresh' | 'due' | 'deferred' | 'no data' | 'not collected';

export interface ListedSecurity {
  symbol: string;
  name: string;
  exchange: string;
  assetType: string;
  source: string;
}

export interface UniversePage {
  total: number;
  matches: number;
  page: number;
  pageSize: number;
  readAt: string;
  securities: ListedSecurity[];
}

export interface SecuritiesPage extends UniversePage {
  budgetSpent: boolean;
  rows: Array<
    ListedSecurity & {
      freshness: Record<Dataset, Freshness>;
      /** The remembered answers without data of the symbol, by dataset (`indicators` for every indicator). */
      noData: Array<{ dataset: string; line: string; holds: boolean }>;
    }
  >;
}

export type Item = Record<string, unknown>;

/**
 * One security as the page reads it. The server returns the stored DynamoDB items (`horton show`'s
 * StoredSecurity, whose items are untyped records): these are the attributes the page relies on.
 */
export interface StoredSecurity {
  symbol: string;
  listing?: Item;
  fundamentals: Record<string, Item>;
  yearlyExtremes: Array<{
    year: number;
    highClose: number;
    highDate: string;
    lowClose: number;
    lowDate: string;
    tradingDays?: number;
  }>;
  quote?: {
    latest?: { price?: number; latestTradingDay?: string; changePercent?: number; observedAt?: string };
    rolling?: {
      average?: number;
      count?: number;
      windowSize?: number;
      observations?: Array<{ id: string; price: number; observedAt: string }>;
    };
  };
  indicators: Array<{
    indicator: string;
    function: string;
    latestDate?: string;
    latest?: Record<string, number>;
    recent?: Array<{ date: string } & Record<string, number>>;
    source?: string;
  }>;
  recentCloses: Array<{ date: string; close: number }>;
  noData: NoDataEntry[];
}

export interface DeadLetterEntry {
  partition: number;
  offset: string;
  appendedAt: string;
  shape: 'horton' | 'other';
  reason: { code: string; message: string };
  handler: string;
  source?: { topic: string; partition: number; offset: string };
  correlationId?: string;
  redriven?: { at: string; topic: string };
  repeatOf?: { partition: number; offset: string };
}

export interface DeadLetterList {
  groups: Array<{ handler: string; reason: string; count: number; pending: number; last: string }>;
  handlers: string[];
  reasons: string[];
  deadLetters: DeadLetterEntry[];
}

export interface DeadLetterDetail extends DeadLetterEntry {
  originalKey: string | null;
  originalValue: string | null;
  originalHeaders: Record<string, string>;
  originalValueCut?: { length: number; sha256: string; keptBytes: number };
}

export interface RedriveReport {
  dryRun: boolean;
  sent: Array<{ offset: string; partition: number; topic: string; reason: string; handler: string }>;
  skipped: Array<{ offset: string; partition: number; why: string }>;
  markers?: number;
}

export interface BackfillStarted {
  requestId: string;
  issuedAt: string;
  published: Record<string, number>;
  roles: string[];
}

export interface BackfillProgress {
  requestId: string;
  startedAt: string;
  symbols: string[];
  datasets: Array<{ role: string; handler: string; published: number; handled: number }>;
  done: boolean;
}
