import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainValidationError } from '../../functions/shared/domain/errors.ts';
import {
  type ListingRow,
  securitiesFromWatchlist,
  selectUniverse,
} from '../../functions/shared/domain/universe.ts';
import { ALPHAVANTAGE_FIXTURES_DIR } from '../support/fixtures.ts';

function row(symbol: string, overrides: Partial<ListingRow> = {}): ListingRow {
  return {
    symbol,
    name: `${symbol} Inc`,
    exchange: 'NYSE',
    assetType: 'Stock',
    ipoDate: '2000-01-03',
    delistingDate: null,
    status: 'Active',
    ...overrides,
  };
}

describe('selectUniverse', () => {
  it('keeps active rows that pass the filter, sorted by symbol, with their listing metadata', () => {
    // Prepare
    const rows = [
      row('MSFT', { exchange: 'NASDAQ' }),
      row('IBM', { name: 'International Business Machines ' }),
      row('SPY', { exchange: 'NYSE ARCA', assetType: 'ETF' }),
      row('GONE', { status: 'Delisted', delistingDate: '2020-05-01' }),
      row('ODD', { delistingDate: '2024-01-02' }),
      row('AAPL', { exchange: 'NASDAQ' }),
    ];

    // Act
    const { securities, skipped } = selectUniverse(rows, {
      exchanges: ['nyse', 'NASDAQ'],
      assetTypes: ['stock'],
    });

    // Assess
    expect(securities).toEqual([
      { symbol: 'AAPL', name: 'AAPL Inc', exchange: 'NASDAQ', assetType: 'Stock' },
      { symbol: 'IBM', name: 'International Business Machines', exchange: 'NYSE', assetType: 'Stock' },
      { symbol: 'MSFT', name: 'MSFT Inc', exchange: 'NASDAQ', assetType: 'Stock' },
    ]);
    expect(skipped).toEqual([]);
  });

  it('accepts real share-class and preferred tickers, and skips unusable ones with a reason', () => {
    // Prepare: rows seen in the real LISTING_STATUS file.
    const rows = ['BRK.B', 'BF-B', 'ABR-P-D', 'AAM-WS', '-P-HIZ', 'NYCB- PR-U', 'BC/PB', 'ACWV:BAT', ''].map(
      (s) => row(s),
    );

    // Act
    const { securities, skipped } = selectUniverse(rows);

    // Assess
    expect(securities.map((s) => s.symbol)).toEqual(['AAM-WS', 'ABR-P-D', 'BF-B', 'BRK.B']);
    expect(skipped.map((s) => s.symbol)).toEqual(['-P-HIZ', 'NYCB- PR-U', 'BC/PB', 'ACWV:BAT', '']);
    expect(skipped.every((s) => s.reason.length > 0)).toBe(true);
    expect(skipped.at(-1)?.reason).toBe('empty symbol');
  });

  it('de-duplicates by symbol independently of row order', () => {
    // Prepare: the same symbol twice (different case and exchange).
    const rows = [row('abc', { exchange: 'NYSE' }), row('ABC', { exchange: 'BATS' }), row('XYZ')];

    // Act
    const forwards = selectUniverse(rows);
    const backwards = selectUniverse([...rows].reverse());

    // Assess: BATS sorts before NYSE, so that row is kept either way.
    expect(forwards.securities).toEqual([
      { symbol: 'ABC', name: 'ABC Inc', exchange: 'BATS', assetType: 'Stock' },
      { symbol: 'XYZ', name: 'XYZ Inc', exchange: 'NYSE', assetType: 'Stock' },
    ]);
    expect(forwards.skipped).toEqual([{ symbol: 'ABC', reason: 'duplicate symbol' }]);
    expect(backwards).toEqual(forwards);
  });

  it('produces the same selection for any row order (property)', () => {
    const symbols = fc.constantFrom('IBM', 'ibm', 'BRK.B', 'BF-B', '-P-HIZ', 'MSFT', 'ACWV:BAT', 'SPY');
    const rows = fc.array(
      fc.record({
        symbol: symbols,
        exchange: fc.constantFrom('NYSE', 'NASDAQ', 'BATS'),
        status: fc.constantFrom('Active', 'Delisted'),
      }),
      { maxLength: 30 },
    );
    fc.assert(
      fc.property(rows, (generated) => {
        // Prepare
        const listing = generated.map((r) => row(r.symbol, { exchange: r.exchange, status: r.status }));

        // Act
        const forwards = selectUniverse(listing, { exchanges: ['NYSE', 'NASDAQ'] });
        const backwards = selectUniverse([...listing].reverse(), { exchanges: ['NYSE', 'NASDAQ'] });

        // Assess
        expect(backwards.securities).toEqual(forwards.securities);
        const symbolsOut = forwards.securities.map((s) => s.symbol);
        expect(symbolsOut).toEqual([...new Set(symbolsOut)].sort());
      }),
    );
  });

  it('refuses an empty filter list instead of guessing "nothing" or "everything"', () => {
    // Act / Assess
    expect(() => selectUniverse([row('IBM')], { exchanges: [] })).toThrow(DomainValidationError);
    expect(() => selectUniverse([row('IBM')], { assetTypes: [] })).toThrow(
      /assetTypes must be omitted or a non-empty/,
    );
  });
});

