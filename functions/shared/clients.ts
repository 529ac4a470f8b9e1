/**
 * Module-scope clients for a handler, built once per execution environment from its settings
 * (functions/shared/settings.ts). The one place where the AlphaVantage client is built: a new client setting is
 * a field of `alphaVantage` in model/settings.ts, read here.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dailyLimitContradiction } from '../../model/domain/daily-limit.ts';
import { METRIC } from '../../model/metrics.ts';
import type { HandlerSettings } from '../../model/settings.ts';
import { AlphaVantageClient } from './alphavantage/client.ts';
import { AlphaVantageTransport } from './alphavantage/http.ts';
import { apiKeySource } from './api-key.ts';
import type { Observability } from './observability.ts';
import type { RuntimeEnvironment } from './settings.ts';
import { DynamoDbQuotaLimiter } from './store/alphavantage-quota.ts';
import { createDocumentClient } from './store/client.ts';

export type AlphaVantageSettings = HandlerSettings<'quote'>['alphaVantage'];

/**
 * The AlphaVantage client of a handler, every request behind the shared budget (`settings.quota`: the quota
 * table, pace and daily cap; docs/decisions/0020-alphavantage-limiter.md).
 */
export function alphaVantageClient(
  settings: AlphaVantageSettings,
  runtime: RuntimeEnvironment,
  observability: Observability,
  doc: DynamoDBDocumentClient = createDocumentClient(),
): AlphaVantageClient {
  const transport = new AlphaVantageTransport({
    baseUrl: settings.baseUrl,
    apiKey: apiKeySource(settings.secretArn, runtime.localApiKey),
    timeoutMs: settings.timeoutMs,
    maxAttempts: settings.maxAttempts,
  });
  return new AlphaVantageClient(
    transport,
    {
      onLimit: (fn, message) => {
        observability.metrics.addMetric(METRIC.alphaVantageLimitResponses, MetricUnit.Count, 1);
        // Not `message`: Powertools reserves that key for the log line's own text and drops the extra one.
        observability.logger.warn('AlphaVantage limit reached', { function: fn, answer: message });
      },
      onDailyLimit: (fn, message) => {
        const line = dailyLimitContradiction(message, {
          name: `plan (${settings.quota.requestsPerMinute} calls a minute)`,
          requestsPerDay: settings.quota.requestsPerDay,
        });
        if (line === undefined) return;
        observability.metrics.addMetric(METRIC.alphaVantageDailyLimitContradictsPlan, MetricUnit.Count, 1);
        observability.logger.error(line, { function: fn });
      },
    },
    {
      limiter: new DynamoDbQuotaLimiter({
        doc,
        ...settings.quota,
        onDayExhausted: (day) => {
          observability.metrics.addMetric(METRIC.alphaVantageBudgetExhausted, MetricUnit.Count, 1);
          observability.logger.warn('the AlphaVantage budget of the day is spent', { day });
        },
      }),
    },
  );
}
