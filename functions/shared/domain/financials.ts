import { assertIsoDate } from './dates.ts';
import { DomainValidationError } from './errors.ts';

/**
 * The one field the domain needs from an INCOME_STATEMENT / BALANCE_SHEET / CASH_FLOW report. Reports
 * carry dozens of other fields whose set changes over the years (see the 2020 "legacy" income statement
 * schema), so the selection is generic and returns the caller's full report type untouched.
 */
export interface FiscalReport {
  /** End of the fiscal period, `YYYY-MM-DD`. */
  readonly fiscalDateEnding: string;
}

/**
 * The report with the latest `fiscalDateEnding`, or `undefined` for an empty array (a symbol with no
 * filings, e.g. an ETF, returns empty `annualReports`).
 *
 * Selected by date rather than position: AlphaVantage happens to list newest first today, but nothing
 * promises it, and a wrong "latest" would silently store a stale year. If two reports share the latest
 * date, the first one in the array is returned (AlphaVantage's own order is the only tie-breaker there
 * is). Works the same for `quarterlyReports`. A malformed date throws `DomainValidationError` rather than
 * being skipped: it means the payload is not what we think it is.
 */
export function latestAnnualReport<T extends FiscalReport>(reports: readonly T[]): T | undefined {
  if (!Array.isArray(reports)) {
    throw new DomainValidationError(`reports must be an array, got ${typeof reports}`);
  }
  let latest: T | undefined;
  reports.forEach((report, index) => {
    assertIsoDate(report?.fiscalDateEnding, `reports[${index}].fiscalDateEnding`);
    if (latest === undefined || report.fiscalDateEnding > latest.fiscalDateEnding) latest = report;
  });
  return latest;
}

/**
 * Newest fiscal period end of a symbol's fundamentals items: the overview's latest quarter or a statement's
 * fiscalDateEnding (undefined when none is a date).
 */
export function newestPeriodEnd(
  items: readonly { kind: string; fiscalDateEnding?: string; data: Record<string, unknown> }[],
): string | undefined {
  const overview = items.find((item) => item.kind === 'OVERVIEW');
  const periodEnds = [overview?.data.latestQuarter, ...items.map((item) => item.fiscalDateEnding)].filter(
    (date): date is string => typeof date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(date),
  );
  return periodEnds.sort().at(-1);
}
