/**
 * Backfill planning: a valid operator request becomes commands; every invalid one is rejected with a message
 * that names the problem, and nothing is planned (the function throws before returning any plan).
 */
import { describe, expect, it } from 'vitest';
import { type BackfillContext, BackfillRequestError, planBackfill } from '../../functions/backfill/plan.ts';
import { resolveConfig } from '../../model/config.ts';
import { decodeMessage } from '../../model/messages.ts';

const indicators = resolveConfig({}).indicators;

function context(overrides: Partial<BackfillContext> = {}): BackfillContext {
  return {
    premium: false,
    indicators,
    now: new Date('2026-05-16T09:00:00Z'),
    fallbackRequestId: 'lambda-request-0001',
    ...overrides,
  };
}

/** Runs `planBackfill` expecting a rejection; returns its message. */
function rejectionOf(request: unknown, ctx: BackfillContext = context()): string {
  let plan: unknown;
  try {
    plan = planBackfill(request, ctx);
  } catch (error) {
    expect(error).toBeInstanceOf(BackfillRequestError);
    return (error as Error).message;
  }
  throw new Error(`planBackfill accepted an invalid request and planned ${JSON.stringify(plan)}`);
}

describe('planBackfill: valid requests', () => {
  it('sends per-security commands straight to the dataset topics when symbols are given', () => {
    // Prepare
    const request = { symbols: ['ibm', ' msft ', 'IBM'], datasets: ['history', 'quote'], requestId: 'r-1' };

    // Act
    const plan = planBackfill(request, context());

    // Assess: symbols upper-cased, trimmed and de-duplicated; no universe command
    expect(plan.securities).toEqual([]);
    expect(plan.perSecurity.history.map((c) => ('symbol' in c ? c.symbol : ''))).toEqual(['IBM', 'MSFT']);
    expect(plan.perSecurity.quote).toHaveLength(2);
    expect(plan.perSecurity.overview).toEqual([]);
    expect(plan.perSecurity.indicators).toEqual([]);
    expect(plan.requestId).toBe('r-1');
    expect(plan.correlationId).toBe('backfill:r-1');
    for (const command of [...plan.perSecurity.history, ...plan.perSecurity.quote]) {
      expect(command.correlationId).toBe('backfill:r-1');
      expect(command.issuedAt).toBe('2026-05-16T09:00:00.000Z');
    }
  });

  it('carries an explicit ask-again override into every command it plans, and none without it', () => {
    const asked = planBackfill(
      { symbols: ['ZZZZ'], datasets: ['overview', 'quote'], askAgain: true },
      context(),
    );
    const universe = planBackfill({ datasets: ['quote'], askAgain: true }, context());
    const plain = planBackfill({ symbols: ['ZZZZ'], datasets: ['quote'] }, context());

    expect([...asked.perSecurity.overview, ...asked.perSecurity.quote].map((c) => c.askAgain)).toEqual([
      true,
      true,
    ]);
    expect(
      universe.securities.map((c) => decodeMessage('securities', Buffer.from(JSON.stringify(c))).askAgain),
    ).toEqual([true]);
    expect(plain.perSecurity.quote.map((c) => c.askAgain)).toEqual([undefined]);
  });

  it('asks for history when computed indicators are asked for: they follow it', () => {
    // Prepare: the defaults are computed
    const request = { symbols: ['AAPL'], datasets: ['indicators'] };

    // Act
    const plan = planBackfill(request, context());

    // Assess
    expect(plan.impliedDatasets).toEqual(['history']);
    expect(plan.perSecurity.history.map((c) => ('symbol' in c ? c.symbol : ''))).toEqual(['AAPL']);
    expect(plan.perSecurity.indicators).toEqual([]);
  });

  it('plans one command per fetched indicator and symbol, and no history for them', () => {
    // Prepare
    const fetched = indicators.map((indicator) => ({ ...indicator, source: 'alphavantage' as const }));
    const request = { symbols: ['AAPL'], datasets: ['indicators'] };

    // Act
    const plan = planBackfill(request, context({ indicators: fetched }));

    // Assess
    expect(plan.impliedDatasets).toEqual([]);
    expect(plan.perSecurity.history).toEqual([]);
    expect(plan.perSecurity.indicators).toHaveLength(fetched.length);
  });

  it('asks the securities handler to fan out over the stored universe when no symbols are given', () => {
    // Prepare
    const request = { datasets: ['overview', 'overview', 'history'] };

    // Act
    const plan = planBackfill(request, context());

    // Assess
    expect(plan.securities).toHaveLength(1);
    expect(plan.securities[0]).toMatchObject({
      type: 'collect-universe',
      refreshListing: false,
      datasets: ['overview', 'history'],
      correlationId: 'backfill:lambda-request-0001',
    });
    expect(Object.values(plan.perSecurity).every((list) => list.length === 0)).toBe(true);
  });

  it('refreshes the listing when "universe" is requested', () => {
    // Prepare
    const request = { datasets: ['universe', 'quote'] };

    // Act
    const plan = planBackfill(request, context());

    // Assess
    expect(plan.securities[0]).toMatchObject({ refreshListing: true, datasets: ['quote'] });
  });

  it('passes a forced history size on, and allows "full" on a premium plan', () => {
    // Prepare
    const perSymbol = { symbols: ['IBM'], datasets: ['history'], historyOutputsize: 'full' };
    const universeWide = { datasets: ['history'], historyOutputsize: 'full' };

    // Act
    const a = planBackfill(perSymbol, context({ premium: true }));
    const b = planBackfill(universeWide, context({ premium: true }));

    // Assess
    expect(a.perSecurity.history[0]).toMatchObject({ outputsize: 'full' });
    expect(b.securities[0]?.historyOutputsize).toBe('full');
  });

  it('re-publishes the same command ids for the same request id, and new ones for a new request id', () => {
    // Prepare
    const request = { symbols: ['IBM', 'MSFT'], datasets: ['overview', 'quote'], requestId: 'again' };
    const ids = (plan: ReturnType<typeof planBackfill>) =>
      [...plan.securities, ...Object.values(plan.perSecurity).flat()].map((c) => c.commandId);

    // Act
    const first = planBackfill(request, context());
    const retried = planBackfill({ ...request }, context({ now: new Date('2026-05-16T10:00:00Z') }));
    const other = planBackfill({ ...request, requestId: 'different' }, context());

    // Assess
    expect(ids(retried)).toEqual(ids(first));
    expect(ids(other).filter((id) => ids(first).includes(id))).toEqual([]);
  });

  it('uses the Lambda request id when the request has none', () => {
    // Prepare
    const request = { datasets: ['quote'] };

    // Act
    const a = planBackfill(request, context({ fallbackRequestId: 'aaa' }));
    const b = planBackfill(request, context({ fallbackRequestId: 'bbb' }));

    // Assess
    expect(a.requestId).toBe('aaa');
    expect(a.securities[0]?.commandId).not.toBe(b.securities[0]?.commandId);
  });

  it('plans only commands that pass their topic contracts', () => {
    // Prepare
    const withSymbols = {
      symbols: ['BRK.B', 'bf-b'],
      datasets: ['overview', 'history', 'quote', 'indicators'],
    };
    const universeWide = { datasets: ['universe', 'overview'] };

    // Act
    const a = planBackfill(withSymbols, context());
    const b = planBackfill(universeWide, context());

    // Assess
    const roundTrip = (value: unknown) => Buffer.from(JSON.stringify(value));
    for (const role of ['overview', 'history', 'quote', 'indicators'] as const) {
      for (const command of a.perSecurity[role])
        expect(decodeMessage(role, roundTrip(command))).toEqual(command);
    }
    for (const command of b.securities)
      expect(decodeMessage('securities', roundTrip(command))).toEqual(command);
  });
});

