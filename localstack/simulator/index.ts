/**
 * The AlphaVantage simulator's public surface: the server, and the pure generators behind it so tests
 * and benchmarks can compute expected values without HTTP.
 */
export { dailySeriesFor } from './api.ts';
export { companyOverview, companyStatement } from './endpoints/fundamentals.ts';
export type { FaultMode, FaultRule } from './faults.ts';
export { bbands, ema, macd, rsi, sma } from './indicators.ts';
export type { PlanName } from './quotas.ts';
export { type DailyBar, lastTradingDate } from './series.ts';
export {
  type AlphaVantageSimulator,
  type AlphaVantageSimulatorOptions,
  createAlphaVantageSimulator,
  type SimulatorStats,
} from './server.ts';
export { findListing, type Listing, listingsAsOf, syntheticUniverse } from './universe.ts';
