/**
 * End to end: log correlation when one invocation carries records of SEVERAL partitions, as Lambda's MSK event
 * source mapping may deliver them (the local runner gives one partition per invocation, so the event is built
 * here and the real overview handler invoked with it). The handler processes partitions concurrently; every log
 * line about a record must still name that record's command and symbol.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { invokeHandler, type LambdaHandler } from '../../localstack/runner/lambda-context.ts';
import { buildMskEvent, type ConsumedRecord, localCluster } from '../../localstack/runner/msk-event.ts';
import { type E2eEnvironment, startE2e } from '../support/e2e-harness.ts';

const SIMULATOR_NOW = new Date('2026-11-20T22:00:00Z');
/** The slow one: its OVERVIEW answer is delayed, so the other partition's record finishes in between. */
const SLOW = 'MSFT';
const FAST = 'AAPL';

describe('e2e: log lines of concurrently processed partitions keep their own correlation keys', () => {
  let environment: E2eEnvironment | undefined;
  const lines: Array<Record<string, unknown>> = [];
  const commandIds: Record<string, string> = {};
  let response: unknown;

  beforeAll(async () => {
    environment = await startE2e({
      endpoints: inject('localStack'),
      name: 'logs',
      include: ['overview'],
      handlerLogLevel: 'INFO',
      simulator: {
        now: SIMULATOR_NOW,
        faults: [{ mode: 'delay', delayMs: 500, symbols: [SLOW], functions: ['OVERVIEW'] }],
      },
    });
    const { config } = environment;
    const topic = config.topics.overview.name;
    const records = [SLOW, FAST].map((symbol, partition): ConsumedRecord => {
      const commandId = randomUUID();
      commandIds[symbol] = commandId;
      const command = {
        type: 'collect-overview',
        v: 1,
        commandId,
        correlationId: `e2e-logs-${symbol}`,
        issuedAt: '2026-11-20T22:05:00.000Z',
        symbol,
      };
      return {
        topic,
        partition,
        offset: 0,
        timestamp: Date.now(),
        timestampType: 'CREATE_TIME',
        key: Buffer.from(symbol),
        value: Buffer.from(JSON.stringify(command)),
        headers: [],
      };
    });
    const event = buildMskEvent(records, localCluster(environment.brokers));
    const { handler } = (await import('../../functions/overview/index.ts')) as { handler: LambdaHandler };

    // Powertools writes one JSON line per log call to stdout: collect them while the handler runs.
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      for (const line of String(chunk).split('\n')) {
        if (line.startsWith('{')) {
          try {
            lines.push(JSON.parse(line));
          } catch {
            // not a log line
          }
        }
      }
      return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stdout.write;
    try {
      response = await invokeHandler(handler, event, {
        functionName: `${config.prefix}-overview`,
        timeoutSeconds: 60,
      });
    } finally {
      process.stdout.write = write;
    }
  });

  afterAll(async () => {
    await environment?.stop();
  });

  it('processes both records (the event is valid and the data is there)', () => {
    expect(response).toEqual({ batchItemFailures: [] });
    expect(lines.filter((line) => line.message === 'fundamentals processed')).toHaveLength(2);
  });

  it('names the right command and symbol on every per-record log line', () => {
    const perRecord = lines.filter((line) => line.message === 'fundamentals processed');
    expect(
      perRecord.map((line) => ({
        symbol: line.symbol,
        commandId: line.commandId,
        correlationId: line.correlationId,
      })),
    ).toEqual(
      expect.arrayContaining(
        [SLOW, FAST].map((symbol) => ({
          symbol,
          commandId: commandIds[symbol],
          correlationId: `e2e-logs-${symbol}`,
        })),
      ),
    );
  });
});
