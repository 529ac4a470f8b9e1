import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { decodeKafkaEvent, kafkaEventSchema } from '../../functions/shared/kafka/event.ts';
import {
  buildMskEvent,
  type ConsumedRecord,
  fromKafkaMessage,
  localCluster,
} from '../../localstack/runner/msk-event.ts';
import { LAMBDA_EVENTS_DIR } from '../support/fixtures.ts';

const lambdaEvents = LAMBDA_EVENTS_DIR;

const cluster = localCluster(['127.0.0.1:9092', '127.0.0.1:9093'], 'horton-local');

function record(overrides: Partial<ConsumedRecord>): ConsumedRecord {
  return {
    topic: 'horton.quote',
    partition: 0,
    offset: 0,
    timestamp: 1_700_000_000_000,
    timestampType: 'CREATE_TIME',
    key: Buffer.from('IBM'),
    value: Buffer.from('{"a":1}'),
    headers: [],
    ...overrides,
  };
}

describe('buildMskEvent', () => {
  it('encodes key and value as base64, key null when absent, headers as signed Java bytes', () => {
    // Prepare: bytes 0xff 0x00 0x7f 0x80 are -1, 0, 127, -128 as Java bytes
    const records = [
      record({ offset: 7, headers: [{ name: 'h', value: Buffer.from([0xff, 0x00, 0x7f, 0x80]) }] }),
      record({ offset: 8, key: null, value: null }),
    ];

    // Act
    const event = buildMskEvent(records, cluster);

    // Assess: "IBM" is SUJN in base64, '{"a":1}' is eyJhIjoxfQ==
    expect(event).toEqual({
      eventSource: 'aws:kafka',
      eventSourceArn: expect.stringMatching(/^arn:aws:kafka:us-east-1:\d{12}:cluster\/horton-local\//),
      bootstrapServers: '127.0.0.1:9092,127.0.0.1:9093',
      records: {
        'horton.quote-0': [
          {
            topic: 'horton.quote',
            partition: 0,
            offset: 7,
            timestamp: 1_700_000_000_000,
            timestampType: 'CREATE_TIME',
            key: 'SUJN',
            value: 'eyJhIjoxfQ==',
            headers: [{ h: [-1, 0, 127, -128] }],
          },
          {
            topic: 'horton.quote',
            partition: 0,
            offset: 8,
            timestamp: 1_700_000_000_000,
            timestampType: 'CREATE_TIME',
            key: null,
            value: null,
            headers: [],
          },
        ],
      },
    });
  });

  it('groups per <topic>-<partition>, offsets ascending, and round-trips through the shared decoder', () => {
    const records = [
      record({ partition: 2, offset: 5 }),
      record({ partition: 0, offset: 3 }),
      record({ partition: 2, offset: 4 }),
    ];

    const event = buildMskEvent(records, cluster);
    const decoded = decodeKafkaEvent(event);

    expect(Object.keys(event.records).sort()).toEqual(['horton.quote-0', 'horton.quote-2']);
    expect(event.records['horton.quote-2']?.map((r) => r.offset)).toEqual([4, 5]);
    expect(decoded.get('horton.quote-2')?.[0]?.value?.toString()).toBe('{"a":1}');
    expect(decoded.get('horton.quote-0')?.[0]?.key?.toString()).toBe('IBM');
  });

  it('has the same fields as the Lambda developer guide MSK sample', () => {
    const sample = JSON.parse(readFileSync(path.join(lambdaEvents, 'msk-awsdocs.json'), 'utf8')) as {
      records: Record<string, Array<Record<string, unknown>>>;
    };
    const sampleRecord = Object.values(sample.records)[0]?.[0] ?? {};
    const event = buildMskEvent(
      [record({ headers: [{ name: 'headerKey', value: Buffer.from('headerValue') }] })],
      cluster,
    );

    expect(Object.keys(event).sort()).toEqual(Object.keys(sample).sort());
    expect(Object.keys(event.records['horton.quote-0']?.[0] ?? {}).sort()).toEqual(
      Object.keys(sampleRecord).sort(),
    );
    // The sample's header is the ASCII bytes of "headerValue": encoding the same text gives the same numbers.
    expect(event.records['horton.quote-0']?.[0]?.headers).toEqual(sampleRecord.headers);
    expect(kafkaEventSchema.safeParse(event).success).toBe(true);
  });
});

describe('fromKafkaMessage', () => {
  it('unfolds repeated headers, keeps the timestamp type and numeric offsets', () => {
    const message = {
      key: null,
      value: Buffer.from('v'),
      timestamp: '1700000000123',
      attributes: 0,
      offset: '42',
      headers: { trace: [Buffer.from('a'), Buffer.from('b')], single: Buffer.from('c') },
      batchContext: { timestampType: 1 },
    } as unknown as KafkaMessage;

    const converted = fromKafkaMessage('t', 3, message);

    expect(converted).toMatchObject({ topic: 't', partition: 3, offset: 42, timestamp: 1_700_000_000_123 });
    expect(converted.timestampType).toBe('LOG_APPEND_TIME');
    expect(converted.headers.map((h) => `${h.name}=${h.value.toString()}`)).toEqual([
      'trace=a',
      'trace=b',
      'single=c',
    ]);
  });
});
