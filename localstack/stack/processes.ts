import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { type FileHandle, mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** What `up` writes to `<stateDir>/pids/<service>.pid`: enough to prove later that a pid is still ours. */
export interface ProcessRecord {
  pid: number;
  /**
   * Kernel start time of the process (clock ticks since boot, /proc/<pid>/stat field 22). A pid can be
   * reused by an unrelated process after ours dies; the start time cannot, so signals never go astray.
   * Undefined where /proc does not exist (macOS), where the command-line check alone must do.
   */
  startTicks: string | undefined;
  ports: number[];
  startedAt: string;
  command: string[];
}

export interface LaunchSpec {
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  logFile: string;
  ports: number[];
}

const hasProcfs = existsSync('/proc/self/stat');

interface ProcStat {
  state: string;
  processGroup: number;
  startTicks: string;
}

function readProcStat(pid: number): ProcStat | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (the command name) is parenthesised and may contain spaces: split after its closing paren.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const [state, , processGroup] = fields;
    const startTicks = fields[19];
    if (state === undefined || processGroup === undefined || startTicks === undefined) return undefined;
    return { state, processGroup: Number(processGroup), startTicks };
  } catch {
    return undefined;
  }
}

/** Command line of a live process, or undefined when it is gone. */
function readCommandLine(pid: number): string[] | undefined {
  if (hasProcfs) {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8')
        .split('\0')
        .filter((part) => part !== '');
    } catch {
      return undefined;
    }
  }
  try {
    return [execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' }).trim()];
  } catch {
    return undefined;
  }
}

function isRunning(pid: number): boolean {
  if (hasProcfs) {
    const stat = readProcStat(pid);
    // A zombie has exited; it only waits for its parent to collect the exit status.
    return stat !== undefined && stat.state !== 'Z';
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * True when `record.pid` is still the process we started: alive, same kernel start time, and its
 * command line names our state dir (every launch puts the absolute state dir on the command line).
 */
export function isOwnedProcess(record: ProcessRecord, stateDir: string): boolean {
  if (!isRunning(record.pid)) return false;
  if (hasProcfs && record.startTicks !== undefined) {
    if (readProcStat(record.pid)?.startTicks !== record.startTicks) return false;
  }
  // With the separator, `.horton/local` never matches a process of `.horton/local2`.
  const marker = `${stateDir}${path.sep}`;
  const commandLine = readCommandLine(record.pid);
  return commandLine?.some((part) => part.includes(marker)) ?? false;
}

/** Live (non-zombie) members of a process group; Linux only, empty elsewhere. */
function liveGroupMembers(processGroup: number): number[] {
  if (!hasProcfs) return [];
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcStat(Number(entry));
    if (stat && stat.processGroup === processGroup && stat.state !== 'Z') members.push(Number(entry));
  }
  return members;
}

/** Every live process whose command line contains `fragment` (Linux only): the leak check of tests and `down`. */
export function findProcessesMentioning(fragment: string): Array<{ pid: number; commandLine: string }> {
  if (!hasProcfs) return [];
  const found: Array<{ pid: number; commandLine: string }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid || !isRunning(pid)) continue;
    const commandLine = readCommandLine(pid);
    if (commandLine?.some((part) => part.includes(fragment)))
      found.push({ pid, commandLine: commandLine.join(' ') });
  }
  return found;
}

export function pidFilePath(stateDir: string, service: string): string {
  return path.join(stateDir, 'pids', `${service}.pid`);
}

export function logFilePath(stateDir: string, service: string): string {
  return path.join(stateDir, 'logs', `${service}.log`);
}

