/**
 * One "execution environment" for the limiter concurrency test: its own process, its own DynamoDB client and
 * limiter, taking `calls` slots from the shared budget as fast as the limiter lets it. Prints one JSON line:
 * the instants its calls were released and how many were deferred.
 *
 * Time runs `clockScale` times faster than real time from `epoch` (the same for every worker), so a quota
 * minute passes in seconds; the limiter sees only this clock.
 *
 *   node --import tsx test/support/limiter-worker.ts '<json: endpoint, region, table, requestsPerMinute,
 *     requestsPerDay, calls, startAt, epoch, clockScale>'
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeferredError } from '../../functions/shared/errors.ts';
import { DynamoDbQuotaLimiter } from '../../functions/shared/store/alphavantage-quota.ts';

const input = JSON.parse(process.argv[2] ?? '{}');
const client = new DynamoDBClient({
  endpoint: input.endpoint,
  region: input.region,
  credentials: { accessKeyId: 'horton-test', secretAccessKey: 'horton-test' },
});
const limiter = new DynamoDbQuotaLimiter({
  doc: DynamoDBDocumentClient.from(client),
  table: input.table,
  requestsPerMinute: input.requestsPerMinute,
  requestsPerDay: input.requestsPerDay,
  defaultMaxWaitMs: 60_000,
  now: () => input.epoch + (Date.now() - input.epoch) * input.clockScale,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms / input.clockScale)),
});

// All workers start together, so they contend from the first call.
await new Promise((resolve) => setTimeout(resolve, Math.max(0, input.startAt - Date.now())));
const released: number[] = [];
let deferred = 0;
for (let call = 0; call < input.calls; call += 1) {
  try {
    await limiter.acquire(`call ${call}`);
    released.push(input.epoch + (Date.now() - input.epoch) * input.clockScale);
  } catch (error) {
    if (!(error instanceof DeferredError)) throw error;
    deferred += 1;
  }
}
client.destroy();
process.stdout.write(`${JSON.stringify({ released, deferred })}\n`);
