/**
 * The simulator's mutable state: clock, plan and quota windows, symbol rules, faults and counters, with the
 * start-up settings `reset()` returns to. The HTTP handlers (query.ts, admin.ts) read and change it.
 */
import * as z from 'zod';
import type { LineEnding } from './answers.ts';
import type { ApiContext, Outcome } from './api.ts';
import { FaultInjector, type FaultMode, type FaultRule } from './faults.ts';
import { type FixtureEntry, indexFixtures } from './fixtures.ts';
import { type RecordedFundamentals, recordedFundamentals } from './fundamentals/recorded.ts';
import * as messages from './messages.ts';
import {
  PLAN_NAMES,
  PLANS,
  type Plan,
  type PlanName,
  type QuotaLimits,
  QuotaTracker,
  type QuotaWindow,
} from './quotas.ts';
import { canonicalSymbol, type DailyBar, lastTradingDate } from './series.ts';
import { dailySeriesFor } from './symbols.ts';

export interface SimulatorSettings {
  /** The simulator clock: data ends at the latest trading day on or before it. Default: real time. */
  now?: Date | string | (() => Date);
  /** Quota preset; default 'unlimited'. */
  plan?: PlanName;
  /** Overrides of the plan's limits. */
  quotas?: QuotaLimits;
  /** Clock for quota windows (ms); default Date.now. Tests pass a fake one. */
  quotaClock?: () => number;
  /** Symbols answered as unknown to AlphaVantage even if listed; default ['INVALID', 'UNKNOWN']. */
  unknownSymbols?: string[];
  /**
   * Serve synthetic data for every well-formed symbol, not only the universe's (symbols.ts); default false.
   * For load benchmarks that need more distinct symbols than LISTING_STATUS lists.
   */
  anySymbol?: boolean;
  /** When set, only these apikeys are accepted; others get the invalid-apikey error. */
  apiKeys?: string[];
  /** `apikey=demo` only works for IBM (AlphaVantage's behaviour); default false. */
  demoKeyRestricted?: boolean;
  /** Serve real recorded responses from this directory when one matches (see fixtures.ts). */
  fixturesDir?: string;
  /**
   * Recorded company data (fundamentals/recorded.ts): default the repository's test/fixtures/alphavantage;
   * `false` = synthetic company data only.
   */
  recordedDir?: string | false;
  faults?: FaultRule[];
  /** Seed of the fault coin; default 1. */
  faultSeed?: number;
  /** CSV line end; AlphaVantage sends LF today (CRLF in captures before ~2024). Default 'lf'. */
  csvLineEnding?: 'lf' | 'crlf';
}

export interface SimulatorStats {
  requests: {
    total: number;
    byFunction: Record<string, number>;
    bySymbol: Record<string, number>;
    /** Requests by their `outputsize` (`compact`, `full`), where they carry one. */
    byOutputsize: Record<string, number>;
    byOutcome: Record<Outcome | 'fault' | 'invalid-key', number>;
    /** Answers with a quota "Information" body. */
    limited: number;
    limitedByWindow: Record<QuotaWindow, number>;
    faults: number;
    faultsByMode: Record<FaultMode, number>;
  };
  connections: { accepted: number; open: number };
  adminRequests: number;
}

export const configChangeSchema = z.strictObject({
  plan: z.enum(PLAN_NAMES).optional(),
  quotas: z
    .strictObject({
      perSecond: z.number().int().positive().optional(),
      perMinute: z.number().int().positive().optional(),
      perDay: z.number().int().positive().optional(),
    })
    .optional(),
  now: z.string().optional(),
  unknownSymbols: z.array(z.string()).optional(),
  anySymbol: z.boolean().optional(),
  demoKeyRestricted: z.boolean().optional(),
});
export type SimulatorConfigChange = z.infer<typeof configChangeSchema>;

const emptyStats = (): SimulatorStats => ({
  requests: {
    total: 0,
    byFunction: {},
    bySymbol: {},
    byOutputsize: {},
    byOutcome: { data: 0, error: 0, empty: 0, limit: 0, premium: 0, notice: 0, fault: 0, 'invalid-key': 0 },
    limited: 0,
    limitedByWindow: { second: 0, minute: 0, day: 0 },
    faults: 0,
    faultsByMode: { 'http-error': 0, delay: 0, timeout: 0, 'malformed-json': 0, 'empty-json': 0, limit: 0 },
  },
  connections: { accepted: 0, open: 0 },
  adminRequests: 0,
});

function clockFrom(now: SimulatorSettings['now']): () => Date {
  if (now === undefined) return () => new Date();
  if (typeof now === 'function') return now;
  const fixed = new Date(now);
  if (Number.isNaN(fixed.getTime())) throw new Error(`invalid simulator clock: ${String(now)}`);
  return () => fixed;
}

function planFor(name: PlanName, overrides: QuotaLimits | undefined): Plan {
  const base = PLANS[name];
  if (overrides === undefined) return base;
  return { name: 'custom', premium: base.premium, limits: { ...base.limits, ...overrides } };
}

const SERIES_CACHE_LIMIT = 512;

