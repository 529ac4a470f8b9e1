/**
 * CDK context -> stack settings. Pure (the caller passes the context reader and the file reader), so bin/ stays a
 * few lines and every rule here is unit-tested. No key is required: with none, the stack creates its own VPC and
 * the cluster of `deployment.cluster.kind` (default: a small MSK provisioned cluster) and uses the default
 * configuration.
 *
 *   -c config=<path to JSON>        Horton configuration file (model/config.ts schema)
 *   -c horton='<json>'              the same, inline (or an object under "context" in cdk.json)
 *   -c vpcId=vpc-...                existing VPC; with vpcAzs and privateSubnetIds no lookup (no credentials)
 *   -c vpcAzs=eu-west-1a,eu-west-1b
 *   -c privateSubnetIds=subnet-a,subnet-b   (one per AZ, same order)
 *   -c clusterArn=arn:aws:kafka:...  existing MSK cluster (IAM access control on); sets deployment.cluster.kind
 *                                    to `existing`
 *   -c clusterType=provisioned|serverless   required with clusterArn
 *   -c clusterSecurityGroupId=sg-... security group of the existing cluster (opened to the functions on 9098);
 *                                    required with clusterArn
 *   -c apiKeySet=true                the AlphaVantage key is in the secret: deploy the schedules enabled
 *                                    (same as deployment.apiKeySet in the configuration; default false)
 *   -c deleteTopicsOnRemove=true     delete the topics with the stack (default: keep them)
 *   -c alarmEmail=ops@example.com    subscribe an address to the alarm topic
 *   -c alarmTopicArn=arn:aws:sns:... send the alarms to this existing SNS topic instead of a new one
 *   -c monthlyBudgetUsd=150          an AWS Budgets budget on the stack's cost-allocation tag, alarming at 80%
 *                                    (actual) and 100% (forecast) of this amount
 *   -c nag=false                     skip the cdk-nag checks at synth
 */
import { ConfigError, type HortonConfig, resolveConfig } from '../model/config.ts';
import type { MskClusterType } from './constructs/kafka-cluster.ts';

export class ContextError extends Error {
  override readonly name = 'ContextError';
}

export interface VpcImport {
  vpcId: string;
  /** With `privateSubnetIds`: import without a lookup. */
  availabilityZones?: string[];
  privateSubnetIds?: string[];
}

export interface ClusterImport {
  clusterArn: string;
  clusterType: MskClusterType;
  securityGroupId?: string;
}

export interface HortonContext {
  config: HortonConfig;
  vpc?: VpcImport;
  cluster?: ClusterImport;
  deleteTopicsOnRemove: boolean;
  alarmEmail?: string;
  alarmTopicArn?: string;
  monthlyBudgetUsd?: number;
  nag: boolean;
}

function optionalString(read: (key: string) => unknown, key: string): string | undefined {
  const value = read(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new ContextError(`context "${key}" must be a string`);
  return value.trim();
}

function list(read: (key: string) => unknown, key: string): string[] | undefined {
  const value = read(key);
  if (value === undefined || value === null || value === '') return undefined;
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : undefined;
  if (!items || items.some((item) => typeof item !== 'string')) {
    throw new ContextError(`context "${key}" must be a comma-separated list`);
  }
  return (items as string[]).map((item) => item.trim()).filter((item) => item !== '');
}

function flag(read: (key: string) => unknown, key: string, fallback: boolean): boolean {
  const value = read(key);
  if (value === undefined || value === null || value === '') return fallback;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new ContextError(`context "${key}" must be true or false, got ${JSON.stringify(value)}`);
}

function positiveNumber(read: (key: string) => unknown, key: string): number | undefined {
  const value = read(key);
  if (value === undefined || value === null || value === '') return undefined;
  const number = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(number) || number <= 0) {
    throw new ContextError(`context "${key}" must be a positive number, got ${JSON.stringify(value)}`);
  }
  return number;
}

/** `-c clusterArn=...` names the cluster: the configuration's cluster kind becomes `existing`. */
function withExistingCluster(config: HortonConfig): HortonConfig {
  return {
    ...config,
    deployment: { ...config.deployment, cluster: { ...config.deployment.cluster, kind: 'existing' } },
  };
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ContextError(`${source} is not valid JSON: ${(error as Error).message}`);
  }
}

function configOverrides(read: (key: string) => unknown, readFile: (path: string) => string): unknown {
  const path = optionalString(read, 'config');
  const inline = read('horton');
  if (path && inline !== undefined)
    throw new ContextError('give either -c config=<file> or -c horton=<json>');
  if (path) {
    let text: string;
    try {
      text = readFile(path);
    } catch (error) {
      throw new ContextError(`cannot read the configuration file ${path}: ${(error as Error).message}`);
    }
    return parseJson(text, `configuration file ${path}`);
  }
  if (typeof inline === 'string') return parseJson(inline, 'context "horton"');
  return inline ?? {};
}

