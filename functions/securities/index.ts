/**
 * Securities handler: consumes collect-universe commands (MSK event source mapping), keeps the securities table
 * and fans out one command per security and dataset to the dataset topics.
 */
import { ENV, type IndicatorConfig } from '../../model/config.ts';
import { alphaVantageFromEnv } from '../shared/clients.ts';
import { jsonEnv, optionalEnv, requiredEnv } from '../shared/env.ts';
import { createKafkaHandler } from '../shared/kafka/consumer-handler.ts';
import { connectionFromEnv, Publisher } from '../shared/kafka/producer.ts';
import { createObservability } from '../shared/observability.ts';
import { putAll } from '../shared/store/batch-write.ts';
import { createDocumentClient } from '../shared/store/client.ts';
import { scanAll } from '../shared/store/snapshots.ts';
import { type BudgetPort, collectUniverse, type StoredSecurity, type UniverseSettings } from './collect.ts';

const observability = createObservability('horton-securities');
const securitiesTable = requiredEnv(ENV.tables.securities);
const topics = {
  overview: requiredEnv(ENV.topics.overview),
  history: requiredEnv(ENV.topics.history),
  quote: requiredEnv(ENV.topics.quote),
  indicators: requiredEnv(ENV.topics.indicators),
  deadLetter: requiredEnv(ENV.topics.deadLetter),
};
const list = (name: string) =>
  optionalEnv(name, '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
const source = requiredEnv(ENV.universeSource);
if (source !== 'watchlist' && source !== 'listing') {
  throw new Error(`${ENV.universeSource} must be "watchlist" or "listing", got "${source}"`);
}
const settings: UniverseSettings = {
  source,
  watchlist: list(ENV.watchlist),
  exchanges: list(ENV.universeExchanges),
  assetTypes: list(ENV.universeAssetTypes),
  indicators: jsonEnv(ENV.indicators, (value) => value as IndicatorConfig[]),
  collectWhatFits: optionalEnv(ENV.alphaVantageOverBudget, 'refuse') === 'collect-what-fits',
};
const requestsPerDay = optionalEnv(ENV.alphaVantageRequestsPerDay, '');
// The plan's static daily cap until the shared limiter's count of today's calls is wired in.
const budget: BudgetPort = {
  remainingToday: async () => (requestsPerDay === '' ? null : Number(requestsPerDay)),
};
const doc = createDocumentClient();
const publisher = Publisher.fromConnection(connectionFromEnv('horton-securities'));
const alphaVantage = alphaVantageFromEnv(observability);

export const handler = createKafkaHandler({
  name: 'securities',
  role: 'securities',
  observability,
  publisher: () => publisher,
  deadLetterTopic: topics.deadLetter,
  handle: async (command, { logger }) => {
    const outcome = await collectUniverse(command, {
      alphaVantage,
      settings,
      budget,
      listStored: () => scanAll<StoredSecurity>(doc, securitiesTable),
      upsert: (securities) =>
        putAll(
          doc,
          securitiesTable,
          securities.map((security) => ({ ...security })),
        ),
      publish: async (plan) => {
        for (const role of ['overview', 'history', 'quote', 'indicators'] as const) {
          await publisher.publishCommands(topics[role], plan[role]);
        }
      },
    });
    if (outcome.skipped.length > 0) {
      logger.warn('symbols skipped', {
        skipped: outcome.skipped.slice(0, 50),
        count: outcome.skipped.length,
      });
    }
    if (outcome.deferred && Object.values(outcome.deferred).some((count) => count > 0)) {
      logger.warn('commands deferred for lack of AlphaVantage budget', { deferred: outcome.deferred });
    }
    logger.info('universe fanned out', { ...outcome, skipped: outcome.skipped.length });
  },
});
