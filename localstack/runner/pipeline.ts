/**
 * The local Horton pipeline: the real handlers, wired as in AWS. Kafka-triggered handlers get an event source
 * mapping each; the dispatcher gets the scheduler.
 *
 * Handlers read their settings at module scope (cold start): each handler is imported with its own settings in
 * HORTON_SETTINGS, built by the same function the CDK app uses (model/settings.ts `handlerSettings`), from the
 * configuration and the local resources. ES modules are cached per process: a second pipeline in the same process
 * reuses the handler modules, and with them the settings of the first import (tests give each handler
 * explicitly, or run one pipeline per process).
 */
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { logLevel } from 'kafkajs';
import pRetry from 'p-retry';
import type { HortonConfig } from '../../model/config.ts';
import { HANDLER_NAMES, HANDLERS, type HandlerName, type HandlerSpec } from '../../model/handlers.ts';
import {
  type EncodedHandlerSettings,
  handlerSettings,
  localBindings,
  REPORT_FAILURE_CAUSES_VARIABLE,
  SETTINGS_VARIABLE,
  SIMULATED_TIME_AHEAD_VARIABLE,
  serviceNameOf,
} from '../../model/settings.ts';
import {
  type EventSourceMapping,
  type RetryBackoff,
  startEventSourceMapping,
  stderrLogger,
  type WaitOptions,
} from './event-source-mapping.ts';
import { routeHandlerLogs } from './handler-logs.ts';
import type { LambdaHandler } from './lambda-context.ts';
import { DeliveryStalled, type RunnerLogger } from './partition-worker.ts';
import { type FireRecord, Scheduler } from './scheduler.ts';
import { ensureTopics, type TopicReport } from './topics.ts';

export interface PipelineOptions {
  config: HortonConfig;
  brokers: string[];
  /**
   * Variables the caller sets for the pipeline's lifetime: AWS endpoint, region and credentials for the emulator,
   * the local AlphaVantage key, Powertools switches. Handler settings are not among them (see above).
   */
  env?: Record<string, string>;
  /** Handlers to run. @default those given in `handlers`, or else every kafka- or schedule-triggered handler */
  include?: readonly HandlerName[];
  /** Handler functions to use instead of importing the entry file (tests; handlers not written yet). */
  handlers?: Partial<Record<HandlerName, LambdaHandler>>;
  /** Repository root the catalogue's entry paths are relative to. @default this checkout */
  rootDir?: string;
  /** Create missing topics and grow partition counts first. @default true */
  ensureTopics?: boolean;
  scheduler?: {
    /** Start firing on the schedules' timetable at once; otherwise only `fireNow`. @default false */
    autoStart?: boolean;
    timeCompression?: number;
    simulatedStart?: Date;
    clock?: () => number;
    /** Called after every dispatcher invocation (scheduled or `fireNow`). */
    onFire?: (fire: FireRecord) => void;
  };
  mappings?: {
    timeoutSeconds?: number;
    retryBackoff?: Partial<RetryBackoff>;
    now?: () => number;
    kafkaLogLevel?: logLevel;
  };
  region?: string;
  log?: RunnerLogger;
  /** Write each handler's Powertools log lines to `<logDir>/<handler>.log` instead of stdout. */
  logDir?: string;
}

export interface Pipeline {
  /** Present when the dispatcher runs. */
  scheduler: Scheduler | undefined;
  mappings: Map<HandlerName, EventSourceMapping>;
  /** The selected manually invoked handlers (backfill, operations), for the invoke endpoint. */
  manual: Map<HandlerName, LambdaHandler>;
  topics: TopicReport | undefined;
  /** Resolves when nothing is in flight and every mapping has consumed its whole topic. */
  waitUntilIdle(options?: WaitOptions): Promise<void>;
  /**
   * Stops the schedules and takes no new records; invocations in flight start no further record and are waited
   * for up to `graceMs` (what they finish is committed), then the mappings leave their groups.
   */
  stop(options?: StopOptions): Promise<StopReport>;
}

export interface StopOptions {
  /** Longest wait for invocations in flight. @default 15000 */
  graceMs?: number;
  /** Told what the stop waits for, before it waits (only when something is in flight). */
  onWait?: (inFlight: string[], graceMs: number) => void;
}

export interface StopReport {
  /** Time the stop waited for invocations in flight. */
  waitedMs: number;
  /** Handlers whose invocations were still running when the grace ended: their records were not committed. */
  abandoned: string[];
}

/** Default bound of a stop's wait for invocations in flight: a Ctrl-C must end within seconds, not minutes. */
const STOP_GRACE_MS = 15_000;

const DEFAULT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function defaultSelection(options: PipelineOptions): HandlerName[] {
  if (options.include) return [...options.include];
  if (options.handlers) return Object.keys(options.handlers) as HandlerName[];
  return HANDLER_NAMES.filter((name) => (HANDLERS[name] as HandlerSpec).trigger.kind !== 'manual');
}

