/**
 * The operations function's contract: what an operator (the `horton` CLI) may ask the manually invoked
 * operations Lambda to do inside the VPC, where Kafka is. Shared by the function and the CLI, so a request the
 * CLI builds is the request the function validates.
 */
import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import type { ScheduleConfig, TableRole } from './config.ts';
import { assertIssuedInThePast, type Command, ContractViolation, topicContracts } from './messages.ts';

/** Roles whose topics carry commands (every topic a handler consumes). */
export const COMMAND_TOPIC_ROLES = ['securities', 'overview', 'history', 'quote', 'indicators'] as const;
export type CommandTopicRole = (typeof COMMAND_TOPIC_ROLES)[number];

/** Prefix of the throwaway consumer groups the operations function reads with (its IAM grant covers exactly these). */
export function operationsGroupPrefix(prefix: string): string {
  return `${prefix}-operations`;
}

/** Header on a redriven record, naming the dead letter it came from (`<partition>:<offset>`). */
export const REDRIVE_HEADER = 'horton-redrive-of';
/** Kafka key of the marker written to the dead-letter topic once a dead letter has been redriven. */
export const REDRIVE_MARKER_KEY = 'horton-redrive-marker';

/** Marker record on the dead-letter topic: the dead letter at `deadLetter` was redriven, never again. */
export const redriveMarkerSchema = z.object({
  type: z.literal('redrive-marker'),
  v: z.literal(1),
  deadLetter: z.object({ partition: z.number().int().min(0), offset: z.string() }),
  redrivenAt: z.iso.datetime({ offset: true }),
  topic: z.string(),
});
export type RedriveMarker = z.infer<typeof redriveMarkerSchema>;

const deadLetterFilter = {
  /** Only dead letters with this reason code. */
  reason: z.string().min(1).optional(),
  /** Only dead letters that failed at or after this time. */
  since: z.iso.datetime({ offset: true }).optional(),
  /** Only dead letters of this correlation id (e.g. `backfill:<requestId>`). */
  correlationId: z.string().min(1).optional(),
  /** Start reading the dead-letter topic at these offsets (partition -> offset); default: its beginning. */
  fromOffsets: z.record(z.string(), z.string()).optional(),
};

export const operationsRequestSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('describe') }),
  z.object({ action: z.literal('offsets') }),
  z.object({ action: z.literal('status') }),
  z.object({ action: z.literal('dead-letters'), ...deadLetterFilter }),
  z.object({
    action: z.literal('dead-letter'),
    partition: z.number().int().min(0).default(0),
    offset: z.string().regex(/^\d+$/, 'offset must be a non-negative integer'),
  }),
  z.object({
    action: z.literal('redrive'),
    ...deadLetterFilter,
    /** Only these dead letters; each must be one (a marker or a missing offset is not found). */
    offsets: z
      .array(
        z.object({
          partition: z.number().int().min(0),
          offset: z.string().regex(/^\d+$/, 'offset must be a non-negative integer'),
        }),
      )
      .min(1)
      .optional(),
    /** Report what would be sent, send nothing. */
    dryRun: z.boolean().default(false),
    /** Also redrive letters that failed again after a redrive (the loop guard's override). */
    force: z.boolean().default(false),
  }),
  z.object({ action: z.literal('send'), role: z.enum(COMMAND_TOPIC_ROLES), message: z.unknown() }),
]);
export type OperationsRequest = z.input<typeof operationsRequestSchema>;

export interface Deployment {
  prefix: string;
  topics: Record<CommandTopicRole | 'deadLetter', string>;
  /** Consumer group of each Kafka-triggered handler. */
  consumerGroups: Record<string, { role: CommandTopicRole; groupId: string }>;
  tables: Record<TableRole, string>;
  schedules: ScheduleConfig[];
  /** The AlphaVantage plan's budget (absent from deployments older than this field). */
  budget?: { plan: string; requestsPerMinute: number; requestsPerDay: number | null };
}

export interface PartitionOffsets {
  partition: number;
  /** Log start offset. */
  low: string;
  /** Next offset to be written (high watermark). */
  high: string;
}

export interface GroupOffsets extends PartitionOffsets {
  /** Next offset the handler's group will process; -1 when it has committed nothing. */
  committed: string;
}

