/**
 * `npm run bench -- handlers`: what a handler costs before it does any work, and per record.
 *
 * - bundle sizes: every handler of the catalogue bundled as the stack bundles it (esbuild, same options), plus a
 *   minimal kafkajs + lib-dynamodb handler as the baseline (baseline-handler.ts);
 * - cold import: each bundle imported in a fresh Node process with the function's NODE_OPTIONS and settings,
 *   median of 10, interleaved so machine noise hits every bundle alike; reported as a ratio to the baseline;
 * - throughput: the quote handler (middy, Powertools, record decoding, the AlphaVantage client's response
 *   parsing, the rolling-average logic) over MSK events with stubbed I/O, against a raw loop that only decodes
 *   and validates the same records; and parsing a full daily series against JSON.parse of the same body.
 *
 * Ends with one JSON line of figures.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { collectQuote } from '../../functions/quote/collect.ts';
import { AlphaVantageClient } from '../../functions/shared/alphavantage/client.ts';
import type { AlphaVantageTransport } from '../../functions/shared/alphavantage/http.ts';
import { interpretResponse } from '../../functions/shared/alphavantage/parse.ts';
import { createKafkaHandler } from '../../functions/shared/kafka/consumer-handler.ts';
import {
  decodeKafkaEvent,
  type KafkaEvent,
  type RawKafkaRecord,
} from '../../functions/shared/kafka/event.ts';
import type { Publisher } from '../../functions/shared/kafka/producer.ts';
import { createObservability } from '../../functions/shared/observability.ts';
import type { QuoteItem } from '../../functions/shared/store/quotes.ts';
import { ESBUILD_TARGET, ESM_REQUIRE_BANNER } from '../../lib/constructs/horton-function.ts';
import { createLambdaContext } from '../../localstack/runner/lambda-context.ts';
import { answerQuery } from '../../localstack/simulator/api.ts';
import { PLANS } from '../../localstack/simulator/quotas.ts';
import { resolveConfig } from '../../model/config.ts';
import { HANDLER_NAMES, HANDLERS, type HandlerName } from '../../model/handlers.ts';
import { type CollectQuote, decodeMessage } from '../../model/messages.ts';
import { handlerSettings, localBindings, SETTINGS_VARIABLE } from '../../model/settings.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const IMPORT_RUNS = 10;
/** As deployed: the stack sets no NODE_OPTIONS (horton-function.ts). */
const NODE_OPTIONS: string[] = [];
const CONFIG = resolveConfig({});

interface BundleFigures {
  bytes: number;
  importMs: number;
  importRatio: number;
}

