/**
 * Powertools logger and metrics, one set per execution environment, the X-Ray tracer where the settings turn
 * tracing on, and the middy wrapper every handler uses: middleware first (tracer, logger, metrics, in that
 * order), handler last.
 *
 * The logger never sees the AlphaVantage key: the client redacts it from every URL it reports.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { METRICS_NAMESPACE } from '../../model/metrics.ts';

/**
 * Set by the stack's bundler (esbuild `define`) to config.observability.tracing: with `false` the tracer's import
 * is dead code and leaves the bundle. Undefined when running from source (local runner, tests): the settings
 * alone decide.
 */
declare const HORTON_BUNDLE_TRACER: boolean | undefined;

export interface Observability {
  logger: Logger;
  metrics: Metrics;
  /** The tracer's middleware, when tracing is on. */
  tracing: MiddlewareObj | undefined;
}

export interface ObservabilitySettings {
  /** The `service` key of logs and dimension of metrics. */
  serviceName: string;
  /** X-Ray tracing through the Powertools tracer. */
  tracing: boolean;
}

export async function createObservability(settings: ObservabilitySettings): Promise<Observability> {
  let tracing: MiddlewareObj | undefined;
  if (settings.tracing && (typeof HORTON_BUNDLE_TRACER === 'undefined' || HORTON_BUNDLE_TRACER)) {
    const { tracingMiddleware } = await import('./tracing.ts');
    tracing = tracingMiddleware(settings.serviceName);
  }
  const logger = new Logger({ serviceName: settings.serviceName });
  return {
    logger,
    // Its own warnings (e.g. nothing to publish while metrics are disabled locally) go through the logger, so
    // they are structured and follow the log level instead of reaching stderr raw.
    metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName: settings.serviceName, logger }),
    tracing,
  };
}

/** Wraps a handler with the Powertools middlewares. */
export function withObservability<TEvent, TResult>(
  observability: Observability,
  handler: (event: TEvent, context: Context) => Promise<TResult>,
) {
  const wrapped = middy<TEvent, TResult>();
  if (observability.tracing) wrapped.use(observability.tracing);
  return wrapped
    .use(injectLambdaContext(observability.logger, { resetKeys: true }))
    .use(logMetrics(observability.metrics, { captureColdStartMetric: true }))
    .handler(handler);
}
