/**
 * The daily plan: how many AlphaVantage calls each schedule spends on the worst day, against the plan's budget.
 * Pure. `npm run plan` prints it (bin/plan.ts), and `cdk synth` and `npm start` refuse a configuration that
 * does not fit unless `alphaVantage.overBudget` is `collect-what-fits`.
 *
 * The plan replays every schedule over a reference month and applies the handlers' own freshness rules
 * (functions/shared/domain/freshness.ts) to each firing, as if every call had succeeded: a quote firing after a
 * quote already taken since the close costs nothing, history costs one call per closed trading day, computed
 * indicators cost nothing (they follow history). Overview and statements are counted on every firing (the
 * worst case: whether a newer fiscal period exists is only known at run time). The worst day is the UTC day
 * with most calls.
 */

import {
  alphaVantageBudget,
  type Dataset,
  type HortonConfig,
  type IndicatorConfig,
  indicatorSource,
  type Job,
  type ScheduleConfig,
} from './config.ts';
import { latestClosedTradingDay } from './domain/exchange-calendar.ts';
import {
  type HistoryFacts,
  historyFreshness,
  indicatorFreshness,
  type QuoteFacts,
  quoteFreshness,
  type SnapshotFacts,
} from './domain/freshness.ts';
import { compileSchedule } from './schedule-expression.ts';

/** AlphaVantage calls one command makes: OVERVIEW + INCOME_STATEMENT + BALANCE_SHEET + CASH_FLOW. */
export const CALLS_PER_OVERVIEW = 4;

/**
 * Reference month: 31 days, so every weekday and day of the month occurs, without a clock change. A week of
 * warm-up before it lets the freshness rules reach their steady state (a first-ever firing always calls).
 */
const WINDOW_START = Date.parse('2026-08-01T00:00:00Z');
const WINDOW_DAYS = 31;
const WARM_UP_MS = 7 * 86_400_000;

export interface SchedulePlan {
  schedule: string;
  job: Job;
  expression: string;
  enabled: boolean;
  /** Commands one firing publishes (securities x what the job fans out to). */
  commandsPerFiring: number;
  /** Firings on the worst day. */
  firingsOnWorstDay: number;
  /** Calls on the worst day (firings the freshness rules skip cost nothing). */
  callsOnWorstDay: number;
  /** Calls on this schedule's own busiest day. */
  maxCallsPerDay: number;
}

export interface DailyPlan {
  /** Securities the plan assumes: the watchlist, or `universe.plannedListingSize` in listing mode. */
  securities: number;
  requestsPerDay: number | null;
  requestsPerMinute: number;
  schedules: SchedulePlan[];
  /** The UTC day with the most calls, and its weekday. */
  worstDay: { date: string; weekday: string; calls: number };
  /** Whether the worst day fits the daily budget (always, without a daily cap). */
  fits: boolean;
  /** Budget left on the worst day; negative when over; null without a daily cap. */
  headroom: number | null;
}

/** What one command of a job costs, and whether the freshness rules let a firing call. */
interface JobCost {
  commands: number;
  callsPerCommand: number;
  /** Decides a firing from the simulated state, and updates it when the firing calls. */
  fire(now: Date): boolean;
}

function jobCost(job: Job, config: HortonConfig, securities: number): JobCost {
  const listing = config.universe.source === 'listing';
  switch (job) {
    case 'universe':
      // Watchlist mode resolves the universe without a call; listing mode fetches LISTING_STATUS once.
      return { commands: 1, callsPerCommand: listing ? 1 : 0, fire: () => true };
    case 'overview':
      return { commands: securities, callsPerCommand: CALLS_PER_OVERVIEW, fire: () => true };
    case 'quote': {
      const facts: QuoteFacts = { applied: false };
      return {
        commands: securities,
        callsPerCommand: 1,
        fire(now) {
          const { call } = quoteFreshness(facts, now);
          if (call) facts.lastObservedAt = now.toISOString();
          return call;
        },
      };
    }
    case 'history': {
      const facts: HistoryFacts = { fullLoadDone: false, requestedFull: false };
      return {
        commands: securities,
        callsPerCommand: 1,
        fire(now) {
          const { call } = historyFreshness(facts, now);
          // Assume the call brings the newest closed day (AlphaVantage has it soon after the close).
          if (call) facts.lastStoredDate = latestClosedTradingDay(now);
          return call;
        },
      };
    }
    case 'indicators': {
      // Computed indicators follow history (no call, not fanned out by this job): only fetched ones count.
      const fetched = config.indicators.filter(
        (indicator: IndicatorConfig) => indicatorSource(indicator) === 'alphavantage',
      ).length;
      const facts: SnapshotFacts = {};
      return {
        commands: securities * fetched,
        callsPerCommand: 1,
        fire(now) {
          const { call } = indicatorFreshness(facts, now);
          if (call) facts.collectedAt = now.toISOString();
          return call;
        },
      };
    }
  }
}

