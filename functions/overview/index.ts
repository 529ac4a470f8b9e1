/**
 * Overview handler: consumes collect-overview commands (MSK event source mapping) and stores the company
 * overview and the latest annual financial statements.
 */
import { ENV } from '../../model/config.ts';
import { alphaVantageFromEnv } from '../shared/clients.ts';
import { requiredEnv } from '../shared/env.ts';
import { createKafkaHandler } from '../shared/kafka/consumer-handler.ts';
import { connectionFromEnv, Publisher } from '../shared/kafka/producer.ts';
import { createObservability } from '../shared/observability.ts';
import { createDocumentClient } from '../shared/store/client.ts';
import { loadStagedParts, putFundamentals, stageParts } from '../shared/store/fundamentals.ts';
import { collectOverview } from './collect.ts';

const observability = createObservability('horton-overview');
const fundamentalsTable = requiredEnv(ENV.tables.fundamentals);
const deadLetterTopic = requiredEnv(ENV.topics.deadLetter);
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
      put: (items, options) => putFundamentals(doc, fundamentalsTable, items, options),
      loadStaged: (symbol, commandId) => loadStagedParts(doc, fundamentalsTable, symbol, commandId),
      stage: (symbol, commandId, parts) => stageParts(doc, fundamentalsTable, symbol, commandId, parts),
    });
    logger.info('fundamentals processed', { ...outcome });
  },
});
