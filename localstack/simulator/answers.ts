/**
 * What every /query answer is made of: AlphaVantage's wire format (JSON pretty-printed with a 4-space indent
 * and no trailing newline, keys in AlphaVantage's order; prices as strings padded to 4 decimals; CSV with a
 * header row and a line end after every row, LF today and CRLF in older captures) and the answer record the
 * HTTP layer sends. Always HTTP 200: AlphaVantage answers errors with an "Error Message" or "Information" key.
 */

/** How the simulator classifies its own answer, for counters and logs. */
export type Outcome = 'data' | 'error' | 'empty' | 'limit' | 'premium' | 'notice';

export interface ApiAnswer {
  status: number;
  contentType: string;
  body: string;
  outcome: Outcome;
}

export type LineEnding = '\n' | '\r\n';

export const JSON_TYPE = 'application/json';
/** What AlphaVantage labels its CSV downloads with. */
export const CSV_TYPE = 'application/x-download';

export function jsonBody(value: unknown): string {
  return JSON.stringify(value, null, 4);
}

export const price = (value: number) => value.toFixed(4);

export function csvBody(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  lineEnding: LineEnding,
): string {
  return [header, ...rows].map((row) => `${row.map(csvField).join(',')}${lineEnding}`).join('');
}

/** Quotes a field only when it needs it, as AlphaVantage's writer does. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export const json = (value: unknown, outcome: Outcome): ApiAnswer => ({
  status: 200,
  contentType: JSON_TYPE,
  body: jsonBody(value),
  outcome,
});
export const errorMessage = (message: string): ApiAnswer => json({ 'Error Message': message }, 'error');
export const information = (message: string, outcome: Outcome): ApiAnswer =>
  json({ Information: message }, outcome);
export const csv = (body: string): ApiAnswer => ({
  status: 200,
  contentType: CSV_TYPE,
  body,
  outcome: 'data',
});
/** A JSON body already serialised (the series formatters write it in AlphaVantage's key order). */
export const rawJson = (body: string): ApiAnswer => ({
  status: 200,
  contentType: JSON_TYPE,
  body,
  outcome: 'data',
});
