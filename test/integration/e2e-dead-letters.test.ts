/**
 * End to end: poison records produced straight into the command topics, between good records. Each poison
 * record must reach the dead-letter topic exactly once, with its reason, its source coordinates and its
 * original bytes, without retries, and the good records around it must still be processed.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dailySeriesFor } from '../../localstack/simulator/index.ts';
import type { HortonConfig, IndicatorConfig } from '../../model/config.ts';
import { readAllTables } from '../support/e2e-expectations.ts';
import {
  type E2eEnvironment,
  type ProducedRecord,
  produceRaw,
  type RawMessage,
  startE2e,
} from '../support/e2e-harness.ts';
import { type ReadRecord, readTopic } from '../support/kafka.ts';

const SIMULATOR_NOW = new Date('2026-11-20T22:00:00Z');
const ISSUED_AT = '2026-11-20T22:05:00.000Z';
const SMA: IndicatorConfig = {
  source: 'alphavantage',
  function: 'SMA',
  interval: 'daily',
  timePeriod: 20,
  seriesType: 'close',
};
const RSI: IndicatorConfig = {
  source: 'alphavantage',
  function: 'RSI',
  interval: 'daily',
  timePeriod: 14,
  seriesType: 'close',
};
const EMA: IndicatorConfig = {
  source: 'alphavantage',
  function: 'EMA',
  interval: 'daily',
  timePeriod: 20,
  seriesType: 'close',
};

function envelope(type: string) {
  return { type, v: 1, commandId: randomUUID(), correlationId: 'e2e-dead-letters', issuedAt: ISSUED_AT };
}
const universe = (datasets: string[], symbols: string[]) => ({
  ...envelope('collect-universe'),
  refreshListing: false,
  datasets,
  symbols,
});
const perSymbol = (type: string, symbol: string, extra: Record<string, unknown> = {}) => ({
  ...envelope(type),
  symbol,
  ...extra,
});
const json = (value: unknown) => JSON.stringify(value);
/** A year ahead of the wall clock: what a producer with a wrong clock (or a hand-made record) could send. */
const FUTURE = new Date(Date.now() + 365 * 86_400_000).toISOString();
/** A valid command issued in the future, on the given partition: each consumer must dead-letter it. */
function issuedInFuture(
  handler: TopicPlan['role'],
  partition: number,
  key: string,
  value: Record<string, unknown>,
): Poison {
  return {
    message: { partition, key, value: json({ ...value, issuedAt: FUTURE }) },
    handler,
    code: 'issued-in-future',
  };
}

/** A record produced on purpose to fail, and the reason code its dead letter must carry. */
interface Poison {
  message: RawMessage;
  handler: string;
  code: string;
}

interface TopicPlan {
  role: 'securities' | 'overview' | 'history' | 'quote' | 'indicators';
  /** Good and poison records, in the order they are produced (all to one partition). */
  records: Array<RawMessage | Poison>;
}

const isPoison = (entry: RawMessage | Poison): entry is Poison => 'code' in entry;

