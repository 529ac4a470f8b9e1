/**
 * Fundamentals collection for one symbol: OVERVIEW plus the latest annual report of INCOME_STATEMENT,
 * BALANCE_SHEET and CASH_FLOW. Everything is fetched first and written in one transaction, so readers never
 * see one collection's overview beside another's statements.
 *
 * Four calls are too many to throw away when the last one is refused (a limit answer, a deferral, a 5xx): on a
 * temporary failure the parts fetched so far are staged under the command id, and the retry of the same command
 * resumes from them, calling only for what is missing. The final write removes the staged parts.
 */

import type { CollectOverview } from '../../model/messages.ts';
import type { AlphaVantageApi, StatementFunction } from '../shared/alphavantage/client.ts';
import { latestAnnualReport } from '../shared/domain/financials.ts';
import { isPermanent } from '../shared/errors.ts';
import type { FundamentalItem, LatestStatement, StagedParts } from '../shared/store/fundamentals.ts';

const STATEMENTS: readonly StatementFunction[] = ['INCOME_STATEMENT', 'BALANCE_SHEET', 'CASH_FLOW'];

export interface OverviewDeps {
  alphaVantage: Pick<AlphaVantageApi, 'overview' | 'financialStatement'>;
  /** Writes the four items; `clearStaged` also removes the staged parts of the symbol. */
  put(items: readonly FundamentalItem[], options: { clearStaged: boolean }): Promise<'written' | 'stale'>;
  /** Parts an earlier attempt of this command fetched (empty when none, or staged by another command). */
  loadStaged(symbol: string, commandId: string): Promise<StagedParts>;
  stage(symbol: string, commandId: string, parts: StagedParts): Promise<void>;
}

export async function collectOverview(
  command: CollectOverview,
  deps: OverviewDeps,
): Promise<{ result: 'written' | 'stale'; statements: Record<string, string | null>; resumed: number }> {
  const { symbol, issuedAt, commandId } = command;
  const staged = await deps.loadStaged(symbol, commandId);
  const parts: StagedParts = { ...staged };
  try {
    parts.OVERVIEW ??= { ...(await deps.alphaVantage.overview(symbol)) };
    for (const fn of STATEMENTS) {
      if (parts[fn] !== undefined) continue;
      const statement = await deps.alphaVantage.financialStatement(fn, symbol);
      const latest = latestAnnualReport(statement.annualReports);
      parts[fn] = latest
        ? {
            fiscalDateEnding: latest.fiscalDateEnding,
            reportedCurrency: latest.reportedCurrency,
            values: latest.values,
          }
        : null;
    }
  } catch (error) {
    // A permanent failure is dead-lettered: nothing will resume, so nothing is staged for it.
    if (!isPermanent(error) && Object.keys(parts).length > Object.keys(staged).length) {
      await deps.stage(symbol, commandId, parts);
    }
    throw error;
  }

  const items: FundamentalItem[] = [
    { symbol, kind: 'OVERVIEW', collectedAt: issuedAt, data: parts.OVERVIEW },
  ];
  const statements: Record<string, string | null> = {};
  for (const fn of STATEMENTS) {
    const latest: LatestStatement | null | undefined = parts[fn];
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
  const result = await deps.put(items, { clearStaged: Object.keys(staged).length > 0 });
  return { result, statements, resumed: Object.keys(staged).length };
}
