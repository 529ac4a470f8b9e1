/**
 * Horton's one configuration module. The CDK app (bin/horton.ts) and the local runner (localstack/start.ts)
 * both resolve their settings here, so what runs locally is what deploys.
 *
 * Pure: no environment, file or network access. Callers pass raw overrides (CDK context, a JSON file, CLI
 * flags); `resolveConfig` validates them against the schema and fills in the documented defaults.
 */
import * as z from 'zod';

/** A Kafka topic Horton owns. */
const topicSchema = z.strictObject({
  /** Topic name on the cluster. @default `<prefix>.<role>`, e.g. `horton.quote`, `horton.dead-letter` */
  name: z
    .string()
    .regex(/^[a-zA-Z0-9._-]{1,249}$/, 'Kafka topic names use letters, digits, ".", "_" and "-" only')
    .optional(),
  /**
   * Partition count. The symbol is the message key, so one symbol stays ordered within one partition while
   * partitions spread symbols across concurrent Lambda invocations.
   * @default 3
   */
  partitions: z.number().int().min(1).max(1000).default(3),
});
export type TopicConfig = z.infer<typeof topicSchema> & { name: string };

/** The datasets Horton collects per security. */
export const DATASETS = ['overview', 'history', 'quote', 'indicators'] as const;
export type Dataset = (typeof DATASETS)[number];

/** The collection jobs a schedule can trigger. `universe` refreshes the securities list itself. */
export const JOBS = ['universe', ...DATASETS] as const;
export type Job = (typeof JOBS)[number];

export const INDICATOR_FUNCTIONS = ['SMA', 'EMA', 'RSI', 'MACD', 'BBANDS'] as const;
export type IndicatorFunction = (typeof INDICATOR_FUNCTIONS)[number];
export const INDICATOR_SOURCES = ['computed', 'alphavantage'] as const;
export type IndicatorSource = (typeof INDICATOR_SOURCES)[number];

export const indicatorSchema = z.strictObject({
  function: z.enum(INDICATOR_FUNCTIONS),
  /** AlphaVantage `interval`. @default 'daily' */
  interval: z.enum(['daily', 'weekly', 'monthly']).default('daily'),
  /** AlphaVantage `time_period` (ignored by MACD). @default 20 */
  timePeriod: z.number().int().min(2).max(500).default(20),
  /** AlphaVantage `series_type`. @default 'close' */
  seriesType: z.enum(['close', 'open', 'high', 'low']).default('close'),
  /**
   * `computed`: from the stored daily prices, with AlphaVantage's (TA-Lib's) definitions; costs no call.
   * `alphavantage`: one call per security and firing. Only daily indicators can be computed (only daily
   * prices are stored).
   * @default 'computed' for daily indicators, 'alphavantage' for weekly and monthly ones
   */
  source: z.enum(INDICATOR_SOURCES).optional(),
});
export type IndicatorConfig = z.infer<typeof indicatorSchema>;

/** An indicator's source; absent means the default, so commands published before `source` existed still work. */
export function indicatorSource(indicator: Pick<IndicatorConfig, 'interval' | 'source'>): IndicatorSource {
  return indicator.source ?? (indicator.interval === 'daily' ? 'computed' : 'alphavantage');
}

/** Daily indicators default to `computed`; only daily prices are stored, so others need AlphaVantage. */
function withIndicatorSource(
  indicator: z.infer<typeof indicatorSchema>,
  context: z.RefinementCtx,
): IndicatorConfig {
  const source = indicatorSource(indicator);
  if (source === 'computed' && indicator.interval !== 'daily') {
    context.addIssue({
      code: 'custom',
      path: ['source'],
      message: `only daily indicators can be computed (only daily prices are stored); use source "alphavantage" for ${indicator.interval}`,
    });
  }
  return { ...indicator, source };
}

/** A stable id for one configured indicator, used as a sort key and in message contracts. */
export function indicatorId(indicator: IndicatorConfig): string {
  return indicator.function === 'MACD'
    ? `MACD:${indicator.interval}:${indicator.seriesType}`
    : `${indicator.function}:${indicator.interval}:${indicator.timePeriod}:${indicator.seriesType}`;
}

/** Schedule names: also the suffix of the EventBridge schedule name and part of every command's correlation id. */
export const scheduleNameSchema = z
  .string()
  .regex(/^[a-zA-Z0-9-]{1,40}$/, 'letters, digits and "-", at most 40');

/**
 * EventBridge Scheduler expression: `cron(min hour day-of-month month day-of-week year)` (six fields, one of the
 * day fields `?`) or `rate(N unit)`. Validated here so a bad expression fails at synth/start, not at deploy.
 */
