/**
 * Programmatic API of the local stack: a real Kafka broker (KRaft, JVM), the moto AWS emulator
 * (Python venv) and the AlphaVantage simulator (Node), each a detached process with a pid file and
 * a log under the state dir. Used by `npm run local`, `npm start` and the integration test setup.
 */
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import {
  LOOPBACK_HOST,
  type LocalStackEndpoints,
  type LocalStackOptions,
  localStackEndpoints,
  resolveLocalStackOptions,
  SERVICE_NAMES,
  type ServiceName,
} from './options.ts';
import {
  crashSummary,
  findProcessesMentioning,
  isOwnedProcess,
  isProcessRunning,
  launchDetached,
  logFilePath,
  type ProcessRecord,
  pidFilePath,
  readProcessRecord,
  removePidFile,
  type StopOutcome,
  stopOwnedProcess,
} from './processes.ts';
import { ServiceExitedError, waitUntilReady } from './readiness.ts';
import { type ServiceDefinition, serviceDefinitions } from './services.ts';

export type { LocalStackEndpoints, LocalStackOptions, ServiceName } from './options.ts';
export { LocalStackSettingError, localStackEndpoints, resolveLocalStackOptions } from './options.ts';
export { findProcessesMentioning } from './processes.ts';

const CRASH_LOG_LINES = 15;

export interface ServiceUpResult {
  name: ServiceName;
  pid: number;
  /** `started` by this call, or found `already-running` (same pid as before). */
  outcome: 'started' | 'already-running';
  /** Time from launch to the first successful readiness request; undefined when already running. */
  readyMs: number | undefined;
}

export interface UpResult {
  /** True when every service was already running: nothing was started. */
  alreadyRunning: boolean;
  services: ServiceUpResult[];
  endpoints: LocalStackEndpoints;
  /** Wall-clock milliseconds of the whole `up`, preparation (downloads, venv) included. */
  totalMs: number;
}

export type ServiceState = 'running' | 'stopped' | 'crashed' | 'disabled';

export interface ServiceStatus {
  name: ServiceName;
  state: ServiceState;
  /** For running services: whether one readiness request succeeded just now. */
  ready: boolean;
  pid: number | undefined;
  address: string | undefined;
  logFile: string;
  /** For crashed services: the end of the log, to show why. */
  logTail: string | undefined;
}

export interface DownResult {
  services: Array<{ name: ServiceName; pid: number | undefined; outcome: StopOutcome | 'stale-pid-file' }>;
  /** Processes still naming the state dir after `down` (should be empty; reported, never killed). */
  leftovers: Array<{ pid: number; commandLine: string }>;
}

type Overrides = Partial<LocalStackOptions>;

function optionsFrom(input: LocalStackOptions | Overrides | undefined): LocalStackOptions {
  return resolveLocalStackOptions(input ?? {});
}

/**
 * One `up`/`down` at a time per state dir: two concurrent `up`s would both see "not running" and
 * start two brokers on one data dir. The lock file holds the owner's pid so a crashed holder's lock
 * is taken over instead of blocking forever.
 */
async function withStateDirLock<T>(stateDir: string, action: () => Promise<T>): Promise<T> {
  await mkdir(stateDir, { recursive: true });
  const lockFile = path.join(stateDir, 'stack.lock');
  for (let attempt = 0; ; attempt += 1) {
    try {
      const handle = await open(lockFile, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) {
        const holder = await readFile(lockFile, 'utf8').catch(() => '?');
        throw new Error(
          `another up/down is working on ${stateDir} (pid ${holder}); remove ${lockFile} if it is gone`,
        );
      }
      const holder = Number(await readFile(lockFile, 'utf8').catch(() => ''));
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isProcessRunning(holder)) {
        throw new Error(`another up/down (pid ${holder}) is working on ${stateDir}`);
      }
      await rm(lockFile, { force: true });
    }
  }
  try {
    return await action();
  } finally {
    await rm(lockFile, { force: true });
  }
}

/**
 * Fails with the port and service named, instead of letting a process die on bind with a long log. A port that
 * was just released (a crashed or stopped broker's sockets still closing) gets a short grace period first.
 */
async function assertPortsFree(
  definitions: ServiceDefinition[],
  log: (message: string) => void,
  graceMs = PORT_RELEASE_GRACE_MS,
): Promise<void> {
  for (const definition of definitions) {
    for (const port of definition.ports) {
      const deadline = Date.now() + graceMs;
      let announced = false;
      for (;;) {
        const error = await bindError(port);
        if (!error) break;
        if (Date.now() >= deadline) {
          throw new Error(
            `port ${port} on ${LOOPBACK_HOST}, needed by ${definition.name}, is not free (${error.code}); ` +
              'stop whatever uses it or choose other ports (HORTON_*_PORT)',
          );
        }
        if (!announced)
          log(`${definition.name}: waiting up to ${graceMs / 1000} s for port ${port} to be released`);
        announced = true;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }
}

const PORT_RELEASE_GRACE_MS = 15_000;

function bindError(port: number): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error));
    server.listen(port, LOOPBACK_HOST, () => server.close(() => resolve(undefined)));
  });
}

