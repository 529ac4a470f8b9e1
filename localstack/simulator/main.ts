/**
 * CLI for the AlphaVantage simulator, run as a managed process by the local stack:
 *
 *   node --import tsx localstack/simulator/main.ts --port <n> [options]
 *
 * Prints one JSON line `{"message":"alphavantage simulator listening","url":...,"port":...,"pid":...}`
 * on stdout once it listens; `GET /health` answers 200 from then on. SIGTERM/SIGINT close it.
 * Run with --help for the options.
 */
import { parseArgs } from 'node:util';
import { FAULT_MODES, type FaultMode, type FaultRule } from './faults.ts';
import { PLAN_NAMES, type PlanName } from './quotas.ts';
import { createAlphaVantageSimulator } from './server.ts';

const USAGE = `Usage: node --import tsx localstack/simulator/main.ts [options]

  --port <n>                 port to listen on (default 0 = any free port)
  --host <addr>              address to bind (default 127.0.0.1)
  --now <iso-date-time>      pin the simulator clock (default: real time)
  --plan <name>              ${PLAN_NAMES.join(' | ')} (default unlimited)
  --per-second <n>           override the plan's per-second quota
  --per-minute <n>           override the plan's per-minute quota
  --per-day <n>              override the plan's per-day quota
  --unknown-symbols <list>   comma-separated symbols answered as unknown (default INVALID,UNKNOWN)
  --any-symbol               serve every well-formed symbol, not only those LISTING_STATUS lists
  --no-recorded              synthetic company data only (default: recorded overviews/statements, e.g. IBM)
  --api-keys <list>          comma-separated accepted apikeys (default: any non-empty key)
  --demo-key-restricted      apikey=demo only works for IBM, as on AlphaVantage
  --fixtures-dir <dir>       serve matching real responses from this directory
  --csv-line-ending <lf|crlf>  (default lf)
  --fault <mode>             inject a fault: ${FAULT_MODES.join(' | ')}
  --fault-probability <p>    chance per request, 0..1 (default 1)
  --fault-count <n>          only the next n matching requests
  --fault-symbols <list>     only these symbols
  --fault-functions <list>   only these functions
  --fault-status <5xx>       status of http-error (default 503)
  --fault-delay-ms <ms>      delay of the delay fault (default 2000)
  --fault-seed <n>           seed of the fault coin (default 1)
  --log-requests             one JSON line per request on stdout (apikey redacted)
  --help
`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}`);
  process.exit(2);
}

function integer(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) fail(`--${name} must be a non-negative integer`);
  return Number(value);
}

function list(value: string | undefined): string[] | undefined {
  return value
    ?.split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    now: { type: 'string' },
    plan: { type: 'string', default: 'unlimited' },
    'per-second': { type: 'string' },
    'per-minute': { type: 'string' },
    'per-day': { type: 'string' },
    'unknown-symbols': { type: 'string' },
    'api-keys': { type: 'string' },
    'demo-key-restricted': { type: 'boolean', default: false },
    'any-symbol': { type: 'boolean', default: false },
    'no-recorded': { type: 'boolean', default: false },
    'fixtures-dir': { type: 'string' },
    'csv-line-ending': { type: 'string', default: 'lf' },
    fault: { type: 'string' },
    'fault-probability': { type: 'string' },
    'fault-count': { type: 'string' },
    'fault-symbols': { type: 'string' },
    'fault-functions': { type: 'string' },
    'fault-status': { type: 'string' },
    'fault-delay-ms': { type: 'string' },
    'fault-seed': { type: 'string' },
    'log-requests': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
  strict: true,
  allowPositionals: false,
});

if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
if (!(PLAN_NAMES as readonly string[]).includes(values.plan)) fail(`unknown --plan ${values.plan}`);
if (values['csv-line-ending'] !== 'lf' && values['csv-line-ending'] !== 'crlf')
  fail('--csv-line-ending must be lf or crlf');

let faults: FaultRule[] = [];
if (values.fault !== undefined) {
  if (!(FAULT_MODES as readonly string[]).includes(values.fault)) fail(`unknown --fault ${values.fault}`);
  const probability =
    values['fault-probability'] === undefined ? undefined : Number(values['fault-probability']);
  if (probability !== undefined && !(probability >= 0 && probability <= 1))
    fail('--fault-probability must be in 0..1');
  faults = [
    {
      mode: values.fault as FaultMode,
      probability,
      count: integer(values['fault-count'], 'fault-count'),
      symbols: list(values['fault-symbols']),
      functions: list(values['fault-functions']),
      status: integer(values['fault-status'], 'fault-status'),
      delayMs: integer(values['fault-delay-ms'], 'fault-delay-ms'),
    },
  ];
}

const quotas = {
  perSecond: integer(values['per-second'], 'per-second'),
  perMinute: integer(values['per-minute'], 'per-minute'),
  perDay: integer(values['per-day'], 'per-day'),
};
const hasQuotaOverride = Object.values(quotas).some((value) => value !== undefined);

const simulator = await createAlphaVantageSimulator({
  port: integer(values.port, 'port') ?? 0,
  host: values.host,
  now: values.now,
  plan: values.plan as PlanName,
  quotas: hasQuotaOverride
    ? Object.fromEntries(Object.entries(quotas).filter(([, value]) => value !== undefined))
    : undefined,
  unknownSymbols: list(values['unknown-symbols']),
  apiKeys: list(values['api-keys']),
  demoKeyRestricted: values['demo-key-restricted'],
  anySymbol: values['any-symbol'],
  ...(values['no-recorded'] ? { recordedDir: false as const } : {}),
  fixturesDir: values['fixtures-dir'],
  csvLineEnding: values['csv-line-ending'],
  faults,
  faultSeed: integer(values['fault-seed'], 'fault-seed'),
  log: values['log-requests'] ? (line) => process.stdout.write(`${JSON.stringify(line)}\n`) : undefined,
});

process.stdout.write(
  `${JSON.stringify({ message: 'alphavantage simulator listening', url: simulator.url, port: simulator.port, pid: process.pid, plan: values.plan })}\n`,
);

let closing = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    simulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
