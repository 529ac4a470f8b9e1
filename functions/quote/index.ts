/**
 * Quote handler: consumes collect-quote commands (MSK event source mapping) and keeps each symbol's latest quote
 * and the rolling average of its last N quotes.
 */
import { ENV } from '../../model/config.ts';
import { alphaVantageFromEnv } from '../shared/clients.ts';
import { intEnv, requiredEnv } from '../shared/env.ts';
import { createKafkaHandler } from '../shared/kafka/consumer-handler.ts';
import { connectionFromEnv, Publisher } from '../shared/kafka/producer.ts';
import { createObservability } from '../shared/observability.ts';
import { createDocumentClient } from '../shared/store/client.ts';
import { getQuoteItem, putQuoteItemIfVersion } from '../shared/store/quotes.ts';
import { collectQuote } from './collect.ts';

const observability = createObservability('horton-quote');
const quotesTable = requiredEnv(ENV.tables.quotes);
const deadLetterTopic = requiredEnv(ENV.topics.deadLetter);
const windowSize = intEnv(ENV.quoteRollingWindow, 10);
const doc = createDocumentClient();
const publisher = Publisher.fromConnection(connectionFromEnv('horton-quote'));
const alphaVantage = alphaVantageFromEnv(observability);

export const handler = createKafkaHandler({
  name: 'quote',
  role: 'quote',
  observability,
  publisher: () => publisher,
  deadLetterTopic,
  handle: async (command, { logger }) => {
    const outcome = await collectQuote(command, {
      alphaVantage,
      windowSize,
      store: {
        get: (symbol) => getQuoteItem(doc, quotesTable, symbol),
        putIfVersion: (item, expected) => putQuoteItemIfVersion(doc, quotesTable, item, expected),
      },
    });
    logger.info('quote processed', { ...outcome });
  },
});
