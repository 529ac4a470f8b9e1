/**
 * Where the shared, read-only fixtures live and how tests read them.
 *
 * The fixtures (real AlphaVantage responses and Lambda event samples) are never copied into the repository:
 * they are read from `$HORTON_FIXTURES_DIR`, or `../shared/fixtures` next to the repository root. A suite that
 * needs them uses `describeWithFixtures`, which skips it, with a console warning naming the missing directory,
 * when they are absent: a missing fixture directory must be visible, never a silent pass.
 *
 * Each `loadJsonFixture` call returns a fresh deep clone, so a test that mutates its event (drops a key, adds a
 * record) can never leak the change into another test.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe } from 'vitest';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The fixtures root: `$HORTON_FIXTURES_DIR`, else `<repo>/../shared/fixtures`. */
export function fixturesDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.HORTON_FIXTURES_DIR;
  return fromEnv !== undefined && fromEnv.trim() !== ''
    ? path.resolve(fromEnv)
    : path.resolve(repositoryRoot, '..', 'shared', 'fixtures');
}

/** Absolute path of a fixture file or sub-directory, e.g. `fixturePath('lambda-events', 'msk-awsdocs.json')`. */
export function fixturePath(...segments: string[]): string {
  return path.join(fixturesDir(), ...segments);
}

/** Whether the fixture directory (or one of its sub-directories) exists. */
export function haveFixtures(subdirectory = ''): boolean {
  return existsSync(fixturePath(subdirectory));
}

/** File names in a fixture sub-directory, sorted; empty when the directory is absent. */
export function listFixtures(subdirectory: string, extension = '.json'): string[] {
  const directory = fixturePath(subdirectory);
  if (!existsSync(directory)) return [];
  return readdirSync(directory)
    .filter((name) => name.endsWith(extension))
    .sort();
}

/** A fixture's bytes as text, unchanged. */
export function readFixtureText(...segments: string[]): string {
  return readFileSync(fixturePath(...segments), 'utf8');
}

const parsedCache = new Map<string, unknown>();

/**
 * A JSON fixture, parsed once per worker and deep-cloned on every call: each test gets its own copy to change.
 * The type parameter is the caller's claim about the shape; nothing is validated here.
 */
export function loadJsonFixture<T = unknown>(...segments: string[]): T {
  const file = fixturePath(...segments);
  let parsed = parsedCache.get(file);
  if (parsed === undefined) {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    parsedCache.set(file, parsed);
  }
  return structuredClone(parsed) as T;
}

/**
 * `describe` that runs only when the fixture (sub-)directory exists; otherwise the suite is reported as skipped
 * and a warning names the directory that is missing and how to point the tests at it.
 */
export function describeWithFixtures(name: string, subdirectory: string, suite: () => void): void {
  const available = haveFixtures(subdirectory);
  if (!available) {
    console.warn(
      `[fixtures] SKIPPED "${name}": fixture directory ${fixturePath(subdirectory)} not found ` +
        '(set HORTON_FIXTURES_DIR to the shared fixtures root)',
    );
  }
  describe.skipIf(!available)(name, suite);
}
