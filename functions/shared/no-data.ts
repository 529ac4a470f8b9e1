/**
 * Asking AlphaVantage with the memory of answers without data (model/domain/no-data.ts): no call while an
 * entry holds the item back; an answer without data is remembered (and still fails the command, so its first
 * occurrence is dead-lettered with the reason); data forgets the entry.
 */
import { type NoDataEntry, noDataHolds, rememberNoData } from '../../model/domain/no-data.ts';
import { NoDataError } from './errors.ts';
import type { RecordScope } from './kafka/consumer-handler.ts';

/** The handler's port to the no-data table. */
export interface NoDataMemory {
  get(symbol: string, dataset: string): Promise<NoDataEntry | undefined>;
  put(entry: NoDataEntry): Promise<void>;
  delete(symbol: string, dataset: string): Promise<void>;
  /** Ask even while an entry holds the item back (a redrive); the answer still updates the entry. */
  askAgain?: boolean;
}

/**
 * The memory as one record sees it. A record that asks again (`RecordScope.askAgain`: redriven, or a backfill
 * with `askAgain`) is not held back, but the memory still learns from the answer (remembered anew, or
 * forgotten on data).
 */
export function noDataMemoryFor(memory: NoDataMemory, scope: Pick<RecordScope, 'askAgain'>): NoDataMemory {
  return scope.askAgain ? { ...memory, askAgain: true } : memory;
}

export type Asked<T> = { kind: 'data'; data: T } | { kind: 'remembered'; entry: NoDataEntry };

/**
 * Calls `ask` unless the memory holds the item back at the command's `issuedAt`. A replay of a command whose
 * answer was remembered finds its own entry and makes no call.
 */
export async function askRemembering<T>(
  memory: NoDataMemory | undefined,
  item: { symbol: string; dataset: string },
  issuedAt: string,
  ask: () => Promise<T>,
): Promise<Asked<T>> {
  if (!memory) return { kind: 'data', data: await ask() };
  const entry = await memory.get(item.symbol, item.dataset);
  if (noDataHolds(entry, issuedAt) && !memory.askAgain) return { kind: 'remembered', entry };
  let data: T;
  try {
    data = await ask();
  } catch (error) {
    if (error instanceof NoDataError) {
      await memory.put(
        rememberNoData(entry, { ...item, code: error.code, message: error.message }, issuedAt),
      );
    }
    throw error;
  }
  if (entry) await memory.delete(item.symbol, item.dataset);
  return { kind: 'data', data };
}
