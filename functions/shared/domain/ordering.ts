/**
 * Code-unit string comparison for `Array.prototype.sort`.
 *
 * `localeCompare` depends on the runtime's ICU data and locale, so two Lambdas (or a Lambda and a laptop)
 * could order the same symbols differently; deterministic output is worth more here than linguistic order.
 * For `YYYY-MM-DD` dates this order is also chronological.
 */
export function compareStrings(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}
