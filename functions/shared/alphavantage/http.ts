/**
 * AlphaVantage transport over Node's own fetch: its global dispatcher keeps connections alive across the calls
 * and invocations of an execution environment (undici's npm package would add ~500 KiB to every bundle for the
 * same pool). Per-request timeouts, and
 * retries with exponential backoff and full jitter for the failures that can pass (HTTP 5xx/429, timeouts,
 * connection resets). It returns the body text; deciding whether a 200 body is data or one of AlphaVantage's
 * error bodies is the parser's job (`fetchData` in client.ts).
 *
 * The API key is sent as the `apikey` query parameter, as AlphaVantage requires, and is redacted from every
 * URL and message this module produces, so it cannot reach a log line.
 */
import pRetry, { AbortError } from 'p-retry';
import { PermanentError, TransientError } from '../errors.ts';

export interface TransportOptions {
  baseUrl: string;
  /** Resolved lazily (Secrets Manager in AWS, an env var locally) and cached by the caller. */
  apiKey: () => Promise<string>;
  /** Per attempt. */
  timeoutMs: number;
  /** Attempts per call, including the first. */
  maxAttempts: number;
  /** Base of the exponential backoff. @default 250 */
  backoffBaseMs?: number;
  /**
   * A connection pool of its own, an undici `Dispatcher` passed to fetch (tests and benchmarks).
   * @default fetch's global keep-alive dispatcher
   */
  dispatcher?: object;
}

/** fetch rejects with "fetch failed" and the reason in `cause`. */
function describeFailure(error: unknown): string {
  const cause = error instanceof Error && error.cause !== undefined ? `: ${String(error.cause)}` : '';
  return `${String(error)}${cause}`;
}

function redactApiKey(text: string, apiKey: string | undefined): string {
  let redacted = text.replace(/([?&]apikey=)[^&\s"]*/gi, '$1***');
  if (apiKey && apiKey.length >= 4) redacted = redacted.split(apiKey).join('***');
  return redacted;
}

/** `function=X&symbol=Y` etc. without the key, for logs and error messages. */
function describeQuery(params: Record<string, string>): string {
  return new URLSearchParams(params).toString();
}

export class AlphaVantageTransport {
  constructor(private readonly options: TransportOptions) {}

  /**
   * GETs /query with the parameters and hands the body of a 200 response to `interpret`, inside the retry
   * loop: `interpret` may throw a TransientError to have the call retried (a cut-off body), or wrap an error in
   * `AbortError` to fail at once without retrying (e.g. a limit answer: retrying now would only spend quota).
   * `beforeRequest` runs before every HTTP request, retries included (each one costs quota): the limiter's
   * seam. What it throws ends the call unretried.
   */
  async get<T>(
    params: Record<string, string>,
    interpret: (body: string) => T,
    beforeRequest?: () => Promise<void>,
  ): Promise<T> {
    const apiKey = await this.options.apiKey();
    const url = new URL('/query', this.options.baseUrl);
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    url.searchParams.set('apikey', apiKey);
    const what = describeQuery(params);

    const attempt = async (): Promise<T> => {
      if (beforeRequest) {
        try {
          await beforeRequest();
        } catch (error) {
          throw new AbortError(error instanceof Error ? error : new Error(String(error)));
        }
      }
      return interpret(await this.fetchBody(url, what, apiKey));
    };

    try {
      return await pRetry(attempt, {
        retries: this.options.maxAttempts - 1,
        factor: 2,
        minTimeout: this.options.backoffBaseMs ?? 250,
        maxTimeout: 10_000,
        randomize: true,
      });
    } catch (error) {
      // p-retry rethrows the last error (or the AbortError's original): network and HTTP failures are already
      // classified by `attempt`, and what `interpret` throws is the caller's to handle, unchanged.
      if (error instanceof Error) throw error;
      throw new TransientError(
        'http-unknown',
        `AlphaVantage ${what}: ${redactApiKey(String(error), apiKey)}`,
      );
    }
  }

  /** One HTTP request: the body of a 200; a network failure, 5xx or 429 is transient, another status permanent. */
  private async fetchBody(url: URL, what: string, apiKey: string): Promise<string> {
    // One deadline for headers and body, as a whole.
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'GET',
        signal,
        ...(this.options.dispatcher ? { dispatcher: this.options.dispatcher } : {}),
      } as RequestInit);
    } catch (error) {
      throw new TransientError(
        'http-network',
        `AlphaVantage ${what}: ${redactApiKey(describeFailure(error), apiKey)}`,
      );
    }
    let body: string;
    try {
      body = await response.text();
    } catch (error) {
      throw new TransientError(
        'http-body',
        `AlphaVantage ${what}: body: ${redactApiKey(describeFailure(error), apiKey)}`,
      );
    }
    if (response.status >= 500 || response.status === 429) {
      throw new TransientError('http-status', `AlphaVantage ${what}: HTTP ${response.status}`);
    }
    if (response.status !== 200) {
      // 4xx other than 429: the request itself is wrong; retrying cannot help.
      throw new AbortError(
        new PermanentError('http-status', `AlphaVantage ${what}: HTTP ${response.status}`),
      );
    }
    return body;
  }
}
