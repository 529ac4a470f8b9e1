/**
 * A local EventBridge Scheduler for Horton's configured schedules: at each firing it invokes the dispatcher
 * handler with the schedule's input, `{ "job": "<job>", "schedule": "<name>" }`, verbatim, as EventBridge
 * Scheduler's Lambda target does (no envelope).
 *
 * Time can be compressed for demos: with `timeCompression: 3600`, one real second is one simulated hour, and
 * firings happen at their simulated times (a day of schedules plays out in 24 real seconds). The real clock is
 * injectable; timers are the global ones (fake timers in tests control both).
 *
 * Differences from the service, on purpose: no flexible time window (fires at the exact minute); no retry
 * policy (a failed invocation is logged and counted); missed firings after a stall are all fired, in order.
 */
import type { Job, ScheduleConfig } from '../../model/config.ts';
import { JOBS } from '../../model/config.ts';
import { type CompiledSchedule, compileSchedule } from '../../model/schedule-expression.ts';
import { invokeHandler, type LambdaHandler } from './lambda-context.ts';
import type { RunnerLogger } from './partition-worker.ts';

/** What the dispatcher receives. */
export interface ScheduleInput {
  job: Job;
  schedule: string;
  /**
   * As the cloud schedules pass `<aws.scheduler.scheduled-time>`: the time the firing was due (simulated time
   * under compression), second precision like EventBridge. The dispatcher derives the command id from it.
   */
  scheduledTime: string;
}

/** EventBridge Scheduler's format of the scheduled time: ISO 8601 without milliseconds. */
function eventBridgeTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface FireRecord {
  schedule: string;
  input: ScheduleInput;
  /** The simulated time the firing was due (now, for `fireNow`). */
  scheduledAt: Date;
  ok: boolean;
  error?: string;
}

export interface SchedulerOptions {
  schedules: readonly ScheduleConfig[];
  /** The dispatcher. */
  handler: LambdaHandler;
  functionName: string;
  region?: string;
  /** @default 60 */
  timeoutSeconds?: number;
  /** Simulated milliseconds per real millisecond. @default 1 (real time) */
  timeCompression?: number;
  /** Simulated time when the scheduler starts. @default the real time at start */
  simulatedStart?: Date;
  /** Real clock, ms since epoch. @default Date.now */
  clock?: () => number;
  log?: RunnerLogger;
  onFire?: (fire: FireRecord) => void;
}

interface ActiveSchedule {
  config: ScheduleConfig;
  compiled: CompiledSchedule;
  /** Start of a rate schedule (its first firing). */
  anchor: Date;
  next: Date | undefined;
}

/** setTimeout's limit (about 24.8 days); a longer wait is re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Bound on firings handled in one tick, so an enormous compression factor cannot lock the event loop. */
const MAX_FIRINGS_PER_TICK = 1_000;

const silentLogger: RunnerLogger = { info: () => {}, warn: () => {}, error: () => {} };

export class Scheduler {
  readonly counters = { fires: 0, failures: 0 };
  private readonly compression: number;
  private readonly clock: () => number;
  private readonly log: RunnerLogger;
  private readonly active: ActiveSchedule[];
  private readonly inFlight = new Set<Promise<unknown>>();
  private realStart: number | undefined;
  private simulatedStart: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(private readonly options: SchedulerOptions) {
    this.compression = options.timeCompression ?? 1;
    if (!(this.compression > 0)) throw new Error(`timeCompression must be positive, got ${this.compression}`);
    this.clock = options.clock ?? Date.now;
    this.log = options.log ?? silentLogger;
    // Compile every schedule up front: a bad expression fails the start, not a firing hours later.
    this.active = options.schedules
      .filter((schedule) => schedule.enabled)
      .map((config) => ({
        config,
        compiled: compileSchedule(config.expression, config.timezone),
        anchor: new Date(0),
        next: undefined,
      }));
  }

  /** Simulated now. Before `start`, the real time (or `simulatedStart`). */
  now(): Date {
    const real = this.clock();
    if (this.realStart === undefined || this.simulatedStart === undefined) {
      return new Date(this.options.simulatedStart?.getTime() ?? real);
    }
    return new Date(this.simulatedStart + (real - this.realStart) * this.compression);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.realStart = this.clock();
    this.simulatedStart = this.options.simulatedStart?.getTime() ?? this.realStart;
    const now = this.now();
    for (const schedule of this.active) {
      schedule.anchor = now;
      // A rate schedule without a start date fires at once (EventBridge Scheduler does the same).
      schedule.next =
        schedule.compiled.parsed.kind === 'rate' ? new Date(now.getTime()) : schedule.compiled.nextAfter(now);
    }
    this.arm();
  }

