/**
 * Tables that fit a terminal: columns keep their natural width when the table fits, else the widest columns
 * wrap at word boundaries (down to their longest word) until it fits; only when that is not enough are long
 * words elided. Shared by the `horton` commands and `npm start`'s summary.
 */
import Table from 'cli-table3';

/** Width every table fits by default (`--wide` lifts it). */
export const TERMINAL_COLUMNS = 100;
/** Longest word kept whole when a column must shrink. */
const LONGEST_KEPT_WORD = 28;
/** Narrowest a column gets (its content then elided). */
const NARROWEST = 6;

export type Cell = string | number;

export interface FitTableOptions {
  /** Maximal total width in columns. @default TERMINAL_COLUMNS */
  columns?: number;
  /** Colour the header (terminals only). */
  colour?: boolean;
}

const lines = (cell: Cell) => String(cell).split('\n');
const longestLine = (cell: Cell) => Math.max(0, ...lines(cell).map((line) => line.length));
const longestWord = (cell: Cell) =>
  Math.max(
    0,
    ...String(cell)
      .split(/\s+/)
      .map((word) => word.length),
  );

/** Column widths (content plus one space each side) for rows of cells within `columns` in total. */
export function fitWidths(head: Cell[], rows: Cell[][], columns: number): number[] {
  const all = [head, ...rows];
  const widths = head.map((_, index) => 2 + Math.max(...all.map((row) => longestLine(row[index] ?? ''))));
  const wordFloor = head.map((title, index) =>
    Math.max(
      2 + longestWord(title),
      2 + Math.min(LONGEST_KEPT_WORD, Math.max(...rows.map((row) => longestWord(row[index] ?? '')), 0)),
    ),
  );
  const total = () => widths.reduce((sum, width) => sum + width, 0) + widths.length + 1;
  for (const floor of [wordFloor, head.map(() => NARROWEST)]) {
    while (total() > columns) {
      let widest = -1;
      widths.forEach((width, index) => {
        if (width > (floor[index] ?? NARROWEST) && (widest < 0 || width > (widths[widest] ?? 0)))
          widest = index;
      });
      if (widest < 0) break;
      widths[widest] = (widths[widest] ?? 0) - 1;
    }
  }
  return widths;
}

/** A table collected row by row and laid out to fit when printed. */
export class FitTable {
  private readonly rows: Cell[][] = [];
  constructor(
    private readonly head: string[],
    private readonly options: FitTableOptions = {},
  ) {}

  push(...rows: Cell[][]): void {
    this.rows.push(...rows);
  }

  get length(): number {
    return this.rows.length;
  }

  toString(): string {
    const colWidths = fitWidths(this.head, this.rows, this.options.columns ?? TERMINAL_COLUMNS);
    const table = new Table({
      head: this.head,
      colWidths,
      wordWrap: true,
      wrapOnWordBoundary: true,
      style: this.options.colour ? { head: ['cyan'] } : { head: [], border: [] },
    });
    table.push(...this.rows.map((row) => row.map(String)));
    return table.toString();
  }
}
