/**
 * The simulator over real HTTP: an in-process server on port 0 per suite (closed afterwards), plus the
 * CLI (main.ts) as a child process stopped by pid. Covers quotas, premium and error answers, every
 * fault mode, the admin endpoints, the connection counter with and without keep-alive, apikey
 * redaction and fixture mode. Needs nothing from the shared local stack.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  classifyResponse,
  parseGlobalQuote,
  parseTimeSeriesDaily,
} from '../../functions/shared/alphavantage/index.ts';
import {
  type AlphaVantageSimulator,
  createAlphaVantageSimulator,
} from '../../localstack/simulator/server.ts';
import { ALPHAVANTAGE_FIXTURES_DIR } from '../support/fixtures.ts';

const NOW = '2026-05-17T12:00:00Z';
const API_KEY = 'it-secret-key-4242';

interface Reply {
  status: number;
  body: string;
  contentType: string | undefined;
  /** The simulator's marker header, X-Horton-Simulator. */
  simulated?: string | undefined;
}

/** GET with an explicit agent: `false` opens a new connection per request. */
function get(url: string, agent: http.Agent | false = false, timeoutMs = 10_000): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent, timeout: timeoutMs }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          body,
          contentType: response.headers['content-type'],
          simulated: response.headers['x-horton-simulator'] as string | undefined,
        }),
      );
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error('client timeout')));
    request.on('error', reject);
  });
}

async function post(url: string, value: unknown): Promise<Reply> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(value),
  });
  return {
    status: response.status,
    body: await response.text(),
    contentType: response.headers.get('content-type') ?? undefined,
  };
}

const queryUrl = (simulator: AlphaVantageSimulator, params: Record<string, string>, apikey = API_KEY) =>
  `${simulator.url}/query?${new URLSearchParams({ ...params, apikey })}`;

