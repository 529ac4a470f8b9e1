/**
 * Alarms per Kafka consumer (event source mapping and handler) and per function, on Lambda's metrics (namespace
 * AWS/Lambda; docs/decisions/0072-consumer-alarms.md, 0076-alarms-reach-a-person.md):
 * - `OffsetLag` (FunctionName): above `deployment.lagAlarmThreshold` for 15 minutes (a large backlog), and, with
 *   Horton's `RecordsProcessed`, above zero for `deployment.stuckBacklogHours` hours while nothing is processed
 *   (a stuck backlog, down to one record);
 * - `PolledEventCount` (EventSourceMappingUUID): no poll for 15 minutes, missing data breaching ("If Lambda polls
 *   for events but receives an empty poll, Lambda emits a 0 value"), so a mapping that never joins its group
 *   alarms;
 * - `OnFailureDestinationDeliveredEventCount` (provisioned pollers only: the on-failure destination needs them);
 * - `PollingErrorCount + InvokeErrorCount + OnFailureDestinationDeliveryErrorCount + CommitErrorCount`;
 * - Horton's `RecordsDeadLettered` per handler; `Errors` and `Throttles` per function.
 * Sources: https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html (invocation, performance
 * and event source mapping metrics) and https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-view.html.
 */
import { aws_cloudwatch as cloudwatch, Duration, type aws_lambda as lambda } from 'aws-cdk-lib';
import type { HortonConfig } from '../../../model/config.ts';
import type { HandlerName } from '../../../model/handlers.ts';
import { METRIC } from '../../../model/metrics.ts';
import type { HortonFunction } from '../horton-function.ts';
import type { PipelineFunctions } from '../pipeline-functions.ts';
import type { AlarmSink } from './alarm-sink.ts';
import { hortonMetric, PERIOD } from './horton-metrics.ts';

/** The mapping errors summed by the mapping-errors alarm (ErrorCount metrics group). */
const MAPPING_ERROR_METRICS = [
  'PollingErrorCount',
  'InvokeErrorCount',
  'OnFailureDestinationDeliveryErrorCount',
  'CommitErrorCount',
] as const;

/** One event source mapping metric (AWS/Lambda, EventSourceMappingUUID). */
export function mappingMetric(
  mapping: lambda.EventSourceMapping,
  metricName: string,
  statistic: string,
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/Lambda',
    metricName,
    dimensionsMap: { EventSourceMappingUUID: mapping.eventSourceMappingId },
    statistic,
    period: PERIOD,
  });
}

/** Lambda's consumer lag of a Kafka-triggered function (records behind, AWS/Lambda OffsetLag). */
export function offsetLag(fn: HortonFunction, statistic = 'Maximum', period = PERIOD): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/Lambda',
    metricName: 'OffsetLag',
    dimensionsMap: { FunctionName: fn.functionName },
    statistic,
    period,
  });
}

export interface ConsumerAlarmsProps {
  readonly config: HortonConfig;
  readonly pipeline: PipelineFunctions;
  readonly sink: AlarmSink;
}

/** The consumer and function alarms, added to the alarm sink (in the monitoring construct's scope). */
export class ConsumerAlarms {
  constructor(props: ConsumerAlarmsProps) {
    const { pipeline } = props;
    for (const { name, topicRole } of pipeline.kafkaHandlers()) {
      const mapping = pipeline.eventSourceMappings[name];
      if (!mapping) throw new Error(`handler ${name} consumes ${topicRole} but has no event source mapping`);
      this.lagAlarms(props, name, props.config.topics[topicRole].name);
      this.mappingAlarms(props, name, mapping, props.config.topics[topicRole].name);
    }
    for (const name of Object.keys(pipeline.functions) as HandlerName[]) this.functionAlarms(props, name);
  }

