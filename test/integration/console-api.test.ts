/**
 * The console's API as the pages call it, on the real local pipeline (`horton console` in a child process):
 * the universe at full size (7,555 listings) paged and searched by the server, the no-data memory paged and
 * shown as a freshness state, and `--stack` without credentials (one line in the page and in the terminal). The
 * console against a stack's names is console-stack.test.ts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BatchWriteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { servePipeline } from '../../localstack/serve.ts';
import { rememberNoData } from '../../model/domain/no-data.ts';
import { HANDLER_NAMES } from '../../model/handlers.ts';
import { type E2eEnvironment, startE2e } from '../support/e2e-harness.ts';

vi.setConfig({ testTimeout: 120_000 });

const SIMULATOR_NOW = new Date('2007-06-15T21:00:00Z');
const UNIVERSE_SIZE = 7_555;
const CLI = path.resolve('cli/horton.mjs');
const stateDir = inject('localStackConfig').stateDir;
const endpoints = inject('localStack');

let environment: E2eEnvironment;
let stopServing: (() => Promise<void>) | undefined;
const consoles: ChildProcess[] = [];
let workDir = '';
let url = '';

/** `horton [globals] console --port 0 --config <file>`; resolves with its URL and its stderr so far. */
function startConsole(
  globals: string[],
  env: Record<string, string | undefined> = {},
): Promise<{ url: string; stderr: () => string }> {
  const child = spawn(
    process.execPath,
    [CLI, ...globals, 'console', '--port', '0', '--config', path.join(workDir, 'config.json')],
    {
      env: { ...process.env, HORTON_STATE_DIR: stateDir, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  consoles.push(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /Horton console at (http:\/\/\S+)/.exec(stdout);
      if (match?.[1]) resolve({ url: match[1], stderr: () => stderr });
    });
    child.once('exit', (code) => reject(new Error(`horton console exited (${code}): ${stderr}`)));
  });
}

async function api<T>(base: string, route: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  const response = await fetch(new URL(`api/${route}`, base), init);
  return { status: response.status, body: (await response.json()) as T };
}

async function seedUniverse(): Promise<void> {
  const items = Array.from({ length: UNIVERSE_SIZE - 1 }, (_, i) => ({
    symbol: `S${String(i).padStart(4, '0')}`,
    name: `Listed company ${i}`,
    exchange: 'NYSE',
    assetType: 'Stock',
    source: 'listing',
  }));
  items.push({
    symbol: 'IBM',
    name: 'International Business Machines',
    exchange: 'NYSE',
    assetType: 'Stock',
    source: 'listing',
  });
  for (let start = 0; start < items.length; start += 25) {
    await environment.doc.send(
      new BatchWriteCommand({
        RequestItems: {
          [environment.tables.securities]: items
            .slice(start, start + 25)
            .map((Item) => ({ PutRequest: { Item } })),
        },
      }),
    );
  }
}

beforeAll(async () => {
  environment = await startE2e({
    endpoints,
    name: 'conapi',
    include: HANDLER_NAMES,
    simulator: { now: SIMULATOR_NOW },
  });
  stopServing = await servePipeline({
    pipeline: environment.pipeline,
    config: environment.config,
    endpoints,
    stateDir,
    log: () => {},
  });
  await seedUniverse();
  workDir = mkdtempSync(path.join(tmpdir(), 'horton-console-api-'));
  writeFileSync(path.join(workDir, 'config.json'), JSON.stringify(environment.config));
  ({ url } = await startConsole([]));
});

