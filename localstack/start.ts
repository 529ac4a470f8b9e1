/**
 * `npm start`'s run: the whole pipeline on this machine. Brings the local stack up (Kafka broker, AWS emulator,
 * AlphaVantage simulator), creates the tables and topics, runs the real handlers behind local event source
 * mappings, fires one full collection cycle for the watchlist with progress shown, and prints what was stored.
 * The flags and `--help` are the `start` command of the local front door (localstack/main.ts).
 *
 * Everything given on the command line (flags, the --config file, HORTON_* settings) is read and validated before
 * anything starts. A mistake there is one line naming the flag, file or setting, exit code 2; other failures exit
 * 1. `--debug` adds stack traces.
 */
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { MultiBar, Presets } from 'cli-progress';
import { planRefusal } from '../bin/plan-report.ts';
import { alphaVantageBudget, ConfigError, type HortonConfig, resolveConfig } from '../model/config.ts';
import { dailyLimitContradiction } from '../model/domain/daily-limit.ts';
import { HANDLER_NAMES } from '../model/handlers.ts';
import { LOCAL_API_KEY_VARIABLE } from '../model/settings.ts';
import { ensureTables, localAwsEnvironment, localDynamoDbClient } from './aws-resources.ts';
import { type CycleResult, runPlannedCycle } from './cycle.ts';
import { type Pipeline, startPipeline } from './runner/pipeline.ts';
import { claimStateDir, handlerLogDir, servePipeline, usesSimulator } from './serve.ts';
import {
  downLocalStack,
  type LocalStackOptions,
  LocalStackSettingError,
  localStackEndpoints,
  resolveLocalStackOptions,
  type UpResult,
  upLocalStack,
} from './stack/index.ts';
import { printSummary, type RunStart, runStart } from './summary.ts';
import { UsageError } from './usage-error.ts';

/** The flags of `npm start` as the front door parsed them; values are checked by `readRequest`. */
export interface StartFlags {
  watch?: boolean;
  keepRunning?: boolean;
  serve?: boolean;
  live?: boolean;
  timeCompression?: string;
  config?: string;
}

/** What this run was asked to do, validated. */
interface StartRequest {
  watch: boolean;
  keepRunning: boolean;
  serve: boolean;
  /** The real AlphaVantage with the local key, instead of the simulator. */
  live: boolean;
  /** Real seconds per simulated second for the schedules; undefined = real time. */
  timeCompression: number | undefined;
  config: HortonConfig;
  stackOptions: LocalStackOptions;
}

/**
 * Local defaults on top of the shared configuration: a paid plan, so the first history load is `full` and the
 * yearly extremes cover the simulator's whole history. The simulator itself runs without quotas by default.
 */
const LOCAL_OVERRIDES = { alphaVantage: { plan: 'premium75' } };