describe('planBackfill: invalid requests are rejected and nothing is planned', () => {
  it.each([
    ['no request at all', undefined, '(request)'],
    ['a string', 'IBM history', '(request)'],
    ['an array', [{ datasets: ['quote'] }], '(request)'],
    ['no datasets', { symbols: ['IBM'] }, 'datasets'],
    ['empty datasets', { datasets: [] }, 'datasets'],
    ['an unknown dataset', { datasets: ['prices'] }, 'datasets.0'],
    ['an empty symbol list', { symbols: [], datasets: ['quote'] }, 'symbols'],
    ['a malformed symbol', { symbols: ['IBM', 'NOT A TICKER'], datasets: ['quote'] }, 'symbols.1'],
    ['a symbol that is not a string', { symbols: [42], datasets: ['quote'] }, 'symbols.0'],
    ['an unknown history size', { datasets: ['history'], historyOutputsize: 'huge' }, 'historyOutputsize'],
    ['an empty request id', { datasets: ['quote'], requestId: '' }, 'requestId'],
    ['a misspelt field', { datasets: ['quote'], symbol: ['IBM'] }, '(request)'],
    ['"universe" with symbols', { symbols: ['IBM'], datasets: ['universe', 'quote'] }, 'datasets'],
  ])('rejects %s, naming %s', (_what, request, path) => {
    // Prepare: see the table

    // Act
    const message = rejectionOf(request);

    // Assess
    expect(message).toMatch(/^Invalid backfill request: /);
    expect(message).toContain(`${path}: `);
  });

  it('says why "universe" and "symbols" cannot be combined', () => {
    // Prepare
    const request = { symbols: ['IBM'], datasets: ['universe'] };

    // Act
    const message = rejectionOf(request);

    // Assess
    expect(message).toContain(
      '"universe" refreshes the whole securities list and cannot be combined with "symbols"',
    );
  });

  it('rejects more than 10000 symbols', () => {
    // Prepare
    const symbols = Array.from({ length: 10_001 }, (_, index) => `S${index}`);

    // Act
    const message = rejectionOf({ symbols, datasets: ['quote'] });

    // Assess
    expect(message).toContain('symbols: at most 10000 symbols per backfill: split the request');
  });

  it.each([
    ['with symbols', { symbols: ['IBM'], datasets: ['history'], historyOutputsize: 'full' }],
    ['over the whole universe', { datasets: ['history'], historyOutputsize: 'full' }],
  ])('rejects historyOutputsize "full" %s on the free plan', (_what, request) => {
    // Prepare
    const free = context({ premium: false });

    // Act
    const message = rejectionOf(request, free);

    // Assess
    expect(message).toContain('historyOutputsize "full"');
    expect(message).toContain('premium');
    expect(message).toContain('free plan');
  });
});