  /** A large backlog for 15 minutes, and a backlog of any size that does not move for hours. */
  private lagAlarms(props: ConsumerAlarmsProps, name: HandlerName, topic: string): void {
    const { config, sink } = props;
    const prefix = config.prefix;
    const fn = props.pipeline.functions[name];
    const threshold = config.deployment.lagAlarmThreshold;
    const hours = config.deployment.stuckBacklogHours;
    sink.alarm(
      `${name}Lag`,
      {
        alarmName: `${prefix}-${name}-consumer-lag`,
        alarmDescription: `${fn.functionName} is more than ${threshold} records behind on ${topic} for 15 minutes`,
        threshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
      },
      offsetLag(fn),
    );
    // Hourly: the lag never reached 0 during the hour (Minimum > 0) and the handler processed nothing. A busy
    // consumer whose lag touches 0 now and then, or that processes records, never counts.
    const hour = Duration.hours(1);
    sink.alarm(
      `${name}BacklogStuck`,
      {
        alarmName: `${prefix}-${name}-backlog-stuck`,
        alarmDescription: `${fn.functionName} has records waiting on ${topic} and processed none for ${hours} hours`,
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: hours,
      },
      new cloudwatch.MathExpression({
        expression: 'IF(FILL(lag, 0) > 0 AND FILL(processed, 0) == 0, 1, 0)',
        usingMetrics: {
          lag: offsetLag(fn, 'Minimum', hour),
          processed: hortonMetric(prefix, name, METRIC.recordsProcessed, { period: hour }),
        },
        period: hour,
        label: 'backlog waiting, nothing processed',
      }),
    );
  }

  // long because: four alarm definitions of one mapping, declarative props side by side
  private mappingAlarms(
    props: ConsumerAlarmsProps,
    name: HandlerName,
    mapping: lambda.EventSourceMapping,
    topic: string,
  ): void {
    const { config, sink } = props;
    const prefix = config.prefix;
    const functionName = props.pipeline.functions[name].functionName;
    sink.alarm(
      `${name}NotPolling`,
      {
        alarmName: `${prefix}-${name}-not-polling`,
        alarmDescription: `The event source mapping of ${functionName} reported no poll of ${topic} for 15 minutes (disabled, or cannot reach or join the cluster)`,
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 3,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      },
      mappingMetric(mapping, 'PolledEventCount', 'SampleCount'),
    );
    if (config.deployment.pollers.mode === 'provisioned') {
      sink.alarm(
        `${name}LambdaDeadLetters`,
        {
          alarmName: `${prefix}-${name}-retries-exhausted`,
          alarmDescription: `Lambda sent records of ${topic} to ${config.topics.deadLetter.name} after retries or record age ran out`,
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
        },
        mappingMetric(mapping, 'OnFailureDestinationDeliveredEventCount', 'Sum'),
      );
    }
    sink.alarm(
      `${name}MappingErrors`,
      {
        alarmName: `${prefix}-${name}-mapping-errors`,
        alarmDescription: `The event source mapping of ${functionName} failed to poll, invoke, commit or dead-letter`,
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
      },
      new cloudwatch.MathExpression({
        expression: MAPPING_ERROR_METRICS.map((_, index) => `FILL(e${index}, 0)`).join(' + '),
        usingMetrics: Object.fromEntries(
          MAPPING_ERROR_METRICS.map((metricName, index) => [
            `e${index}`,
            mappingMetric(mapping, metricName, 'Sum'),
          ]),
        ),
        period: PERIOD,
        label: 'event source mapping errors',
      }),
    );
    sink.alarm(
      `${name}DeadLetters`,
      {
        alarmName: `${prefix}-${name}-dead-letters`,
        alarmDescription: `${name} sent records to ${config.topics.deadLetter.name}`,
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
      },
      hortonMetric(prefix, name, METRIC.recordsDeadLettered),
    );
  }

  /** Errors and throttles of every function (Kafka-triggered or not). */
  private functionAlarms(props: ConsumerAlarmsProps, name: HandlerName): void {
    const { config, sink } = props;
    const fn = props.pipeline.functions[name];
    sink.alarm(
      `${name}Errors`,
      {
        alarmName: `${config.prefix}-${name}-errors`,
        alarmDescription: `${fn.functionName} reported errors`,
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
      },
      fn.function.metricErrors({ period: PERIOD, statistic: 'Sum' }),
    );
    sink.alarm(
      `${name}Throttles`,
      {
        alarmName: `${config.prefix}-${name}-throttles`,
        alarmDescription: `${fn.functionName} was throttled (concurrency exhausted)`,
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
      },
      fn.function.metricThrottles({ period: PERIOD, statistic: 'Sum' }),
    );
  }
}
