/**
 * Observability: one CloudWatch dashboard and the alarms an operator acts on, published to one SNS topic.
 *
 * Every alarm's metric name and dimensions were checked against AWS's documentation:
 * - Lambda function metrics (namespace AWS/Lambda, dimension FunctionName): Errors, Throttles, OffsetLag —
 *   https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html#invocation-metrics and
 *   #performance-metrics; dimensions: https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-view.html
 * - Event source mapping metrics (AWS/Lambda, dimension EventSourceMappingUUID; emitted only for the groups in
 *   the mapping's MetricsConfig): PolledEventCount and OnFailureDestinationDeliveredEventCount (EventCount
 *   group), PollingErrorCount, InvokeErrorCount, OnFailureDestinationDeliveryErrorCount, CommitErrorCount
 *   (ErrorCount group) — https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html#event-source-mapping-metrics
 * - Horton's own metrics (namespace Horton, dimension service = `<prefix>-<handler>`): RecordsDeadLettered,
 *   AlphaVantageLimitResponses (Powertools EMF, functions/shared/observability.ts).
 * - SQS ApproximateNumberOfMessagesVisible (AWS/SQS, QueueName) —
 *   https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html
 *
 * Missing data: where a healthy consumer always emits (PolledEventCount: "If Lambda polls for events but
 * receives an empty poll, Lambda emits a 0 value"), silence is breaching: a mapping that never joins its group
 * (bad IAM, bad security group, disabled) alarms. Error and dead-letter counts are only emitted when something
 * happens, so their silence is not breaching. MSK's own MaxOffsetLag is only graphed: MSK emits it only for
 * groups in STABLE or EMPTY state, so it is silent exactly when a consumer is broken.
 */