describe('planBackfill: repeating a request exactly', () => {
  it('uses the given issuedAt, so the same request id and issuedAt give byte-identical commands at any time', () => {
    // Prepare: the first invocation, then a repeat a day later with the issuedAt the first one returned
    const request = { symbols: ['IBM'], datasets: ['overview', 'quote'], requestId: 'r-9' };
    const first = planBackfill(request, context());

    // Act
    const repeat = planBackfill(
      { ...request, issuedAt: first.issuedAt },
      context({ now: new Date('2026-05-17T09:00:00Z') }),
    );
    const fresh = planBackfill(request, context({ now: new Date('2026-05-17T09:00:00Z') }));

    // Assess
    expect(first.issuedAt).toBe('2026-05-16T09:00:00.000Z');
    expect(JSON.stringify(repeat.perSecurity)).toBe(JSON.stringify(first.perSecurity));
    // Without it, a repeat keeps the ids but is a fresh collection (a later issuedAt).
    expect(fresh.perSecurity.quote[0]?.commandId).toBe(first.perSecurity.quote[0]?.commandId);
    expect(fresh.perSecurity.quote[0]?.issuedAt).toBe('2026-05-17T09:00:00.000Z');
  });

  it('rejects an issuedAt in the future, beyond a small clock-skew tolerance', () => {
    // Prepare: now is 2026-05-16T09:00:00Z
    const request = { symbols: ['IBM'], datasets: ['quote'] };

    // Act
    const message = rejectionOf({ ...request, issuedAt: '2062-01-01T00:00:00Z' });
    const skewed = planBackfill({ ...request, issuedAt: '2026-05-16T09:04:00Z' }, context());

    // Assess
    expect(message).toMatch(/^Invalid backfill request: issuedAt: 2062-01-01T00:00:00Z is in the future/);
    expect(skewed.issuedAt).toBe('2026-05-16T09:04:00Z');
  });

  it('rejects an issuedAt that is not an ISO date-time', () => {
    expect(rejectionOf({ datasets: ['quote'], issuedAt: 'yesterday' })).toMatch(/issuedAt/);
  });
});
