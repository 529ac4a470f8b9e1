/**
 * End to end with the default indicators (daily, computed from the stored closes): every schedule fires at
 * once, as on a day whose firings overlap, and the computed indicators still find the closes they need, because
 * they are not fanned out with the rest: the history handler publishes them once the closes are stored
 * (docs/decisions/0031-computed-indicators-follow-history.md). Before, they raced history: on a fault-free cycle
 * nearly every indicator invocation failed and was retried, and the unknown symbol's were dead-lettered as
 * `retries-exhausted`.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { indicatorId, resolveConfig } from '../../model/config.ts';
import { assertCollectedData, itemsWithErrorBodies, readAllTables } from '../support/e2e-expectations.ts';
import { type E2eEnvironment, startE2e } from '../support/e2e-harness.ts';
import { type ReadRecord, readTopic } from '../support/kafka.ts';

/** After the close on a Friday; a 2007 clock keeps the full histories short (see e2e-cycle.test.ts). */
const SIMULATOR_NOW = new Date('2007-06-15T21:00:00Z');
const SYMBOLS = ['IBM', 'MSFT'];
/** In the simulator's list of symbols it has no data for. */
const UNKNOWN = 'INVALID';
const COMPUTED = resolveConfig({}).indicators;

describe('e2e: computed indicators follow history', () => {
  let environment: E2eEnvironment | undefined;
  let deadLetters: ReadRecord[] = [];
  let indicatorCommands: ReadRecord[] = [];
  const env = () => environment as E2eEnvironment;

  beforeAll(async () => {
    environment = await startE2e({
      endpoints: inject('localStack'),
      name: 'computed',
      config: { universe: { watchlist: [...SYMBOLS, UNKNOWN] }, indicators: COMPUTED },
      simulator: { now: SIMULATOR_NOW },
    });
    const { pipeline } = environment;
    const scheduler = pipeline.scheduler;
    if (!scheduler) throw new Error('the dispatcher is not part of this pipeline');
    await scheduler.fireNow('universe');
    await pipeline.waitUntilIdle({ timeoutMs: 60_000 });
    // Indicators first, then history: the order that made every computed indicator fail before.
    for (const job of ['indicators', 'quote', 'overview', 'history'] as const) await scheduler.fireNow(job);
    await pipeline.waitUntilIdle({ timeoutMs: 120_000 });
    const { topics } = environment.config;
    deadLetters = await readTopic(environment.kafka, topics.deadLetter.name);
    indicatorCommands = await readTopic(environment.kafka, topics.indicators.name);
  }, 240_000);

  afterAll(async () => {
    await environment?.stop();
  });

  it('stores every computed indicator of every known symbol, without a call for any', async () => {
    const { config, doc, tables, simulator } = env();
    const contents = await readAllTables(doc, tables);
    assertCollectedData(contents, config, {
      symbols: SYMBOLS,
      securities: [...SYMBOLS, UNKNOWN],
      simulatorNow: SIMULATOR_NOW,
    });
    expect(itemsWithErrorBodies(contents)).toEqual([]);
    expect(contents.indicators.every((item) => item.source === 'computed')).toBe(true);
    // Overview and 3 statements, history, quote: no indicator function was called.
    const { requests } = simulator.stats();
    for (const symbol of SYMBOLS) expect(requests.bySymbol[symbol], symbol).toBe(6);
    expect(Object.keys(requests.byFunction).sort()).toEqual(
      [
        'BALANCE_SHEET',
        'CASH_FLOW',
        'GLOBAL_QUOTE',
        'INCOME_STATEMENT',
        'OVERVIEW',
        'TIME_SERIES_DAILY',
      ].sort(),
    );
  });

  it('publishes them from history only, for the symbols whose history was stored', () => {
    const commands = indicatorCommands.map((record) => JSON.parse(record.value?.toString('utf8') ?? 'null'));
    expect(commands.map((c) => `${c.symbol} ${indicatorId(c.indicator)}`).sort()).toEqual(
      SYMBOLS.flatMap((symbol) => COMPUTED.map((indicator) => `${symbol} ${indicatorId(indicator)}`)).sort(),
    );
    for (const command of commands) expect(command.correlationId).toMatch(/^history-daily@/);
  });

  it('fails no indicator invocation and dead-letters only the unknown symbol’s fetched datasets', () => {
    const indicators = env().pipeline.mappings.get('indicators');
    expect(indicators?.counters).toMatchObject({ failedInvocations: 0, retries: 0, onFailureSends: 0 });
    const summary = deadLetters.map((record) => {
      const letter = JSON.parse(record.value?.toString('utf8') ?? 'null');
      const command = JSON.parse(Buffer.from(letter.originalValue, 'base64').toString('utf8'));
      return `${String(letter.handler).replace(`${env().config.prefix}-`, '')} ${command.symbol}: ${letter.reason.code}`;
    });
    expect(summary.sort()).toEqual(
      [`history ${UNKNOWN}: api-error`, `overview ${UNKNOWN}: no-data`, `quote ${UNKNOWN}: no-data`].sort(),
    );
  });
});
