/**
 * The AlphaVantage client (functions/shared/alphavantage/client.ts + http.ts) over real HTTP against the
 * in-process simulator: keep-alive reuse, retries of 5xx / timeouts / cut-off bodies, limit answers that fail
 * at once (retrying in place would only spend quota), premium and unknown-symbol answers as permanent errors,
 * and an API key that never appears in any error.
 */

import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import {
  AlphaVantageClient,
  type ClientHooks,
  type LimitPolicy,
} from '../../functions/shared/alphavantage/client.ts';
import { AlphaVantageTransport } from '../../functions/shared/alphavantage/http.ts';
import { alphaVantageClient } from '../../functions/shared/clients.ts';
import { DeferredError, PermanentError, TransientError } from '../../functions/shared/errors.ts';
import { createObservability } from '../../functions/shared/observability.ts';
import { type AlphaVantageSimulator, createAlphaVantageSimulator } from '../../localstack/simulator/index.ts';
import { TABLES } from '../../model/tables.ts';

/** Distinctive, so a leak is unmistakable (and long enough for the transport's own redaction to apply). */
const API_KEY = 'HORTON-SECRET-KEY-7f3a9c2e';
const NOW = '2026-05-15T21:00:00Z';

interface ClientOptions {
  timeoutMs?: number;
  maxAttempts?: number;
  hooks?: ClientHooks;
  dispatcher?: Agent;
  baseUrl?: string;
  limitPolicy?: LimitPolicy;
}

let simulator: AlphaVantageSimulator;
const agent = new Agent({ keepAliveTimeout: 10_000 });

function client(options: ClientOptions = {}): AlphaVantageClient {
  return new AlphaVantageClient(
    new AlphaVantageTransport({
      baseUrl: options.baseUrl ?? simulator.url,
      apiKey: async () => API_KEY,
      timeoutMs: options.timeoutMs ?? 3_000,
      maxAttempts: options.maxAttempts ?? 3,
      backoffBaseMs: 10,
      dispatcher: options.dispatcher ?? agent,
    }),
    options.hooks,
    // Short limit waits by default, so a test that meets a limit does not sit out a real minute.
    options.limitPolicy ?? { maxLimitWaitMs: 0 },
  );
}

/** Awaits a promise that must reject; returns the error. */
async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    return error as Error;
  }
  throw new Error('expected the call to fail, it succeeded');
}

/** Every error these tests provoke, checked for the key at the end. */
const seenErrors: Error[] = [];
async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await failureOf(promise);
  seenErrors.push(error);
  return error;
}

beforeAll(async () => {
  simulator = await createAlphaVantageSimulator({ now: NOW, apiKeys: [API_KEY] });
});
afterAll(async () => {
  await agent.close();
  await simulator.close();
});
beforeEach(() => simulator.reset());

// Before the keep-alive suite, which closes the module-scope pool this client uses.
describe("the handlers' client", () => {
  // Its limiter takes every request from a real quota table (in the emulator).
  const { awsEndpoint, awsRegion } = inject('localStack');
  const dynamo = new DynamoDBClient({
    endpoint: awsEndpoint,
    region: awsRegion,
    credentials: { accessKeyId: 'horton-test', secretAccessKey: 'horton-test' },
  });
  const quotaTable = `horton-test-quota-${randomUUID()}`;
  beforeAll(async () => {
    const key = TABLES.alphaVantageQuota.partitionKey;
    await dynamo.send(
      new CreateTableCommand({
        TableName: quotaTable,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: key.name, AttributeType: key.type }],
        KeySchema: [{ AttributeName: key.name, KeyType: 'HASH' }],
      }),
    );
    await waitUntilTableExists({ client: dynamo, maxWaitTime: 30, minDelay: 1 }, { TableName: quotaTable });
  });
  afterAll(() => dynamo.destroy());

  it("logs a limit answer with its text (the handlers' client, real Powertools logger)", async () => {
    // Prepare: the handlers' module-scope client, built from its settings
    simulator.configure({ plan: 'free', quotas: { perSecond: 100, perMinute: 100, perDay: 1 } });
    const lines: string[] = [];
    const capture = (chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    };
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    try {
      const handlersClient = alphaVantageClient(
        {
          baseUrl: simulator.url,
          timeoutMs: 5_000,
          maxAttempts: 1,
          quota: { table: quotaTable, requestsPerMinute: 100, requestsPerDay: null },
        },
        { region: undefined, localApiKey: API_KEY, reportFailureCauses: false, simulatedTimeAhead: false },
        await createObservability({ serviceName: 'horton-limit-log-test', tracing: false }),
        DynamoDBDocumentClient.from(dynamo),
      );
      await handlersClient.globalQuote('IBM');

      // Act
      await failure(handlersClient.globalQuote('IBM'));
    } finally {
      out.mockRestore();
      err.mockRestore();
    }

    // Assess: the line names the function and carries AlphaVantage's own text
    const limitLines = lines
      .flatMap((chunk) => chunk.split('\n'))
      .filter((line) => line.includes('AlphaVantage limit reached'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(limitLines).toHaveLength(1);
    expect(limitLines[0]).toMatchObject({ function: 'GLOBAL_QUOTE' });
    expect(String(limitLines[0]?.answer)).toMatch(/rate limit|requests per day/i);
  });
});

