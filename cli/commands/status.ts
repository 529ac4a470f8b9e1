/**
 * `horton status`: per handler its consumer group's lag and last processed record, the dead-letter count, each
 * schedule's last and next due firing, the AlphaVantage quota used today (when the deployment has a limiter
 * table) and, locally, the health of the local stack.
 */
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { ScheduleConfig } from '../../model/config.ts';
import { describeNoData, type NoDataEntry } from '../../model/domain/no-data.ts';
import type { StatusReport } from '../../model/operations.ts';
import { compileSchedule } from '../../model/schedule-expression.ts';
import { CliError, EXIT } from '../errors.ts';
import type { ServiceStatus } from '../local-stack.ts';
import { emit, type Io, table, time } from '../output.ts';
import { connect, START_HINT, type Target, type TargetOptions } from '../target.ts';

export interface ScheduleTimes {
  name: string;
  job: string;
  expression: string;
  timezone: string;
  enabled: boolean;
  /** The latest due firing at or before now (computed from the expression; undefined for rate schedules). */
  lastDue?: string;
  nextDue?: string;
}

/** Last and next due firing of a schedule, in its time zone. */
export function scheduleTimes(schedule: ScheduleConfig, now: Date): ScheduleTimes {
  const base = {
    name: schedule.name,
    job: schedule.job,
    expression: schedule.expression,
    timezone: schedule.timezone,
    enabled: schedule.enabled,
  };
  const compiled = compileSchedule(schedule.expression, schedule.timezone);
  if (compiled.parsed.kind === 'rate') return base;
  const next = compiled.nextAfter(now);
  let last: Date | undefined;
  // croner looks forward only: walk from a window back until passing now (widening for rare schedules).
  for (const days of [2, 35, 400]) {
    let cursor = compiled.nextAfter(new Date(now.getTime() - days * 86_400_000));
    while (cursor && cursor.getTime() <= now.getTime()) {
      last = cursor;
      cursor = compiled.nextAfter(cursor);
    }
    if (last) break;
  }
  return {
    ...base,
    ...(last ? { lastDue: last.toISOString() } : {}),
    ...(next ? { nextDue: next.toISOString() } : {}),
  };
}

export interface QuotaToday {
  /** The UTC day counted. */
  day: string;
  used: number;
  /** The plan's daily cap; null when it has none; undefined when the deployment does not say. */
  cap?: number | null;
  plan?: string;
  requestsPerMinute?: number;
  /** When the day's count starts again (UTC midnight). */
  resetsAt: string;
}

/** Calls counted today (UTC) by the AlphaVantage limiter with the plan's cap, or 'no limiter'. */
export async function quotaToday(target: Target, now: Date): Promise<QuotaToday | 'no limiter'> {
  const deployment = await target.deployment();
  const table = (deployment.tables as Record<string, string>).alphaVantageQuota;
  if (!table) return 'no limiter';
  const day = now.toISOString().slice(0, 10);
  const { Item } = await (await target.doc()).send(
    new GetCommand({ TableName: table, Key: { pk: `day#${day}` } }),
  );
  const used = Item?.count ?? Item?.calls ?? Item?.used ?? 0;
  const resetsAt = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString();
  const budget = deployment.budget;
  return {
    day,
    used: typeof used === 'number' ? used : Number(used),
    ...(budget
      ? { cap: budget.requestsPerDay, plan: budget.plan, requestsPerMinute: budget.requestsPerMinute }
      : {}),
    resetsAt,
  };
}

function quotaLine(quota: QuotaToday | 'no limiter'): string {
  if (quota === 'no limiter') return 'AlphaVantage calls today: no limiter in this deployment';
  const cap = quota.cap === undefined ? '?' : quota.cap === null ? 'no daily cap' : `${quota.cap} cap`;
  const plan = quota.plan ? ` (${quota.plan}, ${quota.requestsPerMinute}/min)` : '';
  return `AlphaVantage calls today: ${quota.used} used / ${cap}${plan}; resets ${quota.resetsAt.slice(0, 16)}Z`;
}

