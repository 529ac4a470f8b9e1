/**
 * Module-scope clients for a handler, built once per execution environment from its environment variables.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ENV } from '../../model/config.ts';
import { AlphaVantageClient } from './alphavantage/client.ts';
import { AlphaVantageTransport } from './alphavantage/http.ts';
import { apiKeyFromEnvironment } from './api-key.ts';
import { intEnv, optionalEnv, requiredEnv } from './env.ts';
import type { Observability } from './observability.ts';
import { DynamoDbQuotaLimiter } from './store/alphavantage-quota.ts';
import { createDocumentClient } from './store/client.ts';

/**
 * The shared AlphaVantage budget, as configured for this function (model/config.ts `alphaVantageBudget`,
 * passed as the quota table, the per-minute pace and the daily cap).
 */
export function alphaVantageQuotaFromEnv(doc: DynamoDBDocumentClient): DynamoDbQuotaLimiter {
  const perDay = optionalEnv(ENV.alphaVantageRequestsPerDay, '');
  requiredEnv(ENV.alphaVantageRequestsPerMinute);
  return new DynamoDbQuotaLimiter({
    doc,
    table: requiredEnv(ENV.tables.alphaVantageQuota),
    requestsPerMinute: intEnv(ENV.alphaVantageRequestsPerMinute, 0),
    requestsPerDay: perDay === '' ? null : intEnv(ENV.alphaVantageRequestsPerDay, 0),
  });
}

export function alphaVantageFromEnv(
  observability: Observability,
  doc: DynamoDBDocumentClient = createDocumentClient(),
): AlphaVantageClient {
  const transport = new AlphaVantageTransport({
    baseUrl: requiredEnv(ENV.alphaVantageBaseUrl),
    apiKey: apiKeyFromEnvironment(),
    timeoutMs: intEnv(ENV.alphaVantageTimeoutMs, 10_000),
    maxAttempts: intEnv(ENV.alphaVantageMaxAttempts, 3),
  });
  return new AlphaVantageClient(
    transport,
    {
      onLimit: (fn, message) => {
        observability.metrics.addMetric('AlphaVantageLimitResponses', MetricUnit.Count, 1);
        observability.logger.warn('AlphaVantage limit reached', { function: fn, message });
      },
    },
    { limiter: alphaVantageQuotaFromEnv(doc) },
  );
}
