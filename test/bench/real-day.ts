/**
 * `npm run bench -- real-day`: a real key's real day as a new user meets it (issue 18), each run being
 * `npm start -- --live` exactly as typed (its own process, a fresh state dir, its own local stack), against the
 * AlphaVantage simulator answering with AlphaVantage's own quota bodies:
 *   (a) free plan at the real pace (1 a second, 5 a minute, 25 a day), the default watchlist plus an unknown
 *       symbol: exit 0, calls <= 25, no limit answer; target: well under 10 minutes;
 *   (b) a dead endpoint (a port nobody listens on): exit non-zero with one line naming the cause; target: < 3 min;
 *       the same for an endpoint that answers every call with HTTP 503 (the probe passes, every call fails);
 *   (c) a premium plan configured, the key answering AlphaVantage's daily-limit body after 3 calls: the run ends
 *       with the line naming the daily limit; target: < 5 minutes.
 * Seconds are from spawning `npm start` to its exit (the local stack's start and stop included). Ends with one
 * JSON line of figures. Kafka and the AWS emulator run on free ports, so other stacks on this machine are left
 * alone.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AlphaVantageSimulatorOptions,
  createAlphaVantageSimulator,
} from '../../localstack/simulator/index.ts';
import { DEFAULT_WATCHLIST } from '../../model/config.ts';
import { LOCAL_API_KEY_VARIABLE } from '../../model/settings.ts';

/** Longest a run may take before the benchmark stops it (by pid) and reports it as timed out. */
const RUN_LIMIT_MS = 15 * 60_000;
const ROOT = new URL('../..', import.meta.url).pathname;

interface RunFigures {
  seconds: number;
  exitCode: number | null;
  calls: number;
  limitAnswers: number;
  /** The line that says why the run ended (the cause, the daily limit), else its last line. */
  lastLine: string;
  /** What the run said it deferred to the next budget day, if anything. */
  deferredLine?: string;
  timedOut: boolean;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

/** Runs `npm start -- --live` with `config` and waits for its exit; the simulator (if any) counts the calls. */
async function liveRun(
  label: string,
  config: Record<string, unknown>,
  simulatorOptions: AlphaVantageSimulatorOptions | undefined,
): Promise<RunFigures> {
  const simulator = simulatorOptions
    ? await createAlphaVantageSimulator({ port: 0, ...simulatorOptions })
    : undefined;
  const stateDir = mkdtempSync(join(tmpdir(), `horton-bench-${label}-`));
  const configFile = join(stateDir, 'config.json');
  const baseUrl = simulator?.url ?? `http://127.0.0.1:${await freePort()}`;
  writeFileSync(
    configFile,
    JSON.stringify({ ...config, alphaVantage: { ...(config.alphaVantage as object), baseUrl } }),
  );
  const env = {
    ...process.env,
    [LOCAL_API_KEY_VARIABLE]: 'bench-key',
    HORTON_STATE_DIR: join(stateDir, 'state'),
    HORTON_KAFKA_PORT: String(await freePort()),
    HORTON_KAFKA_CONTROLLER_PORT: String(await freePort()),
    HORTON_AWS_PORT: String(await freePort()),
  };
  const started = performance.now();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'localstack/start.ts', '--live', '--config', configFile],
    {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGTERM');
  }, RUN_LIMIT_MS);
  const exitCode = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  clearTimeout(timer);
  const seconds = (performance.now() - started) / 1000;
  const requests = simulator?.stats().requests;
  await simulator?.close();
  rmSync(stateDir, { recursive: true, force: true });
  const lines = output.split('\n').filter((line) => line.trim() !== '');
  const deferred = lines.find((line) => line.startsWith('Deferred to the next budget day'));
  const figures: RunFigures = {
    seconds: Math.round(seconds * 10) / 10,
    exitCode,
    calls: requests?.total ?? 0,
    limitAnswers: requests?.limited ?? 0,
    lastLine:
      lines.find((line) => /npm start failed|daily limit|Nothing could be stored/.test(line)) ??
      lines.at(-1) ??
      '',
    ...(deferred ? { deferredLine: deferred } : {}),
    timedOut,
  };
  process.stdout.write(`  ${label}: ${JSON.stringify(figures)}\n`);
  return figures;
}

export async function realDayBenchmark(): Promise<void> {
  process.stdout.write('real-day: npm start -- --live, three real days\n');
  const indicators = [{ function: 'SMA', interval: 'daily', timePeriod: 20, seriesType: 'close' }];
  const freePlan = await liveRun(
    'free-plan',
    {
      universe: { watchlist: [...DEFAULT_WATCHLIST, 'UNKNOWN'] },
      indicators,
      alphaVantage: { plan: 'free' },
    },
    { plan: 'free' },
  );
  const deadEndpoint = await liveRun('dead-endpoint', { alphaVantage: { plan: 'free' } }, undefined);
  // An endpoint that accepts connections but answers every call with HTTP 503: the probe passes, the calls fail.
  const erringEndpoint = await liveRun(
    'erring-endpoint',
    { universe: { watchlist: [...DEFAULT_WATCHLIST] }, indicators, alphaVantage: { plan: 'premium75' } },
    { plan: 'premium75', faults: [{ mode: 'http-error' }] },
  );
  const dailyLimit = await liveRun(
    'daily-limit-on-premium',
    { universe: { watchlist: [...DEFAULT_WATCHLIST] }, indicators, alphaVantage: { plan: 'premium75' } },
    { plan: 'free', quotas: { perSecond: 1_000, perMinute: 1_000, perDay: 3 } },
  );
  const summary = {
    benchmark: 'real-day',
    freePlan: {
      ...freePlan,
      targetSeconds: 600,
      met:
        freePlan.exitCode === 0 &&
        freePlan.calls <= 25 &&
        freePlan.limitAnswers === 0 &&
        freePlan.seconds < 600,
    },
    deadEndpoint: {
      ...deadEndpoint,
      targetSeconds: 180,
      met: deadEndpoint.exitCode !== 0 && deadEndpoint.seconds < 180,
    },
    erringEndpoint: {
      ...erringEndpoint,
      targetSeconds: 180,
      met:
        erringEndpoint.exitCode !== 0 &&
        /Nothing could be stored/.test(erringEndpoint.lastLine) &&
        erringEndpoint.seconds < 180,
    },
    dailyLimitOnPremium: {
      ...dailyLimit,
      targetSeconds: 300,
      met: /daily limit/.test(dailyLimit.lastLine) && dailyLimit.seconds < 300,
    },
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}
