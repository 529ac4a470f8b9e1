/**
 * The `horton` CLI, run as an operator runs it (`cli/horton.mjs` in a child process), against the real local
 * pipeline served as `npm start -- --serve` serves it: real broker, real emulator, the real handlers, the
 * operations and backfill functions behind the local Lambda Invoke API. Only AlphaVantage is simulated.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DeleteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { routeHandlerLogs } from '../../localstack/runner/handler-logs.ts';
import { handlerLogDir, servePipeline } from '../../localstack/serve.ts';
import { resolveConfig } from '../../model/config.ts';
import { HANDLER_NAMES } from '../../model/handlers.ts';
import { REDRIVE_HEADER } from '../../model/operations.ts';
import { serviceNameOf } from '../../model/settings.ts';
import { COMMAND_ROLES, type E2eEnvironment, startE2e } from '../support/e2e-harness.ts';
import { readTopic } from '../support/kafka.ts';
import { readmeSamples, SAMPLES, shape } from '../support/readme-samples.ts';

// Each CLI run is a fresh Node process loading TypeScript; a backfill waits for the handlers on a shared machine.
vi.setConfig({ testTimeout: 180_000 });

const CLI = path.resolve('cli/horton.mjs');
let environment: E2eEnvironment;
let stopServing: (() => Promise<void>) | undefined;
let stopLogRouting: (() => Promise<void>) | undefined;
const stateDir = inject('localStackConfig').stateDir;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function horton(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { ...process.env, HORTON_STATE_DIR: stateDir, ...env }, timeout: 180_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Records on every command topic right now (to prove a rejected command published nothing). */
async function commandTopicEnds(): Promise<number> {
  const admin = environment.kafka.admin();
  await admin.connect();
  try {
    let total = 0;
    for (const role of COMMAND_ROLES) {
      for (const partition of await admin.fetchTopicOffsets(environment.config.topics[role].name))
        total += Number(partition.high);
    }
    return total;
  } finally {
    await admin.disconnect();
  }
}

beforeAll(async () => {
  environment = await startE2e({
    endpoints: inject('localStack'),
    name: 'cli',
    include: HANDLER_NAMES,
    // As `npm start` runs them: the default indicators (computed from the stored closes after history, as the
    // README samples show them), INFO, each handler's lines in its own file (`horton logs`).
    config: { indicators: resolveConfig({}).indicators },
    handlerLogLevel: 'INFO',
  });
  stopLogRouting = routeHandlerLogs({
    dir: handlerLogDir(stateDir),
    services: new Map(HANDLER_NAMES.map((name) => [serviceNameOf(environment.config.prefix, name), name])),
  });
  stopServing = await servePipeline({
    pipeline: environment.pipeline,
    config: environment.config,
    endpoints: inject('localStack'),
    stateDir,
    log: () => {},
  });
});

afterAll(async () => {
  await stopServing?.();
  await environment?.stop();
  await stopLogRouting?.();
});

