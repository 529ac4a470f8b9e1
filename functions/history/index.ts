/**
 * History handler: consumes collect-history commands (MSK event source mapping) and keeps daily prices and the
 * per-trading-year close extremes up to date.
 */
import { ENV } from '../../model/config.ts';
import { alphaVantageFromEnv } from '../shared/clients.ts';
import { requiredEnv } from '../shared/env.ts';
import { createKafkaHandler } from '../shared/kafka/consumer-handler.ts';
import { connectionFromEnv, Publisher } from '../shared/kafka/producer.ts';
import { createObservability } from '../shared/observability.ts';
import { createDocumentClient } from '../shared/store/client.ts';
import {
  getHistoryState,
  getYearlyExtremes,
  putDailyBars,
  putHistoryState,
  putYearlyExtremes,
} from '../shared/store/history.ts';
import { collectHistory, type HistoryStore } from './collect.ts';

const observability = createObservability('horton-history');
const dailyPricesTable = requiredEnv(ENV.tables.dailyPrices);
const extremesTable = requiredEnv(ENV.tables.yearlyExtremes);
const deadLetterTopic = requiredEnv(ENV.topics.deadLetter);
const premium = requiredEnv(ENV.alphaVantagePremium) === 'true';
const doc = createDocumentClient();
const publisher = Publisher.fromConnection(connectionFromEnv('horton-history'));
const alphaVantage = alphaVantageFromEnv(observability);

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
  deadLetterTopic,
  handle: async (command, { logger }) => {
    const outcome = await collectHistory(command, {
      alphaVantage,
      store,
      premium,
      warn: (message, details) => logger.warn(message, details),
    });
    logger.info('history stored', { ...outcome });
  },
});
