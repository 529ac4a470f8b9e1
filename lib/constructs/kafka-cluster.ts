/**
 * The Kafka cluster, one of three kinds (config deployment.cluster.kind, docs/decisions/0074-cluster-kinds.md):
 * a new MSK provisioned cluster of small brokers, a new MSK Serverless cluster, or an existing MSK cluster by ARN.
 * Every kind has IAM access control and TLS; the rest of the stack sees one ARN plus the derived topic and group
 * ARNs.
 */
import { type CfnResource, aws_logs as logs, aws_msk as msk, RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { HortonConfig } from '../../model/config.ts';
import { MskArns } from './msk-arns.ts';
import type { HortonNetwork } from './network.ts';
import { stackInstanceSuffix } from './physical-names.ts';

export type MskClusterType = 'provisioned' | 'serverless';

export interface ExistingClusterProps {
  /** ARN of the existing MSK cluster; it must have IAM access control enabled. */
  readonly clusterArn: string;
  /** Provisioned and serverless clusters differ in the describe API and in their per-topic metrics. */
  readonly clusterType: MskClusterType;
}

export interface HortonKafkaClusterProps {
  /** Resource name prefix (config.prefix) and the cluster settings (config.deployment.cluster). */
  readonly config: Pick<HortonConfig, 'prefix' | 'deployment'>;
  readonly network: HortonNetwork;
  /**
   * Use this cluster instead of creating one (required when the configured kind is `existing`).
   * @default - a new cluster of the configured kind
   */
  readonly existingCluster?: ExistingClusterProps;
}

type ClusterSettings = HortonConfig['deployment']['cluster'];

export class HortonKafkaCluster extends Construct {
  readonly clusterArn: string;
  readonly clusterType: MskClusterType;
  readonly arns: MskArns;
  /** The cluster resource, when this construct created it: what the topics must wait for. */
  readonly createdCluster?: CfnResource;
  /** The broker log group of a provisioned cluster this construct created. */
  readonly brokerLogGroup?: logs.LogGroup;

  constructor(scope: Construct, id: string, props: HortonKafkaClusterProps) {
    super(scope, id);
    const { config, network } = props;
    const settings = config.deployment.cluster;
    if (props.existingCluster) {
      this.clusterArn = props.existingCluster.clusterArn;
      this.clusterType = props.existingCluster.clusterType;
    } else if (settings.kind === 'existing') {
      throw new Error('deployment.cluster.kind is "existing" but no cluster was given (-c clusterArn=...)');
    } else if (settings.kind === 'serverless') {
      const cluster = this.createServerless(config.prefix, network);
      this.createdCluster = cluster;
      this.clusterArn = cluster.attrArn;
      this.clusterType = 'serverless';
    } else {
      this.brokerLogGroup = new logs.LogGroup(this, 'BrokerLogs', {
        retention: settings.brokerLogRetentionDays as logs.RetentionDays,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      const cluster = this.createProvisioned(config.prefix, settings, network, this.brokerLogGroup);
      this.createdCluster = cluster;
      this.clusterArn = cluster.attrArn;
      this.clusterType = 'provisioned';
    }
    this.arns = new MskArns(this.clusterArn);
  }

  /** MSK control-plane describe actions for this cluster type (serverless clusters only answer the V2 API). */
  get describeClusterActions(): string[] {
    return this.clusterType === 'serverless'
      ? ['kafka:DescribeClusterV2']
      : ['kafka:DescribeCluster', 'kafka:DescribeClusterV2'];
  }

  private createServerless(prefix: string, network: HortonNetwork): msk.CfnServerlessCluster {
    return new msk.CfnServerlessCluster(this, 'Cluster', {
      clusterName: `${prefix}-kafka`,
      clientAuthentication: { sasl: { iam: { enabled: true } } },
      vpcConfigs: [
        {
          subnetIds: network.vpc.selectSubnets(network.privateSubnets).subnetIds,
          securityGroups: [network.clusterSecurityGroup.securityGroupId],
        },
      ],
    });
  }

  /**
   * Brokers in the private subnets of two AZs, SASL/IAM over TLS only (no plaintext, no unauthenticated access),
   * TLS between brokers, encryption at rest with the MSK service key, broker logs to CloudWatch Logs, and a
   * configuration of Horton's: no auto-created topics (the topics resource creates them) and the retention.
   */
  private createProvisioned(
    prefix: string,
    settings: ClusterSettings,
    network: HortonNetwork,
    brokerLogGroup: logs.LogGroup,
  ): msk.CfnCluster {
    const subnetIds = network.vpc.selectSubnets(network.privateSubnets).subnetIds;
    const brokers = settings.brokersPerAz * subnetIds.length;
    const configuration = new msk.CfnConfiguration(this, 'Configuration', {
      name: `${prefix}-kafka-${stackInstanceSuffix(this)}`,
      description: 'Horton brokers: topics only by the stack, replication and retention',
      serverProperties: brokerProperties(brokers, settings.retentionHours),
    });
    return new msk.CfnCluster(this, 'Cluster', {
      clusterName: `${prefix}-kafka`,
      kafkaVersion: settings.kafkaVersion,
      numberOfBrokerNodes: brokers,
      brokerNodeGroupInfo: {
        instanceType: settings.brokerInstanceType,
        clientSubnets: subnetIds,
        securityGroups: [network.clusterSecurityGroup.securityGroupId],
        storageInfo: { ebsStorageInfo: { volumeSize: settings.storageGiB } },
      },
      clientAuthentication: { sasl: { iam: { enabled: true } }, unauthenticated: { enabled: false } },
      encryptionInfo: { encryptionInTransit: { clientBroker: 'TLS', inCluster: true } },
      configurationInfo: { arn: configuration.attrArn, revision: configuration.attrLatestRevisionRevision },
      loggingInfo: {
        brokerLogs: { cloudWatchLogs: { enabled: true, logGroup: brokerLogGroup.logGroupName } },
      },
      enhancedMonitoring: 'DEFAULT',
    });
  }
}

/**
 * Broker properties of a provisioned cluster: a replica in each of up to three brokers, and writes that still
 * succeed while one broker restarts for patching (min.insync.replicas below the replication factor).
 */
function brokerProperties(brokers: number, retentionHours: number): string {
  const replication = Math.min(3, brokers);
  return [
    'auto.create.topics.enable=false',
    `default.replication.factor=${replication}`,
    `min.insync.replicas=${Math.max(1, replication - 1)}`,
    'num.partitions=3',
    `log.retention.hours=${retentionHours}`,
    'unclean.leader.election.enable=false',
  ].join('\n');
}
