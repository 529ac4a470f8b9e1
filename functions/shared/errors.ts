/**
 * The two ways a record can fail, and what the batch processor does with each:
 * - PermanentError: retrying cannot help (bad message, unknown symbol, premium-only endpoint on this plan).
 *   The record goes to the dead-letter topic with the reason and its original bytes; the batch goes on.
 * - TransientError: may succeed later (HTTP 5xx, timeouts, AlphaVantage limit bodies, DynamoDB throttling).
 *   The record is reported as a batch item failure so the event source mapping retries it, and after the
 *   configured retries sends it to the on-failure destination.
 * Anything else thrown is treated as transient: an unknown failure must not silently drop data.
 */
export class PermanentError extends Error {
  override readonly name = 'PermanentError';
  constructor(
    /** Machine-readable cause, written to the dead-letter record. */
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * An answer without data for the symbol (an empty answer, twice; or "Invalid API call" for a symbol AlphaVantage
 * does not know): permanent for this command, and remembered per symbol and dataset (model/domain/no-data.ts).
 */
export class NoDataError extends PermanentError {}

export class TransientError extends Error {
  override readonly name = 'TransientError';
  constructor(
    readonly code: string,
    message: string,
    /** A hint for when a retry can succeed (e.g. AlphaVantage's daily quota resets). */
    readonly retryAfterMs?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Errors of other layers that are permanent by nature: a bad message, or data the domain rules reject. */
const PERMANENT_ERROR_NAMES: Record<string, string> = {
  ContractViolation: 'schema-invalid',
  DomainValidationError: 'invalid-data',
};

export function isPermanent(error: unknown): error is Error & { code: string } {
  if (error instanceof PermanentError) return true;
  if (!(error instanceof Error) || !(error.name in PERMANENT_ERROR_NAMES)) return false;
  const withCode = error as Error & { code?: unknown };
  if (typeof withCode.code !== 'string') withCode.code = PERMANENT_ERROR_NAMES[error.name];
  return true;
}

/**
 * Not a failure of the record: the AlphaVantage budget has no slot for it before the invocation must end (or
 * AlphaVantage itself said "later"). The batch processor hands the record back without counting it as a failed
 * attempt (it re-publishes it, see kafka/batch.ts), so a known wait never ends in the dead-letter topic.
 */
export class DeferredError extends Error {
  override readonly name = 'DeferredError';
  constructor(
    readonly code: 'alphavantage-budget' | 'alphavantage-limit',
    message: string,
    /** When a slot can exist again (e.g. the next UTC midnight for the daily cap). */
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}
