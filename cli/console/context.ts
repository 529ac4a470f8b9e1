/**
 * What every data source of the console reads through: the CLI's own Target (Lambda Invoke of the operations
 * and backfill functions, DynamoDB reads), re-connected after a failure so that a local pipeline started (or
 * restarted) after the console is found without restarting the console.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { HortonConfig } from '../../model/config.ts';
import { connect, type Target, type TargetOptions } from '../target.ts';
import { ACTIVITY_WINDOW_MS, LogActivity, metricActivity } from './data/activity.ts';
import { BackfillTracker } from './data/backfills.ts';
import type { ActivitySource } from './data/pipeline.ts';
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
  /** Invocation counts per handler: CloudWatch metrics of a stack, or the local runner's log files. */
  activity: ActivitySource;
}

const WINDOW = `last ${ACTIVITY_WINDOW_MS / 3_600_000} h`;

/** Against a stack, Horton's CloudWatch metrics (operator's credentials); locally, the runner's log files. */
function activitySource(options: TargetOptions, target: () => Target): ActivitySource {
  if (options.stack) {
    let client: CloudWatchClient | undefined;
    return {
      source: `CloudWatch metrics (namespace Horton), ${WINDOW}`,
      read: (prefix, handlers, now) => {
        client ??= new CloudWatchClient(options.region ? { region: options.region } : {});
        return metricActivity(client, prefix, handlers, now);
      },
    };
  }
  const logs = new LogActivity();
  return {
    source: `the local runner's handler logs (batch done and Invoke Error lines), ${WINDOW}`,
    read: async (prefix, handlers, now) => {
      const where = await target().logs();
      return 'dir' in where ? logs.read(where.dir, prefix, handlers, now) : [];
    },
  };
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
    activity: activitySource(options, () => context.target()),
  };
  return context;
}
