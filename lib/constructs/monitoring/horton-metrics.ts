/**
 * Horton's own metrics (model/metrics.ts) as CloudWatch metrics, and what the monitoring does with each one the
 * handlers emit: every metric has exactly one decision here (test/unit/cdk-metrics.test.ts holds the handlers
 * and the synthesized template to it).
 */
import { aws_cloudwatch as cloudwatch, Duration } from 'aws-cdk-lib';
import type { HandlerName } from '../../../model/handlers.ts';
import { METRIC, METRICS_NAMESPACE, type MetricName, SERVICE_DIMENSION } from '../../../model/metrics.ts';
import { serviceNameOf } from '../../../model/settings.ts';

/** The period of every graph and of the alarms that do not say otherwise. */
export const PERIOD = Duration.minutes(5);

/** `alarm`: alarmed (and graphed); `graph`: on the dashboard only, with the reason it needs no alarm. */
export type MetricDecision = { kind: 'alarm' } | { kind: 'graph'; reason: string };

export const METRIC_DECISIONS: Record<MetricName, MetricDecision> = {
  // An input of each handler's backlog-stuck alarm: lag that does not move while nothing is processed.
  [METRIC.recordsProcessed]: { kind: 'alarm' },
  [METRIC.recordsDeadLettered]: { kind: 'alarm' },
  [METRIC.recordsFailed]: {
    kind: 'graph',
    reason: 'retried by the mapping; records whose retries run out raise the retries-exhausted alarm',
  },
  [METRIC.recordsDeferred]: {
    kind: 'graph',
    reason: 'deferring is the planned answer to a full budget; a budget spent early raises its own alarm',
  },
  [METRIC.alphaVantageLimitResponses]: {
    kind: 'graph',
    reason: 'per-minute limit answers are retried by the limiter; the daily ones raise the two budget alarms',
  },
  [METRIC.alphaVantageBudgetExhausted]: { kind: 'alarm' },
  [METRIC.alphaVantageDailyLimitContradictsPlan]: { kind: 'alarm' },
  [METRIC.commandsPublished]: {
    kind: 'graph',
    reason: 'activity; a firing that fails lands in the schedule failure queue, which is alarmed',
  },
  [METRIC.operatorRequests]: { kind: 'graph', reason: 'operator activity, nothing to act on' },
};

/** One Horton metric of one handler (`service` = `<prefix>-<handler>`), summed per period. */
export function hortonMetric(
  prefix: string,
  handler: HandlerName,
  metricName: MetricName,
  options: { label?: string; period?: Duration } = {},
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { [SERVICE_DIMENSION]: serviceNameOf(prefix, handler) },
    statistic: 'Sum',
    period: options.period ?? PERIOD,
    ...(options.label ? { label: options.label } : {}),
  });
}

/** The sum of one Horton metric over several handlers, missing values as 0 (one alarm for all of them). */
export function hortonMetricSum(
  prefix: string,
  handlers: readonly HandlerName[],
  metricName: MetricName,
  label: string,
): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: handlers.map((_, index) => `FILL(m${index}, 0)`).join(' + '),
    usingMetrics: Object.fromEntries(
      handlers.map((handler, index) => [`m${index}`, hortonMetric(prefix, handler, metricName)]),
    ),
    period: PERIOD,
    label,
  });
}
