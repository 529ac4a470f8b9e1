/**
 * `npm start`: the whole pipeline on this machine. Brings the local stack up (Kafka broker, AWS emulator,
 * AlphaVantage simulator), creates the tables and topics, runs the real handlers behind local event source
 * mappings, fires one full collection cycle for the watchlist with progress shown, and prints what was stored.
 *
 *   npm start                      one cycle, then stop what this run started
 *   npm start -- --keep-running    one cycle, leave the stack up (stop it with `npm run local -- down`)
 *   npm start -- --watch           one cycle, then keep running on the configured schedules
 *   npm start -- --watch --time-compression 3600   ... with one real second standing for an hour
 *   npm start -- --config my.json  overrides of the configuration (model/config.ts), e.g. another watchlist
 *   npm start -- --live            the real AlphaVantage (ALPHAVANTAGE_API_KEY, the configured base URL and plan)
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { MultiBar, Presets } from 'cli-progress';
import { type HortonConfig, type Job, resolveConfig } from '../model/config.ts';
import { LOCAL_API_KEY_VARIABLE } from '../model/settings.ts';
import { ensureTables, localAwsEnvironment, localDynamoDbClient } from './aws-resources.ts';
import { type Pipeline, startPipeline } from './runner/pipeline.ts';
import { downLocalStack, resolveLocalStackOptions, upLocalStack } from './stack/index.ts';
import { printSummary } from './summary.ts';

// The AWS SDK warns on Node 20 about its 2027 releases; the Lambda runtime is Node 24. Not actionable here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const { values: args } = parseArgs({
  options: {
    watch: { type: 'boolean', default: false },
    'keep-running': { type: 'boolean', default: false },
    'time-compression': { type: 'string' },
    config: { type: 'string' },
    live: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
  strict: true,
});
if (args.help) {
  // The usage is this file's header comment, without the comment markers.
  const header = readFileSync(new URL(import.meta.url), 'utf8').split('*/')[0] ?? '';
  process.stdout.write(`${header.replace(/^\/\*\*\n/, '').replace(/^ \* ?/gm, '')}\n`);
  process.exit(0);
}

if (args.live && !process.env.ALPHAVANTAGE_API_KEY?.trim()) {
  process.stderr.write(
    'npm start --live: set ALPHAVANTAGE_API_KEY to your AlphaVantage key (free: https://www.alphavantage.co/support/#api-key)\n',
  );
  process.exit(2);
}

/**
 * Local defaults on top of the shared configuration: a paid plan, so the first history load is `full` and the
 * yearly extremes cover the simulator's whole history. The simulator itself runs without quotas by default.
 */
const LOCAL_OVERRIDES = { alphaVantage: { plan: 'premium75' } };

function localConfig(simulatorUrl: string | undefined): HortonConfig {
  const fileOverrides = args.config ? JSON.parse(readFileSync(args.config, 'utf8')) : {};
  // Live: exactly the configuration (its plan, its base URL); the limiter keeps the calls within that plan.
  if (simulatorUrl === undefined) return resolveConfig(fileOverrides);
  return resolveConfig({
    ...LOCAL_OVERRIDES,
    ...fileOverrides,
    alphaVantage: { ...LOCAL_OVERRIDES.alphaVantage, ...fileOverrides.alphaVantage, baseUrl: simulatorUrl },
  });
}

const log = (message: string) => process.stdout.write(`${message}\n`);
/** Set once the first cycle is done and the schedules take over (`--watch`). */
let watching = false;

/**
 * Resolves on the first Ctrl-C or SIGTERM. Later signals are absorbed (a handler stays registered), so a second
 * Ctrl-C, or the same signal forwarded twice by npm, cannot cut the cleanup short and leave the stack running.
 */
const interrupted = new Promise<'interrupted'>((resolve) => {
  const stop = () => resolve('interrupted');
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
});

