/**
 * What a first deploy, a destroy and a second deploy need, and what an operator sees when a consumer breaks:
 * the imported-cluster security group, stack-unique names of what `cdk destroy` keeps, schedules held until
 * the API key is set, the scheduler's trust, the default security group, table deletion protection, the
 * dead-letter topic's retention, per-prefix metrics, and every alarm's metric name, dimensions and missing-data
 * rule. Also the low-cost variant (config/low-cost.json on an existing provisioned cluster and VPC).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { parseHortonContext } from '../../lib/context.ts';
import { PROJECT_ROOT } from '../../lib/horton-stack.ts';
import { HANDLER_NAMES, HANDLERS } from '../../model/handlers.ts';
import { SETTINGS_VARIABLE } from '../../model/settings.ts';
import { TABLES } from '../../model/tables.ts';
import {
  evaluate,
  logicalIdOf,
  propertiesOf,
  SYNTH_TIMEOUT_MS,
  type Synthesized,
  synthHorton,
} from './cdk-helpers.ts';

vi.setConfig({ testTimeout: SYNTH_TIMEOUT_MS });

const CLUSTER_ARN =
  'arn:aws:kafka:eu-west-1:123456789012:cluster/prod-kafka/0a1b2c3d-aaaa-bbbb-cccc-1234567890ab-7';
const IMPORTED_VPC = {
  vpcId: 'vpc-0123456789abcdef0',
  availabilityZones: ['eu-west-1a', 'eu-west-1b'],
  privateSubnetIds: ['subnet-aaaa1111', 'subnet-bbbb2222'],
};
/** Two instances of the same stack: before a `cdk destroy` and after the next `cdk deploy`. */
const FIRST_STACK_ID =
  'arn:aws:cloudformation:us-east-1:111122223333:stack/Horton/1f2e3d4c-0000-1111-2222-333344445555';
const SECOND_STACK_ID =
  'arn:aws:cloudformation:us-east-1:111122223333:stack/Horton/9a8b7c6d-6666-7777-8888-999900001111';

const kafkaHandlers = HANDLER_NAMES.filter((name) => HANDLERS[name].trigger.kind === 'kafka');

let synthesized: Synthesized;
let template: Template;

beforeAll(() => {
  synthesized = synthHorton();
  template = synthesized.template;
}, SYNTH_TIMEOUT_MS);

/** Resources CloudFormation leaves behind on stack delete, with their physical name under each stack id. */
function retainedNames(stackId: string): Array<{ type: string; name: string }> {
  const nameProperty: Record<string, string> = {
    'AWS::DynamoDB::Table': 'TableName',
    'AWS::SecretsManager::Secret': 'Name',
    'AWS::Scheduler::ScheduleGroup': 'Name',
  };
  return Object.values(template.toJSON().Resources as Record<string, Record<string, unknown>>)
    .filter(
      (resource) =>
        resource.DeletionPolicy === 'Retain' || resource.DeletionPolicy === 'RetainExceptOnCreate',
    )
    .map((resource) => {
      const type = resource.Type as string;
      const property = nameProperty[type];
      if (!property) throw new Error(`retained ${type}: add its name property here`);
      const raw = (resource.Properties as Record<string, unknown>)[property];
      return { type, name: String(evaluate(raw, { 'AWS::StackId': stackId })) };
    });
}

describe('deploy, destroy, deploy again', () => {
  it('retains only the tables and the secret, named with the prefix and a suffix unique to the stack instance', () => {
    const first = retainedNames(FIRST_STACK_ID);
    // Every table of model/tables.ts, the AlphaVantage quota table included (the day's usage survives a redeploy).
    expect(first.map((r) => r.type).sort()).toEqual([
      ...Array(Object.keys(TABLES).length).fill('AWS::DynamoDB::Table'),
      'AWS::SecretsManager::Secret',
    ]);
    for (const { name } of first) expect(name).toMatch(/^horton[-/].*-1f2e3d4c$/);
    // The second stack's names collide with none of the first's (CloudFormation: "already exists").
    const second = new Set(retainedNames(SECOND_STACK_ID).map((r) => r.name));
    for (const { name } of first) expect(second.has(name)).toBe(false);
  });

  it('deletes the schedule group with the stack and names it per stack instance too', () => {
    const id = logicalIdOf(template, 'AWS::Scheduler::ScheduleGroup', 'SchedulesGroup');
    const group = template.toJSON().Resources[id] as {
      DeletionPolicy?: string;
      Properties: { Name: unknown };
    };
    expect(group.DeletionPolicy).toBe('Delete');
    expect(evaluate(group.Properties.Name, { 'AWS::StackId': FIRST_STACK_ID })).toBe('horton-1f2e3d4c');
  });

  it('protects the tables from deletion unless configured off', () => {
    template.allResourcesProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: true });
    const off = synthHorton({ config: { deployment: { tableDeletionProtection: false } } });
    off.template.allResourcesProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: false });
  });
});

