/**
 * The operations function's logic (functions/operations/collect.ts) over an in-memory log: listing applies
 * redrive markers, a redrive re-publishes the original bytes once, `send` validates before publishing.
 * The same paths run against the real broker in test/integration/cli.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { progressSince } from '../../cli/follow.ts';
import { type OperationsPorts, operate } from '../../functions/operations/collect.ts';
import type { OutgoingMessage } from '../../functions/shared/kafka/producer.ts';
import type { ReadRecord } from '../../functions/shared/kafka/reader.ts';
import type { DeadLetter } from '../../model/messages.ts';
import {
  type DeadLetterDetail,
  type DeadLetterEntry,
  type Deployment,
  REDRIVE_HEADER,
  type RedriveReport,
} from '../../model/operations.ts';

const deployment: Deployment = {
  prefix: 't',
  topics: {
    securities: 't.securities',
    overview: 't.overview',
    history: 't.history',
    quote: 't.quote',
    indicators: 't.indicators',
    deadLetter: 't.dead-letter',
  },
  consumerGroups: { quote: { role: 'quote', groupId: 't-quote-handler' } },
  tables: {} as Deployment['tables'],
  schedules: [],
};

/** An in-memory log: one partition per topic, offsets from 0. */
function memoryLog() {
  const topics = new Map<string, ReadRecord[]>();
  const append = (message: OutgoingMessage) => {
    const records = topics.get(message.topic) ?? [];
    records.push({
      topic: message.topic,
      partition: 0,
      offset: String(records.length),
      timestamp: Date.parse('2026-12-01T10:00:00Z') + records.length,
      key: Buffer.from(message.key),
      value: Buffer.from(message.value),
      headers: message.headers ?? {},
    });
    topics.set(message.topic, records);
  };
  const ports: OperationsPorts = {
    topicOffsets: async (topic) => [{ partition: 0, low: '0', high: String(topics.get(topic)?.length ?? 0) }],
    groupOffsets: async () => [{ partition: 0, offset: '-1' }],
    read: async (ranges) =>
      ranges.flatMap((range) =>
        (topics.get(range.topic) ?? []).filter(
          (r) => BigInt(r.offset) >= BigInt(range.from) && BigInt(r.offset) < BigInt(range.to),
        ),
      ),
    publish: async (messages) => messages.forEach(append),
    now: () => new Date('2026-12-01T12:00:00Z'),
  };
  return { topics, append, ports };
}

function deadLetter(symbol: string, code: string, sourceOffset = '7', redriveOf?: string): OutgoingMessage {
  const original = JSON.stringify({ type: 'collect-quote', symbol });
  const letter: DeadLetter = {
    type: 'dead-letter',
    v: 1,
    reason: { code, message: `${code} for ${symbol}` },
    source: { topic: 't.quote', partition: 0, offset: sourceOffset },
    handler: 't-quote',
    failedAt: '2026-12-01T10:00:00Z',
    originalKey: Buffer.from(symbol).toString('base64'),
    originalValue: Buffer.from(original).toString('base64'),
    originalHeaders: [
      { 'correlation-id': Buffer.from('c-1').toString('base64') },
      ...(redriveOf ? [{ [REDRIVE_HEADER]: Buffer.from(redriveOf).toString('base64') }] : []),
    ],
  };
  return { topic: 't.dead-letter', key: 't.quote-0', value: JSON.stringify(letter) };
}

