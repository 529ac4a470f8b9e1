/**
 * The fixtures the tests read: real AlphaVantage responses and Lambda event samples, kept in the repository under
 * `test/fixtures/` (trimmed excerpts of the team's shared fixture set, written by test/fixtures/excerpt.ts; cut,
 * origin and SHA-256 of every file in test/fixtures/PROVENANCE.md).
 * They are part of the checkout, so a fresh clone runs every test; a missing file fails the test that reads it.
 *
 * Each `loadJsonFixture` call returns a fresh deep clone, so a test that mutates its event (drops a key, adds a
 * record) can never leak the change into another test.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** `<repo>/test/fixtures`. */
export const FIXTURES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
/** Real AlphaVantage responses, named `FUNCTION-SYMBOL-[tokens]-VINTAGE.(json|csv)`. */
export const ALPHAVANTAGE_FIXTURES_DIR = path.join(FIXTURES_DIR, 'alphavantage');
/** Lambda event samples (MSK, self-managed Kafka, scheduled events). */
export const LAMBDA_EVENTS_DIR = path.join(FIXTURES_DIR, 'lambda-events');

/** Absolute path of a fixture file or sub-directory, e.g. `fixturePath('lambda-events', 'msk-awsdocs.json')`. */
export function fixturePath(...segments: string[]): string {
  return path.join(FIXTURES_DIR, ...segments);
}

/** Files in `test/fixtures` that are not fixtures: the provenance record and the script that writes the excerpts. */
const NOT_FIXTURES: ReadonlySet<string> = new Set(['PROVENANCE.md', 'excerpt.ts']);

/** The lines around PROVENANCE.md's table of fixtures, which test/fixtures/excerpt.ts writes. */
export const PROVENANCE_TABLE = {
  start: '<!-- excerpt.ts writes this table: change the rules in excerpt.ts, then run it -->',
  end: '<!-- end of the table excerpt.ts writes -->',
} as const;

/** Every fixture file, as its path under `test/fixtures` with `/` separators, sorted. */
export function allFixtureFiles(): string[] {
  return readdirSync(FIXTURES_DIR, { recursive: true, encoding: 'utf8' })
    .filter((relative) => statSync(path.join(FIXTURES_DIR, relative)).isFile())
    .map((relative) => relative.split(path.sep).join('/'))
    .filter((relative) => !NOT_FIXTURES.has(relative))
    .sort();
}

/** File names in a fixture sub-directory, sorted. */
export function listFixtures(subdirectory: string, extension = '.json'): string[] {
  return readdirSync(fixturePath(subdirectory))
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