/** A handler's settings locally: names from the configuration, the local broker without auth. */
export function localHandlerSettings<N extends HandlerName>(
  name: N,
  config: HortonConfig,
  brokers: readonly string[],
): EncodedHandlerSettings<N> {
  return handlerSettings(name, config, localBindings(config, name, brokers));
}

/** Process-wide variables of a local run: the caller's, and kafkajs's partitioner notice off (the handlers' is fine). */
function runnerEnvironment(extra: Record<string, string> = {}): Record<string, string> {
  return { KAFKAJS_NO_PARTITIONER_WARNING: '1', ...extra };
}

/** Sets variables and returns a function that puts back what was there before. */
function applyEnvironment(variables: Record<string, string>): () => void {
  const previous = new Map(Object.keys(variables).map((name) => [name, process.env[name]]));
  Object.assign(process.env, variables);
  return () => {
    for (const [name, value] of previous) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

/**
 * Imports a handler with its settings in HORTON_SETTINGS while its module scope runs (as Lambda's init phase
 * sees them), then puts the variable back.
 */
export async function importHandler(
  name: HandlerName,
  settings: EncodedHandlerSettings<HandlerName>,
  rootDir: string = DEFAULT_ROOT,
): Promise<LambdaHandler> {
  const entry = path.resolve(rootDir, HANDLERS[name].entry);
  let module: { handler?: unknown };
  const restore = applyEnvironment({
    [SETTINGS_VARIABLE]: JSON.stringify(settings),
    // Read at cold start: batch responses then name why records failed, for the runner's on-failure dead letters.
    [REPORT_FAILURE_CAUSES_VARIABLE]: '1',
  });
  try {
    module = (await import(pathToFileURL(entry).href)) as { handler?: unknown };
  } catch (error) {
    // Names the handler: a cold-start failure (missing setting, missing file) is otherwise anonymous.
    throw new Error(
      `cannot load the ${name} handler from ${HANDLERS[name].entry}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  } finally {
    restore();
  }
  if (typeof module.handler !== 'function')
    throw new Error(`${HANDLERS[name].entry} does not export a handler`);
  return module.handler as LambdaHandler;
}

/** Resolves once every mapping's lag is 0 with nothing in flight twice in a row; throws after the timeout. */
async function waitForIdle(
  mappings: Map<HandlerName, EventSourceMapping>,
  scheduler: Scheduler | undefined,
  log: RunnerLogger,
  wait: WaitOptions,
): Promise<void> {
  const timeoutMs = wait.timeoutMs ?? 120_000;
  const deadline = Date.now() + timeoutMs;
  // While the broker restarts, reading offsets fails (e.g. KafkaJSGroupCoordinatorNotFound): that is not the
  // pipeline failing, so ask again with a growing pause, within the overall deadline.
  const lagWithRetry = (mapping: EventSourceMapping) =>
    pRetry(() => mapping.lag(), {
      retries: 20,
      minTimeout: 200,
      maxTimeout: 5_000,
      maxRetryTime: Math.max(0, deadline - Date.now()),
      shouldRetry: ({ error }) => !(error instanceof DeliveryStalled),
      onFailedAttempt: ({ error, attemptNumber }) =>
        log.warn('cannot read the consumer lag yet; will retry', {
          topic: mapping.topic,
          attempt: attemptNumber,
          error: error.message,
        }),
    });
  let idleSnapshots = 0;
  let lastLags: number[] = [];
  while (idleSnapshots < 2) {
    // Read "busy" BEFORE the lags: whatever an invocation produced before it finished is then visible.
    const busy = (scheduler?.pending ?? 0) > 0 || [...mappings.values()].some((mapping) => mapping.busy);
    lastLags = await Promise.all([...mappings.values()].map((mapping) => lagWithRetry(mapping)));
    idleSnapshots = !busy && lastLags.every((lag) => lag === 0) ? idleSnapshots + 1 : 0;
    if (idleSnapshots >= 2) break;
    if (Date.now() >= deadline) {
      const detail = [...mappings.keys()].map((name, index) => `${name}=${lastLags[index]}`).join(', ');
      throw new Error(`pipeline not idle after ${timeoutMs} ms (lag: ${detail})`);
    }
    await sleep(wait.pollMs ?? 200);
  }
}

/** Starts an event source mapping per Kafka-triggered handler of the selection, into `mappings`. */
async function startMappings(
  options: PipelineOptions,
  selection: readonly HandlerName[],
  handlers: Map<HandlerName, LambdaHandler>,
  log: RunnerLogger,
  mappings: Map<HandlerName, EventSourceMapping>,
): Promise<void> {
  const { config, brokers } = options;
  const started = await Promise.allSettled(
    selection.flatMap((name) => {
      const spec = HANDLERS[name] as HandlerSpec;
      const handler = handlers.get(name);
      if (spec.trigger.kind !== 'kafka' || !handler) return [];
      return [
        startEventSourceMapping({
          config,
          role: spec.trigger.topic,
          handler,
          functionName: `${config.prefix}-${name}`,
          brokers,
          log,
          ...(options.region ? { region: options.region } : {}),
          ...(options.mappings?.timeoutSeconds ? { timeoutSeconds: options.mappings.timeoutSeconds } : {}),
          ...(options.mappings?.retryBackoff ? { retryBackoff: options.mappings.retryBackoff } : {}),
          ...(options.mappings?.now ? { now: options.mappings.now } : {}),
          ...(options.mappings?.kafkaLogLevel !== undefined
            ? { kafkaLogLevel: options.mappings.kafkaLogLevel }
            : {}),
        }).then((mapping) => mappings.set(name, mapping)),
      ];
    }),
  );
  const failed = started.find((result) => result.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
}

/** The selected handlers: given ones, or imported with their local settings. */
async function loadHandlers(
  options: PipelineOptions,
  selection: HandlerName[],
): Promise<Map<HandlerName, LambdaHandler>> {
  const { config, brokers } = options;
  const handlers = new Map<HandlerName, LambdaHandler>();
  // Sequential on purpose: a handler's module scope may fail fast on a missing setting, and the first
  // failure should be the one reported.
  for (const name of selection) {
    handlers.set(
      name,
      options.handlers?.[name] ??
        (await importHandler(name, localHandlerSettings(name, config, brokers), options.rootDir)),
    );
  }
  return handlers;
}

/** The schedules of the configuration, firing the dispatcher (not started). */
function createScheduler(options: PipelineOptions, dispatcher: LambdaHandler, log: RunnerLogger): Scheduler {
  const { config } = options;
  return new Scheduler({
    schedules: config.schedules,
    handler: dispatcher,
    functionName: `${config.prefix}-dispatcher`,
    log,
    ...(options.region ? { region: options.region } : {}),
    ...(options.scheduler?.timeCompression ? { timeCompression: options.scheduler.timeCompression } : {}),
    ...(options.scheduler?.simulatedStart ? { simulatedStart: options.scheduler.simulatedStart } : {}),
    ...(options.scheduler?.clock ? { clock: options.scheduler.clock } : {}),
    ...(options.scheduler?.onFire ? { onFire: options.scheduler.onFire } : {}),
  });
}

export async function startPipeline(options: PipelineOptions): Promise<Pipeline> {
  const { config, brokers } = options;
  const log = options.log ?? stderrLogger;
  const selection = defaultSelection(options);
  // Compressed schedules issue commands at simulated times, ahead of the wall clock the handlers check against.
  const timeAhead = (options.scheduler?.timeCompression ?? 1) > 1;
  const restoreEnvironment = applyEnvironment(
    runnerEnvironment({ ...options.env, ...(timeAhead ? { [SIMULATED_TIME_AHEAD_VARIABLE]: '1' } : {}) }),
  );
  const stopLogRouting = options.logDir
    ? routeHandlerLogs({
        dir: options.logDir,
        services: new Map(selection.map((name) => [serviceNameOf(config.prefix, name), name])),
      })
    : undefined;
  const mappings = new Map<HandlerName, EventSourceMapping>();
  let scheduler: Scheduler | undefined;

  const stop = async (stopOptions: StopOptions = {}): Promise<StopReport> => {
    const graceMs = stopOptions.graceMs ?? STOP_GRACE_MS;
    const started = Date.now();
    scheduler?.stop();
    for (const mapping of mappings.values()) mapping.stopTaking();
    const inFlight = [...mappings].filter(([, mapping]) => mapping.busy).map(([name]) => name);
    if (inFlight.length > 0) stopOptions.onWait?.(inFlight, graceMs);
    const drained = await Promise.all(
      [...mappings].map(async ([name, mapping]) => ((await mapping.drained(graceMs)) ? [] : [name])),
    );
    await scheduler?.settled();
    const waitedMs = Date.now() - started;
    await Promise.all([...mappings.values()].map((mapping) => mapping.stop()));
    restoreEnvironment();
    await stopLogRouting?.();
    return { waitedMs, abandoned: drained.flat() };
  };

  try {
    const topics = options.ensureTopics === false ? undefined : await ensureTopics(brokers, config);
    const handlers = await loadHandlers(options, selection);

    await startMappings(options, selection, handlers, log, mappings);

    const dispatcher = handlers.get('dispatcher');
    if (dispatcher) {
      scheduler = createScheduler(options, dispatcher, log);
      if (options.scheduler?.autoStart) scheduler.start();
    }

    const waitUntilIdle = (wait: WaitOptions = {}) => waitForIdle(mappings, scheduler, log, wait);

    const manual = new Map(
      [...handlers].filter(([name]) => (HANDLERS[name] as HandlerSpec).trigger.kind === 'manual'),
    );
    return { scheduler, mappings, manual, topics, waitUntilIdle, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
