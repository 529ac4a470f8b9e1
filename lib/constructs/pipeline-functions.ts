/**
 * One function per entry of the handler catalogue (model/handlers.ts), wired from the entry alone: tables it reads
 * and writes, topics it produces to, the topic it consumes (an MSK event source mapping with its stable consumer
 * group), the API key secret and the shared AlphaVantage quota when it calls AlphaVantage.
 */
import { Duration, type aws_lambda as lambda, type aws_logs as logs, Validations } from 'aws-cdk-lib';
import { Construct, type IDependable } from 'constructs';
import { consumerGroupId, type HortonConfig, type TableRole } from '../../model/config.ts';
import { type DynamoDbAction, HANDLERS, type HandlerName, type HandlerSpec } from '../../model/handlers.ts';
import { operationsGroupPrefix } from '../../model/operations.ts';
import { serviceNameOf } from '../../model/settings.ts';
import type { AlphaVantageApiKey } from './api-key-secret.ts';
import { HortonFunction } from './horton-function.ts';
import type { HortonKafkaCluster } from './kafka-cluster.ts';
import type { HortonNetwork } from './network.ts';
import type { HortonTables } from './tables.ts';

export interface PipelineFunctionsProps {
  readonly config: HortonConfig;
  readonly projectRoot: string;
  readonly network: HortonNetwork;
  readonly kafka: HortonKafkaCluster;
  /** SASL/IAM bootstrap brokers (from the topics resource). */
  readonly bootstrapBrokers: string;
  /** The topics: event source mappings wait for them. */
  readonly topicsReady: IDependable;
  readonly tables: HortonTables;
  readonly apiKey: AlphaVantageApiKey;
  /**
   * Provisioned pollers of each event source mapping. The mappings share one poller group, so idle topics do
   * not each hold a poller.
   * @default - config.deployment.pollers, in the poller group `<prefix>-pollers`
   */
  readonly pollers?: lambda.ProvisionedPollerConfig;
  /** @default 512 */
  readonly memorySize?: number;
  /**
   * Timeout of the Kafka-triggered handlers: a batch of AlphaVantage calls, each with retries and backoff.
   * @default Duration.minutes(5)
   */
  readonly kafkaHandlerTimeout?: Duration;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

export { serviceNameOf } from '../../model/settings.ts';

export class PipelineFunctions extends Construct {
  readonly functions: Record<HandlerName, HortonFunction>;
  readonly eventSourceMappings: Partial<Record<HandlerName, lambda.EventSourceMapping>> = {};

  constructor(scope: Construct, id: string, props: PipelineFunctionsProps) {
    super(scope, id);
    const { config, kafka } = props;
    const pollers = props.pollers ?? {
      minimumPollers: config.deployment.pollers.minimum,
      maximumPollers: config.deployment.pollers.maximum,
      pollerGroupName: `${config.prefix}-pollers`,
    };

    const entries = (Object.entries(HANDLERS) as Array<[HandlerName, HandlerSpec]>).map(([name, spec]) => {
      const fn = new HortonFunction(this, name, {
        entry: spec.entry,
        projectRoot: props.projectRoot,
        functionName: `${config.prefix}-${name}`,
        description: spec.description.slice(0, 256),
        serviceName: serviceNameOf(config.prefix, name),
        network: props.network,
        handler: { name, config },
        tracing: config.observability.tracing,
        timeout:
          spec.trigger.kind === 'kafka'
            ? (props.kafkaHandlerTimeout ?? Duration.minutes(5))
            : Duration.seconds(60),
        ...(props.memorySize ? { memorySize: props.memorySize } : {}),
        ...(props.logRetention ? { logRetention: props.logRetention } : {}),
      });

      for (const [role, actions] of Object.entries(spec.tables) as Array<[TableRole, DynamoDbAction[]]>) {
        fn.bindTable(role, props.tables.tables[role], actions);
      }
      if (spec.callsAlphaVantage) {
        fn.bindSecret(props.apiKey.secret);
        fn.bindAlphaVantageQuota(props.tables.tables.alphaVantageQuota);
      }

      const usesKafka =
        spec.produces.length > 0 || (spec.readsTopics?.length ?? 0) > 0 || spec.trigger.kind === 'kafka';
      if (usesKafka) fn.connectKafka(kafka, props.bootstrapBrokers);
      for (const role of spec.produces) fn.bindTopic(role, config.topics[role].name, kafka);
      for (const role of spec.readsTopics ?? []) fn.bindTopicReader(role, config.topics[role].name, kafka);
      if (spec.readsTopics?.length) fn.grantOwnReadGroups(kafka, operationsGroupPrefix(config.prefix));
      if (spec.describesGroups) {
        fn.grantDescribeGroups(
          kafka,
          this.kafkaHandlers().map(({ topicRole }) => consumerGroupId(config, topicRole)),
        );
      }

      if (spec.trigger.kind === 'kafka') {
        const topicRole = spec.trigger.topic;
        this.eventSourceMappings[name] = fn.consumeTopic({
          kafka,
          topicRole,
          topicName: config.topics[topicRole].name,
          consumerGroupId: consumerGroupId(config, topicRole),
          consumer: config.consumers,
          deadLetterTopicName: config.topics.deadLetter.name,
          pollers,
          dependsOn: [props.topicsReady],
        });
        Validations.of(fn.function).acknowledge(
          {
            id: 'Serverless-LambdaDLQ',
            reason:
              'Invoked synchronously by its MSK event source mapping, whose on-failure destination is the ' +
              'dead-letter topic; an async DLQ would never receive anything.',
          },
          {
            id: 'Serverless-LambdaAsyncFailureDestination',
            reason:
              'Invoked synchronously by its MSK event source mapping (on-failure: the dead-letter topic).',
          },
        );
      }
      if (spec.trigger.kind === 'manual') {
        Validations.of(fn.function).acknowledge(
          {
            id: 'Serverless-LambdaDLQ',
            reason:
              'Invoked by an operator with a synchronous invoke (`horton` CLI or `aws lambda invoke`), who sees the error directly.',
          },
          {
            id: 'Serverless-LambdaAsyncFailureDestination',
            reason:
              'Invoked by an operator with a synchronous invoke (`horton` CLI or `aws lambda invoke`), who sees the error directly.',
          },
        );
      }
      return [name, fn] as const;
    });
    this.functions = Object.fromEntries(entries) as Record<HandlerName, HortonFunction>;
  }

  /** Handlers an event source mapping invokes, with the topic role they consume. */
  kafkaHandlers(): Array<{
    name: HandlerName;
    topicRole: Exclude<keyof HortonConfig['topics'], 'deadLetter'>;
  }> {
    return (Object.entries(HANDLERS) as Array<[HandlerName, HandlerSpec]>).flatMap(([name, spec]) =>
      spec.trigger.kind === 'kafka' ? [{ name, topicRole: spec.trigger.topic }] : [],
    );
  }
}
