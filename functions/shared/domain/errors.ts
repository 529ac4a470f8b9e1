/**
 * Raised when input to the domain logic is malformed (bad date, negative close, unknown window size...).
 *
 * A dedicated class lets handlers tell "this message can never succeed" (route it to a dead-letter topic,
 * do not retry) apart from transient failures such as throttling or a conditional-write conflict, which
 * are worth retrying.
 */
export class DomainValidationError extends Error {
  override readonly name = 'DomainValidationError';
}