/** `-c apiKeySet=...` on top of the configuration's `deployment.apiKeySet`. */
function withApiKeySet(overrides: unknown, apiKeySet: boolean): unknown {
  if (!overrides || typeof overrides !== 'object' || Array.isArray(overrides)) return overrides;
  const base = overrides as Record<string, unknown>;
  const deployment =
    base.deployment && typeof base.deployment === 'object'
      ? (base.deployment as Record<string, unknown>)
      : {};
  return { ...base, deployment: { ...deployment, apiKeySet } };
}

type ReadContext = (key: string) => unknown;

/** The configuration: the file's overrides and `apiKeySet`, resolved; a problem names the file and setting. */
function contextConfig(read: ReadContext, readFile: (path: string) => string): HortonConfig {
  const overrides = configOverrides(read, readFile);
  const apiKeySet = read('apiKeySet') === undefined ? undefined : flag(read, 'apiKeySet', false);
  try {
    return resolveConfig(apiKeySet === undefined ? overrides : withApiKeySet(overrides, apiKeySet));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const source = optionalString(read, 'config') ? `configuration file ${read('config')}` : 'configuration';
    throw new ContextError(`${source}: ${error.problems.join('; ')}`);
  }
}

/** An existing VPC (`vpcId`, optionally with its zones and subnets), or none. */
function vpcImport(read: ReadContext): VpcImport | undefined {
  const vpcId = optionalString(read, 'vpcId');
  const availabilityZones = list(read, 'vpcAzs');
  const privateSubnetIds = list(read, 'privateSubnetIds');
  if (!vpcId && (availabilityZones || privateSubnetIds)) {
    throw new ContextError('vpcAzs and privateSubnetIds describe an existing VPC: give vpcId too');
  }
  if (Boolean(availabilityZones) !== Boolean(privateSubnetIds)) {
    throw new ContextError('give vpcAzs and privateSubnetIds together (or neither, to look the VPC up)');
  }
  if (availabilityZones && privateSubnetIds && availabilityZones.length !== privateSubnetIds.length) {
    throw new ContextError(
      'privateSubnetIds needs one subnet per availability zone in vpcAzs, in the same order',
    );
  }
  if (!vpcId) return undefined;
  return { vpcId, ...(availabilityZones && privateSubnetIds ? { availabilityZones, privateSubnetIds } : {}) };
}

/** An existing MSK cluster (`clusterArn` with its type and security group), or none. */
function clusterImport(read: ReadContext): ClusterImport | undefined {
  const clusterArn = optionalString(read, 'clusterArn');
  const clusterType = optionalString(read, 'clusterType');
  const clusterSecurityGroupId = optionalString(read, 'clusterSecurityGroupId');
  if (!clusterArn && (clusterType || clusterSecurityGroupId)) {
    throw new ContextError(
      'clusterType and clusterSecurityGroupId describe an existing cluster: give clusterArn',
    );
  }
  if (clusterArn && clusterType !== 'provisioned' && clusterType !== 'serverless') {
    throw new ContextError('with clusterArn, give clusterType=provisioned or clusterType=serverless');
  }
  if (clusterArn && !clusterSecurityGroupId) {
    throw new ContextError(
      'with clusterArn, give clusterSecurityGroupId=sg-... (the security group attached to the cluster: ' +
        'aws kafka describe-cluster-v2 --cluster-arn <arn>)',
    );
  }
  if (!clusterArn) return undefined;
  return {
    clusterArn,
    clusterType: clusterType as MskClusterType,
    ...(clusterSecurityGroupId ? { securityGroupId: clusterSecurityGroupId } : {}),
  };
}

export function parseHortonContext(read: ReadContext, readFile: (path: string) => string): HortonContext {
  let config = contextConfig(read, readFile);
  const vpc = vpcImport(read);
  const cluster = clusterImport(read);
  if (cluster) config = withExistingCluster(config);
  else if (config.deployment.cluster.kind === 'existing') {
    throw new ContextError(
      'deployment.cluster.kind is "existing": give -c clusterArn=... -c clusterType=... -c clusterSecurityGroupId=...',
    );
  }

  const alarmEmail = optionalString(read, 'alarmEmail');
  const alarmTopicArn = optionalString(read, 'alarmTopicArn');
  if (alarmTopicArn && !/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/.test(alarmTopicArn)) {
    throw new ContextError(`context "alarmTopicArn" is not an SNS topic ARN: ${alarmTopicArn}`);
  }
  const monthlyBudgetUsd = positiveNumber(read, 'monthlyBudgetUsd');
  return {
    config,
    ...(vpc ? { vpc } : {}),
    ...(cluster ? { cluster } : {}),
    deleteTopicsOnRemove: flag(read, 'deleteTopicsOnRemove', false),
    ...(alarmEmail ? { alarmEmail } : {}),
    ...(alarmTopicArn ? { alarmTopicArn } : {}),
    ...(monthlyBudgetUsd !== undefined ? { monthlyBudgetUsd } : {}),
    nag: flag(read, 'nag', true),
  };
}
