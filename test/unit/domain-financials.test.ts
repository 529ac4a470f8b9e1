import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DomainValidationError } from '../../functions/shared/domain/errors.ts';
import { latestAnnualReport } from '../../functions/shared/domain/financials.ts';
import { ALPHAVANTAGE_FIXTURES_DIR } from '../support/fixtures.ts';

describe('latestAnnualReport', () => {
  it('returns undefined for an empty array (e.g. an ETF has no statements)', () => {
    // Prepare / Act
    const latest = latestAnnualReport([]);

    // Assess
    expect(latest).toBeUndefined();
  });

  it('picks the latest fiscalDateEnding, not the first element', () => {
    // Prepare: deliberately not newest-first.
    const reports = [
      { fiscalDateEnding: '2022-12-31', totalRevenue: '1' },
      { fiscalDateEnding: '2024-12-31', totalRevenue: '3' },
      { fiscalDateEnding: '2023-12-31', totalRevenue: '2' },
    ];

    // Act
    const latest = latestAnnualReport(reports);

    // Assess: the caller's object comes back untouched, with all its fields.
    expect(latest).toBe(reports[1]);
  });

  it('returns the first of several reports sharing the latest date', () => {
    // Prepare
    const reports = [
      { fiscalDateEnding: '2024-06-30', restated: false },
      { fiscalDateEnding: '2024-06-30', restated: true },
      { fiscalDateEnding: '2023-06-30', restated: false },
    ];

    // Act / Assess
    expect(latestAnnualReport(reports)).toBe(reports[0]);
  });

  it.each([
    ['None', /reports\[1\]\.fiscalDateEnding/],
    ['2024-12-32', /YYYY-MM-DD/],
    [undefined, /YYYY-MM-DD/],
  ])('rejects a report whose fiscalDateEnding is %s', (bad, message) => {
    // Prepare
    const reports = [{ fiscalDateEnding: '2023-12-31' }, { fiscalDateEnding: bad as string }];

    // Act
    const act = () => latestAnnualReport(reports);

    // Assess
    expect(act).toThrow(DomainValidationError);
    expect(act).toThrow(message);
  });
});

const alphavantageDir = ALPHAVANTAGE_FIXTURES_DIR;

describe('latestAnnualReport over real IBM statements', () => {
  // Expected latest years come from PROVENANCE.md (ranges of annualReports per file), not from the code.
  it.each([
    ['INCOME_STATEMENT-IBM-2026.json', '2025-12-31'],
    ['INCOME_STATEMENT-IBM-2022.json', '2021-12-31'],
    ['INCOME_STATEMENT-IBM-2020-legacy-schema.json', '2019-12-31'],
    ['BALANCE_SHEET-IBM-2026.json', '2025-12-31'],
    ['BALANCE_SHEET-IBM-2022.json', '2021-12-31'],
    ['CASH_FLOW-IBM-2026.json', '2025-12-31'],
    ['CASH_FLOW-IBM-2022.json', '2021-12-31'],
  ])('%s: latest annual report ends %s, in any array order', (file, expected) => {
    // Prepare
    const payload = JSON.parse(readFileSync(join(alphavantageDir, file), 'utf8')) as {
      annualReports: Array<{ fiscalDateEnding: string; reportedCurrency: string }>;
    };
    const reversed = [...payload.annualReports].reverse();

    // Act
    const latest = latestAnnualReport(payload.annualReports);
    const latestOfReversed = latestAnnualReport(reversed);

    // Assess
    expect(latest?.fiscalDateEnding).toBe(expected);
    expect(latest?.reportedCurrency).toBe('USD');
    expect(latestOfReversed).toBe(latest);
  });
});
