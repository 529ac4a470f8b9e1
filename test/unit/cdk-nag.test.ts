/**
 * cdk-nag (AwsSolutions + Serverless packs) finds nothing unacknowledged, on the default stack and on the
 * imported-cluster stack, and every acknowledgement names one finding and says why.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { nagFindings, sharedSynthesis } from './cdk-helpers.ts';

const created = sharedSynthesis('created');
const imported = sharedSynthesis('imported');

describe('cdk-nag', () => {
  it('reports nothing on the default stack', () => {
    expect(created.nagFindings).toEqual([]);
  });

  it('reports nothing on the stack with an existing cluster and VPC', () => {
    expect(imported.nagFindings).toEqual([]);
  });

  it('acknowledges each finding with a specific reason', () => {
    const all = [...created.nagAcknowledgements, ...imported.nagAcknowledgements];
    expect(all.length).toBeGreaterThan(0);
    for (const acknowledgement of all) {
      // A reason a reviewer can check: a sentence, not a placeholder.
      expect(
        acknowledgement.reason.length,
        `${acknowledgement.id} at ${acknowledgement.path}`,
      ).toBeGreaterThan(60);
      // Wildcard findings are acknowledged one resource pattern at a time, never as a whole rule.
      if (acknowledgement.id.includes('IAM5')) expect(acknowledgement.id).toMatch(/IAM5\[Resource::/);
    }
  });

  it('would report a finding (the check is live): an unencrypted queue without TLS enforcement', () => {
    // Prepare
    const outdir = mkdtempSync(path.join(os.tmpdir(), 'horton-nag-probe-'));
    const stack = new Stack(new App({ outdir }), 'Probe');
    new sqs.Queue(stack, 'Plain', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    // Act
    const reported = nagFindings(stack);
    rmSync(outdir, { recursive: true, force: true });
    // Assess
    expect(reported).toEqual(
      expect.arrayContaining([expect.stringMatching(/^AwsSolutions-SQS4 at Probe\/Plain/)]),
    );
  });
});
