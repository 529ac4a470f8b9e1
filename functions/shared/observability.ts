/**
 * Powertools logger, tracer and metrics, one set per execution environment, and the middy wrapper every
 * handler uses: middleware first (tracer, logger, metrics, in that order), handler last.
 *
 * The logger never sees the AlphaVantage key: the client redacts it from every URL it reports.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';

export const METRICS_NAMESPACE = 'Horton';

export interface Observability {
  logger: Logger;
  tracer: Tracer;
  metrics: Metrics;
}

/**
 * @param defaultServiceName used when POWERTOOLS_SERVICE_NAME is not set (the CDK sets it per deployment, so two
 * deployments with different prefixes keep their logs and metrics apart).
 */
export function createObservability(defaultServiceName: string): Observability {
  const serviceName = process.env.POWERTOOLS_SERVICE_NAME || defaultServiceName;
  return {
    logger: new Logger({ serviceName }),
    tracer: new Tracer({ serviceName }),
    metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName }),
  };
}

/** Wraps a handler with the Powertools middlewares. */
export function withObservability<TEvent, TResult>(
  observability: Observability,
  handler: (event: TEvent, context: Context) => Promise<TResult>,
) {
  return middy<TEvent, TResult>()
    .use(captureLambdaHandler(observability.tracer))
    .use(injectLambdaContext(observability.logger, { resetKeys: true }))
    .use(logMetrics(observability.metrics, { captureColdStartMetric: true }))
    .handler(handler);
}