describe('horton backfill', () => {
  it('follows the backfill to completion, reporting progress, and summarises what was stored', async () => {
    const run = await horton(['backfill', '--symbols', 'IBM', '--datasets', 'history,quote']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    // Without a terminal, progress is printed as lines; the last one shows every record handled.
    expect(run.stdout).toMatch(/progress: history 0\/1|progress: history 1\/1/);
    expect(run.stdout).toMatch(/progress: history 1\/1, quote 1\/1/);
    expect(run.stdout).toContain('Done.');
    const history = await environment.doc.send(
      new QueryCommand({
        TableName: environment.tables.yearlyExtremes,
        KeyConditionExpression: 'symbol = :s',
        ExpressionAttributeValues: { ':s': 'IBM' },
      }),
    );
    expect(history.Items?.length).toBeGreaterThan(0);
  });

  it('reports dead-lettered commands with their reason in the summary (--json), exit 1', async () => {
    const run = await horton(['--json', 'backfill', '--symbols', 'INVALID', '--datasets', 'quote']);
    expect(run.code).toBe(1);
    const result = JSON.parse(run.stdout) as {
      summary: Record<
        string,
        { handled: number; stored: number; deadLettered: number; reasons: Record<string, number> }
      >;
    };
    expect(result.summary.quote).toMatchObject({ handled: 1, stored: 0, deadLettered: 1 });
    expect(Object.keys(result.summary.quote?.reasons ?? {})).toEqual(['no-data']);
  });
});

describe('horton show', () => {
  it('prints the stored yearly close extremes', async () => {
    const run = await horton(['show', 'ibm', '--years', '100']);
    expect(run.code).toBe(0);
    const { Items = [] } = await environment.doc.send(
      new QueryCommand({
        TableName: environment.tables.yearlyExtremes,
        KeyConditionExpression: 'symbol = :s',
        ExpressionAttributeValues: { ':s': 'IBM' },
      }),
    );
    expect(Items.length).toBeGreaterThan(0);
    for (const year of Items) {
      const row = run.stdout.split('\n').find((line) => line.includes(`│ ${year.year} `));
      expect(row, `row of ${year.year}`).toBeDefined();
      expect(row).toContain(Number(year.highClose).toFixed(2));
      expect(row).toContain(String(year.highDate));
      expect(row).toContain(Number(year.lowClose).toFixed(2));
      expect(row).toContain(String(year.lowDate));
    }
    expect(run.stdout).toContain('Daily close');
  });
});

describe('horton dead-letters', () => {
  interface Letter {
    partition: number;
    offset: string;
    redriveOf?: { offset: string };
    redriven?: { failedAgainAs?: { offset: string } };
  }
  interface Redrive {
    dryRun: boolean;
    sent: Array<{ offset: string }>;
    skipped: Array<{ offset: string; why: string }>;
    outcome?: { stored: number; deadLetteredAgain: Letter[] };
  }
  let original: string;

  it('lists dead letters grouped by handler and reason', async () => {
    const run = await horton(['--json', 'dead-letters', 'list']);
    expect(run.code).toBe(0);
    const { groups, deadLetters } = JSON.parse(run.stdout) as {
      groups: Array<{ handler: string; reason: string; count: number }>;
      deadLetters: Letter[];
    };
    expect(groups).toContainEqual(
      expect.objectContaining({ handler: `${environment.config.prefix}-quote`, reason: 'no-data', count: 1 }),
    );
    original = deadLetters[0]?.offset ?? '';
  });

  it('shows what a redrive would send without sending it (--dry-run)', async () => {
    const before = await commandTopicEnds();
    const run = await horton(['--json', 'dead-letters', 'redrive', '--dry-run']);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as Redrive;
    expect(report.dryRun).toBe(true);
    expect(report.sent.map((sent) => sent.offset)).toEqual([original]);
    expect(await commandTopicEnds()).toBe(before);
  });

  it('redrives a letter that always fails once, reports it dead-lettered again (exit 1), and never loops', async () => {
    const run = await horton(['--json', 'dead-letters', 'redrive', original, '--wait', '--timeout', '120']);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as Redrive;
    expect(report.sent.map((sent) => sent.offset)).toEqual([original]);
    expect(report.outcome?.stored).toBe(0);
    expect(report.outcome?.deadLetteredAgain.map((letter) => letter.redriveOf?.offset)).toEqual([original]);
    const again = report.outcome?.deadLetteredAgain[0]?.offset;

    const next = await horton(['--json', 'dead-letters', 'redrive', '--reason', 'no-data']);
    expect(next.code).toBe(0);
    const skipped = JSON.parse(next.stdout) as Redrive;
    expect(skipped.sent).toEqual([]);
    expect(skipped.skipped).toEqual([
      { partition: 0, offset: original, why: expect.stringContaining(`failed again as 0:${again}`) },
      { partition: 0, offset: again, why: expect.stringContaining('--force') },
    ]);

    const list = await horton(['--wide', 'dead-letters', 'list']);
    expect(list.stdout).toContain(`redriven, failed again as ${again}`);
    expect(list.stdout).toContain(`failed again: redrive of ${original}`);
    expect(list.stdout).toMatch(/Offsets not listed are redrive markers \(1\)/);
  });

  it('redrives a letter that failed again with --force once the cause is fixed, and waits for it to be stored', async () => {
    // INVALID is not listed: the simulator serves it only once it serves any well-formed symbol.
    environment.simulator.configure({ unknownSymbols: [], anySymbol: true });
    const list = JSON.parse((await horton(['--json', 'dead-letters', 'list'])).stdout) as {
      deadLetters: Letter[];
    };
    const again = list.deadLetters.find((letter) => letter.redriveOf)?.offset ?? '';
    const run = await horton([
      '--json',
      'dead-letters',
      'redrive',
      again,
      '--force',
      '--wait',
      '--timeout',
      '120',
    ]);
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as Redrive).outcome).toEqual({ stored: 1, deadLetteredAgain: [] });

    const second = await horton(['--json', 'dead-letters', 'redrive']);
    expect(second.code).toBe(0);
    expect((JSON.parse(second.stdout) as Redrive).sent).toEqual([]);

    const quotes = await readTopic(environment.kafka, environment.config.topics.quote.name);
    const redriven = quotes.filter((record) => record.headers[REDRIVE_HEADER] !== undefined);
    expect(redriven.map((record) => record.headers[REDRIVE_HEADER])).toEqual([`0:${original}`, `0:${again}`]);
    const first = quotes.find(
      (record) => record.key?.toString() === 'INVALID' && !record.headers[REDRIVE_HEADER],
    );
    for (const record of redriven) expect(record.value?.toString()).toBe(first?.value?.toString());
  });
});

