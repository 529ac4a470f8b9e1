/**
 * `npm run bench -- quota`: the AlphaVantage budget under real concurrency. On the local stack (Kafka broker,
 * AWS emulator) with the real handlers behind local event source mappings, every topic with 4 partitions (so 4
 * concurrent invocations per handler), against the simulator enforcing a per-minute quota as a sliding window:
 *   (a) a quote refresh of 1,000 synthetic securities (1,000 collect-quote commands, the quote handler alone);
 *   (b) a full collection cycle of 40 symbols (11 calls a symbol, every handler: the five default indicators are
 *       fetched here, as before computed ones existed, so every dataset calls through the limiter).
 * Per scenario: requests sent, useful calls (distinct requests answered with data), limit answers, redundant
 * calls (data answers for a request already answered), TCP connections per call, and quota utilisation =
 * useful calls / (rate x elapsed time from the first call to the last). Ends with one JSON line.
 *
 * BENCH_QUOTA_RATE sets the per-minute rate of both the plan and the simulator's quota: one of AlphaVantage's
 * premium plans (75, 150, 300, 600, 1200), default 300. The figure measured is the limiter's pacing, so the rate
 * must be one the local stack can serve: on a 2-core machine the emulator (moto, one Python process) serves the
 * quote handler about 13 records a second (~800/min), below the 1200/min plan, where utilisation would measure
 * the emulator instead.
 * Runs on its own local stack ports unless HORTON_* port variables say otherwise.
 */
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { Publisher } from '../../functions/shared/kafka/producer.ts';
import { ensureTables, localAwsEnvironment } from '../../localstack/aws-resources.ts';
import { startPipeline } from '../../localstack/runner/pipeline.ts';
import { createAlphaVantageSimulator, type PlanName } from '../../localstack/simulator/index.ts';
import { downLocalStack, resolveLocalStackOptions, upLocalStack } from '../../localstack/stack/index.ts';
import { ALPHAVANTAGE_PLANS, type AlphaVantagePlan, resolveConfig } from '../../model/config.ts';
import type { CollectQuote } from '../../model/messages.ts';
import { LOCAL_API_KEY_VARIABLE } from '../../model/settings.ts';

const RATE = Number(process.env.BENCH_QUOTA_RATE ?? 300);
const PLAN = `premium${RATE}`;
const QUOTE_SECURITIES = Number(process.env.BENCH_QUOTA_SECURITIES ?? 1000);
const CYCLE_SYMBOLS = Number(process.env.BENCH_QUOTA_SYMBOLS ?? 40);
const PARTITIONS = Number(process.env.BENCH_QUOTA_PARTITIONS ?? 4);
const CALLS_PER_SYMBOL = 11;
/**
 * After the close on a Friday. A 2007 clock keeps the premium plan's full histories to ~1,900 bars a symbol (the
 * simulator's history starts in 1999): the cycle measures calls, not the emulator writing 26 years of bars.
 */
const SIMULATOR_NOW = new Date('2007-06-15T21:00:00Z');

interface RequestLine {
  at: number;
  url: string;
  outcome: string;
}

interface ScenarioFigures {
  scenario: string;
  requests: number;
  usefulCalls: number;
  expectedCalls: number;
  limitAnswers: number;
  redundantCalls: number;
  connectionsPerCall: number;
  utilisation: number;
  elapsedSeconds: number;
}

/**
 * Upper-case letters only: valid tickers the simulator generates data for (with `anySymbol`). Each scenario has its own first
 * letter: a cycle's quote of a symbol quoted since the close would rightly cost no call.
 */
function symbolName(first: 'Q' | 'C', index: number): string {
  let name = '';
  let rest = index;
  for (let position = 0; position < 4; position += 1) {
    name = String.fromCharCode(65 + (rest % 26)) + name;
    rest = Math.floor(rest / 26);
  }
  return `${first}${name}`;
}

function figures(
  scenario: string,
  lines: RequestLine[],
  expectedCalls: number,
  connections: number,
): ScenarioFigures {
  const data = lines.filter((line) => line.outcome === 'data');
  const distinct = new Set(data.map((line) => line.url));
  const first = lines[0]?.at ?? 0;
  const last = lines.at(-1)?.at ?? 0;
  const elapsedMinutes = Math.max(last - first, 1) / 60_000;
  return {
    scenario,
    requests: lines.length,
    usefulCalls: distinct.size,
    expectedCalls,
    limitAnswers: lines.filter((line) => line.outcome === 'limit').length,
    redundantCalls: data.length - distinct.size,
    connectionsPerCall: Math.round((connections / Math.max(lines.length, 1)) * 10_000) / 10_000,
    utilisation: Math.round((distinct.size / (RATE * elapsedMinutes)) * 1000) / 1000,
    elapsedSeconds: Math.round((last - first) / 100) / 10,
  };
}

const out = (text: string) => process.stdout.write(`${text}\n`);

function report(result: ScenarioFigures | undefined): void {
  if (!result) return;
  out(
    `  ${result.scenario}: ${result.requests} requests, ${result.usefulCalls}/${result.expectedCalls} useful, ` +
      `${result.limitAnswers} limit answers, ${result.redundantCalls} redundant, ` +
      `${result.connectionsPerCall} connections/call, utilisation ${result.utilisation} over ${result.elapsedSeconds} s`,
  );
}

