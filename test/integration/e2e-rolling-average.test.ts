/**
 * End to end: the rolling average of the last N quotes of ONE symbol under concurrency. Quote commands for the
 * same symbol are produced to every partition of the quote topic (so the event source mapping invokes the
 * handler for them concurrently) and, in a last round, the quote handler is invoked directly several times at
 * once. Their issue times are deliberately out of order, one command is re-delivered, and the simulator's clock
 * moves between rounds so each round quotes a different price. Within a round every command quotes the same
 * (trading day, price, volume): one observation, counted once, as of its latest command. The stored window must
 * be exactly the last N of those observations by time, and its average their mean, computed here.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { invokeHandler, type LambdaHandler } from '../../localstack/runner/lambda-context.ts';
import { buildMskEvent, type ConsumedRecord, localCluster } from '../../localstack/runner/msk-event.ts';
import { dailySeriesFor } from '../../localstack/simulator/index.ts';
import { type E2eEnvironment, produceRaw, startE2e } from '../support/e2e-harness.ts';
import { readTopic } from '../support/kafka.ts';

const SYMBOL = 'MSFT';
const WINDOW = 2;
/** Three consecutive trading days; the simulator's clock is moved to each in turn (after the close). */
const DAYS = ['2026-11-16', '2026-11-17', '2026-11-18'] as const;
const closeOf = (day: string) => `${day}T22:00:00Z`;

/** Command k is issued at minute k: its position in time, independent of when it is produced. */
const issuedAt = (k: number) => `2026-11-18T15:${String(k).padStart(2, '0')}:00.000Z`;
const commandId = (k: number) => `e2e-rolling-${String(k).padStart(2, '0')}`;
const command = (k: number) => ({
  type: 'collect-quote',
  v: 1,
  commandId: commandId(k),
  correlationId: 'e2e-rolling-average',
  issuedAt: issuedAt(k),
  symbol: SYMBOL,
});

/** Rounds: which commands are issued while the simulator quotes which day, and how they are delivered. */
const KAFKA_ROUNDS = [
  { day: DAYS[0], commands: [3, 7, 1, 9] },
  // 7 again: a re-delivery of a command already applied; its (now different) price must not count.
  { day: DAYS[1], commands: [2, 8, 5, 10, 7] },
] as const;
const DIRECT_ROUND = { day: DAYS[2], commands: [4, 6, 11, 0] } as const;

interface StoredQuote {
  symbol: string;
  latest: { price: number; latestTradingDay: string; observedAt: string };
  rolling: {
    windowSize: number;
    count: number;
    average: number;
    version: number;
    observations: Array<{ id: string; observedAt: string; price: number }>;
  };
}

