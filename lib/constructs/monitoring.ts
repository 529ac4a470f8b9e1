/**
 * Observability: the alarms an operator acts on, published to one SNS topic (new, or an existing one), and one
 * CloudWatch dashboard. One module per concern under ./monitoring/: where alarms go (alarm-sink.ts), consumer and
 * function alarms (consumer-alarms.ts), the AlphaVantage budget and the AWS cost budget (budget-alarms.ts), the
 * dashboard (dashboard.ts), and what is done with each Horton metric (horton-metrics.ts). Every alarm's metric
 * and dimensions were checked against AWS's documentation (sources in each module; docs/decisions/0072, 0076).
 */
import { aws_cloudwatch as cloudwatch, type aws_sns as sns, type aws_sqs as sqs } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { HortonConfig } from '../../model/config.ts';
import type { HortonKafkaCluster } from './kafka-cluster.ts';
import { AlarmSink } from './monitoring/alarm-sink.ts';
import { BudgetAlarms } from './monitoring/budget-alarms.ts';
import { ConsumerAlarms } from './monitoring/consumer-alarms.ts';
import { HortonDashboard } from './monitoring/dashboard.ts';
import { PERIOD } from './monitoring/horton-metrics.ts';
import type { PipelineFunctions } from './pipeline-functions.ts';

export interface HortonMonitoringProps {
  readonly config: HortonConfig;
  readonly kafka: HortonKafkaCluster;
  readonly pipeline: PipelineFunctions;
  readonly scheduleFailureQueue: sqs.IQueue;
  /**
   * E-mail address subscribed to the alarm topic (the recipient confirms the subscription from the e-mail).
   * @default - no subscription
   */
  readonly alarmEmail?: string;
  /**
   * Send the alarms to this existing SNS topic instead of creating one.
   * @default - a new topic `<prefix>-alarms`
   */
  readonly alarmTopicArn?: string;
  /**
   * An AWS Budgets budget on the deployment's cost-allocation tag, USD a month.
   * @default - none
   */
  readonly monthlyBudgetUsd?: number;
}

export class HortonMonitoring extends Construct {
  readonly alarmTopic: sns.ITopic;
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarms: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: HortonMonitoringProps) {
    super(scope, id);
    const { config } = props;
    const sink = new AlarmSink(this, {
      prefix: config.prefix,
      ...(props.alarmEmail ? { alarmEmail: props.alarmEmail } : {}),
      ...(props.alarmTopicArn ? { alarmTopicArn: props.alarmTopicArn } : {}),
    });
    new ConsumerAlarms({ config, pipeline: props.pipeline, sink });
    new BudgetAlarms(this, {
      config,
      sink,
      ...(props.monthlyBudgetUsd !== undefined ? { monthlyBudgetUsd: props.monthlyBudgetUsd } : {}),
    });
    // Lost schedule firings (AWS/SQS ApproximateNumberOfMessagesVisible, QueueName).
    const scheduleFailures = props.scheduleFailureQueue.metricApproximateNumberOfMessagesVisible({
      period: PERIOD,
      statistic: 'Maximum',
    });
    sink.alarm(
      'ScheduleFailures',
      {
        alarmName: `${config.prefix}-schedule-failures`,
        alarmDescription: 'A schedule firing could not be delivered to, or failed in, the dispatcher',
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
      },
      scheduleFailures,
    );
    this.dashboard = new HortonDashboard(this, {
      config,
      kafka: props.kafka,
      pipeline: props.pipeline,
      scheduleFailures,
    }).dashboard;
    this.alarmTopic = sink.topic;
    this.alarms = sink.alarms;
  }
}
