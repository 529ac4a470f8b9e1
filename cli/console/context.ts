/**
 * What every data source of the console reads through: the CLI's own Target (Lambda Invoke of the operations
 * and backfill functions, DynamoDB reads), re-connected after a failure so that a local pipeline started (or
 * restarted) after the console is found without restarting the console.
 */
import type { HortonConfig } from '../../model/config.ts';
import { connect, type Target, type TargetOptions } from '../target.ts';
import { BackfillTracker } from './data/backfills.ts';
import { UniverseIndex } from './data/universe.ts';

export interface ConsoleContext {
  /** The target of this request (connects on first use). */
  target(): Target;
  /** Drops the connection after a failure: the next request connects again. */
  reset(): void;
  /** The configuration the plan and the freshness rules use (the CLI's `--config`, else the defaults). */
  config: HortonConfig;
  /** Where `config` came from, for the Budget page (`defaults` or the file). */
  configSource: string;
  universe: UniverseIndex;
  backfills: BackfillTracker;
}

export function createContext(
  options: TargetOptions,
  config: HortonConfig,
  configSource: string,
): ConsoleContext {
  let current: Target | undefined;
  const context: ConsoleContext = {
    target: () => {
      current ??= connect(options);
      return current;
    },
    reset: () => {
      current?.close();
      current = undefined;
      context.universe.clear();
    },
    config,
    configSource,
    universe: new UniverseIndex(),
    backfills: new BackfillTracker(),
  };
  return context;
}
