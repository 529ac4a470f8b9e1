/**
 * The pipeline as a process of its own, for `npm run chaos` (test/chaos/run.ts), which kills it with SIGKILL and
 * starts it again. Input: one JSON object in CHAOS_PIPELINE (see `PipelineProcessInput`).
 *
 * - `cycle`: fires the universe job, waits until idle, fires the four dataset jobs, waits until idle, exits 0.
 *   Firing times are pinned (`firedAt`), so a restarted process fires the very same commands (same ids).
 * - `drain`: handles whatever is in the topics (the fuzz run), waits until idle, exits 0.
 *
 * Prints one JSON line of counters before exiting.
 */
import { ensureTables, localAwsEnvironment } from '../../localstack/aws-resources.ts';
import { startPipeline } from '../../localstack/runner/pipeline.ts';
import { type HortonConfigInput, type Job, resolveConfig } from '../../model/config.ts';
import { LOCAL_API_KEY_VARIABLE } from '../../model/settings.ts';

export interface PipelineProcessInput {
  mode: 'cycle' | 'drain';
  config: HortonConfigInput;
  brokers: string[];
  awsEndpoint: string;
  awsRegion: string;
  /** Simulated time of every firing (ISO). */
  firedAt: string;
  timeoutMs: number;
}

const input = JSON.parse(process.env.CHAOS_PIPELINE ?? '') as PipelineProcessInput;
const config = resolveConfig(input.config);
const target = { endpoint: input.awsEndpoint, region: input.awsRegion };
await ensureTables(config, target);
const pipeline = await startPipeline({
  config,
  brokers: input.brokers,
  env: {
    ...localAwsEnvironment(target),
    [LOCAL_API_KEY_VARIABLE]: 'horton-chaos-key',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  },
  // A clock that stands still (one simulated millisecond per ~11 real days): every firing is at `firedAt`.
  scheduler: { simulatedStart: new Date(input.firedAt), timeCompression: 1e-9 },
  mappings: { retryBackoff: { initialMs: 200, maxMs: 2_000 } },
  log: { info: () => {}, warn: () => {}, error: (message) => process.stderr.write(`runner: ${message}\n`) },
});
if (input.mode === 'cycle') {
  const scheduler = pipeline.scheduler;
  if (!scheduler) throw new Error('the dispatcher did not start');
  await scheduler.fireNow('universe' satisfies Job);
  await pipeline.waitUntilIdle({ timeoutMs: input.timeoutMs });
  for (const job of ['overview', 'history', 'quote', 'indicators'] as const) await scheduler.fireNow(job);
}
await pipeline.waitUntilIdle({ timeoutMs: input.timeoutMs });
const counters = Object.fromEntries([...pipeline.mappings.entries()].map(([name, m]) => [name, m.counters]));
await pipeline.stop();
process.stdout.write(`${JSON.stringify({ counters })}\n`);
process.exit(0);