describe('simulator over HTTP', () => {
  let simulator: AlphaVantageSimulator;
  const logLines: string[] = [];

  beforeAll(async () => {
    simulator = await createAlphaVantageSimulator({
      now: NOW,
      faultSeed: 3,
      log: (line) => logLines.push(JSON.stringify(line)),
    });
  });
  afterAll(async () => {
    await simulator.close();
  });
  afterEach(async () => {
    await post(`${simulator.url}/__simulator/reset`, {});
  });

  it('answers /health with 200 and /query with AlphaVantage data', async () => {
    expect((await get(`${simulator.url}/health`)).status).toBe(200);
    const reply = await get(queryUrl(simulator, { function: 'GLOBAL_QUOTE', symbol: 'IBM' }));
    expect(reply.status).toBe(200);
    expect(reply.contentType).toBe('application/json');
    expect(parseGlobalQuote(reply.body).latestTradingDay).toBe('2026-05-15');
  });

  it('marks every response as simulated with X-Horton-Simulator: 1', async () => {
    simulator.configure({ plan: 'free', quotas: { perSecond: 100, perMinute: 100, perDay: 2 } });
    const replies = {
      health: await get(`${simulator.url}/health`),
      data: await get(queryUrl(simulator, { function: 'GLOBAL_QUOTE', symbol: 'IBM' })),
      unknownSymbol: await get(queryUrl(simulator, { function: 'GLOBAL_QUOTE', symbol: 'ZZZZ' })),
      limit: await get(queryUrl(simulator, { function: 'GLOBAL_QUOTE', symbol: 'MSFT' })),
      missingKey: await get(`${simulator.url}/query?function=GLOBAL_QUOTE&symbol=IBM`),
      admin: await get(`${simulator.url}/__simulator/stats`),
      notFound: await get(`${simulator.url}/nowhere`),
    };
    expect(JSON.parse(replies.unknownSymbol.body)).toEqual({ 'Global Quote': {} });
    expect(JSON.parse(replies.limit.body).Information).toMatch(/requests per day/);
    for (const [name, reply] of Object.entries(replies)) expect(reply.simulated, name).toBe('1');
  });

  it('rejects a missing apikey with the real message, still HTTP 200', async () => {
    const reply = await get(`${simulator.url}/query?function=GLOBAL_QUOTE&symbol=IBM`);
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)['Error Message']).toMatch(/^the parameter apikey is invalid or missing/);
    expect(classifyResponse(reply.body, 'GLOBAL_QUOTE')).toMatchObject({
      kind: 'error',
      reason: 'invalid-api-key',
    });
  });

  it('counts requests per function and symbol, and never logs or reports the apikey', async () => {
    // Act
    for (const symbol of ['IBM', 'IBM', 'MSFT'])
      await get(queryUrl(simulator, { function: 'GLOBAL_QUOTE', symbol }));
    await get(queryUrl(simulator, { function: 'OVERVIEW', symbol: 'IBM' }));
    const statsReply = await get(`${simulator.url}/__simulator/stats`);
    // Assess
    const stats = JSON.parse(statsReply.body);
    expect(stats.requests.total).toBe(4);
    expect(stats.requests.byFunction).toEqual({ GLOBAL_QUOTE: 3, OVERVIEW: 1 });
    expect(stats.requests.bySymbol).toEqual({ IBM: 3, MSFT: 1 });
    expect(stats.requests.byOutcome.data).toBe(4);
    expect(simulator.stats().requests.total).toBe(4);
    expect(logLines.length).toBeGreaterThanOrEqual(4);
    expect(logLines.some((line) => line.includes('apikey=***'))).toBe(true);
    expect([...logLines, statsReply.body].some((text) => text.includes(API_KEY))).toBe(false);
  });

  describe('quotas', () => {
    it('free plan: the burst "Information" after 1 request per second, the daily one after 25', async () => {
      // Prepare: a free-plan simulator whose quota clock the test moves.
      let clock = Date.parse('2026-05-15T14:00:00Z');
      const free = await createAlphaVantageSimulator({ now: NOW, plan: 'free', quotaClock: () => clock });
      try {
        const quote = () => get(queryUrl(free, { function: 'GLOBAL_QUOTE', symbol: 'IBM' }));
        // Act + Assess: burst
        expect(classifyResponse((await quote()).body, 'GLOBAL_QUOTE').kind).toBe('data');
        const burst = await quote();
        expect(burst.status).toBe(200);
        expect(JSON.parse(burst.body).Information).toMatch(/\(1 request per second\)/);
        expect(classifyResponse(burst.body, 'GLOBAL_QUOTE')).toMatchObject({ kind: 'limit', scope: 'burst' });
        // Act + Assess: 24 more requests spread out, then the daily limit.
        for (let index = 0; index < 24; index += 1) {
          clock += 61_000;
          expect(classifyResponse((await quote()).body, 'GLOBAL_QUOTE').kind, `request ${index + 2}`).toBe(
            'data',
          );
        }
        clock += 61_000;
        const daily = await quote();
        expect(JSON.parse(daily.body).Information).toMatch(/\(25 requests per day\) and instantly unlock/);
        expect(classifyResponse(daily.body, 'GLOBAL_QUOTE')).toMatchObject({ kind: 'limit', scope: 'day' });
        expect(free.stats().requests.limited).toBe(2);
        expect(free.stats().requests.limitedByWindow).toEqual({ second: 1, minute: 0, day: 1 });
      } finally {
        await free.close();
      }
    });

    it('free plan: outputsize=full gets the premium answer; switching plans at runtime lifts it', async () => {
      const full = { function: 'TIME_SERIES_DAILY', symbol: 'IBM', outputsize: 'full' };
      expect((await post(`${simulator.url}/__simulator/config`, { plan: 'free' })).status).toBe(200);
      expect(
        classifyResponse((await get(queryUrl(simulator, full))).body, 'TIME_SERIES_DAILY'),
      ).toMatchObject({ kind: 'premium' });
      await post(`${simulator.url}/__simulator/config`, { plan: 'premium75' });
      expect(parseTimeSeriesDaily((await get(queryUrl(simulator, full))).body).bars.length).toBeGreaterThan(
        6000,
      );
    });

    it('premium plan: the call-volume "Information" past its per-minute quota', async () => {
      await post(`${simulator.url}/__simulator/config`, { plan: 'premium75', quotas: { perMinute: 3 } });
      const replies: Reply[] = [];
      for (let index = 0; index < 4; index += 1)
        replies.push(await get(queryUrl(simulator, { function: 'GLOBAL_QUOTE', symbol: 'IBM' })));
      expect(
        replies.slice(0, 3).every((reply) => classifyResponse(reply.body, 'GLOBAL_QUOTE').kind === 'data'),
      ).toBe(true);
      expect(JSON.parse(replies[3]?.body ?? '{}')).toEqual({
        Information:
          'Thank you for using Alpha Vantage! Please visit https://www.alphavantage.co/premium/ if you would like to have a higher API call volume.',
      });
    });
  });

  describe('faults', () => {
    const quote = { function: 'GLOBAL_QUOTE', symbol: 'IBM' };

    it('http-error: 5xx with an HTML body, for the next N requests only', async () => {
      await post(`${simulator.url}/__simulator/faults`, {
        faults: [{ mode: 'http-error', count: 2, status: 502 }],
      });
      const replies = [
        await get(queryUrl(simulator, quote)),
        await get(queryUrl(simulator, quote)),
        await get(queryUrl(simulator, quote)),
      ];
      expect(replies.map((reply) => reply.status)).toEqual([502, 502, 200]);
      expect(replies[0]?.contentType).toBe('text/html');
      expect(simulator.stats().requests.faultsByMode['http-error']).toBe(2);
    });

    it("limit: the plan's per-minute limit answer, as another client on the key causes, spending no quota", async () => {
      await post(`${simulator.url}/__simulator/config`, { plan: 'premium75', quotas: { perMinute: 1 } });
      await post(`${simulator.url}/__simulator/faults`, [{ mode: 'limit', count: 1 }]);
      const limited = await get(queryUrl(simulator, quote));
      const answered = await get(queryUrl(simulator, quote));
      expect(classifyResponse(limited.body, 'GLOBAL_QUOTE')).toMatchObject({
        kind: 'limit',
        scope: 'unknown',
      });
      // The quota of 1 a minute was still free for the next request.
      expect(classifyResponse(answered.body, 'GLOBAL_QUOTE').kind).toBe('data');
      expect(simulator.stats().requests).toMatchObject({ limited: 1, faultsByMode: { limit: 1 } });
    });

    it('delay: answers normally, late', async () => {
      await post(`${simulator.url}/__simulator/faults`, [{ mode: 'delay', delayMs: 400 }]);
      const started = performance.now();
      const reply = await get(queryUrl(simulator, quote));
      expect(performance.now() - started).toBeGreaterThanOrEqual(390);
      expect(parseGlobalQuote(reply.body).symbol).toBe('IBM');
    });

    it('timeout: holds the connection until the client gives up', async () => {
      await post(`${simulator.url}/__simulator/faults`, [{ mode: 'timeout', count: 1 }]);
      const started = performance.now();
      await expect(get(queryUrl(simulator, quote), false, 500)).rejects.toThrow(/client timeout/);
      expect(performance.now() - started).toBeGreaterThanOrEqual(450);
      expect(simulator.stats().requests.faultsByMode.timeout).toBe(1);
      expect((await get(queryUrl(simulator, quote))).status).toBe(200);
    });

    it('malformed-json: a cut-off body that the classifier calls malformed (retryable)', async () => {
      await post(`${simulator.url}/__simulator/faults`, [{ mode: 'malformed-json', count: 1 }]);
      const reply = await get(queryUrl(simulator, quote));
      expect(reply.status).toBe(200);
      expect(() => JSON.parse(reply.body)).toThrow();
      expect(classifyResponse(reply.body, 'GLOBAL_QUOTE')).toMatchObject({
        kind: 'malformed',
        retryable: true,
      });
    });

    it('empty-json: `{}` only for the given symbols', async () => {
      await post(`${simulator.url}/__simulator/faults`, [{ mode: 'empty-json', symbols: ['MSFT'] }]);
      expect((await get(queryUrl(simulator, { function: 'GLOBAL_QUOTE', symbol: 'MSFT' }))).body).toBe('{}');
      expect(classifyResponse((await get(queryUrl(simulator, quote))).body, 'GLOBAL_QUOTE').kind).toBe(
        'data',
      );
    });

    it('probability: the same seeded requests fail again after a reset', async () => {
      const run = async () => {
        await post(`${simulator.url}/__simulator/faults`, [{ mode: 'http-error', probability: 0.3 }]);
        const statuses: number[] = [];
        for (let index = 0; index < 30; index += 1)
          statuses.push((await get(queryUrl(simulator, quote))).status);
        return statuses;
      };
      const first = await run();
      await post(`${simulator.url}/__simulator/reset`, {});
      const second = await run();
      expect(second).toEqual(first);
      expect(first.filter((status) => status === 503).length).toBeGreaterThan(2);
      expect(first.filter((status) => status === 200).length).toBeGreaterThan(10);
    });

    it('rejects an invalid fault rule with 400 and lists and clears rules', async () => {
      expect((await post(`${simulator.url}/__simulator/faults`, [{ mode: 'explode' }])).status).toBe(400);
      await post(`${simulator.url}/__simulator/faults`, [{ mode: 'delay', count: 5 }]);
      expect(JSON.parse((await get(`${simulator.url}/__simulator/faults`)).body).faults).toEqual([
        { mode: 'delay', count: 5, remaining: 5 },
      ]);
      const cleared = await fetch(`${simulator.url}/__simulator/faults`, { method: 'DELETE' });
      expect(await cleared.json()).toEqual({ faults: [] });
    });
  });

  describe('connection counter', () => {
    it('counts one TCP connection for 10 requests on a keep-alive agent, 10 without', async () => {
      // Prepare
      await post(`${simulator.url}/__simulator/reset`, {});
      const before = simulator.stats().connections.accepted;
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      try {
        // Act: keep-alive
        for (let index = 0; index < 10; index += 1)
          await get(queryUrl(simulator, { function: 'GLOBAL_QUOTE', symbol: 'IBM' }), agent);
        const withKeepAlive = simulator.stats().connections.accepted - before;
        // Act: a new connection per request
        for (let index = 0; index < 10; index += 1)
          await get(queryUrl(simulator, { function: 'GLOBAL_QUOTE', symbol: 'IBM' }), false);
        const withoutKeepAlive = simulator.stats().connections.accepted - before - withKeepAlive;
        // Assess
        expect(withKeepAlive).toBe(1);
        expect(withoutKeepAlive).toBe(10);
        const viaHttp = JSON.parse((await get(`${simulator.url}/__simulator/stats`, agent)).body);
        expect(viaHttp.connections.accepted).toBe(simulator.stats().connections.accepted);
      } finally {
        agent.destroy();
      }
    });
  });
});

