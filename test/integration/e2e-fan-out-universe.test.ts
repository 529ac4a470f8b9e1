/**
 * The full universe fans out: listing mode with the real 13,411-row LISTING_STATUS (7,555 NYSE/NASDAQ stocks
 * with usable tickers) through the real securities handler, against the real broker. Every dataset goes out for
 * every stock (7,555 x (overview, history, quote) + 7,555 x 5 indicators = 60,440 commands), in bounded chunks,
 * each command once, nothing dead-lettered. Before chunking, the indicator topic went out as one request, far
 * above the broker's 1 MiB limit, and the fan-out failed after publishing other topics.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { collectOverviewSchema } from '../../model/messages.ts';
import { type E2eEnvironment, produceRaw, scanItems, startE2e } from '../support/e2e-harness.ts';
import { readTopic, topicSize } from '../support/kafka.ts';

const LISTING = fileURLToPath(
  new URL('../fixtures/alphavantage/LISTING_STATUS-active-2026.csv.gz', import.meta.url),
);
const LISTING_SHA256 = '4fd466559d491ee25ecfc3791142766fdbba4e7670bd147654824705210911f5';
const STOCKS = 7_555;
const INDICATORS = 5;

describe('e2e: listing mode fans out every dataset for the whole real universe', () => {
  let environment: E2eEnvironment | undefined;
  let fixturesDir: string | undefined;
  let fanOutMs = 0;

  beforeAll(async () => {
    // The simulator serves the real capture (fixture mode) from a folder of its own.
    const csv = gunzipSync(readFileSync(LISTING));
    expect(createHash('sha256').update(csv).digest('hex')).toBe(LISTING_SHA256);
    fixturesDir = mkdtempSync(join(tmpdir(), 'horton-fan-out-'));
    writeFileSync(join(fixturesDir, 'LISTING_STATUS-active-2026.csv'), csv);
    environment = await startE2e({
      endpoints: inject('localStack'),
      name: 'fanout',
      config: { universe: { source: 'listing' } },
      simulator: { fixturesDir, now: new Date('2026-05-18T22:00:00Z') },
      include: ['securities'],
    });
    const command = {
      type: 'collect-universe',
      v: 1,
      commandId: 'fan-out-universe-0000000000000001',
      correlationId: 'e2e-fan-out',
      issuedAt: '2026-05-18T22:05:00.000Z',
      refreshListing: true,
      datasets: ['overview', 'history', 'quote', 'indicators'],
    };
    const started = Date.now();
    await produceRaw(environment.kafka, environment.config.topics.securities.name, [
      { partition: 0, key: 'universe', value: JSON.stringify(command) },
    ]);
    await environment.pipeline.waitUntilIdle({ timeoutMs: 240_000 });
    fanOutMs = Date.now() - started;
  }, 300_000);

  afterAll(async () => {
    await environment?.stop();
    if (fixturesDir) rmSync(fixturesDir, { recursive: true, force: true });
  });

  it('publishes one command per stock and dataset, in one successful invocation', async () => {
    const { kafka, config, pipeline } = environment as E2eEnvironment;
    const sizes = Object.fromEntries(
      await Promise.all(
        (['overview', 'history', 'quote', 'indicators', 'deadLetter'] as const).map(
          async (role) => [role, await topicSize(kafka, config.topics[role].name)] as const,
        ),
      ),
    );

    expect(sizes).toEqual({
      overview: STOCKS,
      history: STOCKS,
      quote: STOCKS,
      indicators: STOCKS * INDICATORS,
      deadLetter: 0,
    });
    expect(pipeline.mappings.get('securities')?.counters).toMatchObject({
      invocations: 1,
      failedInvocations: 0,
    });
    console.info(`[e2e-fan-out-universe] ${STOCKS * (3 + INDICATORS)} commands fanned out in ${fanOutMs} ms`);
  });

  it('sends each stock its command exactly once, with a distinct deterministic id', async () => {
    const { kafka, config, doc, tables } = environment as E2eEnvironment;

    const records = await readTopic(kafka, config.topics.overview.name, 60_000);
    const commands = records.map((record) =>
      collectOverviewSchema.parse(JSON.parse(record.value?.toString() ?? 'null')),
    );
    const stored = await scanItems<{ symbol: string }>(doc, tables.securities);

    expect(new Set(commands.map((command) => command.commandId)).size).toBe(STOCKS);
    expect(new Set(commands.map((command) => command.symbol))).toEqual(
      new Set(stored.map((item) => item.symbol)),
    );
    expect(stored).toHaveLength(STOCKS);
  });
});