export class SimulatorState {
  clock: () => Date;
  plan: Plan;
  unknownSymbols: ReadonlySet<string>;
  anySymbol: boolean;
  demoKeyRestricted: boolean;
  stats = emptyStats();
  readonly quotas: QuotaTracker;
  readonly faults: FaultInjector;
  private readonly initialClock: () => Date;
  private readonly seriesCache = new Map<string, DailyBar[]>();
  private readonly acceptedKeys: ReadonlySet<string> | undefined;
  private readonly lineEnding: LineEnding;
  private readonly fixtures: { directory: string; entries: readonly FixtureEntry[] } | undefined;
  private readonly recorded: RecordedFundamentals;

  constructor(private readonly settings: SimulatorSettings) {
    this.initialClock = clockFrom(settings.now);
    this.clock = this.initialClock;
    this.plan = planFor(settings.plan ?? 'unlimited', settings.quotas);
    this.unknownSymbols = this.initialUnknownSymbols();
    this.anySymbol = settings.anySymbol ?? false;
    this.demoKeyRestricted = settings.demoKeyRestricted ?? false;
    this.quotas = new QuotaTracker(this.plan.limits, settings.quotaClock);
    this.faults = new FaultInjector(settings.faults ?? [], settings.faultSeed ?? 1);
    this.acceptedKeys = settings.apiKeys ? new Set(settings.apiKeys) : undefined;
    this.lineEnding = settings.csvLineEnding === 'crlf' ? '\r\n' : '\n';
    this.fixtures = settings.fixturesDir
      ? { directory: settings.fixturesDir, entries: indexFixtures(settings.fixturesDir) }
      : undefined;
    this.recorded =
      settings.recordedDir === false
        ? { directory: '(none)', entries: [] }
        : recordedFundamentals(settings.recordedDir);
  }

  private initialUnknownSymbols(): ReadonlySet<string> {
    return new Set((this.settings.unknownSymbols ?? ['INVALID', 'UNKNOWN']).map(canonicalSymbol));
  }

  acceptsKey(apiKey: string): boolean {
    return apiKey !== '' && (this.acceptedKeys === undefined || this.acceptedKeys.has(apiKey));
  }

  limitMessage(window: QuotaWindow): string {
    if (this.plan.premium) return messages.PREMIUM_RATE_LIMIT;
    return window === 'day' ? messages.FREE_DAILY_LIMIT : messages.FREE_BURST_LIMIT;
  }

  /** What answerQuery needs for the current request. */
  context(): ApiContext {
    return {
      now: this.clock(),
      plan: this.plan,
      unknownSymbols: this.unknownSymbols,
      anySymbol: this.anySymbol,
      lineEnding: this.lineEnding,
      demoKeyRestricted: this.demoKeyRestricted,
      fixtures: this.fixtures,
      recorded: this.recorded,
      dailySeries: (symbol, now) => this.cachedSeries(symbol, now),
    };
  }

  /** Series are memoised by symbol and trading date (oldest entry evicted first). */
  private cachedSeries(symbol: string, now: Date): DailyBar[] {
    const key = `${canonicalSymbol(symbol)}|${lastTradingDate(now)}`;
    let bars = this.seriesCache.get(key);
    if (bars === undefined) {
      bars = dailySeriesFor(symbol, now, this.recorded);
      if (this.seriesCache.size >= SERIES_CACHE_LIMIT) {
        const oldest = this.seriesCache.keys().next().value;
        if (oldest !== undefined) this.seriesCache.delete(oldest);
      }
      this.seriesCache.set(key, bars);
    }
    return bars;
  }

  applyConfig(change: SimulatorConfigChange): void {
    if (change.plan !== undefined || change.quotas !== undefined) {
      const name =
        change.plan ?? (this.plan.name === 'custom' ? (this.settings.plan ?? 'unlimited') : this.plan.name);
      this.plan = planFor(name, change.quotas);
      this.quotas.setLimits(this.plan.limits);
    }
    if (change.now !== undefined) this.clock = clockFrom(change.now);
    if (change.unknownSymbols !== undefined)
      this.unknownSymbols = new Set(change.unknownSymbols.map(canonicalSymbol));
    if (change.anySymbol !== undefined) this.anySymbol = change.anySymbol;
    if (change.demoKeyRestricted !== undefined) this.demoKeyRestricted = change.demoKeyRestricted;
  }

  /** Zeroes counters and quota windows and restores the start-up faults and settings. */
  reset(): void {
    this.stats = { ...emptyStats(), connections: { accepted: 0, open: this.stats.connections.open } };
    this.clock = this.initialClock;
    this.plan = planFor(this.settings.plan ?? 'unlimited', this.settings.quotas);
    this.quotas.setLimits(this.plan.limits);
    this.quotas.reset();
    this.unknownSymbols = this.initialUnknownSymbols();
    this.anySymbol = this.settings.anySymbol ?? false;
    this.demoKeyRestricted = this.settings.demoKeyRestricted ?? false;
    this.faults.set(this.settings.faults ?? []);
    this.faults.reseed();
  }

  count(outcome: keyof SimulatorStats['requests']['byOutcome']): void {
    this.stats.requests.byOutcome[outcome] += 1;
  }
}
