/**
 * decodeKafkaEvent on EVERY real Lambda Kafka event sample in test/fixtures/lambda-events (MSK and
 * self-managed, both self-managed eventSource spellings, signed header bytes, key absent / key null, Avro and
 * protobuf values), and its refusal of events that are not Kafka events.
 */
import { describe, expect, it } from 'vitest';
import {
  bytesFromJavaArray,
  bytesToJavaArray,
  decodeKafkaEvent,
  headerText,
  type KafkaEvent,
  type RawKafkaRecord,
} from '../../functions/shared/kafka/event.ts';
import { listFixtures, loadJsonFixture } from '../support/fixtures.ts';

const EVENTS = 'lambda-events';
const isKafkaSample = (file: string) => file.startsWith('msk-') || file.startsWith('self-managed-kafka-');
const kafkaSamples = listFixtures(EVENTS).filter(isKafkaSample);
const otherSamples = listFixtures(EVENTS).filter((file) => !isKafkaSample(file));
const load = (file: string) => loadJsonFixture<KafkaEvent>(EVENTS, file);

/** Every raw record of an event with the key it is grouped under. */
function rawRecords(event: KafkaEvent): Array<{ group: string; raw: RawKafkaRecord }> {
  return Object.entries(event.records).flatMap(([group, records]) => records.map((raw) => ({ group, raw })));
}

