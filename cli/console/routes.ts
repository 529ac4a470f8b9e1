/**
 * The console's JSON API: one entry per data source, each a function of the request's parameters reading
 * through the CLI's Target. A new data source (e.g. the negative cache) is one more entry here and one page.
 */
import { UsageError } from '../errors.ts';
import type { SecuritiesPage } from './api-types.ts';
import type { ConsoleContext } from './context.ts';
import { readBudget, spentToday } from './data/budget.ts';
import { listDeadLetters, readDeadLetter, redrive } from './data/dead-letters.ts';
import { pageFreshness } from './data/freshness.ts';
import { noDataOf, pageNoData } from './data/no-data.ts';
import { readPipeline } from './data/pipeline.ts';
import { NotFoundError, readSecurity } from './data/security.ts';

export interface ApiRequest {
  method: 'GET' | 'POST';
  /** Path parts after `/api/`. */
  parts: string[];
  query: URLSearchParams;
  body: Record<string, unknown>;
}

type Route = (context: ConsoleContext, request: ApiRequest) => Promise<unknown>;

const PAGE_SIZE = 25;

const optional = (value: string | null | undefined) => (value ? value : undefined);

function positive(value: string | null, field: string, fallback: number): number {
  if (value === null || value === '') return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1)
    throw new UsageError(`${field}: "${value}" is not a positive integer`);
  return number;
}

const securities: Route = async (context, { query }): Promise<SecuritiesPage> => {
  const target = context.target();
  const now = new Date();
  const page = await context.universe.search(
    target,
    query.get('q') ?? '',
    positive(query.get('page'), 'page', 1),
    PAGE_SIZE,
  );
  const symbols = page.securities.map((s) => s.symbol);
  const [spent, noData] = await Promise.all([
    spentToday(target, context.config, now),
    noDataOf(target, symbols, now),
  ]);
  const freshness = await pageFreshness(target, context.config, symbols, spent, now, noData);
  return {
    ...page,
    budgetSpent: spent,
    rows: page.securities.map((security) => ({
      ...security,
      freshness: freshness[security.symbol] as SecuritiesPage['rows'][number]['freshness'],
      noData: (noData.get(security.symbol) ?? []).map(({ dataset, line, holds }) => ({
        dataset,
        line,
        holds,
      })),
    })),
  };
};

/** GET routes by their first path part. */
const GET: Record<string, Route> = {
  pipeline: (context) => readPipeline(context.target(), context.activity, new Date()),
  budget: (context) => readBudget(context.target(), context.config, context.configSource, new Date()),
  'no-data': (context, { query }) =>
    pageNoData(
      context.target(),
      {
        after: optional(query.get('after')),
        limit: Math.min(100, positive(query.get('limit'), 'limit', PAGE_SIZE)),
      },
      new Date(),
    ),
  securities,
  security: (context, { parts }) => readSecurity(context.target(), decodeURIComponent(parts[1] ?? '')),
  'dead-letters': (context, { query }) =>
    listDeadLetters(context.target(), {
      handler: optional(query.get('handler')),
      reason: optional(query.get('reason')),
      since: optional(query.get('since')),
    }),
  'dead-letter': (context, { parts }) => readDeadLetter(context.target(), parts[1] ?? '0', parts[2] ?? ''),
  backfill: async (context, { parts }) => {
    const progress = await context.backfills.progress(context.target(), parts[1] ?? '');
    if (!progress) throw new NotFoundError(`no backfill ${parts[1]} was started from this console`);
    return progress;
  },
};

const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

/** POST routes: the console's only writes, each the CLI's own action. */
const POST: Record<string, Route> = {
  redrive: (context, { body }) =>
    redrive(context.target(), { reason: text(body.reason), since: text(body.since) }),
  backfill: (context, { body }) =>
    context.backfills.start(context.target(), {
      symbols: text(body.symbols) ?? '',
      datasets: text(body.datasets) ?? '',
    }),
};

export function route(request: ApiRequest): Route | undefined {
  const table = request.method === 'POST' ? POST : GET;
  const name = request.parts[0] ?? '';
  return Object.hasOwn(table, name) ? table[name] : undefined;
}
