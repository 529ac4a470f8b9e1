/**
 * The freshness rules (model/domain/freshness.ts), table by table: each row is a stored state and an
 * instant, and the decision with its reason. Times are UTC; the comments give New York time (EDT, UTC-4, in
 * May 2026). Friday 2026-05-15 is a trading day, Monday 2026-05-25 is Memorial Day (NYSE closed).
 */
import { describe, expect, it } from 'vitest';
import { isMarketOpen, latestClosedTradingDay } from '../../model/domain/exchange-calendar.ts';
import {
  FUNDAMENTALS_BACKING_OFF,
  fundamentalsBackoffDays,
  fundamentalsFreshness,
  HISTORY_ASKED_SINCE_CLOSE,
  historyFactsOf,
  historyFreshness,
  indicatorFreshness,
  nextPeriodEnd,
  quoteFreshness,
  unchangedAsksAfter,
} from '../../model/domain/freshness.ts';

describe('exchange calendar', () => {
  it.each([
    ['Friday 09:29', '2026-05-15T13:29:00Z', false],
    ['Friday 09:30', '2026-05-15T13:30:00Z', true],
    ['Friday 15:59', '2026-05-15T19:59:00Z', true],
    ['Friday 16:00', '2026-05-15T20:00:00Z', false],
    ['Saturday noon', '2026-05-16T16:00:00Z', false],
    ['Memorial Day noon', '2026-05-25T16:00:00Z', false],
    ['Christmas Day 2026 noon (EST)', '2026-12-25T17:00:00Z', false],
    ['Good Friday 2026 noon', '2026-04-03T16:00:00Z', false],
  ])('market open at %s: %s', (_case, instant, open) => {
    expect(isMarketOpen(new Date(instant))).toBe(open);
  });

  it.each([
    ['Friday 15:59', '2026-05-15T19:59:00Z', '2026-05-14'],
    ['Friday 16:00', '2026-05-15T20:00:00Z', '2026-05-15'],
    ['Sunday', '2026-05-17T16:00:00Z', '2026-05-15'],
    ['Memorial Day evening', '2026-05-25T22:00:00Z', '2026-05-22'],
    ['Tuesday 01:00 (Monday evening in New York)', '2026-05-27T01:00:00Z', '2026-05-26'],
  ])('latest closed trading day at %s: %s', (_case, instant, day) => {
    expect(latestClosedTradingDay(new Date(instant))).toBe(day);
  });
});

describe('quote rules', () => {
  it.each([
    [
      'replay of an applied command',
      { applied: true, lastObservedAt: '2026-05-15T14:00:00Z' },
      '2026-05-15T15:00:00Z',
      false,
      'this command was already applied',
    ],
    [
      'nothing stored, market closed',
      { applied: false },
      '2026-05-16T16:00:00Z',
      true,
      'no quote stored yet',
    ],
    [
      'in the session',
      { applied: false, lastObservedAt: '2026-05-15T14:00:00Z' },
      '2026-05-15T15:00:00Z',
      true,
      'the market is open',
    ],
    [
      'after the close, last quote from the session',
      { applied: false, lastObservedAt: '2026-05-15T19:30:00Z' },
      '2026-05-15T21:30:00Z',
      true,
      'the stored quote predates the last close',
    ],
    [
      'after the close, closing quote stored',
      { applied: false, lastObservedAt: '2026-05-15T20:05:00Z' },
      '2026-05-15T21:30:00Z',
      false,
      'the market has not traded since the stored quote',
    ],
    [
      'weekend',
      { applied: false, lastObservedAt: '2026-05-15T20:05:00Z' },
      '2026-05-17T16:00:00Z',
      false,
      'the market has not traded since the stored quote',
    ],
    [
      'holiday',
      { applied: false, lastObservedAt: '2026-05-22T20:05:00Z' },
      '2026-05-25T16:00:00Z',
      false,
      'the market has not traded since the stored quote',
    ],
    [
      'after the close, stored quote taken after it but dated an earlier trading day by AlphaVantage',
      { applied: false, lastObservedAt: '2026-05-15T20:05:00Z', lastTradingDay: '2026-05-14' },
      '2026-05-15T21:30:00Z',
      true,
      'the stored quote predates the last close',
    ],
    [
      'after the close, closing quote stored and dated the last trading day by AlphaVantage',
      { applied: false, lastObservedAt: '2026-05-15T20:05:00Z', lastTradingDay: '2026-05-15' },
      '2026-05-15T21:30:00Z',
      false,
      'the market has not traded since the stored quote',
    ],
    [
      'weekend, stored quote claims an observation time in the future (a producer with a wrong clock)',
      { applied: false, lastObservedAt: '2027-05-15T20:05:00Z', lastObservedInFuture: true },
      '2026-05-17T16:00:00Z',
      true,
      'the stored quote claims to be observed in the future',
    ],
  ])('%s', (_case, facts, now, call, reason) => {
    expect(quoteFreshness(facts, new Date(now))).toEqual({ call, reason });
  });
});

