/**
 * The Pipeline page: schedules -> topics -> handlers -> tables as the handler catalogue (model/handlers.ts)
 * wires them, with each handler's lag and last processed record (the operations function's `status`, as
 * `horton status` shows them), its invocations and failures of the last 24 hours (data/activity.ts), its dead
 * letters by reason, and each schedule's last and next firing. Unlike `horton status` it leaves out the no-data
 * memory, which the Budget page pages through: this page is polled, and must not scan a table per poll.
 */
import { HANDLERS } from '../../../model/handlers.ts';
import type { DeadLetterEntry, StatusReport } from '../../../model/operations.ts';
import { groupDeadLetters } from '../../commands/dead-letters.ts';
import { quotaToday, scheduleTimes } from '../../commands/status.ts';
import type { Target } from '../../target.ts';
import type { HandlerActivity, PipelineView } from '../api-types.ts';

/** Reads the invocation counts of the handlers; `source` names where they come from. */
export interface ActivitySource {
  source: string;
  read(prefix: string, handlers: string[], now: Date): Promise<HandlerActivity[]>;
}

async function readActivity(source: ActivitySource, prefix: string, handlers: string[], now: Date) {
  try {
    return { activity: await source.read(prefix, handlers, now) };
  } catch (error) {
    // The counts are one part of the page: without them (no cloudwatch:GetMetricData, say) the rest still shows.
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
    return { activity: [], activityProblem: `invocation counts unavailable: ${message}` };
  }
}

export async function readPipeline(
  target: Target,
  activity: ActivitySource,
  now: Date,
): Promise<PipelineView> {
  const deployment = await target.deployment();
  const [report, quotaUsedToday, { deadLetters }, label] = await Promise.all([
    target.operate<StatusReport>({ action: 'status' }),
    quotaToday(target, now),
    target.operate<{ deadLetters: DeadLetterEntry[] }>({ action: 'dead-letters' }),
    target.label(),
  ]);
  const counts = await readActivity(
    activity,
    deployment.prefix,
    report.handlers.map((status) => status.handler),
    now,
  );
  const groups = groupDeadLetters(deadLetters);
  const handlers = report.handlers.map((status) => {
    const spec = HANDLERS[status.handler as keyof typeof HANDLERS];
    const counted = counts.activity.find((entry) => entry.handler === status.handler);
    return {
      ...status,
      topic: deployment.topics[status.role],
      description: spec?.description ?? '',
      produces: (spec?.produces ?? []).map((role) => ({ role, topic: deployment.topics[role] })),
      tables: Object.keys(spec?.tables ?? {}).map((role) => ({
        role,
        table: deployment.tables[role as keyof typeof deployment.tables],
      })),
      deadLetters: groups
        .filter((group) => group.handler === status.handler || group.handler.endsWith(`-${status.handler}`))
        .map(({ reason, count, pending }) => ({ reason, count, pending })),
      ...(counted ? { activity: counted } : {}),
    };
  });
  return {
    target: label,
    readAt: now.toISOString(),
    schedules: deployment.schedules.map((schedule) => scheduleTimes(schedule, now)),
    // A schedule's firing goes through the dispatcher to the securities topic, which fans out per dataset.
    scheduleTopic: deployment.topics.securities,
    handlers,
    activitySource: activity.source,
    ...(counts.activityProblem ? { activityProblem: counts.activityProblem } : {}),
    deadLetterTopic: deployment.topics.deadLetter,
    deadLetters: report.deadLetters,
    quotaUsedToday,
  };
}
