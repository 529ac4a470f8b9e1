/**
 * The web console (`horton console`), run as an operator runs it (cli/horton.mjs in a child process) against
 * the real local pipeline served as `npm start -- --serve` serves it, driven through every page by headless
 * Chromium (Debian's `chromium`, through playwright-core). Only AlphaVantage is simulated. Writes a screenshot
 * of each page to HORTON_CONSOLE_SCREENSHOTS (the README's docs/console/ when refreshing them; a temporary folder
 * otherwise (the test's own work folder), so a test run leaves the checkout clean).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { routeHandlerLogs } from '../../localstack/runner/handler-logs.ts';
import { handlerLogDir, servePipeline } from '../../localstack/serve.ts';
import { describeNoData, type NoDataEntry } from '../../model/domain/no-data.ts';
import { HANDLER_NAMES } from '../../model/handlers.ts';
import { REDRIVE_HEADER } from '../../model/operations.ts';
import { serviceNameOf } from '../../model/settings.ts';
import { chromiumPath } from '../support/chromium.ts';
import { type E2eEnvironment, runCollectionCycle, startE2e } from '../support/e2e-harness.ts';
import { readTopic } from '../support/kafka.ts';

vi.setConfig({ testTimeout: 120_000 });

/** A Friday after the close in 2007: nine trading years of extremes, ~1,900 closes per symbol (see e2e-cycle). */
const SIMULATOR_NOW = new Date('2007-06-15T21:00:00Z');
const WATCHLIST = ['IBM', 'MSFT'];
const CLI = path.resolve('cli/horton.mjs');

const stateDir = inject('localStackConfig').stateDir;
let environment: E2eEnvironment;
let stopServing: (() => Promise<void>) | undefined;
let stopLogRouting: (() => Promise<void>) | undefined;
let consoleProcess: ChildProcess | undefined;
let consoleStderr = '';
let url = '';
let browser: Browser;
let page: Page;
let workDir = '';
const timings: Record<string, number> = {};

/** Starts `horton console --port 0` and waits for the line with its URL. */
function startConsole(configFile: string): Promise<string> {
  const child = spawn(process.execPath, [CLI, 'console', '--port', '0', '--config', configFile], {
    env: { ...process.env, HORTON_STATE_DIR: stateDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  consoleProcess = child;
  child.stderr?.on('data', (chunk: Buffer) => {
    consoleStderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /Horton console at (http:\/\/\S+)/.exec(stdout);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`horton console exited (${code}): ${consoleStderr}`)));
  });
}

/** Opens a page of the console and waits until it has drawn its data; records how long that took. */
async function open(hash: string, name = hash): Promise<void> {
  const started = performance.now();
  await page.goto(`${url}#/${hash}`);
  await page.waitForSelector('#app[data-ready="true"]');
  timings[name] = Math.round(performance.now() - started);
}

const screenshot = (name: string) =>
  page.screenshot({
    path: path.join(path.resolve(process.env.HORTON_CONSOLE_SCREENSHOTS ?? workDir), `${name}.png`),
    fullPage: true,
  });

beforeAll(async () => {
  const executablePath = chromiumPath();
  environment = await startE2e({
    endpoints: inject('localStack'),
    name: 'console',
    include: HANDLER_NAMES,
    config: { universe: { watchlist: WATCHLIST } },
    simulator: { now: SIMULATOR_NOW },
    // As `npm start` runs them: INFO, each handler's lines in its own file (the Pipeline page counts their
    // `batch done` lines).
    handlerLogLevel: 'INFO',
  });
  stopLogRouting = routeHandlerLogs({
    dir: handlerLogDir(stateDir),
    services: new Map(HANDLER_NAMES.map((name) => [serviceNameOf(environment.config.prefix, name), name])),
  });
  await runCollectionCycle(environment);
  stopServing = await servePipeline({
    pipeline: environment.pipeline,
    config: environment.config,
    endpoints: inject('localStack'),
    stateDir,
    log: () => {},
  });
  workDir = mkdtempSync(path.join(tmpdir(), 'horton-console-'));
  const configFile = path.join(workDir, 'config.json');
  writeFileSync(configFile, JSON.stringify(environment.config));
  url = await startConsole(configFile);
  browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu'] });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
});

afterAll(async () => {
  await browser?.close();
  if (consoleProcess?.pid && consoleProcess.exitCode === null) process.kill(consoleProcess.pid, 'SIGTERM');
  await stopServing?.();
  await environment?.stop();
  await stopLogRouting?.();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
  console.info(`console page load times (ms, navigation to data drawn): ${JSON.stringify(timings)}`);
});

