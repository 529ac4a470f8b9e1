/**
 * Module-scope clients for a handler, built once per execution environment from its environment variables.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { ENV } from '../../model/config.ts';
import { AlphaVantageClient } from './alphavantage/client.ts';
import { AlphaVantageTransport } from './alphavantage/http.ts';
import { apiKeyFromEnvironment } from './api-key.ts';
import { intEnv, requiredEnv } from './env.ts';
import type { Observability } from './observability.ts';

export function alphaVantageFromEnv(observability: Observability): AlphaVantageClient {
  const transport = new AlphaVantageTransport({
    baseUrl: requiredEnv(ENV.alphaVantageBaseUrl),
    apiKey: apiKeyFromEnvironment(),
    timeoutMs: intEnv(ENV.alphaVantageTimeoutMs, 10_000),
    maxAttempts: intEnv(ENV.alphaVantageMaxAttempts, 3),
  });
  return new AlphaVantageClient(transport, {
    onLimit: (fn, message) => {
      observability.metrics.addMetric('AlphaVantageLimitResponses', MetricUnit.Count, 1);
      // Not `message`: Powertools reserves that key for the log line's own text and drops the extra one.
      observability.logger.warn('AlphaVantage limit reached', { function: fn, answer: message });
    },
  });
}
