import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Kafka 3.9 brokers run on Java 11+, but 17 is what we test with and what the brief asks for. */
const MINIMUM_JAVA_MAJOR = 17;
/**
 * The Python range the pinned emulator requirements (localstack/requirements-emulator.txt) are installed and
 * tested with: CI runs 3.11. moto itself accepts 3.9+; widen the range together with the pins.
 */
const MINIMUM_PYTHON: readonly [number, number] = [3, 11];
const PYTHON_BELOW: readonly [number, number] = [3, 15];

/** Parses the first line of `java -version` (`openjdk version "17.0.15"`, `java version "1.8.0_402"`). */
function parseJavaMajorVersion(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match?.[1]) return undefined;
  const first = Number(match[1]);
  // Java 8 and older report themselves as 1.x.
  return first === 1 && match[2] ? Number(match[2]) : first;
}

/** Parses `Python 3.11.7`. */
function parsePythonVersion(versionOutput: string): [number, number] | undefined {
  const match = /Python (\d+)\.(\d+)/.exec(versionOutput);
  if (!match?.[1] || !match[2]) return undefined;
  return [Number(match[1]), Number(match[2])];
}

async function commandOutput(command: string, args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await execFileAsync(command, args, { timeout: 30_000 });
    return `${stdout}${stderr}`;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`'${command}' was not found`);
    throw new Error(`'${command} ${args.join(' ')}' failed: ${(error as Error).message}`);
  }
}

export async function assertJavaAvailable(javaCommand: string): Promise<number> {
  const hint =
    `The Kafka broker needs Java ${MINIMUM_JAVA_MAJOR}+ (a JRE is enough): install one ` +
    '(e.g. `apt-get install openjdk-17-jre-headless`) or point HORTON_JAVA / JAVA_HOME at it.';
  let output: string;
  try {
    output = await commandOutput(javaCommand, ['-version']);
  } catch (error) {
    throw new Error(`${(error as Error).message}. ${hint}`);
  }
  const major = parseJavaMajorVersion(output);
  if (major === undefined) throw new Error(`cannot read the Java version from: ${output.trim()}. ${hint}`);
  if (major < MINIMUM_JAVA_MAJOR) throw new Error(`${javaCommand} is Java ${major}. ${hint}`);
  return major;
}

export async function assertPythonAvailable(pythonCommand: string): Promise<[number, number]> {
  const wanted = `${MINIMUM_PYTHON.join('.')} to ${PYTHON_BELOW[0]}.${PYTHON_BELOW[1] - 1}`;
  const hint =
    `The AWS emulator (moto) runs in a venv made from Python ${wanted} with the venv module ` +
    '(Debian: `apt-get install python3 python3-venv`); point HORTON_PYTHON at another interpreter if needed.';
  let output: string;
  try {
    output = await commandOutput(pythonCommand, ['--version']);
  } catch (error) {
    throw new Error(`${(error as Error).message}. ${hint}`);
  }
  const version = parsePythonVersion(output);
  if (!version) throw new Error(`cannot read the Python version from: ${output.trim()}. ${hint}`);
  const atLeast = (a: readonly [number, number], b: readonly [number, number]) =>
    a[0] > b[0] || (a[0] === b[0] && a[1] >= b[1]);
  if (!atLeast(version, MINIMUM_PYTHON) || atLeast(version, PYTHON_BELOW)) {
    throw new Error(`${pythonCommand} is Python ${version.join('.')}. ${hint}`);
  }
  try {
    await commandOutput(pythonCommand, ['-c', 'import venv, ensurepip']);
  } catch {
    throw new Error(`${pythonCommand} lacks the venv/ensurepip modules. ${hint}`);
  }
  return version;
}
