/**
 * Indicators handler: consumes collect-indicator commands (MSK event source mapping), one configured technical
 * indicator of one security per command.
 */
import { alphaVantageClient } from '../shared/clients.ts';
import { createKafkaHandler } from '../shared/kafka/consumer-handler.ts';
import { connectionOf, Publisher } from '../shared/kafka/producer.ts';
import { type NoDataMemory, noDataMemoryFor } from '../shared/no-data.ts';
import { createObservability } from '../shared/observability.ts';
import { loadSettings } from '../shared/settings.ts';
import { createDocumentClient } from '../shared/store/client.ts';
import { getRecentBars } from '../shared/store/history.ts';
import { deleteNoData, getNoData, putNoData } from '../shared/store/no-data.ts';
import { getCollectedAt, putSnapshot } from '../shared/store/snapshots.ts';
import { collectIndicator } from './collect.ts';

const settings = loadSettings('indicators');
const indicatorsTable = settings.tables.indicators;
const dailyPricesTable = settings.tables.dailyPrices;
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
  name: 'indicators',
  role: 'indicators',
  observability,
  publisher: () => publisher,
  deadLetterTopic: settings.topics.deadLetter,
  handle: async (command, scope) => {
    const { logger } = scope;
    const outcome = await collectIndicator(command, {
      alphaVantage,
      put: (item) => putSnapshot(doc, indicatorsTable, 'symbol', item),
      storedCollectedAt: (symbol, indicator) => getCollectedAt(doc, indicatorsTable, { symbol, indicator }),
      recentBars: (symbol, count) => getRecentBars(doc, dailyPricesTable, symbol, count),
      noData: noDataMemoryFor(noData, scope),
    });
    logger.info('indicator processed', { ...outcome });
  },
});
