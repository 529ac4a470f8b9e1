/**
 * The JSON the console's API returns (cli/console/data/*.ts), as the pages read it. The front end is
 * type-checked on its own (DOM, no Node), so it states the shapes it relies on here.
 */
export interface PipelineView {
  target: string;
  readAt: string;
  schedules: Array<{
    name: string;
    job: string;
    expression: string;
    timezone: string;
    enabled: boolean;
    lastDue?: string;
    nextDue?: string;
  }>;
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
  }>;
  deadLetterTopic: string;
  deadLetters: { total: number; pending: number; redriven: number };
  quotaUsedToday: number | 'no limiter';
}

export interface DayCount {
  day: string;
  calls: number;
  exhausted: boolean;
}

export interface BudgetView {
  limiter: boolean;
  requestsPerDay: number | null;
  requestsPerMinute: number;
  today?: DayCount;
  yesterday?: DayCount;
  nextSlotAt?: string;
  spentToday: boolean;
  waiting: Array<{ handler: string; lag: number }>;
  planSource: string;
  plan: {
    securities: number;
    requestsPerDay: number | null;
    requestsPerMinute: number;
    schedules: Array<{
      schedule: string;
      job: string;
      expression: string;
      enabled: boolean;
      commandsPerFiring: number;
      firingsOnWorstDay: number;
      callsOnWorstDay: number;
      maxCallsPerDay: number;
    }>;
    worstDay: { date: string; weekday: string; calls: number };
    fits: boolean;
    headroom: number | null;
  };
}

export type Freshness = 'fresh' | 'due' | 'deferred' | 'no data';
export const DATASETS = ['overview', 'history', 'quote', 'indicators'] as const;
export type Dataset = (typeof DATASETS)[number];

export interface SecuritiesPage {
  total: number;
  matches: number;
  page: number;
  pageSize: number;
  readAt: string;
  budgetSpent: boolean;
  rows: Array<{
    symbol: string;
    name: string;
    exchange: string;
    assetType: string;
    source: string;
    freshness: Record<Dataset, Freshness>;
  }>;
}

export type Item = Record<string, unknown>;

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
  sent: Array<{ offset: string; partition: number; topic: string; reason: string; handler: string }>;
  skipped: Array<{ offset: string; partition: number; why: string }>;
}

export interface BackfillStarted {
  requestId: string;
  issuedAt: string;
  published: Record<string, number>;
  roles: string[];
}

export interface BackfillProgress {
  requestId: string;
  symbols: string[];
  datasets: Array<{ role: string; handler: string; published: number; handled: number }>;
  done: boolean;
}
