/**
 * The one-shot collection cycle of `npm start`: planned against the AlphaVantage budget left today like a
 * scheduled day (model/plan.ts `planRun`, docs/decisions/0032-one-shot-run-planning.md), fired in priority
 * order, and ended as soon as the work that fits is done, or at once when the day's budget is found spent
 * (nothing frees up before UTC midnight, so waiting would only end in a timeout).
 */
import { createHash } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Kafka, logLevel } from 'kafkajs';
import { securitiesFromWatchlist } from '../functions/shared/domain/universe.ts';
import { Publisher } from '../functions/shared/kafka/producer.ts';
import { DynamoDbQuotaLimiter } from '../functions/shared/store/alphavantage-quota.ts';
import { getStoredFundamentals } from '../functions/shared/store/fundamentals.ts';
import { getHistoryState } from '../functions/shared/store/history.ts';
import { getQuoteItem } from '../functions/shared/store/quotes.ts';
import { scanAll } from '../functions/shared/store/snapshots.ts';
import { alphaVantageBudget, type Dataset, type HortonConfig, tableNames } from '../model/config.ts';
import {
  fundamentalsFreshness,
  historyFactsOf,
  historyFreshness,
  quoteFreshness,
} from '../model/domain/freshness.ts';
import { describeNoData, type NoDataEntry, noDataHolds } from '../model/domain/no-data.ts';
import type { HandlerName } from '../model/handlers.ts';
import type { CollectUniverse } from '../model/messages.ts';
import { planRun, type RunItemFacts, type RunPlan, runItemKey } from '../model/plan.ts';
import type { Pipeline } from './runner/pipeline.ts';

export interface CycleOptions {
  pipeline: Pipeline;
  config: HortonConfig;
  doc: DynamoDBDocumentClient;
  brokers: string[];
  /** Longest the cycle may take before it fails with the pipeline's lag. @default 600000 */
  timeoutMs?: number;
  now?: () => Date;
}

/** Why the day's budget is spent, as the limiter's day item records it. */
export interface SpentBudget {
  day: string;
  usedToday: number;
  /** AlphaVantage's own daily-limit answer, when it (not the configured cap) ended the day. */
  dailyLimitAnswer?: string;
}

export interface CycleResult {
  plan: RunPlan;
  /** `idle`: everything fired was handled; `budget-spent`: the day's budget ran out first. */
  ended: 'idle' | 'budget-spent';
  spent?: SpentBudget;
  /** One line naming the cause, when the cycle's dataset handlers could not process a single record. */
  failure?: string;
}

/** The handlers that ask AlphaVantage for a symbol's data and store it. */
const DATA_HANDLERS: readonly HandlerName[] = ['quote', 'history', 'overview', 'indicators'];

type Tally = { processed: number; failed: number; lastCause?: string };

/** What the dataset handlers have processed and failed (dead-lettered by them or by the mapping) so far. */
function tally(pipeline: Pipeline): Tally {
  const total: Tally = { processed: 0, failed: 0 };
  for (const name of DATA_HANDLERS) {
    const counters = pipeline.mappings.get(name)?.counters;
    if (!counters) continue;
    total.processed += counters.processed;
    total.failed += counters.deadLettered + counters.onFailureSends;
    if (counters.lastCause !== undefined) total.lastCause = counters.lastCause;
  }
  return total;
}

/**
 * The verdict of a cycle that stored nothing: every record its dataset handlers got failed or was
 * dead-lettered. One line with the last cause and the endpoint (causes never carry the key: the transport
 * redacts it).
 */
function nothingStored(before: Tally, after: Tally, config: HortonConfig): string | undefined {
  const failed = after.failed - before.failed;
  if (failed === 0 || after.processed > before.processed) return undefined;
  const endpoint = new URL(config.alphaVantage.baseUrl).origin;
  return `Nothing could be stored: all ${failed} record(s) of this run failed or were dead-lettered; last cause: ${after.lastCause ?? 'unknown'} (AlphaVantage at ${endpoint})`;
}

/** The phases of a cycle, in firing order: the quotes of the plan first, fetched indicators last. */
const PHASES: readonly (readonly Dataset[])[] = [['quote'], ['history', 'overview'], ['indicators']];

/** Polls of the pipeline between two looks at the budget. */
const SETTLE_SLICE_MS = 3_000;
/** After the budget is found spent, how long calls already under way may take to be stored. */
const SPENT_GRACE_MS = 15_000;

/** Runs one planned cycle: the universe, then what fits today's budget, in priority order. */
export async function runPlannedCycle(options: CycleOptions): Promise<CycleResult> {
  const { pipeline, config } = options;
  const scheduler = pipeline.scheduler;
  if (!scheduler) throw new Error('the dispatcher did not start');
  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  const limiter = new DynamoDbQuotaLimiter({
    doc: options.doc,
    table: tableNames(config).alphaVantageQuota,
    ...alphaVantageBudget(config),
  });
  const spentBudget = () => budgetSpent(limiter);
  const before = tally(pipeline);
  const verdict = (result: Omit<CycleResult, 'failure'>): CycleResult => {
    const failure = nothingStored(before, tally(pipeline), config);
    return failure === undefined ? result : { ...result, failure };
  };

  // The universe first, so the dataset commands fan out over the stored securities.
  await scheduler.fireNow('universe');
  const afterUniverse = await settle(pipeline, spentBudget, deadline);
  const now = options.now?.() ?? new Date();
  const symbols = await runSymbols(options.doc, config);
  const plan = planRun({
    config,
    symbols,
    remainingToday: (await limiter.usage()).remainingToday,
    now,
    facts: await readRunFacts(options.doc, config, symbols, now),
  });
  if (afterUniverse.ended === 'budget-spent') return verdict({ plan, ...afterUniverse });

  const publisher = new Publisher(
    new Kafka({ clientId: `${config.prefix}-start`, brokers: options.brokers, logLevel: logLevel.NOTHING }),
  );
  try {
    for (const datasets of PHASES) {
      const commands = datasets.flatMap((dataset) => {
        const wanted = plan.run.filter((item) => item.dataset === dataset).map((item) => item.symbol);
        return wanted.length > 0 ? [runCommand(dataset, wanted, now)] : [];
      });
      if (commands.length === 0) continue;
      await publisher.publishCommands(config.topics.securities.name, commands);
      const settled = await settle(pipeline, spentBudget, deadline);
      if (settled.ended === 'budget-spent') return verdict({ plan, ...settled });
      // A phase in which every record failed (an endpoint that refuses or errs on every call): the next phases
      // would only spend the budget on retries of the same failure.
      const result = verdict({ plan, ended: 'idle' });
      if (result.failure) return result;
    }
  } finally {
    await publisher.disconnect();
  }
  return verdict({ plan, ended: 'idle' });
}