const scheduleExpressionSchema = z
  .string()
  .refine(
    (expression) =>
      /^rate\(\d+ (minute|minutes|hour|hours|day|days)\)$/.test(expression) ||
      /^cron\(\S+ \S+ \S+ \S+ \S+ \S+\)$/.test(expression),
    'expected an EventBridge Scheduler expression: cron(m h dom mon dow year) or rate(N unit)',
  );

export const scheduleSchema = z.strictObject({
  /** Unique schedule name (also the EventBridge schedule name suffix). */
  name: scheduleNameSchema,
  /** Which collection the schedule triggers. */
  job: z.enum(JOBS),
  expression: scheduleExpressionSchema,
  /** IANA time zone for cron expressions. @default 'America/New_York' (exchange time) */
  timezone: z.string().default('America/New_York'),
  /** @default true */
  enabled: z.boolean().default(true),
});
export type ScheduleConfig = z.infer<typeof scheduleSchema>;

/** Kafka cluster kinds of a deployment (config deployment.cluster.kind). */
const CLUSTER_KINDS = ['provisioned', 'serverless', 'existing'] as const;
export type ClusterKind = (typeof CLUSTER_KINDS)[number];

/** Event poller modes of the Kafka event source mappings (config deployment.pollers.mode). */
const POLLER_MODES = ['provisioned', 'on-demand'] as const;
export type PollerMode = (typeof POLLER_MODES)[number];

/** Request budgets of AlphaVantage's plans; `free` also means premium-only options are unavailable. */
export const ALPHAVANTAGE_PLANS = {
  free: { requestsPerMinute: 5, requestsPerDay: 25, premium: false },
  premium75: { requestsPerMinute: 75, requestsPerDay: null, premium: true },
  premium150: { requestsPerMinute: 150, requestsPerDay: null, premium: true },
  premium300: { requestsPerMinute: 300, requestsPerDay: null, premium: true },
  premium600: { requestsPerMinute: 600, requestsPerDay: null, premium: true },
  premium1200: { requestsPerMinute: 1200, requestsPerDay: null, premium: true },
} as const;
export type AlphaVantagePlan = keyof typeof ALPHAVANTAGE_PLANS;

const consumerSchema = z.strictObject({
  /** Records per Lambda invocation. @default 100 */
  batchSize: z.number().int().min(1).max(10_000).default(100),
  /** Seconds to gather a batch before invoking. @default 1 */
  maxBatchingWindowSeconds: z.number().int().min(0).max(300).default(1),
  /** Retries of a failed record before it goes to the on-failure destination. @default 3 */
  retryAttempts: z.number().int().min(0).max(10_000).default(3),
  /** Records older than this are sent to the on-failure destination. @default 21600 (6 hours) */
  maxRecordAgeSeconds: z.number().int().min(60).max(604_800).default(21_600),
  /** Where a new consumer group starts. @default 'TRIM_HORIZON' */
  startingPosition: z.enum(['TRIM_HORIZON', 'LATEST']).default('TRIM_HORIZON'),
});
export type ConsumerConfig = z.infer<typeof consumerSchema>;

/** Stocks only: AlphaVantage has no OVERVIEW or statements for ETFs, so an ETF here would dead-letter its overview. */
export const DEFAULT_WATCHLIST = ['IBM', 'MSFT', 'AAPL', 'NVDA', 'AMZN'];

