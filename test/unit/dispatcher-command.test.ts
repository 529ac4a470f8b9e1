/**
 * The dispatcher's pure part: the collect-universe command a schedule firing publishes. Scheduler delivers at
 * least once, so the same firing must always publish the same command id; and whatever input the dispatcher
 * accepts must yield a command the securities handler accepts (otherwise the firing is silently dead-lettered).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commandForSchedule, scheduleInputSchema } from '../../functions/dispatcher/command.ts';
import { JOBS } from '../../model/config.ts';
import { collectUniverseSchema } from '../../model/messages.ts';

const firing = { job: 'quote', schedule: 'quote-intraday', scheduledTime: '2026-05-15T14:15:00Z' } as const;
const invokedAt = new Date('2026-05-15T14:15:03.250Z');

describe('commandForSchedule', () => {
  it('gives a retried firing the same command', () => {
    // Prepare
    const input = scheduleInputSchema.parse(firing);

    // Act: a retry arrives later, with the same scheduled time
    const first = commandForSchedule(input, invokedAt);
    const retry = commandForSchedule(
      scheduleInputSchema.parse({ ...firing }),
      new Date('2026-05-15T14:16:30Z'),
    );

    // Assess
    expect(retry).toEqual(first);
    expect(first.issuedAt).toBe(firing.scheduledTime);
    expect(first.correlationId).toBe('quote-intraday@2026-05-15T14:15:00Z');
  });

  it('gives different firings and different schedules different command ids', () => {
    // Prepare
    const inputs = [
      firing,
      { ...firing, scheduledTime: '2026-05-15T14:30:00Z' },
      { ...firing, schedule: 'quote-backup' },
    ].map((raw) => scheduleInputSchema.parse(raw));

    // Act
    const ids = inputs.map((input) => commandForSchedule(input, invokedAt).commandId);

    // Assess
    expect(new Set(ids).size).toBe(3);
  });

  it('uses the invocation time when the schedule passes no scheduled time', () => {
    // Prepare
    const input = scheduleInputSchema.parse({ job: 'history' });

    // Act
    const command = commandForSchedule(input, invokedAt);

    // Assess
    expect(input.schedule).toBe('manual');
    expect(command.issuedAt).toBe(invokedAt.toISOString());
    expect(command.correlationId).toBe(`manual@${invokedAt.toISOString()}`);
  });

  it('refreshes the listing for the universe job and fans out to exactly the job dataset otherwise', () => {
    // Prepare
    const jobs = JOBS;

    // Act
    const commands = jobs.map((job) =>
      commandForSchedule(scheduleInputSchema.parse({ ...firing, job }), invokedAt),
    );

    // Assess
    expect(commands.map((c) => [c.refreshListing, c.datasets])).toEqual([
      [true, []],
      [false, ['overview']],
      [false, ['history']],
      [false, ['quote']],
      [false, ['indicators']],
    ]);
  });

  it.each([
    ['an unknown job', { job: 'prices' }],
    ['no job', {}],
    ['an empty schedule name', { job: 'quote', schedule: '' }],
    ['a scheduled time without offset', { job: 'quote', scheduledTime: '2026-05-15 14:15' }],
    ['an EventBridge scheduled event', { 'detail-type': 'Scheduled Event', source: 'aws.events' }],
  ])('rejects the input with %s', (_what, raw) => {
    // Prepare: see the table

    // Act
    const result = scheduleInputSchema.safeParse(raw);

    // Assess
    expect(result.success).toBe(false);
  });

  it('either rejects a long schedule name or publishes a command the securities handler accepts', () => {
    // Prepare: 110 characters + "@" + a 20-character time exceeds the contract's 128-character correlation id
    const raw = { ...firing, schedule: 's'.repeat(110) };

    // Act
    const parsed = scheduleInputSchema.safeParse(raw);
    const verdict = parsed.success
      ? collectUniverseSchema.safeParse(commandForSchedule(parsed.data, invokedAt))
      : undefined;

    // Assess: refusing the input is fine (the firing fails loudly); publishing a poison command is not
    expect(verdict?.error?.issues.map((issue) => issue.path.join('.')) ?? []).toEqual([]);
  });

  it('turns every schedule input it accepts into a valid collect-universe command', () => {
    // Prepare: any job, any accepted schedule name, any scheduled time (or none)
    const inputs = fc.record(
      {
        job: fc.constantFrom(...JOBS),
        schedule: fc.string({ minLength: 1, maxLength: 200, size: 'max' }),
        scheduledTime: fc
          .date({
            min: new Date('2000-01-01T00:00:00Z'),
            max: new Date('2099-12-31T23:59:59Z'),
            noInvalidDate: true,
          })
          .map((date) => date.toISOString()),
      },
      { requiredKeys: ['job'] },
    );

    // Act + Assess: a command the dispatcher publishes must pass the securities topic's contract
    fc.assert(
      fc.property(inputs, (raw) => {
        const parsed = scheduleInputSchema.safeParse(raw);
        fc.pre(parsed.success);
        if (!parsed.success) return;
        const command = commandForSchedule(parsed.data, invokedAt);
        const verdict = collectUniverseSchema.safeParse(JSON.parse(JSON.stringify(command)));
        expect(verdict.error?.issues ?? []).toEqual([]);
      }),
      { numRuns: 300, seed: 20260515 },
    );
  });
});