  /** Stops firing; invocations already running are not interrupted (await `settled()` for them). */
  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Next simulated firing per enabled schedule. */
  upcoming(): Array<{ schedule: string; at: Date | undefined }> {
    return this.active.map((schedule) => ({ schedule: schedule.config.name, at: schedule.next }));
  }

  /** Invocations in progress. */
  get pending(): number {
    return this.inFlight.size;
  }

  /** Resolves when no invocation is in progress. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /**
   * Invokes the dispatcher now, as the named schedule would (also a disabled one), or for a job: as its first
   * schedule would, or with `schedule: "manual"` when no schedule runs that job. Resolves with the handler's
   * result and rejects with its error.
   */
  async fireNow(jobOrSchedule: string): Promise<unknown> {
    const now = this.now();
    // Millisecond precision: two manual firings in one second are two firings, not a retry of one.
    return this.invoke({ ...this.inputFor(jobOrSchedule), scheduledTime: now.toISOString() }, now, true);
  }

  private inputFor(jobOrSchedule: string): Omit<ScheduleInput, 'scheduledTime'> {
    const byName = this.options.schedules.find((schedule) => schedule.name === jobOrSchedule);
    if (byName) return { job: byName.job, schedule: byName.name };
    const byJob = this.options.schedules.find((schedule) => schedule.job === jobOrSchedule);
    if (byJob) return { job: byJob.job, schedule: byJob.name };
    if ((JOBS as readonly string[]).includes(jobOrSchedule))
      return { job: jobOrSchedule as Job, schedule: 'manual' };
    throw new Error(`"${jobOrSchedule}" is neither a schedule name nor a job (${JOBS.join(', ')})`);
  }

  private async invoke(input: ScheduleInput, scheduledAt: Date, rethrow: boolean): Promise<unknown> {
    this.counters.fires += 1;
    const invocation = invokeHandler(this.options.handler, input, {
      functionName: this.options.functionName,
      timeoutSeconds: this.options.timeoutSeconds ?? 60,
      ...(this.options.region ? { region: this.options.region } : {}),
    });
    this.inFlight.add(invocation);
    try {
      const result = await invocation;
      this.options.onFire?.({ schedule: input.schedule, input, scheduledAt, ok: true });
      return result;
    } catch (error) {
      this.counters.failures += 1;
      const message = (error as Error).message;
      this.log.error('scheduled invocation failed', {
        schedule: input.schedule,
        job: input.job,
        error: message,
      });
      this.options.onFire?.({ schedule: input.schedule, input, scheduledAt, ok: false, error: message });
      if (rethrow) throw error;
      return undefined;
    } finally {
      this.inFlight.delete(invocation);
    }
  }

  private arm(): void {
    if (!this.running) return;
    const nextTimes = this.active.flatMap((schedule) => (schedule.next ? [schedule.next.getTime()] : []));
    if (nextTimes.length === 0) return;
    const simulatedWait = Math.min(...nextTimes) - this.now().getTime();
    const realWait = Math.min(MAX_TIMER_MS, Math.max(0, Math.ceil(simulatedWait / this.compression)));
    this.timer = setTimeout(() => this.tick(), realWait);
  }

  private tick(): void {
    if (!this.running) return;
    const now = this.now();
    let fired = 0;
    for (;;) {
      // Earliest due firing first, so firings across schedules happen in time order.
      const due = this.active
        .filter((schedule) => schedule.next && schedule.next.getTime() <= now.getTime())
        .sort((a, b) => (a.next?.getTime() ?? 0) - (b.next?.getTime() ?? 0))[0];
      if (!due?.next || fired >= MAX_FIRINGS_PER_TICK) break;
      const scheduledAt = due.next;
      due.next = due.compiled.nextAfter(scheduledAt, due.anchor);
      fired += 1;
      void this.invoke(
        { job: due.config.job, schedule: due.config.name, scheduledTime: eventBridgeTime(scheduledAt) },
        scheduledAt,
        false,
      );
    }
    this.arm();
  }
}
