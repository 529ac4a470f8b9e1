/**
 * History handler: consumes collect-history commands (MSK event source mapping) and keeps daily prices and the
 * per-trading-year close extremes up to date, then publishes the computed indicators that follow them.
 */
import { alphaVantageClient } from '../shared/clients.ts';
import { createKafkaHandler } from '../shared/kafka/consumer-handler.ts';
import { connectionOf, Publisher } from '../shared/kafka/producer.ts';
import { type NoDataMemory, noDataMemoryFor } from '../shared/no-data.ts';
import { createObservability } from '../shared/observability.ts';
import { loadSettings } from '../shared/settings.ts';
import { createDocumentClient } from '../shared/store/client.ts';
import {
  getHistoryState,
  getYearlyExtremes,
  putDailyBars,
  putHistoryState,
  putYearlyExtremes,
} from '../shared/store/history.ts';
import { deleteNoData, getNoData, putNoData } from '../shared/store/no-data.ts';
import { collectHistory, type HistoryStore } from './collect.ts';

const settings = loadSettings('history');
const observability = await createObservability(settings);
const { dailyPrices: dailyPricesTable, yearlyExtremes: extremesTable } = settings.tables;
const doc = createDocumentClient();
const noDataTable = settings.tables.noData;
const noData: NoDataMemory = {
  get: (symbol, dataset) => getNoData(doc, noDataTable, symbol, dataset),
  put: (entry) => putNoData(doc, noDataTable, entry),
  delete: (symbol, dataset) => deleteNoData(doc, noDataTable, symbol, dataset),
};
const publisher = Publisher.fromConnection(connectionOf(settings));
const alphaVantage = alphaVantageClient(settings.alphaVantage, settings.runtime, observability);

const store: HistoryStore = {
  getState: (symbol) => getHistoryState(doc, dailyPricesTable, symbol),
  putBars: (symbol, bars) => putDailyBars(doc, dailyPricesTable, symbol, bars),
  getExtremes: (symbol, years) => getYearlyExtremes(doc, extremesTable, symbol, years),
  putExtremes: (symbol, extremes) => putYearlyExtremes(doc, extremesTable, symbol, extremes),
  putState: (symbol, state) => putHistoryState(doc, dailyPricesTable, symbol, state),
};

export const handler = createKafkaHandler({
  name: 'history',
  role: 'history',
  observability,
  publisher: () => publisher,
  deadLetterTopic: settings.topics.deadLetter,
  handle: async (command, scope) => {
    const { logger } = scope;
    const outcome = await collectHistory(command, {
      alphaVantage,
      store,
      premium: settings.premium,
      noData: noDataMemoryFor(noData, scope),
      computedIndicators: settings.indicators,
      publishIndicators: (commands) => publisher.publishCommands(settings.topics.indicators, commands),
      warn: (message, details) => logger.warn(message, details),
    });
    logger.info('history stored', { ...outcome });
  },
});