describe('history rules', () => {
  const none = { fullLoadDone: false, requestedFull: false };
  it.each([
    ['nothing stored', { ...none }, '2026-05-15T21:30:00Z', true, 'no history stored yet'],
    [
      'full load requested, none done',
      { ...none, lastStoredDate: '2026-05-15', requestedFull: true },
      '2026-05-15T21:30:00Z',
      true,
      'a full load was requested and none is done',
    ],
    [
      'full load requested, already done',
      { lastStoredDate: '2026-05-15', fullLoadDone: true, requestedFull: true },
      '2026-05-15T21:30:00Z',
      false,
      'the newest closed trading day is stored',
    ],
    [
      'after the close, yesterday stored',
      { ...none, lastStoredDate: '2026-05-14' },
      '2026-05-15T21:30:00Z',
      true,
      'a trading day closed after the newest stored one',
    ],
    [
      'during the session, yesterday stored',
      { ...none, lastStoredDate: '2026-05-14' },
      '2026-05-15T15:00:00Z',
      false,
      'the newest closed trading day is stored',
    ],
    [
      'holiday evening, last trading day stored',
      { ...none, lastStoredDate: '2026-05-22' },
      '2026-05-25T22:00:00Z',
      false,
      'the newest closed trading day is stored',
    ],
  ])('%s', (_case, facts, now, call, reason) => {
    expect(historyFreshness(facts, new Date(now))).toEqual({ call, reason });
  });

  // A delisted (or halted, or lagging) symbol: its newest bar is older than the last closed trading day, and
  // AlphaVantage, asked Friday 17:30 ET, had nothing newer.
  const lagging = { lastStoredDate: '2025-10-03', fullLoadDone: true, requestedFull: false };
  const askedFriday = { ...lagging, lastAskedAt: '2026-05-15T21:30:00Z' };
  it.each([
    ['the same evening', askedFriday, '2026-05-15T23:00:00Z', false, HISTORY_ASKED_SINCE_CLOSE],
    ['the weekend after', askedFriday, '2026-05-17T16:00:00Z', false, HISTORY_ASKED_SINCE_CLOSE],
    ['Monday during the session', askedFriday, '2026-05-18T15:00:00Z', false, HISTORY_ASKED_SINCE_CLOSE],
    [
      'Monday after the close',
      askedFriday,
      '2026-05-18T21:30:00Z',
      true,
      'a trading day closed after the newest stored one',
    ],
    [
      'asked Friday during the session, Friday evening',
      { ...lagging, lastAskedAt: '2026-05-15T15:00:00Z' },
      '2026-05-15T21:30:00Z',
      true,
      'a trading day closed after the newest stored one',
    ],
    [
      'a full load asked for and none done still calls',
      { ...askedFriday, fullLoadDone: false, requestedFull: true },
      '2026-05-15T23:00:00Z',
      true,
      'a full load was requested and none is done',
    ],
    [
      'no ask recorded (stored before the memory existed)',
      lagging,
      '2026-05-15T23:00:00Z',
      true,
      'a trading day closed after the newest stored one',
    ],
  ])('nothing newer at the last ask: %s', (_case, facts, now, call, reason) => {
    expect(historyFreshness(facts, new Date(now))).toEqual({ call, reason });
  });

  it('reads its facts from a stored history state, with or without the ask', () => {
    expect(historyFactsOf(undefined, false)).toEqual({ fullLoadDone: false, requestedFull: false });
    expect(
      historyFactsOf(
        { lastStoredDate: '2025-10-03', fullLoadDone: true, lastAskedAt: '2026-05-15T21:30:00Z' },
        true,
      ),
    ).toEqual({ ...askedFriday, requestedFull: true });
  });
});

describe('fetched indicator rules', () => {
  it.each([
    ['nothing stored', {}, '2026-05-15T21:45:00Z', true, 'no indicator stored yet'],
    [
      'replay',
      { collectedAt: '2026-05-15T21:45:00Z' },
      '2026-05-15T21:45:00Z',
      false,
      'this command or a later one was already applied',
    ],
    [
      'stored during the session',
      { collectedAt: '2026-05-15T15:00:00Z' },
      '2026-05-15T21:45:00Z',
      true,
      'the stored indicator predates the last close',
    ],
    [
      'stored after yesterday’s close, now in the session',
      { collectedAt: '2026-05-14T21:45:00Z' },
      '2026-05-15T15:00:00Z',
      false,
      'the stored indicator includes the last close',
    ],
    [
      'stored Friday evening, now Saturday',
      { collectedAt: '2026-05-15T21:45:00Z' },
      '2026-05-16T21:45:00Z',
      false,
      'the stored indicator includes the last close',
    ],
  ])('%s', (_case, facts, now, call, reason) => {
    expect(indicatorFreshness(facts, new Date(now))).toEqual({ call, reason });
  });
});

