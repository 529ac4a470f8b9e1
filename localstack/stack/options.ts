import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The services the stack manages, in start order. */
export const SERVICE_NAMES = ['kafka', 'aws', 'simulator'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface LocalStackOptions {
  /** Repository root: the simulator entry point and the default cache/state folders live under it. */
  rootDir: string;
  /** Absolute folder holding this stack's pid files, logs, generated configs and Kafka data. */
  stateDir: string;
  /** Absolute folder holding downloads shared by every stack (Kafka jars, the emulator venv). */
  cacheDir: string;
  kafkaPort: number;
  kafkaControllerPort: number;
  awsPort: number;
  simulatorPort: number;
  /** Manage the AlphaVantage simulator as a third service. */
  simulator: boolean;
  /** Extra arguments handed to the simulator after `--port <n>`. */
  simulatorArgs: string[];
  /** Maximum JVM heap of the broker, e.g. `512m`. */
  kafkaHeap: string;
  /** Java launcher; defaults to $JAVA_HOME/bin/java, then `java` on PATH. */
  javaCommand: string;
  /** Python used to create the emulator venv (3.11+). */
  pythonCommand: string;
  /** How long `up` waits for every service to answer a real request. */
  readyTimeoutMs: number;
  /** Progress messages (`up` prints them; tests may silence them). */
  log: (message: string) => void;
}

export interface LocalStackEndpoints {
  /** Bootstrap brokers for kafkajs, `host:port`. */
  kafkaBrokers: string[];
  /** Endpoint URL for every AWS SDK client (moto serves all services on one port). */
  awsEndpoint: string;
  /** Region the local clients use; moto accepts any, this one matches the default deployment. */
  awsRegion: string;
  /** Base URL of the AlphaVantage simulator, undefined when the stack does not manage it. */
  simulatorUrl: string | undefined;
}

export const LOOPBACK_HOST = '127.0.0.1';
const LOCAL_AWS_REGION = 'us-east-1';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Repository root, found from this file's location so that commands work from any working directory. */
export function repoRoot(): string {
  return repositoryRoot;
}

/** Entry point of the AlphaVantage simulator written by its own module; the stack only launches it. */
export function simulatorEntryPoint(rootDir: string): string {
  return path.join(rootDir, 'localstack', 'simulator', 'main.ts');
}

/** A HORTON_* setting of the local stack is invalid: a usage error, reported in one line naming the variable. */
export class LocalStackSettingError extends Error {
  override readonly name = 'LocalStackSettingError';
}

function portFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new LocalStackSettingError(`${name}=${raw} is not a TCP port (1-65535)`);
  }
  return port;
}

function flagFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new LocalStackSettingError(`${name}=${raw} is not a boolean (use 1/0, true/false)`);
}

function defaultJava(env: NodeJS.ProcessEnv): string {
  if (env.HORTON_JAVA) return env.HORTON_JAVA;
  if (env.JAVA_HOME) return path.join(env.JAVA_HOME, 'bin', 'java');
  return 'java';
}

/**
 * Options from environment variables with the documented defaults; `overrides` win over both
 * (the test setup uses them for its private state dir and free ports).
 */
export function resolveLocalStackOptions(
  overrides: Partial<LocalStackOptions> = {},
  env: NodeJS.ProcessEnv = process.env,
): LocalStackOptions {
  const rootDir = overrides.rootDir ?? repositoryRoot;
  const stateDir = path.resolve(rootDir, overrides.stateDir ?? env.HORTON_STATE_DIR ?? '.horton/local');
  const cacheDir = path.resolve(rootDir, overrides.cacheDir ?? env.HORTON_CACHE_DIR ?? '.horton/cache');
  const options: LocalStackOptions = {
    rootDir,
    stateDir,
    cacheDir,
    kafkaPort: portFromEnv(env, 'HORTON_KAFKA_PORT', 9092),
    kafkaControllerPort: portFromEnv(env, 'HORTON_KAFKA_CONTROLLER_PORT', 9093),
    awsPort: portFromEnv(env, 'HORTON_AWS_PORT', 4566),
    simulatorPort: portFromEnv(env, 'HORTON_SIMULATOR_PORT', 8787),
    // On by default when the simulator exists, so a checkout without it still gets Kafka + AWS.
    simulator: flagFromEnv(env, 'HORTON_SIMULATOR', existsSync(simulatorEntryPoint(rootDir))),
    // Whitespace-separated extra simulator options, e.g. HORTON_SIMULATOR_ARGS='--plan free --log-requests'.
    simulatorArgs: (env.HORTON_SIMULATOR_ARGS ?? '').split(/\s+/).filter((arg) => arg !== ''),
    kafkaHeap: env.HORTON_KAFKA_HEAP ?? '512m',
    javaCommand: defaultJava(env),
    pythonCommand: env.HORTON_PYTHON ?? 'python3',
    readyTimeoutMs: 120_000,
    log: (message) => process.stdout.write(`${message}\n`),
    ...overrides,
  };
  // Overrides may carry relative paths too; everything downstream (pid ownership checks) needs absolute ones.
  options.stateDir = path.resolve(rootDir, options.stateDir);
  options.cacheDir = path.resolve(rootDir, options.cacheDir);
  assertDistinctPorts(options);
  return options;
}

function assertDistinctPorts(options: LocalStackOptions): void {
  const ports = new Map<number, string>();
  const wanted: Array<[string, number, boolean]> = [
    ['kafka', options.kafkaPort, true],
    ['kafka controller', options.kafkaControllerPort, true],
    ['aws emulator', options.awsPort, true],
    ['simulator', options.simulatorPort, options.simulator],
  ];
  for (const [label, port, used] of wanted) {
    if (!used) continue;
    const clash = ports.get(port);
    if (clash) throw new LocalStackSettingError(`port ${port} is configured for both ${clash} and ${label}`);
    ports.set(port, label);
  }
}

/** Where clients reach the stack started with these options. */
export function localStackEndpoints(options: LocalStackOptions): LocalStackEndpoints {
  return {
    kafkaBrokers: [`${LOOPBACK_HOST}:${options.kafkaPort}`],
    awsEndpoint: `http://${LOOPBACK_HOST}:${options.awsPort}`,
    awsRegion: LOCAL_AWS_REGION,
    simulatorUrl: options.simulator ? `http://${LOOPBACK_HOST}:${options.simulatorPort}` : undefined,
  };
}