async function storedCloses(symbol: string): Promise<number> {
  let count = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const result = await environment.doc.send(
      new QueryCommand({
        TableName: environment.tables.dailyPrices,
        KeyConditionExpression: 'symbol = :s AND #d >= :first',
        ExpressionAttributeNames: { '#d': 'date' },
        ExpressionAttributeValues: { ':s': symbol, ':first': '0' },
        Select: 'COUNT',
        ExclusiveStartKey: start,
      }),
    );
    count += result.Count ?? 0;
    start = result.LastEvaluatedKey;
  } while (start);
  return count;
}

describe('horton console in a browser', () => {
  it('Pipeline: draws every handler with its topic, lag and tables', async () => {
    await open('pipeline');
    const rows = page.locator('.flow-row');
    expect(await rows.count()).toBe(5);
    for (const handler of ['securities', 'overview', 'history', 'quote', 'indicators']) {
      const row = page.locator(`.flow-row[data-handler="${handler}"]`);
      expect(await row.textContent()).toContain(environment.config.topics[handler as 'quote'].name);
      expect(await row.locator('.lag').textContent()).toBe('lag 0');
    }
    expect(await page.locator('.flow-row[data-handler="history"]').textContent()).toContain(
      environment.tables.yearlyExtremes,
    );
    await screenshot('pipeline');
  });

  it('Pipeline: shows each handler’s invocations and failures as the runner counted them', async () => {
    await environment.pipeline.waitUntilIdle({ timeoutMs: 60_000 });
    const runner = Object.fromEntries(
      [...environment.pipeline.mappings].map(([handler, mapping]) => [handler, { ...mapping.counters }]),
    );
    const expected = Object.fromEntries(
      Object.entries(runner).map(([handler, counters]) => [handler, counters.invocations]),
    );
    expect(Object.values(expected).every((count) => count > 0)).toBe(true);
    await open('pipeline');
    // The page polls; the log lines of the last invocations may reach their files a moment after the runner counted.
    const shown = Object.entries(expected)
      .map(
        ([handler, count]) =>
          `document.querySelector('.flow-row[data-handler="${handler}"] .activity')?.getAttribute('data-invocations') === '${count}'`,
      )
      .join(' && ');
    await page.waitForFunction(shown, undefined, { timeout: 30_000 });
    for (const [handler, counters] of Object.entries(runner)) {
      const activity = page.locator(`.flow-row[data-handler="${handler}"] .activity`);
      // The runner's failed invocations: records reported failed, or the invocation threw or timed out.
      const failedOrThrew =
        Number(await activity.getAttribute('data-failed')) +
        Number(await activity.getAttribute('data-errors'));
      expect(failedOrThrew > 0).toBe(counters.failedInvocations > 0);
      expect(await activity.textContent()).toContain(`${counters.invocations} invocations`);
    }
    expect(await page.locator('#activity-source').textContent()).toContain('handler logs');
    await screenshot('pipeline');
  });

  it('Budget: shows the limiter’s count of today and the plan of every schedule', async () => {
    await open('budget');
    const day = new Date().toISOString().slice(0, 10);
    const { Item } = await environment.doc.send(
      new GetCommand({ TableName: environment.tables.alphaVantageQuota, Key: { pk: `day#${day}` } }),
    );
    expect(Number(Item?.calls ?? 0)).toBeGreaterThan(0);
    expect(await page.locator('[data-calls-today]').getAttribute('data-calls-today')).toBe(
      String(Item?.calls),
    );
    expect(await page.locator('#plan tbody tr').count()).toBe(environment.config.schedules.length);
    await screenshot('budget');
  });

  it('Securities: searches the universe and shows each dataset’s freshness', async () => {
    await open('securities');
    expect(await page.locator('#matches').textContent()).toContain(
      `${WATCHLIST.length} of ${WATCHLIST.length} securities`,
    );
    await page.fill('#search', 'ms');
    await page.press('#search', 'Enter');
    await page.waitForFunction("document.querySelectorAll('#securities tbody tr').length === 1");
    const row = page.locator('#securities tbody tr').first();
    expect(await row.locator('td').first().textContent()).toBe('MSFT');
    // Everything was collected by the cycle: no dataset is without data.
    expect(await row.locator('.badge.no-data').count()).toBe(0);
    await open('securities', 'securities');
    await screenshot('securities');
  });

  it('Security: charts every stored close with the yearly extremes on their stored dates', async () => {
    await open('security/IBM', 'security');
    const chart = page.locator('#chart');
    await page.waitForSelector('#chart canvas');
    expect(Number(await chart.getAttribute('data-points'))).toBe(await storedCloses('IBM'));
    const { Items = [] } = await environment.doc.send(
      new QueryCommand({
        TableName: environment.tables.yearlyExtremes,
        KeyConditionExpression: 'symbol = :s',
        ExpressionAttributeValues: { ':s': 'IBM' },
      }),
    );
    expect(Items.length).toBeGreaterThan(1);
    const markers = JSON.parse((await chart.getAttribute('data-markers')) ?? '[]') as string[];
    const expected = Items.flatMap((y) => [
      `high ${y.year} ${y.highClose}@${y.highDate}`,
      `low ${y.year} ${y.lowClose}@${y.lowDate}`,
    ]);
    expect(markers.sort()).toEqual(expected.sort());
    expect(await page.locator('#extremes tbody tr').count()).toBe(Items.length);
    await screenshot('security');
  });

  it('Security: an unknown or malformed symbol is one clear message, not a blank page', async () => {
    await open('security/ZZZZ', 'unknown');
    expect(await page.locator('.problem').textContent()).toContain('nothing is stored for ZZZZ');
    await open('security/not%20a%20symbol', 'malformed');
    expect(await page.locator('.problem').textContent()).toContain('is not a ticker symbol');
  });

  it('Security: a backfill started from the page shows its progress to the end', async () => {
    await open('security/INVALID', 'backfill');
    for (const dataset of ['overview', 'history', 'indicators'])
      await page.uncheck(`input[name="dataset"][value="${dataset}"]`);
    await page.click('#backfill');
    await page.waitForSelector('#backfill-status[data-done="true"]', { timeout: 90_000 });
    expect(await page.locator('.progress-row[data-dataset="quote"] .count').textContent()).toBe(
      '1/1 handled',
    );
    await screenshot('backfill');
  });

  it('Budget: lists the answer without data the backfill left in the no-data memory', async () => {
    const { Item } = await environment.doc.send(
      new GetCommand({ TableName: environment.tables.noData, Key: { symbol: 'INVALID', dataset: 'quote' } }),
    );
    expect(Item).toBeDefined();
    await open('budget', 'budget-no-data');
    const row = page.locator('#no-data tr[data-symbol="INVALID"][data-dataset="quote"]');
    expect(await row.getAttribute('title')).toBe(describeNoData(Item as NoDataEntry));
    expect(await page.locator('#no-data-status').textContent()).toContain(environment.tables.noData);
    await screenshot('budget');
  });

  it('Dead letters: inspects the original and redrives it once, after a confirmation', async () => {
    await environment.pipeline.waitUntilIdle({ timeoutMs: 60_000 });
    await open('dead-letters/reason=no-data', 'dead-letters');
    expect(await page.locator('#groups').textContent()).toContain('no-data');
    await page.locator('#records button.offset').first().click();
    await page.waitForSelector('#detail h3');
    expect(await page.locator('#detail').textContent()).toContain('INVALID');
    await screenshot('dead-letters');

    environment.simulator.configure({ unknownSymbols: [] });
    await page.click('#redrive');
    await page.click('#confirm-redrive');
    await page
      .waitForSelector('#redrive-result .ok, #redrive-result .problem', { timeout: 60_000 })
      .catch(async (error: Error) => {
        throw new Error(
          `${error.message.split('\n')[0]}; the page shows: ${await page.locator('#app').textContent()}`,
        );
      });
    expect(await page.locator('#redrive-result').textContent()).toMatch(/^Redrove 1;/);
    await environment.pipeline.waitUntilIdle({ timeoutMs: 60_000 });
    await page.waitForSelector('#app[data-ready="true"] #redrive');
    expect(await page.locator('#redrive').isDisabled()).toBe(true);
    const quotes = await readTopic(environment.kafka, environment.config.topics.quote.name);
    expect(quotes.filter((record) => record.headers[REDRIVE_HEADER] !== undefined)).toHaveLength(1);
  });

  it('a stopped local pipeline is one clear message in the page and one line in the terminal', async () => {
    await stopServing?.();
    stopServing = undefined;
    await open('pipeline', 'stopped');
    expect(await page.locator('.problem').first().textContent()).toContain(
      'no local Horton pipeline is serving',
    );
    await screenshot('stopped');
    const lines = consoleStderr
      .split('\n')
      .filter((line) => line.includes('no local Horton pipeline is serving'));
    expect(lines).toHaveLength(1);
    expect(consoleStderr).not.toMatch(/\n\s+at /);
  });
});
