/**
 * Kafka topics as a CloudFormation custom resource (Provider framework + the handler in
 * functions/topics-custom-resource): created idempotently, partitions raised on update and never lowered, never
 * deleted unless `deleteTopicsOnRemove`. It also reports the cluster's SASL/IAM bootstrap brokers
 * (GetBootstrapBrokers), so every consumer of that string depends on the topics existing.
 */
import {
  CfnOutput,
  CustomResource,
  custom_resources as cr,
  Duration,
  aws_iam as iam,
  aws_logs as logs,
  RemovalPolicy,
  Validations,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { HortonConfig, TopicConfig, TopicRole } from '../../model/config.ts';
import { HortonFunction } from './horton-function.ts';
import type { HortonKafkaCluster } from './kafka-cluster.ts';
import { invokeAllVersionsFinding } from './nag.ts';
import type { HortonNetwork } from './network.ts';

export interface KafkaTopicsProps {
  readonly config: HortonConfig;
  readonly kafka: HortonKafkaCluster;
  readonly network: HortonNetwork;
  readonly projectRoot: string;
  /**
   * Delete the topics (and their records) when the resource is deleted, e.g. with the stack.
   * @default false
   */
  readonly deleteTopicsOnRemove?: boolean;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

export class KafkaTopics extends Construct {
  readonly resource: CustomResource;
  readonly handler: HortonFunction;
  /** Comma-separated SASL/IAM bootstrap brokers (a deploy-time value). */
  readonly bootstrapBrokers: string;

  constructor(scope: Construct, id: string, props: KafkaTopicsProps) {
    super(scope, id);
    const { config, kafka } = props;
    const deleteTopicsOnRemove = props.deleteTopicsOnRemove ?? false;
    this.handler = new HortonFunction(this, 'Handler', {
      entry: 'functions/topics-custom-resource/index.ts',
      projectRoot: props.projectRoot,
      functionName: `${config.prefix}-kafka-topics`,
      description: 'CloudFormation custom resource: creates Horton Kafka topics and raises their partitions',
      serviceName: 'horton-topics-custom-resource',
      network: props.network,
      // Waits for leaders of new topics; MSK Serverless can take a while on first contact.
      timeout: Duration.minutes(5),
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
    });
    this.grantTopicAdministration(config, kafka, deleteTopicsOnRemove);
    const provider = this.createProvider(props.logRetention);
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::HortonKafkaTopics',
      properties: topicsResourceProperties(config, kafka.clusterArn, deleteTopicsOnRemove),
    });
    // The cluster must be up, and the security-group rules in place, before the handler connects: otherwise the
    // first deploy races the rules (an existing cluster is up already, its new ingress rule may not be).
    if (kafka.createdCluster) this.resource.node.addDependency(kafka.createdCluster);
    this.resource.node.addDependency(props.network.rulesReady);
    this.bootstrapBrokers = this.resource.getAttString('BootstrapBrokers');

    new CfnOutput(this, 'TopicWarnings', {
      description: 'Topics whose partition count was NOT lowered to the configured value (Kafka cannot)',
      value: this.resource.getAttString('Warnings'),
    });
  }

  /** The handler's role: describe, create and alter (and, if asked, delete) exactly Horton's topics. */
  private grantTopicAdministration(
    config: HortonConfig,
    kafka: HortonKafkaCluster,
    deleteTopicsOnRemove: boolean,
  ): void {
    const role = this.handler.role;
    const topics = topicsOf(config);
    role.addToPolicy(
      new iam.PolicyStatement({ actions: ['kafka:GetBootstrapBrokers'], resources: [kafka.clusterArn] }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({ actions: ['kafka-cluster:Connect'], resources: [kafka.clusterArn] }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: [
          'kafka-cluster:DescribeTopic',
          'kafka-cluster:CreateTopic',
          'kafka-cluster:AlterTopic',
          ...(deleteTopicsOnRemove ? ['kafka-cluster:DeleteTopic'] : []),
        ],
        resources: topics.map((topic) => kafka.arns.topicArn(topic.name)),
      }),
    );
    // Only the dead-letter topic carries a config of Horton's (its retention).
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['kafka-cluster:AlterTopicDynamicConfiguration'],
        resources: [kafka.arns.topicArn(config.topics.deadLetter.name)],
      }),
    );
    Validations.of(this.handler.function).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        'Invoked synchronously by the Provider framework; CloudFormation reports a failure as a stack event.',
    });
  }

  /**
   * The CDK Provider framework with a role of our own: logs to its own log group only, instead of the
   * AWSLambdaBasicExecutionRole CDK would attach (logs on every log group).
   */
  private createProvider(logRetention: logs.RetentionDays | undefined): cr.Provider {
    const providerLogGroup = new logs.LogGroup(this, 'ProviderLogGroup', {
      retention: logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const frameworkRole = new iam.Role(this, 'ProviderRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Execution role of the Kafka topics custom resource provider (CDK Provider framework)',
    });
    frameworkRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [providerLogGroup.logGroupArn],
      }),
    );
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.handler.function,
      logGroup: providerLogGroup,
      frameworkOnEventRole: frameworkRole,
    });
    Validations.of(frameworkRole).acknowledge({
      id: invokeAllVersionsFinding(this.handler.function),
      reason:
        'CDK Provider framework function: CDK grants it lambda:InvokeFunction on the onEvent handler and its ' +
        'versions (ARN:*), nothing broader.',
    });
    Validations.of(provider).acknowledge(
      {
        id: 'Serverless-LambdaDLQ',
        reason:
          'CDK Provider framework function: invoked by CloudFormation, which reports a failure as a stack event.',
      },
      {
        id: 'Serverless-LambdaDefaultMemorySize',
        reason: 'CDK Provider framework function: CDK sizes it; it only relays one request to the handler.',
      },
      {
        id: 'Serverless-LambdaTracing',
        reason:
          'CDK Provider framework function: relays one request; the onEvent handler it calls is traced.',
      },
    );
    return provider;
  }
}

/** Every topic of the configuration. */
function topicsOf(config: HortonConfig): TopicConfig[] {
  return (Object.keys(config.topics) as TopicRole[]).map((role) => config.topics[role]);
}

/** The custom resource's properties: each topic with its partitions; the dead-letter topic with its retention. */
function topicsResourceProperties(
  config: HortonConfig,
  clusterArn: string,
  deleteTopicsOnRemove: boolean,
): Record<string, unknown> {
  const deadLetterRetentionMs = config.deployment.deadLetterRetentionDays * 24 * 60 * 60 * 1000;
  return {
    ClusterArn: clusterArn,
    Topics: topicsOf(config).map((topic) => ({
      Name: topic.name,
      Partitions: topic.partitions,
      ...(topic === config.topics.deadLetter
        ? { Config: { 'retention.ms': String(deadLetterRetentionMs) } }
        : {}),
    })),
    DeleteTopicsOnRemove: String(deleteTopicsOnRemove),
  };
}
