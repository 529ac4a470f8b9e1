import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LambdaHandler } from '../../localstack/runner/lambda-context.ts';
import { type FireRecord, Scheduler } from '../../localstack/runner/scheduler.ts';
import type { ScheduleConfig } from '../../model/config.ts';

const hourly: ScheduleConfig = {
  name: 'quote-hourly',
  job: 'quote',
  expression: 'cron(0 * * * ? *)',
  timezone: 'UTC',
  enabled: true,
};
const weekly: ScheduleConfig = {
  name: 'overview-weekly',
  job: 'overview',
  expression: 'cron(0 7 ? * SAT *)',
  timezone: 'America/New_York',
  enabled: false,
};

/** A stand-in dispatcher that records what EventBridge Scheduler would have sent it. */
function recordingDispatcher() {
  const calls: Array<{ event: unknown; context: Context }> = [];
  const handler: LambdaHandler = async (event, context) => {
    calls.push({ event, context });
    return { accepted: true };
  };
  return { calls, handler };
}

describe('Scheduler', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2030-06-01T00:00:00Z'));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires at simulated times under time compression (1 real second = 1 simulated hour)', async () => {
    // Prepare
    const dispatcher = recordingDispatcher();
    const fires: FireRecord[] = [];
    const scheduler = new Scheduler({
      schedules: [hourly, weekly],
      handler: dispatcher.handler,
      functionName: 'horton-dispatcher',
      timeCompression: 3600,
      simulatedStart: new Date('2025-01-01T00:30:00Z'),
      onFire: (fire) => fires.push(fire),
    });

    // Act: 30 simulated minutes to the first firing are 0.5 real seconds
    scheduler.start();
    await vi.advanceTimersByTimeAsync(499);
    const before = dispatcher.calls.length;
    await vi.advanceTimersByTimeAsync(1);
    await vi.advanceTimersByTimeAsync(2000);
    scheduler.stop();

    // Assess: 01:00, 02:00, 03:00; the disabled weekly schedule never fires
    expect(before).toBe(0);
    expect(dispatcher.calls.map((call) => call.event)).toEqual([
      { job: 'quote', schedule: 'quote-hourly', scheduledTime: '2025-01-01T01:00:00Z' },
      { job: 'quote', schedule: 'quote-hourly', scheduledTime: '2025-01-01T02:00:00Z' },
      { job: 'quote', schedule: 'quote-hourly', scheduledTime: '2025-01-01T03:00:00Z' },
    ]);
    expect(fires.map((fire) => fire.scheduledAt.toISOString())).toEqual([
      '2025-01-01T01:00:00.000Z',
      '2025-01-01T02:00:00.000Z',
      '2025-01-01T03:00:00.000Z',
    ]);
    expect(dispatcher.calls[0]?.context.functionName).toBe('horton-dispatcher');
    expect(dispatcher.calls[0]?.context.getRemainingTimeInMillis()).toBeGreaterThan(0);
    expect(scheduler.now().toISOString()).toBe('2025-01-01T03:00:00.000Z');
  });

  it('fires a rate schedule at start, then every period', async () => {
    const dispatcher = recordingDispatcher();
    const scheduler = new Scheduler({
      schedules: [{ ...hourly, name: 'every-15', expression: 'rate(15 minutes)' }],
      handler: dispatcher.handler,
      functionName: 'd',
      timeCompression: 60, // 15 simulated minutes = 15 real seconds
    });

    scheduler.start();
    await vi.advanceTimersByTimeAsync(0);
    const atStart = dispatcher.calls.length;
    await vi.advanceTimersByTimeAsync(15_000);
    scheduler.stop();

    expect(atStart).toBe(1);
    expect(dispatcher.calls).toHaveLength(2);
  });

  it('fireNow by schedule name, by job, and for a job without schedule', async () => {
    const dispatcher = recordingDispatcher();
    const scheduler = new Scheduler({
      schedules: [hourly, weekly],
      handler: dispatcher.handler,
      functionName: 'd',
    });

    const result = await scheduler.fireNow('overview-weekly');
    await scheduler.fireNow('quote');
    await scheduler.fireNow('history');

    expect(result).toEqual({ accepted: true });
    const firedAt = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(dispatcher.calls.map((call) => call.event)).toEqual([
      { job: 'overview', schedule: 'overview-weekly', scheduledTime: firedAt },
      { job: 'quote', schedule: 'quote-hourly', scheduledTime: firedAt },
      { job: 'history', schedule: 'manual', scheduledTime: firedAt },
    ]);
    await expect(scheduler.fireNow('nope')).rejects.toThrow('neither a schedule name nor a job');
  });

  it('counts a failing invocation and keeps firing', async () => {
    let calls = 0;
    const scheduler = new Scheduler({
      schedules: [hourly],
      handler: async () => {
        calls += 1;
        if (calls === 1) throw new Error('broker down');
        return undefined;
      },
      functionName: 'd',
      timeCompression: 3600,
      simulatedStart: new Date('2025-01-01T00:59:00Z'),
    });

    scheduler.start();
    await vi.advanceTimersByTimeAsync(1100);
    await scheduler.settled();
    scheduler.stop();

    expect(calls).toBe(2);
    expect(scheduler.counters).toEqual({ fires: 2, failures: 1 });
    await expect(scheduler.fireNow('quote-hourly')).resolves.toBeUndefined();
  });

  it('rejects a bad expression when constructed, not when it would fire', () => {
    expect(
      () =>
        new Scheduler({
          schedules: [{ ...hourly, expression: 'cron(0 6 * * MON *)' }],
          handler: async () => undefined,
          functionName: 'd',
        }),
    ).toThrow('exactly one of');
  });
});
