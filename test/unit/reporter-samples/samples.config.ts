// Runs the sample files of test/unit/summary-reporter.test.ts with the project's summary reporter only.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['*.sample.ts'],
    reporters: [fileURLToPath(new URL('../../support/summary-reporter.ts', import.meta.url))],
  },
});
