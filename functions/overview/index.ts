/**
 * Overview handler: consumes collect-overview commands (MSK event source mapping) and stores the company
 * overview and the latest annual financial statements.
 */
import { ENV } from '../../model/config.ts';
import { alphaVantageFromEnv } from '../shared/clients.ts';
import { intEnv, requiredEnv } from '../shared/env.ts';
import { createKafkaHandler } from '../shared/kafka/consumer-handler.ts';
import { connectionFromEnv, Publisher } from '../shared/kafka/producer.ts';
import { createObservability } from '../shared/observability.ts';
import { createDocumentClient } from '../shared/store/client.ts';
import { getStoredFundamentals, putFundamentals } from '../shared/store/fundamentals.ts';
import { collectOverview } from './collect.ts';

const observability = createObservability('horton-overview');
const fundamentalsTable = requiredEnv(ENV.tables.fundamentals);
const deadLetterTopic = requiredEnv(ENV.topics.deadLetter);
const maxAgeDays = intEnv(ENV.fundamentalsMaxAgeDays, 28);
const doc = createDocumentClient();
const publisher = Publisher.fromConnection(connectionFromEnv('horton-overview'));
const alphaVantage = alphaVantageFromEnv(observability);

export const handler = createKafkaHandler({
  name: 'overview',
  role: 'overview',
  observability,
  publisher: () => publisher,
  deadLetterTopic,
  handle: async (command, { logger }) => {
    const outcome = await collectOverview(command, {
      alphaVantage,
      put: (items) => putFundamentals(doc, fundamentalsTable, items),
      stored: (symbol) => getStoredFundamentals(doc, fundamentalsTable, symbol),
      maxAgeDays,
    });
    logger.info('fundamentals processed', { ...outcome });
  },
});
