/**
 * Backfill planning: a validated operator request becomes collect commands. Pure and all-or-nothing: an invalid
 * request throws `BackfillRequestError` before anything is published.
 *
 * With `symbols`, per-security commands go straight to the dataset topics; without, one collect-universe command
 * asks the securities handler to fan out over the stored universe. The same `requestId` always yields the same
 * command ids, and with the `issuedAt` of the first response also the same content, so re-invoking a backfill that
 * failed half-way publishes exact duplicates that downstream writes absorb.
 *
 * Computed indicators follow history (docs/decisions/0031-computed-indicators-follow-history.md): asking for
 * indicators asks for history too, which costs no call when the newest closed trading day is already stored.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { DATASETS, type Dataset, type IndicatorConfig, indicatorSource } from '../../model/config.ts';
import { type CollectUniverse, ISSUED_AT_TOLERANCE_MS, symbolSchema } from '../../model/messages.ts';
import { type FanOutPlan, planFanOut } from '../shared/domain/fan-out.ts';

/**
 * Most symbols one request may name. Publishing is chunked, so this is not a broker limit: it keeps one request
 * (and its response, which counts what was published) to a size an operator can reason about.
 */
export const MAX_BACKFILL_SYMBOLS = 10_000;
export const backfillRequestSchema = z
  .object({
    /** Securities to collect; omitted = the whole stored universe. Lower case is accepted and normalized. */
    symbols: z
      .array(z.string().trim().toUpperCase().pipe(symbolSchema))
      .min(1)
      .max(MAX_BACKFILL_SYMBOLS, `at most ${MAX_BACKFILL_SYMBOLS} symbols per backfill: split the request`)
      .optional(),
    /** What to collect. `universe` refreshes the securities list (only without `symbols`). */
    datasets: z.array(z.enum(['universe', ...DATASETS])).min(1),
    /** Force the TIME_SERIES_DAILY size; `full` needs a premium AlphaVantage plan. */
    historyOutputsize: z.enum(['compact', 'full']).optional(),
    /** Idempotency key: re-sending the same request id re-publishes the same command ids. */
    requestId: z.string().min(1).max(100).optional(),
    /**
     * Issue time of the commands; the invocation time when absent. The response returns the one used: re-send it
     * with the same `requestId` to repeat a backfill exactly (same ids AND same content, so every write is a no-op);
     * without it, a repeat is a fresh collection under the same ids.
     */
    issuedAt: z.iso.datetime({ offset: true }).optional(),
    /**
     * Ask AlphaVantage even for items the no-data memory holds back (an unknown symbol that may have been
     * listed since); the answers still update the memory.
     */
    askAgain: z.boolean().optional(),
  })
  .strict()
  .refine((request) => !(request.symbols && request.datasets.includes('universe')), {
    message: '"universe" refreshes the whole securities list and cannot be combined with "symbols"',
    path: ['datasets'],
  });
export type BackfillRequest = z.input<typeof backfillRequestSchema>;

export class BackfillRequestError extends Error {
  override readonly name = 'BackfillRequestError';
}

export interface BackfillContext {
  premium: boolean;
  indicators: readonly IndicatorConfig[];
  now: Date;
  /** Used as the request id when the request has none (the Lambda request id). */
  fallbackRequestId: string;
}

export interface BackfillPlan {
  requestId: string;
  correlationId: string;
  issuedAt: string;
  /** Datasets added to the request: `history` when computed indicators were asked for without it. */
  impliedDatasets: Dataset[];
  /** The request asks past the no-data memory (its commands carry `askAgain`). */
  askAgain: boolean;
  securities: CollectUniverse[];
  perSecurity: FanOutPlan;
}

type ValidRequest = z.output<typeof backfillRequestSchema>;

/** The request, parsed and checked against this deployment: every problem in one `BackfillRequestError`. */
function validRequest(raw: unknown, context: BackfillContext): ValidRequest {
  const parsed = backfillRequestSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(request)'}: ${issue.message}`,
    );
    throw new BackfillRequestError(`Invalid backfill request: ${problems.join('; ')}`);
  }
  const request = parsed.data;
  if (request.historyOutputsize === 'full' && !context.premium) {
    throw new BackfillRequestError(
      'Invalid backfill request: historyOutputsize "full" is a premium AlphaVantage feature and this deployment is configured for the free plan',
    );
  }
  if (request.issuedAt && Date.parse(request.issuedAt) > context.now.getTime() + ISSUED_AT_TOLERANCE_MS) {
    throw new BackfillRequestError(
      `Invalid backfill request: issuedAt: ${request.issuedAt} is in the future (now ${context.now.toISOString()}, tolerance ${ISSUED_AT_TOLERANCE_MS / 60_000} min); it orders quote observations, so a future one would stay the latest quote for good`,
    );
  }
  return request;
}

/** `history` when computed indicators were asked for without it: they are computed from stored closes. */
function impliedBy(requested: readonly Dataset[], indicators: readonly IndicatorConfig[]): Dataset[] {
  const computedIndicators = indicators.some((indicator) => indicatorSource(indicator) === 'computed');
  return requested.includes('indicators') && !requested.includes('history') && computedIndicators
    ? ['history']
    : [];
}

export function planBackfill(raw: unknown, context: BackfillContext): BackfillPlan {
  const request = validRequest(raw, context);
  const requestId = request.requestId ?? context.fallbackRequestId;
  const root = {
    commandId: createHash('sha256').update(`backfill\u0000${requestId}`).digest('hex').slice(0, 32),
    correlationId: `backfill:${requestId}`,
    issuedAt: request.issuedAt ?? context.now.toISOString(),
    ...(request.historyOutputsize ? { historyOutputsize: request.historyOutputsize } : {}),
    ...(request.askAgain ? { askAgain: true as const } : {}),
  };
  const requested = request.datasets.filter((dataset) => dataset !== 'universe');
  const impliedDatasets = impliedBy(requested, context.indicators);
  const datasets = [...requested, ...impliedDatasets];
  const common = {
    requestId,
    correlationId: root.correlationId,
    issuedAt: root.issuedAt,
    impliedDatasets,
    askAgain: request.askAgain === true,
  };
  if (!request.symbols) {
    const command: CollectUniverse = {
      type: 'collect-universe',
      v: 1,
      ...root,
      refreshListing: request.datasets.includes('universe'),
      datasets: [...new Set(datasets)],
    };
    return {
      ...common,
      securities: [command],
      perSecurity: { overview: [], history: [], quote: [], indicators: [] },
    };
  }
  const perSecurity = planFanOut({
    parent: root,
    symbols: [...new Set(request.symbols)],
    datasets,
    indicators: context.indicators,
  });
  return { ...common, securities: [], perSecurity };
}
