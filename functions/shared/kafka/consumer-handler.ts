/**
 * Builds a Kafka-triggered Lambda handler: decode each record against its topic's contract, run the handler's
 * logic per record, dead-letter poison records, report transient failures as batch item failures.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import {
  assertIssuedInThePast,
  type ContractRole,
  decodeMessage,
  type MessageFor,
} from '../../../model/messages.ts';
import { METRIC, OUTCOME_LOG_MESSAGE } from '../../../model/metrics.ts';
import { REDRIVE_HEADER } from '../../../model/operations.ts';
import { withDeadline } from '../deadline.ts';
import { type Observability, withObservability } from '../observability.ts';
import { runtimeEnvironment } from '../settings.ts';
import { type BatchOutcome, DEFERRED_SINCE_HEADER, processKafkaBatch } from './batch.ts';
import type { KafkaBatchResponse, KafkaRecord } from './event.ts';
import type { Publisher } from './producer.ts';

export type CommandRole = Exclude<ContractRole, 'deadLetter'>;

export interface KafkaHandlerOptions<R extends CommandRole> {
  name: string;
  role: R;
  observability: Observability;
  /** Publisher of dead letters (and of fan-out commands, for handlers that have them). */
  publisher: () => Publisher;
  deadLetterTopic: string;
  handle: (message: MessageFor<R>, scope: RecordScope) => Promise<void>;
  /**
   * Records are not started when less than this remains of the invocation: they are reported as failed instead,
   * so the event source mapping redelivers them, rather than the function timing out mid-record and the whole
   * batch being retried. Should exceed the longest single record (AlphaVantage limit waits included); capped
   * at a quarter of the time the invocation started with, so short timeouts still process records.
   * @default 75000
   */
  deadlineMarginMs?: number;
}

/** Logging of one record: every line carries the record's correlationId, commandId and symbol. */
export interface RecordLogger {
  debug(message: string, details?: Record<string, unknown>): void;
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

/** What one record's processing gets besides the message. */
export interface RecordScope {
  record: KafkaRecord;
  /**
   * Not appended to the shared logger, because partitions are processed concurrently and their keys must not
   * mix; and not a child logger, whose construction per record cost a third of a handler's CPU: the record's
   * keys are merged into each line it writes instead.
   */
  logger: RecordLogger;
  /**
   * Ask AlphaVantage even while the no-data memory holds the item back: the record was redriven (an operator's
   * explicit "ask again", typically after the cause was fixed) or its command says so (a backfill with
   * `askAgain`). Decided here, once, for every handler.
   */
  askAgain: boolean;
}

/** Whether a record asks past the no-data memory (`RecordScope.askAgain`). */
function asksAgain(record: KafkaRecord, message: { askAgain?: true }): boolean {
  return message.askAgain === true || record.headers.some((header) => header.name === REDRIVE_HEADER);
}

function recordLogger(logger: Logger, keys: Record<string, unknown>): RecordLogger {
  return {
    debug: (message, details) => logger.debug(message, details ? { ...keys, ...details } : keys),
    info: (message, details) => logger.info(message, details ? { ...keys, ...details } : keys),
    warn: (message, details) => logger.warn(message, details ? { ...keys, ...details } : keys),
    error: (message, details) => logger.error(message, details ? { ...keys, ...details } : keys),
  };
}

/** Decodes a record against the handler's contract and runs the handler's logic with the record's scope. */
function recordProcessor<R extends CommandRole>(
  options: KafkaHandlerOptions<R>,
  simulatedTimeAhead: boolean,
): (record: KafkaRecord) => Promise<void> {
  const { logger } = options.observability;
  return async (record) => {
    const message = decodeMessage(options.role, record.value);
    // Whoever produced it (a schedule, a backfill, `horton send`, a raw record): never trusted with the clock.
    if (!simulatedTimeAhead) assertIssuedInThePast(message, new Date());
    const keys = {
      correlationId: message.correlationId,
      commandId: message.commandId,
      ...('symbol' in message ? { symbol: message.symbol } : {}),
    };
    await options.handle(message, {
      record,
      logger: recordLogger(logger, keys),
      askAgain: asksAgain(record, message),
    });
  };
}

/** Hands deferred records back: the same bytes and headers to the same topic-partition, marked with when. */
function parkRecords(publisher: () => Publisher) {
  return (records: KafkaRecord[], deferredSince: string) =>
    publisher().send(
      records.map((record) => ({
        topic: record.topic,
        partition: record.partition,
        key: record.key?.toString('utf8') ?? '',
        value: record.value?.toString('utf8') ?? '',
        headers: {
          ...Object.fromEntries(record.headers.map((header) => [header.name, header.value.toString('utf8')])),
          [DEFERRED_SINCE_HEADER]: deferredSince,
        },
      })),
    );
}

function recordOutcome({ logger, metrics }: Observability, outcome: BatchOutcome): void {
  metrics.addMetric(METRIC.recordsProcessed, MetricUnit.Count, outcome.processed);
  metrics.addMetric(METRIC.recordsDeadLettered, MetricUnit.Count, outcome.deadLettered);
  metrics.addMetric(METRIC.recordsFailed, MetricUnit.Count, outcome.failed);
  metrics.addMetric(METRIC.recordsDeferred, MetricUnit.Count, outcome.deferred);
  logger.info(OUTCOME_LOG_MESSAGE.batchDone, {
    processed: outcome.processed,
    deadLettered: outcome.deadLettered,
    failed: outcome.failed,
    skipped: outcome.skipped,
    deferred: outcome.deferred,
  });
}

/**
 * Lambda's partial batch response; for the local runner (`reportCauses`), a batch that did not simply succeed
 * also says what was processed and why records failed or were dead-lettered. A clean batch keeps Lambda's shape.
 */
function batchResponse(outcome: BatchOutcome, reportCauses: boolean) {
  const clean = outcome.deadLettered + outcome.failed + outcome.skipped + outcome.deferred === 0;
  if (reportCauses && !clean) {
    return {
      ...outcome.response,
      processed: outcome.processed,
      failureCauses: Object.fromEntries(outcome.failureCauses),
      deadLetterCauses: Object.fromEntries(outcome.deadLetterCauses),
    };
  }
  return outcome.response satisfies KafkaBatchResponse;
}

export function createKafkaHandler<R extends CommandRole>(options: KafkaHandlerOptions<R>) {
  const deadlineMarginMs = options.deadlineMarginMs ?? 75_000;
  const { reportFailureCauses, simulatedTimeAhead } = runtimeEnvironment();
  const processRecord = recordProcessor(options, simulatedTimeAhead);
  const park = parkRecords(options.publisher);
  return withObservability(options.observability, async (event: unknown, context: Context) => {
    const margin = Math.min(deadlineMarginMs, context.getRemainingTimeInMillis() / 4);
    // The AlphaVantage limiter gives no slot that starts after this: the record could not finish in time.
    const deadline = Date.now() + context.getRemainingTimeInMillis() - margin;
    const outcome = await withDeadline(deadline, () =>
      processKafkaBatch(event, {
        // The function name, as the event source mapping's own on-failure records name it.
        handler: context.functionName || options.name,
        logger: options.observability.logger,
        publishDeadLetters: (deadLetters) =>
          options.publisher().publishDeadLetters(options.deadLetterTopic, deadLetters),
        shouldStop: () => context.getRemainingTimeInMillis() < margin,
        processRecord,
        park,
      }),
    );
    recordOutcome(options.observability, outcome);
    return batchResponse(outcome, reportFailureCauses);
  });
}