const hortonConfigObject = z.strictObject({
  /** Prefix of every resource name (topics, tables, consumer groups, schedules). @default 'horton' */
  prefix: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,19}$/)
    .default('horton'),
  alphaVantage: z
    .strictObject({
      /** @default 'free' */
      plan: z
        .enum(Object.keys(ALPHAVANTAGE_PLANS) as [AlphaVantagePlan, ...AlphaVantagePlan[]])
        .default('free'),
      /** Overrides the plan's per-minute budget (e.g. a negotiated plan). */
      requestsPerMinute: z.number().int().positive().optional(),
      /** Overrides the plan's per-day budget; `null` = no daily cap. */
      requestsPerDay: z.number().int().positive().nullable().optional(),
      /** @default 'https://www.alphavantage.co' */
      baseUrl: z.url().default('https://www.alphavantage.co'),
      /** Per-request timeout. @default 10000 */
      timeoutMs: z.number().int().min(100).max(60_000).default(10_000),
      /** Attempts per call for transient failures (5xx, timeouts), with backoff and jitter. @default 3 */
      maxAttempts: z.number().int().min(1).max(10).default(3),
      /**
       * What happens when the daily plan (`npm run plan`) needs more calls than the plan's daily budget.
       * `refuse`: `cdk synth` and `npm start` fail and print the plan. `collect-what-fits`: deploy anyway; each
       * firing publishes only what the remaining budget covers (quotes of the watchlist first, then the
       * stalest datasets) and logs what it deferred.
       * @default 'refuse'
       */
      overBudget: z.enum(['refuse', 'collect-what-fits']).default('refuse'),
    })
    .prefault({}),
  universe: z
    .strictObject({
      /**
       * `watchlist`: collect exactly `watchlist`. `listing`: the full LISTING_STATUS universe, filtered.
       * @default 'watchlist'
       */
      source: z.enum(['watchlist', 'listing']).default('watchlist'),
      /**
       * Symbols to collect, upper-cased here once (AlphaVantage symbols are upper case) so every consumer of the
       * configuration (handlers, summary, schedules) sees the same spelling the tables store.
       * @default ['IBM', 'MSFT', 'AAPL', 'NVDA', 'AMZN']
       */
      watchlist: z.array(z.string().trim().min(1).toUpperCase()).min(1).default(DEFAULT_WATCHLIST),
      /** LISTING_STATUS exchanges to keep; empty = all. @default ['NYSE', 'NASDAQ'] */
      exchanges: z.array(z.string()).default(['NYSE', 'NASDAQ']),
      /** LISTING_STATUS asset types to keep; empty = all. @default ['Stock'] */
      assetTypes: z.array(z.string()).default(['Stock']),
      /**
       * Securities the daily plan assumes in `listing` mode, where the universe is only known at run time.
       * @default 5000 (roughly the NYSE and NASDAQ stocks of LISTING_STATUS)
       */
      plannedListingSize: z.number().int().min(1).default(5000),
    })
    .prefault({}),
  /**
   * Technical indicators collected per security.
   * @default SMA(20), EMA(20), RSI(14), MACD, BBANDS(20), daily on close, computed from stored prices
   */
  indicators: z.array(indicatorSchema.transform(withIndicatorSource)).prefault([
    { function: 'SMA', interval: 'daily', timePeriod: 20, seriesType: 'close' },
    { function: 'EMA', interval: 'daily', timePeriod: 20, seriesType: 'close' },
    { function: 'RSI', interval: 'daily', timePeriod: 14, seriesType: 'close' },
    { function: 'MACD', interval: 'daily', timePeriod: 20, seriesType: 'close' },
    { function: 'BBANDS', interval: 'daily', timePeriod: 20, seriesType: 'close' },
  ]),
  /** When a stored dataset counts as fresh, so its call is skipped (model/domain/freshness.ts). */
  freshness: z
    .object({
      /**
       * Overview and statements are fetched again when a newer fiscal period can exist (from the stored
       * LatestQuarter / fiscalDateEnding) or when the stored copy is this many days old.
       * @default 28
       */
      fundamentalsMaxAgeDays: z.number().int().min(1).max(366).default(28),
    })
    .prefault({}),
  quotes: z
    .strictObject({
      /** N in "rolling average of the last N quotes". @default 10 */
      rollingWindow: z.number().int().min(1).max(1000).default(10),
    })
    .prefault({}),
  /** Topic names and partitions, one per handler plus the dead-letter topic. */
  topics: z
    .strictObject({
      securities: topicSchema.prefault({ partitions: 1 }),
      overview: topicSchema.prefault({}),
      history: topicSchema.prefault({}),
      quote: topicSchema.prefault({}),
      indicators: topicSchema.prefault({}),
      deadLetter: topicSchema.prefault({ partitions: 1 }),
    })
    .prefault({}),
  consumers: consumerSchema.prefault({}),
  observability: z
    .strictObject({
      /**
       * AWS X-Ray tracing of the handlers (active tracing and the Powertools tracer). Off by default: the tracer
       * adds ~100 KiB to every bundle and its cold-start cost to every function.
       * @default false
       */
      tracing: z.boolean().default(false),
    })
    .prefault({}),
  /** Settings of the AWS deployment only (the CDK app); the local runner ignores them. */
  deployment: z
    .object({
      /**
       * Set once the AlphaVantage key is in the secret. Until then every schedule is deployed DISABLED, so no
       * firing runs against the placeholder key (and nothing is dead-lettered); deploy again with `true` to
       * start collecting.
       * @default false
       */
      apiKeySet: z.boolean().default(false),
      /** How long the dead-letter topic keeps records, in days (Kafka `retention.ms`). @default 14 */
      deadLetterRetentionDays: z.number().int().min(1).max(3650).default(14),
      /** DynamoDB deletion protection on the tables (turn off before deleting them by hand). @default true */
      tableDeletionProtection: z.boolean().default(true),
      /**
       * Event pollers of the Kafka event source mappings (docs/decisions/0075-event-poller-mode.md).
       * `provisioned`: minimum..maximum pollers in one poller group shared by every mapping; billed per event
       * poller unit-hour even when idle; the only mode with bounded retries, partial batch responses and the
       * Kafka dead-letter topic as Lambda's on-failure destination.
       * `on-demand`: Lambda scales the pollers and bills nothing for them; those three are unavailable, so a
       * record a handler reports failed is not retried (Horton's own dead letters still catch poison records).
       * @default { mode: 'provisioned', minimum: 1, maximum: 3 }
       */
      pollers: z
        .strictObject({
          /** @default 'provisioned' */
          mode: z.enum(POLLER_MODES).default('provisioned'),
          /** Provisioned mode only. @default 1 */
          minimum: z.number().int().min(1).max(200).default(1),
          /** Provisioned mode only. @default 3 */
          maximum: z.number().int().min(1).max(2000).default(3),
        })
        .prefault({})
        .refine(
          (pollers) => pollers.maximum >= pollers.minimum,
          'pollers.maximum must be >= pollers.minimum',
        ),
      /**
       * The Kafka cluster (docs/decisions/0074-cluster-kinds.md). `provisioned`: a new MSK provisioned cluster of
       * small brokers (the cheapest real MSK a stack can create); `serverless`: a new MSK Serverless cluster (no
       * brokers to size, about eight times the idle price); `existing`: a cluster given by `-c clusterArn`.
       */
      cluster: z
        .strictObject({
          /** @default 'provisioned' */
          kind: z.enum(CLUSTER_KINDS).default('provisioned'),
          /** Provisioned: broker instance type. @default 'kafka.t3.small' */
          brokerInstanceType: z
            .string()
            .regex(/^(kafka|express)\.[a-z0-9]+\.[a-z0-9]+$/, 'an MSK broker type such as kafka.t3.small')
            .default('kafka.t3.small'),
          /** Provisioned: brokers per availability zone (two zones). @default 1 */
          brokersPerAz: z.number().int().min(1).max(15).default(1),
          /** Provisioned: EBS storage per broker, GiB. @default 10 */
          storageGiB: z.number().int().min(1).max(16_384).default(10),
          /** Provisioned: how long topics keep records, hours (broker `log.retention.hours`). @default 168 */
          retentionHours: z.number().int().min(1).max(8760).default(168),
          /** Provisioned: Apache Kafka version of the brokers. @default '3.7.x' */
          kafkaVersion: z.string().min(1).default('3.7.x'),
          /** Provisioned: days the broker logs stay in CloudWatch Logs. @default 14 */
          brokerLogRetentionDays: z
            .union([z.literal(1), z.literal(3), z.literal(7), z.literal(14), z.literal(30), z.literal(90)])
            .default(14),
        })
        .prefault({}),
      /** NAT gateways of a new VPC (two AZs; an existing VPC brings its own egress): 1 is cheapest, 2 survives an AZ loss. @default 1 */
      natGateways: z.number().int().min(1).max(2).default(1),
      /**
       * VPC flow logs of a new VPC: `ALL` traffic, `REJECT`ed traffic only (a fraction of the log volume), or `off`.
       * @default 'ALL'
       */
      flowLogs: z.enum(['ALL', 'REJECT', 'off']).default('ALL'),
      /** Consumer lag (records, Lambda `OffsetLag`) that raises a consumer's lag alarm after 15 minutes. @default 1000 */
      lagAlarmThreshold: z.number().int().min(1).default(1000),
      /**
       * Hours a consumer's lag may stay above zero without once reaching zero before its backlog-stuck alarm
       * fires: a single record that never moves is enough (docs/decisions/0076-alarms-reach-a-person.md).
       * @default 2
       */
      stuckBacklogHours: z.number().int().min(1).max(24).default(2),
    })
    .prefault({}),
  /**
   * Sized for the free plan (25 calls a day) with the default watchlist of 5 (`npm run plan` shows the
   * budget): quotes 3 times a trading day (15 calls), history once after the close (5), indicators computed
   * from the stored closes as history stores them (0; docs/decisions/0031), overview and statements on Saturday, only when due (at most 20 on a
   * day without quotes or history), the watchlist universe every morning (0 calls in watchlist mode).
   * @default universe 06:00 Mon-Fri, quotes 10:30, 12:30, 15:30 Mon-Fri, history 17:30 Mon-Fri,
   * indicators 17:45 Mon-Fri (fetched indicators only), overview 07:00 Sat (exchange time)
   */
  schedules: z
    .array(scheduleSchema)
    .prefault([
      { name: 'universe-daily', job: 'universe', expression: 'cron(0 6 ? * MON-FRI *)' },
      { name: 'overview-weekly', job: 'overview', expression: 'cron(0 7 ? * SAT *)' },
      { name: 'history-daily', job: 'history', expression: 'cron(30 17 ? * MON-FRI *)' },
      { name: 'quote-intraday', job: 'quote', expression: 'cron(30 10,12,15 ? * MON-FRI *)' },
      { name: 'indicators-daily', job: 'indicators', expression: 'cron(45 17 ? * MON-FRI *)' },
    ])
    .refine(
      (schedules) => new Set(schedules.map((s) => s.name)).size === schedules.length,
      'schedule names must be unique',
    ),
});

