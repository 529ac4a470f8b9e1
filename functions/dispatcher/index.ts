/**
 * Schedule dispatcher: EventBridge Scheduler invokes it with the schedule's input and it publishes one
 * collect-universe command to the securities topic, which fans out per security.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { METRIC } from '../../model/metrics.ts';
import { connectionOf, Publisher } from '../shared/kafka/producer.ts';
import { createObservability, withObservability } from '../shared/observability.ts';
import { loadSettings } from '../shared/settings.ts';
import { commandForSchedule, scheduleInputSchema } from './command.ts';

const settings = loadSettings('dispatcher');
const observability = await createObservability(settings);
const securitiesTopic = settings.topics.securities;
const publisher = Publisher.fromConnection(connectionOf(settings));

export const handler = withObservability(observability, async (event: unknown, _context: Context) => {
  const parsed = scheduleInputSchema.safeParse(event);
  if (!parsed.success) {
    // A misconfigured schedule: fail loudly so Scheduler retries and then dead-letters it.
    throw new Error(
      `Invalid schedule input: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const command = commandForSchedule(parsed.data, new Date());
  await publisher.publishCommands(securitiesTopic, [command]);
  observability.metrics.addMetric(METRIC.commandsPublished, MetricUnit.Count, 1);
  observability.logger.info('dispatched', {
    job: parsed.data.job,
    schedule: parsed.data.schedule,
    commandId: command.commandId,
  });
  return { published: 1, commandId: command.commandId, correlationId: command.correlationId };
});
