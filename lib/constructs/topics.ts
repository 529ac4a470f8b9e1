/**
 * Kafka topics as a CloudFormation custom resource (Provider framework + the handler in
 * functions/topics-custom-resource): created idempotently, partitions raised on update and never lowered, never
 * deleted unless `deleteTopicsOnRemove`. It also reports the cluster's SASL/IAM bootstrap brokers
 * (GetBootstrapBrokers), so every consumer of that string depends on the topics existing.
 */
import {
  CfnOutput,
  CustomResource,
  Duration,
  aws_iam as iam,
  aws_logs as logs,
  RemovalPolicy,
  custom_resources as cr,
  Validations,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { HortonConfig, TopicRole } from '../config.ts';
import { HortonFunction } from './horton-function.ts';
import type { HortonKafkaCluster } from './kafka-cluster.ts';
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
    const topics = (Object.keys(config.topics) as TopicRole[]).map((role) => config.topics[role]);
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
    const role = this.handler.role;
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

    const providerLogGroup = new logs.LogGroup(this, 'ProviderLogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.handler.function,
      logGroup: providerLogGroup,
    });
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::HortonKafkaTopics',
      properties: {
        ClusterArn: kafka.clusterArn,
        Topics: topics.map((topic) => ({ Name: topic.name, Partitions: topic.partitions })),
        DeleteTopicsOnRemove: String(deleteTopicsOnRemove),
      },
    });
    // The cluster must be up (and, for a new cluster, reachable) before topics are created.
    if (kafka.serverlessCluster) this.resource.node.addDependency(kafka.serverlessCluster);
    this.bootstrapBrokers = this.resource.getAttString('BootstrapBrokers');

    new CfnOutput(this, 'TopicWarnings', {
      description: 'Topics whose partition count was NOT lowered to the configured value (Kafka cannot)',
      value: this.resource.getAttString('Warnings'),
    });

    Validations.of(provider).acknowledge(
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason:
          'CDK Provider framework function: CDK attaches AWSLambdaBasicExecutionRole to it and offers no ' +
          'way to replace it; it only writes its own logs.',
      },
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'CDK Provider framework function: may invoke every version of the onEvent handler (ARN:*), ' +
          'nothing else.',
      },
      {
        id: 'AwsSolutions-L1',
        reason: 'CDK Provider framework function: CDK pins its runtime; upgraded with aws-cdk-lib.',
      },
      {
        id: 'Serverless-LambdaDLQ',
        reason: 'Invoked synchronously by CloudFormation, which reports failures on the stack event.',
      },
      {
        id: 'Serverless-LambdaAsyncFailureDestination',
        reason: 'Invoked synchronously by CloudFormation, which reports failures on the stack event.',
      },
      {
        id: 'Serverless-LambdaDefaultMemorySize',
        reason: 'CDK Provider framework function: CDK sizes it; it only relays one request.',
      },
      {
        id: 'Serverless-LambdaTracing',
        reason: 'CDK Provider framework function: relays one request; the onEvent handler is traced.',
      },
      {
        id: 'Serverless-LambdaLatestVersion',
        reason: 'CDK Provider framework function: CDK pins its runtime; upgraded with aws-cdk-lib.',
      },
    );
  }
}
