/**
 * The Kafka cluster: a new MSK Serverless cluster with IAM access control, or an existing MSK cluster (provisioned
 * or serverless) by ARN. Either way the rest of the stack sees one ARN plus the derived topic and group ARNs.
 */
import { aws_msk as msk, Tags } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { MskArns } from './msk-arns.ts';
import type { HortonNetwork } from './network.ts';

export type MskClusterType = 'provisioned' | 'serverless';

export interface ExistingClusterProps {
  /** ARN of the existing MSK cluster; it must have IAM access control enabled. */
  readonly clusterArn: string;
  /** Provisioned and serverless clusters differ in the describe API and in their per-topic metrics. */
  readonly clusterType: MskClusterType;
}

export interface HortonKafkaClusterProps {
  /** Resource name prefix (config.prefix). */
  readonly prefix: string;
  readonly network: HortonNetwork;
  /**
   * Use this cluster instead of creating one.
   * @default - a new MSK Serverless cluster named `<prefix>-kafka`
   */
  readonly existingCluster?: ExistingClusterProps;
}

export class HortonKafkaCluster extends Construct {
  readonly clusterArn: string;
  readonly clusterType: MskClusterType;
  readonly arns: MskArns;
  /** Set when this construct created the cluster. */
  readonly serverlessCluster?: msk.CfnServerlessCluster;

  constructor(scope: Construct, id: string, props: HortonKafkaClusterProps) {
    super(scope, id);
    if (props.existingCluster) {
      this.clusterArn = props.existingCluster.clusterArn;
      this.clusterType = props.existingCluster.clusterType;
    } else {
      const cluster = new msk.CfnServerlessCluster(this, 'Cluster', {
        clusterName: `${props.prefix}-kafka`,
        clientAuthentication: { sasl: { iam: { enabled: true } } },
        vpcConfigs: [
          {
            subnetIds: props.network.vpc.selectSubnets(props.network.privateSubnets).subnetIds,
            securityGroups: [props.network.clusterSecurityGroup.securityGroupId],
          },
        ],
      });
      Tags.of(cluster).add('horton:component', 'kafka');
      this.serverlessCluster = cluster;
      this.clusterArn = cluster.attrArn;
      this.clusterType = 'serverless';
    }
    this.arns = new MskArns(this.clusterArn);
  }

  /** MSK control-plane describe actions for this cluster type (serverless clusters only answer the V2 API). */
  get describeClusterActions(): string[] {
    return this.clusterType === 'serverless'
      ? ['kafka:DescribeClusterV2']
      : ['kafka:DescribeCluster', 'kafka:DescribeClusterV2'];
  }
}
