/**
 * Horton's own CloudWatch metrics: one contract for the handlers that emit them (Powertools Metrics) and the CDK
 * monitoring that graphs and alarms on them. Every metric is a Count with the single dimension `service`
 * (`<prefix>-<handler>`, Powertools' service name).
 */

/** CloudWatch namespace of every metric below. */
export const METRICS_NAMESPACE = 'Horton';

/** The one dimension Powertools adds to each metric: the handler's service name. */
export const SERVICE_DIMENSION = 'service';

/** What each handler emits, by metric name. */
export const METRIC = {
  /** Records a consumer handled to the end (stored, skipped as fresh, or an outcome such as no data). */
  recordsProcessed: 'RecordsProcessed',
  /** Poison records sent to the dead-letter topic. */
  recordsDeadLettered: 'RecordsDeadLettered',
  /** Records reported as batch item failures (retried by the event source mapping). */
  recordsFailed: 'RecordsFailed',
  /** Records parked because the AlphaVantage budget had no room (re-published for later). */
  recordsDeferred: 'RecordsDeferred',
  /** AlphaVantage answers that said a rate or daily limit was reached. */
  alphaVantageLimitResponses: 'AlphaVantageLimitResponses',
  /** The day's AlphaVantage budget was found spent (the limiter refused a call for the rest of the UTC day). */
  alphaVantageBudgetExhausted: 'AlphaVantageBudgetExhausted',
  /** A daily-limit answer although the configured plan has no daily cap: the key's plan is not the configured one. */
  alphaVantageDailyLimitContradictsPlan: 'AlphaVantageDailyLimitContradictsPlan',
  /** Commands the dispatcher or a backfill published. */
  commandsPublished: 'CommandsPublished',
  /** Requests the operations function served. */
  operatorRequests: 'OperatorRequests',
} as const;

export type MetricName = (typeof METRIC)[keyof typeof METRIC];

/**
 * Where the metrics are not published (the local runner), the same outcome is read from the log: the consumer
 * handler's line at the end of each invocation (its counts as fields), and the line Lambda's runtime writes for an
 * invocation that threw or timed out (the runner writes it likewise; in AWS such an invocation is an `Errors`
 * datum of the function).
 */
export const OUTCOME_LOG_MESSAGE = { batchDone: 'batch done', invokeError: 'Invoke Error' } as const;
