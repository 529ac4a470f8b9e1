/**
 * planFanOut: one universe-level command -> per-security commands. Replaying the same parent must give
 * byte-identical children (that is what keeps downstream writes idempotent), a different parent must give
 * different ids, and every child must satisfy its topic's contract.
 */
import { describe, expect, it } from 'vitest';
import { type FanOutInput, followUpIndicators, planFanOut } from '../../functions/shared/domain/fan-out.ts';
import { type IndicatorConfig, indicatorSource, resolveConfig } from '../../model/config.ts';
import { decodeMessage, messageKey } from '../../model/messages.ts';

// The defaults (computed daily indicators) and one fetched weekly indicator.
const weeklySma: IndicatorConfig = {
  function: 'SMA',
  interval: 'weekly',
  timePeriod: 10,
  seriesType: 'close',
  source: 'alphavantage',
};
const indicators: IndicatorConfig[] = [...resolveConfig({}).indicators, weeklySma];
const computed = indicators.filter((indicator) => indicatorSource(indicator) === 'computed');

function input(overrides: Partial<FanOutInput> = {}): FanOutInput {
  return {
    parent: {
      commandId: '0123456789abcdef0123456789abcdef',
      correlationId: 'history-daily@2026-05-15T21:30:00Z',
      issuedAt: '2026-05-15T21:30:00Z',
    },
    symbols: ['IBM', 'MSFT', 'BRK.B'],
    datasets: ['overview', 'history', 'quote', 'indicators'],
    indicators,
    ...overrides,
  };
}

const allIds = (plan: ReturnType<typeof planFanOut>) =>
  [...plan.overview, ...plan.history, ...plan.quote, ...plan.indicators].map((command) => command.commandId);

describe('planFanOut', () => {
  it('plans one command per symbol and dataset, and one per symbol and fetched indicator', () => {
    // Prepare
    const request = input();

    // Act
    const plan = planFanOut(request);

    // Assess
    expect(plan.overview.map((c) => c.symbol)).toEqual(['IBM', 'MSFT', 'BRK.B']);
    expect(plan.history).toHaveLength(3);
    expect(plan.quote).toHaveLength(3);
    expect(plan.indicators).toHaveLength(3);
    expect(plan.indicators.filter((c) => c.symbol === 'MSFT').map((c) => c.indicator)).toEqual([weeklySma]);
  });

  it('leaves computed indicators to the history they follow, also when only indicators are asked for', () => {
    const plan = planFanOut(input({ datasets: ['indicators'], indicators: computed }));

    expect(computed.length).toBeGreaterThan(0);
    expect(plan.indicators).toEqual([]);
  });

  it('produces byte-identical children when the same parent is replayed', () => {
    // Prepare
    const first = input();
    const replay = structuredClone(first);

    // Act
    const a = planFanOut(first);
    const b = planFanOut(replay);

    // Assess
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  it('gives every child a distinct id, and a different parent different ids', () => {
    // Prepare
    const request = input();
    const otherParent = input({
      parent: { ...request.parent, commandId: 'fedcba9876543210fedcba9876543210' },
    });

    // Act
    const ids = allIds(planFanOut(request));
    const otherIds = allIds(planFanOut(otherParent));

    // Assess
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => otherIds.includes(id))).toEqual([]);
  });

  it('keeps a child id independent of the other symbols and datasets in the same fan-out', () => {
    // Prepare: the same (parent, dataset, symbol) planned alone and within a larger fan-out
    const alone = input({ symbols: ['MSFT'], datasets: ['quote'] });
    const crowded = input();

    // Act
    const single = planFanOut(alone).quote[0];
    const fromCrowd = planFanOut(crowded).quote.find((c) => c.symbol === 'MSFT');

    // Assess
    expect(single).toBeDefined();
    expect(fromCrowd).toEqual(single);
  });

  it('copies correlation id and issue time from the parent and passes a forced history size on', () => {
    // Prepare
    const request = input({ parent: { ...input().parent, historyOutputsize: 'full' } });

    // Act
    const plan = planFanOut(request);

    // Assess
    for (const command of [...plan.overview, ...plan.history, ...plan.quote, ...plan.indicators]) {
      expect(command.correlationId).toBe(request.parent.correlationId);
      expect(command.issuedAt).toBe(request.parent.issuedAt);
    }
    expect(plan.history.every((c) => c.outputsize === 'full')).toBe(true);
    expect(planFanOut(input()).history.every((c) => !('outputsize' in c))).toBe(true);
  });

  it('plans only the requested datasets', () => {
    // Prepare
    const request = input({ datasets: ['quote'] });

    // Act
    const plan = planFanOut(request);

    // Assess
    expect(plan.quote).toHaveLength(3);
    expect([plan.overview, plan.history, plan.indicators].map((list) => list.length)).toEqual([0, 0, 0]);
  });

  it('produces children that pass their topic contract and are keyed by their symbol', () => {
    // Prepare
    const plan = planFanOut(input());
    const roleOf = {
      overview: 'overview',
      history: 'history',
      quote: 'quote',
      indicators: 'indicators',
    } as const;

    // Act
    const decoded = (Object.keys(roleOf) as Array<keyof typeof roleOf>).flatMap((role) =>
      plan[role].map((command) => ({
        command,
        decoded: decodeMessage(roleOf[role], Buffer.from(JSON.stringify(command))),
      })),
    );

    // Assess
    expect(decoded).toHaveLength(allIds(plan).length);
    for (const { command, decoded: message } of decoded) {
      expect(message).toEqual(command);
      expect(messageKey(message)).toBe(command.symbol);
    }
  });

  it('does not share the indicator object with the configuration', () => {
    // Prepare
    const ownIndicators: IndicatorConfig[] = [
      { function: 'SMA', interval: 'daily', timePeriod: 20, seriesType: 'close', source: 'alphavantage' },
    ];
    const plan = planFanOut(input({ indicators: ownIndicators, datasets: ['indicators'] }));

    // Act
    const first = plan.indicators[0];
    if (first) first.indicator.timePeriod = 99;

    // Assess
    expect(ownIndicators[0]?.timePeriod).toBe(20);
  });
});

describe('followUpIndicators', () => {
  const history = {
    commandId: 'fedcba9876543210fedcba9876543210',
    correlationId: 'history-daily@2026-05-15T21:30:00Z',
    issuedAt: '2026-05-15T21:30:00Z',
    symbol: 'IBM',
  };

  it('plans one command per computed indicator, in the history command’s correlation and time', () => {
    const commands = followUpIndicators(history, indicators);

    expect(commands.map((c) => c.indicator)).toEqual(computed);
    for (const command of commands) {
      expect(decodeMessage('indicators', Buffer.from(JSON.stringify(command)))).toEqual(command);
      expect(command).toMatchObject({
        symbol: 'IBM',
        correlationId: history.correlationId,
        issuedAt: history.issuedAt,
      });
    }
    expect(new Set(commands.map((c) => c.commandId)).size).toBe(computed.length);
  });

  it('gives a replayed history command byte-identical follow-ups, another one other ids', () => {
    const replay = followUpIndicators(structuredClone(history), indicators);
    const other = followUpIndicators({ ...history, commandId: '0'.repeat(32) }, indicators);

    expect(JSON.stringify(replay)).toBe(JSON.stringify(followUpIndicators(history, indicators)));
    expect(other.map((c) => c.commandId)).not.toContain(replay[0]?.commandId);
  });
});
