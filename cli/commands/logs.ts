/**
 * `horton logs [handler]`: the handlers' Powertools log lines. Locally from the runner's per-handler log files
 * (localstack/runner/handler-logs.ts), against AWS from the functions' CloudWatch log groups (FilterLogEvents,
 * polled with --follow). JSON lines as Powertools emits them; pretty-printed on a terminal.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { HANDLER_NAMES } from '../../model/handlers.ts';
import { EXIT, UsageError } from '../errors.ts';
import { type Io, parseSince } from '../output.ts';
import type { Target } from '../target.ts';

export interface LogsOptions {
  since: string;
  follow: boolean;
  level?: string;
}

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
const POLL_MS = { local: 500, aws: 2_000 };

interface LogLine {
  handler: string;
  time: number;
  text: string;
}

function checkHandler(handler: string | undefined): string[] {
  if (handler === undefined) return [...HANDLER_NAMES];
  if (!(HANDLER_NAMES as readonly string[]).includes(handler))
    throw new UsageError(`[handler]: unknown handler "${handler}" (one of ${HANDLER_NAMES.join(', ')})`);
  return [handler];
}

/** Keeps a line at or above the level; non-JSON lines are kept. */
function levelFilter(level: string | undefined): (text: string) => boolean {
  if (level === undefined) return () => true;
  const minimum = LEVELS.indexOf(level.toLowerCase() as (typeof LEVELS)[number]);
  if (minimum < 0) throw new UsageError(`--level: "${level}" is not one of ${LEVELS.join(', ')}`);
  return (text) => {
    const found = /"level":"(\w+)"/.exec(text)?.[1]?.toLowerCase() ?? 'info';
    return LEVELS.indexOf(found as (typeof LEVELS)[number]) >= minimum;
  };
}

/** `12:00:01.234 INFO  quote  message {the other keys}` for people; the JSON line itself otherwise. */
function prettyLine(line: LogLine): string {
  try {
    const {
      level,
      message,
      timestamp,
      service: _service,
      ...rest
    } = JSON.parse(line.text) as Record<string, unknown>;
    const time = typeof timestamp === 'string' ? timestamp.slice(11, 23) : '';
    const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
    return `${time} ${String(level ?? '').padEnd(5)} ${line.handler.padEnd(11)} ${String(message)}${extra}`;
  } catch {
    return `${line.handler}: ${line.text}`;
  }
}

const timeOf = (text: string) => Date.parse(/"timestamp":"([^"]+)"/.exec(text)?.[1] ?? '') || 0;

/** New lines of the local files since the byte positions seen, moving the positions on. */
function readLocal(dir: string, handlers: string[], seen: Map<string, number>): LogLine[] {
  const files = existsSync(dir) ? readdirSync(dir) : [];
  return handlers.flatMap((handler) => {
    const file = path.join(dir, `${handler}.log`);
    if (!files.includes(`${handler}.log`)) return [];
    const size = statSync(file).size;
    const from = seen.get(file) ?? 0;
    if (size <= from) return [];
    const text = readFileSync(file).subarray(from, size).toString('utf8');
    const complete = text.slice(0, text.lastIndexOf('\n') + 1);
    seen.set(file, from + Buffer.byteLength(complete));
    return complete
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => ({ handler, time: timeOf(line), text: line }));
  });
}

async function readAws(
  client: CloudWatchLogsClient,
  prefix: string,
  handlers: string[],
  since: number,
  seen: Set<string>,
): Promise<LogLine[]> {
  const lines: LogLine[] = [];
  for (const handler of handlers) {
    let nextToken: string | undefined;
    do {
      const page = await client
        .send(
          new FilterLogEventsCommand({
            logGroupName: `/aws/lambda/${prefix}-${handler}`,
            startTime: since,
            nextToken,
          }),
        )
        .catch((error: Error) => {
          if (error.name === 'ResourceNotFoundException') return { events: [], nextToken: undefined };
          throw error;
        });
      for (const event of page.events ?? []) {
        if (!event.eventId || seen.has(event.eventId)) continue;
        seen.add(event.eventId);
        lines.push({ handler, time: event.timestamp ?? 0, text: (event.message ?? '').trimEnd() });
      }
      nextToken = page.nextToken;
    } while (nextToken);
  }
  return lines;
}

/** Prints the handlers' logs since --since; with --follow keeps polling until Ctrl-C. */
export async function logs(
  target: Target,
  io: Io,
  handler: string | undefined,
  options: LogsOptions,
): Promise<number> {
  const handlers = checkHandler(handler);
  const keep = levelFilter(options.level);
  const since = Date.parse(parseSince(options.since));
  const source = await target.logs();
  const { prefix } = 'dir' in source ? { prefix: '' } : await target.deployment();
  const positions = new Map<string, number>();
  const events = new Set<string>();
  const read = () =>
    'dir' in source
      ? Promise.resolve(readLocal(source.dir, handlers, positions))
      : readAws(source.client, prefix, handlers, since, events);
  let stop = false;
  process.once('SIGINT', () => {
    stop = true;
  });
  do {
    const lines = (await read())
      .filter((line) => line.time === 0 || line.time >= since)
      .filter((line) => keep(line.text))
      .sort((a, b) => a.time - b.time);
    for (const line of lines) io.out(io.interactive ? prettyLine(line) : line.text);
    if (options.follow) await sleep('dir' in source ? POLL_MS.local : POLL_MS.aws);
  } while (options.follow && !stop);
  return EXIT.ok;
}