/** Topic names default to `<prefix>.<role>`, so two deployments with different prefixes never share a topic. */
export const hortonConfigSchema = hortonConfigObject.transform((config) => ({
  ...config,
  topics: Object.fromEntries(
    Object.entries(config.topics).map(([role, topic]) => [
      role,
      { ...topic, name: topic.name ?? `${config.prefix}.${role === 'deadLetter' ? 'dead-letter' : role}` },
    ]),
  ) as Record<keyof typeof config.topics, TopicConfig>,
}));

export type HortonConfigInput = z.input<typeof hortonConfigSchema>;
export type HortonConfig = z.infer<typeof hortonConfigSchema>;
export type TopicRole = keyof HortonConfig['topics'];

/**
 * Thrown when overrides do not satisfy the schema; the message lists every problem with its path, and `problems`
 * holds them one per entry (`path: what is wrong`) for callers that report on one line.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid Horton configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

/** `a.b.0.c` for a zod issue path; `(root)` for the whole object. */
function settingPath(path: ReadonlyArray<PropertyKey>): string {
  return path.map(String).join('.') || '(root)';
}

/**
 * Validates raw overrides and fills in the defaults.
 * @throws ConfigError naming each invalid setting by its path
 */
export function resolveConfig(overrides: unknown = {}): HortonConfig {
  const result = hortonConfigSchema.safeParse(overrides ?? {});
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.flatMap((issue) =>
        // One problem per unknown key, named by its full path (a typo like `quote` for `quotes`).
        issue.code === 'unrecognized_keys'
          ? issue.keys.map((key) => `${settingPath([...issue.path, key])}: unknown setting`)
          : [`${settingPath(issue.path)}: ${issue.message}`],
      ),
    );
  }
  return result.data;
}

