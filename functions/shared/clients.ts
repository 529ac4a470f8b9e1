/**
 * Module-scope clients for a handler, built once per execution environment from its settings
 * (functions/shared/settings.ts). The one place where the AlphaVantage client is built: a new client setting is
 * a field of `alphaVantage` in model/settings.ts, read here.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { HandlerSettings } from '../../model/settings.ts';
import { AlphaVantageClient } from './alphavantage/client.ts';
import { AlphaVantageTransport } from './alphavantage/http.ts';
import { apiKeySource } from './api-key.ts';
import type { Observability } from './observability.ts';
import type { RuntimeEnvironment } from './settings.ts';

export type AlphaVantageSettings = HandlerSettings<'quote'>['alphaVantage'];

export function alphaVantageClient(
  settings: AlphaVantageSettings,
  runtime: RuntimeEnvironment,
  observability: Observability,
): AlphaVantageClient {
  const transport = new AlphaVantageTransport({
    baseUrl: settings.baseUrl,
    apiKey: apiKeySource(settings.secretArn, runtime.localApiKey),
    timeoutMs: settings.timeoutMs,
    maxAttempts: settings.maxAttempts,
  });
  return new AlphaVantageClient(transport, {
    onLimit: (fn, message) => {
      observability.metrics.addMetric('AlphaVantageLimitResponses', MetricUnit.Count, 1);
      // Not `message`: Powertools reserves that key for the log line's own text and drops the extra one.
      observability.logger.warn('AlphaVantage limit reached', { function: fn, answer: message });
    },
  });
}
