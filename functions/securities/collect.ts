/**
 * Universe collection and fan-out: decide the securities (the configured watchlist, or LISTING_STATUS filtered by
 * exchange and asset type), upsert them, and publish one command per security and requested dataset.
 *
 * Listing mode fetches LISTING_STATUS only when the command asks for a refresh (the daily universe schedule) or
 * nothing is stored yet; the frequent dataset schedules fan out over the stored universe, which spends no quota.
 *
 * Items the no-data memory holds back at the command's `issuedAt` are not published (one Scan of the sparse
 * no-data table, not a read per symbol), unless the command asks again (a backfill's explicit override).
 *
 * When the configuration collects only what fits the daily budget (`alphaVantage.overBudget`), the fan-out
 * publishes what the remaining budget covers, watchlist quotes first, and reports what it deferred.
 */
import type { IndicatorConfig } from '../../model/config.ts';
import type { NoDataEntry } from '../../model/domain/no-data.ts';
import type { CollectUniverse } from '../../model/messages.ts';
import type { AlphaVantageApi } from '../shared/alphavantage/client.ts';
import { type FanOutPlan, fitFanOut, planFanOut, withoutRemembered } from '../shared/domain/fan-out.ts';
import {
  type Security,
  type SkippedSymbol,
  securitiesFromWatchlist,
  selectUniverse,
} from '../shared/domain/universe.ts';

export interface UniverseSettings {
  source: 'watchlist' | 'listing';
  watchlist: readonly string[];
  exchanges: readonly string[];
  assetTypes: readonly string[];
  indicators: readonly IndicatorConfig[];
  /** Publish only what the remaining daily budget covers (`alphaVantage.overBudget: collect-what-fits`). */
  collectWhatFits: boolean;
}

/** The AlphaVantage budget left today, shared by every caller. */
export interface BudgetPort {
  /** Calls left today; null = no daily cap. */
  remainingToday(): Promise<number | null>;
}

export interface StoredSecurity extends Security {
  source: 'watchlist' | 'listing';
  collectedAt: string;
}

export interface SecuritiesDeps {
  alphaVantage: Pick<AlphaVantageApi, 'listingStatus'>;
  listStored(): Promise<StoredSecurity[]>;
  upsert(securities: readonly StoredSecurity[]): Promise<void>;
  publish(plan: FanOutPlan): Promise<void>;
  /** Every entry of the no-data memory (answers without data, per symbol and dataset). */
  remembered(): Promise<NoDataEntry[]>;
  budget: BudgetPort;
  settings: UniverseSettings;
}

export interface UniverseOutcome {
  source: 'watchlist' | 'listing' | 'stored';
  securities: number;
  skipped: SkippedSymbol[];
  published: Record<keyof FanOutPlan, number>;
  /** Commands left out for lack of budget (collect-what-fits only). */
  deferred?: Record<keyof FanOutPlan, number>;
  /** Commands left out because the no-data memory holds their item back. */
  heldBack: number;
}

/** The universe: the watchlist, or the listing (stored rows when there are, else fetched and stored). */
async function resolveUniverse(
  command: CollectUniverse,
  deps: SecuritiesDeps,
): Promise<{ securities: Security[]; skipped: SkippedSymbol[]; source: UniverseOutcome['source'] }> {
  const { settings } = deps;
  if (settings.source === 'watchlist') {
    const { securities, skipped } = securitiesFromWatchlist(settings.watchlist);
    await deps.upsert(securities.map((s) => ({ ...s, source: 'watchlist', collectedAt: command.issuedAt })));
    return { securities, skipped, source: 'watchlist' };
  }
  // Only listing-sourced rows count: after a switch from watchlist mode the table may hold only watchlist rows.
  const stored = command.refreshListing
    ? []
    : (await deps.listStored()).filter((security) => security.source === 'listing');
  if (stored.length > 0) return { securities: stored, skipped: [], source: 'stored' };
  const listing = await deps.alphaVantage.listingStatus();
  const { securities, skipped } = selectUniverse(
    listing.map((row) => ({ ...row, name: row.name ?? '' })),
    {
      ...(settings.exchanges.length > 0 ? { exchanges: settings.exchanges } : {}),
      ...(settings.assetTypes.length > 0 ? { assetTypes: settings.assetTypes } : {}),
    },
  );
  await deps.upsert(securities.map((s) => ({ ...s, source: 'listing', collectedAt: command.issuedAt })));
  return { securities, skipped, source: 'listing' };
}

export async function collectUniverse(
  command: CollectUniverse,
  deps: SecuritiesDeps,
): Promise<UniverseOutcome> {
  const { settings } = deps;
  const { securities, skipped, source } = await resolveUniverse(command, deps);

  const restrictTo = command.symbols ? new Set(command.symbols) : undefined;
  const symbols = securities.map((s) => s.symbol).filter((symbol) => !restrictTo || restrictTo.has(symbol));
  const { plan: wanted, heldBack } = withoutRemembered(
    planFanOut({ parent: command, symbols, datasets: command.datasets, indicators: settings.indicators }),
    command.askAgain ? [] : await deps.remembered(),
    command.issuedAt,
  );
  const fitted = settings.collectWhatFits
    ? fitFanOut(
        wanted,
        { remaining: await deps.budget.remainingToday(), prioritySymbols: new Set(settings.watchlist) },
        command.issuedAt,
      )
    : undefined;
  const plan = fitted?.plan ?? wanted;
  await deps.publish(plan);
  return {
    source,
    securities: securities.length,
    skipped,
    published: {
      overview: plan.overview.length,
      history: plan.history.length,
      quote: plan.quote.length,
      indicators: plan.indicators.length,
    },
    ...(fitted ? { deferred: fitted.deferred } : {}),
    heldBack,
  };
}