describe('keep-alive', () => {
  let own: AlphaVantageSimulator | undefined;
  afterEach(async () => {
    await own?.close();
    own = undefined;
  });

  it("reuses fetch's keep-alive pool: 25 sequential calls open at most 2 TCP connections", async () => {
    // Prepare: a simulator of its own, so no earlier connection is counted; the production pool (fetch's global)
    own = await createAlphaVantageSimulator({ now: NOW });
    const pooled = new AlphaVantageClient(
      new AlphaVantageTransport({
        baseUrl: own.url,
        apiKey: async () => API_KEY,
        timeoutMs: 3_000,
        maxAttempts: 1,
      }),
    );
    const symbols = ['IBM', 'MSFT', 'AAPL', 'NVDA', 'AMZN'];
    const acceptedAfter: number[] = [];

    // Act
    for (let round = 0; round < 5; round += 1) {
      for (const symbol of symbols) {
        await pooled.globalQuote(symbol);
        acceptedAfter.push(own.stats().connections.accepted);
      }
    }

    // Assess: connections are reused, not opened per request. fetch's pool hands a socket back just after the
    // body has been read, so the call that follows at once may open a second socket; from then on the two are
    // reused.
    const stats = own.stats();
    expect(stats.requests.total).toBe(25);
    expect(stats.connections.accepted).toBeLessThanOrEqual(2);
    expect(acceptedAfter.at(-1)).toBe(acceptedAfter[2]);
  });
});

describe('retries in place', () => {
  it('retries HTTP 5xx and succeeds when the server recovers', async () => {
    // Prepare: two 503s, then normal answers
    simulator.setFaults([{ mode: 'http-error', count: 2 }]);

    // Act
    const quote = await client({ maxAttempts: 3 }).globalQuote('IBM');

    // Assess
    expect(quote.symbol).toBe('IBM');
    expect(simulator.stats().requests).toMatchObject({ total: 3, faults: 2 });
  });

  it('gives up after maxAttempts with a TransientError when 5xx persists', async () => {
    // Prepare
    simulator.setFaults([{ mode: 'http-error', status: 502 }]);

    // Act
    const error = await failure(client({ maxAttempts: 3 }).globalQuote('IBM'));

    // Assess
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).code).toBe('http-status');
    expect(error.message).toContain('HTTP 502');
    expect(simulator.stats().requests.total).toBe(3);
  });

  it('times out an unanswered request and succeeds on the next attempt', async () => {
    // Prepare: the first request is never answered
    simulator.setFaults([{ mode: 'timeout', count: 1 }]);
    const started = performance.now();

    // Act
    const quote = await client({ timeoutMs: 300, maxAttempts: 2 }).globalQuote('MSFT');

    // Assess
    const elapsed = performance.now() - started;
    expect(quote.symbol).toBe('MSFT');
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(3_000);
    expect(simulator.stats().requests.total).toBe(2);
  });

  it('fails with a TransientError, promptly, when every attempt times out', async () => {
    // Prepare
    simulator.setFaults([{ mode: 'timeout' }]);
    const started = performance.now();

    // Act
    const error = await failure(client({ timeoutMs: 200, maxAttempts: 2 }).globalQuote('AAPL'));

    // Assess
    const elapsed = performance.now() - started;
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).code).toBe('http-network');
    expect(simulator.stats().requests.total).toBe(2);
    expect(elapsed).toBeLessThan(2_000);
  });

  it('retries a cut-off JSON body and succeeds', async () => {
    // Prepare
    simulator.setFaults([{ mode: 'malformed-json', count: 1 }]);

    // Act
    const series = await client({ maxAttempts: 2 }).dailySeries('IBM', 'compact');

    // Assess
    expect(series.bars).toHaveLength(100);
    expect(simulator.stats().requests).toMatchObject({ total: 2, faults: 1 });
  });

  it('reports a body that stays malformed as a TransientError after maxAttempts', async () => {
    // Prepare
    simulator.setFaults([{ mode: 'malformed-json' }]);

    // Act
    const error = await failure(client({ maxAttempts: 3 }).overview('IBM'));

    // Assess
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).code).toBe('alphavantage-malformed');
    expect(simulator.stats().requests.total).toBe(3);
  });
});