export interface OffsetsReport {
  /** Per consumed topic role, its handler's group position on every partition. */
  groups: Record<CommandTopicRole, { handler: string; groupId: string; partitions: GroupOffsets[] }>;
  deadLetter: PartitionOffsets[];
}

export interface DeadLetterEntry {
  partition: number;
  offset: string;
  /** When the record was appended to the dead-letter topic. */
  appendedAt: string;
  /** `horton`: a dead-letter record of model/messages.ts; `other`: anything else (e.g. Lambda's own). */
  shape: 'horton' | 'other';
  reason: { code: string; message: string };
  handler: string;
  source?: { topic: string; partition: number; offset: string };
  correlationId?: string;
  /** Set once redriven; `failedAgainAs` names the dead letter the redriven record became. */
  redriven?: { at: string; topic: string; failedAgainAs?: { partition: number; offset: string } };
  /** Set when this letter is a redriven record that failed again: the dead letter it was redriven from. */
  redriveOf?: { partition: number; offset: string };
  /**
   * Set when an earlier dead letter has the same source record (delivered again after a crash before its offset
   * was committed): redrive sends the first only.
   */
  repeatOf?: { partition: number; offset: string };
}

export interface DeadLetterList {
  deadLetters: DeadLetterEntry[];
  /** Redrive markers read (they take offsets on the dead-letter topic but are not dead letters). */
  markers: number;
}

export interface DeadLetterDetail extends DeadLetterEntry {
  originalKey: string | null;
  /** The original value as UTF-8 text (the bytes are kept base64 in the record). */
  originalValue: string | null;
  originalHeaders: Record<string, string>;
  /** Set when `originalValue` is only the head of a value too large for the dead letter. */
  originalValueCut?: { length: number; sha256: string; keptBytes: number };
}

export interface HandlerStatus {
  handler: string;
  role: CommandTopicRole;
  groupId: string;
  lag: number;
  /** Append time of the last record the group has processed (committed past). */
  lastProcessedAt?: string;
}

export interface StatusReport {
  handlers: HandlerStatus[];
  deadLetters: { total: number; pending: number; redriven: number };
}

export interface RedriveReport {
  /** True when nothing was sent: `sent` lists what would have been. */
  dryRun: boolean;
  sent: Array<{ offset: string; partition: number; topic: string; reason: string; handler: string }>;
  skipped: Array<{ offset: string; partition: number; why: string }>;
  /** Redrive markers on the dead-letter topic (never listed as dead letters; they explain offset gaps). */
  markers?: number;
}

export interface SendReport {
  topic: string;
  key: string;
  commandId: string;
}

/** A request the function rejects: the CLI shows the message as it is. */
export class OperationsRequestError extends Error {
  override readonly name = 'OperationsRequestError';
}

/** A request for something that is not there (a dead letter at an offset): the CLI exits "not found". */
export class OperationsNotFoundError extends Error {
  override readonly name = 'OperationsNotFoundError';
}

/** Envelope fields an operator may leave out of `horton send`; everything given is kept as it is. */
export function completeCommand(role: CommandTopicRole, message: unknown, now: Date): unknown {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return message;
  const types: Record<CommandTopicRole, Command['type']> = {
    securities: 'collect-universe',
    overview: 'collect-overview',
    history: 'collect-history',
    quote: 'collect-quote',
    indicators: 'collect-indicator',
  };
  const id = randomUUID().replaceAll('-', '');
  return {
    type: types[role],
    v: 1,
    commandId: id,
    correlationId: `send:${id}`,
    issuedAt: now.toISOString(),
    ...message,
  };
}

/**
 * Validates a command as its consumer will: against its topic's contract (the error names every invalid field),
 * and not issued in the future, so nothing is published that the handler would dead-letter.
 */
export function validateCommand(role: CommandTopicRole, message: unknown, now: Date = new Date()): Command {
  const result = topicContracts[role].safeParse(message);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join('.') || '(message)'}: ${issue.message}`,
    );
    throw new OperationsRequestError(`not a valid ${role} message: ${problems.join('; ')}`);
  }
  const command = result.data as Command;
  try {
    assertIssuedInThePast(command, now);
  } catch (error) {
    if (error instanceof ContractViolation)
      throw new OperationsRequestError(`not a valid ${role} message: ${error.message}`);
    throw error;
  }
  return command;
}
