/**
 * Message contracts: what a consumer accepts, and the two ContractViolation codes for what it cannot
 * (`undecodable`: no value or not JSON; `schema-invalid`: JSON that is not this topic's message).
 */
import { describe, expect, it } from 'vitest';
import { securitiesFromWatchlist } from '../../functions/shared/domain/universe.ts';
import { isPermanent } from '../../functions/shared/errors.ts';
import {
  type CollectIndicator,
  type CollectQuote,
  type CollectUniverse,
  type ContractRole,
  ContractViolation,
  childCommandId,
  collectQuoteSchema,
  decodeMessage,
  messageKey,
} from '../../model/messages.ts';

const envelope = {
  v: 1 as const,
  commandId: 'c0ffee00c0ffee00c0ffee00c0ffee00',
  correlationId: 'quote-intraday@2026-05-15T14:00:00Z',
  issuedAt: '2026-05-15T14:00:00Z',
};

const quote: CollectQuote = { type: 'collect-quote', ...envelope, symbol: 'IBM' };
const universe: CollectUniverse = {
  type: 'collect-universe',
  ...envelope,
  refreshListing: false,
  datasets: ['history', 'quote'],
};
const indicator: CollectIndicator = {
  type: 'collect-indicator',
  ...envelope,
  symbol: 'BRK.B',
  indicator: { function: 'SMA', interval: 'daily', timePeriod: 20, seriesType: 'close' },
};

const bytes = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');

/** Runs `decodeMessage` expecting a ContractViolation. */
function violationOf(role: ContractRole, value: Buffer | null): ContractViolation {
  try {
    decodeMessage(role, value);
  } catch (error) {
    expect(error).toBeInstanceOf(ContractViolation);
    return error as ContractViolation;
  }
  throw new Error('decodeMessage accepted an invalid message');
}

describe('decodeMessage: valid messages', () => {
  it.each([
    ['quote', quote],
    ['securities', universe],
    ['indicators', indicator],
    ['history', { type: 'collect-history', ...envelope, symbol: 'MSFT', outputsize: 'full' }],
    ['overview', { type: 'collect-overview', ...envelope, symbol: 'BF-B' }],
  ] as const)('decodes a %s message to the same value', (role, message) => {
    // Prepare
    const value = bytes(message);

    // Act
    const decoded = decodeMessage(role, value);

    // Assess
    expect(decoded).toEqual(message);
  });

  it('accepts an issue time with a non-UTC offset', () => {
    // Prepare
    const value = bytes({ ...quote, issuedAt: '2026-05-15T10:00:00-04:00' });

    // Act
    const decoded = decodeMessage('quote', value);

    // Assess
    expect(decoded.issuedAt).toBe('2026-05-15T10:00:00-04:00');
  });
});

describe('decodeMessage: undecodable', () => {
  it.each([
    ['a null value (tombstone)', null],
    ['an empty value', Buffer.alloc(0)],
    ['text', Buffer.from('Hello, this is a test.')],
    ['binary (Avro) bytes', Buffer.from('0g8MTGFwdG9wUrgehes/j0A=', 'base64')],
    ['JSON cut in half', bytes(quote).subarray(0, 20)],
  ])('rejects %s as undecodable', (_what, value) => {
    // Prepare: see the table

    // Act
    const violation = violationOf('quote', value);

    // Assess
    expect(violation.code).toBe('undecodable');
    expect(violation.name).toBe('ContractViolation');
    expect(isPermanent(violation)).toBe(true);
  });
});

describe('decodeMessage: schema-invalid', () => {
  it.each([
    ['another topic’s message', 'quote', universe, 'type'],
    ['a lower-case symbol', 'quote', { ...quote, symbol: 'ibm' }, 'symbol'],
    ['a missing symbol', 'quote', { ...quote, symbol: undefined }, 'symbol'],
    ['an unknown version', 'quote', { ...quote, v: 2 }, 'v'],
    ['a short command id', 'quote', { ...quote, commandId: 'abc' }, 'commandId'],
    ['an issue time without offset', 'quote', { ...quote, issuedAt: '2026-05-15 14:00' }, 'issuedAt'],
    ['an unknown dataset', 'securities', { ...universe, datasets: ['prices'] }, 'datasets.0'],
    [
      'an indicator period of 1',
      'indicators',
      { ...indicator, indicator: { ...indicator.indicator, timePeriod: 1 } },
      'indicator.timePeriod',
    ],
    ['a JSON array', 'quote', [quote], '(root)'],
    ['a JSON string', 'quote', 'IBM', '(root)'],
    ['a Lambda sample value', 'quote', { key: 'value' }, 'type'],
  ] as const)('rejects %s, naming the path', (_what, role, message, path) => {
    // Prepare
    const value = bytes(message);

    // Act
    const violation = violationOf(role, value);

    // Assess
    expect(violation.code).toBe('schema-invalid');
    expect(violation.message).toContain(`not a valid ${role} message`);
    expect(violation.message).toContain(`${path}: `);
    expect(isPermanent(violation)).toBe(true);
  });
});

describe('the symbol rule', () => {
  const accepted = (symbol: string) => {
    const contract = collectQuoteSchema.safeParse({ ...quote, symbol }).success;
    const universe = securitiesFromWatchlist([symbol]).securities.length === 1;
    return { contract, universe };
  };

  it.each(['A-', 'A..B', '0', '2024-01-02', '-P-HIZ', 'BC/PB', 'ACWV:BAT', 'TOOLONGROOT1'])(
    'the contract rejects %s, as the universe does',
    (symbol) => {
      expect(accepted(symbol)).toEqual({ contract: false, universe: false });
    },
  );

  it.each(['IBM', 'BRK.B', 'BF-B', 'ABR-P-D', 'AAM-WS', 'TSCO.LON', 'A'])(
    'the contract accepts %s, as the universe does',
    (symbol) => {
      expect(accepted(symbol)).toEqual({ contract: true, universe: true });
    },
  );
});

describe('messageKey', () => {
  it('keys per-security commands by symbol and universe commands by a constant', () => {
    // Prepare
    const commands = [quote, indicator, universe];

    // Act
    const keys = commands.map(messageKey);

    // Assess
    expect(keys).toEqual(['IBM', 'BRK.B', 'universe']);
  });
});

describe('childCommandId', () => {
  it('is deterministic, valid as a command id, and changes with the parent or any part', () => {
    // Prepare
    const parent = envelope.commandId;

    // Act
    const id = childCommandId(parent, 'quote', 'IBM');
    const again = childCommandId(parent, 'quote', 'IBM');
    const others = [
      childCommandId(`${parent}x`, 'quote', 'IBM'),
      childCommandId(parent, 'quote', 'MSFT'),
      childCommandId(parent, 'history', 'IBM'),
      // The separator keeps part boundaries: ("ab","c") and ("a","bc") must not collide.
      childCommandId(parent, 'quo', 'teIBM'),
    ];

    // Assess
    expect(again).toBe(id);
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set([id, ...others]).size).toBe(5);
    expect(decodeMessage('quote', bytes({ ...quote, commandId: id })).commandId).toBe(id);
  });
});
