/**
 * One Lambda function the Horton way: Node 22 on arm64, bundled locally by esbuild (never Docker) to minified ESM
 * with source maps, JSON logs into an explicit log group with retention, X-Ray tracing, in the VPC. Its role is
 * its own and starts empty: every permission comes from a `bind*` helper that also sets the environment variable
 * the handler reads, so a grant and the setting that needs it cannot drift apart.
 */
import path from 'node:path';
import {
  Duration,
  aws_iam as iam,
  aws_lambda as lambda,
  aws_logs as logs,
  aws_lambda_nodejs as nodejs,
  RemovalPolicy,
  type aws_secretsmanager as secretsmanager,
  Validations,
} from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { KafkaDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct, type IDependable } from 'constructs';
import { type ConsumerConfig, ENV, type TableRole, type TopicRole } from '../../model/config.ts';
import type { HortonKafkaCluster } from './kafka-cluster.ts';
import type { HortonNetwork } from './network.ts';

/**
 * esbuild turns `require()` calls of bundled CommonJS packages (kafkajs, undici, the X-Ray SDK) into a shim that
 * throws in an ES module unless a real `require` exists; this banner provides one.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __hortonCreateRequire } from 'node:module'; const require = __hortonCreateRequire(import.meta.url);";

export const FUNCTION_RUNTIME = lambda.Runtime.NODEJS_22_X;

export type TableAccess = 'read' | 'write' | 'readWrite';

export interface HortonFunctionProps {
  /** Entry file relative to `projectRoot`; it exports `handler`. */
  readonly entry: string;
  /** Repository root: esbuild's working directory and where package-lock.json lives. */
  readonly projectRoot: string;
  readonly functionName: string;
  readonly description: string;
  /** Powertools service name (log `service` key, metric `service` dimension). */
  readonly serviceName: string;
  readonly network: HortonNetwork;
  /** Settings the handler reads (already filtered to what it needs). @default {} */
  readonly environment?: Record<string, string>;
  /** @default 512 (MB; also buys CPU for JSON parsing and TLS) */
  readonly memorySize?: number;
  /** @default Duration.seconds(30) */
  readonly timeout?: Duration;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** @default lambda.ApplicationLogLevel.INFO */
  readonly applicationLogLevel?: lambda.ApplicationLogLevel;
  /** @default lambda.SystemLogLevel.WARN */
  readonly systemLogLevel?: lambda.SystemLogLevel;
}

/** Settings of one Kafka event source mapping. */
export interface KafkaConsumerOptions {
  readonly kafka: HortonKafkaCluster;
  readonly topicRole: TopicRole;
  readonly topicName: string;
  /** Stable across deploys: a new id re-reads the topic from `startingPosition`. */
  readonly consumerGroupId: string;
  /** Batch size, window, retries, record age and starting position (config.consumers). */
  readonly consumer: ConsumerConfig;
  /** Topic that receives records whose retries or age ran out (the Kafka on-failure destination). */
  readonly deadLetterTopicName: string;
  /** Provisioned pollers of the mapping. */
  readonly pollers: lambda.ProvisionedPollerConfig;
  /** What must exist before the mapping starts polling (the topics). */
  readonly dependsOn?: IDependable[];
}

