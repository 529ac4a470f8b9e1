/**
 * Builds a Kafka-triggered Lambda handler: decode each record against its topic's contract, run the handler's
 * logic per record, dead-letter poison records, report transient failures as batch item failures.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { type ContractRole, decodeMessage, type MessageFor } from '../contracts/messages.ts';
import { type Observability, withObservability } from '../observability.ts';
import { processKafkaBatch } from './batch.ts';
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
  handle: (message: MessageFor<R>, record: KafkaRecord) => Promise<void>;
}

export function createKafkaHandler<R extends CommandRole>(options: KafkaHandlerOptions<R>) {
  const { logger, metrics } = options.observability;
  return withObservability(options.observability, async (event: unknown, _context: Context) => {
    const outcome = await processKafkaBatch(event, {
      handler: options.name,
      logger,
      publishDeadLetters: (deadLetters) =>
        options.publisher().publishDeadLetters(options.deadLetterTopic, deadLetters),
      processRecord: async (record) => {
        const message = decodeMessage(options.role, record.value);
        const symbol = 'symbol' in message ? message.symbol : undefined;
        logger.appendKeys({ correlationId: message.correlationId, commandId: message.commandId, symbol });
        try {
          await options.handle(message, record);
        } finally {
          logger.removeKeys(['correlationId', 'commandId', 'symbol']);
        }
      },
    });
    metrics.addMetric('RecordsProcessed', MetricUnit.Count, outcome.processed);
    metrics.addMetric('RecordsDeadLettered', MetricUnit.Count, outcome.deadLettered);
    metrics.addMetric('RecordsFailed', MetricUnit.Count, outcome.failed);
    logger.info('batch done', {
      processed: outcome.processed,
      deadLettered: outcome.deadLettered,
      failed: outcome.failed,
      skipped: outcome.skipped,
    });
    return outcome.response satisfies KafkaBatchResponse;
  });
}