describe('existing cluster', () => {
  it('stops at synth, saying what to pass, when the security group of an existing cluster is missing', () => {
    expect(() =>
      synthHorton({
        props: { vpc: IMPORTED_VPC, cluster: { clusterArn: CLUSTER_ARN, clusterType: 'provisioned' } },
      }),
    ).toThrow(/clusterSecurityGroupId=sg-/);
    expect(() =>
      parseHortonContext(
        (key) => ({ clusterArn: CLUSTER_ARN, clusterType: 'provisioned' })[key],
        () => '',
      ),
    ).toThrow(/give clusterSecurityGroupId=sg-/);
  });
});

describe('safe first deploy', () => {
  it('deploys every schedule disabled until the API key is set, then as configured', () => {
    template.allResourcesProperties('AWS::Scheduler::Schedule', { State: 'DISABLED' });
    const warnings = synthesized.stack.node
      .findAll()
      .flatMap((construct) => construct.node.metadata)
      .filter((entry) => entry.type === 'aws:cdk:warning');
    expect(JSON.stringify(warnings)).toContain('-c apiKeySet=true');
    const keySet = synthHorton({ config: { deployment: { apiKeySet: true } } });
    keySet.template.allResourcesProperties('AWS::Scheduler::Schedule', { State: 'ENABLED' });
  });

  it('lets only Scheduler acting for this account and this schedule group assume the scheduler role', () => {
    const role = propertiesOf(template, 'AWS::IAM::Role', 'SchedulesSchedulerRole') as {
      AssumeRolePolicyDocument: { Statement: Array<Record<string, unknown>> };
    };
    const group = logicalIdOf(template, 'AWS::Scheduler::ScheduleGroup', 'SchedulesGroup');
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: {
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [group, 'Arn'] } },
        },
      },
    ]);
  });

  it("strips the rules of the new VPC's default security group", () => {
    const vpc = logicalIdOf(template, 'AWS::EC2::VPC', 'NetworkVpc');
    template.hasResourceProperties('Custom::VpcRestrictDefaultSG', {
      DefaultSecurityGroupId: { 'Fn::GetAtt': [vpc, 'DefaultSecurityGroup'] },
    });
  });

  it('gives the dead-letter topic a 14-day retention by default, configurable', () => {
    const topicsOf = (t: Template) =>
      (propertiesOf(t, 'Custom::HortonKafkaTopics', 'Topics') as { Topics: Array<Record<string, unknown>> })
        .Topics;
    expect(topicsOf(template).filter((topic) => topic.Config)).toEqual([
      { Name: 'horton.dead-letter', Partitions: 1, Config: { 'retention.ms': String(14 * 86_400_000) } },
    ]);
    const threeDays = synthHorton({ config: { deployment: { deadLetterRetentionDays: 3 } } });
    expect(topicsOf(threeDays.template).find((t) => t.Name === 'horton.dead-letter')?.Config).toEqual({
      'retention.ms': String(3 * 86_400_000),
    });
  });
});

describe('metrics per prefix', () => {
  it("sets each function's Powertools service (the metrics' service dimension) and alarms from the prefix", () => {
    const other = synthHorton({ config: { prefix: 'hrt' } });
    const variables = (
      propertiesOf(other.template, 'AWS::Lambda::Function', 'HandlersquoteFunction') as {
        Environment: { Variables: Record<string, unknown> };
      }
    ).Environment.Variables;
    // Tokens (brokers, table names) evaluated to placeholders: only the service name matters here.
    const settings = JSON.parse(String(evaluate(variables[SETTINGS_VARIABLE], {}))) as {
      serviceName: string;
    };
    expect(settings.serviceName).toBe('hrt-quote');
    other.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'hrt-quote-dead-letters',
      Namespace: 'Horton',
      MetricName: 'RecordsDeadLettered',
      Dimensions: [{ Name: 'service', Value: 'hrt-quote' }],
    });
  });
});

/** The one alarm named `name`, with its metric (or metric math) as CloudFormation sees it. */
function alarmNamed(name: string): Record<string, unknown> {
  const found = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter(
    (alarm) => (alarm as { Properties: { AlarmName: string } }).Properties.AlarmName === name,
  );
  if (found.length !== 1) throw new Error(`expected one alarm ${name}, found ${found.length}`);
  return (found[0] as { Properties: Record<string, unknown> }).Properties;
}

