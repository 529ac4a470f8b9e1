/**
 * OVERVIEW, INCOME_STATEMENT, BALANCE_SHEET, CASH_FLOW: a company's recorded figures where a recording of
 * it is published by the simulator's date (fundamentals/recorded.ts), synthetic ones otherwise. `{}` for ETFs
 * and unknown symbols, as AlphaVantage answers a symbol it has no company data for.
 */
import { type ApiAnswer, json } from '../answers.ts';
import type { RawStatement } from '../fundamentals/fields.ts';
import { syntheticOverview } from '../fundamentals/overview.ts';
import {
  type RecordedFundamentals,
  recordedFundamentals,
  recordedOverview,
  recordedStatement,
} from '../fundamentals/recorded.ts';
import { type StatementFunction, syntheticStatement } from '../fundamentals/statements.ts';
import { canonicalSymbol, type DailyBar } from '../series.ts';
import type { Listing } from '../universe.ts';
import type { SymbolRequest } from './request.ts';

/** The OVERVIEW body of a known symbol as of trading date `today`; `{}` when it has no company data. */
export function companyOverview(
  symbol: string,
  today: string,
  bars: readonly DailyBar[],
  listing: Listing | undefined,
  recorded: RecordedFundamentals = recordedFundamentals(),
): Record<string, string> {
  if (listing?.assetType === 'ETF') return {};
  return (
    recordedOverview(recorded, canonicalSymbol(symbol), today, bars) ??
    syntheticOverview(symbol, today, bars, listing)
  );
}

/** A statement body of a known symbol as of trading date `today`; `{}` when it has no company data. */
export function companyStatement(
  statement: StatementFunction,
  symbol: string,
  today: string,
  bars: readonly DailyBar[],
  listing: Listing | undefined,
  recorded: RecordedFundamentals = recordedFundamentals(),
): RawStatement | Record<string, never> {
  if (listing?.assetType === 'ETF' || bars.length === 0) return {};
  return (
    recordedStatement(recorded, statement, canonicalSymbol(symbol), today) ??
    syntheticStatement(statement, symbol, today, bars, listing)
  );
}

const answer = (body: object): ApiAnswer => json(body, Object.keys(body).length === 0 ? 'empty' : 'data');

export function overview(request: SymbolRequest, recorded: RecordedFundamentals): ApiAnswer {
  return answer(companyOverview(request.symbol, request.today, request.series(), request.listing, recorded));
}

export function statement(
  fn: StatementFunction,
  request: SymbolRequest,
  recorded: RecordedFundamentals,
): ApiAnswer {
  return answer(
    companyStatement(fn, request.symbol, request.today, request.series(), request.listing, recorded),
  );
}
