/**
 * Planning the fan-out from one universe-level command to per-security commands. Pure: the securities handler
 * and the backfill handler both call it, and tests check it without Kafka.
 *
 * Child command ids are derived from the parent id, the dataset, the symbol (and the indicator), so replaying the
 * parent produces byte-identical children: downstream writes keyed by command id stay idempotent.
 *
 * Computed indicators are not fanned out: they follow the history they are computed from (`followUpIndicators`,
 * published by the history handler once the closes are stored; docs/decisions/0031).
 */
import { type Dataset, type IndicatorConfig, indicatorId, indicatorSource } from '../../../model/config.ts';
import { type NoDataEntry, noDataHolds } from '../../../model/domain/no-data.ts';
import type {
  CollectHistory,
  CollectIndicator,
  CollectOverview,
  CollectQuote,
  CollectUniverse,
} from '../../../model/messages.ts';
import { childCommandId } from '../../../model/messages.ts';

export interface FanOutInput {
  parent: Pick<
    CollectUniverse,
    'commandId' | 'correlationId' | 'issuedAt' | 'historyOutputsize' | 'askAgain'
  >;
  symbols: readonly string[];
  datasets: readonly Dataset[];
  indicators: readonly IndicatorConfig[];
}

export interface FanOutPlan {
  overview: CollectOverview[];
  history: CollectHistory[];
  quote: CollectQuote[];
  indicators: CollectIndicator[];
}

type Parent = Pick<CollectUniverse, 'commandId' | 'correlationId' | 'issuedAt' | 'askAgain'>;

/** The envelope of a child command: its parent's correlation and time, an id derived from the parent's. */
function childEnvelope(parent: Parent, symbol: string, ...parts: string[]) {
  return {
    v: 1 as const,
    commandId: childCommandId(parent.commandId, ...parts, symbol),
    correlationId: parent.correlationId,
    issuedAt: parent.issuedAt,
    ...(parent.askAgain ? { askAgain: true as const } : {}),
    symbol,
  };
}

export function planFanOut(input: FanOutInput): FanOutPlan {
  const plan: FanOutPlan = { overview: [], history: [], quote: [], indicators: [] };
  const wanted = new Set(input.datasets);
  const base = (symbol: string, ...parts: string[]) => childEnvelope(input.parent, symbol, ...parts);
  for (const symbol of input.symbols) {
    if (wanted.has('overview')) plan.overview.push({ type: 'collect-overview', ...base(symbol, 'overview') });
    if (wanted.has('history')) {
      plan.history.push({
        type: 'collect-history',
        ...base(symbol, 'history'),
        ...(input.parent.historyOutputsize ? { outputsize: input.parent.historyOutputsize } : {}),
      });
    }
    if (wanted.has('quote')) plan.quote.push({ type: 'collect-quote', ...base(symbol, 'quote') });
    if (wanted.has('indicators')) {
      for (const indicator of input.indicators.filter((i) => indicatorSource(i) === 'alphavantage')) {
        plan.indicators.push({
          type: 'collect-indicator',
          ...base(symbol, 'indicator', indicatorId(indicator)),
          indicator: { ...indicator },
        });
      }
    }
  }
  return plan;
}

/**
 * The computed-indicator commands that follow one collect-history command: same correlation and issuedAt, ids
 * derived from the history command's, so a replayed history command re-publishes byte-identical commands.
 */
export function followUpIndicators(
  history: Parent & Pick<CollectHistory, 'symbol'>,
  indicators: readonly IndicatorConfig[],
): CollectIndicator[] {
  return indicators
    .filter((indicator) => indicatorSource(indicator) === 'computed')
    .map((indicator) => ({
      type: 'collect-indicator',
      ...childEnvelope(history, history.symbol, 'indicator', indicatorId(indicator)),
      indicator: { ...indicator },
    }));
}

/** What a fan-out may spend when the configuration collects only what fits the daily budget. */
export interface FanOutBudget {
  /** Calls left today; null = no daily cap (everything is published). */
  remaining: number | null;
  /** Symbols whose quotes go first (the watchlist). */
  prioritySymbols: ReadonlySet<string>;
}