describe('alarms that fire when a consumer is broken', () => {
  it.each(kafkaHandlers)('%s: mapping publishes EventCount, ErrorCount and KafkaMetrics', (name) => {
    expect(
      propertiesOf(template, 'AWS::Lambda::EventSourceMapping', `Handlers${name}Consume`).MetricsConfig,
    ).toEqual({ Metrics: ['EventCount', 'ErrorCount', 'KafkaMetrics'] });
  });

  it.each(kafkaHandlers)('%s: lag, silence, retries exhausted, mapping errors', (name) => {
    const fn = { Ref: logicalIdOf(template, 'AWS::Lambda::Function', `Handlers${name}Function`) };
    const mapping = {
      Ref: logicalIdOf(template, 'AWS::Lambda::EventSourceMapping', `Handlers${name}Consume`),
    };
    expect(alarmNamed(`horton-${name}-consumer-lag`)).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'OffsetLag',
      Dimensions: [{ Name: 'FunctionName', Value: fn }],
      Statistic: 'Maximum',
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 1000,
      EvaluationPeriods: 3,
    });
    // A mapping that never polls (cannot join its group, disabled) is silent: silence breaches.
    expect(alarmNamed(`horton-${name}-not-polling`)).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'PolledEventCount',
      Dimensions: [{ Name: 'EventSourceMappingUUID', Value: mapping }],
      Statistic: 'SampleCount',
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      TreatMissingData: 'breaching',
    });
    expect(alarmNamed(`horton-${name}-retries-exhausted`)).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'OnFailureDestinationDeliveredEventCount',
      Dimensions: [{ Name: 'EventSourceMappingUUID', Value: mapping }],
      Statistic: 'Sum',
      Threshold: 1,
      TreatMissingData: 'notBreaching',
    });
    const errors = alarmNamed(`horton-${name}-mapping-errors`) as {
      Metrics: Array<{ Expression?: string; MetricStat?: { Metric: Record<string, unknown>; Stat: string } }>;
    };
    expect(errors.Metrics.find((m) => m.Expression)?.Expression).toBe(
      'FILL(e0, 0) + FILL(e1, 0) + FILL(e2, 0) + FILL(e3, 0)',
    );
    expect(
      errors.Metrics.flatMap((m) => (m.MetricStat ? [m.MetricStat] : [])).map((stat) => [
        stat.Metric.Namespace,
        stat.Metric.MetricName,
        stat.Metric.Dimensions,
        stat.Stat,
      ]),
    ).toEqual(
      [
        'PollingErrorCount',
        'InvokeErrorCount',
        'OnFailureDestinationDeliveryErrorCount',
        'CommitErrorCount',
      ].map((metric) => ['AWS/Lambda', metric, [{ Name: 'EventSourceMappingUUID', Value: mapping }], 'Sum']),
    );
  });

  it.each(HANDLER_NAMES)('%s: errors and throttles of the function', (name) => {
    const fn = { Ref: logicalIdOf(template, 'AWS::Lambda::Function', `Handlers${name}Function`) };
    for (const [alarm, metric] of [
      ['errors', 'Errors'],
      ['throttles', 'Throttles'],
    ] as const) {
      expect(alarmNamed(`horton-${name}-${alarm}`)).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: metric,
        Dimensions: [{ Name: 'FunctionName', Value: fn }],
        Statistic: 'Sum',
        Threshold: 1,
      });
    }
  });
});

describe('low-cost variant (config/low-cost.json, from nothing)', () => {
  let low: Synthesized;

  beforeAll(() => {
    const file = path.join(PROJECT_ROOT, 'config', 'low-cost.json');
    const context = parseHortonContext(
      (key) => ({ config: file })[key],
      (file) => readFileSync(file, 'utf8'),
    );
    low = synthHorton({ config: context.config });
  }, SYNTH_TIMEOUT_MS);

  it('creates the small provisioned cluster, one NAT gateway, no flow log', () => {
    low.template.resourceCountIs('AWS::MSK::Cluster', 1);
    low.template.resourceCountIs('AWS::MSK::ServerlessCluster', 0);
    low.template.resourceCountIs('AWS::EC2::NatGateway', 1);
    low.template.resourceCountIs('AWS::EC2::FlowLog', 0);
  });

  it('uses on-demand pollers, so the mappings carry none of the provisioned-only settings', () => {
    const mappings = Object.values(low.template.findResources('AWS::Lambda::EventSourceMapping')).map(
      (mapping) => (mapping as { Properties: Record<string, unknown> }).Properties,
    );
    expect(mappings).toHaveLength(5);
    for (const properties of mappings) {
      for (const key of [
        'ProvisionedPollerConfig',
        'DestinationConfig',
        'FunctionResponseTypes',
        'MaximumRetryAttempts',
        'MaximumRecordAgeInSeconds',
      ]) {
        expect(properties).not.toHaveProperty(key);
      }
    }
    const alarmNames = Object.values(low.template.findResources('AWS::CloudWatch::Alarm')).map(
      (alarm) => (alarm as { Properties: { AlarmName: string } }).Properties.AlarmName,
    );
    expect(alarmNames.filter((name) => name.endsWith('-retries-exhausted'))).toEqual([]);
    expect(alarmNames.filter((name) => name.endsWith('-backlog-stuck'))).toHaveLength(5);
  });
});

describe('deployment settings', () => {
  it('drops flow logs from a new VPC when configured off, and keeps the REJECT-only option', () => {
    const off = synthHorton({ config: { deployment: { flowLogs: 'off' } } });
    off.template.resourceCountIs('AWS::EC2::FlowLog', 0);
    const reject = synthHorton({ config: { deployment: { flowLogs: 'REJECT' } } });
    reject.template.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'REJECT' });
  });
});
