import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { Kafka, logLevel } from 'kafkajs';

/**
 * Readiness means "a real client request succeeded", never "the port is open" or "we waited long
 * enough": a broker accepts TCP connections well before it serves metadata.
 */
export type ReadinessProbe = () => Promise<void>;

/** Metadata round trip: the broker is registered with the (co-located) controller and answers clients. */
export function kafkaProbe(brokers: string[]): ReadinessProbe {
  return async () => {
    const kafka = new Kafka({
      clientId: 'horton-local-readiness',
      brokers,
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1_000,
      requestTimeout: 3_000,
      retry: { retries: 0 },
    });
    const admin = kafka.admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      if (cluster.brokers.length === 0) throw new Error('cluster reports no brokers yet');
      if (cluster.controller === null || cluster.controller < 0) throw new Error('no active controller yet');
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  };
}

/** DynamoDB ListTables through the same SDK the handlers use. */
export function awsEmulatorProbe(endpoint: string, region: string): ReadinessProbe {
  return async () => {
    const client = new DynamoDBClient({
      endpoint,
      region,
      // moto accepts any credentials; fixed dummies keep the probe from searching the host for real ones.
      credentials: { accessKeyId: 'horton-local', secretAccessKey: 'horton-local' },
      maxAttempts: 1,
      requestHandler: { requestTimeout: 3_000, connectionTimeout: 1_000 },
    });
    try {
      const result = await client.send(new ListTablesCommand({}));
      if (!Array.isArray(result.TableNames)) throw new Error('ListTables answered without TableNames');
    } finally {
      client.destroy();
    }
  };
}

export function simulatorProbe(baseUrl: string): ReadinessProbe {
  return async () => {
    const response = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    if (response.status !== 200) throw new Error(`GET /health answered ${response.status}`);
  };
}

export class ServiceExitedError extends Error {}

/**
 * Polls `probe` until it succeeds or `deadlineMs` passes. Gives up at once when `isAlive` says the
 * process died, so a crash surfaces in a second rather than after the whole deadline.
 * Returns the milliseconds it took.
 */
export async function waitUntilReady(
  probe: ReadinessProbe,
  options: { deadlineMs: number; isAlive: () => boolean; intervalMs?: number },
): Promise<number> {
  const started = Date.now();
  let lastError: unknown;
  while (Date.now() - started < options.deadlineMs) {
    if (!options.isAlive()) throw new ServiceExitedError('the process exited before it became ready');
    try {
      await probe();
      return Date.now() - started;
    } catch (error) {
      lastError = error;
    }
    await sleep(options.intervalMs ?? 250);
  }
  throw new Error(
    `not ready after ${Math.round(options.deadlineMs / 1000)} s (last probe error: ${(lastError as Error | undefined)?.message ?? 'none'})`,
  );
}
