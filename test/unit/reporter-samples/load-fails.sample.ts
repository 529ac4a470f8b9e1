// Input of test/unit/summary-reporter.test.ts: a file that throws while loading (no test cases at all).
throw new Error('cannot load on purpose');