describe('an empty {} answer', () => {
  it('is retried in place when it is transient, and the data of the next attempt is returned', async () => {
    // Prepare: one `{}` for a symbol that has data
    simulator.setFaults([{ mode: 'empty-json', count: 1 }]);

    // Act
    const overview = await client({ maxAttempts: 3 }).overview('IBM');

    // Assess
    expect(overview.symbol).toBe('IBM');
    expect(simulator.stats().requests).toMatchObject({ total: 2, faults: 1 });
  });

  it('is believed (PermanentError "no-data") once asked twice, however many attempts the transport has', async () => {
    // Act: AlphaVantage answers OVERVIEW for an unknown symbol with `{}`; one retry covers its transient `{}`
    const error = await failure(client({ maxAttempts: 3 }).overview('UNKNOWN'));

    // Assess
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as PermanentError).code).toBe('no-data');
    expect(error.message).toMatch(/OVERVIEW UNKNOWN: empty JSON object \{\}, 2 times/);
    expect(simulator.stats().requests.total).toBe(2);
  });
});

describe('answers that must not be retried in place', () => {
  it('waits in place for a minute limit, bounded, then defers with DeferredError "alphavantage-limit" (never a failure)', async () => {
    // Prepare: one request a minute, the first one spent; waits of 100 ms doubling, at most 300 ms in all
    simulator.configure({ quotas: { perMinute: 1 } });
    const limits: string[] = [];
    const limited = client({
      maxAttempts: 5,
      hooks: { onLimit: (fn) => limits.push(fn) },
      limitPolicy: { maxLimitWaitMs: 300, initialLimitWaitMs: 100 },
    });
    await limited.globalQuote('IBM');

    // Act
    const error = await failure(limited.globalQuote('IBM'));

    // Assess: the limit answer was tried again after the waits (not by the transport's 5 attempts), then given up
    expect(error).toBeInstanceOf(DeferredError);
    expect((error as DeferredError).code).toBe('alphavantage-limit');
    expect((error as DeferredError).retryAfterMs).toBeGreaterThan(0);
    expect(error.message).toContain('limit reached (');
    expect(error.message).not.toContain('(day)');
    const { total, limited: limitedCount } = simulator.stats().requests;
    expect(limitedCount).toBeGreaterThanOrEqual(2);
    expect(limitedCount).toBeLessThanOrEqual(3);
    expect(total).toBe(1 + limitedCount);
    expect(limits).toEqual(Array(limitedCount).fill('GLOBAL_QUOTE'));
  });

  it('fails a limit answer at once when no wait is allowed', async () => {
    // Prepare
    simulator.configure({ quotas: { perMinute: 1 } });
    const limited = client({ maxAttempts: 5 });
    await limited.globalQuote('IBM');

    // Act
    const error = await failure(limited.globalQuote('IBM'));

    // Assess: 2 requests in all
    expect((error as DeferredError).code).toBe('alphavantage-limit');
    expect(simulator.stats().requests).toMatchObject({ total: 2, limited: 1 });
  });

  it('recognises the free plan’s daily limit as a day-scoped limit', async () => {
    // Prepare
    simulator.configure({ plan: 'free', quotas: { perSecond: 100, perMinute: 100, perDay: 1 } });
    const limited = client({ maxAttempts: 4, limitPolicy: { maxLimitWaitMs: 60_000 } });
    await limited.globalQuote('IBM');

    // Act: even with a minute to wait, the daily limit fails at once (nothing frees up before midnight)
    const error = await failure(limited.dailySeries('IBM', 'compact'));

    // Assess
    expect(error).toBeInstanceOf(DeferredError);
    expect((error as DeferredError).code).toBe('alphavantage-limit');
    expect(error.message).toContain('(day)');
    expect((error as DeferredError).retryAfterMs).toBeGreaterThan(0);
    expect(simulator.stats().requests.total).toBe(2);
  });

  it('answers a premium-only request on the free plan with PermanentError "premium-only"', async () => {
    // Prepare
    simulator.configure({ plan: 'free' });

    // Act
    const error = await failure(client().dailySeries('IBM', 'full'));

    // Assess
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as PermanentError).code).toBe('premium-only');
    expect(simulator.stats().requests.total).toBe(1);
  });

  it.each([
    ['TIME_SERIES_DAILY', 'api-error', (c: AlphaVantageClient) => c.dailySeries('UNKNOWN', 'compact')],
    ['GLOBAL_QUOTE', 'no-data', (c: AlphaVantageClient) => c.globalQuote('UNKNOWN')],
    [
      'SMA',
      'api-error',
      (c: AlphaVantageClient) =>
        c.indicator('UNKNOWN', { function: 'SMA', interval: 'daily', timePeriod: 20, seriesType: 'close' }),
    ],
  ])('answers an unknown symbol on %s with PermanentError "%s", in one request', async (_fn, code, call) => {
    // Prepare
    const c = client();

    // Act
    const error = await failure(call(c));

    // Assess
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as PermanentError).code).toBe(code);
    expect(simulator.stats().requests.total).toBe(1);
  });

  it('answers a rejected API key with a PermanentError', async () => {
    // Prepare: a key the simulator does not accept
    const wrongKey = new AlphaVantageClient(
      new AlphaVantageTransport({
        baseUrl: simulator.url,
        apiKey: async () => 'HORTON-WRONG-KEY-0000',
        timeoutMs: 3_000,
        maxAttempts: 3,
        dispatcher: agent,
      }),
    );

    // Act
    const error = await failure(wrongKey.globalQuote('IBM'));

    // Assess
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as PermanentError).code).toBe('api-error');
    expect(error.message).not.toContain('HORTON-WRONG-KEY-0000');
  });
});

