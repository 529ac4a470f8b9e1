/**
 * The typed AlphaVantage client the handlers use: transport (keep-alive pool, timeouts, retries) + the pure
 * parsers. It returns data or throws one of Horton's two failure kinds, so an AlphaVantage error body can never
 * be mistaken for data:
 * - limit ("Information"/"Note" about frequency or volume) -> TransientError('alphavantage-limit'), not retried
 *   in place (that would only spend more quota): the record is retried later by the event source mapping;
 * - malformed or cut-off body -> retried in place, then TransientError;
 * - premium-only -> PermanentError('premium-only'); "Error Message" -> PermanentError('api-error');
 *   no data (`{}`) -> PermanentError('no-data'); data of an unexpected shape -> PermanentError('invalid-response').
 */
import { AbortError } from 'p-retry';
import type { IndicatorSpec } from '../contracts/messages.ts';
import { PermanentError, TransientError } from '../errors.ts';
import type { AlphaVantageFunction } from './classify.ts';
import type { AlphaVantageTransport } from './http.ts';
import { interpretResponse, type ParsedData } from './parse.ts';

export type StatementFunction = 'INCOME_STATEMENT' | 'BALANCE_SHEET' | 'CASH_FLOW';

/** What the handlers need from AlphaVantage (a port: tests and the local runner use the real implementation). */
export interface AlphaVantageApi {
  listingStatus(): Promise<ParsedData['LISTING_STATUS']>;
  overview(symbol: string): Promise<ParsedData['OVERVIEW']>;
  financialStatement(fn: StatementFunction, symbol: string): Promise<ParsedData[StatementFunction]>;
  dailySeries(symbol: string, outputsize: 'compact' | 'full'): Promise<ParsedData['TIME_SERIES_DAILY']>;
  globalQuote(symbol: string): Promise<ParsedData['GLOBAL_QUOTE']>;
  indicator(symbol: string, spec: IndicatorSpec): Promise<ParsedData[IndicatorSpec['function']]>;
}

export interface ClientHooks {
  /** Called for every limit answer (the handler turns it into the AlphaVantageLimitResponses metric). */
  onLimit?: (fn: AlphaVantageFunction, message: string) => void;
}

export class AlphaVantageClient implements AlphaVantageApi {
  constructor(
    private readonly transport: AlphaVantageTransport,
    private readonly hooks: ClientHooks = {},
  ) {}

  private call<Fn extends AlphaVantageFunction>(
    fn: Fn,
    params: Record<string, string>,
  ): Promise<ParsedData[Fn]> {
    const what = `${fn} ${params.symbol ?? ''}`.trim();
    return this.transport.get({ function: fn, ...params }, (body) => {
      const result = interpretResponse(fn, body);
      switch (result.kind) {
        case 'data':
          return result.data;
        case 'malformed':
          throw new TransientError('alphavantage-malformed', `${what}: ${result.message}`);
        case 'limit':
          this.hooks.onLimit?.(fn, result.message);
          throw new AbortError(
            new TransientError(
              'alphavantage-limit',
              `${what}: limit reached (${result.scope}): ${result.message}`,
            ),
          );
        case 'premium':
          throw new AbortError(
            new PermanentError('premium-only', `${what}: premium only: ${result.message}`),
          );
        case 'error':
          throw new AbortError(new PermanentError('api-error', `${what}: ${result.message}`));
        case 'empty':
          throw new AbortError(new PermanentError('no-data', `${what}: ${result.message}`));
        case 'invalid':
          throw new AbortError(new PermanentError('invalid-response', `${what}: ${result.message}`));
      }
    });
  }

  listingStatus() {
    return this.call('LISTING_STATUS', {});
  }

  overview(symbol: string) {
    return this.call('OVERVIEW', { symbol });
  }

  financialStatement(fn: StatementFunction, symbol: string) {
    return this.call(fn, { symbol });
  }

  dailySeries(symbol: string, outputsize: 'compact' | 'full') {
    return this.call('TIME_SERIES_DAILY', { symbol, outputsize });
  }

  globalQuote(symbol: string) {
    return this.call('GLOBAL_QUOTE', { symbol });
  }

  indicator(symbol: string, spec: IndicatorSpec) {
    const params: Record<string, string> = { symbol, interval: spec.interval, series_type: spec.seriesType };
    if (spec.function !== 'MACD') params.time_period = String(spec.timePeriod);
    return this.call(spec.function, params);
  }
}
