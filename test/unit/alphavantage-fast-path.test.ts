/**
 * The success path of daily-series parsing without zod per value (time-series.ts `dailySeriesFastPath`) must
 * accept exactly what the schema accepts and return the same series: anything else goes to the schema, so error
 * bodies and bad data are still rejected with the schema's account of why.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { interpretResponse } from '../../functions/shared/alphavantage/parse.ts';
import {
  dailySeriesFastPath,
  dailySeriesJsonSchema,
} from '../../functions/shared/alphavantage/time-series.ts';

const META = {
  '1. Information': 'Daily Prices (open, high, low, close) and Volumes',
  '2. Symbol': 'IBM',
  '3. Last Refreshed': '2026-05-15',
  '4. Output Size': 'Compact',
  '5. Time Zone': 'US/Eastern',
};

/** Values as AlphaVantage sends them, and the near misses the schema must refuse. */
const value = fc.oneof(
  fc.constantFrom('204.0800', ' 12.5 ', '3205828', '1e3', '-0.5', '.5', '7.', 0, 12.25, 3_000_000),
  fc.constantFrom('None', '', 'abc', '12,5', '1.2.3', Number.NaN, Number.POSITIVE_INFINITY, null, '12.5%'),
);
const volume = fc.oneof(
  fc.constantFrom('3205828', '0', 100, ' 42 '),
  fc.constantFrom('12.5', 1.5, '-', 'None'),
);
const date = fc.constantFrom(
  '2026-05-15',
  '2026-05-14',
  '2024-02-29',
  '2023-02-29',
  '2026-13-01',
  '2026-5-1',
);
const bar = fc.record(
  { '1. open': value, '2. high': value, '3. low': value, '4. close': value, '5. volume': volume },
  { requiredKeys: ['1. open', '2. high', '4. close', '5. volume'] },
);
const body = fc.record({
  'Meta Data': fc.oneof(fc.constant(META), fc.constant({ ...META, '2. Symbol': '' }), fc.constant('x')),
  'Time Series (Daily)': fc.dictionary(date, bar, { maxKeys: 4 }),
});

describe('dailySeriesFastPath', () => {
  it('accepts exactly what dailySeriesJsonSchema accepts, with the same result', () => {
    fc.assert(
      fc.property(body, (input) => {
        const schema = dailySeriesJsonSchema.safeParse(input);
        const fast = dailySeriesFastPath(input);
        if (schema.success) expect(fast).toEqual(schema.data);
        else expect(fast).toBeUndefined();
      }),
      { numRuns: 2_000 },
    );
  });

  it('leaves a rejected body to the schema, which names the bad value', () => {
    // Prepare: one bar with a non-number close
    const input = {
      'Meta Data': META,
      'Time Series (Daily)': {
        '2026-05-15': {
          '1. open': '1',
          '2. high': '2',
          '3. low': '0.5',
          '4. close': 'None',
          '5. volume': '10',
        },
      },
    };

    // Act
    const result = interpretResponse('TIME_SERIES_DAILY', JSON.stringify(input));

    // Assess
    expect(result.kind).toBe('invalid');
    expect(result.kind === 'invalid' ? result.message : '').toContain('4. close');
  });
});