interface ObservedService {
  name: ServiceName;
  record: ProcessRecord | undefined;
  owned: boolean;
}

async function observe(stateDir: string, name: ServiceName): Promise<ObservedService> {
  const record = await readProcessRecord(pidFilePath(stateDir, name));
  return { name, record, owned: record !== undefined && isOwnedProcess(record, stateDir) };
}

async function crashReport(stateDir: string, name: ServiceName): Promise<string> {
  return crashSummary(logFilePath(stateDir, name), CRASH_LOG_LINES);
}

/**
 * Starts whatever is not running and waits until each service answers a real request. Idempotent:
 * services already running (ours, by pid) are left alone, so a second `up` is a no-op. If any
 * service fails to become ready, the services this call started are stopped again before it throws.
 */
export async function upLocalStack(input?: LocalStackOptions | Overrides): Promise<UpResult> {
  const options = optionsFrom(input);
  const started = Date.now();
  return withStateDirLock(options.stateDir, async () => {
    const definitions = serviceDefinitions(options);
    const { running, toStart } = await sortServices(definitions, options);
    await confirmReady(running, options);
    const results: ServiceUpResult[] = running.map(({ definition, record }) => ({
      name: definition.name,
      pid: record.pid,
      outcome: 'already-running',
      readyMs: undefined,
    }));
    if (toStart.length > 0) results.push(...(await launchUntilReady(toStart, options)));
    const order = new Map(definitions.map((definition, index) => [definition.name, index]));
    results.sort((a, b) => (order.get(a.name) ?? 0) - (order.get(b.name) ?? 0));
    return {
      alreadyRunning: toStart.length === 0,
      services: results,
      endpoints: localStackEndpoints(options),
      totalMs: Date.now() - started,
    };
  });
}

interface RunningService {
  definition: ServiceDefinition;
  record: ProcessRecord;
}

/** Which services run already (ours, on the same ports) and which to start; forgets pid files of dead ones. */
async function sortServices(definitions: ServiceDefinition[], options: LocalStackOptions) {
  const observed = await Promise.all(
    definitions.map((definition) => observe(options.stateDir, definition.name)),
  );
  const running: RunningService[] = [];
  const toStart: ServiceDefinition[] = [];
  for (const [index, definition] of definitions.entries()) {
    const current = observed[index];
    if (current?.owned && current.record) {
      const recorded = current.record.ports.join(',');
      if (recorded !== definition.ports.join(',')) {
        throw new Error(
          `${definition.name} is already running (pid ${current.record.pid}) on port(s) ${recorded}, not ` +
            `${definition.ports.join(',')}; run \`down\` first to change ports`,
        );
      }
      running.push({ definition, record: current.record });
      continue;
    }
    if (current?.record) {
      options.log(
        `${definition.name}: pid ${current.record.pid} from an earlier up is gone; starting it again`,
      );
      await removePidFile(pidFilePath(options.stateDir, definition.name));
    }
    toStart.push(definition);
  }
  return { running, toStart };
}

/**
 * Running is not ready (an earlier `up` may have been interrupted while it waited): confirms that each service
 * found running answers, so `up` returning always means a usable stack.
 */
async function confirmReady(running: RunningService[], options: LocalStackOptions): Promise<void> {
  await Promise.all(
    running.map(async ({ definition, record }) => {
      try {
        await waitUntilReady(definition.probe, {
          deadlineMs: options.readyTimeoutMs,
          isAlive: () => isOwnedProcess(record, options.stateDir),
        });
      } catch (error) {
        throw new Error(
          `${definition.name} (pid ${record.pid}) runs but is not ready: ${(error as Error).message}\n` +
            `${await crashReport(options.stateDir, definition.name)}`,
        );
      }
    }),
  );
}

/**
 * Prepares (downloads, venv, storage formatting, in parallel), launches and waits for each service; on any
 * failure stops exactly what it launched before it throws. A service's time to ready runs from its launch to its
 * first answered request, whatever it does before it answers (the emulator restores its state first).
 */
