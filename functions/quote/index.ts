/**
 * Quote handler: consumes collect-quote commands (MSK event source mapping) and keeps each symbol's latest quote
 * and the rolling average of its last N quotes.
 */
import { alphaVantageClient } from '../shared/clients.ts';
import { createKafkaHandler } from '../shared/kafka/consumer-handler.ts';
import { connectionOf, Publisher } from '../shared/kafka/producer.ts';
import { type NoDataMemory, noDataMemoryFor } from '../shared/no-data.ts';
import { createObservability } from '../shared/observability.ts';
import { loadSettings } from '../shared/settings.ts';
import { createDocumentClient } from '../shared/store/client.ts';
import { deleteNoData, getNoData, putNoData } from '../shared/store/no-data.ts';
import { getQuoteItem, putQuoteItemIfVersion } from '../shared/store/quotes.ts';
import { collectQuote } from './collect.ts';

const settings = loadSettings('quote');
const observability = await createObservability(settings);
const quotesTable = settings.tables.quotes;
const doc = createDocumentClient();
const publisher = Publisher.fromConnection(connectionOf(settings));
const noDataTable = settings.tables.noData;
const noData: NoDataMemory = {
  get: (symbol, dataset) => getNoData(doc, noDataTable, symbol, dataset),
  put: (entry) => putNoData(doc, noDataTable, entry),
  delete: (symbol, dataset) => deleteNoData(doc, noDataTable, symbol, dataset),
};
const alphaVantage = alphaVantageClient(settings.alphaVantage, settings.runtime, observability);

export const handler = createKafkaHandler({
  name: 'quote',
  role: 'quote',
  observability,
  publisher: () => publisher,
  deadLetterTopic: settings.topics.deadLetter,
  handle: async (command, scope) => {
    const { logger } = scope;
    const outcome = await collectQuote(command, {
      alphaVantage,
      windowSize: settings.rollingWindow,
      // A local run on a compressed clock stores simulated times ahead of the wall clock: none is "in the future".
      ...(settings.runtime.simulatedTimeAhead ? { now: () => new Date(8.64e15) } : {}),
      noData: noDataMemoryFor(noData, scope),
      store: {
        get: (symbol) => getQuoteItem(doc, quotesTable, symbol),
        putIfVersion: (item, expected) => putQuoteItemIfVersion(doc, quotesTable, item, expected),
      },
    });
    logger.info('quote processed', { ...outcome });
  },
});
