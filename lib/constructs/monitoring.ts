/**
 * Observability: one CloudWatch dashboard and the alarms an operator acts on, published to one SNS topic.
 *
 * - Consumer lag per topic: MSK's MaxOffsetLag/SumOffsetLag for the handler's consumer group and Lambda's
 *   OffsetLag for the function; alarm when MaxOffsetLag stays above a threshold.
 * - Handlers: errors (alarm on any), throttles, p99 duration.
 * - Dead letters: the handlers' `RecordsDeadLettered` (namespace Horton, dimension service) and, on MSK
 *   Serverless, the dead-letter topic's inflow (which also counts records Lambda itself gave up on); alarm on any.
 * - AlphaVantage limit answers (`AlphaVantageLimitResponses`) and lost schedule firings (alarm on any).
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
import type { HortonKafkaCluster } from './kafka-cluster.ts';
import { type PipelineFunctions, serviceNameOf } from './pipeline-functions.ts';

export const HORTON_METRICS_NAMESPACE = 'Horton';

export interface HortonMonitoringProps {
  readonly config: HortonConfig;
  readonly kafka: HortonKafkaCluster;
  readonly pipeline: PipelineFunctions;
  readonly scheduleFailureQueue: sqs.IQueue;
  /**
   * Consumer lag (records, MaxOffsetLag) that raises the lag alarm when it lasts 15 minutes.
   * @default 1000
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

    // Consumer lag, per consumed topic.
    const lagWidgets = kafkaHandlers.map(({ name, topicRole }) => {
      const topic = config.topics[topicRole].name;
      const group = consumerGroupId(config, topicRole);
      // Alarms get the metric without a label: a labelled metric renders as metric math in the alarm.
      const mskLag = (metricName: 'MaxOffsetLag' | 'SumOffsetLag', label?: string) =>
        new cloudwatch.Metric({
          namespace: 'AWS/Kafka',
          metricName,
          dimensionsMap: { 'Cluster Name': clusterName, 'Consumer Group': group, Topic: topic },
          statistic: 'Maximum',
          period: PERIOD,
          ...(label ? { label } : {}),
        });
      alarm(
        `${name}Lag`,
        {
          alarmName: `${prefix}-${name}-consumer-lag`,
          alarmDescription: `Consumer group ${group} is more than the threshold behind on ${topic} for 15 minutes`,
          threshold: props.lagThreshold ?? 1000,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 3,
        },
        mskLag('MaxOffsetLag'),
      );
      return new cloudwatch.GraphWidget({
        title: `Lag: ${topic}`,
        width: 8,
        left: [
          mskLag('MaxOffsetLag', `MaxOffsetLag ${group}`),
          mskLag('SumOffsetLag', `SumOffsetLag ${group}`),
        ],
        right: [
          functions[name].function.metric('OffsetLag', {
            statistic: 'Maximum',
            period: PERIOD,
            label: `Lambda OffsetLag ${name}`,
          }),
        ],
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
    }
    const perFunction = (metric: (name: HandlerName) => cloudwatch.IMetric) =>
      handlerEntries.map(([name]) => metric(name));

    // Dead letters.
    const deadLettered = (name: HandlerName, label?: string) =>
      new cloudwatch.Metric({
        namespace: HORTON_METRICS_NAMESPACE,
        metricName: 'RecordsDeadLettered',
        dimensionsMap: { service: serviceNameOf(name) },
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
    if (kafka.clusterType === 'serverless') {
      // Topic-level metrics without a broker dimension exist on MSK Serverless only.
      const inflow = new cloudwatch.Metric({
        namespace: 'AWS/Kafka',
        metricName: 'MessagesInPerSec',
        dimensionsMap: { 'Cluster Name': clusterName, Topic: config.topics.deadLetter.name },
        statistic: 'Maximum',
        period: PERIOD,
      });
      alarm(
        'DeadLetterTopicInflow',
        {
          alarmName: `${prefix}-dead-letter-topic-inflow`,
          alarmDescription: `Records arrived on ${config.topics.deadLetter.name} (from handlers or from Lambda after retries)`,
          threshold: 0,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
        },
        inflow,
      );
      deadLetterWidgetMetrics.push(inflow.with({ label: `${config.topics.deadLetter.name} messages in/s` }));
    }

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
            namespace: HORTON_METRICS_NAMESPACE,
            metricName: 'AlphaVantageLimitResponses',
            dimensionsMap: { service: serviceNameOf(name) },
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
