/**
 * What a response was, when it was not the data asked for, and the error a parser throws for it.
 */
import type * as z from 'zod';
import type { ResponseClassification } from './classify.ts';

/** The body was one of AlphaVantage's non-data answers (limit, premium, error, empty, malformed). */
export class AlphaVantageResponseError extends Error {
  override readonly name = 'AlphaVantageResponseError';
  constructor(readonly classification: Exclude<ResponseClassification, { kind: 'data' }>) {
    super(`AlphaVantage answered ${classification.kind}: ${classification.message}`);
  }

  get retryable(): boolean {
    return this.classification.retryable;
  }
}

/** Data was present but did not have the expected shape (a field missing, a non-number price ...). */
export class AlphaVantageSchemaError extends Error {
  override readonly name = 'AlphaVantageSchemaError';
  constructor(
    readonly functionName: string,
    readonly issues: readonly z.core.$ZodIssue[],
  ) {
    super(
      `AlphaVantage ${functionName} response does not match the expected shape: ${issues
        .slice(0, 5)
        .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
        .join('; ')}`,
    );
  }
}