export interface FittedFanOut {
  plan: FanOutPlan;
  /** Commands left out of this firing, per dataset. */
  deferred: Record<keyof FanOutPlan, number>;
  /** AlphaVantage calls the published commands can cost at most. */
  calls: number;
}

/**
 * Calls one command can cost at most (the handlers' freshness rules may skip them): OVERVIEW and the three
 * statements, otherwise one. Fanned-out indicators are all fetched ones (computed ones follow history).
 */
const callsOf = (dataset: keyof FanOutPlan): number => (dataset === 'overview' ? 4 : 1);

/**
 * Keeps the commands the remaining budget covers, in priority order: the watchlist's quotes, the other quotes, then history, overview and fetched indicators. Within a dataset the
 * start rotates by the firing's day, so what one day defers goes first on a later day instead of starving.
 * Deterministic for a given parent command and budget.
 */
export function fitFanOut(plan: FanOutPlan, budget: FanOutBudget, issuedAt: string): FittedFanOut {
  const fitted: FanOutPlan = { overview: [], history: [], quote: [], indicators: [] };
  const deferred = { overview: 0, history: 0, quote: 0, indicators: 0 };
  const day = Math.floor(Date.parse(issuedAt) / 86_400_000);
  const rotate = <T>(items: readonly T[]) => {
    const start = items.length === 0 ? 0 : day % items.length;
    return [...items.slice(start), ...items.slice(0, start)];
  };
  type Entry = { dataset: keyof FanOutPlan; command: FanOutPlan[keyof FanOutPlan][number]; calls: number };
  const entries = (dataset: keyof FanOutPlan, commands: readonly Entry['command'][]) =>
    rotate(commands).map((command) => ({ dataset, command, calls: callsOf(dataset) }));
  const all = [
    ...entries('quote', plan.quote),
    ...entries('history', plan.history),
    ...entries('overview', plan.overview),
    ...entries('indicators', plan.indicators),
  ];
  const rank = (entry: Entry) =>
    entry.dataset === 'quote' && budget.prioritySymbols.has(entry.command.symbol) ? 0 : 1;
  // A stable sort keeps the dataset order and the rotation within each rank.
  const ordered = [...all].sort((a, b) => rank(a) - rank(b));
  let left = budget.remaining ?? Number.POSITIVE_INFINITY;
  let calls = 0;
  for (const entry of ordered) {
    if (entry.calls > left) {
      deferred[entry.dataset] += 1;
      continue;
    }
    left -= entry.calls;
    calls += entry.calls;
    (fitted[entry.dataset] as Entry['command'][]).push(entry.command);
  }
  return { plan: fitted, deferred, calls };
}

/** The no-data memory's dataset name of a fanned-out command (as the handlers' `askRemembering` names it). */
function noDataDatasetOf(command: FanOutPlan[keyof FanOutPlan][number]): string {
  switch (command.type) {
    case 'collect-overview':
      return 'overview';
    case 'collect-history':
      return 'history';
    case 'collect-quote':
      return 'quote';
    case 'collect-indicator':
      return `indicator:${indicatorId(command.indicator)}`;
  }
}

/**
 * Leaves out the commands whose symbol and dataset the no-data memory holds back at `issuedAt` (the handler
 * would skip them without a call anyway): fewer records, and the budget fitted to what can be asked.
 */
export function withoutRemembered(
  plan: FanOutPlan,
  entries: readonly NoDataEntry[],
  issuedAt: string,
): { plan: FanOutPlan; heldBack: number } {
  const held = new Set(
    entries
      .filter((entry) => noDataHolds(entry, issuedAt))
      .map((entry) => `${entry.symbol}\u0000${entry.dataset}`),
  );
  if (held.size === 0) return { plan, heldBack: 0 };
  const keep = <C extends FanOutPlan[keyof FanOutPlan][number]>(commands: C[]) =>
    commands.filter((command) => !held.has(`${command.symbol}\u0000${noDataDatasetOf(command)}`));
  const kept: FanOutPlan = {
    overview: keep(plan.overview),
    history: keep(plan.history),
    quote: keep(plan.quote),
    indicators: keep(plan.indicators),
  };
  const count = (p: FanOutPlan) =>
    p.overview.length + p.history.length + p.quote.length + p.indicators.length;
  return { plan: kept, heldBack: count(plan) - count(kept) };
}