describe('horton send and status', () => {
  it('publishes a valid command, filling in the envelope', async () => {
    const before = await commandTopicEnds();
    const run = await horton(['send', 'quote', '{"symbol":"MSFT"}']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`to ${environment.config.topics.quote.name}`);
    expect(await commandTopicEnds()).toBe(before + 1);
  });

  it.each([
    [['send', 'quotes', '{"symbol":"IBM"}'], /unknown dataset "quotes"/],
    [['send', 'quote', '{"symbol":'], /not valid JSON/],
    [['send', 'quote', '{"symbol":"I B M"}'], /symbol/],
    [
      ['send', 'quote', JSON.stringify({ symbol: 'IBM', issuedAt: new Date(Date.now() + 365 * 86_400_000) })],
      /issuedAt: .* is in the future/,
    ],
    [['backfill', '--symbols', 'IB$M', '--datasets', 'history'], /--symbols: "IB\$M" is not a ticker symbol/],
    [['backfill', '--symbols', 'IBM', '--datasets', 'prices'], /--datasets: unknown dataset "prices"/],
    [['show', 'not a symbol'], /is not a ticker symbol/],
    [['show', 'IBM', '--days', '0'], /--days: "0" is not a positive integer/],
    [['symbols', '--after', 'a b'], /--after: "a b" is not a ticker symbol/],
    [['dead-letters', 'show', 'x1'], /<offset>: "x1" is not an offset/],
    [['dead-letters', 'list', '--since', 'yesterday'], /--since: "yesterday"/],
    [['dead-letters', 'redrive', '--dry-run', '--wait'], /--wait: a --dry-run sends nothing/],
    [['dead-letters', 'redrive', '0:x'], /<offset>: "0:x" is not an offset/],
    [['logs', 'quotes'], /unknown handler "quotes"/],
    [['logs', '--level', 'loud'], /--level: "loud"/],
    // Commander's own errors, through the same one-line formatter.
    [['backfill', '--symbols', 'IBM'], /^horton: required option '--datasets <list>' not specified/],
    [['status', '--frobnicate'], /^horton: unknown option '--frobnicate'/],
    [['statu'], /^horton: unknown command 'statu' \(Did you mean status\?\)/],
    [['send', 'quote'], /^horton: missing required argument 'json'/],
  ])('rejects %j with one line, exit code 2, and publishes nothing', async (args, message) => {
    const before = await commandTopicEnds();
    const run = await horton(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toMatch(/^horton: /);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stdout).toBe('');
    expect(await commandTopicEnds()).toBe(before);
  });

  it('shows lag, dead letters and schedules', async () => {
    await environment.pipeline.waitUntilIdle({ timeoutMs: 60_000 });
    const run = await horton(['--json', 'status']);
    expect(run.code).toBe(0);
    const status = JSON.parse(run.stdout) as {
      handlers: Array<{ handler: string; lag: number; lastProcessedAt?: string }>;
      deadLetters: { total: number; redriven: number };
      schedules: Array<{ name: string; nextDue?: string }>;
      quotaUsedToday: unknown;
    };
    expect(status.handlers.map((h) => h.handler).sort()).toEqual(
      ['history', 'indicators', 'overview', 'quote', 'securities'].sort(),
    );
    expect(status.handlers.every((h) => h.lag === 0)).toBe(true);
    expect(status.handlers.find((h) => h.handler === 'quote')?.lastProcessedAt).toBeDefined();
    expect(status.deadLetters).toMatchObject({ total: 2, redriven: 2 });
    expect(status.schedules.map((s) => s.name)).toEqual(environment.config.schedules.map((s) => s.name));
    expect(status.schedules.every((s) => s.nextDue !== undefined)).toBe(true);
  });

  it('names the state dir it looked at and the quota as used / cap / resets at', async () => {
    const run = await horton(['status']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`state dir ${stateDir}`);
    expect(run.stdout).toMatch(
      /AlphaVantage calls today: \d+ used \/ (\d+ cap|no daily cap) \(\w+, \d+\/min\); resets \d{4}-\d{2}-\d{2}T00:00Z/,
    );
  });

  it('says how to start a pipeline when none is serving, names the state dir (exit 3)', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'horton-cli-'));
    const run = await horton(['status'], { HORTON_STATE_DIR: empty }).finally(() =>
      rmSync(empty, { recursive: true, force: true }),
    );
    expect(run.code).toBe(3);
    expect(run.stdout).toContain('npm start -- --serve');
    expect(run.stdout).toContain(`State dir: ${empty}`);
  });

  it.each([
    [['backfill', '--symbols', 'IBM', '--datasets', 'quote']],
    [['send', 'quote', '{"symbol":"IBM"}']],
    [['dead-letters', 'list']],
    [['dead-letters', 'show', '0']],
    [['dead-letters', 'redrive']],
    [['show', 'IBM']],
    [['symbols']],
    [['logs']],
  ])('%j with nothing serving: one line, exit 3', async (args) => {
    const empty = mkdtempSync(path.join(tmpdir(), 'horton-cli-'));
    const run = await horton(args, { HORTON_STATE_DIR: empty }).finally(() =>
      rmSync(empty, { recursive: true, force: true }),
    );
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^horton: no local Horton pipeline is serving/);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it.each([
    [['dead-letters', 'show', '999'], /no dead letter at .* offset 999/],
    [['dead-letters', 'redrive', '999'], /no dead letter at .* offset 999/],
    [['show', 'ZZZZ'], /nothing is stored for ZZZZ/],
  ])('%j: not found, one line, exit 4', async (args, message) => {
    const run = await horton(args);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('horton symbols, logs and terminal width', () => {
  it('lists the stored symbols with the freshness of each dataset, marked simulated (--json, --csv)', async () => {
    const run = await horton(['--json', 'symbols']);
    expect(run.code).toBe(0);
    const { symbols, simulated } = JSON.parse(run.stdout) as {
      symbols: Array<{ symbol: string; historyLastDay?: string; quoteTradingDay?: string }>;
      simulated: boolean;
    };
    expect(simulated).toBe(true);
    const ibm = symbols.find((entry) => entry.symbol === 'IBM');
    expect(ibm?.historyLastDay).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(ibm?.quoteTradingDay).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const csv = await horton(['symbols', '--csv']);
    expect(csv.stdout.split('\n')[0]).toBe(
      'symbol,name,overviewCollectedAt,historyLastDay,quoteTradingDay,indicatorsLatestDay,indicators',
    );
    expect(csv.stdout).toContain(`IBM,`);
  });

  it('marks simulated data in show', async () => {
    const run = await horton(['show', 'IBM']);
    expect(run.stdout.split('\n')[1]).toMatch(/simulated data/);
  });

  it.each([[['status']], [['dead-letters', 'list']], [['show', 'IBM', '--years', '100']], [['symbols']]])(
    '%j fits 100 columns; --wide lifts the limit',
    async (args) => {
      const run = await horton(args);
      expect(run.code).toBe(0);
      const widest = Math.max(...run.stdout.split('\n').map((line) => line.length));
      expect(widest).toBeLessThanOrEqual(100);
    },
  );

  it('lifts the 100-column limit with --wide', async () => {
    const run = await horton(['--wide', 'status']);
    expect(Math.max(...run.stdout.split('\n').map((line) => line.length))).toBeGreaterThan(100);
  });

  it("prints the handlers' log lines as Powertools wrote them (JSON off a terminal)", async () => {
    const run = await horton(['logs', 'quote', '--since', '1h']);
    expect(run.code).toBe(0);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { service: string; level: string });
    expect(lines.length).toBeGreaterThan(0);
    expect(new Set(lines.map((line) => line.service))).toEqual(
      new Set([serviceNameOf(environment.config.prefix, 'quote')]),
    );
  });

  it("follows the handlers' logs while a backfill runs (--follow)", async () => {
    const follower = spawn(process.execPath, [CLI, 'logs', 'history', '--follow', '--since', '1s'], {
      env: { ...process.env, HORTON_STATE_DIR: stateDir },
    });
    let seen = '';
    follower.stdout.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
    });
    try {
      // Let the follower read the files' current ends before the backfill writes new lines.
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      const backfill = await horton(['backfill', '--symbols', 'MSFT', '--datasets', 'history']);
      expect(backfill.code).toBe(0);
      await vi.waitFor(() => expect(seen).toMatch(/"message":"batch done"/), {
        timeout: 20_000,
        interval: 500,
      });
    } finally {
      if (follower.pid) process.kill(follower.pid);
    }
  });
});

