/**
 * The fixtures the tests read: real AlphaVantage responses and Lambda event samples, kept in the repository under
 * `test/fixtures/` (copied from the team's shared fixture set; origin of every file in test/fixtures/PROVENANCE.md).
 * They are part of the checkout, so a fresh clone runs every test; a missing file fails the test that reads it.
 *
 * Each `loadJsonFixture` call returns a fresh deep clone, so a test that mutates its event (drops a key, adds a
 * record) can never leak the change into another test.
 */
import { readdirSync, readFileSync } from 'node:fs';
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
