/**
 * model/config.ts: validation errors name every bad setting by its path, documented defaults are filled in, and
 * the derived values (consumer group ids, indicator ids, budget) follow the configuration.
 */
import { describe, expect, it } from 'vitest';
import {
  alphaVantageBudget,
  ConfigError,
  consumerGroupId,
  type IndicatorConfig,
  indicatorId,
  resolveConfig,
  type TopicRole,
} from '../../model/config.ts';

/** Runs `resolveConfig` expecting a ConfigError; returns its message. */
function configErrorOf(overrides: unknown): string {
  try {
    resolveConfig(overrides);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('resolveConfig accepted an invalid configuration');
}

describe('resolveConfig defaults', () => {
  it('fills in the documented defaults when nothing is overridden', () => {
    // Prepare
    const nothing = {};

    // Act
    const config = resolveConfig(nothing);

    // Assess
    expect(config.prefix).toBe('horton');
    expect(config.alphaVantage).toEqual({
      plan: 'free',
      baseUrl: 'https://www.alphavantage.co',
      timeoutMs: 10_000,
      maxAttempts: 3,
    });
    expect(config.universe).toEqual({
      source: 'watchlist',
      watchlist: ['IBM', 'MSFT', 'AAPL', 'NVDA', 'AMZN'],
      exchanges: ['NYSE', 'NASDAQ'],
      assetTypes: ['Stock'],
    });
    expect(config.indicators.map((indicator) => indicator.function)).toEqual([
      'SMA',
      'EMA',
      'RSI',
      'MACD',
      'BBANDS',
    ]);
    expect(config.indicators.find((indicator) => indicator.function === 'RSI')?.timePeriod).toBe(14);
    expect(config.quotes.rollingWindow).toBe(10);
    expect(config.topics.securities).toEqual({ name: 'horton.securities', partitions: 1 });
    expect(config.topics.deadLetter).toEqual({ name: 'horton.dead-letter', partitions: 1 });
    for (const role of ['overview', 'history', 'quote', 'indicators'] as const) {
      expect(config.topics[role]).toEqual({ name: `horton.${role}`, partitions: 3 });
    }
    expect(config.consumers).toEqual({
      batchSize: 100,
      maxBatchingWindowSeconds: 1,
      retryAttempts: 3,
      maxRecordAgeSeconds: 21_600,
      startingPosition: 'TRIM_HORIZON',
    });
    expect(config.schedules.map((schedule) => schedule.job).sort()).toEqual(
      ['history', 'indicators', 'overview', 'quote', 'universe'].sort(),
    );
    expect(config.schedules.every((s) => s.enabled && s.timezone === 'America/New_York')).toBe(true);
  });

  it('treats undefined and null like an empty override', () => {
    // Prepare
    const expected = resolveConfig({});

    // Act
    const fromUndefined = resolveConfig(undefined);
    const fromNull = resolveConfig(null);

    // Assess
    expect(fromUndefined).toEqual(expected);
    expect(fromNull).toEqual(expected);
  });

  it('fills defaults inside partial objects and keeps what was given', () => {
    // Prepare
    const overrides = {
      alphaVantage: { plan: 'premium150', timeoutMs: 2_500 },
      indicators: [{ function: 'SMA' }],
      topics: { quote: { name: 'acme.quote' } },
    };

    // Act
    const config = resolveConfig(overrides);

    // Assess
    expect(config.alphaVantage).toMatchObject({ plan: 'premium150', timeoutMs: 2_500, maxAttempts: 3 });
    expect(config.indicators).toEqual([
      { function: 'SMA', interval: 'daily', timePeriod: 20, seriesType: 'close' },
    ]);
    expect(config.topics.quote).toEqual({ name: 'acme.quote', partitions: 3 });
    expect(config.topics.history.name).toBe('horton.history');
  });
});

describe('resolveConfig validation', () => {
  it.each([
    ['prefix with upper case', { prefix: 'Horton' }, 'prefix'],
    ['prefix too long', { prefix: 'a'.repeat(21) }, 'prefix'],
    ['unknown plan', { alphaVantage: { plan: 'gold' } }, 'alphaVantage.plan'],
    ['base URL that is not a URL', { alphaVantage: { baseUrl: 'alphavantage' } }, 'alphaVantage.baseUrl'],
    ['timeout below 100 ms', { alphaVantage: { timeoutMs: 10 } }, 'alphaVantage.timeoutMs'],
    ['zero attempts', { alphaVantage: { maxAttempts: 0 } }, 'alphaVantage.maxAttempts'],
    ['empty watchlist', { universe: { watchlist: [] } }, 'universe.watchlist'],
    ['unknown universe source', { universe: { source: 'everything' } }, 'universe.source'],
    ['unknown indicator', { indicators: [{ function: 'ADX' }] }, 'indicators.0.function'],
    [
      'indicator period of 1',
      { indicators: [{ function: 'SMA', timePeriod: 1 }] },
      'indicators.0.timePeriod',
    ],
    ['rolling window of 0', { quotes: { rollingWindow: 0 } }, 'quotes.rollingWindow'],
    ['topic name with a space', { topics: { quote: { name: 'my quote' } } }, 'topics.quote.name'],
    [
      'topic with 0 partitions',
      { topics: { history: { name: 'h', partitions: 0 } } },
      'topics.history.partitions',
    ],
    ['batch size above 10000', { consumers: { batchSize: 10_001 } }, 'consumers.batchSize'],
    [
      'max record age below 60 s',
      { consumers: { maxRecordAgeSeconds: 59 } },
      'consumers.maxRecordAgeSeconds',
    ],
    [
      'cron with five fields',
      { schedules: [{ name: 'q', job: 'quote', expression: 'cron(0 6 * * *)' }] },
      'schedules.0.expression',
    ],
    [
      'rate with an unknown unit',
      { schedules: [{ name: 'q', job: 'quote', expression: 'rate(5 weeks)' }] },
      'schedules.0.expression',
    ],
    [
      'schedule for an unknown job',
      { schedules: [{ name: 'q', job: 'prices', expression: 'rate(5 minutes)' }] },
      'schedules.0.job',
    ],
  ])('rejects %s, naming %s', (_what, overrides, path) => {
    // Prepare: see the table

    // Act
    const message = configErrorOf(overrides);

    // Assess
    expect(message).toMatch(/^Invalid Horton configuration:/);
    expect(message).toContain(`  - ${path}: `);
  });

  it('rejects duplicate schedule names', () => {
    // Prepare
    const schedule = { name: 'twice', job: 'quote', expression: 'rate(15 minutes)' };

    // Act
    const message = configErrorOf({ schedules: [schedule, { ...schedule, job: 'history' }] });

    // Assess
    expect(message).toContain('schedule names must be unique');
  });

  it('lists every problem, not just the first', () => {
    // Prepare
    const overrides = { prefix: 'UPPER', alphaVantage: { maxAttempts: 99 }, quotes: { rollingWindow: -1 } };

    // Act
    const message = configErrorOf(overrides);

    // Assess
    const problems = message.split('\n').filter((line) => line.startsWith('  - '));
    expect(problems).toHaveLength(3);
    expect(message).toContain('  - prefix: ');
    expect(message).toContain('  - alphaVantage.maxAttempts: ');
    expect(message).toContain('  - quotes.rollingWindow: ');
  });

  it('names the root when the overrides are not an object', () => {
    // Prepare
    const notAnObject = 'horton';

    // Act
    const message = configErrorOf(notAnObject);

    // Assess
    expect(message).toContain('  - (root): ');
  });

  it('accepts both EventBridge Scheduler expression forms', () => {
    // Prepare
    const schedules = [
      { name: 'cron-form', job: 'quote', expression: 'cron(0/15 9-16 ? * MON-FRI *)' },
      { name: 'rate-form', job: 'history', expression: 'rate(1 day)' },
    ];

    // Act
    const config = resolveConfig({ schedules });

    // Assess
    expect(config.schedules.map((s) => s.expression)).toEqual(schedules.map((s) => s.expression));
  });
});

describe('alphaVantageBudget', () => {
  it("uses the plan's numbers unless overridden, and a null daily cap means no cap", () => {
    // Prepare
    const free = resolveConfig({});
    const negotiated = resolveConfig({
      alphaVantage: { plan: 'free', requestsPerMinute: 30, requestsPerDay: null },
    });
    const premium = resolveConfig({ alphaVantage: { plan: 'premium600' } });

    // Act
    const budgets = [free, negotiated, premium].map(alphaVantageBudget);

    // Assess
    expect(budgets[0]).toEqual({ requestsPerMinute: 5, requestsPerDay: 25, premium: false });
    expect(budgets[1]).toEqual({ requestsPerMinute: 30, requestsPerDay: null, premium: false });
    expect(budgets[2]).toEqual({ requestsPerMinute: 600, requestsPerDay: null, premium: true });
  });
});

describe('consumerGroupId', () => {
  it('is stable per prefix and role, and distinct across roles and prefixes', () => {
    // Prepare
    const roles: TopicRole[] = ['securities', 'overview', 'history', 'quote', 'indicators', 'deadLetter'];
    const a = resolveConfig({ prefix: 'alpha' });
    const b = resolveConfig({ prefix: 'beta' });

    // Act
    const idsA = roles.map((role) => consumerGroupId(a, role));
    const again = roles.map((role) => consumerGroupId(resolveConfig({ prefix: 'alpha' }), role));
    const idsB = roles.map((role) => consumerGroupId(b, role));

    // Assess
    expect(again).toEqual(idsA);
    expect(new Set(idsA).size).toBe(roles.length);
    expect(idsA.filter((id) => idsB.includes(id))).toEqual([]);
    expect(consumerGroupId(a, 'quote')).toBe('alpha-quote-handler');
  });
});

describe('indicatorId', () => {
  const sma: IndicatorConfig = { function: 'SMA', interval: 'daily', timePeriod: 20, seriesType: 'close' };

  it('differs whenever a parameter the indicator uses differs', () => {
    // Prepare
    const variants: IndicatorConfig[] = [
      sma,
      { ...sma, function: 'EMA' },
      { ...sma, interval: 'weekly' },
      { ...sma, timePeriod: 50 },
      { ...sma, seriesType: 'open' },
    ];

    // Act
    const ids = variants.map(indicatorId);

    // Assess
    expect(new Set(ids).size).toBe(variants.length);
    expect(indicatorId({ ...sma })).toBe(ids[0]);
  });

  it('ignores the time period for MACD, which does not use it', () => {
    // Prepare
    const macd: IndicatorConfig = {
      function: 'MACD',
      interval: 'daily',
      timePeriod: 20,
      seriesType: 'close',
    };

    // Act
    const ids = [indicatorId(macd), indicatorId({ ...macd, timePeriod: 99 })];

    // Assess
    expect(ids[0]).toBe(ids[1]);
    expect(ids[0]).not.toContain('20');
    expect(indicatorId({ ...macd, seriesType: 'high' })).not.toBe(ids[0]);
  });
});