async function main(): Promise<void> {
  const started = Date.now();
  const stackOptions = resolveLocalStackOptions(args.live ? { simulator: false } : {});
  log(
    `Horton local run: Kafka broker + AWS emulator + ${args.live ? 'the REAL AlphaVantage' : 'AlphaVantage simulator'}, real handlers\n`,
  );
  const stack = await upLocalStack(stackOptions);
  const { endpoints } = stack;
  if (!args.live && !endpoints.simulatorUrl)
    throw new Error(
      'the AlphaVantage simulator is disabled (HORTON_SIMULATOR=0); use --live for the real API',
    );
  const config = localConfig(args.live ? undefined : endpoints.simulatorUrl);
  const target = { endpoint: endpoints.awsEndpoint, region: endpoints.awsRegion };
  await ensureTables(config, target);

  let pipeline: Pipeline | undefined;
  try {
    pipeline = await startPipeline({
      config,
      brokers: endpoints.kafkaBrokers,
      env: {
        ...localAwsEnvironment(target),
        // Locally the key is an env var (in AWS: Secrets Manager). The simulator accepts any non-empty key.
        [LOCAL_API_KEY_VARIABLE]: process.env[LOCAL_API_KEY_VARIABLE] ?? 'horton-local-key',
        POWERTOOLS_METRICS_DISABLED: 'true',
        POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'ERROR',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
      scheduler: {
        ...(args['time-compression'] ? { timeCompression: Number(args['time-compression']) } : {}),
        // In --watch mode, say when each schedule fires (the first cycle's firings are shown as progress).
        onFire: (fire) => {
          if (watching) {
            log(
              `  ${fire.ok ? 'fired' : 'FAILED'} ${fire.schedule} (due ${fire.scheduledAt.toISOString()})${fire.error ? `: ${fire.error}` : ''}`,
            );
          }
        },
      },
      log: {
        info: () => {},
        // kafkajs warns while a fresh broker creates its offsets topic and then retries by itself: not news.
        warn: (message) => {
          if (!message.startsWith('kafkajs ')) log(`  ! ${message}`);
        },
        error: (message) => log(`  ! ${message}`),
      },
    });
    const running = pipeline;
    const scheduler = running.scheduler;
    if (!scheduler) throw new Error('the dispatcher did not start');

    log(`\nCollection cycle for ${config.universe.watchlist.join(', ')} (plan ${config.alphaVantage.plan})`);
    const cycleStarted = Date.now();
    const cycle = withProgress(running, async () => {
      // The universe first, so the dataset jobs fan out over the stored securities.
      await scheduler.fireNow('universe' satisfies Job);
      await running.waitUntilIdle({ timeoutMs: 300_000 });
      for (const job of ['overview', 'history', 'quote', 'indicators'] as const) await scheduler.fireNow(job);
      await running.waitUntilIdle({ timeoutMs: 600_000 });
    });
    if ((await Promise.race([cycle, interrupted])) === 'interrupted') {
      log('\nInterrupted: stopping.');
      return;
    }
    const cycleSeconds = (Date.now() - cycleStarted) / 1000;

    const doc = DynamoDBDocumentClient.from(localDynamoDbClient(target));
    await printSummary({ config, doc, brokers: endpoints.kafkaBrokers, mappings: running.mappings, log });
    log(
      `\nOne cycle took ${cycleSeconds.toFixed(1)} s (whole run ${((Date.now() - started) / 1000).toFixed(1)} s).`,
    );

    if (args.watch) {
      watching = true;
      scheduler.start();
      log('\nWatching: the schedules fire on their timetable. Ctrl-C to stop.');
      for (const next of scheduler.upcoming())
        log(`  ${next.schedule}: next at ${next.at?.toISOString() ?? 'never'}`);
      await interrupted;
    }
  } finally {
    await pipeline?.stop();
    if (args['keep-running']) {
      log('\nThe local stack is still running: `npm run local -- status`, `npm run local -- down`.');
    } else if (!stack.alreadyRunning) {
      await downLocalStack(stackOptions);
      log('\nStopped the local stack this run started (use --keep-running to leave it up).');
    } else {
      log('\nThe local stack was already running before this run and stays up (`npm run local -- down`).');
    }
  }
}

/**
 * One bar per handler: records handled, out of records handled plus those still waiting in its topic (the
 * total grows while upstream handlers fan out). Without a terminal, a plain line whenever the numbers change.
 */
async function withProgress(pipeline: Awaited<ReturnType<typeof startPipeline>>, work: () => Promise<void>) {
  const interactive = process.stdout.isTTY === true;
  const bars = new MultiBar(
    { format: '  {handler} |{bar}| {value}/{total} records', hideCursor: true, clearOnComplete: false },
    Presets.shades_classic,
  );
  const rows = [...pipeline.mappings.entries()].map(([name, mapping]) => ({
    name,
    mapping,
    bar: interactive ? bars.create(0, 0, { handler: name.padEnd(10) }) : undefined,
  }));
  let last = '';
  const refresh = async () => {
    const lines: string[] = [];
    for (const row of rows) {
      const handled = row.mapping.counters.records;
      const waiting = row.mapping.busy ? 0 : await row.mapping.lag();
      row.bar?.setTotal(Math.max(handled + waiting, 1));
      row.bar?.update(handled);
      lines.push(`${row.name} ${handled} handled${waiting ? `, ${waiting} waiting` : ''}`);
    }
    const line = `  progress: ${lines.join(', ')}`;
    if (!interactive && line !== last) log(line);
    last = line;
  };
  const timer = setInterval(() => void refresh().catch(() => {}), interactive ? 250 : 2000);
  try {
    await work();
  } finally {
    clearInterval(timer);
    await refresh();
    bars.stop();
  }
}

main().then(
  // Handler modules keep their Kafka producers for the life of the "execution environment"; end it here.
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `\nnpm start failed: ${error instanceof Error ? (error.stack ?? error.message) : error}\n`,
    );
    process.exit(1);
  },
);
