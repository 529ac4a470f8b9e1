/**
 * Indicators handler: consumes collect-indicator commands (MSK event source mapping), one configured technical
 * indicator of one security per command.
 */
import { ENV } from '../../model/config.ts';
import { alphaVantageFromEnv } from '../shared/clients.ts';
import { requiredEnv } from '../shared/env.ts';
import { createKafkaHandler } from '../shared/kafka/consumer-handler.ts';
import { connectionFromEnv, Publisher } from '../shared/kafka/producer.ts';
import { createObservability } from '../shared/observability.ts';
import { createDocumentClient } from '../shared/store/client.ts';
import { getRecentBars } from '../shared/store/history.ts';
import { getCollectedAt, putSnapshot } from '../shared/store/snapshots.ts';
import { collectIndicator } from './collect.ts';

const observability = createObservability('horton-indicators');
const indicatorsTable = requiredEnv(ENV.tables.indicators);
const dailyPricesTable = requiredEnv(ENV.tables.dailyPrices);
const deadLetterTopic = requiredEnv(ENV.topics.deadLetter);
const doc = createDocumentClient();
const publisher = Publisher.fromConnection(connectionFromEnv('horton-indicators'));
const alphaVantage = alphaVantageFromEnv(observability);

export const handler = createKafkaHandler({
  name: 'indicators',
  role: 'indicators',
  observability,
  publisher: () => publisher,
  deadLetterTopic,
  handle: async (command, { logger }) => {
    const outcome = await collectIndicator(command, {
      alphaVantage,
      put: (item) => putSnapshot(doc, indicatorsTable, 'symbol', item),
      storedCollectedAt: (symbol, indicator) => getCollectedAt(doc, indicatorsTable, { symbol, indicator }),
      recentBars: (symbol, count) => getRecentBars(doc, dailyPricesTable, symbol, count),
    });
    logger.info('indicator processed', { ...outcome });
  },
});