describe('fundamentals rules', () => {
  const week = { collectedAt: '2026-05-09T11:00:00Z', maxAgeDays: 28 };
  it.each([
    ['nothing stored', { maxAgeDays: 28 }, true, 'no overview stored yet'],
    [
      'replay',
      { ...week, collectedAt: '2026-05-16T11:00:00Z', latestPeriodEnd: '2026-03-31' },
      false,
      'this command or a later one was already applied',
    ],
    [
      'latest quarter stored, a week old',
      { ...week, latestPeriodEnd: '2026-03-31' },
      false,
      'no newer fiscal period can exist yet',
    ],
    [
      'an older quarter stored',
      { ...week, latestPeriodEnd: '2025-12-31' },
      true,
      'a newer fiscal period has ended',
    ],
    ['no period known', { ...week }, true, 'no fiscal period is stored'],
    [
      '35 days old',
      { ...week, collectedAt: '2026-04-11T11:00:00Z', latestPeriodEnd: '2026-03-31' },
      true,
      'the stored overview reached its maximum age',
    ],
  ])('%s', (_case, facts, call, reason) => {
    expect(fundamentalsFreshness(facts, new Date('2026-05-16T11:00:00Z'))).toEqual({ call, reason });
  });

  // A quarter ended (2026-03-31) and AlphaVantage still served the one before: back off 7, then 14 days, then
  // until the maximum age.
  const behind = { maxAgeDays: 28, latestPeriodEnd: '2025-12-31' };
  it.each([
    ['once, 3 days ago', { ...behind, collectedAt: '2026-05-13T11:00:00Z', unchangedAsks: 1 }, false],
    ['once, 7 days ago', { ...behind, collectedAt: '2026-05-09T11:00:00Z', unchangedAsks: 1 }, true],
    ['twice, 13 days ago', { ...behind, collectedAt: '2026-05-03T11:00:00Z', unchangedAsks: 2 }, false],
    ['twice, 14 days ago', { ...behind, collectedAt: '2026-05-02T11:00:00Z', unchangedAsks: 2 }, true],
    ['three times, 27 days ago', { ...behind, collectedAt: '2026-04-19T11:00:00Z', unchangedAsks: 3 }, false],
    ['never (0)', { ...behind, collectedAt: '2026-05-13T11:00:00Z', unchangedAsks: 0 }, true],
  ])('nothing newer at the last ask, %s: call %s', (_case, facts, call) => {
    expect(fundamentalsFreshness(facts, new Date('2026-05-16T11:00:00Z'))).toEqual({
      call,
      reason: call ? 'a newer fiscal period has ended' : FUNDAMENTALS_BACKING_OFF,
    });
  });

  it('backs off 7, 14, then the maximum age in days, never longer than the maximum age', () => {
    expect([1, 2, 3, 4, 9].map((asks) => fundamentalsBackoffDays(asks, 28))).toEqual([7, 14, 28, 28, 28]);
    expect([1, 2, 3].map((asks) => fundamentalsBackoffDays(asks, 10))).toEqual([7, 10, 10]);
  });

  it.each([
    ['nothing stored before', {}, '2026-03-31', 0],
    ['a newer quarter ended, the same one served', { latestPeriodEnd: '2025-12-31' }, '2025-12-31', 1],
    ['again', { latestPeriodEnd: '2025-12-31', unchangedAsks: 2 }, '2025-12-31', 3],
    ['a newer quarter ended, nothing served', { latestPeriodEnd: '2025-12-31' }, undefined, 1],
    ['the newer quarter served', { latestPeriodEnd: '2025-12-31', unchangedAsks: 2 }, '2026-03-31', 0],
    ['no newer quarter could exist (a max-age refresh)', { latestPeriodEnd: '2026-03-31' }, '2026-03-31', 0],
    ['nothing stored before, an old quarter served', {}, '2025-12-31', 1],
    [
      'a newer quarter served, still behind',
      { latestPeriodEnd: '2025-09-30', unchangedAsks: 2 },
      '2025-12-31',
      1,
    ],
  ])('asks in a row with nothing newer: %s -> %s', (_case, before, answered, asks) => {
    expect(unchangedAsksAfter(before, answered, new Date('2026-05-16T11:00:00Z'))).toBe(asks);
  });

  it.each([
    ['2026-03-31', '2026-06-30'],
    ['2025-12-31', '2026-03-31'],
    ['2026-06-30', '2026-09-30'],
    ['2026-01-31', '2026-04-30'],
  ])('the fiscal quarter after %s ends %s', (end, next) => {
    expect(nextPeriodEnd(end)).toBe(next);
  });
});