describe('e2e: rolling average of the last N quotes under concurrent invocations', () => {
  let environment: E2eEnvironment | undefined;
  /** The price each command was quoted at: the close of its round's day (first delivery wins). */
  const priceOf = new Map<number, number>();
  const directResponses: unknown[] = [];
  let dayCloses: number[] = [];

  beforeAll(async () => {
    const series = dailySeriesFor(SYMBOL, new Date(closeOf(DAYS[2])));
    dayCloses = DAYS.map((day) => series.find((bar) => bar.date === day)?.close ?? Number.NaN);
    environment = await startE2e({
      endpoints: inject('localStack'),
      name: 'roll',
      config: { quotes: { rollingWindow: WINDOW }, consumers: { maxBatchingWindowSeconds: 0 } },
      partitions: { quote: 3 },
      simulator: { now: closeOf(DAYS[0]) },
      include: ['quote'],
    });
    const { simulator, kafka, config, pipeline } = environment;
    const topic = config.topics.quote.name;

    for (const [round, { day, commands }] of KAFKA_ROUNDS.entries()) {
      simulator.configure({ now: closeOf(day) });
      // The same key on every partition: Kafka would keep one symbol in one partition, a backfill producer or
      // a repartitioned topic need not, and the handler must not rely on it.
      await produceRaw(
        kafka,
        topic,
        commands.map((k, index) => ({
          partition: (index + round) % 3,
          key: SYMBOL,
          value: JSON.stringify(command(k)),
        })),
      );
      await pipeline.waitUntilIdle({ timeoutMs: 30_000 });
      for (const k of commands) if (!priceOf.has(k)) priceOf.set(k, dayCloses[round] as number);
    }

    // Last round: the handler itself, invoked concurrently, one record per invocation.
    simulator.configure({ now: closeOf(DIRECT_ROUND.day) });
    const quoteModule = (await import('../../functions/quote/index.ts')) as { handler: LambdaHandler };
    const cluster = localCluster(environment.brokers);
    const events = DIRECT_ROUND.commands.map((k, index) => {
      const record: ConsumedRecord = {
        topic,
        partition: index % 3,
        offset: 10_000 + k,
        timestamp: Date.now(),
        timestampType: 'CREATE_TIME',
        key: Buffer.from(SYMBOL),
        value: Buffer.from(JSON.stringify(command(k))),
        headers: [],
      };
      return buildMskEvent([record], cluster);
    });
    directResponses.push(
      ...(await Promise.all(
        events.map((event) =>
          invokeHandler(quoteModule.handler, event, {
            functionName: `${config.prefix}-quote-direct`,
            timeoutSeconds: 60,
          }),
        ),
      )),
    );
    for (const k of DIRECT_ROUND.commands) priceOf.set(k, dayCloses[2] as number);
  });

  afterAll(async () => {
    await environment?.stop();
  });

  it('the rounds quote different prices (otherwise the average would prove nothing)', () => {
    expect(dayCloses.every(Number.isFinite)).toBe(true);
    expect(new Set(dayCloses).size).toBe(DAYS.length);
    expect(directResponses).toEqual(DIRECT_ROUND.commands.map(() => ({ batchItemFailures: [] })));
  });

  it('keeps exactly the last N observations by issue time, and their mean', async () => {
    // Prepare: the expectation, from the commands alone.
    const { doc, tables } = environment as E2eEnvironment;
    // Identical quotes (one per day) count once, as of their latest command.
    const latestPerPrice = new Map<number, number>();
    for (const [k, price] of priceOf) latestPerPrice.set(price, Math.max(k, latestPerPrice.get(price) ?? -1));
    const newestFirst = [...latestPerPrice.values()].sort((a, b) => b - a);
    const expectedIds = newestFirst.slice(0, WINDOW).reverse();
    const expectedMean = expectedIds.reduce((sum, k) => sum + (priceOf.get(k) as number), 0) / WINDOW;
    const newest = newestFirst[0] as number;

    // Act
    const { Item } = await doc.send(
      new GetCommand({ TableName: tables.quotes, Key: { symbol: SYMBOL }, ConsistentRead: true }),
    );
    const stored = Item as StoredQuote;

    // Assess
    expect(stored.rolling.windowSize).toBe(WINDOW);
    expect(stored.rolling.count).toBe(WINDOW);
    expect(
      stored.rolling.observations.map(({ id, observedAt, price }) => ({ id, observedAt, price })),
    ).toEqual(expectedIds.map((k) => ({ id: commandId(k), observedAt: issuedAt(k), price: priceOf.get(k) })));
    expect(stored.rolling.average).toBeCloseTo(expectedMean, 9);
    // The mix is real: the window holds prices of two days, the oldest day's evicted.
    expect(new Set(stored.rolling.observations.map((entry) => entry.price)).size).toBe(WINDOW);
    // The latest quote is the newest observation's, not the last one to arrive.
    expect(stored.latest).toMatchObject({
      price: priceOf.get(newest),
      latestTradingDay: DAYS[2],
      observedAt: issuedAt(newest),
    });
    // One version per write that changed the window: at least one per observation now in it, at most one per
    // distinct command (the re-delivery and the too-old arrivals write nothing).
    expect(stored.rolling.version).toBeGreaterThanOrEqual(WINDOW);
    expect(stored.rolling.version).toBeLessThanOrEqual(priceOf.size);
  });

  it('delivered every record to the handler and dead-lettered nothing', async () => {
    const { pipeline, kafka, config } = environment as E2eEnvironment;
    const mapping = pipeline.mappings.get('quote');
    const produced = KAFKA_ROUNDS.reduce((sum, round) => sum + round.commands.length, 0);
    expect(mapping?.counters.records).toBeGreaterThanOrEqual(produced);
    expect(mapping?.counters.onFailureSends).toBe(0);
    expect(await readTopic(kafka, config.topics.deadLetter.name)).toEqual([]);
  });
});
