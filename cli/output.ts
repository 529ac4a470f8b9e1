/** Output helpers shared by the commands: `--json` prints one JSON document, humans get text and tables. */
import Table from 'cli-table3';
import { UsageError } from './errors.ts';

export interface Io {
  json: boolean;
  /** Progress bars and colours only on a terminal, never with --json. */
  interactive: boolean;
  out(line?: string): void;
}

export function createIo(json: boolean): Io {
  return {
    json,
    interactive: !json && process.stdout.isTTY === true,
    out: (line = '') => process.stdout.write(`${line}\n`),
  };
}

/** Prints `data` as JSON with --json, else runs the human rendering. */
export function emit(io: Io, data: unknown, human: () => void): void {
  if (io.json) io.out(JSON.stringify(data, null, 2));
  else human();
}

export function table(io: Io, head: string[]): Table.Table {
  return new Table({ head, style: io.interactive ? { head: ['cyan'] } : { head: [], border: [] } });
}

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--since`: an ISO time, or a duration back from now such as 30m, 12h, 7d. */
export function parseSince(value: string, now: Date = new Date()): string {
  const relative = /^(\d+)([mhd])$/.exec(value);
  if (relative?.[1] && relative[2]) {
    return new Date(now.getTime() - Number(relative[1]) * (UNITS[relative[2]] ?? 0)).toISOString();
  }
  const time = Date.parse(value);
  if (/^\d{4}-\d{2}-\d{2}/.test(value) && !Number.isNaN(time)) return new Date(time).toISOString();
  throw new UsageError(
    `--since: "${value}" is neither an ISO time (2026-01-31T00:00:00Z) nor a duration (30m, 12h, 7d)`,
  );
}

export const money = (value: unknown) => (typeof value === 'number' ? value.toFixed(2) : '-');