/** What is produced where. Each topic mixes poison between good records on ONE partition. */
function plan(): TopicPlan[] {
  const good = (partition: number, key: string, value: unknown): RawMessage => ({
    partition,
    key,
    value: json(value),
  });
  return [
    {
      role: 'securities',
      records: [
        good(0, 'universe', universe(['quote'], ['IBM'])),
        {
          // Valid JSON, but not a collect-universe command (no refreshListing/datasets, short id).
          message: {
            partition: 0,
            key: 'universe',
            value: json({ type: 'collect-universe', v: 1, commandId: 'x' }),
          },
          handler: 'securities',
          code: 'schema-invalid',
        },
        issuedInFuture('securities', 0, 'universe', universe(['quote'], ['MSFT'])),
        good(0, 'universe', universe(['overview'], ['MSFT'])),
      ],
    },
    {
      role: 'overview',
      records: [
        good(0, 'NVDA', perSymbol('collect-overview', 'NVDA')),
        {
          // Not JSON at all (and not UTF-8), without a key, with a header that must survive.
          message: {
            partition: 0,
            key: null,
            value: Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x6e, 0x6f, 0x74, 0x20, 0x6a, 0x73, 0x6f, 0x6e]),
            headers: { 'x-e2e': 'poison' },
          },
          handler: 'overview',
          code: 'undecodable',
        },
        {
          // A valid command for a symbol AlphaVantage has no company data for: `{}` on every attempt.
          message: { partition: 0, key: 'INVALID', value: json(perSymbol('collect-overview', 'INVALID')) },
          handler: 'overview',
          code: 'no-data',
        },
        issuedInFuture('overview', 0, 'AMZN', perSymbol('collect-overview', 'AMZN')),
        good(0, 'AMZN', perSymbol('collect-overview', 'AMZN')),
      ],
    },
    {
      role: 'history',
      records: [
        good(1, 'IBM', perSymbol('collect-history', 'IBM', { outputsize: 'compact' })),
        {
          // A lower-case symbol violates the contract.
          message: { partition: 1, key: 'ibm', value: json(perSymbol('collect-history', 'ibm')) },
          handler: 'history',
          code: 'schema-invalid',
        },
        {
          // AlphaVantage answers TIME_SERIES_DAILY for an unknown symbol with "Error Message".
          message: {
            partition: 1,
            key: 'INVALID',
            value: json(perSymbol('collect-history', 'INVALID', { outputsize: 'compact' })),
          },
          handler: 'history',
          code: 'api-error',
        },
        issuedInFuture('history', 1, 'MSFT', perSymbol('collect-history', 'MSFT', { outputsize: 'compact' })),
        good(1, 'MSFT', perSymbol('collect-history', 'MSFT', { outputsize: 'compact' })),
      ],
    },
    {
      role: 'quote',
      records: [
        {
          // GLOBAL_QUOTE for an unknown symbol: `{"Global Quote": {}}`.
          message: { partition: 2, key: 'INVALID', value: json(perSymbol('collect-quote', 'INVALID')) },
          handler: 'quote',
          code: 'no-data',
        },
        good(2, 'NVDA', perSymbol('collect-quote', 'NVDA')),
        {
          // A tombstone: no value at all.
          message: { partition: 2, key: 'AAPL', value: null },
          handler: 'quote',
          code: 'undecodable',
        },
        // A year ahead: stored, it would stay the latest quote and every later one would be skipped as fresh.
        issuedInFuture('quote', 2, 'AAPL', perSymbol('collect-quote', 'AAPL')),
        good(2, 'AAPL', perSymbol('collect-quote', 'AAPL')),
      ],
    },
    {
      role: 'indicators',
      records: [
        good(0, 'IBM', perSymbol('collect-indicator', 'IBM', { indicator: SMA })),
        {
          message: {
            partition: 0,
            key: 'INVALID',
            value: json(perSymbol('collect-indicator', 'INVALID', { indicator: RSI })),
          },
          handler: 'indicators',
          code: 'api-error',
        },
        {
          // JSON, but an array.
          message: { partition: 0, key: 'IBM', value: '[1,2,3]' },
          handler: 'indicators',
          code: 'schema-invalid',
        },
        issuedInFuture('indicators', 0, 'MSFT', perSymbol('collect-indicator', 'MSFT', { indicator: SMA })),
        good(0, 'MSFT', perSymbol('collect-indicator', 'MSFT', { indicator: EMA })),
      ],
    },
  ];
}

const base64 = (value: Buffer | string | null): string | null =>
  value === null ? null : Buffer.from(value).toString('base64');