async function bundle(entry: string, outdir: string): Promise<string> {
  const outfile = path.join(outdir, 'index.mjs');
  await build({
    entryPoints: [path.join(ROOT, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: ESBUILD_TARGET,
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    define: { HORTON_BUNDLE_TRACER: JSON.stringify(CONFIG.observability.tracing) },
    logLevel: 'error',
  });
  return outfile;
}

/** The settings a handler gets in AWS (no broker or AWS service is contacted at import). */
function environmentFor(name: HandlerName): Record<string, string> {
  const settings = handlerSettings(name, CONFIG, {
    ...localBindings(CONFIG, name, ['b-1.example.invalid:9098']),
    kafka: { brokers: 'b-1.example.invalid:9098', auth: 'iam' },
    alphaVantageSecretArn: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:horton-av-abcdef',
  });
  return { [SETTINGS_VARIABLE]: JSON.stringify(settings) };
}

function importOnce(file: string, environment: Record<string, string>): number {
  const url = pathToFileURL(file).href;
  const result = spawnSync(
    process.execPath,
    [
      ...NODE_OPTIONS,
      '--input-type=module',
      '-e',
      `const t = performance.now(); await import(${JSON.stringify(url)}); process.stdout.write(String(performance.now() - t)); process.exit(0);`,
    ],
    {
      env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1', ...environment },
      encoding: 'utf8',
    },
  );
  const ms = Number(result.stdout);
  if (result.status !== 0 || !Number.isFinite(ms))
    throw new Error(`importing ${file} failed (${result.status}): ${result.stderr}`);
  return ms;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

async function bundleFigures(): Promise<{
  baseline: BundleFigures;
  handlers: Record<string, BundleFigures>;
}> {
  const workdir = mkdtempSync(path.join(os.tmpdir(), 'horton-bench-handlers-'));
  try {
    const entries: Array<[string, string]> = [
      ['baseline', 'test/bench/baseline-handler.ts'],
      ...HANDLER_NAMES.map((name): [string, string] => [name, HANDLERS[name].entry]),
    ];
    const files = new Map<string, string>();
    for (const [name, entry] of entries) files.set(name, await bundle(entry, path.join(workdir, name)));
    const times = new Map<string, number[]>(entries.map(([name]) => [name, []]));
    for (let run = 0; run < IMPORT_RUNS; run += 1) {
      for (const [name] of entries) {
        const environment = name === 'baseline' ? {} : environmentFor(name as HandlerName);
        times.get(name)?.push(importOnce(files.get(name) ?? '', environment));
      }
    }
    const figures = (name: string): BundleFigures => ({
      bytes: statSync(files.get(name) ?? '').size,
      importMs: median(times.get(name) ?? []),
      importRatio: median(times.get(name) ?? []) / median(times.get('baseline') ?? []),
    });
    return {
      baseline: figures('baseline'),
      handlers: Object.fromEntries(HANDLER_NAMES.map((name) => [name, figures(name)])),
    };
  } finally {
    rmSync(workdir, { recursive: true, force: true });
  }
}

const NOW = new Date('2026-11-20T21:00:00Z');
const simulatorContext = {
  now: NOW,
  plan: PLANS.premium75,
  unknownSymbols: new Set<string>(),
  lineEnding: '\n' as const,
  demoKeyRestricted: false,
};
const answer = (params: Record<string, string>) =>
  answerQuery(new URLSearchParams(params), simulatorContext).body;

const SYMBOLS = ['IBM', 'MSFT', 'AAPL', 'NVDA', 'AMZN', 'GOOGL', 'META', 'TSLA'];
const RECORDS_PER_EVENT = 100;
const EVENTS = 30;

function quoteEvent(batch: number): KafkaEvent {
  const records: Record<string, RawKafkaRecord[]> = {};
  for (let index = 0; index < RECORDS_PER_EVENT; index += 1) {
    const symbol = SYMBOLS[index % SYMBOLS.length] ?? 'IBM';
    const partition = index % 3;
    const command: CollectQuote = {
      type: 'collect-quote',
      v: 1,
      commandId: `bench-${batch}-${index}`,
      correlationId: `bench@${batch}`,
      issuedAt: new Date(NOW.getTime() + batch * 60_000 + index).toISOString(),
      symbol,
    };
    const key = `horton.quote-${partition}`;
    records[key] ??= [];
    records[key].push({
      topic: 'horton.quote',
      partition,
      offset: batch * RECORDS_PER_EVENT + index,
      timestamp: NOW.getTime(),
      timestampType: 'CREATE_TIME',
      key: Buffer.from(symbol).toString('base64'),
      value: Buffer.from(JSON.stringify(command)).toString('base64'),
      headers: [],
    });
  }
  return {
    eventSource: 'aws:kafka',
    eventSourceArn:
      'arn:aws:kafka:us-east-1:123456789012:cluster/horton/00000000-0000-4000-8000-000000000000-1',
    records,
  };
}

async function throughputFigures() {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.POWERTOOLS_LOG_LEVEL = 'WARN';
  const quoteBodies = new Map(
    SYMBOLS.map((symbol) => [symbol, answer({ function: 'GLOBAL_QUOTE', symbol })]),
  );
  // Stubbed I/O: the transport answers with the simulator's body, the store is a map, nothing is published.
  const transport = {
    get: async (params: Record<string, string>, interpret: (body: string) => unknown) =>
      interpret(quoteBodies.get(params.symbol ?? '') ?? ''),
  } as unknown as AlphaVantageTransport;
  const alphaVantage = new AlphaVantageClient(transport);
  const items = new Map<string, QuoteItem>();
  const observability = await createObservability({ serviceName: 'horton-quote', tracing: false });
  const handler = createKafkaHandler({
    name: 'quote',
    role: 'quote',
    observability,
    publisher: () => ({ publishDeadLetters: async () => {} }) as unknown as Publisher,
    deadLetterTopic: 'horton.dead-letter',
    handle: async (command, { logger }) => {
      const outcome = await collectQuote(command, {
        alphaVantage,
        windowSize: 10,
        store: {
          get: async (symbol) => items.get(symbol),
          putIfVersion: async (item) => {
            items.set(item.symbol, item);
            return true;
          },
        },
      });
      logger.debug('quote processed', { ...outcome });
    },
  });
  const events = Array.from({ length: EVENTS }, (_, batch) => quoteEvent(batch));
  const context = () => createLambdaContext({ functionName: 'horton-quote', timeoutSeconds: 300 });

  const timeHandler = async () => {
    items.clear();
    const started = performance.now();
    for (const event of events) await handler(event, context());
    return (performance.now() - started) / (EVENTS * RECORDS_PER_EVENT);
  };
  const timeRaw = () => {
    const started = performance.now();
    for (const event of events) {
      for (const records of decodeKafkaEvent(event).values())
        for (const record of records) decodeMessage('quote', record.value);
    }
    return (performance.now() - started) / (EVENTS * RECORDS_PER_EVENT);
  };
  await timeHandler(); // warm-up (JIT, first-use allocations)
  timeRaw();
  const handlerMs = median([await timeHandler(), await timeHandler(), await timeHandler()]);
  const rawMs = median([timeRaw(), timeRaw(), timeRaw()]);

  const fullSeries = answer({ function: 'TIME_SERIES_DAILY', symbol: 'IBM', outputsize: 'full' });
  const timeParse = (parse: () => unknown) => {
    parse();
    const started = performance.now();
    for (let run = 0; run < 10; run += 1) parse();
    return (performance.now() - started) / 10;
  };
  const parseMs = timeParse(() => {
    const result = interpretResponse('TIME_SERIES_DAILY', fullSeries);
    if (result.kind !== 'data') throw new Error(`full series did not parse: ${result.kind}`);
  });
  const jsonParseMs = timeParse(() => JSON.parse(fullSeries));
  return {
    handlerUsPerRecord: handlerMs * 1000,
    rawDecodeUsPerRecord: rawMs * 1000,
    handlerToRawRatio: handlerMs / rawMs,
    fullSeriesBytes: fullSeries.length,
    fullSeriesParseMs: parseMs,
    fullSeriesParseToJsonParseRatio: parseMs / jsonParseMs,
  };
}

export async function handlersBenchmark(): Promise<void> {
  const bundles = await bundleFigures();
  const throughput = await throughputFigures();
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(0).padStart(5)} KiB`;
  process.stdout.write(
    `handlers (node ${process.version}, NODE_OPTIONS ${NODE_OPTIONS.join(' ') || '(none)'}, target ${ESBUILD_TARGET})\n` +
      `  baseline     ${kib(bundles.baseline.bytes)}  import ${bundles.baseline.importMs.toFixed(1)} ms (median of ${IMPORT_RUNS})\n` +
      Object.entries(bundles.handlers)
        .map(
          ([name, figures]) =>
            `  ${name.padEnd(12)} ${kib(figures.bytes)}  import ${figures.importMs.toFixed(1)} ms = ${figures.importRatio.toFixed(2)}x baseline\n`,
        )
        .join('') +
      `  quote handler ${throughput.handlerUsPerRecord.toFixed(1)} us/record vs raw decode+validate ${throughput.rawDecodeUsPerRecord.toFixed(1)} us/record: ${throughput.handlerToRawRatio.toFixed(1)}x\n` +
      `  full daily series (${kib(throughput.fullSeriesBytes)}) parse ${throughput.fullSeriesParseMs.toFixed(1)} ms = ${throughput.fullSeriesParseToJsonParseRatio.toFixed(1)}x JSON.parse\n`,
  );
  const maxBytes = Math.max(...Object.values(bundles.handlers).map((figures) => figures.bytes));
  const maxImportRatio = Math.max(...Object.values(bundles.handlers).map((figures) => figures.importRatio));
  process.stdout.write(
    `${JSON.stringify({
      bench: 'handlers',
      node: process.version,
      nodeOptions: NODE_OPTIONS.join(' '),
      baseline: bundles.baseline,
      handlers: bundles.handlers,
      maxBundleBytes: maxBytes,
      maxImportRatio: Number(maxImportRatio.toFixed(3)),
      ...throughput,
    })}\n`,
  );
}