/** The collect-universe command of one dataset of a run, restricted to the planned symbols. */
function runCommand(dataset: Dataset, symbols: string[], now: Date): CollectUniverse {
  const issuedAt = now.toISOString();
  return {
    type: 'collect-universe',
    v: 1,
    commandId: createHash('sha256').update(`run\u0000${issuedAt}\u0000${dataset}`).digest('hex').slice(0, 32),
    correlationId: `run@${issuedAt}`,
    issuedAt,
    refreshListing: false,
    datasets: [dataset],
    symbols,
  };
}

/**
 * Waits until the pipeline is idle, or the day's budget is spent (then gives calls under way a short grace to
 * be stored). Past `deadline`, the pipeline's own "not idle" error names the lag.
 */
async function settle(
  pipeline: Pipeline,
  spentBudget: () => Promise<SpentBudget | undefined>,
  deadline: number,
): Promise<{ ended: 'idle' | 'budget-spent'; spent?: SpentBudget }> {
  for (;;) {
    const slice = Math.max(1, Math.min(SETTLE_SLICE_MS, deadline - Date.now()));
    try {
      await pipeline.waitUntilIdle({ timeoutMs: slice });
      return { ended: 'idle' };
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('pipeline not idle')) throw error;
      if (Date.now() >= deadline) throw error;
    }
    const spent = await spentBudget();
    if (spent) {
      await pipeline.waitUntilIdle({ timeoutMs: SPENT_GRACE_MS }).catch(() => {});
      return { ended: 'budget-spent', spent };
    }
  }
}

/** The day's budget when no call can be made before UTC midnight; undefined while calls can still be made. */
async function budgetSpent(limiter: DynamoDbQuotaLimiter): Promise<SpentBudget | undefined> {
  const usage = await limiter.usage();
  if (usage.remainingToday !== 0) return undefined;
  return {
    day: usage.day,
    usedToday: usage.usedToday,
    ...(usage.dailyLimitAnswer === undefined ? {} : { dailyLimitAnswer: usage.dailyLimitAnswer }),
  };
}

/** The run's securities: the watchlist's valid symbols, or the stored listing universe. */
async function runSymbols(doc: DynamoDBDocumentClient, config: HortonConfig): Promise<string[]> {
  if (config.universe.source === 'watchlist') {
    return securitiesFromWatchlist(config.universe.watchlist).securities.map((security) => security.symbol);
  }
  const stored = await scanAll<{ symbol: string; source: string }>(doc, tableNames(config).securities);
  return stored.filter((security) => security.source === 'listing').map((security) => security.symbol);
}

/** What the tables say about each item of the run: whether the freshness rules skip it, and its age. */
async function readRunFacts(
  doc: DynamoDBDocumentClient,
  config: HortonConfig,
  symbols: readonly string[],
  now: Date,
): Promise<Map<string, RunItemFacts>> {
  const tables = tableNames(config);
  const facts = new Map<string, RunItemFacts>();
  const skipUnless = (decision: { call: boolean; reason: string }) =>
    decision.call ? {} : { skip: decision.reason };
  for (const symbol of symbols) {
    const [quote, history, fundamentals] = await Promise.all([
      getQuoteItem(doc, tables.quotes, symbol),
      getHistoryState(doc, tables.dailyPrices, symbol),
      getStoredFundamentals(doc, tables.fundamentals, symbol),
    ]);
    const observedAt = quote?.latest.observedAt;
    facts.set(runItemKey('quote', symbol), {
      ...skipUnless(
        quoteFreshness({ applied: false, ...(observedAt ? { lastObservedAt: observedAt } : {}) }, now),
      ),
      ...(observedAt ? { storedAt: Date.parse(observedAt) } : {}),
    });
    facts.set(runItemKey('history', symbol), {
      ...skipUnless(historyFreshness(historyFactsOf(history, false), now)),
      ...(history ? { storedAt: Date.parse(history.lastStoredDate) } : {}),
    });
    facts.set(runItemKey('overview', symbol), {
      ...skipUnless(
        fundamentalsFreshness({ ...fundamentals, maxAgeDays: config.freshness.fundamentalsMaxAgeDays }, now),
      ),
      ...(fundamentals.collectedAt ? { storedAt: Date.parse(fundamentals.collectedAt) } : {}),
    });
  }
  // Answers without data the handlers remember cost nothing until their next try.
  for (const entry of await scanAll<NoDataEntry>(doc, tables.noData)) {
    const dataset = entry.dataset as Dataset;
    const key = runItemKey(dataset, entry.symbol);
    if (!facts.has(key) || !noDataHolds(entry, now.toISOString())) continue;
    facts.set(key, { ...facts.get(key), skip: describeNoData(entry) });
  }
  return facts;
}