const fixturesDir = ALPHAVANTAGE_FIXTURES_DIR;

describe('fixture mode over HTTP', () => {
  it('serves the recorded response when one matches, synthetic data otherwise', async () => {
    const simulator = await createAlphaVantageSimulator({ now: NOW, fixturesDir });
    try {
      const recorded = await get(queryUrl(simulator, { function: 'TIME_SERIES_DAILY', symbol: 'IBM' }));
      expect(parseTimeSeriesDaily(recorded.body).meta?.lastRefreshed).toBe('2024-09-05');
      const csv = await get(queryUrl(simulator, { function: 'LISTING_STATUS' }));
      expect(csv.contentType).toBe('application/x-download');
      expect(csv.body.split('\n').length).toBeGreaterThan(13_000);
      const synthetic = await get(queryUrl(simulator, { function: 'TIME_SERIES_DAILY', symbol: 'AMZN' }));
      expect(parseTimeSeriesDaily(synthetic.body).meta?.lastRefreshed).toBe('2026-05-15');
    } finally {
      await simulator.close();
    }
  });
});

describe('main.ts CLI as a managed process', () => {
  let child: ChildProcess | undefined;

  afterAll(() => {
    // Safety net only: the test itself stops the process by pid.
    if (child?.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
  });

  it('prints its URL once listening, serves /health and /query, and exits 0 on SIGTERM', async () => {
    // Prepare
    const started = performance.now();
    child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'localstack/simulator/main.ts',
        '--port',
        '0',
        '--now',
        NOW,
        '--plan',
        'free',
        '--log-requests',
      ],
      { cwd: new URL('../..', import.meta.url).pathname, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    const output: string[] = [];
    const firstLine = await new Promise<string>((resolve, reject) => {
      lines.on('line', (line) => {
        output.push(line);
        if (output.length === 1) resolve(line);
      });
      child?.once('exit', (code) => reject(new Error(`simulator exited early with ${code}`)));
    });
    const announced = JSON.parse(firstLine) as { url: string; pid: number };
    const startupMs = performance.now() - started;
    // Act
    const health = await get(`${announced.url}/health`);
    const quote = await get(`${announced.url}/query?function=GLOBAL_QUOTE&symbol=IBM&apikey=${API_KEY}`);
    const full = await get(
      `${announced.url}/query?function=TIME_SERIES_DAILY&symbol=IBM&outputsize=full&apikey=other-key`,
    );
    const exited = once(child, 'exit');
    process.kill(announced.pid, 'SIGTERM');
    const [code] = await exited;
    // Assess
    expect(announced.pid).toBe(child.pid);
    expect(health.status).toBe(200);
    expect(parseGlobalQuote(quote.body).latestTradingDay).toBe('2026-05-15');
    expect(classifyResponse(full.body, 'TIME_SERIES_DAILY').kind).toBe('premium');
    expect(code).toBe(0);
    expect(output.join('\n')).toContain('apikey=***');
    expect(output.join('\n')).not.toContain(API_KEY);
    console.info(`[simulator-http] CLI listening after ${startupMs.toFixed(0)} ms`);
  });
});
