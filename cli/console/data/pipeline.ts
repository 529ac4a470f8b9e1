/**
 * The Pipeline page: schedules -> topics -> handlers -> tables as the handler catalogue (model/handlers.ts)
 * wires them, with each handler's lag and last processed record (the operations function's `status`, as
 * `horton status` shows them), its dead letters by reason, and each schedule's last and next firing.
 */
import { HANDLERS } from '../../../model/handlers.ts';
import type { DeadLetterEntry } from '../../../model/operations.ts';
import { groupDeadLetters } from '../../commands/dead-letters.ts';
import { readStatus } from '../../commands/status.ts';
import type { Target } from '../../target.ts';

export async function readPipeline(target: Target, now: Date) {
  const deployment = await target.deployment();
  const [{ report, schedules, quotaUsedToday }, { deadLetters }, label] = await Promise.all([
    readStatus(target, now),
    target.operate<{ deadLetters: DeadLetterEntry[] }>({ action: 'dead-letters' }),
    target.label(),
  ]);
  const groups = groupDeadLetters(deadLetters);
  const handlers = report.handlers.map((status) => {
    const spec = HANDLERS[status.handler as keyof typeof HANDLERS];
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
    };
  });
  return {
    target: label,
    readAt: now.toISOString(),
    schedules,
    // A schedule's firing goes through the dispatcher to the securities topic, which fans out per dataset.
    scheduleTopic: deployment.topics.securities,
    handlers,
    deadLetterTopic: deployment.topics.deadLetter,
    deadLetters: report.deadLetters,
    quotaUsedToday,
  };
}