describe('operations: dead letters', () => {
  it('redrives each matching dead letter once, with its original key, value and headers', async () => {
    const log = memoryLog();
    log.append(deadLetter('IBM', 'no-data'));
    log.append(deadLetter('MSFT', 'api-error', '8'));

    const first = (await operate(
      { action: 'redrive', reason: 'no-data' },
      deployment,
      log.ports,
    )) as RedriveReport;
    expect(first.sent.map((sent) => sent.offset)).toEqual(['0']);
    const quotes = log.topics.get('t.quote') ?? [];
    expect(quotes).toHaveLength(1);
    expect(quotes[0]?.key?.toString()).toBe('IBM');
    expect(JSON.parse(quotes[0]?.value?.toString() ?? '')).toEqual({ type: 'collect-quote', symbol: 'IBM' });
    expect(quotes[0]?.headers).toEqual({ 'correlation-id': 'c-1', [REDRIVE_HEADER]: '0:0' });

    const second = (await operate({ action: 'redrive' }, deployment, log.ports)) as RedriveReport;
    expect(second.sent.map((sent) => sent.offset)).toEqual(['1']);
    expect(second.skipped).toEqual([
      expect.objectContaining({ offset: '0', why: expect.stringMatching(/^already redriven/) }),
    ]);
    const third = (await operate({ action: 'redrive' }, deployment, log.ports)) as RedriveReport;
    expect(third.sent).toEqual([]);
    expect(log.topics.get('t.quote')).toHaveLength(2);
  });

  it('does not redrive a dead letter whose original value was cut, and says where the whole value is', async () => {
    const log = memoryLog();
    const cut = deadLetter('IBM', 'undecodable');
    const letter = JSON.parse(cut.value);
    log.append({
      ...cut,
      value: JSON.stringify({
        ...letter,
        originalValueCut: { length: 2_000_000, sha256: 'a'.repeat(64), keptBytes: 1_000 },
      }),
    });

    const report = (await operate({ action: 'redrive' }, deployment, log.ports)) as RedriveReport;
    const detail = (await operate(
      { action: 'dead-letter', partition: 0, offset: '0' },
      deployment,
      log.ports,
    )) as DeadLetterDetail;

    expect(report.sent).toEqual([]);
    expect(report.skipped).toEqual([
      expect.objectContaining({ offset: '0', why: expect.stringContaining('t.quote partition 0 offset 7') }),
    ]);
    expect(log.topics.get('t.quote')).toBeUndefined();
    expect(detail.originalValueCut).toEqual({ length: 2_000_000, sha256: 'a'.repeat(64), keptBytes: 1_000 });
  });

  it('marks a source record dead-lettered again as a repeat, and redrives it once', async () => {
    const log = memoryLog();
    log.append(deadLetter('IBM', 'no-data'));
    log.append(deadLetter('IBM', 'no-data'));

    const { deadLetters } = (await operate({ action: 'dead-letters' }, deployment, log.ports)) as {
      deadLetters: DeadLetterEntry[];
    };
    const report = (await operate({ action: 'redrive' }, deployment, log.ports)) as RedriveReport;

    expect(deadLetters.map((entry) => entry.repeatOf)).toEqual([undefined, { partition: 0, offset: '0' }]);
    expect(report.sent.map((sent) => sent.offset)).toEqual(['0']);
    expect(report.skipped).toEqual([
      expect.objectContaining({ offset: '1', why: expect.stringMatching(/^repeat of the dead letter/) }),
    ]);
    expect(log.topics.get('t.quote')).toHaveLength(1);
  });

  it('lists dead letters without the markers, each with its redrive state', async () => {
    const log = memoryLog();
    log.append(deadLetter('IBM', 'no-data'));
    await operate({ action: 'redrive' }, deployment, log.ports);
    const { deadLetters } = (await operate({ action: 'dead-letters' }, deployment, log.ports)) as {
      deadLetters: Array<{ offset: string; redriven?: unknown }>;
    };
    expect(deadLetters).toEqual([expect.objectContaining({ offset: '0', redriven: expect.anything() })]);
  });
});