describe('README samples', () => {
  it('are the sample commands of `npm run readme-samples`, with their exit codes, in order', () => {
    const samples = readmeSamples();
    expect(samples.map((sample) => sample.args)).toEqual(SAMPLES);
  });

  it('print nothing the CLI does not print now (each line shape of README is in a run of the same command)', async () => {
    // As on a fresh local run: INVALID is a symbol AlphaVantage does not know.
    environment.simulator.configure({ unknownSymbols: ['INVALID'], anySymbol: false });
    // As on a fresh run: no INVALID quote stored yet (an earlier test here stored one once the cause was fixed),
    // and none of its answers without data remembered yet (earlier tests here asked for it).
    await environment.doc.send(
      new DeleteCommand({ TableName: environment.tables.quotes, Key: { symbol: 'INVALID' } }),
    );
    const remembered = await environment.doc.send(
      new QueryCommand({
        TableName: environment.tables.noData,
        KeyConditionExpression: 'symbol = :symbol',
        ExpressionAttributeValues: { ':symbol': 'INVALID' },
      }),
    );
    for (const item of remembered.Items ?? []) {
      await environment.doc.send(
        new DeleteCommand({
          TableName: environment.tables.noData,
          Key: { symbol: 'INVALID', dataset: item.dataset },
        }),
      );
    }
    for (const sample of readmeSamples()) {
      // As a person types them, seconds apart: what a command started (e.g. the indicators computed after a
      // history backfill) is done before the next one looks.
      await environment.pipeline.waitUntilIdle({ timeoutMs: 60_000 });
      const run = await horton(sample.args);
      expect(run.code, sample.args.join(' ')).toBe(sample.code);
      const now = new Set(shape(`${run.stdout}${run.stderr}`, environment.config.prefix));
      const missing = shape(sample.output).filter((line) => !now.has(line));
      expect(missing, `README lines of \`horton ${sample.args.join(' ')}\` the CLI no longer prints`).toEqual(
        [],
      );
    }
  });
});
