/**
 * CSV reading with csv-parse: handles LF and CRLF line ends (AlphaVantage sent CRLF until ~2024, LF
 * since), a UTF-8 BOM, quoted fields, and blank trailing lines.
 */
import { parse } from 'csv-parse/sync';

/** Rows as objects keyed by the header row. */
export function readCsvRecords(text: string): Record<string, string>[] {
  return parse(text, {
    columns: true,
    bom: true,
    skip_empty_lines: true,
    relax_column_count: false,
    trim: false,
  }) as Record<string, string>[];
}