afterAll(async () => {
  for (const child of consoles) if (child.pid && child.exitCode === null) process.kill(child.pid, 'SIGTERM');
  await stopServing?.();
  await environment?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('horton console API', () => {
  it('pages and searches the 7,555 securities on the server', async () => {
    let started = performance.now();
    const last = await api<{ total: number; matches: number; rows: Array<{ symbol: string }> }>(
      url,
      'securities?page=303',
    );
    const coldMs = performance.now() - started;
    expect(last.status).toBe(200);
    expect(last.body).toMatchObject({ total: UNIVERSE_SIZE, matches: UNIVERSE_SIZE });
    expect(last.body.rows).toHaveLength(UNIVERSE_SIZE - 302 * 25);
    started = performance.now();
    await api(url, 'securities?page=2');
    const warmMs = performance.now() - started;
    console.info(
      `console-api: first securities page ${Math.round(coldMs)} ms (reads the universe), next page ${Math.round(warmMs)} ms`,
    );
    const search = await api<{
      matches: number;
      rows: Array<{ symbol: string; freshness: Record<string, string> }>;
    }>(url, 'securities?q=ibm');
    expect(search.body.rows[0]?.symbol).toBe('IBM');
    expect(search.body.rows[0]?.freshness.history).toBe('not collected');
    const byName = await api<{ matches: number }>(url, 'securities?q=company%20123');
    // "company 123" and "company 1230".."company 1239".
    expect(byName.body.matches).toBe(11);
  });

  it('pages the no-data memory and shows a remembered answer as the `no data` freshness state', async () => {
    // Entries as the handlers remember them (model/domain/no-data.ts), asked today: they hold until a later day.
    const now = new Date().toISOString();
    const remembered = [
      ['S0001', 'quote'],
      ['S0001', 'indicator:SMA:daily:20:close'],
      ['S0002', 'overview'],
    ].map(([symbol, dataset]) =>
      rememberNoData(
        undefined,
        { symbol: symbol as string, dataset: dataset as string, code: 'no-data', message: '{}' },
        now,
      ),
    );
    for (const entry of remembered)
      await environment.doc.send(
        new PutCommand({ TableName: environment.tables.noData, Item: { ...entry, futureField: { x: 1 } } }),
      );

    const first = await api<{ table: string; entries: Array<{ line: string }>; next?: string }>(
      url,
      'no-data?limit=2',
    );
    expect(first.status).toBe(200);
    expect(first.body.table).toBe(environment.tables.noData);
    expect(first.body.entries).toHaveLength(2);
    expect(first.body.next).toBeDefined();
    const rest = await api<{ entries: Array<{ line: string }>; next?: string }>(
      url,
      `no-data?limit=2&after=${first.body.next}`,
    );
    const lines = [...first.body.entries, ...rest.body.entries].map((entry) => entry.line).sort();
    expect(lines).toEqual(
      remembered
        .map(
          (e) =>
            `${e.symbol} ${e.dataset}: no data since ${now.slice(0, 10)}, next try ${e.nextTryAt.slice(0, 10)} (no-data, 1x)`,
        )
        .sort(),
    );
    const bad = await api<{ error: string }>(url, 'no-data?after=nonsense');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/^after: "nonsense" is not a cursor/);

    const page = await api<{ rows: Array<{ symbol: string; freshness: Record<string, string> }> }>(
      url,
      'securities?q=S000',
    );
    const freshness = Object.fromEntries(page.body.rows.map((row) => [row.symbol, row.freshness]));
    expect(freshness.S0001).toEqual({
      quote: 'no data',
      indicators: 'no data',
      overview: 'not collected',
      history: 'not collected',
    });
    expect(freshness.S0002?.overview).toBe('no data');
    expect(freshness.S0003?.overview).toBe('not collected');
  });

  it('--stack without credentials is one line in the page and in the terminal', async () => {
    const nowhere = path.join(workDir, 'nowhere');
    const missing = await startConsole(['--stack', 'Horton', '--region', endpoints.awsRegion], {
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_SESSION_TOKEN: undefined,
      AWS_PROFILE: undefined,
      AWS_CONFIG_FILE: nowhere,
      AWS_SHARED_CREDENTIALS_FILE: nowhere,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
      AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
    });
    const { status, body } = await api<{ error: string }>(missing.url, 'pipeline');
    expect(status).toBe(502);
    expect(body.error).toMatch(/^cannot read stack Horton: .*credentials/i);
    expect(missing.stderr().trim().split('\n')).toEqual([`horton console: ${body.error}`]);
  });
});
