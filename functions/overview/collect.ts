/**
 * Fundamentals collection for one symbol: OVERVIEW plus the latest annual report of INCOME_STATEMENT,
 * BALANCE_SHEET and CASH_FLOW. Everything is fetched first and written in one transaction, so readers never
 * see one collection's overview beside another's statements.
 *
 * Four calls are too many to throw away when the last one is refused (a limit answer, a deferral, a 5xx): on a
 * temporary failure the parts fetched so far are staged under the command id, and the retry of the same command
 * resumes from them, calling only for what is missing. The final write removes the staged parts.
 *
 * The four calls are made only when the stored copy can be out of date (freshness rules): a newer fiscal period
 * has ended since the stored one, or the copy reached its maximum age. An answer still behind (the quarter's
 * report is not served yet) is remembered on the overview item, and the rules back off (ADR 0034). A replay
 * finds its own result stored.
 */

import { fundamentalsFreshness, unchangedAsksAfter } from '../../model/domain/freshness.ts';
import type { CollectOverview } from '../../model/messages.ts';
import type { AlphaVantageApi, StatementFunction } from '../shared/alphavantage/client.ts';
import { latestAnnualReport, newestPeriodEnd } from '../shared/domain/financials.ts';
import { isPermanent } from '../shared/errors.ts';
import { askRemembering, type NoDataMemory } from '../shared/no-data.ts';
import type {
  FundamentalItem,
  LatestStatement,
  StagedParts,
  StoredFundamentals,
} from '../shared/store/fundamentals.ts';

const STATEMENTS: readonly StatementFunction[] = ['INCOME_STATEMENT', 'BALANCE_SHEET', 'CASH_FLOW'];

export interface OverviewDeps {
  alphaVantage: Pick<AlphaVantageApi, 'overview' | 'financialStatement'>;
  /** Writes the four items; `clearStaged` also removes the staged parts of the symbol. */
  put(items: readonly FundamentalItem[], options: { clearStaged: boolean }): Promise<'written' | 'stale'>;
  /** Parts an earlier attempt of this command fetched (empty when none, or staged by another command). */
  loadStaged(symbol: string, commandId: string): Promise<StagedParts>;
  stage(symbol: string, commandId: string, parts: StagedParts): Promise<void>;
  /** What is stored for the symbol: when the overview was collected and its newest fiscal period end. */
  stored(symbol: string): Promise<StoredFundamentals>;
  /** Refetch a stored copy this many days old. */
  maxAgeDays: number;
  /** Answers without data remembered per symbol and dataset (no call while one holds). */
  noData?: NoDataMemory;
}

export type OverviewOutcome =
  | { result: 'written' | 'stale'; statements: Record<string, string | null>; resumed: number }
  | { result: 'fresh'; reason: string }
  | { result: 'no-data'; since: string; nextTryAt: string };

export async function collectOverview(
  command: CollectOverview,
  deps: OverviewDeps,
): Promise<OverviewOutcome> {
  const { symbol, issuedAt, commandId } = command;
  const stored = await deps.stored(symbol);
  const freshness = fundamentalsFreshness({ ...stored, maxAgeDays: deps.maxAgeDays }, new Date(issuedAt));
  if (!freshness.call) return { result: 'fresh', reason: freshness.reason };
  const staged = await deps.loadStaged(symbol, commandId);
  const parts: StagedParts = { ...staged };
  const asked = await askRemembering(deps.noData, { symbol, dataset: 'overview' }, issuedAt, () =>
    fetchParts(symbol, parts, staged, commandId, deps),
  );
  if (asked.kind === 'remembered') {
    return { result: 'no-data', since: asked.entry.since, nextTryAt: asked.entry.nextTryAt };
  }

  const items: FundamentalItem[] = [{ symbol, kind: 'OVERVIEW', collectedAt: issuedAt, data: asked.data }];
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
  // Remember an answer that is behind (a quarter ended, its report not served yet): the rules back off.
  const unchangedAsks = unchangedAsksAfter(stored, newestPeriodEnd(items), new Date(issuedAt));
  if (unchangedAsks > 0) items[0] = { ...(items[0] as FundamentalItem), unchangedAsks };
  const result = await deps.put(items, { clearStaged: Object.keys(staged).length > 0 });
  return { result, statements, resumed: Object.keys(staged).length };
}

/**
 * Fetches the parts not staged yet into `parts`, and returns the overview. On a temporary failure the parts fetched so far are staged; a
 * permanent one is dead-lettered (an answer without data is also remembered), so nothing is staged for it.
 */
async function fetchParts(
  symbol: string,
  parts: StagedParts,
  staged: StagedParts,
  commandId: string,
  deps: OverviewDeps,
): Promise<Record<string, unknown>> {
  try {
    const overview = parts.OVERVIEW ?? { ...(await deps.alphaVantage.overview(symbol)) };
    parts.OVERVIEW = overview;
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
    return overview;
  } catch (error) {
    if (!isPermanent(error) && Object.keys(parts).length > Object.keys(staged).length) {
      await deps.stage(symbol, commandId, parts);
    }
    throw error;
  }
}
