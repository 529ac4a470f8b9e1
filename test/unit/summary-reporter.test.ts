/**
 * The closing summary line CI reads must agree with vitest's own verdict: runs vitest on sample files (one passes,
 * one has a failing beforeAll, one cannot load) with the project's reporter and reads the line it prints.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const vitestCli = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url));
const samplesConfig = fileURLToPath(new URL('./reporter-samples/samples.config.ts', import.meta.url));

describe('summary reporter', () => {
  it('counts a failed beforeAll and a file that cannot load as failures', async () => {
    // Act
    const outcome = await promisify(execFile)(
      process.execPath,
      [vitestCli, 'run', '--config', samplesConfig],
      {
        env: { ...process.env, CI: '1' },
      },
    ).then(
      ({ stdout }) => ({ exitCode: 0, stdout }),
      (error: { code: number; stdout: string }) => ({ exitCode: error.code, stdout: error.stdout }),
    );

    // Assert
    expect(outcome.exitCode).toBe(1);
    const line = outcome.stdout.split('\n').find((text) => text.startsWith('tests: '));
    expect(line).toBe(
      'tests: 2 passed, 2 failed, 1 skipped (files: 1 passed, 2 failed; errors outside tests: 2) result: failed',
    );
  }, 60_000);
});
