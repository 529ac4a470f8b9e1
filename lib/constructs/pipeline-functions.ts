/**
 * One function per entry of the handler catalogue (model/handlers.ts), wired from the entry alone: tables it reads
 * and writes, topics it produces to, the topic it consumes (an MSK event source mapping with its stable consumer
 * group), the API key secret and the shared AlphaVantage quota when it calls AlphaVantage.
 */
import {
  Annotations,
  Duration,
  type aws_lambda as lambda,
  type aws_logs as logs,
  Validations,
} from 'aws-cdk-lib';
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
   * @default - config.deployment.pollers: in provisioned mode the poller group `<prefix>-pollers`, in
   * on-demand mode none
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

export class PipelineFunctions extends Construct {
  readonly functions: Record<HandlerName, HortonFunction>;
  readonly eventSourceMappings: Partial<Record<HandlerName, lambda.EventSourceMapping>> = {};

  constructor(scope: Construct, id: string, props: PipelineFunctionsProps) {
    super(scope, id);
    const pollers = props.pollers ?? configuredPollers(props.config);
    if (!pollers) {
      Annotations.of(this).addWarningV2(
        'horton:on-demand-pollers',
        'On-demand event pollers: no bounded retries, no partial batch responses, no Kafka on-failure ' +
          'destination. A record a handler reports failed is committed, not retried; poison records still go ' +
          'to the dead-letter topic (docs/decisions/0075-event-poller-mode.md).',
      );
    }
    const entries = (Object.entries(HANDLERS) as Array<[HandlerName, HandlerSpec]>).map(([name, spec]) => {
      const fn = this.createFunction(name, spec, props);
      this.bindResources(fn, spec, props);
      if (spec.trigger.kind === 'kafka') {
        this.eventSourceMappings[name] = this.subscribe(fn, spec.trigger.topic, props, pollers);
      }
      acknowledgeInvocation(fn, spec);
      return [name, fn] as const;
    });
    this.functions = Object.fromEntries(entries) as Record<HandlerName, HortonFunction>;
  }

  private createFunction(
    name: HandlerName,
    spec: HandlerSpec,
    props: PipelineFunctionsProps,
  ): HortonFunction {
    const { config } = props;
    return new HortonFunction(this, name, {
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
  }

  /** Tables, secret, quota, Kafka connection, topics and groups: exactly what the catalogue entry says. */
  private bindResources(fn: HortonFunction, spec: HandlerSpec, props: PipelineFunctionsProps): void {
    const { config, kafka } = props;
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
  }

  private subscribe(
    fn: HortonFunction,
    topicRole: KafkaTopicRole,
    props: PipelineFunctionsProps,
    pollers: lambda.ProvisionedPollerConfig | undefined,
  ): lambda.EventSourceMapping {
    const { config } = props;
    return fn.consumeTopic({
      kafka: props.kafka,
      topicRole,
      topicName: config.topics[topicRole].name,
      consumerGroupId: consumerGroupId(config, topicRole),
      consumer: config.consumers,
      deadLetterTopicName: config.topics.deadLetter.name,
      ...(pollers ? { pollers } : {}),
      // The topics, and the security-group rules the pollers connect through.
      dependsOn: [props.topicsReady, props.network.rulesReady],
    });
  }

  /** Handlers an event source mapping invokes, with the topic role they consume. */
  kafkaHandlers(): Array<{ name: HandlerName; topicRole: KafkaTopicRole }> {
    return (Object.entries(HANDLERS) as Array<[HandlerName, HandlerSpec]>).flatMap(([name, spec]) =>
      spec.trigger.kind === 'kafka' ? [{ name, topicRole: spec.trigger.topic }] : [],
    );
  }
}

/** The topics a handler can consume. */
type KafkaTopicRole = Exclude<keyof HortonConfig['topics'], 'deadLetter'>;

/** config.deployment.pollers as the mappings' poller config: one shared group, or none (on-demand). */
function configuredPollers(config: HortonConfig): lambda.ProvisionedPollerConfig | undefined {
  const { pollers } = config.deployment;
  if (pollers.mode === 'on-demand') return undefined;
  return {
    minimumPollers: pollers.minimum,
    maximumPollers: pollers.maximum,
    pollerGroupName: `${config.prefix}-pollers`,
  };
}

/** Why neither trigger kind needs an async dead-letter queue or failure destination. */
function acknowledgeInvocation(fn: HortonFunction, spec: HandlerSpec): void {
  if (spec.trigger.kind === 'kafka') {
    const reason =
      'Invoked synchronously by its MSK event source mapping: poison records go to the dead-letter topic ' +
      "(Horton's own, and the mapping's on-failure destination in provisioned mode); an async DLQ would " +
      'never receive anything.';
    Validations.of(fn.function).acknowledge(
      { id: 'Serverless-LambdaDLQ', reason },
      { id: 'Serverless-LambdaAsyncFailureDestination', reason },
    );
  }
  if (spec.trigger.kind === 'manual') {
    const reason =
      'Invoked by an operator with a synchronous invoke (`horton` CLI or `aws lambda invoke`), who sees the error directly.';
    Validations.of(fn.function).acknowledge(
      { id: 'Serverless-LambdaDLQ', reason },
      { id: 'Serverless-LambdaAsyncFailureDestination', reason },
    );
  }
}
