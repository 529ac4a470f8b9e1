/**
 * Message contracts: one schema per topic, versioned by `v`. Producers build messages with the `new*`
 * helpers below; consumers decode with `decode*`, which rejects anything that does not match (such a record is
 * a poison message and goes to the dead-letter topic with the reason).
 *
 * Every per-security command uses the symbol as its Kafka key, so one symbol's messages keep their order in one
 * partition. Versioning rule: a breaking change adds a new `v` to the union and consumers accept both until
 * producers have moved; additive optional fields keep the version.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { DATASETS, INDICATOR_FUNCTIONS, INDICATOR_SOURCES } from './config.ts';
import { TICKER_PATTERN } from './symbols.ts';

/** Ticker symbols as AlphaVantage spells them (BRK.B, BF-B, ...), upper case: the universe's own rule. */
export const symbolSchema = z
  .string()
  .regex(TICKER_PATTERN, 'symbol must be an upper-case ticker such as IBM, BRK.B or BF-B');

const envelope = {
  v: z.literal(1),
  /** Unique and deterministic per command: replaying the same command gives the same id, so writes dedupe. */
  commandId: z.string().min(8).max(128),
  /** Shared by a schedule firing (or backfill request) and everything it fans out to, for log correlation. */
  correlationId: z.string().min(1).max(128),
  /** When the root command was issued; orders quote observations and makes replays deterministic. */
  issuedAt: z.iso.datetime({ offset: true }),
  /**
   * Ask AlphaVantage even while the no-data memory holds the item back (an operator's explicit backfill
   * override); the answer still updates the memory. Fanned-out children inherit it.
   */
  askAgain: z.literal(true).optional(),
};

const datasetSchema = z.enum(DATASETS);

export const collectUniverseSchema = z.object({
  type: z.literal('collect-universe'),
  ...envelope,
  /** Fetch LISTING_STATUS (listing mode) before fanning out; otherwise use the stored universe. */
  refreshListing: z.boolean(),
  /** Datasets to fan out to per security; empty = only refresh the universe. */
  datasets: z.array(datasetSchema),
  /** Restrict the fan-out to these symbols (backfills). */
  symbols: z.array(symbolSchema).optional(),
  /** Force the history request size (backfills); otherwise the history handler plans it. */
  historyOutputsize: z.enum(['compact', 'full']).optional(),
});

const perSecurity = {
  ...envelope,
  symbol: symbolSchema,
};

export const collectOverviewSchema = z.object({ type: z.literal('collect-overview'), ...perSecurity });
export const collectHistorySchema = z.object({
  type: z.literal('collect-history'),
  ...perSecurity,
  outputsize: z.enum(['compact', 'full']).optional(),
});
export const collectQuoteSchema = z.object({ type: z.literal('collect-quote'), ...perSecurity });
export const indicatorSpecSchema = z.object({
  function: z.enum(INDICATOR_FUNCTIONS),
  interval: z.enum(['daily', 'weekly', 'monthly']),
  timePeriod: z.number().int().min(2).max(500),
  seriesType: z.enum(['close', 'open', 'high', 'low']),
  /** Absent in commands published before it existed: then the interval decides (`indicatorSource`). */
  source: z.enum(INDICATOR_SOURCES).optional(),
});
export const collectIndicatorSchema = z.object({
  type: z.literal('collect-indicator'),
  ...perSecurity,
  indicator: indicatorSpecSchema,
});

/** The dead-letter record: why, where from, and the original bytes so nothing is lost. */
export const deadLetterSchema = z.object({
  type: z.literal('dead-letter'),
  v: z.literal(1),
  reason: z.object({
    /** Machine-readable cause, e.g. `undecodable`, `schema-invalid`, `api-error`, `premium-only`, `retries-exhausted`. */
    code: z.string(),
    message: z.string(),
  }),
  source: z.object({
    topic: z.string(),
    partition: z.number().int().min(0),
    offset: z.string(),
    timestamp: z.number().optional(),
  }),
  handler: z.string(),
  failedAt: z.iso.datetime({ offset: true }),
  /** Original key and value, base64, exactly as received. */
  originalKey: z.string().nullable(),
  originalValue: z.string().nullable(),
  /**
   * Present when the original value did not fit in a deliverable dead letter: `originalValue` then holds only its
   * first `keptBytes` bytes; `length` and `sha256` describe the whole value (the source offset still has it).
   */
  originalValueCut: z
    .object({
      length: z.number().int().min(0),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
      keptBytes: z.number().int().min(0),
    })
    .optional(),
  originalHeaders: z.array(z.record(z.string(), z.string())).default([]),
  correlationId: z.string().optional(),
});

