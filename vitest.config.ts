import { defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` is pure and fast; `integration` runs against the real local stack
 * (Kafka broker + AWS emulator + AlphaVantage simulator), started once by the global setup and
 * stopped by it, by pid, when the run ends.
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
          // The CDK suites synthesize in beforeAll: seconds alone, tens of seconds on a shared 2-core machine.
          hookTimeout: 120_000,
          // Some tests synthesize a stack or walk a full price history; on a loaded machine that passes 5 s.
          testTimeout: 30_000,
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
