/**
 * Fundamentals collection for one symbol: OVERVIEW plus the latest annual report of INCOME_STATEMENT,
 * BALANCE_SHEET and CASH_FLOW. Everything is fetched first and written in one transaction, so a failure on the
 * fourth call leaves nothing half-written and the retry starts clean.
 *
 * The four calls are made only when the stored copy can be out of date (freshness rules): a newer fiscal period
 * has ended since the stored one, or the copy reached its maximum age. A replay finds its own result stored.
 */

import type { CollectOverview } from '../../model/messages.ts';
import type { AlphaVantageApi, StatementFunction } from '../shared/alphavantage/client.ts';
import { latestAnnualReport } from '../shared/domain/financials.ts';
import { fundamentalsFreshness } from '../shared/domain/freshness.ts';
import type { FundamentalItem, StoredFundamentals } from '../shared/store/fundamentals.ts';

const STATEMENTS: readonly StatementFunction[] = ['INCOME_STATEMENT', 'BALANCE_SHEET', 'CASH_FLOW'];

export interface OverviewDeps {
  alphaVantage: Pick<AlphaVantageApi, 'overview' | 'financialStatement'>;
  put(items: readonly FundamentalItem[]): Promise<'written' | 'stale'>;
  /** What is stored for the symbol: when the overview was collected and its newest fiscal period end. */
  stored(symbol: string): Promise<StoredFundamentals>;
  /** Refetch a stored copy this many days old. */
  maxAgeDays: number;
}

export type OverviewOutcome =
  | { result: 'written' | 'stale'; statements: Record<string, string | null> }
  | { result: 'fresh'; reason: string };

export async function collectOverview(
  command: CollectOverview,
  deps: OverviewDeps,
): Promise<OverviewOutcome> {
  const { symbol, issuedAt } = command;
  const freshness = fundamentalsFreshness(
    { ...(await deps.stored(symbol)), maxAgeDays: deps.maxAgeDays },
    new Date(issuedAt),
  );
  if (!freshness.call) return { result: 'fresh', reason: freshness.reason };
  const overview = await deps.alphaVantage.overview(symbol);
  const items: FundamentalItem[] = [
    { symbol, kind: 'OVERVIEW', collectedAt: issuedAt, data: { ...overview } },
  ];
  const statements: Record<string, string | null> = {};
  for (const fn of STATEMENTS) {
    const statement = await deps.alphaVantage.financialStatement(fn, symbol);
    const latest = latestAnnualReport(statement.annualReports);
    statements[fn] = latest?.fiscalDateEnding ?? null;
    // No annual report yet (a recent IPO): store nothing for that kind rather than an empty item.
    if (!latest) continue;
    items.push({
      symbol,
      kind: fn,
      collectedAt: issuedAt,
      fiscalDateEnding: latest.fiscalDateEnding,
      reportedCurrency: latest.reportedCurrency,
      data: latest.values,
    });
  }
  return { result: await deps.put(items), statements };
}
