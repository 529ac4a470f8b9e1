/**
 * The AlphaVantage simulator's public surface: the server, and the pure generators behind it so tests
 * and benchmarks can compute expected values without HTTP.
 */
export { answerQuery, dailySeriesFor, isWellFormedSymbol, SUPPORTED_FUNCTIONS } from './api.ts';
export {
  easternDate,
  isTradingDay,
  latestTradingDayOnOrBefore,
  nyseHolidays,
  tradingDaysBetween,
} from './calendar.ts';
export { companyOverview, companyStatement } from './endpoints/fundamentals.ts';
export { FAULT_MODES, type FaultMode, type FaultRule } from './faults.ts';
export { bbands, ema, macd, rsi, sma } from './indicators.ts';
export { PLAN_NAMES, PLANS, type PlanName } from './quotas.ts';
export {
  aggregateBars,
  type DailyBar,
  HISTORY_START,
  lastTradingDate,
  syntheticDailySeries,
} from './series.ts';
export {
  type AlphaVantageSimulator,
  type AlphaVantageSimulatorOptions,
  createAlphaVantageSimulator,
  redactApiKey,
  type SimulatorStats,
} from './server.ts';
export { findListing, type Listing, listingsAsOf, syntheticUniverse } from './universe.ts';
