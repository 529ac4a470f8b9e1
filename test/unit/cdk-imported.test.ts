/**
 * The stack on an existing MSK cluster (provisioned) in an existing VPC imported from context values (no lookup,
 * no credentials), with a custom prefix, a custom topic and deleteTopicsOnRemove.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseHortonContext } from '../../lib/context.ts';
import {
  evaluate,
  logicalIdOf,
  permissionsOfRole,
  propertiesOf,
  SYNTH_TIMEOUT_MS,
  synthHorton,
} from './cdk-helpers.ts';

const CLUSTER_ARN =
  'arn:aws:kafka:eu-west-1:123456789012:cluster/prod-kafka/0a1b2c3d-aaaa-bbbb-cccc-1234567890ab-7';
const TOPIC_PREFIX =
  'arn:aws:kafka:eu-west-1:123456789012:topic/prod-kafka/0a1b2c3d-aaaa-bbbb-cccc-1234567890ab-7';
const GROUP_PREFIX =
  'arn:aws:kafka:eu-west-1:123456789012:group/prod-kafka/0a1b2c3d-aaaa-bbbb-cccc-1234567890ab-7';

const CONTEXT: Record<string, string> = {
  clusterArn: CLUSTER_ARN,
  clusterType: 'provisioned',
  clusterSecurityGroupId: 'sg-0123456789abcdef0',
  vpcId: 'vpc-0123456789abcdef0',
  vpcAzs: 'eu-west-1a,eu-west-1b',
  privateSubnetIds: 'subnet-aaaa1111,subnet-bbbb2222',
  deleteTopicsOnRemove: 'true',
  horton: JSON.stringify({ prefix: 'hrt', topics: { quote: { name: 'hrt.quote', partitions: 6 } } }),
};

let template: Template;

beforeAll(() => {
  // Prepare: the same path as bin/horton.ts, from context strings.
  const context = parseHortonContext(
    (key) => CONTEXT[key],
    () => {
      throw new Error('no file expected');
    },
  );
  // Act
  const synthesized = synthHorton({
    config: context.config,
    props: {
      ...(context.vpc ? { vpc: context.vpc } : {}),
      ...(context.cluster ? { cluster: context.cluster } : {}),
      deleteTopicsOnRemove: context.deleteTopicsOnRemove,
    },
  });
  template = synthesized.template;
}, SYNTH_TIMEOUT_MS);

describe('existing cluster and VPC', () => {
  it('creates no VPC, no NAT, no cluster, no cluster security group', () => {
    for (const type of [
      'AWS::EC2::VPC',
      'AWS::EC2::NatGateway',
      'AWS::MSK::ServerlessCluster',
      'AWS::MSK::Cluster',
      'AWS::EC2::FlowLog',
    ]) {
      template.resourceCountIs(type, 0);
    }
    template.resourceCountIs('AWS::EC2::SecurityGroup', 1);
  });

  it('places the functions in the given subnets', () => {
    const ours = Object.values(template.findResources('AWS::Lambda::Function')).filter((fn) =>
      String((fn as { Properties: { FunctionName?: string } }).Properties.FunctionName).startsWith('hrt-'),
    );
    expect(ours).toHaveLength(9);
    for (const fn of ours) {
      expect(
        (fn as { Properties: { VpcConfig: { SubnetIds: string[] } } }).Properties.VpcConfig.SubnetIds,
      ).toEqual(['subnet-aaaa1111', 'subnet-bbbb2222']);
    }
  });

  it("opens the existing cluster's security group to the functions on 9098", () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: 'sg-0123456789abcdef0',
      SourceSecurityGroupId: {
        'Fn::GetAtt': [
          logicalIdOf(template, 'AWS::EC2::SecurityGroup', 'NetworkFunctionSecurityGroup'),
          'GroupId',
        ],
      },
      FromPort: 9098,
      ToPort: 9098,
    });
  });

  it('maps the existing cluster by its literal ARN, with the configured topic name', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: CLUSTER_ARN,
      Topics: ['hrt.quote'],
      AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'hrt-quote-handler' },
      DestinationConfig: { OnFailure: { Destination: 'kafka://hrt.dead-letter' } },
      ProvisionedPollerConfig: { PollerGroupName: 'hrt-pollers' },
    });
  });

  it('derives topic and group ARNs from the literal cluster ARN at synth time', () => {
    const permissions = permissionsOfRole(template, 'HandlersquoteRole');
    expect(permissions).toEqual(
      expect.arrayContaining([
        `kafka-cluster:ReadData on ${TOPIC_PREFIX}/hrt.quote`,
        `kafka-cluster:AlterGroup on ${GROUP_PREFIX}/hrt-quote-handler`,
        `kafka-cluster:WriteData on ${TOPIC_PREFIX}/hrt.dead-letter`,
        // A provisioned cluster answers both describe APIs.
        `kafka:DescribeCluster on ${CLUSTER_ARN}`,
        `kafka:DescribeClusterV2 on ${CLUSTER_ARN}`,
      ]),
    );
  });

  it('grants DeleteTopic and says so to the custom resource when deleteTopicsOnRemove is set', () => {
    expect(propertiesOf(template, 'Custom::HortonKafkaTopics', 'Topics')).toMatchObject({
      ClusterArn: CLUSTER_ARN,
      DeleteTopicsOnRemove: 'true',
      Topics: expect.arrayContaining([{ Name: 'hrt.quote', Partitions: 6 }]),
    });
    expect(permissionsOfRole(template, 'TopicsHandlerRole')).toContain(
      `kafka-cluster:DeleteTopic on ${TOPIC_PREFIX}/hrt.quote`,
    );
  });

  it('names resources with the prefix and alarms on dead letters Lambda sends (any cluster kind)', () => {
    template.hasResourceProperties('AWS::Lambda::Function', { FunctionName: 'hrt-backfill' });
    expect(
      String(evaluate(propertiesOf(template, 'AWS::DynamoDB::Table', 'Tablesquotes').TableName)),
    ).toMatch(/^hrt-quotes-/);
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
      (alarm) => (alarm as { Properties: { AlarmName: string } }).Properties.AlarmName,
    );
    expect(alarms).toContain('hrt-quote-consumer-lag');
    expect(alarms).toContain('hrt-quote-retries-exhausted');
    expect(alarms).toContain('hrt-quote-dead-letters');
  });
});

describe('existing cluster without an existing VPC', () => {
  it('still synthesizes, with a warning that the new VPC must reach the cluster', {
    timeout: SYNTH_TIMEOUT_MS,
  }, () => {
    // Act
    const { stack } = synthHorton({
      props: {
        cluster: {
          clusterArn: CLUSTER_ARN,
          clusterType: 'serverless',
          securityGroupId: 'sg-0123456789abcdef0',
        },
      },
    });
    // Assess
    const warnings = stack.node.metadata.filter((entry) => entry.type === 'aws:cdk:warning');
    expect(JSON.stringify(warnings)).toContain('NEW VPC');
  });
});
