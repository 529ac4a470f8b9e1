/**
 * Asking AlphaVantage with the memory of answers without data (model/domain/no-data.ts): no call while an
 * entry holds the item back; an answer without data is remembered (and still fails the command, so its first
 * occurrence is dead-lettered with the reason); data forgets the entry.
 */
import { type NoDataEntry, noDataHolds, rememberNoData } from '../../model/domain/no-data.ts';
import { REDRIVE_HEADER } from '../../model/operations.ts';
import { NoDataError } from './errors.ts';
import type { KafkaRecord } from './kafka/event.ts';

/** The handler's port to the no-data table. */
export interface NoDataMemory {
  get(symbol: string, dataset: string): Promise<NoDataEntry | undefined>;
  put(entry: NoDataEntry): Promise<void>;
  delete(symbol: string, dataset: string): Promise<void>;
  /** Ask even while an entry holds the item back (a redrive); the answer still updates the entry. */
  askAgain?: boolean;
}

/**
 * The memory as one record sees it. A redriven record (`horton dead-letters redrive`) is an operator's explicit
 * "ask again", typically after the cause was fixed: the memory does not hold it back, but still learns from the
 * answer (remembered anew, or forgotten on data).
 */
export function noDataMemoryFor(memory: NoDataMemory, record: KafkaRecord): NoDataMemory {
  const redriven = record.headers.some((header) => header.name === REDRIVE_HEADER);
  return redriven ? { ...memory, askAgain: true } : memory;
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
