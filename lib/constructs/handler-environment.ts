/**
 * Which of the settings (settingsEnvironment) each handler reads, so a function gets only what it needs.
 *
 * Topic and table variables follow from model/handlers.ts (produces, reads, writes) and are set by the bind
 * helpers together with their grants; this module covers the rest. test/unit/cdk-bundles.test.ts checks it
 * against the handlers' sources (every `ENV.*` a bundle references must be set on its function).
 */
import { ENV, type HortonConfig, settingsEnvironment } from '../../model/config.ts';
import type { HandlerSpec } from '../../model/handlers.ts';

/**
 * What every AlphaVantage caller reads to build its client. The limiter's settings (quota table, pace, daily
 * cap) are set by `bindAlphaVantageQuota` with their grant.
 */
const ALPHAVANTAGE_CLIENT = [ENV.alphaVantageBaseUrl, ENV.alphaVantageTimeoutMs, ENV.alphaVantageMaxAttempts];

/** Non-resource settings per handler, beyond the AlphaVantage client ones. */
export const HANDLER_SETTINGS: Record<string, readonly string[]> = {
  dispatcher: [],
  securities: [
    ENV.universeSource,
    ENV.watchlist,
    ENV.universeExchanges,
    ENV.universeAssetTypes,
    ENV.indicators,
  ],
  overview: [],
  history: [ENV.alphaVantagePremium],
  quote: [ENV.quoteRollingWindow],
  indicators: [],
  backfill: [ENV.alphaVantagePremium, ENV.indicators],
};

/** The settings (name -> value) one handler gets, topics and tables excluded (the bind helpers set those). */
export function handlerSettings(
  config: HortonConfig,
  name: string,
  spec: HandlerSpec,
): Record<string, string> {
  const all = settingsEnvironment(config);
  const wanted = [...(spec.callsAlphaVantage ? ALPHAVANTAGE_CLIENT : []), ...(HANDLER_SETTINGS[name] ?? [])];
  return Object.fromEntries(
    wanted.map((variable) => {
      const value = all[variable];
      if (value === undefined) throw new Error(`settingsEnvironment has no ${variable} (handler ${name})`);
      return [variable, value];
    }),
  );
}
