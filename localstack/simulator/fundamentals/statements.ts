/**
 * INCOME_STATEMENT, BALANCE_SHEET and CASH_FLOW bodies as of a trading date: annual flows are the sums of
 * their four quarters, the annual balance sheet is the fourth quarter's; fields a company does not report
 * are "None", as on AlphaVantage.
 */
import type { DailyBar } from '../series.ts';
import { canonicalSymbol } from '../series.ts';
import type { Listing } from '../universe.ts';
import { companyProfile } from './company.ts';
import {
  BALANCE_SHEET_FIELDS,
  CASH_FLOW_FIELDS,
  type Figures,
  INCOME_STATEMENT_FIELDS,
  type RawReport,
  type RawStatement,
} from './fields.ts';
import type { QuarterFigures } from './figures.ts';
import { quarterEnd, reportedPeriods } from './periods.ts';

export type StatementFunction = 'INCOME_STATEMENT' | 'BALANCE_SHEET' | 'CASH_FLOW';

function toRawReport<Field extends string>(
  fiscalDateEnding: string,
  fields: readonly Field[],
  figures: Figures<Field>,
  missing: ReadonlySet<string>,
): RawReport {
  const report: RawReport = { fiscalDateEnding, reportedCurrency: 'USD' };
  for (const field of fields) report[field] = missing.has(field) ? 'None' : String(figures[field]);
  return report;
}

function sumFigures<Field extends string>(
  fields: readonly Field[],
  parts: readonly Figures<Field>[],
): Figures<Field> {
  const total = {} as Figures<Field>;
  for (const field of fields) total[field] = parts.reduce((sum: number, part) => sum + part[field], 0);
  return total;
}

/** One report of `statement` over `parts` (one quarter, or the four of a year). */
function report(
  statement: StatementFunction,
  fiscalDateEnding: string,
  parts: readonly QuarterFigures[],
  missing: ReadonlySet<string>,
): RawReport {
  if (statement === 'INCOME_STATEMENT') {
    const figures = sumFigures(
      INCOME_STATEMENT_FIELDS,
      parts.map((part) => part.income),
    );
    return toRawReport(fiscalDateEnding, INCOME_STATEMENT_FIELDS, figures, missing);
  }
  if (statement === 'CASH_FLOW') {
    const figures = sumFigures(
      CASH_FLOW_FIELDS,
      parts.map((part) => part.cash),
    );
    return toRawReport(fiscalDateEnding, CASH_FLOW_FIELDS, figures, missing);
  }
  // A balance sheet is a snapshot: the annual one is the last quarter's.
  const snapshot = parts.at(-1);
  if (snapshot === undefined) throw new Error('no balance sheet snapshot');
  return toRawReport(fiscalDateEnding, BALANCE_SHEET_FIELDS, snapshot.balance, missing);
}

/** A synthetic statement body (before JSON serialisation) as of the trading date `today`. */
export function syntheticStatement(
  statement: StatementFunction,
  symbol: string,
  today: string,
  bars: readonly DailyBar[],
  listing?: Listing,
): RawStatement {
  const { missing } = companyProfile(symbol, listing);
  const { quarters, years } = reportedPeriods(symbol, today, bars, listing);
  return {
    symbol: canonicalSymbol(symbol),
    annualReports: years.map(({ year, quarters: parts }) =>
      report(statement, `${year}-12-31`, parts, missing),
    ),
    quarterlyReports: quarters.map(({ period, figures }) =>
      report(statement, quarterEnd(period), [figures], missing),
    ),
  };
}
