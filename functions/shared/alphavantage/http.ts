/**
 * AlphaVantage transport: one keep-alive connection pool per execution environment, per-request timeouts, and
 * retries with exponential backoff and full jitter for the failures that can pass (HTTP 5xx/429, timeouts,
 * connection resets). It returns the body text; deciding whether a 200 body is data or one of AlphaVantage's
 * error bodies is the parser's job (`fetchData` in client.ts).
 *
 * The API key is sent as the `apikey` query parameter, as AlphaVantage requires, and is redacted from every
 * URL and message this module produces, so it cannot reach a log line.
 */
import pRetry, { AbortError } from 'p-retry';
import { Agent, type Dispatcher, request } from 'undici';
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
  dispatcher?: Dispatcher;
}

/** The module-scope pool: reused by every invocation of a warm execution environment. */
let sharedAgent: Agent | undefined;
export function keepAliveAgent(): Agent {
  sharedAgent ??= new Agent({
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 60_000,
    connections: 16,
    pipelining: 1,
  });
  return sharedAgent;
}

export function redactApiKey(text: string, apiKey: string | undefined): string {
  let redacted = text.replace(/([?&]apikey=)[^&\s"]*/gi, '$1***');
  if (apiKey && apiKey.length >= 4) redacted = redacted.split(apiKey).join('***');
  return redacted;
}

/** `function=X&symbol=Y` etc. without the key, for logs and error messages. */
export function describeQuery(params: Record<string, string>): string {
  return new URLSearchParams(params).toString();
}

export class AlphaVantageTransport {
  private readonly dispatcher: Dispatcher;

  constructor(private readonly options: TransportOptions) {
    this.dispatcher = options.dispatcher ?? keepAliveAgent();
  }

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
      let response: Dispatcher.ResponseData;
      try {
        response = await request(url, {
          method: 'GET',
          dispatcher: this.dispatcher,
          headersTimeout: this.options.timeoutMs,
          bodyTimeout: this.options.timeoutMs,
          signal: AbortSignal.timeout(this.options.timeoutMs),
        });
      } catch (error) {
        throw new TransientError(
          'http-network',
          `AlphaVantage ${what}: ${redactApiKey(String(error), apiKey)}`,
        );
      }
      let body: string;
      try {
        body = await response.body.text();
      } catch (error) {
        throw new TransientError(
          'http-body',
          `AlphaVantage ${what}: body: ${redactApiKey(String(error), apiKey)}`,
        );
      }
      if (response.statusCode >= 500 || response.statusCode === 429) {
        throw new TransientError('http-status', `AlphaVantage ${what}: HTTP ${response.statusCode}`);
      }
      if (response.statusCode !== 200) {
        // 4xx other than 429: the request itself is wrong; retrying cannot help.
        throw new AbortError(
          new PermanentError('http-status', `AlphaVantage ${what}: HTTP ${response.statusCode}`),
        );
      }
      return interpret(body);
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
}