describe('e2e: poison records go to the dead-letter topic, good records around them are processed', () => {
  let environment: E2eEnvironment | undefined;
  let config: HortonConfig;
  const expectedDeadLetters: Array<{ produced: ProducedRecord; handler: string; code: string }> = [];
  let deadLetters: ReadRecord[] = [];

  beforeAll(async () => {
    environment = await startE2e({
      endpoints: inject('localStack'),
      name: 'dlq',
      config: { universe: { watchlist: ['IBM', 'MSFT'] } },
      simulator: { now: SIMULATOR_NOW },
      include: ['securities', 'overview', 'history', 'quote', 'indicators'],
    });
    config = environment.config;
    for (const topic of plan()) {
      const messages = topic.records.map((entry) => (isPoison(entry) ? entry.message : entry));
      const produced = await produceRaw(environment.kafka, config.topics[topic.role].name, messages);
      topic.records.forEach((entry, index) => {
        const record = produced[index];
        if (isPoison(entry) && record)
          expectedDeadLetters.push({ produced: record, handler: entry.handler, code: entry.code });
      });
    }
    await environment.pipeline.waitUntilIdle({ timeoutMs: 60_000 });
    deadLetters = await readTopic(environment.kafka, config.topics.deadLetter.name);
  });

  afterAll(async () => {
    await environment?.stop();
  });

  it('dead-letters exactly the poison records, each once, with reason, coordinates and original bytes', () => {
    // Prepare
    const coordinates = (topic: string, partition: number, offset: number | string) =>
      `${topic}-${partition}@${offset}`;
    const received = deadLetters.map((record) => JSON.parse(record.value?.toString('utf8') ?? 'null'));

    // Assess: the same set, no duplicates ...
    expect(expectedDeadLetters).toHaveLength(14);
    expect(
      received
        .map((letter) => coordinates(letter.source.topic, letter.source.partition, letter.source.offset))
        .sort(),
    ).toEqual(
      expectedDeadLetters
        .map(({ produced }) => coordinates(produced.topic, produced.partition, produced.offset))
        .sort(),
    );
    // ... and each one complete.
    for (const { produced, handler, code } of expectedDeadLetters) {
      const where = coordinates(produced.topic, produced.partition, produced.offset);
      const index = received.findIndex(
        (letter) => coordinates(letter.source.topic, letter.source.partition, letter.source.offset) === where,
      );
      const letter = received[index];
      const record = deadLetters[index] as ReadRecord;
      expect(letter, where).toMatchObject({
        type: 'dead-letter',
        v: 1,
        reason: { code },
        source: { topic: produced.topic, partition: produced.partition, offset: String(produced.offset) },
        // The function name, as Lambda (and the local runner's context) reports it.
        handler: `${config.prefix}-${handler}`,
        originalKey: base64(produced.key),
        originalValue: base64(produced.value),
        originalHeaders: Object.entries(produced.headers ?? {}).map(([name, value]) => ({
          [name]: base64(String(value)),
        })),
      });
      expect(typeof letter.reason.message, where).toBe('string');
      expect(letter.reason.message.length, where).toBeGreaterThan(0);
      expect(Number.isNaN(Date.parse(letter.failedAt)), where).toBe(false);
      expect(typeof letter.source.timestamp, where).toBe('number');
      // The dead-letter record itself: keyed by its source partition, its reason in a header.
      expect(record.key?.toString(), where).toBe(`${produced.topic}-${produced.partition}`);
      expect(record.headers['dead-letter-reason'], where).toBe(code);
    }
    // The API key never travels with a dead letter.
    expect(deadLetters.map((record) => record.value?.toString()).join('\n')).not.toContain('horton-e2e-key');
  });

  it('does not retry poison: no failed invocation, and one AlphaVantage request per unknown-symbol command', () => {
    const { pipeline, simulator } = environment as E2eEnvironment;
    for (const [name, mapping] of pipeline.mappings) {
      expect(mapping.counters.failedInvocations, name).toBe(0);
      expect(mapping.counters.onFailureSends, name).toBe(0);
    }
    // OVERVIEW answers `{}`, which also comes transiently: asked twice before it is believed (the statements are
    // not asked once the overview failed); TIME_SERIES_DAILY, GLOBAL_QUOTE and RSI once.
    expect(simulator.stats().requests.bySymbol.INVALID).toBe(2 + 3);
  });

  it('processes the good records before and after each poison record', async () => {
    // Prepare
    const { doc, tables } = environment as E2eEnvironment;

    // Act
    const contents = await readAllTables(doc, tables);

    // Assess
    const symbolsOf = (items: Array<Record<string, unknown>>) =>
      [...new Set(items.map((item) => item.symbol))].sort();
    expect(symbolsOf(contents.securities)).toEqual(['IBM', 'MSFT']);
    // Quotes: IBM from the securities fan-out, NVDA and AAPL around the poison.
    expect(symbolsOf(contents.quotes)).toEqual(['AAPL', 'IBM', 'NVDA']);
    for (const item of contents.quotes) {
      const last = dailySeriesFor(item.symbol as string, SIMULATOR_NOW).at(-1);
      expect((item.latest as { price: number }).price, String(item.symbol)).toBe(last?.close);
    }
    // The future-dated AAPL command left no trace: the later valid one is the stored quote.
    const aapl = contents.quotes.find((item) => item.symbol === 'AAPL');
    expect(aapl?.latest).toMatchObject({ observedAt: ISSUED_AT });
    expect(JSON.stringify(contents)).not.toContain(FUTURE);
    // Fundamentals: MSFT from the fan-out, NVDA and AMZN around the poison; four kinds each.
    expect(symbolsOf(contents.fundamentals)).toEqual(['AMZN', 'MSFT', 'NVDA']);
    expect(contents.fundamentals).toHaveLength(12);
    // History: the compact window (100 bars) for IBM and MSFT, exactly the simulator's bars.
    for (const symbol of ['IBM', 'MSFT']) {
      const stored = contents.dailyPrices
        .filter((item) => item.symbol === symbol && item.date !== '#history')
        .sort((a, b) => ((a.date as string) < (b.date as string) ? -1 : 1));
      expect(stored, symbol).toEqual(
        dailySeriesFor(symbol, SIMULATOR_NOW)
          .slice(-100)
          .map((bar) => ({ symbol, ...bar })),
      );
    }
    expect(symbolsOf(contents.dailyPrices)).toEqual(['IBM', 'MSFT']);
    // Indicators: IBM's SMA and MSFT's EMA.
    expect(contents.indicators.map((item) => `${item.symbol} ${item.indicator}`).sort()).toEqual([
      'IBM SMA:daily:20:close',
      'MSFT EMA:daily:20:close',
    ]);
    // Nothing at all was stored for the unknown symbol: its answers without data are only remembered
    // (docs/decisions/0033-no-data-memory.md), one entry per dataset asked, so the next cycle asks nothing.
    const { noData, ...stored } = contents;
    for (const items of Object.values(stored))
      expect(items.filter((item) => item.symbol === 'INVALID')).toEqual([]);
    expect(noData.map((item) => item.symbol)).toEqual(['INVALID', 'INVALID', 'INVALID', 'INVALID']);
  });
});
