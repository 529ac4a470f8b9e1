/**
 * createKafkaHandler: the middy + Powertools wrapper every Kafka handler is built from. Records are decoded
 * against the handler's topic contract before the handler's logic sees them; poison records reach the
 * dead-letter topic through the Publisher; transient failures come back as batch item failures.
 * kafkajs is replaced at the producer boundary (the broker path is in test/integration/handlers-events.test.ts).
 */
import type { Kafka, Producer, ProducerBatch } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TransientError } from '../../functions/shared/errors.ts';
import {
  createKafkaHandler,
  type KafkaHandlerOptions,
} from '../../functions/shared/kafka/consumer-handler.ts';
import type { KafkaEvent, RawKafkaRecord } from '../../functions/shared/kafka/event.ts';
import { Publisher } from '../../functions/shared/kafka/producer.ts';
import { createObservability, type Observability } from '../../functions/shared/observability.ts';
import { createLambdaContext } from '../../localstack/runner/lambda-context.ts';
import { type CollectQuote, type DeadLetter, deadLetterSchema } from '../../model/messages.ts';
import { REPORT_FAILURE_CAUSES_VARIABLE } from '../../model/settings.ts';

let observability: Observability;
beforeAll(async () => {
  // No EMF output on stdout and quiet logs: this suite asserts on what is published, not on log lines.
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
  observability = await createObservability({ serviceName: 'horton-quote-test', tracing: false });
});
afterAll(() => {
  vi.unstubAllEnvs();
});

function recordingPublisher() {
  const batches: ProducerBatch[] = [];
  const producer = {
    connect: async () => {},
    disconnect: async () => {},
    sendBatch: async (batch: ProducerBatch) => {
      batches.push(batch);
      return [];
    },
  } as unknown as Producer;
  const publisher = new Publisher({ producer: () => producer } as unknown as Kafka);
  const deadLetters = () =>
    batches.flatMap((batch) =>
      (batch.topicMessages ?? []).flatMap((topic) =>
        topic.messages.map((message) => ({
          topic: topic.topic,
          key: message.key,
          letter: deadLetterSchema.parse(JSON.parse(String(message.value))) as DeadLetter,
        })),
      ),
    );
  return { publisher, deadLetters };
}

const command = (symbol: string, commandId: string): CollectQuote => ({
  type: 'collect-quote',
  v: 1,
  commandId,
  correlationId: 'quote-intraday@2026-05-15T14:00:00Z',
  issuedAt: '2026-05-15T14:00:00Z',
  symbol,
});

function record(offset: number, value: string): RawKafkaRecord {
  return {
    topic: 'horton.quote',
    partition: 0,
    offset,
    timestamp: 1_747_317_600_000,
    timestampType: 'CREATE_TIME',
    key: Buffer.from('IBM').toString('base64'),
    value: Buffer.from(value).toString('base64'),
    headers: [],
  };
}

const event = (records: RawKafkaRecord[]): KafkaEvent => ({
  eventSource: 'aws:kafka',
  eventSourceArn:
    'arn:aws:kafka:us-east-1:123456789012:cluster/horton/00000000-0000-4000-8000-000000000000-1',
  records: { 'horton.quote-0': records },
});

const context = () => createLambdaContext({ functionName: 'horton-quote', timeoutSeconds: 60 });

/** A quote handler as the quote function builds one, with `handle` as its logic. */
const quoteHandler = (publisher: Publisher, handle: KafkaHandlerOptions<'quote'>['handle']) =>
  createKafkaHandler({
    name: 'quote',
    role: 'quote',
    observability,
    publisher: () => publisher,
    deadLetterTopic: 'horton.dead-letter',
    handle,
  });

