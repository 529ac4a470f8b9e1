/**
 * The handlers' memory of answers without data (functions/shared/no-data.ts): a remembered item costs no call
 * until its next try, and a redriven record (an operator's explicit "ask again") is not held back by it.
 */
import { describe, expect, it } from 'vitest';
import { NoDataError } from '../../functions/shared/errors.ts';
import type { KafkaRecord } from '../../functions/shared/kafka/event.ts';
import { askRemembering, type NoDataMemory, noDataMemoryFor } from '../../functions/shared/no-data.ts';
import type { NoDataEntry } from '../../model/domain/no-data.ts';
import { REDRIVE_HEADER } from '../../model/operations.ts';

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

const record = (headers: KafkaRecord['headers']): KafkaRecord =>
  ({ topic: 'horton.quote', partition: 0, offset: '7', headers }) as unknown as KafkaRecord;

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

  it('does not hold back a redriven record, and forgets the entry when data comes', async () => {
    const remembered = memory();
    await expect(askRemembering(remembered, item, issuedAt, noData)).rejects.toBeInstanceOf(NoDataError);
    const redriven = record([{ name: REDRIVE_HEADER, value: Buffer.from('horton.dead-letter/0/3') }]);
    const asked = await askRemembering(
      noDataMemoryFor(remembered, redriven),
      item,
      issuedAt,
      async () => 'data',
    );
    expect(asked).toEqual({ kind: 'data', data: 'data' });
    expect(remembered.entries.size).toBe(0);
  });

  it('holds back a record that is not a redrive', async () => {
    const remembered = memory();
    await expect(askRemembering(remembered, item, issuedAt, noData)).rejects.toBeInstanceOf(NoDataError);
    const plain = record([{ name: 'content-type', value: Buffer.from('application/json') }]);
    const asked = await askRemembering(
      noDataMemoryFor(remembered, plain),
      item,
      issuedAt,
      async () => 'data',
    );
    expect(asked.kind).toBe('remembered');
  });
});