export type CollectUniverse = z.infer<typeof collectUniverseSchema>;
export type CollectOverview = z.infer<typeof collectOverviewSchema>;
export type CollectHistory = z.infer<typeof collectHistorySchema>;
export type CollectQuote = z.infer<typeof collectQuoteSchema>;
export type CollectIndicator = z.infer<typeof collectIndicatorSchema>;
export type IndicatorSpec = z.infer<typeof indicatorSpecSchema>;
export type DeadLetter = z.infer<typeof deadLetterSchema>;
export type Command = CollectUniverse | CollectOverview | CollectHistory | CollectQuote | CollectIndicator;

/** Which schema each topic role carries. */
export const topicContracts = {
  securities: collectUniverseSchema,
  overview: collectOverviewSchema,
  history: collectHistorySchema,
  quote: collectQuoteSchema,
  indicators: collectIndicatorSchema,
  deadLetter: deadLetterSchema,
} as const;
export type ContractRole = keyof typeof topicContracts;
export type MessageFor<R extends ContractRole> = z.infer<(typeof topicContracts)[R]>;

/** Raised by `decodeMessage` and `assertIssuedInThePast`: the record can never succeed, so it is dead-lettered. */
export class ContractViolation extends Error {
  override readonly name = 'ContractViolation';
  constructor(
    readonly code: 'undecodable' | 'schema-invalid' | 'issued-in-future',
    message: string,
  ) {
    super(message);
  }
}

/** Decodes a Kafka value (raw bytes) against the topic's contract. */
export function decodeMessage<R extends ContractRole>(role: R, value: Buffer | null): MessageFor<R> {
  if (value === null || value.length === 0) {
    throw new ContractViolation('undecodable', 'record has no value');
  }
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch (error) {
    throw new ContractViolation('undecodable', `value is not JSON: ${(error as Error).message}`);
  }
  const result = topicContracts[role].safeParse(json);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new ContractViolation('schema-invalid', `not a valid ${role} message: ${problems.join('; ')}`);
  }
  return result.data as MessageFor<R>;
}

/**
 * How far a command's `issuedAt` may lie ahead of the consumer's clock: clock skew between hosts, no more.
 * `issuedAt` orders quote observations and dates what handlers store, so a command from the future would stay the
 * newest for good.
 */
export const ISSUED_AT_TOLERANCE_MS = 5 * 60_000;

/**
 * Checks what only a trusted producer could guarantee: the command was not issued in the future. Every consumer
 * (and `horton send` before publishing) applies it, whatever the producer.
 * @throws ContractViolation `issued-in-future`
 */
export function assertIssuedInThePast(command: Pick<Command, 'issuedAt'>, now: Date): void {
  if (Date.parse(command.issuedAt) <= now.getTime() + ISSUED_AT_TOLERANCE_MS) return;
  throw new ContractViolation(
    'issued-in-future',
    `issuedAt: ${command.issuedAt} is in the future (now ${now.toISOString()}, tolerance ${ISSUED_AT_TOLERANCE_MS / 60_000} min); it orders quote observations, so a future one would stay the latest for good`,
  );
}

/** The Kafka key of a command: the symbol, so a symbol's commands stay ordered in one partition. */
export function messageKey(command: Command): string {
  return 'symbol' in command ? command.symbol : 'universe';
}

/**
 * A deterministic child id: the same parent fanning out to the same target always yields the same id, which is
 * what makes a replayed fan-out idempotent downstream.
 */
export function childCommandId(parentCommandId: string, ...parts: string[]): string {
  return createHash('sha256')
    .update([parentCommandId, ...parts].join('\u0000'))
    .digest('hex')
    .slice(0, 32);
}
