/**
 * cdk-nag (AwsSolutions + Serverless packs) finds nothing unacknowledged, on the default stack and on the
 * imported-cluster stack, and every acknowledgement names one finding and says why.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { nagAcknowledgements, nagFindings } from '../support/cdk-synth.ts';
import { SYNTH_TIMEOUT_MS, type Synthesized, synthHorton } from './cdk-helpers.ts';

let created: Synthesized;
let imported: Synthesized;
/** The low-cost settings on a new VPC: no flow log (acknowledged), one poller. */
let lowCost: Synthesized;

beforeAll(() => {
  created = synthHorton();
  imported = synthHorton({
    config: { prefix: 'hrt' },
    props: {
      vpc: {
        vpcId: 'vpc-0123456789abcdef0',
        availabilityZones: ['eu-west-1a', 'eu-west-1b'],
        privateSubnetIds: ['subnet-aaaa1111', 'subnet-bbbb2222'],
      },
      cluster: {
        clusterArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/prod/0a1b-7',
        clusterType: 'provisioned',
        securityGroupId: 'sg-0123456789abcdef0',
      },
      deleteTopicsOnRemove: true,
    },
  });
  lowCost = synthHorton({
    config: { deployment: { flowLogs: 'off', pollers: { minimum: 1, maximum: 1 } } },
  });
}, SYNTH_TIMEOUT_MS);

describe('cdk-nag', () => {
  it('reports nothing on the default stack', () => {
    expect(nagFindings(created.stack)).toEqual([]);
  });

  it('reports nothing on the stack with an existing cluster and VPC', () => {
    expect(nagFindings(imported.stack)).toEqual([]);
  });

  it('reports nothing on the low-cost settings (flow logs off)', () => {
    expect(nagFindings(lowCost.stack)).toEqual([]);
  });

  it('acknowledges each finding with a specific reason', () => {
    const all = [
      ...nagAcknowledgements(created.stack),
      ...nagAcknowledgements(imported.stack),
      ...nagAcknowledgements(lowCost.stack),
    ];
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
    // Prepare: an App without outdir would leave a cdk.out* folder in the temp dir
    const outdir = mkdtempSync(path.join(tmpdir(), 'horton-nag-probe-'));
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
