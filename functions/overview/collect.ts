/**
 * Fundamentals collection for one symbol: OVERVIEW plus the latest annual report of INCOME_STATEMENT,
 * BALANCE_SHEET and CASH_FLOW. Everything is fetched first and written in one transaction, so a failure on the
 * fourth call leaves nothing half-written and the retry starts clean.
 */

import type { CollectOverview } from '../../model/messages.ts';
import type { AlphaVantageApi, StatementFunction } from '../shared/alphavantage/client.ts';
import { latestAnnualReport } from '../shared/domain/financials.ts';
import type { FundamentalItem } from '../shared/store/fundamentals.ts';

const STATEMENTS: readonly StatementFunction[] = ['INCOME_STATEMENT', 'BALANCE_SHEET', 'CASH_FLOW'];

export interface OverviewDeps {
  alphaVantage: Pick<AlphaVantageApi, 'overview' | 'financialStatement'>;
  put(items: readonly FundamentalItem[]): Promise<'written' | 'stale'>;
}

export async function collectOverview(
  command: CollectOverview,
  deps: OverviewDeps,
): Promise<{ result: 'written' | 'stale'; statements: Record<string, string | null> }> {
  const { symbol, issuedAt } = command;
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