export class HortonFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  private readonly connectedClusters = new Set<string>();

  constructor(scope: Construct, id: string, props: HortonFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      logGroupName: `/aws/lambda/${props.functionName}`,
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.functionName}`,
    });
    // Instead of AWSLambdaBasicExecutionRole (logs on every log group): this function's log group only.
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    // Instead of AWSLambdaVPCAccessExecutionRole: EC2 has no resource-level scoping Lambda can use here.
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: [
          'ec2:CreateNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
        ],
        resources: ['*'],
      }),
    );

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      functionName: props.functionName,
      description: props.description,
      entry: path.join(props.projectRoot, props.entry),
      handler: 'handler',
      projectRoot: props.projectRoot,
      depsLockFilePath: path.join(props.projectRoot, 'package-lock.json'),
      runtime: FUNCTION_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: props.applicationLogLevel ?? lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: props.systemLogLevel ?? lambda.SystemLogLevel.WARN,
      tracing: lambda.Tracing.ACTIVE,
      vpc: props.network.vpc,
      vpcSubnets: props.network.privateSubnets,
      securityGroups: [props.network.functionSecurityGroup],
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        ...props.environment,
      },
      bundling: {
        forceDockerBundling: false,
        format: nodejs.OutputFormat.ESM,
        target: 'node22',
        // Prefer packages' ESM builds; fall back to CommonJS (kafkajs has no ESM build).
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        minify: true,
        sourceMap: true,
        sourceMapMode: nodejs.SourceMapMode.DEFAULT,
        // Stack traces need names and lines, not the sources: keeps the .map small.
        sourcesContent: false,
        // Bundle the AWS SDK too: the deployed code runs the SDK versions the tests ran, not the runtime's.
        externalModules: [],
        logLevel: nodejs.LogLevel.ERROR,
      },
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Resource "*" only for actions without resource-level scoping: the VPC network-interface actions ' +
        'Lambda needs (and, for Kafka consumers, the Describe* calls of the event source poller) and X-Ray ' +
        'PutTraceSegments/PutTelemetryRecords (Tracing.ACTIVE). Every other statement names its ARNs.',
    });
    const runtimeReason =
      'Node.js 22 is the runtime Horton targets and tests against (the code also runs on the Node 20 dev ' +
      'toolchain); moving to the newest runtime is a deliberate, tested change, not an automatic one.';
    Validations.of(this.function).acknowledge(
      { id: 'AwsSolutions-L1', reason: runtimeReason },
      { id: 'Serverless-LambdaLatestVersion', reason: runtimeReason },
    );
  }

  get functionName(): string {
    return this.function.functionName;
  }

  addEnvironment(name: string, value: string): this {
    this.function.addEnvironment(name, value);
    return this;
  }

  /** Grants table access and sets the table's environment variable. */
  bindTable(role: TableRole, table: ITable, access: TableAccess): this {
    this.addEnvironment(ENV.tables[role], table.tableName);
    if (access === 'read') table.grantReadData(this.role);
    else if (access === 'write') table.grantWriteData(this.role);
    else table.grantReadWriteData(this.role);
    return this;
  }

  /**
   * The shared AlphaVantage budget: sets the quota table and the pace and daily cap the limiter enforces, and
   * grants exactly the two item actions the limiter uses (UpdateItem to take a slot, GetItem to read usage).
   */
  bindAlphaVantageQuota(
    table: ITable,
    budget: { requestsPerMinute: number; requestsPerDay: number | null },
  ): this {
    this.addEnvironment(ENV.tables.alphaVantageQuota, table.tableName);
    this.addEnvironment(ENV.alphaVantageRequestsPerMinute, String(budget.requestsPerMinute));
    this.addEnvironment(
      ENV.alphaVantageRequestsPerDay,
      budget.requestsPerDay === null ? '' : String(budget.requestsPerDay),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:UpdateItem', 'dynamodb:GetItem'],
        resources: [table.tableArn],
      }),
    );
    return this;
  }

  /** Grants read of the AlphaVantage key secret and sets its ARN variable (never the value). */
  bindSecret(secret: secretsmanager.ISecret): this {
    this.addEnvironment(ENV.alphaVantageSecretArn, secret.secretArn);
    secret.grantRead(this.role);
    return this;
  }

  /** Kafka connection: bootstrap brokers, IAM auth, `kafka-cluster:Connect` on the cluster. */
  connectKafka(kafka: HortonKafkaCluster, bootstrapBrokers: string): this {
    this.addEnvironment(ENV.kafkaBrokers, bootstrapBrokers);
    this.addEnvironment(ENV.kafkaAuth, 'iam');
    this.grantConnect(kafka);
    return this;
  }

  /** `kafka-cluster:Connect`, once per cluster (the handler's client and the event source poller both need it). */
  private grantConnect(kafka: HortonKafkaCluster): void {
    if (this.connectedClusters.has(kafka.node.path)) return;
    this.connectedClusters.add(kafka.node.path);
    this.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['kafka-cluster:Connect'], resources: [kafka.clusterArn] }),
    );
  }

  /** Lets the handler publish to a topic and sets the topic's environment variable. */
  bindTopic(role: TopicRole, topicName: string, kafka: HortonKafkaCluster): this {
    this.addEnvironment(ENV.topics[role], topicName);
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'],
        resources: [kafka.arns.topicArn(topicName)],
      }),
    );
    return this;
  }

  /**
   * Subscribes the function to a topic through an MSK event source mapping with its own consumer group,
   * provisioned pollers, partial batch responses, bounded retries and record age, and the dead-letter topic as
   * the on-failure destination.
   *
   * Built on `lambda.EventSourceMapping` rather than `ManagedKafkaEventSource`: the latter also attaches the AWS
   * managed policy AWSLambdaMSKExecutionRole (MSK describe calls on every cluster, CloudWatch Logs on every log
   * group), which least privilege rules out. The mapping's properties are the same.
   */
  consumeTopic(options: KafkaConsumerOptions): lambda.EventSourceMapping {
    const { kafka, consumer } = options;
    const mapping = new lambda.EventSourceMapping(this, `Consume-${options.topicRole}`, {
      target: this.function,
      eventSourceArn: kafka.clusterArn,
      kafkaTopic: options.topicName,
      kafkaConsumerGroupId: options.consumerGroupId,
      startingPosition: lambda.StartingPosition[consumer.startingPosition],
      batchSize: consumer.batchSize,
      maxBatchingWindow: Duration.seconds(consumer.maxBatchingWindowSeconds),
      retryAttempts: consumer.retryAttempts,
      maxRecordAge: Duration.seconds(consumer.maxRecordAgeSeconds),
      reportBatchItemFailures: true,
      // Splitting a batch would reorder one symbol's records; failed records are reported one by one instead.
      bisectBatchOnError: false,
      onFailure: new KafkaDlq(options.deadLetterTopicName),
      provisionedPollerConfig: options.pollers,
    });
    for (const dependency of options.dependsOn ?? []) mapping.node.addDependency(dependency);
    // The mapping's pollers must not start before the role can read: the grants below are in the default policy.
    mapping.node.addDependency(this.role);

    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: [...kafka.describeClusterActions, 'kafka:GetBootstrapBrokers'],
        resources: [kafka.clusterArn],
      }),
    );
    this.grantConnect(kafka);
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['kafka-cluster:DescribeClusterDynamicConfiguration'],
        resources: [kafka.clusterArn],
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'],
        resources: [kafka.arns.topicArn(options.topicName)],
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'],
        resources: [kafka.arns.groupArn(options.consumerGroupId)],
      }),
    );
    // The poller writes exhausted records to the dead-letter topic as a Kafka producer.
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'],
        resources: [kafka.arns.topicArn(options.deadLetterTopicName)],
      }),
    );
    // The poller places its network interfaces in the cluster's subnets; these calls have no resource scoping.
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['ec2:DescribeVpcs', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups'],
        resources: ['*'],
      }),
    );
    return mapping;
  }
}
