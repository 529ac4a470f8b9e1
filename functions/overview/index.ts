/**
 * Overview handler: consumes collect-overview commands (MSK event source mapping) and stores the company
 * overview and the latest annual financial statements.
 */
import { alphaVantageClient } from '../shared/clients.ts';
import { createKafkaHandler } from '../shared/kafka/consumer-handler.ts';
import { connectionOf, Publisher } from '../shared/kafka/producer.ts';
import { type NoDataMemory, noDataMemoryFor } from '../shared/no-data.ts';
import { createObservability } from '../shared/observability.ts';
import { loadSettings } from '../shared/settings.ts';
import { createDocumentClient } from '../shared/store/client.ts';
import {
  getStoredFundamentals,
  loadStagedParts,
  putFundamentals,
  stageParts,
} from '../shared/store/fundamentals.ts';
import { deleteNoData, getNoData, putNoData } from '../shared/store/no-data.ts';
import { collectOverview } from './collect.ts';

const settings = loadSettings('overview');
const fundamentalsTable = settings.tables.fundamentals;
const observability = await createObservability(settings);
const doc = createDocumentClient();
const noDataTable = settings.tables.noData;
const noData: NoDataMemory = {
  get: (symbol, dataset) => getNoData(doc, noDataTable, symbol, dataset),
  put: (entry) => putNoData(doc, noDataTable, entry),
  delete: (symbol, dataset) => deleteNoData(doc, noDataTable, symbol, dataset),
};
const publisher = Publisher.fromConnection(connectionOf(settings));
const alphaVantage = alphaVantageClient(settings.alphaVantage, settings.runtime, observability);

export const handler = createKafkaHandler({
  name: 'overview',
  role: 'overview',
  observability,
  publisher: () => publisher,
  deadLetterTopic: settings.topics.deadLetter,
  handle: async (command, scope) => {
    const { logger } = scope;
    const outcome = await collectOverview(command, {
      alphaVantage,
      put: (items, options) => putFundamentals(doc, fundamentalsTable, items, options),
      loadStaged: (symbol, commandId) => loadStagedParts(doc, fundamentalsTable, symbol, commandId),
      stage: (symbol, commandId, parts) => stageParts(doc, fundamentalsTable, symbol, commandId, parts),
      stored: (symbol) => getStoredFundamentals(doc, fundamentalsTable, symbol),
      maxAgeDays: settings.fundamentalsMaxAgeDays,
      noData: noDataMemoryFor(noData, scope),
    });
    logger.info('fundamentals processed', { ...outcome });
  },
});