describe('decodeKafkaEvent on the real Lambda samples', () => {
  it('finds the samples PROVENANCE.md lists (a lost file must not shrink this suite silently)', () => {
    // Prepare
    const documented = [
      'msk-aws-lambda-go.json',
      'msk-aws-lambda-java-tests.json',
      'msk-awsdocs.json',
      'msk-powertools-python.json',
      'msk-powertools-ts-kafka-avro.json',
      'msk-powertools-ts-kafka-default.json',
      'msk-powertools-ts-kafka-protobuf-glue.json',
      'msk-powertools-ts-kafka-protobuf.json',
      'msk-powertools-ts-parser-base.json',
      'msk-serverless-powertools-ts-avro-sample.json',
      'msk-serverless-powertools-ts-json-sample.json',
      'self-managed-kafka-awsdocs.json',
      'self-managed-kafka-powertools-python.json',
    ];

    // Act
    const found = kafkaSamples;

    // Assess
    expect(found).toEqual(expect.arrayContaining(documented));
  });

  it.each(kafkaSamples)('%s: every record decoded, grouped as sent, in offset order', (file) => {
    // Prepare
    const event = load(file);
    const raws = rawRecords(event);

    // Act
    const partitions = decodeKafkaEvent(event);

    // Assess
    expect([...partitions.keys()].sort()).toEqual(Object.keys(event.records).sort());
    const decoded = [...partitions.values()].flat();
    expect(decoded).toHaveLength(raws.length);
    for (const [group, records] of partitions) {
      const offsets = records.map((record) => record.offset);
      expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
      for (const record of records) {
        const raw = event.records[group]?.find((candidate) => candidate.offset === record.offset);
        expect(raw, `${group}@${record.offset}`).toBeDefined();
        if (!raw) continue;
        expect(record).toMatchObject({
          topic: raw.topic,
          partition: raw.partition,
          timestamp: raw.timestamp,
        });
        expect(record.value?.toString('base64')).toBe(
          raw.value == null ? undefined : Buffer.from(raw.value, 'base64').toString('base64'),
        );
        expect(record.key).toEqual(raw.key == null ? null : Buffer.from(raw.key, 'base64'));
        // The raw record is kept untouched for the dead letter's "original bytes".
        expect(record.raw).toEqual(raw);
        expect(record.headers).toHaveLength((raw.headers ?? []).flatMap((h) => Object.keys(h)).length);
      }
    }
  });

  it.each([
    ['msk-awsdocs.json', 'aws:kafka'],
    ['self-managed-kafka-awsdocs.json', 'SelfManagedKafka'],
    ['self-managed-kafka-powertools-python.json', 'aws:SelfManagedKafka'],
  ])('accepts %s with eventSource "%s"', (file, eventSource) => {
    // Prepare
    const event = load(file);

    // Act
    const partitions = decodeKafkaEvent(event);

    // Assess
    expect(event.eventSource).toBe(eventSource);
    expect([...partitions.values()].flat()).toHaveLength(1);
  });

  it('decodes values and the "headerValue" header of the documentation samples', () => {
    // Prepare
    const samples = ['msk-awsdocs.json', 'msk-powertools-python.json', 'msk-aws-lambda-java-tests.json'];

    // Act
    const records = samples.map((file) => [...decodeKafkaEvent(load(file)).values()].flat()[0]);

    // Assess
    expect(records.map((record) => record?.value?.toString('utf8'))).toEqual([
      'Hello, this is a test.',
      '{"key":"value"}',
      'Hello from Kafka !!',
    ]);
    for (const record of records) {
      expect(record?.headers).toEqual([{ name: 'headerKey', value: Buffer.from('headerValue') }]);
      if (record) expect(headerText(record, 'headerKey')).toBe('headerValue');
    }
    expect(records[1]?.key?.toString('utf8')).toBe('recordKey');
  });

  it('maps negative (signed Java) header bytes to the right octets', () => {
    // Prepare: the aws-lambda-go sample's header is [118, -36, 0, 127, -128]
    const event = load('msk-aws-lambda-go.json');

    // Act
    const [record] = [...decodeKafkaEvent(event).values()].flat();

    // Assess: -36 is 0xdc and -128 is 0x80 as an octet
    expect(record?.headers).toHaveLength(1);
    expect(record?.headers[0]?.name).toBe('headerKey');
    expect([...(record?.headers[0]?.value ?? [])]).toEqual([0x76, 0xdc, 0x00, 0x7f, 0x80]);
  });

  it('gives a null key both when "key" is absent and when it is null', () => {
    // Prepare: offsets 15 (key), 16 (no "key"), 17 ("key": null)
    const event = load('msk-powertools-ts-kafka-default.json');

    // Act
    const records = decodeKafkaEvent(event).get('mytopic-0') ?? [];

    // Assess
    expect(records.map((record) => record.offset)).toEqual([15, 16, 17]);
    expect(records[0]?.key?.toString('utf8')).toBe('recordKey');
    expect(records[1]?.key).toBeNull();
    expect('key' in (records[1]?.raw ?? {})).toBe(false);
    expect(records[2]?.key).toBeNull();
    expect(records[2]?.raw.key).toBeNull();
    expect(JSON.parse(records[1]?.value?.toString('utf8') ?? '')).toEqual({
      id: 12345,
      name: 'product5',
      price: 45,
    });
  });

  it('keeps a record without value as null, not as an empty buffer', () => {
    // Prepare: a tombstone, made from a real sample
    const event = load('msk-awsdocs.json');
    const record = event.records['mytopic-0']?.[0];
    if (record) record.value = null;

    // Act
    const [decoded] = [...decodeKafkaEvent(event).values()].flat();

    // Assess
    expect(decoded?.value).toBeNull();
  });

  it('processes records in offset order even when the event lists them out of order', () => {
    // Prepare
    const event = load('msk-powertools-ts-kafka-avro.json');
    event.records['mytopic-0']?.reverse();

    // Act
    const records = decodeKafkaEvent(event).get('mytopic-0') ?? [];

    // Assess
    expect(records.map((record) => record.offset)).toEqual([15, 16, 17]);
    expect(records.map((record) => record.raw.offset)).toEqual([15, 16, 17]);
  });

  it.each(otherSamples)('refuses %s: not a Kafka event, the whole invocation is misconfigured', (file) => {
    // Prepare
    const event = loadJsonFixture<unknown>(EVENTS, file);

    // Act
    const decode = () => decodeKafkaEvent(event);

    // Assess
    expect(decode).toThrow(/^Not an MSK or self-managed Kafka event/);
  });

  it('refuses an unknown eventSource', () => {
    // Prepare
    const event = { ...load('msk-awsdocs.json'), eventSource: 'aws:sqs' };

    // Act
    const decode = () => decodeKafkaEvent(event);

    // Assess
    expect(decode).toThrow(/Not an MSK or self-managed Kafka event/);
  });
});

describe('Java byte arrays', () => {
  it('round-trips every octet through the signed form Lambda uses', () => {
    // Prepare
    const octets = Buffer.from(Array.from({ length: 256 }, (_, index) => index));

    // Act
    const signed = bytesToJavaArray(octets);
    const back = bytesFromJavaArray(signed);

    // Assess
    expect(Math.min(...signed)).toBe(-128);
    expect(Math.max(...signed)).toBe(127);
    expect(back.equals(octets)).toBe(true);
  });
});
