/**
 * The CLI's terminal output: tables fitted to 100 columns (wrapping at words before eliding), commander's and
 * our own errors on one `horton:` line, and the runner's routing of handler log lines to per-handler files.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { oneLine } from '../../cli/errors.ts';
import { FitTable, fitWidths } from '../../cli/table.ts';
import { handlerOfLine, routeHandlerLogs } from '../../localstack/runner/handler-logs.ts';

const widest = (text: string) => Math.max(...text.split('\n').map((line) => [...line].length));

describe('tables that fit a terminal', () => {
  const head = ['Schedule', 'Job', 'Expression', 'Last due', 'Next due'];
  const row = [
    'universe-daily',
    'universe',
    'cron(0 6 ? * MON-FRI *) America/New_York',
    '2026-12-04T11:00:00Z',
    '2026-12-07T11:00:00Z',
  ];

  it('keeps natural widths when the table fits, and wraps the widest columns at words when not', () => {
    const wide = new FitTable(head, { columns: Number.POSITIVE_INFINITY });
    wide.push(row);
    expect(widest(wide.toString())).toBeGreaterThan(100);
    const fitted = new FitTable(head);
    fitted.push(row);
    const text = fitted.toString();
    expect(widest(text)).toBeLessThanOrEqual(100);
    // Words stay whole: the expression wraps between words, nothing is elided.
    expect(text).not.toContain('…');
    expect(text).toContain('America/New_York');
  });

  it('elides only when word-wrapping cannot fit the limit', () => {
    const widths = fitWidths(['A', 'B'], [['x'.repeat(80), 'y'.repeat(80)]], 40);
    expect(widths.reduce((sum, width) => sum + width, 0) + 3).toBeLessThanOrEqual(40);
  });
});

describe('one-line errors', () => {
  it("joins commander's two lines and drops its `error: ` prefix", () => {
    expect(oneLine("error: unknown command 'statu'\n(Did you mean status?)")).toBe(
      "unknown command 'statu' (Did you mean status?)",
    );
  });
});

describe('handler log files', () => {
  const services = new Map([['horton-quote', 'quote']]);

  it('attributes a Powertools line by its service and leaves every other line alone', () => {
    expect(handlerOfLine('{"level":"INFO","message":"m","service":"horton-quote"}', services)).toBe('quote');
    expect(handlerOfLine('{"level":"INFO","service":"other"}', services)).toBeUndefined();
    expect(handlerOfLine('  progress: quote 1/1', services)).toBeUndefined();
  });

  it("attributes the runner's Invoke Error line by its function name", () => {
    expect(
      handlerOfLine('{"level":"ERROR","message":"Invoke Error","functionName":"horton-quote"}', services),
    ).toBe('quote');
    expect(
      handlerOfLine('{"level":"ERROR","message":"Invoke Error","functionName":"other"}', services),
    ).toBeUndefined();
  });

  it("writes the handlers' lines to their files, unchanged, and nothing else", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'horton-logs-'));
    const line = '{"level":"INFO","message":"batch done","service":"horton-quote"}';
    const stop = routeHandlerLogs({ dir, services });
    try {
      process.stdout.write(`${line}\n`);
      console.log(JSON.parse(line).message === 'batch done' ? '' : 'unexpected');
    } finally {
      await stop();
    }
    expect(readFileSync(path.join(dir, 'quote.log'), 'utf8')).toBe(`${line}\n`);
    rmSync(dir, { recursive: true, force: true });
  });
});
