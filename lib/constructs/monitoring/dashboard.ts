/**
 * The CloudWatch dashboard `<prefix>`: consumer lag per topic (Lambda OffsetLag beside MSK's own MaxOffsetLag and
 * SumOffsetLag, which MSK emits only for groups in STABLE or EMPTY state, so they are graphed, not alarmed),
 * handler health, dead letters, the AlphaVantage budget and the Horton metrics the handlers emit.
 */
import { aws_cloudwatch as cloudwatch, Duration } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { consumerGroupId, type HortonConfig } from '../../../model/config.ts';
import type { HandlerName } from '../../../model/handlers.ts';
import { METRIC, type MetricName } from '../../../model/metrics.ts';
import type { HortonKafkaCluster } from '../kafka-cluster.ts';
import type { PipelineFunctions } from '../pipeline-functions.ts';
import { alphaVantageCallers } from './budget-alarms.ts';
import { mappingMetric, offsetLag } from './consumer-alarms.ts';
import { hortonMetric, PERIOD } from './horton-metrics.ts';

export interface HortonDashboardProps {
  readonly config: HortonConfig;
  readonly kafka: HortonKafkaCluster;
  readonly pipeline: PipelineFunctions;
  /** Failed schedule firings (ApproximateNumberOfMessagesVisible of the failure queue). */
  readonly scheduleFailures: cloudwatch.Metric;
}

/**
 * Builds the dashboard in `scope` (the monitoring construct: the dashboard's name is fixed, so its logical id
 * must not move; see alarm-sink.ts).
 */
export class HortonDashboard {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, props: HortonDashboardProps) {
    const { config, pipeline } = props;
    const prefix = config.prefix;
    const consumers = pipeline.kafkaHandlers().map(({ name }) => name);
    const perHandler = (names: HandlerName[], metricName: MetricName) =>
      names.map((name) => hortonMetric(prefix, name, metricName, { label: name }));
    this.dashboard = new cloudwatch.Dashboard(scope, 'Dashboard', {
      dashboardName: prefix,
      defaultInterval: Duration.hours(6),
    });
    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown: `# Horton (${prefix})\nConsumer lag per topic, handler health, dead letters, AlphaVantage budget.`,
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(...lagWidgets(props));
    this.dashboard.addWidgets(...healthWidgets(props));
    this.dashboard.addWidgets(
      graph('Dead letters', perHandler(consumers, METRIC.recordsDeadLettered)),
      graph('Records failed (retried)', perHandler(consumers, METRIC.recordsFailed)),
      graph('Failed schedule firings', [props.scheduleFailures.with({ label: 'failed schedule firings' })]),
    );
    const callers = alphaVantageCallers();
    this.dashboard.addWidgets(
      graph('AlphaVantage limit responses', perHandler(callers, METRIC.alphaVantageLimitResponses)),
      graph('AlphaVantage budget found spent', perHandler(callers, METRIC.alphaVantageBudgetExhausted)),
      graph(
        'Daily limit against the plan',
        perHandler(callers, METRIC.alphaVantageDailyLimitContradictsPlan),
      ),
    );
    this.dashboard.addWidgets(
      graph('Records processed', perHandler(consumers, METRIC.recordsProcessed)),
      graph('Records deferred (budget)', perHandler(consumers, METRIC.recordsDeferred)),
      graph('Commands published', [
        ...perHandler(['dispatcher', 'backfill'], METRIC.commandsPublished),
        ...perHandler(['operations'], METRIC.operatorRequests),
      ]),
    );
  }
}

function graph(title: string, left: cloudwatch.IMetric[]): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({ title, width: 8, left });
}

/** Per consumer: Lambda's lag beside MSK's, and the polls. */
function lagWidgets(props: HortonDashboardProps): cloudwatch.GraphWidget[] {
  const { config, pipeline } = props;
  return pipeline.kafkaHandlers().map(({ name, topicRole }) => {
    const topic = config.topics[topicRole].name;
    const group = consumerGroupId(config, topicRole);
    const mapping = pipeline.eventSourceMappings[name];
    if (!mapping) throw new Error(`handler ${name} consumes ${topic} but has no event source mapping`);
    const mskLag = (metricName: 'MaxOffsetLag' | 'SumOffsetLag') =>
      new cloudwatch.Metric({
        namespace: 'AWS/Kafka',
        metricName,
        dimensionsMap: {
          'Cluster Name': props.kafka.arns.clusterName,
          'Consumer Group': group,
          Topic: topic,
        },
        statistic: 'Maximum',
        period: PERIOD,
        label: `MSK ${metricName} ${group}`,
      });
    return new cloudwatch.GraphWidget({
      title: `Lag: ${topic}`,
      width: 8,
      left: [
        offsetLag(pipeline.functions[name]).with({ label: `Lambda OffsetLag ${name}` }),
        mskLag('MaxOffsetLag'),
        mskLag('SumOffsetLag'),
      ],
      right: [mappingMetric(mapping, 'PolledEventCount', 'Sum').with({ label: `polled ${name}` })],
    });
  });
}

/** Errors, throttles and p99 duration of every function. */
function healthWidgets(props: HortonDashboardProps): cloudwatch.GraphWidget[] {
  const functions = props.pipeline.functions;
  const names = Object.keys(functions) as HandlerName[];
  return [
    graph(
      'Handler errors',
      names.map((name) =>
        functions[name].function.metricErrors({ period: PERIOD, statistic: 'Sum', label: name }),
      ),
    ),
    graph(
      'Handler throttles',
      names.map((name) =>
        functions[name].function.metricThrottles({ period: PERIOD, statistic: 'Sum', label: name }),
      ),
    ),
    graph(
      'Handler duration p99 (ms)',
      names.map((name) =>
        functions[name].function.metricDuration({ period: PERIOD, statistic: 'p99', label: name }),
      ),
    ),
  ];
}