describe('HTTP statuses from a gateway', () => {
  let gateway: Server;
  let gatewayUrl: string;
  let statuses: number[] = [];
  let served = 0;

  beforeAll(async () => {
    // A stand-in for a proxy in front of AlphaVantage: answers the statuses queued by the test
    gateway = createServer((request, response) => {
      served += 1;
      const status = statuses.shift() ?? 200;
      response.writeHead(status, { 'content-type': 'text/plain' });
      response.end(status === 200 ? '{}' : `status ${status} for ${request.url}`);
    });
    gateway.listen(0, '127.0.0.1');
    await once(gateway, 'listening');
    gatewayUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    gateway.closeAllConnections();
    gateway.close();
  });
  beforeEach(() => {
    served = 0;
  });

  it('fails a 4xx other than 429 at once with a PermanentError', async () => {
    // Prepare
    statuses = [404];

    // Act
    const error = await failure(client({ baseUrl: gatewayUrl }).globalQuote('IBM'));

    // Assess
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as PermanentError).code).toBe('http-status');
    expect(served).toBe(1);
  });

  it('retries HTTP 429', async () => {
    // Prepare
    statuses = [429, 429, 429];

    // Act
    const error = await failure(client({ baseUrl: gatewayUrl, maxAttempts: 3 }).globalQuote('IBM'));

    // Assess
    expect(error).toBeInstanceOf(TransientError);
    expect(error.message).toContain('HTTP 429');
    expect(served).toBe(3);
  });

  it('reports a refused connection as a TransientError', async () => {
    // Prepare: a port nobody listens on any more
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    await once(closed, 'close');

    // Act
    const error = await failure(
      client({ baseUrl: `http://127.0.0.1:${port}`, maxAttempts: 2 }).globalQuote('IBM'),
    );

    // Assess
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).code).toBe('http-network');
  });
});

describe('the API key', () => {
  it('appears in no error message, string form, stack or serialisation', () => {
    // Prepare: every failure the tests above provoked
    const errors = seenErrors;

    // Act
    const texts = errors.flatMap((error) => [
      error.message,
      String(error),
      error.stack ?? '',
      JSON.stringify(error),
      String((error as { cause?: unknown }).cause ?? ''),
    ]);

    // Assess
    expect(errors.length).toBeGreaterThanOrEqual(12);
    expect(texts.filter((text) => text.includes(API_KEY))).toEqual([]);
    expect(texts.filter((text) => /apikey=(?!\*\*\*)/i.test(text))).toEqual([]);
  });
});
