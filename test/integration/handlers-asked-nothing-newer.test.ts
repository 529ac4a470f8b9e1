/**
 * "Asked, nothing newer" (docs/decisions/0034-asked-nothing-newer-memory.md) with the REAL DynamoDB stores of the
 * history and overview handlers (wired as their index.ts wires them) against the run's AWS emulator, and the REAL
 * AlphaVantage client against an in-process simulator: the recorded ask survives the round trip through the
 * tables, holds the next call back, and a replay leaves the items exactly as they were.
 */
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { collectHistory, type HistoryDeps } from '../../functions/history/collect.ts';
import { collectOverview, type OverviewDeps } from '../../functions/overview/collect.ts';
import {
  getStoredFundamentals,
  loadStagedParts,
  putFundamentals,
  stageParts,
} from '../../functions/shared/store/fundamentals.ts';
import {
  getHistoryState,
  getYearlyExtremes,
  HISTORY_STATE_SORT_KEY,
  putDailyBars,
  putHistoryState,
  putYearlyExtremes,
} from '../../functions/shared/store/history.ts';
import { ensureTables, localDynamoDbClient } from '../../localstack/aws-resources.ts';
import type { TableRole } from '../../model/config.ts';
import { FUNDAMENTALS_BACKING_OFF, HISTORY_ASKED_SINCE_CLOSE } from '../../model/domain/freshness.ts';
import type { CollectHistory, CollectOverview } from '../../model/messages.ts';
import { uniqueConfig } from '../support/runner-support.ts';
import { useSimulatorClient } from '../support/simulator-client.ts';

const { awsEndpoint, awsRegion } = inject('localStack');
const target = { endpoint: awsEndpoint, region: awsRegion };
const doc = DynamoDBDocumentClient.from(localDynamoDbClient(target));
const av = useSimulatorClient({ now: '2026-05-15T21:30:00Z' });
let tables: Record<TableRole, string>;

beforeAll(async () => {
  tables = await ensureTables(uniqueConfig(), target);
});

const historyCommand = (symbol: string, issuedAt: string): CollectHistory => ({
  type: 'collect-history',
  v: 1,
  commandId: `history-${symbol}-${issuedAt}`,
  correlationId: `history-daily@${issuedAt}`,
  issuedAt,
  symbol,
});

const overviewCommand = (symbol: string, issuedAt: string): CollectOverview => ({
  type: 'collect-overview',
  v: 1,
  commandId: `overview-${symbol}-${issuedAt}`,
  correlationId: `overview-daily@${issuedAt}`,
  issuedAt,
  symbol,
});

function historyDeps(): HistoryDeps {
  return {
    alphaVantage: av.client,
    store: {
      getState: (symbol) => getHistoryState(doc, tables.dailyPrices, symbol),
      putBars: (symbol, bars) => putDailyBars(doc, tables.dailyPrices, symbol, bars),
      getExtremes: (symbol, years) => getYearlyExtremes(doc, tables.yearlyExtremes, symbol, years),
      putExtremes: (symbol, extremes) => putYearlyExtremes(doc, tables.yearlyExtremes, symbol, extremes),
      putState: (symbol, state) => putHistoryState(doc, tables.dailyPrices, symbol, state),
    },
    premium: true,
    computedIndicators: [],
    publishIndicators: async () => {},
    warn: () => {},
  };
}

function overviewDeps(): OverviewDeps {
  return {
    alphaVantage: av.client,
    put: (items, options) => putFundamentals(doc, tables.fundamentals, items, options),
    loadStaged: (symbol, commandId) => loadStagedParts(doc, tables.fundamentals, symbol, commandId),
    stage: (symbol, commandId, parts) => stageParts(doc, tables.fundamentals, symbol, commandId, parts),
    stored: (symbol) => getStoredFundamentals(doc, tables.fundamentals, symbol),
    maxAgeDays: 28,
  };
}

const readItem = async (table: string, key: Record<string, string>) =>
  (await doc.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item;

describe('history of a delisted symbol, stored in DynamoDB', () => {
  // QBB was delisted on 2025-10-03; asked Friday 2026-05-15 after the close (17:30 New York).
  const FRIDAY = '2026-05-15T21:30:00Z';
  const MONDAY = '2026-05-18T21:30:00Z';

  it('is downloaded in full once, not asked again the same evening, then asked compact after the next close', async () => {
    // Prepare
    const deps = historyDeps();
    const key = { symbol: 'QBB', date: HISTORY_STATE_SORT_KEY };
    await collectHistory(historyCommand('QBB', FRIDAY), deps);

    // Act: a second cycle the same evening, Monday after the close, and Monday's command replayed
    const sameEvening = await collectHistory(historyCommand('QBB', '2026-05-15T23:00:00Z'), deps);
    av.simulator.configure({ now: MONDAY });
    const monday = await collectHistory(historyCommand('QBB', MONDAY), deps);
    const afterMonday = await readItem(tables.dailyPrices, key);
    const replay = await collectHistory(historyCommand('QBB', MONDAY), deps);

    // Assess
    expect(sameEvening.fresh).toBe(HISTORY_ASKED_SINCE_CLOSE);
    expect(monday).toMatchObject({ outputsize: 'compact', newBars: 0 });
    expect(replay.fresh).toBe(HISTORY_ASKED_SINCE_CLOSE);
    expect(av.simulator.stats().requests.byOutputsize).toEqual({ full: 1, compact: 1 });
    expect(afterMonday).toMatchObject({
      lastStoredDate: '2025-10-03',
      fullLoadDone: true,
      lastAskedAt: MONDAY,
      lastAnsweredDate: '2025-10-03',
    });
    expect(await readItem(tables.dailyPrices, key)).toEqual(afterMonday);
  });
});

describe('fundamentals whose quarter report is not served yet, stored in DynamoDB', () => {
  // The quarter ending 2026-03-31 is over; on 10 April the simulator still serves ZH's report of the one before.
  const APRIL_10 = '2026-04-10T11:00:00Z';

  it('records the answer as behind and backs off, a replay changing nothing', async () => {
    // Prepare
    const deps = overviewDeps();
    av.simulator.configure({ now: APRIL_10 });
    await collectOverview(overviewCommand('ZH', APRIL_10), deps);
    const stored = await readItem(tables.fundamentals, { symbol: 'ZH', kind: 'OVERVIEW' });
    const calls = av.simulator.stats().requests.total;

    // Act: the next day's cycle, and the first command replayed
    av.simulator.configure({ now: '2026-04-11T11:00:00Z' });
    const nextDay = await collectOverview(overviewCommand('ZH', '2026-04-11T11:00:00Z'), deps);
    await collectOverview(overviewCommand('ZH', APRIL_10), deps);

    // Assess
    expect(calls).toBe(4);
    expect(stored).toMatchObject({ collectedAt: APRIL_10, unchangedAsks: 1 });
    expect(await getStoredFundamentals(doc, tables.fundamentals, 'ZH')).toEqual({
      collectedAt: APRIL_10,
      latestPeriodEnd: '2025-12-31',
      unchangedAsks: 1,
    });
    expect(nextDay).toEqual({ result: 'fresh', reason: FUNDAMENTALS_BACKING_OFF });
    expect(av.simulator.stats().requests.total).toBe(calls);
    expect(await readItem(tables.fundamentals, { symbol: 'ZH', kind: 'OVERVIEW' })).toEqual(stored);
  });
});
