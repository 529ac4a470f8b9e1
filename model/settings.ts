/**
 * One typed settings contract per handler of the catalogue (model/handlers.ts): a zod schema, declared once here.
 * The CDK app (lib/constructs/horton-function.ts) and the local runner (localstack/runner/pipeline.ts) both build
 * a handler's settings with `handlerSettings` and put them, JSON-encoded, into the one variable
 * `SETTINGS_VARIABLE`; the handler decodes and validates them once at cold start with `loadSettings(name)`
 * (functions/shared/settings.ts).
 *
 * Secrets stay out: the AlphaVantage key is named by its Secrets Manager ARN (in AWS), or is the local-only
 * variable `LOCAL_API_KEY_VARIABLE`, which the loader reads and no deployment sets.
 *
 * Adding a setting: add the field to the handler's schema below (with its @default, if the configuration has
 * one), derive it from the configuration in `handlerSettings`, and read it from `loadSettings(name)` in the
 * handler. Nothing else carries it.
 */
import * as z from 'zod';
import {
  alphaVantageBudget,
  type HortonConfig,
  indicatorSchema,
  indicatorSource,
  scheduleSchema,
  type TableRole,
  type TopicRole,
  tableNames,
} from './config.ts';
import { HANDLERS, type HandlerName } from './handlers.ts';

/** The one environment variable that carries a handler's settings (JSON). */
export const SETTINGS_VARIABLE = 'HORTON_SETTINGS';
/** Local runs only: the AlphaVantage key itself. In AWS the key lives in Secrets Manager. */
export const LOCAL_API_KEY_VARIABLE = 'ALPHAVANTAGE_API_KEY';
/** Local runs only: set by the runner so batch responses name why records failed (see localstack/runner). */
export const REPORT_FAILURE_CAUSES_VARIABLE = 'HORTON_REPORT_FAILURE_CAUSES';
/**
 * Local runs only: set by the runner when its schedules run on a compressed clock, whose `issuedAt` runs ahead of
 * the wall clock by design; the handlers then accept commands issued in the future.
 */
export const SIMULATED_TIME_AHEAD_VARIABLE = 'HORTON_SIMULATED_TIME_AHEAD';

const name = z.string().min(1);

/** Kafka brokers and authentication of a handler's producer. */
const kafkaSettings = z.object({
  /** Bootstrap brokers, `host:port` comma-separated (as MSK's GetBootstrapBrokers returns them). */
  brokers: name.transform((list, context) => {
    const brokers = list
      .split(',')
      .map((broker) => broker.trim())
      .filter((broker) => broker !== '');
    if (brokers.length === 0) context.addIssue({ code: 'custom', message: 'no broker given' });
    return brokers;
  }),
  /** `iam`: SASL/OAUTHBEARER signed by the function's role, over TLS (MSK). `none`: the local plaintext broker. */
  auth: z.enum(['iam', 'none']),
});

/** The AlphaVantage client's settings (alphaVantage.* of the configuration). */
const alphaVantageSettings = z.object({
  /** @default 'https://www.alphavantage.co' */
  baseUrl: z.url(),
  /** Per-request timeout. @default 10000 */
  timeoutMs: z.number().int().positive(),
  /** Attempts per call for transient failures. @default 3 */
  maxAttempts: z.number().int().positive(),
  /** Secrets Manager ARN of the key (in AWS); absent locally, where the key is `LOCAL_API_KEY_VARIABLE`. */
  secretArn: name.optional(),
  /**
   * The shared budget every request takes a slot from (functions/shared/store/alphavantage-quota.ts): the quota
   * table, the pace and the daily cap of `alphaVantageBudget` (the plan's, or config alphaVantage.requestsPerMinute
   * / requestsPerDay). See docs/decisions/0020-alphavantage-limiter.md.
   */
  quota: z.object({
    table: name,
    /** Calls per minute across all handlers. @default the plan's (free: 5) */
    requestsPerMinute: z.number().positive(),
    /** Calls per UTC day across all handlers; null = no daily cap. @default the plan's (free: 25) */
    requestsPerDay: z.number().int().positive().nullable(),
  }),
});

