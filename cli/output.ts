/**
 * Output helpers shared by the commands: `--json` prints one JSON document (always complete), humans get text
 * and tables that fit 100 columns (`--wide`: no limit).
 */
import { UsageError } from './errors.ts';
import { FitTable, TERMINAL_COLUMNS } from './table.ts';

export interface Io {
  json: boolean;
  /** No width limit, full timestamps. */
  wide: boolean;
  /** Progress bars and colours only on a terminal, never with --json. */
  interactive: boolean;
  out(line?: string): void;
}

export function createIo(options: { json?: boolean; wide?: boolean }): Io {
  const json = options.json === true;
  return {
    json,
    wide: options.wide === true,
    interactive: !json && process.stdout.isTTY === true,
    out: (line = '') => process.stdout.write(`${line}\n`),
  };
}

/** Prints `data` as JSON with --json, else runs the human rendering. */
export function emit(io: Io, data: unknown, human: () => void): void {
  if (io.json) io.out(JSON.stringify(data, null, 2));
  else human();
}

export function table(io: Io, head: string[]): FitTable {
  return new FitTable(head, {
    columns: io.wide ? Number.POSITIVE_INFINITY : TERMINAL_COLUMNS,
    colour: io.interactive,
  });
}

/** A time for people: to the second, UTC (`--wide`: as stored, to the millisecond). */
export function time(io: Io, iso: string | undefined): string {
  if (!iso) return '-';
  return io.wide ? iso : iso.replace(/\.\d+Z$/, 'Z');
}

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--since`: an ISO time, or a duration back from now such as 30m, 12h, 7d. */
export function parseSince(value: string, now: Date = new Date(), flag = '--since'): string {
  const relative = /^(\d+)([smhd])$/.exec(value);
  if (relative?.[1] && relative[2]) {
    return new Date(now.getTime() - Number(relative[1]) * (UNITS[relative[2]] ?? 0)).toISOString();
  }
  const time = Date.parse(value);
  if (/^\d{4}-\d{2}-\d{2}/.test(value) && !Number.isNaN(time)) return new Date(time).toISOString();
  throw new UsageError(
    `${flag}: "${value}" is neither an ISO time (2026-01-31T00:00:00Z) nor a duration (30m, 12h, 7d)`,
  );
}

export const money = (value: unknown) => (typeof value === 'number' ? value.toFixed(2) : '-');