/** The --config file's overrides: a JSON object. */
function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      `--config ${file}: ${code === 'ENOENT' ? 'no such file' : `cannot read it (${code})`}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--config ${file}: not valid JSON (${(error as Error).message})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UsageError(`--config ${file}: expected a JSON object of settings`);
  }
  return parsed as Record<string, unknown>;
}

/**
 * The configuration of this run: local defaults, the --config overrides, the simulator as AlphaVantage; live
 * (no simulator URL), exactly the configuration: its plan and base URL, the limiter keeping the calls within it.
 */
function localConfig(file: string | undefined, simulatorUrl: string | undefined): HortonConfig {
  const overrides = file ? readConfigFile(file) : {};
  const alphaVantage =
    typeof overrides.alphaVantage === 'object' && overrides.alphaVantage !== null
      ? overrides.alphaVantage
      : {};
  try {
    if (simulatorUrl === undefined) return resolveConfig(overrides);
    return resolveConfig({
      ...LOCAL_OVERRIDES,
      ...overrides,
      alphaVantage: { ...LOCAL_OVERRIDES.alphaVantage, ...alphaVantage, baseUrl: simulatorUrl },
    });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new UsageError(`${file ? `--config ${file}` : 'configuration'}: ${error.problems.join('; ')}`);
  }
}

/** Reads and validates the whole request (flag values, config file, HORTON_* settings); starts nothing. */
export function readRequest(values: StartFlags): StartRequest {
  let timeCompression: number | undefined;
  const compression = values.timeCompression;
  if (typeof compression === 'string') {
    timeCompression = Number(compression);
    if (compression.trim() === '' || !Number.isFinite(timeCompression) || timeCompression <= 0)
      throw new UsageError(`--time-compression ${compression}: expected a positive number`);
  }

  const live = values.live === true;
  if (live && !process.env[LOCAL_API_KEY_VARIABLE]?.trim()) {
    throw new UsageError(
      `--live: set ${LOCAL_API_KEY_VARIABLE} to your AlphaVantage key (free: https://www.alphavantage.co/support/#api-key)`,
    );
  }
  let stackOptions: LocalStackOptions;
  try {
    stackOptions = resolveLocalStackOptions(live ? { simulator: false } : {});
  } catch (error) {
    if (error instanceof LocalStackSettingError) throw new UsageError(error.message);
    throw error;
  }
  const { simulatorUrl } = localStackEndpoints(stackOptions);
  if (!live && (!stackOptions.simulator || !simulatorUrl)) {
    throw new UsageError(
      'HORTON_SIMULATOR=0: npm start needs the AlphaVantage simulator (unset it, or use --live for the real API; `npm run local -- up --no-simulator` runs Kafka + AWS alone)',
    );
  }
  const configFile = typeof values.config === 'string' ? values.config : undefined;
  const config = localConfig(configFile, live ? undefined : simulatorUrl);
  // A configuration that would run out of quota is refused before anything starts, as `cdk synth` refuses it.
  const refusal = planRefusal(config);
  if (refusal) throw new UsageError(refusal);
  return {
    watch: values.watch === true,
    keepRunning: values.keepRunning === true,
    serve: values.serve === true,
    live,
    timeCompression,
    config,
    stackOptions,
  };
}

const log = (message: string) => process.stdout.write(`${message}\n`);
/** Set once the first cycle is done and the schedules take over (`--watch`). */
let watching = false;

/**
 * npm passes the terminal's Ctrl-C on to this process although the terminal sent it here too: one press can arrive
 * twice, moments apart. A signal this soon after the first is that echo, not a second press.
 */
const SIGNAL_ECHO_MS = 1_000;

/**
 * Resolves on the first Ctrl-C or SIGTERM: the run stops taking records, waits a bounded time for what is in
 * flight, commits it and stops what it started. A second Ctrl-C exits at once; nothing is lost, since records not
 * committed are delivered again on the next start.
 */
const interrupted = new Promise<'interrupted'>((resolve) => {
  let firstAt: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (firstAt === undefined) {
      firstAt = Date.now();
      resolve('interrupted');
      return;
    }
    if (Date.now() - firstAt < SIGNAL_ECHO_MS) return;
    log(
      `\n${signal} again: exiting now. Records not committed are delivered again on the next start; the local stack may still run (\`npm run local -- down\`).`,
    );
    process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
});

/** Stops the pipeline, saying what it waits for and how it ended. */
async function stopPipeline(pipeline: Pipeline): Promise<void> {
  const report = await pipeline.stop({
    onWait: (inFlight, graceMs) =>
      log(
        `\nStopping: no new records; waiting up to ${graceMs / 1000} s for the invocations in flight (${inFlight.join(', ')}) to finish and be committed. Ctrl-C again to exit at once.`,
      ),
  });
  if (report.abandoned.length > 0) {
    log(
      `Still running after ${(report.waitedMs / 1000).toFixed(1)} s: ${report.abandoned.join(', ')}; their records are not committed and are delivered again on the next start.`,
    );
  } else if (report.waitedMs >= 100) {
    log(`In-flight invocations finished and committed in ${(report.waitedMs / 1000).toFixed(1)} s.`);
  }
}

