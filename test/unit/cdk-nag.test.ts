/**
 * cdk-nag (AwsSolutions + Serverless packs) finds nothing unacknowledged, on the default stack and on the
 * imported-cluster stack, and every acknowledgement names one finding and says why.
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SYNTH_TIMEOUT_MS, type Synthesized, synthHorton } from './cdk-helpers.ts';

function findings(scope: IConstruct): string[] {
  return [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
    pack
      .validateScope(scope)
      .violations.flatMap((violation) =>
        violation.violatingResources.map((resource) => `${violation.ruleName} at ${resource.constructPath}`),
      ),
  );
}

function acknowledgements(scope: IConstruct): Array<{ path: string; id: string; reason: string }> {
  return scope.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id,
          reason,
        })),
      ),
  );
}

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
    expect(findings(created.stack)).toEqual([]);
  });

  it('reports nothing on the stack with an existing cluster and VPC', () => {
    expect(findings(imported.stack)).toEqual([]);
  });

  it('reports nothing on the low-cost settings (flow logs off)', () => {
    expect(findings(lowCost.stack)).toEqual([]);
  });

  it('acknowledges each finding with a specific reason', () => {
    const all = [
      ...acknowledgements(created.stack),
      ...acknowledgements(imported.stack),
      ...acknowledgements(lowCost.stack),
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
    // Prepare
    const stack = new Stack(new App(), 'Probe');
    new sqs.Queue(stack, 'Plain', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    // Act
    const reported = findings(stack);
    // Assess
    expect(reported).toEqual(
      expect.arrayContaining([expect.stringMatching(/^AwsSolutions-SQS4 at Probe\/Plain/)]),
    );
  });
});
