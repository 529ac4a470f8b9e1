/**
 * Invocations and failures per handler over the last 24 hours, for the Pipeline page. Both sources count what
 * the consumer handler reports at the end of each invocation (functions/shared/kafka/consumer-handler.ts), and
 * the invocations that threw or timed out, which report nothing themselves:
 * - against a stack, through GetMetricData with the operator's credentials: Horton's own metrics
 *   (model/metrics.ts), where every invocation that ends publishes one RecordsProcessed datum, so its sample count
 *   is the invocations that ended; RecordsProcessed, RecordsFailed and RecordsDeadLettered summed; and Lambda's
 *   `Errors` of the function;
 * - locally, where the runner disables metrics, the same figures from the handlers' `batch done` log lines and
 *   the runner's `Invoke Error` lines (Lambda's `Errors`) in the runner's log files (what `horton logs` reads),
 *   read from where the last poll stopped.
 */
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import {
  type CloudWatchClient,
  GetMetricDataCommand,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { METRIC, METRICS_NAMESPACE, OUTCOME_LOG_MESSAGE, SERVICE_DIMENSION } from '../../../model/metrics.ts';
import type { HandlerActivity } from '../api-types.ts';

export const ACTIVITY_WINDOW_MS = 24 * 3_600_000;

type Counts = Omit<HandlerActivity, 'handler'>;
const none = (): Counts => ({ invocations: 0, errors: 0, processed: 0, failed: 0, deadLettered: 0 });

/** Horton's metrics summed per handler, with what each one counts toward. */
const HORTON_STATS = [
  ['ended', METRIC.recordsProcessed, 'SampleCount'],
  ['processed', METRIC.recordsProcessed, 'Sum'],
  ['failed', METRIC.recordsFailed, 'Sum'],
  ['deadLettered', METRIC.recordsDeadLettered, 'Sum'],
] as const;

/** The queries of one handler: Horton's metrics by its service, Lambda's `Errors` by its function (same name). */
function handlerQueries(name: string, index: number): MetricDataQuery[] {
  const period = ACTIVITY_WINDOW_MS / 1000;
  return [
    ...HORTON_STATS.map(([, metricName, stat], s) => ({
      Id: `q${index}_${s}`,
      MetricStat: {
        Metric: {
          Namespace: METRICS_NAMESPACE,
          MetricName: metricName,
          Dimensions: [{ Name: SERVICE_DIMENSION, Value: name }],
        },
        Period: period,
        Stat: stat,
      },
    })),
    {
      Id: `q${index}_errors`,
      MetricStat: {
        Metric: {
          Namespace: 'AWS/Lambda',
          MetricName: 'Errors',
          Dimensions: [{ Name: 'FunctionName', Value: name }],
        },
        Period: period,
        Stat: 'Sum',
      },
    },
  ];
}

/** Reads the metrics of `<prefix>-<handler>` (service and function name) for the window ending at `now`. */
export async function metricActivity(
  client: CloudWatchClient,
  prefix: string,
  handlers: string[],
  now: Date,
): Promise<HandlerActivity[]> {
  const values = new Map<string, number>();
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new GetMetricDataCommand({
        MetricDataQueries: handlers.flatMap((handler, h) => handlerQueries(`${prefix}-${handler}`, h)),
        StartTime: new Date(now.getTime() - ACTIVITY_WINDOW_MS),
        EndTime: now,
        NextToken: nextToken,
      }),
    );
    for (const result of page.MetricDataResults ?? [])
      values.set(result.Id ?? '', (values.get(result.Id ?? '') ?? 0) + sum(result.Values));
    nextToken = page.NextToken;
  } while (nextToken);
  return handlers.map((handler, h) => {
    const summed = Object.fromEntries(
      HORTON_STATS.map(([field], s) => [field, values.get(`q${h}_${s}`) ?? 0]),
    ) as Record<(typeof HORTON_STATS)[number][0], number>;
    const errors = values.get(`q${h}_errors`) ?? 0;
    const { ended, ...records } = summed;
    return { handler, invocations: ended + errors, errors, ...records };
  });
}