/** The handlers, their local event source mappings and the schedules, with this run's environment and logging. */
function startLocalPipeline(
  request: StartRequest,
  brokers: string[],
  target: { endpoint: string; region: string },
): Promise<Pipeline> {
  const { config, stackOptions } = request;
  const serving = request.serve || request.keepRunning;
  return startPipeline({
    config,
    brokers,
    // Serving includes the manually invoked functions (backfill, operations) behind the local invoke API.
    ...(serving ? { include: HANDLER_NAMES } : {}),
    // Handler logs go to one file per handler (`npx horton logs`), not to this terminal.
    logDir: handlerLogDir(stackOptions.stateDir),
    env: {
      ...localAwsEnvironment(target),
      // Locally the key is an env var (in AWS: Secrets Manager). The simulator accepts any non-empty key.
      [LOCAL_API_KEY_VARIABLE]: process.env[LOCAL_API_KEY_VARIABLE] ?? 'horton-local-key',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'INFO',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    scheduler: {
      ...(request.timeCompression ? { timeCompression: request.timeCompression } : {}),
      // In --watch mode, say when each schedule fires (the first cycle's firings are shown as progress).
      onFire: (fire) => {
        if (watching) {
          log(
            `  ${fire.ok ? 'fired' : 'FAILED'} ${fire.schedule} (due ${fire.scheduledAt.toISOString()})${fire.error ? `: ${fire.error}` : ''}`,
          );
        }
      },
    },
    log: {
      info: () => {},
      // kafkajs warns while a fresh broker creates its offsets topic and then retries by itself: not news.
      warn: (message) => {
        if (!message.startsWith('kafkajs ')) log(`  ! ${message}`);
      },
      error: (message) => log(`  ! ${message}`),
    },
  });
}

/** What the one-shot cycle stored, what it deferred, where data and logs are, and how long it took. */
async function reportCycle(
  request: StartRequest,
  run: {
    doc: DynamoDBDocumentClient;
    endpoints: UpResult['endpoints'];
    mappings: Pipeline['mappings'];
    before: RunStart;
    ended: CycleResult;
    cycleSeconds: number;
    started: number;
  },
): Promise<void> {
  const { config, stackOptions } = request;
  const { doc, endpoints, before, ended, cycleSeconds, started } = run;
  await printSummary({
    config,
    doc,
    brokers: endpoints.kafkaBrokers,
    mappings: run.mappings,
    since: before,
    simulated: usesSimulator(config, endpoints),
    log,
  });
  for (const line of describeCycleEnd(ended, config)) log(line);
  log(
    `\nData stays in ${stackOptions.stateDir} (tables and topics, kept across runs; delete it for a fresh start); handler logs: ${handlerLogDir(stackOptions.stateDir)}.`,
  );
  log(
    'Look at it: `npm start -- --serve`, then `npx horton symbols`, `npx horton show IBM`, `npx horton logs`.',
  );
  log(
    `\nOne cycle took ${cycleSeconds.toFixed(1)} s (whole run ${((Date.now() - started) / 1000).toFixed(1)} s).`,
  );
}

/** Runs the request: stack up, pipeline, cycle or serving, and stops what it started. */
export async function startLocalRun(request: StartRequest): Promise<void> {
  const started = Date.now();
  const { config, stackOptions } = request;
  log(
    `Horton local run: Kafka broker + AWS emulator + ${request.live ? 'the REAL AlphaVantage' : 'AlphaVantage simulator'}, real handlers\n`,
  );
  // Live, nothing else can stand in for AlphaVantage: an endpoint nobody answers at ends the run before it starts.
  if (request.live) await probeEndpoint(config.alphaVantage.baseUrl);
  let stack: UpResult | undefined;
  let pipeline: Pipeline | undefined;
  // One pipeline per state dir: a second would join the same consumer groups and split the work silently.
  const releaseStateDir = claimStateDir(stackOptions.stateDir);
  try {
    stack = await upLocalStack(stackOptions);
    const { endpoints } = stack;
    const target = { endpoint: endpoints.awsEndpoint, region: endpoints.awsRegion };
    await ensureTables(config, target);
    // Before the handlers start: the dead letters of this run are counted from here, and commands an earlier,
    // interrupted run left unhandled are announced rather than silently mixed into this cycle.
    const before: RunStart = await runStart(endpoints.kafkaBrokers, config);
    if (before.pendingCommands > 0) {
      log(
        `${before.pendingCommands} command(s) left unhandled by an earlier run are handled first (writes are idempotent).`,
      );
    }

    pipeline = await startLocalPipeline(request, endpoints.kafkaBrokers, target);
    const running = pipeline;
    const scheduler = running.scheduler;
    if (!scheduler) throw new Error('the dispatcher did not start');

    if (request.serve) {
      await serveUntilInterrupted(running, config, endpoints, stackOptions.stateDir);
      return;
    }
    const cycle = await firstCycle(request, { pipeline: running, endpoints, target, before, started });
    if (cycle === 'interrupted') return;

    // A run that stored nothing ends non-zero, after its summary, with the cause as the last line.
    if (cycle.failure) throw new Error(cycle.failure);
    if (request.keepRunning) {
      await serveUntilInterrupted(running, config, endpoints, stackOptions.stateDir);
    } else if (request.watch) {
      await watchSchedules(scheduler);
    }
  } finally {
    if (pipeline) await stopPipeline(pipeline);
    releaseStateDir();
    await stopStack(stack, stackOptions);
  }
}

/** `--watch`: the schedules fire on their timetable until Ctrl-C. */
async function watchSchedules(scheduler: NonNullable<Pipeline['scheduler']>): Promise<void> {
  watching = true;
  scheduler.start();
  log('\nWatching: the schedules fire on their timetable. Ctrl-C to stop.');
  for (const next of scheduler.upcoming())
    log(`  ${next.schedule}: next at ${next.at?.toISOString() ?? 'never'}`);
  await interrupted;
}

/** Stops the local stack if this run started it; without `stack`, `up` failed and already stopped what it launched. */
async function stopStack(
  stack: UpResult | undefined,
  stackOptions: StartRequest['stackOptions'],
): Promise<void> {
  if (stack && !stack.alreadyRunning) {
    await downLocalStack(stackOptions);
    log('\nStopped the local stack this run started.');
  } else if (stack) {
    log('\nThe local stack was already running before this run and stays up (`npm run local -- down`).');
  }
}

/** The one-shot cycle with progress, then its report; or 'interrupted' on Ctrl-C before it ends. */
async function firstCycle(
  request: StartRequest,
  run: {
    pipeline: Pipeline;
    endpoints: UpResult['endpoints'];
    target: { endpoint: string; region: string };
    before: RunStart;
    started: number;
  },
): Promise<'interrupted' | CycleResult> {
  const { config } = request;
  const { pipeline, endpoints } = run;
  const planNote = request.live ? '' : ': a local override for the simulator; the defaults fit the free plan';
  log(
    `\nCollection cycle for ${config.universe.watchlist.join(', ')} (plan ${config.alphaVantage.plan}${planNote})`,
  );
  const cycleStarted = Date.now();
  const doc = DynamoDBDocumentClient.from(localDynamoDbClient(run.target));
  const cycle = withProgress(pipeline, () =>
    runPlannedCycle({ pipeline, config, doc, brokers: endpoints.kafkaBrokers }),
  );
  const ended = await Promise.race([cycle, interrupted]);
  if (ended === 'interrupted') {
    log('\nInterrupted: stopping.');
    return 'interrupted';
  }
  const cycleSeconds = (Date.now() - cycleStarted) / 1000;

  await reportCycle(request, {
    doc,
    endpoints,
    mappings: pipeline.mappings,
    before: run.before,
    ended,
    cycleSeconds,
    started: run.started,
  });
  return ended;
}

/** How long the live endpoint may take to accept a connection. */
const PROBE_TIMEOUT_MS = 10_000;

/**
 * Opens (and closes) one TCP connection to the AlphaVantage endpoint: no request, so no quota spent and no key
 * sent. A refused, unresolvable or silent endpoint is one line naming the cause and the URL, exit code 1.
 */
async function probeEndpoint(baseUrl: string): Promise<void> {
  const url = new URL(baseUrl);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const cause = await new Promise<string | undefined>((resolve) => {
    const socket = connect({ host: url.hostname, port, timeout: PROBE_TIMEOUT_MS });
    socket.once('connect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(`no answer within ${PROBE_TIMEOUT_MS / 1000} s`);
    });
    socket.once('error', (error) => resolve(error.message));
  });
  if (cause) throw new Error(`AlphaVantage at ${url.origin} cannot be reached: ${cause}`);
}