import {
  aws_cloudwatch_actions as actions,
  aws_cloudwatch as cloudwatch,
  Duration,
  aws_sns as sns,
  type aws_sqs as sqs,
  aws_sns_subscriptions as subscriptions,
  Validations,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { consumerGroupId, type HortonConfig } from '../../model/config.ts';
import { HANDLERS, type HandlerName, type HandlerSpec } from '../../model/handlers.ts';
import { METRIC, METRICS_NAMESPACE } from '../../model/metrics.ts';
import type { HortonKafkaCluster } from './kafka-cluster.ts';
import { type PipelineFunctions, serviceNameOf } from './pipeline-functions.ts';

export interface HortonMonitoringProps {
  readonly config: HortonConfig;
  readonly kafka: HortonKafkaCluster;
  readonly pipeline: PipelineFunctions;
  readonly scheduleFailureQueue: sqs.IQueue;
  /**
   * Consumer lag (records, Lambda OffsetLag) that raises the lag alarm when it lasts 15 minutes.
   * @default config.deployment.lagAlarmThreshold
   */
  readonly lagThreshold?: number;
  /**
   * E-mail address subscribed to the alarm topic.
   * @default - no subscription (subscribe after deploy)
   */
  readonly alarmEmail?: string;
}

const PERIOD = Duration.minutes(5);

export class HortonMonitoring extends Construct {
  readonly alarmTopic: sns.Topic;
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: HortonMonitoringProps) {
    super(scope, id);
    const { config, kafka, pipeline } = props;
    const prefix = config.prefix;
    const functions = pipeline.functions;
    const clusterName = kafka.arns.clusterName;
    const lagThreshold = props.lagThreshold ?? config.deployment.lagAlarmThreshold;

    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', { topicName: `${prefix}-alarms`, enforceSSL: true });
    Validations.of(this.alarmTopic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'CloudWatch alarms cannot publish to a topic encrypted with the AWS managed SNS key, and alarm ' +
        'notifications carry no sensitive data; a customer managed key would only add cost.',
    });
    if (props.alarmEmail) {
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    }
    const alarmAction = new actions.SnsAction(this.alarmTopic);
    const alarm = (alarmId: string, options: cloudwatch.CreateAlarmOptions, metric: cloudwatch.IMetric) => {
      const created = new cloudwatch.Alarm(this, alarmId, {
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        ...options,
        metric,
      });
      created.addAlarmAction(alarmAction);
      this.alarms.push(created);
      return created;
    };

    const handlerEntries = Object.entries(HANDLERS) as Array<[HandlerName, HandlerSpec]>;
    const kafkaHandlers = pipeline.kafkaHandlers();

    // Consumers, per event source mapping.
    const lagWidgets = kafkaHandlers.map(({ name, topicRole }) => {
      const topic = config.topics[topicRole].name;
      const group = consumerGroupId(config, topicRole);
      const fn = functions[name];
      const mapping = pipeline.eventSourceMappings[name];
      if (!mapping) throw new Error(`handler ${name} consumes ${topic} but has no event source mapping`);
      const mappingMetric = (metricName: string, statistic: string) =>
        new cloudwatch.Metric({
          namespace: 'AWS/Lambda',
          metricName,
          dimensionsMap: { EventSourceMappingUUID: mapping.eventSourceMappingId },
          statistic,
          period: PERIOD,
        });
      const offsetLag = new cloudwatch.Metric({
        namespace: 'AWS/Lambda',
        metricName: 'OffsetLag',
        dimensionsMap: { FunctionName: fn.functionName },
        statistic: 'Maximum',
        period: PERIOD,
      });
      alarm(
        `${name}Lag`,
        {
          alarmName: `${prefix}-${name}-consumer-lag`,
          alarmDescription: `${fn.functionName} is more than ${lagThreshold} records behind on ${topic} for 15 minutes`,
          threshold: lagThreshold,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 3,
        },
        offsetLag,
      );
      alarm(
        `${name}NotPolling`,
        {
          alarmName: `${prefix}-${name}-not-polling`,
          alarmDescription: `The event source mapping of ${fn.functionName} reported no poll of ${topic} for 15 minutes (disabled, or cannot reach or join the cluster)`,
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
          evaluationPeriods: 3,
          treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        },
        mappingMetric('PolledEventCount', 'SampleCount'),
      );
      alarm(
        `${name}LambdaDeadLetters`,
        {
          alarmName: `${prefix}-${name}-retries-exhausted`,
          alarmDescription: `Lambda sent records of ${topic} to ${config.topics.deadLetter.name} after retries or record age ran out`,
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
        },
        mappingMetric('OnFailureDestinationDeliveredEventCount', 'Sum'),
      );
      const mappingErrorNames = [
        'PollingErrorCount',
        'InvokeErrorCount',
        'OnFailureDestinationDeliveryErrorCount',
        'CommitErrorCount',
      ];
      alarm(
        `${name}MappingErrors`,
        {
          alarmName: `${prefix}-${name}-mapping-errors`,
          alarmDescription: `The event source mapping of ${fn.functionName} failed to poll, invoke, commit or dead-letter`,
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
        },
        new cloudwatch.MathExpression({
          expression: mappingErrorNames.map((_, index) => `FILL(e${index}, 0)`).join(' + '),
          usingMetrics: Object.fromEntries(
            mappingErrorNames.map((metricName, index) => [`e${index}`, mappingMetric(metricName, 'Sum')]),
          ),
          period: PERIOD,
          label: 'event source mapping errors',
        }),
      );
      const mskLag = (metricName: 'MaxOffsetLag' | 'SumOffsetLag') =>
        new cloudwatch.Metric({
          namespace: 'AWS/Kafka',
          metricName,
          dimensionsMap: { 'Cluster Name': clusterName, 'Consumer Group': group, Topic: topic },
          statistic: 'Maximum',
          period: PERIOD,
          label: `MSK ${metricName} ${group}`,
        });
      return new cloudwatch.GraphWidget({
        title: `Lag: ${topic}`,
        width: 8,
        left: [
          offsetLag.with({ label: `Lambda OffsetLag ${name}` }),
          mskLag('MaxOffsetLag'),
          mskLag('SumOffsetLag'),
        ],
        right: [mappingMetric('PolledEventCount', 'Sum').with({ label: `polled ${name}` })],
      });
    });

    // Handler health, every function.
    for (const [name] of handlerEntries) {
      alarm(
        `${name}Errors`,
        {
          alarmName: `${prefix}-${name}-errors`,
          alarmDescription: `${functions[name].functionName} reported errors`,
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
        },
        functions[name].function.metricErrors({ period: PERIOD, statistic: 'Sum' }),
      );
      alarm(
        `${name}Throttles`,
        {
          alarmName: `${prefix}-${name}-throttles`,
          alarmDescription: `${functions[name].functionName} was throttled (concurrency exhausted)`,
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
        },
        functions[name].function.metricThrottles({ period: PERIOD, statistic: 'Sum' }),
      );
    }
    const perFunction = (metric: (name: HandlerName) => cloudwatch.IMetric) =>
      handlerEntries.map(([name]) => metric(name));

    // Dead letters.
    const deadLettered = (name: HandlerName, label?: string) =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName: METRIC.recordsDeadLettered,
        dimensionsMap: { service: serviceNameOf(prefix, name) },
        statistic: 'Sum',
        period: PERIOD,
        ...(label ? { label } : {}),
      });
    for (const { name } of kafkaHandlers) {
      alarm(
        `${name}DeadLetters`,
        {
          alarmName: `${prefix}-${name}-dead-letters`,
          alarmDescription: `${name} sent records to ${config.topics.deadLetter.name}`,
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
        },
        deadLettered(name),
      );
    }
    const deadLetterWidgetMetrics: cloudwatch.IMetric[] = kafkaHandlers.map(({ name }) =>
      deadLettered(name, name),
    );
    // Lost schedule firings.
    const scheduleFailures = props.scheduleFailureQueue.metricApproximateNumberOfMessagesVisible({
      period: PERIOD,
      statistic: 'Maximum',
    });
    alarm(
      'ScheduleFailures',
      {
        alarmName: `${prefix}-schedule-failures`,
        alarmDescription: 'A schedule firing could not be delivered to, or failed in, the dispatcher',
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
      },
      scheduleFailures,
    );

    const limitResponses = handlerEntries
      .filter(([, spec]) => spec.callsAlphaVantage)
      .map(
        ([name]) =>
          new cloudwatch.Metric({
            namespace: METRICS_NAMESPACE,
            metricName: METRIC.alphaVantageLimitResponses,
            dimensionsMap: { service: serviceNameOf(prefix, name) },
            statistic: 'Sum',
            period: PERIOD,
            label: name,
          }),
      );

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: prefix,
      defaultInterval: Duration.hours(6),
    });
    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown: `# Horton (${prefix})\nConsumer lag per topic, handler health, dead letters, AlphaVantage limits.`,
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(...lagWidgets);
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Handler errors',
        width: 8,
        left: perFunction((name) =>
          functions[name].function.metricErrors({ period: PERIOD, statistic: 'Sum', label: name }),
        ),
      }),
      new cloudwatch.GraphWidget({
        title: 'Handler throttles',
        width: 8,
        left: perFunction((name) =>
          functions[name].function.metricThrottles({ period: PERIOD, statistic: 'Sum', label: name }),
        ),
      }),
      new cloudwatch.GraphWidget({
        title: 'Handler duration p99 (ms)',
        width: 8,
        left: perFunction((name) =>
          functions[name].function.metricDuration({ period: PERIOD, statistic: 'p99', label: name }),
        ),
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Dead letters', width: 8, left: deadLetterWidgetMetrics }),
      new cloudwatch.GraphWidget({ title: 'AlphaVantage limit responses', width: 8, left: limitResponses }),
      new cloudwatch.GraphWidget({
        title: 'Failed schedule firings',
        width: 8,
        left: [scheduleFailures.with({ label: 'failed schedule firings' })],
      }),
    );
  }
}