describe('securitiesFromWatchlist', () => {
  it('normalises, validates, de-duplicates and sorts, reporting what it skipped', () => {
    // Prepare
    const watchlist = [' brk.b ', 'IBM', 'ibm', 'bf-b', '-P-HIZ', '', 'MSFT\t', 'not a ticker'];

    // Act
    const { securities, skipped } = securitiesFromWatchlist(watchlist);

    // Assess
    expect(securities).toEqual([
      { symbol: 'BF-B' },
      { symbol: 'BRK.B' },
      { symbol: 'IBM' },
      { symbol: 'MSFT' },
    ]);
    expect(skipped).toEqual([
      { symbol: '-P-HIZ', reason: expect.stringContaining('not a ticker') },
      { symbol: '', reason: 'empty symbol' },
      { symbol: 'not a ticker', reason: expect.stringContaining('not a ticker') },
      { symbol: 'IBM', reason: 'duplicate symbol' },
    ]);
  });

  it('reports a non-string entry instead of throwing (watchlists come from hand-edited config)', () => {
    // Prepare
    const watchlist = ['IBM', 42 as unknown as string];

    // Act
    const { securities, skipped } = securitiesFromWatchlist(watchlist);

    // Assess
    expect(securities).toEqual([{ symbol: 'IBM' }]);
    expect(skipped).toEqual([{ symbol: '42', reason: 'empty symbol' }]);
  });
});

const listingPath = join(ALPHAVANTAGE_FIXTURES_DIR, 'LISTING_STATUS-active-2026.csv');

describe('selectUniverse over the real LISTING_STATUS file', () => {
  /** Minimal CSV read, enough for this file (it has no quoted fields; asserted below). */
  function loadListing(): ListingRow[] {
    const [header, ...lines] = readFileSync(listingPath, 'utf8').trim().split(/\r?\n/);
    expect(header).toBe('symbol,name,exchange,assetType,ipoDate,delistingDate,status');
    const rows = lines.map((line) => line.split(','));
    expect(rows.filter((fields) => fields.length !== 7)).toEqual([]);
    return rows.map(
      ([
        symbol = '',
        name = '',
        exchange = '',
        assetType = '',
        ipoDate = '',
        delistingDate = '',
        status = '',
      ]) => ({
        symbol,
        name,
        exchange,
        assetType,
        ipoDate,
        delistingDate,
        status,
      }),
    );
  }

  it('partitions the NYSE/NASDAQ stocks into selected and skipped, keeping real tickers', () => {
    // Prepare
    const rows = loadListing();
    const inScope = rows.filter((r) => ['NYSE', 'NASDAQ'].includes(r.exchange) && r.assetType === 'Stock');

    // Act
    const started = performance.now();
    const { securities, skipped } = selectUniverse(rows, {
      exchanges: ['NYSE', 'NASDAQ'],
      assetTypes: ['Stock'],
    });
    const elapsedMs = performance.now() - started;

    // Assess: every in-scope row is either selected or skipped (the file has no duplicates).
    expect(securities.length + skipped.length).toBe(inScope.length);
    const selected = new Set(securities.map((s) => s.symbol));
    for (const expected of ['IBM', 'MSFT', 'AAPL', 'BRK-B', 'BF-B', 'ABR-P-D'])
      expect(selected.has(expected)).toBe(true);
    expect(skipped.map((s) => s.symbol)).toContain('-P-HIZ');
    expect(skipped.map((s) => s.symbol)).toContain('NYCB- PR-U');
    expect(securities.every((s) => s.exchange === 'NYSE' || s.exchange === 'NASDAQ')).toBe(true);
    console.info(
      `[domain-universe] ${rows.length} listing rows -> ${securities.length} selected, ` +
        `${skipped.length} skipped in ${elapsedMs.toFixed(1)} ms`,
    );
  });
});