/** What the cycle deferred and why it ended, for the lines after the summary. */
function describeCycleEnd(cycle: CycleResult, config: HortonConfig): string[] {
  const lines: string[] = [];
  const { plan, spent } = cycle;
  const contradiction =
    spent?.dailyLimitAnswer === undefined
      ? undefined
      : dailyLimitContradiction(spent.dailyLimitAnswer, {
          name: `plan "${config.alphaVantage.plan}"`,
          requestsPerDay: alphaVantageBudget(config).requestsPerDay,
        });
  if (contradiction) lines.push(`\n${contradiction}`);
  else if (spent?.dailyLimitAnswer) {
    lines.push(
      `\nAlphaVantage ended the day (${spent.usedToday} calls counted): "${spent.dailyLimitAnswer}"`,
    );
  } else if (spent) {
    lines.push(`\nThe AlphaVantage budget of ${spent.day} is spent (${spent.usedToday} calls).`);
  }
  const budget = plan.remainingToday === null ? 'no daily cap' : `${plan.remainingToday} calls left today`;
  lines.push(`Planned against the budget (${budget}): ${plan.calls} calls at most.`);
  if (plan.deferred.length > 0 || spent) {
    const byDataset = new Map<string, string[]>();
    for (const item of plan.deferred)
      byDataset.set(item.dataset, [...(byDataset.get(item.dataset) ?? []), item.symbol]);
    const deferred = [...byDataset]
      .map(([dataset, symbols]) => `${dataset} ${symbols.join(', ')}`)
      .join('; ');
    lines.push(
      `Deferred to the next budget day (resets ${plan.resetsAt}): ${deferred || 'nothing planned'}${spent ? '; and whatever was still queued when the budget ran out (handled first by the next run)' : ''}.`,
    );
  }
  return lines;
}

