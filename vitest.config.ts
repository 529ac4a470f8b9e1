import { defineConfig } from 'vitest/config';

/**
 * Three projects: `unit` is pure and fast; `cdk` (test/unit/cdk-*.test.ts) shares the standard CDK syntheses,
 * made once per run by its global setup; `integration` runs against the real local stack (Kafka broker + AWS
 * emulator + AlphaVantage simulator), started once by the global setup and stopped by it, by pid, when the run
 * ends. Timeouts leave room for a loaded 2-core machine (a CDK synthesis alone can take 30 s there).
 */
export default defineConfig({
  test: {
    reporters: ['default', './test/support/summary-reporter.ts'],
    // The AWS SDK warns on Node 20 about its 2027 releases; Lambda runs Node 24 and the warning only adds noise.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          exclude: ['test/unit/cdk-*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'cdk',
          include: ['test/unit/cdk-*.test.ts'],
          globalSetup: ['./test/support/cdk-global-setup.ts'],
          // Some tests synthesize a variant of their own: over 100 s measured with the machine's load at 20+.
          testTimeout: 300_000,
          hookTimeout: 900_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['./test/support/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
          // The suites share one broker and one emulator; run files one at a time so that
          // consumer-group rebalances and emulator load from one file never slow another.
          fileParallelism: false,
        },
      },
    ],
  },
});
