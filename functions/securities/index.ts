/**
 * Securities handler: consumes collect-universe commands (MSK event source mapping), keeps the securities table
 * and fans out one command per security and dataset to the dataset topics.
 */

import type { NoDataEntry } from '../../model/domain/no-data.ts';
import { alphaVantageClient } from '../shared/clients.ts';
import { createKafkaHandler } from '../shared/kafka/consumer-handler.ts';
import { connectionOf, Publisher } from '../shared/kafka/producer.ts';
import { createObservability } from '../shared/observability.ts';
import { loadSettings } from '../shared/settings.ts';
import { DynamoDbQuotaLimiter } from '../shared/store/alphavantage-quota.ts';
import { putAll } from '../shared/store/batch-write.ts';
import { createDocumentClient } from '../shared/store/client.ts';
import { scanAll } from '../shared/store/snapshots.ts';
import { type BudgetPort, collectUniverse, type StoredSecurity, type UniverseSettings } from './collect.ts';

const settings = loadSettings('securities');
const observability = await createObservability(settings);
const securitiesTable = settings.tables.securities;
const { topics } = settings;
const universe: UniverseSettings = {
  ...settings.universe,
  indicators: settings.indicators,
  collectWhatFits: settings.collectWhatFits,
};
const doc = createDocumentClient();
// What the shared limiter has left of today's budget: with collect-what-fits, the fan-out publishes no more.
const quota = new DynamoDbQuotaLimiter({ doc, ...settings.alphaVantage.quota });
const budget: BudgetPort = { remainingToday: async () => (await quota.usage()).remainingToday };
const publisher = Publisher.fromConnection(connectionOf(settings));
const alphaVantage = alphaVantageClient(settings.alphaVantage, settings.runtime, observability, doc);

export const handler = createKafkaHandler({
  name: 'securities',
  role: 'securities',
  observability,
  publisher: () => publisher,
  deadLetterTopic: topics.deadLetter,
  handle: async (command, { logger }) => {
    const outcome = await collectUniverse(command, {
      alphaVantage,
      settings: universe,
      budget,
      listStored: () => scanAll<StoredSecurity>(doc, securitiesTable),
      remembered: () => scanAll<NoDataEntry>(doc, settings.tables.noData),
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
