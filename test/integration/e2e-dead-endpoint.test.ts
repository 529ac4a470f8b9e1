/**
 * End to end, every call failing (issue 18, "every stop says why"): AlphaVantage's address is a port nobody
 * listens on, so every call of the one-shot cycle (`npm start`'s, localstack/cycle.ts) fails to connect. The
 * cycle must end with one line naming the cause and the endpoint (npm start prints it and exits 1), and the
 * runner's retry lines must say which handler, partition and offset they retry, and why.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  E2E_API_KEY,
  type E2eEnvironment,
  type MeasuredCycle,
  measuredCycle,
  startE2e,
} from '../support/e2e-harness.ts';

const SIMULATOR_NOW = new Date('2026-12-04T15:00:00Z');

/** A port that was free a moment ago: nothing listens on it. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('e2e: AlphaVantage unreachable, every call fails', () => {
  let environment: E2eEnvironment | undefined;
  const env = () => environment as E2eEnvironment;
  let port = 0;
  let cycle: MeasuredCycle;

  beforeAll(async () => {
    port = await deadPort();
    environment = await startE2e({
      endpoints: inject('localStack'),
      name: 'deadend',
      alphaVantageBaseUrl: `http://127.0.0.1:${port}`,
      config: {
        universe: { watchlist: ['IBM', 'MSFT'] },
        indicators: [{ function: 'SMA', interval: 'daily', timePeriod: 20, seriesType: 'close' }],
        alphaVantage: { maxAttempts: 1 },
      },
      simulator: { now: SIMULATOR_NOW },
    });
    cycle = await measuredCycle(env(), SIMULATOR_NOW, 240_000);
  }, 300_000);

  afterAll(async () => {
    await environment?.stop();
  });

  it('ends with one line naming the cause and the endpoint, never the key', () => {
    const failure = cycle.result.failure ?? '';
    expect(failure).toMatch(/^Nothing could be stored: .*ECONNREFUSED/);
    expect(failure).toContain(`(AlphaVantage at http://127.0.0.1:${port})`);
    expect(failure).not.toContain('\n');
    expect(failure).not.toContain(E2E_API_KEY);
  });

  it('says in each retry line which handler, partition and offset it retries, and why', () => {
    const retries = env().runnerLog.filter((line) => line.message.includes('will retry'));
    expect(retries.length).toBeGreaterThan(0);
    for (const line of retries) {
      expect(line.message).toMatch(
        /^\S+-(quote|history|overview): invocation failed at \S+-\d+ offset \d+; will retry \(\d+ of \d+\): .*ECONNREFUSED/,
      );
    }
  });
});