export async function quotaBenchmark(): Promise<void> {
  if (!(PLAN in ALPHAVANTAGE_PLANS)) {
    process.stderr.write(
      `BENCH_QUOTA_RATE=${process.env.BENCH_QUOTA_RATE}: not a premium plan's rate (75, 150, 300, 600, 1200)\n`,
    );
    process.exit(2);
  }
  const stackOptions = resolveLocalStackOptions({ simulator: false, log: () => {} });
  const stack = await upLocalStack(stackOptions);
  const lines: RequestLine[] = [];
  const simulator = await createAlphaVantageSimulator({
    port: 0,
    now: SIMULATOR_NOW,
    plan: PLAN as PlanName,
    quotas: { perMinute: RATE },
    // The scenarios quote up to thousands of generated tickers, more than the simulator's universe lists.
    anySymbol: true,
    log: (line) => lines.push({ at: Date.now(), url: String(line.url), outcome: String(line.outcome) }),
  });
  const prefix = `bench-${randomBytes(3).toString('hex')}`;
  const watchlist = Array.from({ length: CYCLE_SYMBOLS }, (_, index) => symbolName('C', index * 7 + 3));
  const config = resolveConfig({
    prefix,
    alphaVantage: { plan: PLAN as AlphaVantagePlan, baseUrl: simulator.url },
    universe: { watchlist },
    indicators: resolveConfig({}).indicators.map((indicator) => ({ ...indicator, source: 'alphavantage' })),
    topics: {
      securities: { partitions: 1 },
      overview: { partitions: PARTITIONS },
      history: { partitions: PARTITIONS },
      quote: { partitions: PARTITIONS },
      indicators: { partitions: PARTITIONS },
      deadLetter: { partitions: 1 },
    },
  });
  const { endpoints } = stack;
  const target = { endpoint: endpoints.awsEndpoint, region: endpoints.awsRegion };
  const kafka = new Kafka({
    clientId: `${prefix}-bench`,
    brokers: endpoints.kafkaBrokers,
    logLevel: logLevel.NOTHING,
  });
  const publisher = new Publisher(kafka);
  const results: ScenarioFigures[] = [];
  let pipeline: Awaited<ReturnType<typeof startPipeline>> | undefined;
  try {
    await ensureTables(config, target);
    pipeline = await startPipeline({
      config,
      brokers: endpoints.kafkaBrokers,
      env: {
        ...localAwsEnvironment(target),
        [LOCAL_API_KEY_VARIABLE]: 'horton-bench-key',
        POWERTOOLS_METRICS_DISABLED: 'true',
        POWERTOOLS_TRACE_ENABLED: 'false',
        POWERTOOLS_LOG_LEVEL: 'SILENT',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: '1',
      },
      log: { info: () => {}, warn: () => {}, error: (message) => out(`  ! ${message}`) },
    });
    const running = pipeline;

    // (a) quote refresh of the synthetic securities
    out(
      `quota (a): quote refresh of ${QUOTE_SECURITIES} securities at ${RATE}/min, ${PARTITIONS} partitions`,
    );
    let before = simulator.stats().connections.accepted;
    const issuedAt = new Date().toISOString();
    const commands: CollectQuote[] = Array.from({ length: QUOTE_SECURITIES }, (_, index) => ({
      type: 'collect-quote',
      v: 1,
      commandId: `bench-quote-${prefix}-${index}`,
      correlationId: `bench-${prefix}`,
      issuedAt,
      symbol: symbolName('Q', index),
    }));
    await publisher.publishCommands(config.topics.quote.name, commands);
    await running.waitUntilIdle({ timeoutMs: 900_000 });
    results.push(
      figures(
        'quote-refresh',
        lines.splice(0),
        QUOTE_SECURITIES,
        simulator.stats().connections.accepted - before,
      ),
    );
    report(results.at(-1));

    // (b) full cycle of the watchlist
    out(`quota (b): full cycle of ${CYCLE_SYMBOLS} symbols at ${RATE}/min`);
    before = simulator.stats().connections.accepted;
    const scheduler = running.scheduler;
    if (!scheduler) throw new Error('the dispatcher is not part of the pipeline');
    await scheduler.fireNow('universe');
    await running.waitUntilIdle({ timeoutMs: 600_000 });
    for (const job of ['overview', 'history', 'quote', 'indicators'] as const) await scheduler.fireNow(job);
    await running.waitUntilIdle({ timeoutMs: 900_000 });
    results.push(
      figures(
        'full-cycle',
        lines.splice(0),
        CYCLE_SYMBOLS * CALLS_PER_SYMBOL,
        simulator.stats().connections.accepted - before,
      ),
    );
    report(results.at(-1));
  } finally {
    await pipeline?.stop();
    await publisher.disconnect();
    await simulator.close();
    if (!stack.alreadyRunning) await downLocalStack(stackOptions);
  }
  out(JSON.stringify({ benchmark: 'quota', rate: RATE, partitions: PARTITIONS, scenarios: results }));
}