async function launchUntilReady(
  toStart: ServiceDefinition[],
  options: LocalStackOptions,
): Promise<ServiceUpResult[]> {
  await assertPortsFree(toStart, options.log);
  const launchSpecs = await Promise.all(toStart.map((definition) => definition.prepare()));
  const launched: RunningService[] = [];
  try {
    for (const [index, definition] of toStart.entries()) {
      const spec = launchSpecs[index];
      if (!spec) throw new Error(`no launch spec for ${definition.name}`);
      const record = await launchDetached(spec, pidFilePath(options.stateDir, definition.name));
      launched.push({ definition, record });
      options.log(`${definition.name}: started pid ${record.pid}, waiting until ready`);
    }
    const readyTimes = await Promise.all(launched.map((service) => waitForLaunched(service, options)));
    return launched.map(({ definition, record }, index) => {
      const readyMs = readyTimes[index];
      options.log(
        `${definition.name}: ready in ${((readyMs ?? 0) / 1000).toFixed(1)} s at ${definition.address}`,
      );
      return { name: definition.name, pid: record.pid, outcome: 'started', readyMs };
    });
  } catch (error) {
    // Leave nothing half-started behind: stop exactly what this call launched.
    await Promise.all(
      launched.map(async ({ definition, record }) => {
        await stopOwnedProcess(record, options.stateDir, definition.stopGraceMs).catch(() => undefined);
        await removePidFile(pidFilePath(options.stateDir, definition.name));
      }),
    );
    throw error;
  }
}

async function waitForLaunched({ definition, record }: RunningService, options: LocalStackOptions) {
  try {
    return await waitUntilReady(definition.probe, {
      deadlineMs: options.readyTimeoutMs,
      isAlive: () => isOwnedProcess(record, options.stateDir),
    });
  } catch (error) {
    const what = error instanceof ServiceExitedError ? 'exited during start' : 'did not become ready';
    throw new Error(
      `${definition.name} ${what}: ${(error as Error).message}\n${await crashReport(options.stateDir, definition.name)}`,
    );
  }
}

/**
 * Stops every service that has a pid file in the state dir (whatever is enabled now), by pid, only
 * after proving the pid is still ours; SIGTERM, then SIGKILL after the service's grace period.
 */
export async function downLocalStack(input?: LocalStackOptions | Overrides): Promise<DownResult> {
  const options = optionsFrom(input);
  return withStateDirLock(options.stateDir, async () => {
    const graceByName = new Map(
      serviceDefinitions({ ...options, simulator: true }).map((definition) => [
        definition.name,
        definition.stopGraceMs,
      ]),
    );
    // Stopped in parallel: Kafka's clean shutdown dominates and the others need not wait for it.
    const services = await Promise.all(
      SERVICE_NAMES.map(async (name) => {
        const pidFile = pidFilePath(options.stateDir, name);
        const record = await readProcessRecord(pidFile);
        if (!record) return { name, pid: undefined, outcome: 'not-running' as const };
        const outcome = await stopOwnedProcess(record, options.stateDir, graceByName.get(name) ?? 10_000);
        await removePidFile(pidFile);
        return {
          name,
          pid: record.pid,
          outcome: outcome === 'not-running' ? ('stale-pid-file' as const) : outcome,
        };
      }),
    );
    return { services, leftovers: findProcessesMentioning(`${options.stateDir}${path.sep}`) };
  });
}

function withRecordedPorts(
  options: LocalStackOptions,
  name: ServiceName,
  record: ProcessRecord | undefined,
): LocalStackOptions {
  const [first, second] = record?.ports ?? [];
  if (first === undefined) return options;
  if (name === 'kafka')
    return { ...options, kafkaPort: first, kafkaControllerPort: second ?? options.kafkaControllerPort };
  if (name === 'aws') return { ...options, awsPort: first };
  return { ...options, simulatorPort: first };
}

/** Each service's state; running services get one quick readiness request. */
export async function localStackStatus(input?: LocalStackOptions | Overrides): Promise<ServiceStatus[]> {
  const options = optionsFrom(input);
  const enabled = new Set(serviceDefinitions(options).map((definition) => definition.name));
  return Promise.all(
    SERVICE_NAMES.map(async (name): Promise<ServiceStatus> => {
      const { record, owned } = await observe(options.stateDir, name);
      // Probe and show the ports the process was started with, even if the environment changed since.
      const definition = serviceDefinitions({
        ...withRecordedPorts(options, name, record),
        simulator: true,
      }).find((candidate) => candidate.name === name);
      const base = {
        name,
        pid: record?.pid,
        address: definition?.address,
        logFile: logFilePath(options.stateDir, name),
        logTail: undefined,
        ready: false,
      };
      if (!record) return { ...base, state: enabled.has(name) ? 'stopped' : 'disabled' };
      if (!owned) return { ...base, state: 'crashed', logTail: await crashReport(options.stateDir, name) };
      const ready = await (definition?.probe() ?? Promise.reject(new Error('unknown service'))).then(
        () => true,
        () => false,
      );
      return { ...base, state: 'running', ready };
    }),
  );
}
