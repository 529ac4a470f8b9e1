import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export function emulatorRequirementsPath(rootDir: string): string {
  return path.join(rootDir, 'localstack', 'requirements-emulator.txt');
}

function venvPython(venvDir: string): string {
  return process.platform === 'win32'
    ? path.join(venvDir, 'Scripts', 'python.exe')
    : path.join(venvDir, 'bin', 'python');
}

const STAMP_FILE = '.horton-requirements.sha256';

async function run(command: string, args: string[], what: string): Promise<void> {
  try {
    await execFileAsync(command, args, { timeout: 15 * 60_000, maxBuffer: 32 * 1024 * 1024 });
  } catch (error) {
    const failure = error as Error & { stdout?: string; stderr?: string };
    const output = `${failure.stdout ?? ''}${failure.stderr ?? ''}`.trim().split('\n').slice(-25).join('\n');
    throw new Error(`${what} failed: ${failure.message.split('\n')[0]}\n${output}`);
  }
}

export interface EmulatorVenvResult {
  python: string;
  created: boolean;
}

/**
 * Returns the Python of the emulator venv under `<cacheDir>/emulator-venv`, building it first when
 * it is missing or was built from another requirements file or interpreter.
 */
export async function ensureEmulatorVenv(
  rootDir: string,
  cacheDir: string,
  basePython: string,
  log: (message: string) => void,
): Promise<EmulatorVenvResult> {
  return ensurePinnedVenv({
    requirementsFile: emulatorRequirementsPath(rootDir),
    venvDir: path.join(cacheDir, 'emulator-venv'),
    basePython,
    announce: () =>
      log('aws: creating the emulator venv (moto server, pinned requirements); done once, 10-60 s'),
  });
}

export interface PinnedVenvOptions {
  /** A requirements file pinning EVERY package, transitive ones included (installed with --no-deps). */
  requirementsFile: string;
  venvDir: string;
  /** Python used to create the venv (3.11+). */
  basePython: string;
  /** Called once when the venv is (re)built. */
  announce: () => void;
}

/**
 * A project-owned venv holding exactly a pinned requirements file, rebuilt when the file or the interpreter
 * changes. The build happens in a private folder renamed into place at the end, so an interrupted or
 * concurrent build never leaves a half-installed venv that looks usable. Used for the AWS emulator and for
 * cfn-lint (test/cfn-lint).
 */
export async function ensurePinnedVenv(options: PinnedVenvOptions): Promise<EmulatorVenvResult> {
  const { requirementsFile, venvDir, basePython } = options;
  const requirements = await readFile(requirementsFile, 'utf8');
  const { stdout: interpreter } = await execFileAsync(basePython, [
    '-c',
    'import sys; print(sys.version, sys.executable)',
  ]);
  const wantedStamp = createHash('sha256').update(requirements).update(interpreter).digest('hex');
  const stampOf = async (dir: string) =>
    (await readFile(path.join(dir, STAMP_FILE), 'utf8').catch(() => '')).trim();

  if ((await stampOf(venvDir)) === wantedStamp && existsSync(venvPython(venvDir))) {
    return { python: venvPython(venvDir), created: false };
  }

  options.announce();
  const buildDir = `${venvDir}.${process.pid}.${Date.now()}.build`;
  try {
    await run(basePython, ['-m', 'venv', buildDir], 'python -m venv');
    const python = venvPython(buildDir);
    const pip = [python, '-m', 'pip', '--disable-pip-version-check', '--no-input'] as const;
    await run(pip[0], [...pip.slice(1), 'install', '--no-deps', '-r', requirementsFile], 'pip install');
    // --no-deps installs exactly the pinned set; pip check proves that set is complete and consistent.
    await run(
      pip[0],
      [...pip.slice(1), 'check'],
      `pip check (${path.basename(requirementsFile)} is incomplete?)`,
    );
    await writeFile(path.join(buildDir, STAMP_FILE), `${wantedStamp}\n`);
    await rm(venvDir, { recursive: true, force: true });
    try {
      await rename(buildDir, venvDir);
    } catch (error) {
      // Another stack finished the same build first; use its venv if it is the one we want.
      if ((await stampOf(venvDir)) !== wantedStamp) throw error;
    }
  } finally {
    await rm(buildDir, { recursive: true, force: true });
  }
  return { python: venvPython(venvDir), created: true };
}
