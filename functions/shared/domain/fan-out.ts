/**
 * Planning the fan-out from one universe-level command to per-security commands. Pure: the securities handler
 * and the backfill handler both call it, and tests check it without Kafka.
 *
 * Child command ids are derived from the parent id, the dataset, the symbol (and the indicator), so replaying the
 * parent produces byte-identical children: downstream writes keyed by command id stay idempotent.
 */
import { type Dataset, type IndicatorConfig, indicatorId } from '../../../model/config.ts';
import type {
  CollectHistory,
  CollectIndicator,
  CollectOverview,
  CollectQuote,
  CollectUniverse,
} from '../../../model/messages.ts';
import { childCommandId } from '../../../model/messages.ts';

export interface FanOutInput {
  parent: Pick<CollectUniverse, 'commandId' | 'correlationId' | 'issuedAt' | 'historyOutputsize'>;
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

export function planFanOut(input: FanOutInput): FanOutPlan {
  const plan: FanOutPlan = { overview: [], history: [], quote: [], indicators: [] };
  const wanted = new Set(input.datasets);
  const base = (symbol: string, ...parts: string[]) => ({
    v: 1 as const,
    commandId: childCommandId(input.parent.commandId, ...parts, symbol),
    correlationId: input.parent.correlationId,
    issuedAt: input.parent.issuedAt,
    symbol,
  });
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
      for (const indicator of input.indicators) {
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