describe('operations: redrive chains, offsets and dry runs', () => {
  it('does not redrive a letter that failed again after a redrive unless forced, and links the chain', async () => {
    const log = memoryLog();
    log.append(deadLetter('IBM', 'no-data'));
    await operate({ action: 'redrive' }, deployment, log.ports);
    // The redriven record (t.quote offset 0) failed again: the handler dead-letters it with its headers.
    log.append(deadLetter('IBM', 'no-data', '0', '0:0'));

    const again = (await operate({ action: 'redrive' }, deployment, log.ports)) as RedriveReport;
    const { deadLetters, markers } = (await operate({ action: 'dead-letters' }, deployment, log.ports)) as {
      deadLetters: DeadLetterEntry[];
      markers: number;
    };
    expect(again.sent).toEqual([]);
    expect(again.skipped.map((skip) => [skip.offset, skip.why])).toEqual([
      ['0', expect.stringContaining('failed again as 0:2')],
      ['2', expect.stringContaining('--force')],
    ]);
    expect(markers).toBe(1);
    expect(deadLetters.map((entry) => entry.offset)).toEqual(['0', '2']);
    expect(deadLetters[0]?.redriven?.failedAgainAs).toEqual({ partition: 0, offset: '2' });
    expect(deadLetters[1]?.redriveOf).toEqual({ partition: 0, offset: '0' });
    expect(log.topics.get('t.quote')).toHaveLength(1);

    const forced = (await operate(
      { action: 'redrive', force: true },
      deployment,
      log.ports,
    )) as RedriveReport;
    expect(forced.sent.map((sent) => sent.offset)).toEqual(['2']);
    expect(log.topics.get('t.quote')?.[1]?.headers[REDRIVE_HEADER]).toBe('0:2');
  });

  it('redrives only the given offsets, sends nothing on a dry run, and says when an offset is no letter', async () => {
    const log = memoryLog();
    log.append(deadLetter('IBM', 'no-data'));
    log.append(deadLetter('MSFT', 'no-data', '8'));

    const dry = (await operate(
      { action: 'redrive', offsets: [{ partition: 0, offset: '1' }], dryRun: true },
      deployment,
      log.ports,
    )) as RedriveReport;
    expect(dry).toMatchObject({ dryRun: true, sent: [expect.objectContaining({ offset: '1' })] });
    expect(log.topics.get('t.quote')).toBeUndefined();

    const one = (await operate(
      { action: 'redrive', offsets: [{ partition: 0, offset: '1' }] },
      deployment,
      log.ports,
    )) as RedriveReport;
    expect(one.sent.map((sent) => sent.offset)).toEqual(['1']);
    expect(log.topics.get('t.quote')?.map((record) => record.key?.toString())).toEqual(['MSFT']);

    // Offset 2 is the marker of that redrive: not a dead letter.
    await expect(
      operate({ action: 'redrive', offsets: [{ partition: 0, offset: '2' }] }, deployment, log.ports),
    ).rejects.toMatchObject({ name: 'OperationsNotFoundError' });
    await expect(
      operate({ action: 'dead-letter', partition: 0, offset: '9' }, deployment, log.ports),
    ).rejects.toMatchObject({ name: 'OperationsNotFoundError' });
  });
});

describe('operations: send', () => {
  it('fills in the envelope and publishes a valid command keyed by its symbol', async () => {
    const log = memoryLog();
    await operate({ action: 'send', role: 'quote', message: { symbol: 'IBM' } }, deployment, log.ports);
    const [record] = log.topics.get('t.quote') ?? [];
    expect(record?.key?.toString()).toBe('IBM');
    expect(JSON.parse(record?.value?.toString() ?? '')).toMatchObject({
      type: 'collect-quote',
      v: 1,
      symbol: 'IBM',
    });
  });

  it('rejects an invalid command and publishes nothing', async () => {
    const log = memoryLog();
    await expect(
      operate({ action: 'send', role: 'quote', message: { symbol: 'not a ticker' } }, deployment, log.ports),
    ).rejects.toThrow(/symbol/);
    expect(log.topics.size).toBe(0);
  });

  it('rejects a command issued in the future, as every consumer would, and publishes nothing', async () => {
    const log = memoryLog();
    const issuedAt = new Date(Date.now() + 365 * 86_400_000).toISOString();
    await expect(
      operate({ action: 'send', role: 'quote', message: { symbol: 'IBM', issuedAt } }, deployment, log.ports),
    ).rejects.toThrow(/issuedAt: .* is in the future/);
    expect(log.topics.size).toBe(0);
  });
});

describe('backfill progress', () => {
  it('counts records since the start offsets, handled up to what arrived', () => {
    const before = {
      groups: {
        quote: {
          handler: 'quote',
          groupId: 'g',
          partitions: [{ partition: 0, low: '0', high: '10', committed: '10' }],
        },
      },
      deadLetter: [],
    } as never;
    const now = {
      groups: {
        quote: {
          handler: 'quote',
          groupId: 'g',
          partitions: [{ partition: 0, low: '0', high: '14', committed: '12' }],
        },
      },
      deadLetter: [],
    } as never;
    expect(progressSince(before, now, ['quote'])).toEqual([
      { role: 'quote', handler: 'quote', published: 4, handled: 2 },
    ]);
  });
});
