/**
 * Operations: invoked by the `horton` CLI (Lambda Invoke; locally the runner's invoke endpoint) for the work
 * that needs Kafka, which in AWS is reachable only inside the VPC: dead letters (list, show, redrive),
 * consumer-group offsets and lag, and publishing one validated command. Requests and answers:
 * model/operations.ts.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { Kafka } from 'kafkajs';
import { consumerGroupId, tableNames } from '../../model/config.ts';
import { HANDLER_NAMES, HANDLERS, type HandlerSpec } from '../../model/handlers.ts';
import { METRIC } from '../../model/metrics.ts';
import { type Deployment, OperationsRequestError, operationsGroupPrefix } from '../../model/operations.ts';
import { connectionOf, kafkaConfig, Publisher } from '../shared/kafka/producer.ts';
import { readRanges, topicOffsets } from '../shared/kafka/reader.ts';
import { createObservability, withObservability } from '../shared/observability.ts';
import { loadSettings } from '../shared/settings.ts';
import { operate } from './collect.ts';

const settings = loadSettings('operations');
const observability = await createObservability(settings);
const kafka = new Kafka(kafkaConfig(connectionOf(settings)));
const publisher = new Publisher(kafka);
const { prefix } = settings;
const deployment: Deployment = {
  prefix,
  topics: settings.topics,
  consumerGroups: Object.fromEntries(
    HANDLER_NAMES.flatMap((name) => {
      const trigger = (HANDLERS[name] as HandlerSpec).trigger;
      return trigger.kind === 'kafka'
        ? [[name, { role: trigger.topic, groupId: consumerGroupId({ prefix }, trigger.topic) }]]
        : [];
    }),
  ),
  tables: tableNames({ prefix }),
  schedules: settings.schedules,
  ...(settings.budget ? { budget: settings.budget } : {}),
};

const admin = kafka.admin();
let adminConnected: Promise<void> | undefined;
const connectedAdmin = async () => {
  adminConnected ??= admin.connect();
  await adminConnected;
  return admin;
};

export const handler = withObservability(observability, async (event: unknown) => {
  observability.metrics.addMetric(METRIC.operatorRequests, MetricUnit.Count, 1);
  try {
    return await operate(event, deployment, {
      topicOffsets: async (topic) => topicOffsets(await connectedAdmin(), topic),
      groupOffsets: async (groupId, topic) => {
        const [entry] = await (await connectedAdmin()).fetchOffsets({ groupId, topics: [topic] });
        return (entry?.partitions ?? []).map((partition) => ({
          partition: partition.partition,
          offset: partition.offset,
        }));
      },
      read: (ranges) => readRanges(kafka, operationsGroupPrefix(prefix), ranges),
      publish: (messages) => publisher.send(messages),
      now: () => new Date(),
    });
  } catch (error) {
    if (error instanceof OperationsRequestError)
      observability.logger.warn('operations request rejected', { reason: error.message });
    throw error;
  }
});
