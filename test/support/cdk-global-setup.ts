/**
 * Global setup of the `cdk` project: synthesizes the standard stacks once per run (see cdk-synth.ts) and provides
 * them to the test files (`sharedSynthesis` in test/unit/cdk-helpers.ts). Vitest calls it only when a CDK test
 * file is queued, and a global setup has no hook timeout, so a loaded machine slows the run but cannot fail it.
 */
import type { TestProject } from 'vitest/node';
import { type SharedSynthesis, type StandardStack, synthesizeStandardStacks } from './cdk-synth.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The standard stacks, synthesized once for the whole run. */
    cdkSynthesis: Record<StandardStack, SharedSynthesis>;
  }
}

export function setup(project: TestProject): void {
  project.provide('cdkSynthesis', synthesizeStandardStacks());
}
