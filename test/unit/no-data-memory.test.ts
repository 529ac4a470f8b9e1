/**
 * The handlers' memory of answers without data (functions/shared/no-data.ts): a remembered item costs no call
 * until its next try, and a record that asks again (redriven, or a backfill's override; the consumer handler
 * decides, test/unit/kafka-consumer-handler.test.ts) is not held back by it.
 */
import { describe, expect, it } from 'vitest';
import { NoDataError } from '../../functions/shared/errors.ts';
import { askRemembering, type NoDataMemory, noDataMemoryFor } from '../../functions/shared/no-data.ts';
import type { NoDataEntry } from '../../model/domain/no-data.ts';

function memory(): NoDataMemory & { entries: Map<string, NoDataEntry> } {
  const entries = new Map<string, NoDataEntry>();
  return {
    entries,
    get: async (symbol, dataset) => entries.get(`${symbol}/${dataset}`),
    put: async (entry) => {
      entries.set(`${entry.symbol}/${entry.dataset}`, entry);
    },
    delete: async (symbol, dataset) => {
      entries.delete(`${symbol}/${dataset}`);
    },
  };
}

const item = { symbol: 'ZZZZ', dataset: 'quote' };
const issuedAt = '2026-12-04T15:00:00.000Z';
const noData = () => Promise.reject(new NoDataError('no-data', 'GLOBAL_QUOTE ZZZZ: no data'));

describe('the no-data memory', () => {
  it('remembers an answer without data, and a replay of the command makes no call', async () => {
    const remembered = memory();
    await expect(askRemembering(remembered, item, issuedAt, noData)).rejects.toBeInstanceOf(NoDataError);
    let calls = 0;
    const replay = await askRemembering(remembered, item, issuedAt, async () => {
      calls += 1;
      return 'data';
    });
    expect(replay.kind).toBe('remembered');
    expect(calls).toBe(0);
  });

  it('does not hold back a record that asks again, and forgets the entry when data comes', async () => {
    const remembered = memory();
    await expect(askRemembering(remembered, item, issuedAt, noData)).rejects.toBeInstanceOf(NoDataError);
    const asked = await askRemembering(
      noDataMemoryFor(remembered, { askAgain: true }),
      item,
      issuedAt,
      async () => 'data',
    );
    expect(asked).toEqual({ kind: 'data', data: 'data' });
    expect(remembered.entries.size).toBe(0);
  });

  it('holds back a record that does not ask again', async () => {
    const remembered = memory();
    await expect(askRemembering(remembered, item, issuedAt, noData)).rejects.toBeInstanceOf(NoDataError);
    const asked = await askRemembering(
      noDataMemoryFor(remembered, { askAgain: false }),
      item,
      issuedAt,
      async () => 'data',
    );
    expect(asked.kind).toBe('remembered');
  });
});
