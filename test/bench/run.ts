/**
 * `npm run bench`: benchmarks, reported as ratios measured in one run (absolute times on shared 2-core machines
 * are noise). Each benchmark starts what it needs in-process and stops it.
 *
 * alphavantage-keep-alive: the same sequence of GLOBAL_QUOTE calls through Horton's AlphaVantage client, once
 * with the execution environment's keep-alive pool and once with a fresh connection per call. Reports the time
 * ratio and the TCP connections the simulator accepted, the figure that proves the pool is reused.
 *
 * handlers: bundle sizes, cold import times against a minimal baseline bundle, per-record throughput (handlers.ts).
 *
 * fan-out-publish: see fan-out.ts.
 *
 * quota: the shared AlphaVantage limiter under 4 concurrent handler instances per topic (quota.ts; targets:
 * utilisation >= 0.97, no limit answer, no redundant call, <= 0.01 connections per call).
 *
 * emulator-restart: the AWS emulator's time to ready with 300,000 items, from its journal and from its snapshot,
 * and its stop within the grace period (emulator-restart.ts; target: ready in under 20 s from the snapshot).
 *
 * real-day: `npm start -- --live` as a new user runs it: the free plan's first day, a dead endpoint, a daily-limit
 * answer on a premium plan (real-day.ts; targets: well under 10 min, under 3 min, under 5 min).
 *
 * `npm run bench -- <name>` runs one; no name runs them all.
 */
import { Agent } from 'undici';
import { AlphaVantageClient } from '../../functions/shared/alphavantage/client.ts';
import { AlphaVantageTransport } from '../../functions/shared/alphavantage/http.ts';
import { createAlphaVantageSimulator } from '../../localstack/simulator/index.ts';
import { emulatorRestartBenchmark } from './emulator-restart.ts';
import { fanOutBenchmark } from './fan-out.ts';
import { handlersBenchmark } from './handlers.ts';
import { quotaBenchmark } from './quota.ts';
import { realDayBenchmark } from './real-day.ts';

const CALLS = Number(process.env.BENCH_CALLS ?? 400);
const SYMBOLS = ['IBM', 'MSFT', 'AAPL', 'NVDA', 'AMZN'];

async function run(label: string, baseUrl: string, fresh: boolean, accepted: () => number) {
  const before = accepted();
  const pooled = new Agent({ keepAliveTimeout: 30_000, connections: 1 });
  const started = performance.now();
  for (let index = 0; index < CALLS; index += 1) {
    const dispatcher = fresh ? new Agent({ pipelining: 0 }) : pooled;
    const client = new AlphaVantageClient(
      new AlphaVantageTransport({
        baseUrl,
        apiKey: async () => 'bench-key',
        timeoutMs: 5_000,
        maxAttempts: 1,
        dispatcher,
      }),
    );
    await client.globalQuote(SYMBOLS[index % SYMBOLS.length] ?? 'IBM');
    if (fresh) await dispatcher.close();
  }
  const elapsedMs = performance.now() - started;
  await pooled.close();
  return { label, elapsedMs, connections: accepted() - before };
}

async function keepAliveBenchmark() {
  const simulator = await createAlphaVantageSimulator({ port: 0, now: new Date('2026-11-20T21:00:00Z') });
  try {
    const accepted = () => simulator.stats().connections.accepted;
    // Warm-up: generate each symbol's series once so both runs measure the transport, not the generator.
    await run('warm-up', simulator.url, false, accepted);
    const pooled = await run('keep-alive pool', simulator.url, false, accepted);
    const fresh = await run('new connection per call', simulator.url, true, accepted);
    process.stdout.write(
      `alphavantage-keep-alive (${CALLS} GLOBAL_QUOTE calls)\n` +
        `  ${pooled.label}: ${pooled.connections} TCP connection(s)\n` +
        `  ${fresh.label}: ${fresh.connections} TCP connections\n` +
        `  time ratio fresh/pooled: ${(fresh.elapsedMs / pooled.elapsedMs).toFixed(2)}x\n`,
    );
    if (pooled.connections !== 1)
      throw new Error(`keep-alive pool opened ${pooled.connections} connections, expected 1`);
  } finally {
    await simulator.close();
  }
}

const BENCHMARKS: Record<string, () => Promise<void>> = {
  'alphavantage-keep-alive': keepAliveBenchmark,
  handlers: handlersBenchmark,
  'fan-out-publish': fanOutBenchmark,
  quota: quotaBenchmark,
  'emulator-restart': emulatorRestartBenchmark,
  'real-day': realDayBenchmark,
};

const selected = process.argv.slice(2);
const unknown = selected.filter((name) => !(name in BENCHMARKS));
if (unknown.length > 0) {
  process.stderr.write(
    `unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(BENCHMARKS).join(', ')}\n`,
  );
  process.exit(2);
}
for (const name of selected.length > 0 ? selected : Object.keys(BENCHMARKS)) await BENCHMARKS[name]?.();
// Handler modules keep Kafka producers for the life of the process (an execution environment): end it here.
process.exit(0);