const common = {
  /** Powertools service name: the `service` key of logs and dimension of metrics. */
  serviceName: name,
  /** X-Ray tracing of the handler (config `observability.tracing`). @default false */
  tracing: z.boolean(),
  kafka: kafkaSettings,
};

const topics = <R extends TopicRole>(roles: readonly R[]) =>
  z.object(Object.fromEntries(roles.map((role) => [role, name])) as Record<R, typeof name>);
const tables = <R extends TableRole>(roles: readonly R[]) =>
  z.object(Object.fromEntries(roles.map((role) => [role, name])) as Record<R, typeof name>);

/** The contracts, one per handler; topic and table roles are exactly the catalogue's. */
export const HANDLER_SETTINGS = {
  dispatcher: z.object({ ...common, topics: topics(HANDLERS.dispatcher.produces) }),
  securities: z.object({
    ...common,
    topics: topics(HANDLERS.securities.produces),
    tables: tables(['securities', 'noData']),
    alphaVantage: alphaVantageSettings,
    /** config.universe */
    universe: z.object({
      source: z.enum(['watchlist', 'listing']),
      watchlist: z.array(name),
      exchanges: z.array(z.string()),
      assetTypes: z.array(z.string()),
    }),
    /** config.indicators */
    indicators: z.array(indicatorSchema),
    /** config.alphaVantage.overBudget is `collect-what-fits`. @default false */
    collectWhatFits: z.boolean(),
  }),
  overview: z.object({
    ...common,
    topics: topics(HANDLERS.overview.produces),
    tables: tables(['fundamentals', 'noData']),
    alphaVantage: alphaVantageSettings,
    /** config.freshness.fundamentalsMaxAgeDays. @default 28 */
    fundamentalsMaxAgeDays: z.number().int().positive(),
  }),
  history: z.object({
    ...common,
    topics: topics(HANDLERS.history.produces),
    tables: tables(['dailyPrices', 'yearlyExtremes', 'noData']),
    alphaVantage: alphaVantageSettings,
    /** The plan allows premium options (outputsize=full). */
    premium: z.boolean(),
    /** config.indicators whose source is `computed`: published after the closes are stored. */
    indicators: z.array(indicatorSchema),
  }),
  quote: z.object({
    ...common,
    topics: topics(HANDLERS.quote.produces),
    tables: tables(['quotes', 'noData']),
    alphaVantage: alphaVantageSettings,
    /** N of the rolling average (config quotes.rollingWindow). @default 10 */
    rollingWindow: z.number().int().positive(),
  }),
  indicators: z.object({
    ...common,
    topics: topics(HANDLERS.indicators.produces),
    tables: tables(['dailyPrices', 'indicators', 'noData']),
    alphaVantage: alphaVantageSettings,
  }),
  backfill: z.object({
    ...common,
    topics: topics(HANDLERS.backfill.produces),
    tables: tables(['noData']),
    /** The plan allows premium options (outputsize=full). */
    premium: z.boolean(),
    /** config.indicators */
    indicators: z.array(indicatorSchema),
  }),
  operations: z.object({
    ...common,
    /** Every topic it reads or writes: the command topics and the dead-letter topic. */
    topics: topics(HANDLERS.operations.produces),
    /** config.prefix: consumer group and table names derive from it. @default 'horton' */
    prefix: name,
    /** config.schedules, reported to the CLI (`horton status`). */
    schedules: z.array(scheduleSchema),
    /** The AlphaVantage plan and its budget, reported to the CLI (`horton status`: used / cap). */
    budget: z
      .object({
        plan: z.string(),
        requestsPerMinute: z.number(),
        requestsPerDay: z.number().nullable(),
      })
      .optional(),
  }),
} satisfies Record<HandlerName, z.ZodType>;

/** What a handler receives (decoded and validated). */
export type HandlerSettings<N extends HandlerName> = z.output<(typeof HANDLER_SETTINGS)[N]>;
/** What the CDK app and the runner encode. */
export type EncodedHandlerSettings<N extends HandlerName> = z.input<(typeof HANDLER_SETTINGS)[N]>;

/** Where a handler's resources are: what the deployment (or the local runner) binds to it. */
export interface SettingsBindings {
  serviceName: string;
  kafka: { brokers: string; auth: 'iam' | 'none' };
  /** Topic names by role; at least those the handler produces to. */
  topics: Partial<Record<TopicRole, string>>;
  /** Table names by role; at least those the handler reads or writes. */
  tables: Partial<Record<TableRole, string>>;
  /** Secrets Manager ARN of the key, where the handler calls AlphaVantage (in AWS). */
  alphaVantageSecretArn?: string;
}

