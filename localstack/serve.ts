/**
 * The long-running local pipeline (`npm start -- --serve` / `--keep-running`): the handlers keep consuming, the
 * scheduler fires on its timetable, and the manually invoked functions are served on the Lambda Invoke API, until
 * Ctrl-C. A session file in the state dir tells the `horton` CLI where to find it (its `--local` mode).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { HortonConfig } from '../model/config.ts';
import { startInvokeEndpoint } from './runner/invoke-endpoint.ts';
import type { LambdaHandler } from './runner/lambda-context.ts';
import type { Pipeline } from './runner/pipeline.ts';
import type { LocalStackEndpoints } from './stack/index.ts';

/** What the CLI needs to talk to a serving local pipeline exactly as it talks to AWS. */
export interface ServeSession {
  pid: number;
  startedAt: string;
  /** Endpoint of the Lambda Invoke API for the manually invoked functions. */
  lambdaEndpoint: string;
  /** The AWS emulator (DynamoDB). */
  awsEndpoint: string;
  region: string;
  functions: { backfill: string; operations: string };
  /** AlphaVantage is the local simulator: what is stored is made up (the CLI says so). */
  simulated?: boolean;
  /** The runner's per-handler log files (`horton logs`). */
  logDir?: string;
}

/** Where the runner writes each handler's log lines (`<handler>.log`), read by `horton logs`. */
export function handlerLogDir(stateDir: string): string {
  return path.join(stateDir, 'logs', 'handlers');
}

/**
 * The pipeline's AlphaVantage is a local simulator: its data is made up, and every summary says so. The stack's
 * simulator, or any other on this machine (tests run their own): the real AlphaVantage is never on loopback.
 */
export function usesSimulator(
  config: HortonConfig,
  endpoints: Pick<LocalStackEndpoints, 'simulatorUrl'>,
): boolean {
  const { baseUrl } = config.alphaVantage;
  const host = new URL(baseUrl).hostname;
  return baseUrl === endpoints.simulatorUrl || ['127.0.0.1', 'localhost', '[::1]'].includes(host);
}

/** A pipeline running on this machine, as its claim file records it. */
export interface PipelineClaim {
  pid: number;
  stateDir: string;
  startedAt: string;
}

/** Claims live in the state dir and, to find pipelines of other state dirs, one per pid in the temp dir. */
const claimsDir = () => path.join(tmpdir(), 'horton-pipelines');
const claimFile = (stateDir: string) => path.join(stateDir, 'pipeline.json');

/** A claim or session file whose process still runs; undefined when missing, unreadable or stale. */
function liveRecord<Live extends { pid: number }>(file: string): Live | undefined {
  try {
    const record = JSON.parse(readFileSync(file, 'utf8')) as Live;
    process.kill(record.pid, 0);
    return record;
  } catch {
    return undefined;
  }
}

const liveClaim = (file: string) => liveRecord<PipelineClaim>(file);

/** Raised when another live pipeline already runs in the state dir. */
class StateDirTaken extends Error {
  override readonly name = 'StateDirTaken';
}

/**
 * One pipeline per state dir: a second one would share the consumer groups and split the work silently. Throws
 * StateDirTaken naming the other pipeline; otherwise claims the dir and returns the release.
 */
export function claimStateDir(stateDir: string): () => void {
  const other = liveClaim(claimFile(stateDir));
  if (other && other.pid !== process.pid) {
    throw new StateDirTaken(
      `a Horton pipeline already runs in ${stateDir} (pid ${other.pid}, since ${other.startedAt}): use it with \`npx horton\`, stop it with Ctrl-C there, or give this run another HORTON_STATE_DIR`,
    );
  }
  const claim: PipelineClaim = {
    pid: process.pid,
    stateDir: path.resolve(stateDir),
    startedAt: new Date().toISOString(),
  };
  mkdirSync(stateDir, { recursive: true });
  mkdirSync(claimsDir(), { recursive: true });
  const global = path.join(claimsDir(), `${process.pid}.json`);
  for (const file of [claimFile(stateDir), global]) writeFileSync(file, `${JSON.stringify(claim)}\n`);
  return () => {
    for (const file of [claimFile(stateDir), global]) rmSync(file, { force: true });
  };
}

/** Pipelines running on this machine under any state dir (stale claims skipped). */
export function runningPipelines(): PipelineClaim[] {
  if (!existsSync(claimsDir())) return [];
  return readdirSync(claimsDir()).flatMap((name) => liveClaim(path.join(claimsDir(), name)) ?? []);
}

function serveSessionPath(stateDir: string): string {
  return path.join(stateDir, 'serve.json');
}

/** The session of a serving pipeline in this state dir, or undefined when none runs (a stale file is ignored). */
export function readServeSession(stateDir: string): ServeSession | undefined {
  return liveRecord<ServeSession>(serveSessionPath(stateDir));
}

export interface ServeOptions {
  pipeline: Pipeline;
  config: HortonConfig;
  endpoints: LocalStackEndpoints;
  stateDir: string;
  /** Port of the invoke endpoint. @default HORTON_INVOKE_PORT, else any free port */
  port?: number;

  log: (message: string) => void;
}

/** Starts serving; the returned function stops the endpoint and the schedules and removes the session file. */
export async function servePipeline(options: ServeOptions): Promise<() => Promise<void>> {
  const { pipeline, config, log } = options;
  const names = { backfill: `${config.prefix}-backfill`, operations: `${config.prefix}-operations` };
  const functions = new Map<string, { handler: LambdaHandler }>(
    [...pipeline.manual].map(([name, handler]) => [`${config.prefix}-${name}`, { handler }]),
  );
  for (const name of Object.values(names)) {
    if (!functions.has(name)) throw new Error(`cannot serve ${name}: the pipeline did not load it`);
  }
  const endpoint = await startInvokeEndpoint({
    functions,
    port: options.port ?? Number(process.env.HORTON_INVOKE_PORT ?? 0),
    region: options.endpoints.awsRegion,
  });
  const session: ServeSession = {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    lambdaEndpoint: endpoint.url,
    awsEndpoint: options.endpoints.awsEndpoint,
    region: options.endpoints.awsRegion,
    functions: names,
    simulated: usesSimulator(config, options.endpoints),
    logDir: handlerLogDir(options.stateDir),
  };
  const file = serveSessionPath(options.stateDir);
  writeFileSync(file, `${JSON.stringify(session, null, 2)}\n`);
  pipeline.scheduler?.start();

  // The CLI finds the session in the default state dir; another one must be named in the other terminal too.
  const stateHint = process.env.HORTON_STATE_DIR ? `HORTON_STATE_DIR=${options.stateDir} ` : '';
  log(`\nServing: handlers consuming, schedules on their timetable, Lambda Invoke API at ${endpoint.url}.`);
  log('In another terminal (Ctrl-C here stops it all):');
  for (const command of [
    'npx horton status',
    'npx horton backfill --symbols IBM --datasets history',
    'npx horton symbols',
    'npx horton show IBM',
    'npx horton logs --follow',
    'npx horton dead-letters list',
  ]) {
    log(`  ${stateHint}${command}`);
  }
  return async () => {
    rmSync(file, { force: true });
    pipeline.scheduler?.stop();
    await endpoint.close();
  };
}