const sum = (values: number[] | undefined) => (values ?? []).reduce((total, value) => total + value, 0);

interface Invocation extends Counts {
  at: number;
}

/** One handler's log file, read from where the previous poll stopped (it is only ever appended to). */
interface FileCursor {
  offset: number;
  /** An unfinished last line, completed by the next read. */
  rest: string;
  invocations: Invocation[];
}

/**
 * The invocation a line of `service`'s log reports: its `batch done` line, or the runner's `Invoke Error` line of
 * an invocation that threw or timed out; undefined for any other line.
 */
function invocationOfLine(line: string, service: string): Invocation | undefined {
  const { batchDone, invokeError } = OUTCOME_LOG_MESSAGE;
  if (!line.includes(`"${batchDone}"`) && !line.includes(`"${invokeError}"`)) return undefined;
  try {
    const entry = JSON.parse(line) as Record<string, unknown>;
    const at = Date.parse(String(entry.timestamp));
    if (entry.message === invokeError && entry.functionName === service)
      return { at, ...none(), invocations: 1, errors: 1 };
    if (entry.message !== batchDone || entry.service !== service) return undefined;
    const count = (key: string) => (typeof entry[key] === 'number' ? (entry[key] as number) : 0);
    return {
      at,
      invocations: 1,
      errors: 0,
      processed: count('processed'),
      failed: count('failed'),
      deadLettered: count('deadLettered'),
    };
  } catch {
    return undefined;
  }
}

/** Counts of the local runner's log files, kept between polls. */
export class LogActivity {
  private readonly cursors = new Map<string, FileCursor>();

  /** Counts of `<prefix>-<handler>` (a state dir's files may hold lines of an earlier pipeline's prefix). */
  async read(dir: string, prefix: string, handlers: string[], now: Date): Promise<HandlerActivity[]> {
    const present = new Set(await readdir(dir).catch(() => [] as string[]));
    const since = now.getTime() - ACTIVITY_WINDOW_MS;
    return Promise.all(
      handlers.map(async (handler) => {
        const file = `${handler}.log`;
        const cursor = present.has(file)
          ? await this.advance(path.join(dir, file), `${prefix}-${handler}`)
          : undefined;
        const counts = none();
        for (const invocation of cursor?.invocations ?? []) {
          if (invocation.at < since) continue;
          counts.invocations += 1;
          counts.errors += invocation.errors;
          counts.processed += invocation.processed;
          counts.failed += invocation.failed;
          counts.deadLettered += invocation.deadLettered;
        }
        return { handler, ...counts };
      }),
    );
  }

  private async advance(file: string, service: string): Promise<FileCursor> {
    let cursor = this.cursors.get(file);
    const { size } = await stat(file);
    // A file shorter than what was read was replaced (a new state dir's run): read it from the start.
    if (!cursor || size < cursor.offset) {
      cursor = { offset: 0, rest: '', invocations: [] };
      this.cursors.set(file, cursor);
    }
    if (size === cursor.offset) return cursor;
    const handle = await open(file, 'r');
    try {
      const buffer = Buffer.alloc(size - cursor.offset);
      await handle.read(buffer, 0, buffer.length, cursor.offset);
      cursor.offset = size;
      const lines = (cursor.rest + buffer.toString('utf8')).split('\n');
      cursor.rest = lines.pop() ?? '';
      for (const line of lines) {
        const invocation = invocationOfLine(line, service);
        if (invocation) cursor.invocations.push(invocation);
      }
      // Keep only the window: a long-running console must not grow without bound.
      const since = Date.now() - ACTIVITY_WINDOW_MS;
      if (cursor.invocations.length > 0 && (cursor.invocations[0]?.at ?? since) < since)
        cursor.invocations = cursor.invocations.filter((invocation) => invocation.at >= since);
    } finally {
      await handle.close();
    }
    return cursor;
  }
}