describe('createKafkaHandler', () => {
  it('hands decoded commands to the logic, dead-letters poison and reports a transient failure', async () => {
    // Prepare: 0 valid, 1 not JSON, 2 JSON of the wrong shape, 3 valid, 4 valid but fails transiently, 5 valid
    const { publisher, deadLetters } = recordingPublisher();
    const handled: CollectQuote[] = [];
    const handler = quoteHandler(publisher, async (message) => {
      if (message.commandId.startsWith('f')) throw new TransientError('http-status', 'HTTP 503');
      handled.push(message);
    });
    const records = [
      record(0, JSON.stringify(command('IBM', 'a0000000000000000000000000000000'))),
      record(1, 'not json'),
      record(2, JSON.stringify({ type: 'collect-quote', symbol: 'IBM' })),
      record(3, JSON.stringify(command('MSFT', 'b0000000000000000000000000000000'))),
      record(4, JSON.stringify(command('AAPL', 'f0000000000000000000000000000000'))),
      record(5, JSON.stringify(command('NVDA', 'c0000000000000000000000000000000'))),
    ];

    // Act
    const response = await handler(event(records), context());

    // Assess
    expect(response).toEqual({
      batchItemFailures: [{ itemIdentifier: { partition: 'horton.quote-0', offset: 4 } }],
    });
    expect(handled.map((message) => message.symbol)).toEqual(['IBM', 'MSFT']);
    expect(handled[0]).toEqual(command('IBM', 'a0000000000000000000000000000000'));
    const letters = deadLetters();
    expect(
      letters.map(({ topic, key, letter }) => [topic, key, letter.source.offset, letter.reason.code]),
    ).toEqual([
      ['horton.dead-letter', 'horton.quote-0', '1', 'undecodable'],
      ['horton.dead-letter', 'horton.quote-0', '2', 'schema-invalid'],
    ]);
    // Dead letters name the function, as Lambda's own on-failure records do.
    expect(letters.every(({ letter }) => letter.handler === 'horton-quote')).toBe(true);
    expect(letters[0]?.letter.originalValue).toBe(Buffer.from('not json').toString('base64'));
  });

  it('dead-letters a command issued in the future as issued-in-future, whoever produced it, and goes on', async () => {
    // Prepare: 0 a year ahead, 1 within the clock-skew tolerance, 2 an ordinary command
    const { publisher, deadLetters } = recordingPublisher();
    const handled: CollectQuote[] = [];
    const handler = quoteHandler(publisher, async (message) => {
      handled.push(message);
    });
    const at = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();
    const records = [
      record(
        0,
        JSON.stringify({
          ...command('IBM', 'a0000000000000000000000000000000'),
          issuedAt: at(365 * 86_400_000),
        }),
      ),
      record(
        1,
        JSON.stringify({ ...command('IBM', 'b0000000000000000000000000000000'), issuedAt: at(60_000) }),
      ),
      record(2, JSON.stringify(command('IBM', 'c0000000000000000000000000000000'))),
    ];

    // Act
    const response = await handler(event(records), context());

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(handled.map((message) => message.commandId)).toEqual([
      'b0000000000000000000000000000000',
      'c0000000000000000000000000000000',
    ]);
    const letters = deadLetters();
    expect(letters.map(({ letter }) => [letter.source.offset, letter.reason.code])).toEqual([
      ['0', 'issued-in-future'],
    ]);
    expect(letters[0]?.letter.reason.message).toMatch(/issuedAt: .* is in the future/);
    expect(letters[0]?.letter.originalValue).toBe(records[0]?.value);
  });

  it('tells the local runner why a record failed, only when the runner asks (the Lambda shape stays as is)', async () => {
    // Prepare: the runner's flag, set before the handler is built (at cold start)
    vi.stubEnv(REPORT_FAILURE_CAUSES_VARIABLE, '1');
    const { publisher } = recordingPublisher();
    const handler = quoteHandler(publisher, async () => {
      throw new TransientError('dynamodb', 'connect ECONNREFUSED 127.0.0.1:4566');
    });
    vi.stubEnv(REPORT_FAILURE_CAUSES_VARIABLE, '');

    // Act
    const response = await handler(
      event([record(7, JSON.stringify(command('IBM', 'a0000000000000000000000000000000')))]),
      context(),
    );

    // Assess
    expect(response).toEqual({
      batchItemFailures: [{ itemIdentifier: { partition: 'horton.quote-0', offset: 7 } }],
      processed: 0,
      failureCauses: { 'horton.quote-0@7': 'connect ECONNREFUSED 127.0.0.1:4566' },
      deadLetterCauses: {},
    });
  });

  it('decides once for every handler whether a record asks past the no-data memory', async () => {
    // Prepare: a plain command, a redriven one (the operations function's header), a backfill's askAgain command
    const { publisher } = recordingPublisher();
    const asked: Array<[string, boolean]> = [];
    const handler = quoteHandler(publisher, async (message, scope) => {
      asked.push([message.symbol, scope.askAgain]);
    });
    const redriven = {
      ...record(1, JSON.stringify(command('AAPL', 'b0000000000000000000000000000000'))),
      headers: [{ 'horton-redrive-of': [...Buffer.from('horton.dead-letter/0/3')] }],
    };
    const backfill = { ...command('MSFT', 'c0000000000000000000000000000000'), askAgain: true as const };

    // Act
    await handler(
      event([
        record(0, JSON.stringify(command('IBM', 'a0000000000000000000000000000000'))),
        redriven,
        record(2, JSON.stringify(backfill)),
      ]),
      context(),
    );

    // Assess
    expect(asked).toEqual([
      ['IBM', false],
      ['AAPL', true],
      ['MSFT', true],
    ]);
  });

  it('fails the whole invocation when the event is not a Kafka event', async () => {
    // Prepare
    const { publisher, deadLetters } = recordingPublisher();
    const handle = vi.fn(async () => {});
    const handler = quoteHandler(publisher, handle);

    // Act
    const invocation = handler(
      { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} },
      context(),
    );

    // Assess
    await expect(invocation).rejects.toThrow(/Not an MSK or self-managed Kafka event/);
    expect(handle).not.toHaveBeenCalled();
    expect(deadLetters()).toEqual([]);
  });
});
