/**
 * The Horton pipeline stack: network, Kafka cluster and topics, tables, the API key secret, one function per
 * handler with its event source mapping, the schedules, and the dashboard and alarms; every taggable resource
 * carries the cost-allocation tags. Environment-agnostic unless an existing VPC must be looked up, so `cdk synth`
 * needs no AWS credentials by default.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Annotations,
  CfnOutput,
  aws_ec2 as ec2,
  RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { HortonConfig } from '../model/config.ts';
import { AlphaVantageApiKey } from './constructs/api-key-secret.ts';
import { applyCostTags } from './constructs/cost-tags.ts';
import { type ExistingClusterProps, HortonKafkaCluster } from './constructs/kafka-cluster.ts';
import { HortonMonitoring } from './constructs/monitoring.ts';
import { HortonNetwork } from './constructs/network.ts';
import { PipelineFunctions } from './constructs/pipeline-functions.ts';
import { HortonSchedules } from './constructs/schedules.ts';
import { HortonTables } from './constructs/tables.ts';
import { KafkaTopics } from './constructs/topics.ts';
import type { VpcImport } from './context.ts';

/** The repository root (esbuild's working directory), from this file's location. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface HortonStackProps extends StackProps {
  /** The resolved configuration (model/config.ts). */
  readonly config: HortonConfig;
  /**
   * An existing VPC. With availability zones and private subnet ids it is imported as given; with the id alone
   * it is looked up, which needs AWS credentials and an explicit stack `env`.
   * @default - a new VPC
   */
  readonly vpc?: VpcImport;
  /**
   * An existing MSK cluster (IAM access control on) and the id of the security group attached to it, which is
   * opened to the functions on 9098. Without that id the stack stops at synth: a group of its own would be
   * attached to nothing and the first connection (the topics resource) would fail at deploy.
   * @default - a new cluster of config.deployment.cluster.kind
   */
  readonly cluster?: ExistingClusterProps & { readonly securityGroupId?: string };
  /**
   * Delete the Kafka topics when the stack (or the topics resource) is deleted.
   * @default false
   */
  readonly deleteTopicsOnRemove?: boolean;
  /**
   * What happens to the tables and the API key secret when they leave the stack. Their names are unique per
   * stack instance, so a stack created again after `cdk destroy` does not collide with what was retained.
   * @default RemovalPolicy.RETAIN
   */
  readonly dataRemovalPolicy?: RemovalPolicy;
  /**
   * Address subscribed to the alarm topic.
   * @default - none
   */
  readonly alarmEmail?: string;
  /**
   * An existing SNS topic that receives the alarms (and the budget notifications) instead of a new one.
   * @default - a new topic `<prefix>-alarms`
   */
  readonly alarmTopicArn?: string;
  /**
   * An AWS Budgets budget on the deployment's cost-allocation tag, USD a month.
   * @default - none
   */
  readonly monthlyBudgetUsd?: number;
  /** @default PROJECT_ROOT */
  readonly projectRoot?: string;
}

export class HortonStack extends Stack {
  readonly network: HortonNetwork;
  readonly kafka: HortonKafkaCluster;
  readonly topics: KafkaTopics;
  readonly tables: HortonTables;
  readonly apiKey: AlphaVantageApiKey;
  readonly pipeline: PipelineFunctions;
  readonly schedules: HortonSchedules;
  readonly monitoring: HortonMonitoring;

  constructor(scope: Construct, id: string, props: HortonStackProps) {
    super(scope, id, props);
    const { config } = props;
    const projectRoot = props.projectRoot ?? PROJECT_ROOT;
    const dataRemovalPolicy = props.dataRemovalPolicy ?? RemovalPolicy.RETAIN;

    this.network = this.createNetwork(props);
    this.kafka = new HortonKafkaCluster(this, 'Kafka', {
      config,
      network: this.network,
      ...(props.cluster
        ? {
            existingCluster: { clusterArn: props.cluster.clusterArn, clusterType: props.cluster.clusterType },
          }
        : {}),
    });
    this.topics = new KafkaTopics(this, 'Topics', {
      config,
      kafka: this.kafka,
      network: this.network,
      projectRoot,
      deleteTopicsOnRemove: props.deleteTopicsOnRemove ?? false,
    });
    this.tables = new HortonTables(this, 'Tables', { config, removalPolicy: dataRemovalPolicy });
    this.apiKey = new AlphaVantageApiKey(this, 'AlphaVantageApiKey', {
      prefix: config.prefix,
      removalPolicy: dataRemovalPolicy,
    });
    this.pipeline = new PipelineFunctions(this, 'Handlers', {
      config,
      projectRoot,
      network: this.network,
      kafka: this.kafka,
      bootstrapBrokers: this.topics.bootstrapBrokers,
      topicsReady: this.topics.resource,
      tables: this.tables,
      apiKey: this.apiKey,
    });
    this.schedules = new HortonSchedules(this, 'Schedules', {
      config,
      dispatcher: this.pipeline.functions.dispatcher,
    });
    this.monitoring = new HortonMonitoring(this, 'Monitoring', {
      config,
      kafka: this.kafka,
      pipeline: this.pipeline,
      scheduleFailureQueue: this.schedules.failureQueue,
      ...(props.alarmEmail ? { alarmEmail: props.alarmEmail } : {}),
      ...(props.alarmTopicArn ? { alarmTopicArn: props.alarmTopicArn } : {}),
      ...(props.monthlyBudgetUsd !== undefined ? { monthlyBudgetUsd: props.monthlyBudgetUsd } : {}),
    });
    applyCostTags(this, config.prefix);
    this.addOutputs(config);
  }

