/**
 * The console's local invocation counts (cli/console/data/activity.ts LogActivity): read from the runner's
 * per-handler log files, the consumer handler's `batch done` lines and the runner's `Invoke Error` lines of the
 * handler's own function, incrementally across polls, within the last 24 hours.
 */
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LogActivity } from '../../cli/console/data/activity.ts';

const now = new Date();
const at = (minutesAgo: number) => new Date(now.getTime() - minutesAgo * 60_000).toISOString();
const batchDone = (service: string, minutesAgo: number, processed: number, failed = 0, deadLettered = 0) =>
  JSON.stringify({
    level: 'INFO',
    message: 'batch done',
    service,
    timestamp: at(minutesAgo),
    processed,
    failed,
    deadLettered,
  });
const invokeError = (functionName: string, minutesAgo: number) =>
  JSON.stringify({
    level: 'ERROR',
    message: 'Invoke Error',
    functionName,
    timestamp: at(minutesAgo),
    errorType: 'Error',
    errorMessage: 'boom',
  });

describe('local invocation counts from the handler logs', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'horton-activity-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('counts ended and failed invocations of the handler’s own function, polled incrementally', async () => {
    writeFileSync(
      path.join(dir, 'quote.log'),
      [
        batchDone('horton-quote', 5, 3),
        invokeError('horton-quote', 4),
        batchDone('horton-quote', 3, 1, 1, 1),
        // Another pipeline's prefix in the same state dir, a line older than the window, a line of the handler.
        batchDone('other-quote', 2, 9),
        invokeError('other-quote', 2),
        batchDone('horton-quote', 25 * 60, 7),
        JSON.stringify({ level: 'INFO', message: 'stored quote', service: 'horton-quote', timestamp: at(2) }),
        '',
      ].join('\n'),
    );
    const activity = new LogActivity();
    expect(await activity.read(dir, 'horton', ['quote', 'history'], now)).toEqual([
      { handler: 'quote', invocations: 3, errors: 1, processed: 4, failed: 1, deadLettered: 1 },
      { handler: 'history', invocations: 0, errors: 0, processed: 0, failed: 0, deadLettered: 0 },
    ]);

    // The next poll reads what was appended, a line cut in two included once it is whole.
    const next = invokeError('horton-quote', 1);
    appendFileSync(path.join(dir, 'quote.log'), next.slice(0, 20));
    expect((await activity.read(dir, 'horton', ['quote'], now))[0]).toMatchObject({
      invocations: 3,
      errors: 1,
    });
    appendFileSync(path.join(dir, 'quote.log'), `${next.slice(20)}\n`);
    expect((await activity.read(dir, 'horton', ['quote'], now))[0]).toMatchObject({
      invocations: 4,
      errors: 2,
    });
  });
});
