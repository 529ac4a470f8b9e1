import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { type KafkaJarsLock, type LockedArtifact, mavenJarPath } from './kafka-jars-lock.ts';

const DOWNLOAD_CONCURRENCY = 6;
const DOWNLOAD_ATTEMPTS = 3;
const DOWNLOAD_TIMEOUT_MS = 120_000;

async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

/** A cached jar counts only if its bytes still match the lock (a truncated or edited file is refetched). */
async function isCachedAndIntact(file: string, artifact: LockedArtifact): Promise<boolean> {
  try {
    const info = await stat(file);
    if (info.size !== artifact.size) return false;
  } catch {
    return false;
  }
  return (await sha256OfFile(file)) === artifact.sha256;
}

async function downloadVerified(artifact: LockedArtifact, target: string): Promise<void> {
  await mkdir(path.dirname(target), { recursive: true });
  // A private temporary name, renamed into place only once verified: concurrent stacks sharing the
  // cache never see (or use) a half-written jar.
  const partial = `${target}.${process.pid}.${Date.now()}.part`;
  try {
    const response = await fetch(artifact.url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
    if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
    const hash = createHash('sha256');
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        callback(null, chunk);
      },
    });
    await pipeline(
      Readable.fromWeb(response.body as import('node:stream/web').ReadableStream),
      hashing,
      createWriteStream(partial),
    );
    const actual = hash.digest('hex');
    if (actual !== artifact.sha256) {
      throw new Error(`checksum mismatch: expected sha256 ${artifact.sha256}, got ${actual}`);
    }
    await rename(partial, target);
  } finally {
    await rm(partial, { force: true });
  }
}

async function fetchWithRetries(artifact: LockedArtifact, target: string): Promise<void> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= DOWNLOAD_ATTEMPTS; attempt += 1) {
    try {
      await downloadVerified(artifact, target);
      return;
    } catch (error) {
      lastError = error;
      // A checksum mismatch will not fix itself by retrying.
      if ((error as Error).message.startsWith('checksum mismatch')) break;
      if (attempt < DOWNLOAD_ATTEMPTS) await sleep(1_000 * attempt);
    }
  }
  throw new Error(`cannot fetch ${artifact.url}: ${(lastError as Error).message}`);
}

export interface KafkaJarsResult {
  jars: string[];
  downloaded: number;
}

/**
 * Makes every locked jar present and verified under `<cacheDir>/maven` (Maven's own layout, so
 * versions shared by two lock files are fetched once) and returns the classpath in lock order.
 */
export async function ensureKafkaJars(
  cacheDir: string,
  lock: KafkaJarsLock,
  log: (message: string) => void,
): Promise<KafkaJarsResult> {
  const targets = lock.artifacts.map((artifact) => ({
    artifact,
    file: path.join(cacheDir, 'maven', ...mavenJarPath(artifact.coordinates).split('/')),
  }));
  const missing: typeof targets = [];
  for (const target of targets) {
    if (!(await isCachedAndIntact(target.file, target.artifact))) missing.push(target);
  }
  if (missing.length > 0) {
    const megabytes = missing.reduce((sum, { artifact }) => sum + artifact.size, 0) / 1_048_576;
    log(`kafka: downloading ${missing.length} jars (${megabytes.toFixed(1)} MiB) from Maven Central`);
    const queue = [...missing];
    const workers = Array.from({ length: Math.min(DOWNLOAD_CONCURRENCY, queue.length) }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        try {
          await fetchWithRetries(next.artifact, next.file);
        } catch (error) {
          queue.length = 0; // one jar is missing for good: the other workers stop too
          throw error;
        }
      }
    });
    await Promise.all(workers);
  }
  return { jars: targets.map(({ file }) => file), downloaded: missing.length };
}