/** The effective AlphaVantage budget: the plan's numbers unless overridden. */
export function alphaVantageBudget(config: HortonConfig): {
  requestsPerMinute: number;
  requestsPerDay: number | null;
  premium: boolean;
} {
  const plan = ALPHAVANTAGE_PLANS[config.alphaVantage.plan];
  return {
    requestsPerMinute: config.alphaVantage.requestsPerMinute ?? plan.requestsPerMinute,
    requestsPerDay:
      config.alphaVantage.requestsPerDay === undefined
        ? plan.requestsPerDay
        : config.alphaVantage.requestsPerDay,
    premium: plan.premium,
  };
}

/**
 * Kafka consumer group id of a handler. Stable across deploys on purpose: a new group id would make the event
 * source mapping start from `startingPosition` again and re-read (or skip) the topic.
 */
export function consumerGroupId(config: Pick<HortonConfig, 'prefix'>, role: TopicRole): string {
  return `${config.prefix}-${role}-handler`;
}

/** DynamoDB table names, derived from the prefix. */
export function tableNames(config: Pick<HortonConfig, 'prefix'>) {
  const p = config.prefix;
  return {
    securities: `${p}-securities`,
    fundamentals: `${p}-fundamentals`,
    dailyPrices: `${p}-daily-prices`,
    yearlyExtremes: `${p}-yearly-extremes`,
    quotes: `${p}-quotes`,
    indicators: `${p}-indicators`,
    alphaVantageQuota: `${p}-alphavantage-quota`,
    noData: `${p}-no-data`,
  } as const;
}
export type TableRole = keyof ReturnType<typeof tableNames>;

/**
 * The value the stack puts in the API key secret until an operator sets the real key; the handlers refuse it
 * with a message saying how to set the key, instead of sending it to AlphaVantage.
 */
export const ALPHAVANTAGE_KEY_PLACEHOLDER = 'SET-ME-alphavantage-api-key';
