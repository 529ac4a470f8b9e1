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
import { emit, type Io, table } from '../output.ts';
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

/** Calls counted today (UTC) by the AlphaVantage limiter, or 'no limiter' when the deployment has none. */
export async function quotaToday(target: Target, now: Date): Promise<number | 'no limiter'> {
  const tables = (await target.deployment()).tables as Record<string, string>;
  const table = tables.alphaVantageQuota;
  if (!table) return 'no limiter';
  const { Item } = await (await target.doc()).send(
    new GetCommand({ TableName: table, Key: { pk: `day#${now.toISOString().slice(0, 10)}` } }),
  );
  const used = Item?.count ?? Item?.calls ?? Item?.used ?? 0;
  return typeof used === 'number' ? used : Number(used);
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
    emit(io, { stack, serving: false }, () => {
      io.out(`Local stack: ${stack.map((s) => `${s.name} ${s.state}`).join(', ')}`);
      io.out(`No local Horton pipeline is serving: ${START_HINT}.`);
    });
    return EXIT.unavailable;
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
      io.out(`Horton: ${label}`);
      if (stack)
        io.out(
          `Local stack: ${stack.map((s) => `${s.name} ${s.state}${s.state === 'running' && !s.ready ? ' (not ready)' : ''}`).join(', ')}`,
        );
      const handlers = table(io, ['Handler', 'Consumer group', 'Lag', 'Last processed record']);
      for (const handler of report.handlers) {
        handlers.push([handler.handler, handler.groupId, handler.lag, handler.lastProcessedAt ?? '-']);
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
          schedule.lastDue ?? '-',
          schedule.nextDue ?? '-',
        ]);
      }
      io.out(timetable.toString());
      io.out(
        `AlphaVantage calls today (UTC): ${quota === 'no limiter' ? 'no limiter in this deployment' : quota}`,
      );
      for (const entry of noData) io.out(describeNoData(entry));
    });
    return EXIT.ok;
  } finally {
    target.close();
  }
}
