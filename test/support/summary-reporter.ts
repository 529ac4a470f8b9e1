import type { SerializedError } from 'vitest';
import type { Reporter, TestModule, TestRunEndReason } from 'vitest/node';

/**
 * Prints one plain closing line for CI logs, e.g.
 * `tests: 310 passed, 2 failed, 4 skipped (files: 40 passed, 1 failed; errors outside tests: 1) result: failed`.
 *
 * "failed" counts every failure vitest itself counts, not only failed test cases: a suite whose `beforeAll`
 * throws leaves its tests skipped, and a file that cannot load has no tests at all, so each failed file or suite
 * without a failed test of its own counts once, and so does each unhandled error. `result` is vitest's own verdict.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<SerializedError>,
    reason: TestRunEndReason,
  ): void {
    process.stdout.write(`\n${summaryLine(testModules, unhandledErrors, reason)}\n`);
  }
}

export function summaryLine(
  testModules: ReadonlyArray<TestModule>,
  unhandledErrors: ReadonlyArray<SerializedError>,
  reason: TestRunEndReason,
): string {
  let passed = 0;
  let failedTests = 0;
  let skipped = 0;
  let failedFiles = 0;
  let passedFiles = 0;
  // Failures no test case carries: hook errors, load errors.
  let failuresOutsideTests = unhandledErrors.length;
  for (const testModule of testModules) {
    let failedHere = 0;
    for (const testCase of testModule.children.allTests()) {
      const state = testCase.result().state;
      if (state === 'passed') passed += 1;
      else if (state === 'failed') failedHere += 1;
      else skipped += 1;
    }
    failedTests += failedHere;
    if (testModule.state() === 'failed') failedFiles += 1;
    else passedFiles += 1;
    let failedSuitesHere = 0;
    for (const suite of testModule.children.allSuites()) {
      const ownFailure = [...suite.children.allTests()].some((test) => test.result().state === 'failed');
      if (suite.state() === 'failed' && !ownFailure) failedSuitesHere += 1;
    }
    failuresOutsideTests += failedSuitesHere;
    // A file that failed to load, or whose top-level hook threw, with no failed test or suite to show for it.
    if (testModule.state() === 'failed' && failedHere === 0 && failedSuitesHere === 0)
      failuresOutsideTests += 1;
  }
  const failed = failedTests + failuresOutsideTests;
  return (
    `tests: ${passed} passed, ${failed} failed, ${skipped} skipped ` +
    `(files: ${passedFiles} passed, ${failedFiles} failed; errors outside tests: ${failuresOutsideTests}) ` +
    `result: ${reason}`
  );
}