/** Thrown when a binding the handler's contract needs is missing (a grant without its setting, or the reverse). */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

function pick<R extends string>(
  handler: HandlerName,
  what: string,
  bound: Partial<Record<R, string>>,
  roles: readonly R[],
) {
  return Object.fromEntries(
    roles.map((role) => {
      const value = bound[role];
      if (value === undefined)
        throw new SettingsError(`handler ${handler}: no ${what} bound for role ${role}`);
      return [role, value];
    }),
  ) as Record<R, string>;
}

/**
 * A handler's settings from the configuration and its bindings: exactly its contract's fields, nothing else.
 * Used by the CDK app and the local runner alike.
 * @throws SettingsError when a binding the contract needs is missing
 */
export function handlerSettings<N extends HandlerName>(
  handler: N,
  config: HortonConfig,
  bindings: SettingsBindings,
): EncodedHandlerSettings<N> {
  const spec = HANDLERS[handler];
  const budget = alphaVantageBudget(config);
  const touched = Object.keys(spec.tables) as TableRole[];
  const tables = touched.length > 0 ? pick(handler, 'table', bindings.tables, touched) : undefined;
  const alphaVantage = {
    baseUrl: config.alphaVantage.baseUrl,
    timeoutMs: config.alphaVantage.timeoutMs,
    maxAttempts: config.alphaVantage.maxAttempts,
    ...(bindings.alphaVantageSecretArn ? { secretArn: bindings.alphaVantageSecretArn } : {}),
    quota: spec.callsAlphaVantage
      ? {
          table: pick(handler, 'table', bindings.tables, ['alphaVantageQuota']).alphaVantageQuota,
          requestsPerMinute: budget.requestsPerMinute,
          requestsPerDay: budget.requestsPerDay,
        }
      : undefined,
  };
  const base = {
    serviceName: bindings.serviceName,
    tracing: config.observability.tracing,
    kafka: bindings.kafka,
    topics: pick(handler, 'topic', bindings.topics, spec.produces),
    ...(tables ? { tables } : {}),
    ...(spec.callsAlphaVantage ? { alphaVantage } : {}),
  };
  const specific: { [K in HandlerName]: Record<string, unknown> } = {
    dispatcher: {},
    securities: {
      universe: config.universe,
      indicators: config.indicators,
      collectWhatFits: config.alphaVantage.overBudget === 'collect-what-fits',
    },
    overview: { fundamentalsMaxAgeDays: config.freshness.fundamentalsMaxAgeDays },
    history: {
      premium: budget.premium,
      indicators: config.indicators.filter((indicator) => indicatorSource(indicator) === 'computed'),
    },
    quote: { rollingWindow: config.quotes.rollingWindow },
    indicators: {},
    backfill: { premium: budget.premium, indicators: config.indicators },
    operations: {
      prefix: config.prefix,
      schedules: config.schedules,
      budget: {
        plan: config.alphaVantage.plan,
        requestsPerMinute: budget.requestsPerMinute,
        requestsPerDay: budget.requestsPerDay,
      },
    },
  };
  return { ...base, ...specific[handler] } as EncodedHandlerSettings<N>;
}

/**
 * Powertools service name of a handler: the `service` key of its logs, dimension of its Horton metrics; per
 * prefix, so two deployments in one account keep their metrics and alarms apart.
 */
export function serviceNameOf(prefix: string, handler: HandlerName): string {
  return `${prefix}-${handler}`;
}

/** The bindings of a local run: names straight from the configuration, the local broker without auth. */
export function localBindings(
  config: HortonConfig,
  handler: HandlerName,
  brokers: readonly string[],
): SettingsBindings {
  return {
    serviceName: serviceNameOf(config.prefix, handler),
    kafka: { brokers: brokers.join(','), auth: 'none' },
    topics: Object.fromEntries(
      (Object.keys(config.topics) as TopicRole[]).map((role) => [role, config.topics[role].name]),
    ),
    tables: tableNames(config),
  };
}