  /** The network: new, or the imported VPC and cluster security group (checked: an import needs both parts). */
  private createNetwork(props: HortonStackProps): HortonNetwork {
    const { config } = props;
    if (props.cluster && !props.cluster.securityGroupId) {
      throw new Error(
        'An existing cluster needs its security group: pass -c clusterSecurityGroupId=sg-... (aws kafka ' +
          'describe-cluster-v2 --cluster-arn <arn>: SecurityGroupIds of the cluster).',
      );
    }
    if (props.cluster && !props.vpc) {
      Annotations.of(this).addWarningV2(
        'horton:cluster-without-vpc',
        'An existing cluster is used with a NEW VPC: the functions can only reach it through peering or a ' +
          'similar link. Pass -c vpcId=... (the cluster VPC) unless that is intended.',
      );
    }
    return new HortonNetwork(this, 'Network', {
      natGateways: config.deployment.natGateways,
      flowLogs: config.deployment.flowLogs,
      ...(props.vpc ? { existingVpc: this.importVpc(props.vpc) } : {}),
      ...(props.cluster?.securityGroupId
        ? {
            existingClusterSecurityGroup: ec2.SecurityGroup.fromSecurityGroupId(
              this,
              'ClusterSecurityGroup',
              props.cluster.securityGroupId,
            ),
          }
        : {}),
    });
  }

  private addOutputs(config: HortonConfig): void {
    new CfnOutput(this, 'BackfillFunctionName', {
      description: 'Invoke by hand for a backfill (see README, Deploy)',
      value: this.pipeline.functions.backfill.functionName,
    });
    new CfnOutput(this, 'OperationsFunctionName', {
      description:
        'Invoked by the horton CLI for dead letters, offsets and send (see README, Operating Horton)',
      value: this.pipeline.functions.operations.functionName,
    });
    new CfnOutput(this, 'Prefix', {
      description: 'Resource name prefix (tables, topics)',
      value: config.prefix,
    });
    new CfnOutput(this, 'AlphaVantageSecretArn', {
      description: 'Put the AlphaVantage API key here (see README, Deploy)',
      value: this.apiKey.secret.secretArn,
    });
    new CfnOutput(this, 'KafkaClusterArn', { value: this.kafka.clusterArn });
    new CfnOutput(this, 'KafkaBootstrapBrokers', {
      description: 'SASL/IAM bootstrap brokers',
      value: this.topics.bootstrapBrokers,
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      description: 'Alarms and budget notifications; subscribe to it (see README, Alarms)',
      value: this.monitoring.alarmTopic.topicArn,
    });
    new CfnOutput(this, 'DashboardName', { value: config.prefix });
    new CfnOutput(this, 'ScheduleFailureQueueUrl', {
      description: 'Schedule firings that never reached, or failed in, the dispatcher',
      value: this.schedules.failureQueue.queueUrl,
    });
  }

  private importVpc(vpc: VpcImport): ec2.IVpc {
    if (vpc.availabilityZones && vpc.privateSubnetIds) {
      const imported = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
        vpcId: vpc.vpcId,
        availabilityZones: vpc.availabilityZones,
        privateSubnetIds: vpc.privateSubnetIds,
      });
      Validations.of(imported).acknowledge({
        id: '@aws-cdk/aws-ec2:noSubnetRouteTableId',
        reason: 'Horton only places functions in the subnets; it never reads or changes their route tables.',
      });
      return imported;
    }
    // Needs credentials and an env-specific stack (account/region); cached in cdk.context.json afterwards.
    return ec2.Vpc.fromLookup(this, 'Vpc', { vpcId: vpc.vpcId });
  }
}
