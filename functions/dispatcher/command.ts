/**
 * What a schedule firing publishes: pure, so it is tested without Kafka.
 *
 * The command id is derived from the schedule name and its scheduled time, so Scheduler's at-least-once retries
 * of the same firing publish the same command and downstream writes stay idempotent.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { JOBS, scheduleNameSchema } from '../../model/config.ts';
import type { CollectUniverse } from '../../model/messages.ts';

/** The schedule's input (EventBridge Scheduler passes it verbatim). */
export const scheduleInputSchema = z.object({
  job: z.enum(JOBS),
  /** Schedule name, for correlation. */
  schedule: scheduleNameSchema.default('manual'),
  /** `<aws.scheduler.scheduled-time>` in the schedule's input; the invocation time when absent. */
  scheduledTime: z.iso.datetime({ offset: true }).optional(),
});
export type ScheduleInput = z.input<typeof scheduleInputSchema>;

/** Pure: the command a schedule firing publishes. */
export function commandForSchedule(input: z.output<typeof scheduleInputSchema>, now: Date): CollectUniverse {
  const issuedAt = input.scheduledTime ?? now.toISOString();
  const commandId = createHash('sha256')
    .update(`${input.schedule}\u0000${issuedAt}`)
    .digest('hex')
    .slice(0, 32);
  return {
    type: 'collect-universe',
    v: 1,
    commandId,
    correlationId: `${input.schedule}@${issuedAt}`,
    issuedAt,
    refreshListing: input.job === 'universe',
    datasets: input.job === 'universe' ? [] : [input.job],
  };
}