/** Serves the CLI (localstack/serve.ts) until Ctrl-C. */
async function serveUntilInterrupted(
  pipeline: Pipeline,
  config: HortonConfig,
  endpoints: Parameters<typeof servePipeline>[0]['endpoints'],
  stateDir: string,
): Promise<void> {
  watching = true;
  const close = await servePipeline({ pipeline, config, endpoints, stateDir, log });
  try {
    await interrupted;
  } finally {
    await close();
  }
}

/**
 * One bar per handler: records handled, out of records handled plus those still waiting in its topic (the
 * total grows while upstream handlers fan out). Without a terminal, a plain line whenever the numbers change.
 */
async function withProgress<T>(
  pipeline: Awaited<ReturnType<typeof startPipeline>>,
  work: () => Promise<T>,
): Promise<T> {
  const interactive = process.stdout.isTTY === true;
  const bars = new MultiBar(
    { format: '  {handler} |{bar}| {value}/{total} records', hideCursor: true, clearOnComplete: false },
    Presets.shades_classic,
  );
  const rows = [...pipeline.mappings.entries()].map(([name, mapping]) => ({
    name,
    mapping,
    bar: interactive ? bars.create(0, 0, { handler: name.padEnd(10) }) : undefined,
  }));
  let last = '';
  const refresh = async () => {
    const lines: string[] = [];
    for (const row of rows) {
      const handled = row.mapping.counters.records;
      const waiting = row.mapping.busy ? 0 : await row.mapping.lag();
      row.bar?.setTotal(Math.max(handled + waiting, 1));
      row.bar?.update(handled);
      lines.push(`${row.name} ${handled} handled${waiting ? `, ${waiting} waiting` : ''}`);
    }
    const line = `  progress: ${lines.join(', ')}`;
    if (!interactive && line !== last) log(line);
    last = line;
  };
  const timer = setInterval(() => void refresh().catch(() => {}), interactive ? 250 : 2000);
  try {
    return await work();
  } finally {
    clearInterval(timer);
    await refresh();
    bars.stop();
  }
}