/** Nothing serves in the state dir looked at: say which one, and where pipelines do run. */
async function notServing(io: Io, stack: ServiceStatus[]): Promise<number> {
  const bridge = await import('../local-stack.ts');
  const { stateDir } = bridge.localSession();
  const others = bridge.otherPipelines(stateDir);
  emit(io, { stateDir, stack, serving: false, otherPipelines: others }, () => {
    io.out(`State dir: ${stateDir}`);
    io.out(`Local stack: ${stack.map((s) => `${s.name} ${s.state}`).join(', ')}`);
    io.out(`No local Horton pipeline is serving there: ${START_HINT}.`);
    for (const other of others)
      io.out(
        `A pipeline runs under another state dir: HORTON_STATE_DIR=${other.stateDir} (pid ${other.pid})`,
      );
  });
  return EXIT.unavailable;
}

/** Answers without data remembered (a few per unknown symbol; one page is plenty for a status line). */
async function noDataEntries(target: Target): Promise<NoDataEntry[]> {
  const { tables } = await target.deployment();
  if (!tables.noData) return [];
  const { Items } = await (await target.doc()).send(new ScanCommand({ TableName: tables.noData }));
  return (Items ?? []) as NoDataEntry[];
}

/** What `status` shows of a target: the handlers' lag, dead-letter counts, schedules, today's quota, no-data memory. */
export async function readStatus(target: Target, now: Date) {
  const deployment = await target.deployment();
  const [report, quotaUsedToday, noData] = await Promise.all([
    target.operate<StatusReport>({ action: 'status' }),
    quotaToday(target, now),
    noDataEntries(target),
  ]);
  const schedules = deployment.schedules.map((schedule) => scheduleTimes(schedule, now));
  return { report, schedules, quotaUsedToday, noData };
}

export async function status(options: TargetOptions, io: Io): Promise<number> {
  const local = !options.stack;
  const stack: ServiceStatus[] | undefined = local
    ? await (await import('../local-stack.ts')).localServices()
    : undefined;
  const target = connect(options);
  let label: string;
  try {
    label = await target.label();
  } catch (error) {
    if (!(error instanceof CliError) || error.exitCode !== EXIT.unavailable || !stack) throw error;
    return notServing(io, stack);
  }
  try {
    const { report, schedules, quotaUsedToday: quota, noData } = await readStatus(target, new Date());
    const data = {
      target: label,
      ...(stack ? { stack } : {}),
      ...report,
      schedules,
      quotaUsedToday: quota,
      noData,
    };
    emit(io, data, () => {
      printStatus(io, label, stack, report, schedules, quota);
      for (const entry of noData) io.out(describeNoData(entry));
    });
    return EXIT.ok;
  } finally {
    target.close();
  }
}

function printStatus(
  io: Io,
  label: string,
  stack: ServiceStatus[] | undefined,
  report: StatusReport,
  schedules: ScheduleTimes[],
  quota: QuotaToday | 'no limiter',
): void {
  io.out(`Horton: ${label}`);
  if (stack)
    io.out(
      `Local stack: ${stack.map((s) => `${s.name} ${s.state}${s.state === 'running' && !s.ready ? ' (not ready)' : ''}`).join(', ')}`,
    );
  const handlers = table(io, ['Handler', 'Consumer group', 'Lag', 'Last processed record']);
  for (const handler of report.handlers) {
    handlers.push([handler.handler, handler.groupId, handler.lag, time(io, handler.lastProcessedAt)]);
  }
  io.out(handlers.toString());
  const { total, pending, redriven } = report.deadLetters;
  io.out(`Dead letters: ${total} (${pending} not redriven, ${redriven} redriven)`);
  const timetable = table(io, ['Schedule', 'Job', 'Expression', 'Last due', 'Next due']);
  for (const schedule of schedules) {
    timetable.push([
      schedule.enabled ? schedule.name : `${schedule.name} (disabled)`,
      schedule.job,
      `${schedule.expression} ${schedule.timezone}`,
      time(io, schedule.lastDue),
      time(io, schedule.nextDue),
    ]);
  }
  io.out(timetable.toString());
  io.out(quotaLine(quota));
}
