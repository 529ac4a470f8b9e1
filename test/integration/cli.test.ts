/**
 * The `horton` CLI, run as an operator runs it (`cli/horton.mjs` in a child process), against the real local
 * pipeline served as `npm start -- --serve` serves it: real broker, real emulator, the real handlers, the
 * operations and backfill functions behind the local Lambda Invoke API. Only AlphaVantage is simulated.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { servePipeline } from '../../localstack/serve.ts';
import { HANDLER_NAMES } from '../../model/handlers.ts';
import { REDRIVE_HEADER } from '../../model/operations.ts';
import { COMMAND_ROLES, type E2eEnvironment, startE2e } from '../support/e2e-harness.ts';
import { readTopic } from '../support/kafka.ts';

// Each CLI run is a fresh Node process loading TypeScript; a backfill waits for the handlers on a shared machine.
vi.setConfig({ testTimeout: 180_000 });

const CLI = path.resolve('cli/horton.mjs');
let environment: E2eEnvironment;
let stopServing: (() => Promise<void>) | undefined;
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

  it('reports dead-lettered commands with their reason in the summary (--json)', async () => {
    const run = await horton(['--json', 'backfill', '--symbols', 'INVALID', '--datasets', 'quote']);
    expect(run.code).toBe(0);
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
  it('lists dead letters grouped by handler and reason', async () => {
    const run = await horton(['--json', 'dead-letters', 'list']);
    expect(run.code).toBe(0);
    const { groups } = JSON.parse(run.stdout) as {
      groups: Array<{ handler: string; reason: string; count: number }>;
    };
    expect(groups).toContainEqual(
      expect.objectContaining({ handler: `${environment.config.prefix}-quote`, reason: 'no-data', count: 1 }),
    );
  });

  it('redrives each dead letter once, with its original key and value, after the cause is fixed', async () => {
    // INVALID is not listed: the simulator serves it only once it serves any well-formed symbol.
    environment.simulator.configure({ unknownSymbols: [], anySymbol: true });
    const first = await horton(['--json', 'dead-letters', 'redrive', '--reason', 'no-data']);
    expect(first.code).toBe(0);
    expect((JSON.parse(first.stdout) as { sent: unknown[] }).sent).toHaveLength(1);
    await environment.pipeline.waitUntilIdle({ timeoutMs: 60_000 });

    const second = await horton(['--json', 'dead-letters', 'redrive']);
    expect(second.code).toBe(0);
    const report = JSON.parse(second.stdout) as { sent: unknown[]; skipped: Array<{ why: string }> };
    expect(report.sent).toEqual([]);
    expect(report.skipped.some((skip) => skip.why.startsWith('already redriven'))).toBe(true);

    const quotes = await readTopic(environment.kafka, environment.config.topics.quote.name);
    const redriven = quotes.filter((record) => record.headers[REDRIVE_HEADER] !== undefined);
    expect(redriven).toHaveLength(1);
    expect(redriven[0]?.key?.toString()).toBe('INVALID');
    const original = quotes.find(
      (record) => record.key?.toString() === 'INVALID' && !record.headers[REDRIVE_HEADER],
    );
    expect(redriven[0]?.value?.toString()).toBe(original?.value?.toString());
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
  ])('rejects %j with one line, exit code 2, and publishes nothing', async (args, message) => {
    const before = await commandTopicEnds();
    const run = await horton(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
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
    expect(status.deadLetters).toMatchObject({ total: 1, redriven: 1 });
    expect(status.schedules.map((s) => s.name)).toEqual(environment.config.schedules.map((s) => s.name));
    expect(status.schedules.every((s) => s.nextDue !== undefined)).toBe(true);
  });

  it('says how to start a pipeline when none is serving (exit 3)', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'horton-cli-'));
    const run = await horton(['status'], { HORTON_STATE_DIR: empty }).finally(() =>
      rmSync(empty, { recursive: true, force: true }),
    );
    expect(run.code).toBe(3);
    expect(run.stdout).toContain('npm start -- --serve');
  });
});
