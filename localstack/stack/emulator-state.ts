/**
 * The AWS emulator's state outlives its process, like the broker's topics and offsets do (ADR 0050).
 *
 * moto keeps everything in memory, but it can record every request it receives, appending one JSON line per request
 * to a file as it arrives (`MOTO_ENABLE_RECORDING`, moto's own recorder). Before each launch the recording of the
 * previous process, stopped by `down` or killed, is set aside; once the new process is ready, its mutating
 * requests are sent again in their original order, which rebuilds the tables and items. The new process records
 * the replayed requests too, so the file is compacted to the writes on every start.
 */
import { existsSync } from 'node:fs';
import { readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/** Requests of the running emulator, one JSON line each (moto's recorder format). */
const RECORDING_FILE = 'recording.jsonl';
/** The previous process's recording while it is being replayed; kept until the replay is complete. */
const REPLAY_FILE = 'replay.jsonl';

/** Environment that makes moto record every request into the service directory. */
export function emulatorRecordingEnv(serviceDir: string): Record<string, string> {
  return { MOTO_ENABLE_RECORDING: 'True', MOTO_RECORDER_FILEPATH: path.join(serviceDir, RECORDING_FILE) };
}

/**
 * Before a launch: moves the last recording aside for `replayEmulatorRecording`. If an earlier replay was cut
 * short, its source is still there and complete, so the partial recording made during that replay is dropped.
 */
export async function setAsideEmulatorRecording(serviceDir: string): Promise<void> {
  const recording = path.join(serviceDir, RECORDING_FILE);
  const replay = path.join(serviceDir, REPLAY_FILE);
  if (existsSync(replay)) await rm(recording, { force: true });
  else if (existsSync(recording)) await rename(recording, replay);
}

interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | null;
  body_encoded: boolean;
}

/** Reads change nothing: replaying them only costs time (DynamoDB and Secrets Manager operation names). */
const READ_ONLY_OPERATION = /\.(Get|BatchGet|TransactGet|Query|Scan|Describe|List)\w*$/;
/** Hop-by-hop or recomputed headers, not to be sent again. */
const DROPPED_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection']);

function isMutating(request: RecordedRequest): boolean {
  if (new URL(request.url, 'http://emulator').pathname.startsWith('/moto-api')) return false;
  const target = Object.entries(request.headers).find(([name]) => name.toLowerCase() === 'x-amz-target')?.[1];
  return !(target && READ_ONLY_OPERATION.test(target));
}

/**
 * After the launch, once the emulator answers: sends the set-aside recording's mutating requests to it, in order,
 * one at a time. Returns how many were replayed.
 */
export async function replayEmulatorRecording(serviceDir: string, endpoint: string): Promise<number> {
  const replay = path.join(serviceDir, REPLAY_FILE);
  if (!existsSync(replay)) return 0;
  const lines = (await readFile(replay, 'utf8')).split('\n').filter((line) => line.trim() !== '');
  let replayed = 0;
  for (const [index, line] of lines.entries()) {
    let request: RecordedRequest;
    try {
      request = JSON.parse(line) as RecordedRequest;
    } catch {
      // Only the last line can be cut short (the process was killed mid-write); nothing came after it.
      if (index === lines.length - 1) break;
      throw new Error(`${replay} line ${index + 1} is not JSON; delete the state dir for a fresh emulator`);
    }
    if (!isMutating(request)) continue;
    const { pathname, search } = new URL(request.url, 'http://emulator');
    const body =
      request.body === null || request.body === ''
        ? undefined
        : request.body_encoded
          ? Buffer.from(request.body, 'base64')
          : request.body;
    const response = await fetch(`${endpoint}${pathname}${search}`, {
      method: request.method,
      headers: Object.fromEntries(
        Object.entries(request.headers).filter(([name]) => !DROPPED_HEADERS.has(name.toLowerCase())),
      ),
      ...(body === undefined || request.method === 'GET' ? {} : { body }),
    });
    // A request that failed when first made (a condition not met) fails the same way now: same state.
    await response.arrayBuffer();
    replayed += 1;
  }
  await rm(replay, { force: true });
  return replayed;
}
