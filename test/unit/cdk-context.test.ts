/**
 * CDK context parsing (lib/context.ts) and MSK ARN derivation (lib/constructs/msk-arns.ts): pure, no synthesis.
 */
import { describe, expect, it } from 'vitest';
import { MskArns } from '../../lib/constructs/msk-arns.ts';
import { ContextError, parseHortonContext } from '../../lib/context.ts';

function parse(context: Record<string, unknown>, files: Record<string, string> = {}) {
  return parseHortonContext(
    (key) => context[key],
    (file) => {
      const text = files[file];
      if (text === undefined) throw new Error(`ENOENT: ${file}`);
      return text;
    },
  );
}

describe('parseHortonContext', () => {
  it('defaults to a new provisioned cluster; -c clusterArn makes it existing; existing needs an ARN', () => {
    expect(parse({}).config.deployment.cluster.kind).toBe('provisioned');
    const arn = 'arn:aws:kafka:eu-west-1:123456789012:cluster/c/0a1b2c3d-aaaa-bbbb-cccc-1234567890ab-7';
    const existing = parse({ clusterArn: arn, clusterType: 'provisioned', clusterSecurityGroupId: 'sg-1' });
    expect(existing.config.deployment.cluster.kind).toBe('existing');
    expect(() => parse({ horton: { deployment: { cluster: { kind: 'existing' } } } })).toThrow(
      /kind is "existing": give -c clusterArn/,
    );
    expect(() => parse({ horton: { deployment: { cluster: { kind: 'huge' } } } })).toThrow(
      /deployment\.cluster\.kind/,
    );
  });

  it('reads the alarm topic ARN and the monthly budget, and names a bad one', () => {
    const context = parse({
      alarmTopicArn: 'arn:aws:sns:us-east-1:123456789012:ops-pager',
      monthlyBudgetUsd: '150',
    });
    expect(context.alarmTopicArn).toBe('arn:aws:sns:us-east-1:123456789012:ops-pager');
    expect(context.monthlyBudgetUsd).toBe(150);
    expect(() => parse({ alarmTopicArn: 'ops-pager' })).toThrow(/alarmTopicArn" is not an SNS topic ARN/);
    expect(() => parse({ monthlyBudgetUsd: 'lots' })).toThrow(/monthlyBudgetUsd" must be a positive number/);
    expect(() => parse({ monthlyBudgetUsd: '-5' })).toThrow(/monthlyBudgetUsd" must be a positive number/);
  });

  it('needs no context at all: default configuration, new VPC and cluster, nag on, topics kept', () => {
    const context = parse({});
    expect(context.config.prefix).toBe('horton');
    expect(context.vpc).toBeUndefined();
    expect(context.cluster).toBeUndefined();
    expect(context.deleteTopicsOnRemove).toBe(false);
    expect(context.nag).toBe(true);
  });

  it('reads the configuration from a JSON file or from inline JSON', () => {
    expect(parse({ config: 'horton.json' }, { 'horton.json': '{"prefix":"fromfile"}' }).config.prefix).toBe(
      'fromfile',
    );
    expect(parse({ horton: '{"prefix":"inline"}' }).config.prefix).toBe('inline');
    expect(parse({ horton: { prefix: 'object' } }).config.prefix).toBe('object');
  });

  it('rejects both configuration sources at once, unreadable files, bad JSON and invalid settings', () => {
    expect(() => parse({ config: 'a.json', horton: '{}' }, { 'a.json': '{}' })).toThrow(ContextError);
    expect(() => parse({ config: 'missing.json' })).toThrow(
      /cannot read the configuration file missing.json/,
    );
    expect(() => parse({ horton: '{prefix' })).toThrow(/not valid JSON/);
    expect(() => parse({ horton: '{"prefix":"UPPER"}' })).toThrow(/prefix/);
  });

  it('imports a VPC without lookup when zones and subnets are given, and checks they pair up', () => {
    expect(parse({ vpcId: 'vpc-1', vpcAzs: 'a,b', privateSubnetIds: 'subnet-1, subnet-2' }).vpc).toEqual({
      vpcId: 'vpc-1',
      availabilityZones: ['a', 'b'],
      privateSubnetIds: ['subnet-1', 'subnet-2'],
    });
    expect(parse({ vpcId: 'vpc-1' }).vpc).toEqual({ vpcId: 'vpc-1' });
    expect(() => parse({ vpcAzs: 'a' })).toThrow(/give vpcId/);
    expect(() => parse({ vpcId: 'vpc-1', vpcAzs: 'a' })).toThrow(/together/);
    expect(() => parse({ vpcId: 'vpc-1', vpcAzs: 'a,b', privateSubnetIds: 'subnet-1' })).toThrow(
      /one subnet per/,
    );
  });

  it('requires the cluster type and the cluster security group with an existing cluster', () => {
    const arn = 'arn:aws:kafka:eu-west-1:123456789012:cluster/c/u-1';
    expect(
      parse({ clusterArn: arn, clusterType: 'serverless', clusterSecurityGroupId: 'sg-1' }).cluster,
    ).toEqual({ clusterArn: arn, clusterType: 'serverless', securityGroupId: 'sg-1' });
    expect(() => parse({ clusterArn: arn, clusterType: 'serverless' })).toThrow(
      /give clusterSecurityGroupId=sg-/,
    );
    expect(() => parse({ clusterArn: arn })).toThrow(/clusterType=provisioned or clusterType=serverless/);
    expect(() => parse({ clusterArn: arn, clusterType: 'big' })).toThrow(ContextError);
    expect(() => parse({ clusterType: 'serverless' })).toThrow(/give clusterArn/);
  });

  it('turns -c apiKeySet on top of the configuration file', () => {
    expect(parse({}).config.deployment.apiKeySet).toBe(false);
    expect(parse({ apiKeySet: 'true' }).config.deployment.apiKeySet).toBe(true);
    const inline = JSON.stringify({
      prefix: 'x',
      deployment: { apiKeySet: true, tableDeletionProtection: false },
    });
    const config = parse({ horton: inline, apiKeySet: 'false' }).config;
    expect(config.deployment).toMatchObject({ apiKeySet: false, tableDeletionProtection: false });
    expect(config.prefix).toBe('x');
    expect(() => parse({ apiKeySet: 'maybe' })).toThrow(/true or false/);
  });

  it('reads flags from strings or booleans and rejects anything else', () => {
    expect(parse({ deleteTopicsOnRemove: 'true', nag: false }).deleteTopicsOnRemove).toBe(true);
    expect(parse({ nag: 'false' }).nag).toBe(false);
    expect(() => parse({ deleteTopicsOnRemove: 'yes' })).toThrow(/true or false/);
  });
});

describe('MskArns', () => {
  it('derives topic and group ARNs from a literal cluster ARN', () => {
    const arns = new MskArns('arn:aws-cn:kafka:cn-north-1:123456789012:cluster/my-cluster/abcd-1234-5');
    expect(arns.clusterName).toBe('my-cluster');
    expect(arns.clusterUuid).toBe('abcd-1234-5');
    expect(arns.topicArn('t.1')).toBe(
      'arn:aws-cn:kafka:cn-north-1:123456789012:topic/my-cluster/abcd-1234-5/t.1',
    );
    expect(arns.groupArn('g-1')).toBe(
      'arn:aws-cn:kafka:cn-north-1:123456789012:group/my-cluster/abcd-1234-5/g-1',
    );
  });

  it('rejects what is not an MSK cluster ARN', () => {
    expect(() => new MskArns('arn:aws:kafka:eu-west-1:123456789012:topic/c/u/t')).toThrow(
      /not an MSK cluster ARN/,
    );
    expect(() => new MskArns('my-cluster')).toThrow(/not an MSK cluster ARN/);
  });
});