export async function readProcessRecord(pidFile: string): Promise<ProcessRecord | undefined> {
  let text: string;
  try {
    text = await readFile(pidFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed = JSON.parse(text) as Partial<ProcessRecord>;
  if (typeof parsed.pid !== 'number' || !Number.isInteger(parsed.pid) || parsed.pid <= 1) {
    throw new Error(`${pidFile} does not hold a valid pid record; remove it after checking nothing runs`);
  }
  return {
    pid: parsed.pid,
    startTicks: parsed.startTicks,
    ports: parsed.ports ?? [],
    startedAt: parsed.startedAt ?? '',
    command: parsed.command ?? [],
  };
}

export async function removePidFile(pidFile: string): Promise<void> {
  await rm(pidFile, { force: true });
}

/**
 * Starts a detached process in its own process group (so `down` can signal it and any children
 * together), stdout and stderr appended to its log file, and records it in `pidFile`.
 */
export async function launchDetached(spec: LaunchSpec, pidFile: string): Promise<ProcessRecord> {
  await mkdir(path.dirname(spec.logFile), { recursive: true });
  await mkdir(path.dirname(pidFile), { recursive: true });
  const logFd = openSync(spec.logFile, 'a');
  writeSync(logFd, `\n=== ${new Date().toISOString()} starting: ${[spec.command, ...spec.args].join(' ')}\n`);
  try {
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      detached: true,
      stdio: ['ignore', logFd, logFd],
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', (error) => reject(new Error(`cannot start ${spec.command}: ${error.message}`)));
      child.once('spawn', () => {
        if (child.pid === undefined) reject(new Error(`cannot start ${spec.command}: no pid`));
        else resolve(child.pid);
      });
    });
    // The stack outlives this Node process (the CLI exits right after `up`): do not keep it alive.
    child.unref();
    const record: ProcessRecord = {
      pid,
      startTicks: readProcStat(pid)?.startTicks,
      ports: spec.ports,
      startedAt: new Date().toISOString(),
      command: [spec.command, ...spec.args],
    };
    await writeFile(pidFile, `${JSON.stringify(record, null, 2)}\n`);
    return record;
  } finally {
    closeSync(logFd);
  }
}

function signalGroup(processGroup: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-processGroup, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

async function waitUntil(condition: () => boolean, deadlineMs: number): Promise<boolean> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await sleep(100);
  }
  return condition();
}

export type StopOutcome = 'stopped' | 'killed' | 'not-running';

/**
 * Stops the process group led by `record.pid`, only after proving the leader is still ours:
 * SIGTERM first (Kafka flushes its logs and closes cleanly), SIGKILL after `graceMs`.
 */
export async function stopOwnedProcess(
  record: ProcessRecord,
  stateDir: string,
  graceMs: number,
): Promise<StopOutcome> {
  if (!isOwnedProcess(record, stateDir)) return 'not-running';
  // detached: true made the leader the head of its own group, so the group id is its pid.
  const group = record.pid;
  const groupGone = () => !isRunning(record.pid) && liveGroupMembers(group).length === 0;
  signalGroup(group, 'SIGTERM');
  if (await waitUntil(groupGone, graceMs)) return 'stopped';
  signalGroup(group, 'SIGKILL');
  if (await waitUntil(groupGone, 10_000)) return 'killed';
  throw new Error(`process group ${group} survived SIGKILL for 10 s`);
}

async function readEndOfFile(file: string, maxBytes: number): Promise<string | undefined> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(file, 'r');
    const { size } = await handle.stat();
    const length = Math.min(size, maxBytes);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    return buffer.toString('utf8');
  } catch {
    return undefined;
  } finally {
    await handle?.close();
  }
}

/** Marks the start of each launch in a log (written by launchDetached). */
const LAUNCH_HEADER = '\n=== ';
const PROBLEM_LINE = /\b(ERROR|FATAL|CRITICAL|Traceback)\b|^[\w.$]+(Exception|Error)\b/;

/**
 * Why a process died, for `up` and `status`: the error lines of its latest launch (a Kafka that
 * cannot bind its port logs the cause, then ~300 lines of orderly shutdown) plus the last lines.
 */
export async function crashSummary(file: string, tailLines: number): Promise<string> {
  const text = await readEndOfFile(file, 512 * 1024);
  if (text === undefined) return `(no log at ${file})`;
  const latestLaunch = text.slice(Math.max(0, text.lastIndexOf(LAUNCH_HEADER)));
  const problems = latestLaunch
    .split('\n')
    .filter((line) => PROBLEM_LINE.test(line))
    .slice(0, 10);
  const tail = latestLaunch.trimEnd().split('\n').slice(-tailLines).join('\n');
  const problemSection = problems.length > 0 ? `errors in ${file}:\n${problems.join('\n')}\n` : '';
  return `${problemSection}last lines of ${file}:\n${tail}`;
}

export { isRunning as isProcessRunning };