/** Every firing of `schedule` in [from, to), in time order. */
function firings(schedule: ScheduleConfig, from: number, to: number): Date[] {
  const compiled = compileSchedule(schedule.expression, schedule.timezone);
  const result: Date[] = [];
  let cursor = new Date(from - 1);
  const anchor = new Date(from);
  for (;;) {
    const next = compiled.nextAfter(cursor, anchor);
    if (!next || next.getTime() >= to) return result;
    result.push(next);
    cursor = next;
  }
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** Computes the daily plan of a resolved configuration. */
export function planDailyCalls(config: HortonConfig): DailyPlan {
  const budget = alphaVantageBudget(config);
  const securities =
    config.universe.source === 'listing'
      ? config.universe.plannedListingSize
      : config.universe.watchlist.length;
  const from = WINDOW_START - WARM_UP_MS;
  const to = WINDOW_START + WINDOW_DAYS * 86_400_000;

  // calls[schedule index][UTC date] and firings[schedule index][UTC date]
  const callsByDay = config.schedules.map(() => new Map<string, number>());
  const firingsByDay = config.schedules.map(() => new Map<string, number>());
  config.schedules.forEach((schedule, index) => {
    if (!schedule.enabled) return;
    const cost = jobCost(schedule.job, config, securities);
    for (const at of firings(schedule, from, to)) {
      const calls = cost.fire(at) ? Math.round(cost.commands * cost.callsPerCommand) : 0;
      if (at.getTime() < WINDOW_START) continue;
      const day = at.toISOString().slice(0, 10);
      callsByDay[index]?.set(day, (callsByDay[index]?.get(day) ?? 0) + calls);
      firingsByDay[index]?.set(day, (firingsByDay[index]?.get(day) ?? 0) + 1);
    }
  });

  let worstDay = { date: new Date(WINDOW_START).toISOString().slice(0, 10), calls: -1 };
  for (let day = 0; day < WINDOW_DAYS; day += 1) {
    const date = new Date(WINDOW_START + day * 86_400_000).toISOString().slice(0, 10);
    const calls = callsByDay.reduce((sum, byDay) => sum + (byDay.get(date) ?? 0), 0);
    if (calls > worstDay.calls) worstDay = { date, calls };
  }

  const schedules = config.schedules.map((schedule, index): SchedulePlan => {
    const cost = jobCost(schedule.job, config, securities);
    return {
      schedule: schedule.name,
      job: schedule.job,
      expression: schedule.expression,
      enabled: schedule.enabled,
      commandsPerFiring: schedule.job === 'universe' ? 1 : cost.commands,
      firingsOnWorstDay: firingsByDay[index]?.get(worstDay.date) ?? 0,
      callsOnWorstDay: callsByDay[index]?.get(worstDay.date) ?? 0,
      maxCallsPerDay: Math.max(0, ...(callsByDay[index]?.values() ?? [])),
    };
  });
  const headroom = budget.requestsPerDay === null ? null : budget.requestsPerDay - worstDay.calls;
  return {
    securities,
    requestsPerDay: budget.requestsPerDay,
    requestsPerMinute: budget.requestsPerMinute,
    schedules,
    worstDay: {
      ...worstDay,
      weekday: WEEKDAYS[new Date(`${worstDay.date}T00:00:00Z`).getUTCDay()] ?? '',
    },
    fits: headroom === null || headroom >= 0,
    headroom,
  };
}

/** One dataset of one symbol in a run: a collect command and what it may cost. */
export interface RunItem {
  dataset: Dataset;
  symbol: string;
  /** AlphaVantage calls at most (0 when the freshness rules or the no-data memory skip it). */
  calls: number;
}

/** What a run knows about one dataset of one symbol before it starts (read from the tables). */
export interface RunItemFacts {
  /** Why the item costs nothing now (fresh, or remembered without data until later); absent = it calls. */
  skip?: string;
  /** When the stored copy was collected (epoch ms); absent = never stored, the stalest. */
  storedAt?: number;
}

export interface RunPlanInput {
  config: HortonConfig;
  /** The securities of the run (the watchlist, or the stored listing universe). */
  symbols: readonly string[];
  /** Calls left today by the shared limiter's count; null = no daily cap. */
  remainingToday: number | null;
  now: Date;
  /** Facts by `runItemKey(dataset, symbol)`; an item without facts calls and is the stalest. */
  facts?: ReadonlyMap<string, RunItemFacts>;
}

export interface RunPlan {
  /** What runs, in priority order: every item that calls and fits, and every item that costs nothing. */
  run: RunItem[];
  /** What does not fit today's budget, for the next budget day. */
  deferred: RunItem[];
  /** Calls the run may make at most. */
  calls: number;
  remainingToday: number | null;
  /** When the budget's day resets (next UTC midnight, as AlphaVantage counts). */
  resetsAt: string;
}

export const runItemKey = (dataset: Dataset, symbol: string) => `${dataset}:${symbol}`;

/** Datasets of a one-shot cycle, in the order a tie in staleness is broken: cheap and daily first. */
const RUN_DATASETS: readonly Dataset[] = ['quote', 'history', 'overview', 'indicators'];

/**
 * Plans one run (`npm start`'s cycle) against the budget left today, as the schedules are planned against a
 * day: the watchlist's quotes first, then the stalest datasets (never stored first, then the oldest copy;
 * cheaper datasets first on a tie); what does not fit is deferred to the next budget day. Items that cost
 * nothing (fresh, or remembered without data) always run: they publish computed indicators and cost no call.
 */
export function planRun(input: RunPlanInput): RunPlan {
  const { config, now } = input;
  const fetchedIndicators = config.indicators.filter(
    (indicator: IndicatorConfig) => indicatorSource(indicator) === 'alphavantage',
  ).length;
  const watchlist = new Set(config.universe.watchlist);
  const costOf = (dataset: Dataset) =>
    dataset === 'overview' ? CALLS_PER_OVERVIEW : dataset === 'indicators' ? fetchedIndicators : 1;
  const items = RUN_DATASETS.flatMap((dataset, datasetRank) =>
    input.symbols.flatMap((symbol) => {
      if (dataset === 'indicators' && fetchedIndicators === 0) return [];
      const facts = input.facts?.get(runItemKey(dataset, symbol)) ?? {};
      const priority = dataset === 'quote' && watchlist.has(symbol) ? 0 : 1;
      return [
        {
          item: { dataset, symbol, calls: facts.skip ? 0 : costOf(dataset) },
          order: [priority, facts.storedAt ?? Number.NEGATIVE_INFINITY, datasetRank] as const,
        },
      ];
    }),
  );
  // A stable sort keeps the symbols' order within equal keys.
  items.sort((a, b) => a.order[0] - b.order[0] || a.order[1] - b.order[1] || a.order[2] - b.order[2]);
  let left = input.remainingToday ?? Number.POSITIVE_INFINITY;
  const run: RunItem[] = [];
  const deferred: RunItem[] = [];
  for (const { item } of items) {
    if (item.calls > left) {
      deferred.push(item);
      continue;
    }
    left -= item.calls;
    run.push(item);
  }
  const midnight = new Date(now);
  midnight.setUTCHours(24, 0, 0, 0);
  return {
    run,
    deferred,
    calls: run.reduce((sum, item) => sum + item.calls, 0),
    remainingToday: input.remainingToday,
    resetsAt: midnight.toISOString(),
  };
}
