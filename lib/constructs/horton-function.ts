/**
 * One Lambda function the Horton way: Node 24 on arm64, bundled locally by esbuild (never Docker) to minified ESM
 * with source map files, JSON logs into an explicit log group with retention, X-Ray tracing when configured, in
 * the VPC. Its role is its own and starts empty: every permission comes from a `bind*` helper that also records
 * the resource in the handler's settings (model/settings.ts, one JSON variable), so a grant and the setting that
 * needs it cannot drift apart.
 */
import path from 'node:path';
import {
  Duration,
  aws_iam as iam,
  Lazy,
  aws_lambda as lambda,
  aws_logs as logs,
  aws_lambda_nodejs as nodejs,
  RemovalPolicy,
  Stack,
  type aws_secretsmanager as secretsmanager,
  Validations,
} from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { KafkaDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct, type IDependable } from 'constructs';
import type { ConsumerConfig, HortonConfig, TableRole, TopicRole } from '../../model/config.ts';
import { ALPHAVANTAGE_QUOTA_ACTIONS, type DynamoDbAction, type HandlerName } from '../../model/handlers.ts';
import {
  HANDLER_SETTINGS,
  handlerSettings,
  SETTINGS_VARIABLE,
  type SettingsBindings,
  SettingsError,
} from '../../model/settings.ts';
import type { HortonKafkaCluster } from './kafka-cluster.ts';
import { wildcardResourceFinding } from './nag.ts';
import type { HortonNetwork } from './network.ts';

/**
 * esbuild turns `require()` calls of bundled CommonJS packages (kafkajs, the X-Ray SDK) into a shim that
 * throws in an ES module unless a real `require` exists; this banner provides one.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __hortonCreateRequire } from 'node:module'; const require = __hortonCreateRequire(import.meta.url);";

const FUNCTION_RUNTIME = lambda.Runtime.NODEJS_24_X;
/** esbuild's target for FUNCTION_RUNTIME. */
export const ESBUILD_TARGET = 'node24';

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
  /**
   * The catalogue handler this function runs: its settings (model/settings.ts) go into `HORTON_SETTINGS`, built
   * from the configuration and what the `bind*` helpers bound. @default none (a function outside the catalogue)
   */
  readonly handler?: { readonly name: HandlerName; readonly config: HortonConfig };
  /** X-Ray active tracing and the Powertools tracer in the bundle (config observability.tracing). @default false */
  readonly tracing?: boolean;
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
  /**
   * Provisioned pollers of the mapping (with the error handling only that mode offers).
   * @default - on-demand pollers
   */
  readonly pollers?: lambda.ProvisionedPollerConfig;
  /** What must exist before the mapping starts polling (the topics). */
  readonly dependsOn?: IDependable[];
}

export class HortonFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  private readonly connectedClusters = new Set<string>();
  private readonly bindings: SettingsBindings;

  constructor(scope: Construct, id: string, props: HortonFunctionProps) {
    super(scope, id);
    const tracing = props.tracing ?? false;
    this.bindings = {
      serviceName: props.serviceName,
      kafka: { brokers: '', auth: 'iam' },
      topics: {},
      tables: {},
    };
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      logGroupName: `/aws/lambda/${props.functionName}`,
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = this.createRole(props.functionName);
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
      tracing: tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
      vpc: props.network.vpc,
      vpcSubnets: props.network.privateSubnets,
      securityGroups: [props.network.functionSecurityGroup],
      // No NODE_OPTIONS=--enable-source-maps: it slows every module load by ~30% (`npm run bench -- handlers`);
      // the .map files ship beside the bundle for resolving a trace by hand. The rest is in HORTON_SETTINGS.
      bundling: bundlingOptions(tracing),
    });
    this.acknowledgeFindings(tracing);
    if (props.handler) {
      const { name, config } = props.handler;
      this.function.addEnvironment(
        SETTINGS_VARIABLE,
        Lazy.string({ produce: () => this.renderSettings(name, config) }),
      );
    }
  }

  /**
   * The execution role, empty but for its own log group (instead of AWSLambdaBasicExecutionRole: logs on every
   * log group) and the VPC network-interface actions (instead of AWSLambdaVPCAccessExecutionRole; EC2 has no
   * resource-level scoping Lambda can use here).
   */
  private createRole(functionName: string): iam.Role {
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${functionName}`,
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    role.addToPolicy(
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
    return role;
  }

  private acknowledgeFindings(tracing: boolean): void {
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Resource "*" only for actions without resource-level scoping: the VPC network-interface actions ' +
        'Lambda needs (and, for Kafka consumers, the Describe* calls of the event source poller)' +
        (tracing ? ' and X-Ray PutTraceSegments/PutTelemetryRecords (Tracing.ACTIVE)' : '') +
        '. Every other statement names its ARNs.',
    });
    if (!tracing) {
      Validations.of(this.function).acknowledge({
        id: 'Serverless-LambdaTracing',
        reason:
          'X-Ray tracing is a configuration switch (observability.tracing), off by default: the tracer costs ' +
          'every bundle ~100 KiB and cold-start time; logs and metrics carry the correlation ids instead.',
      });
    }
    const runtimeReason =
      'Node.js 24 is pinned, not NODEJS_LATEST: the runtime Horton tests against in CI (Node 24 from the npm ' +
      'registry); moving to a newer runtime is a deliberate, tested change, not an automatic one.';
    Validations.of(this.function).acknowledge(
      { id: 'AwsSolutions-L1', reason: runtimeReason },
      { id: 'Serverless-LambdaLatestVersion', reason: runtimeReason },
    );
  }

  /**
   * The handler's settings from the configuration and the bindings, checked against its contract at synth
   * (deploy-time values such as table names are tokens here, so only their presence is checked).
   */
  private renderSettings(name: HandlerName, config: HortonConfig): string {
    const settings = handlerSettings(name, config, this.bindings);
    const checked = HANDLER_SETTINGS[name].safeParse(settings);
    if (!checked.success) {
      const problems = checked.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
      throw new SettingsError(`settings of ${name} break its contract: ${problems.join('; ')}`);
    }
    return Stack.of(this).toJsonString(settings);
  }

  get functionName(): string {
    return this.function.functionName;
  }

  /** Grants exactly these DynamoDB actions on the table and records the table's name in the settings. */
  bindTable(role: TableRole, table: ITable, actions: readonly DynamoDbAction[]): this {
    this.bindings.tables[role] = table.tableName;
    table.grant(this.role, ...actions.map((action) => `dynamodb:${action}`));
    return this;
  }

  /**
   * The shared AlphaVantage budget: records the quota table in the settings (its pace and daily cap come from the
   * configuration, model/settings.ts) and grants exactly the limiter's item actions (UpdateItem to take a slot,
   * GetItem to read the day's usage).
   */
  bindAlphaVantageQuota(table: ITable): this {
    this.bindings.tables.alphaVantageQuota = table.tableName;
    table.grant(this.role, ...ALPHAVANTAGE_QUOTA_ACTIONS.map((action) => `dynamodb:${action}`));
    return this;
  }

  /** Grants read of the AlphaVantage key secret and records its ARN in the settings (never the value). */
  bindSecret(secret: secretsmanager.ISecret): this {
    this.bindings.alphaVantageSecretArn = secret.secretArn;
    secret.grantRead(this.role);
    return this;
  }

  /** Kafka connection: bootstrap brokers, IAM auth, `kafka-cluster:Connect` on the cluster. */
  connectKafka(kafka: HortonKafkaCluster, bootstrapBrokers: string): this {
    this.bindings.kafka = { brokers: bootstrapBrokers, auth: 'iam' };
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

  /** Lets the handler publish to a topic and records the topic's name in the settings. */
  bindTopic(role: TopicRole, topicName: string, kafka: HortonKafkaCluster): this {
    this.bindings.topics[role] = topicName;
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'],
        resources: [kafka.arns.topicArn(topicName)],
      }),
    );
    return this;
  }

  /**
   * Lets an operator function read a topic outside an event source mapping (inspection, not consumption) and
   * records the topic's name in the settings. Reading joins throwaway groups: see `grantOwnReadGroups`.
   */
  bindTopicReader(role: TopicRole, topicName: string, kafka: HortonKafkaCluster): this {
    this.bindings.topics[role] = topicName;
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'],
        resources: [kafka.arns.topicArn(topicName)],
      }),
    );
    return this;
  }

  /** Join and leave the throwaway consumer groups `<groupPrefix>-*` that `bindTopicReader` reads with. */
  grantOwnReadGroups(kafka: HortonKafkaCluster, groupPrefix: string): this {
    const groups = kafka.arns.groupArn(`${groupPrefix}-*`);
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'],
        resources: [groups],
      }),
    );
    Validations.of(this.role).acknowledge({
      id: wildcardResourceFinding(this, groups),
      reason:
        'Only the throwaway groups an operator read joins (`<prefix>-operations-<uuid>`, one per read, never ' +
        'committed): their names cannot be known at deploy time, so the grant is their prefix.',
    });
    return this;
  }

  /** Read the committed offsets of the given consumer groups (lag), never join or alter them. */
  grantDescribeGroups(kafka: HortonKafkaCluster, groupIds: readonly string[]): this {
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['kafka-cluster:DescribeGroup'],
        resources: groupIds.map((groupId) => kafka.arns.groupArn(groupId)),
      }),
    );
    return this;
  }

  /**
   * Subscribes the function to a topic through an MSK event source mapping with its own consumer group and the
   * mapping metrics the alarms watch. With provisioned pollers (docs/decisions/0075-event-poller-mode.md) it also
   * gets partial batch responses, bounded retries and record age, and the dead-letter topic as the on-failure
   * destination; on-demand mappings can have none of these.
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
      ...(options.pollers
        ? provisionedErrorHandling(options.pollers, consumer, options.deadLetterTopicName)
        : {}),
      // Per-mapping metrics the alarms watch (lib/constructs/monitoring/): polling, dead letters, errors, lag.
      metricsConfig: {
        metrics: [
          lambda.MetricType.EVENT_COUNT,
          lambda.MetricType.ERROR_COUNT,
          lambda.MetricType.KAFKA_METRICS,
        ],
      },
    });
    if (!options.pollers) {
      Validations.of(mapping).acknowledge({
        id: 'Serverless-LambdaEventSourceMappingDestination',
        reason:
          'On-demand pollers (deployment.pollers.mode) cannot have an on-failure destination for Kafka; the ' +
          "handler's own dead-letter topic catches poison records (docs/decisions/0075-event-poller-mode.md).",
      });
    }
    for (const dependency of options.dependsOn ?? []) mapping.node.addDependency(dependency);
    // The mapping's pollers must not start before the role can read: the grants below are in the default policy.
    mapping.node.addDependency(this.role);
    this.grantPoller(options, options.pollers !== undefined);
    return mapping;
  }

  /**
   * What the mapping's poller does with the function's role: find the cluster and its brokers, read the topic
   * as its consumer group, and (provisioned mode) write exhausted records to the dead-letter topic.
   */
  private grantPoller(options: KafkaConsumerOptions, writesDeadLetters: boolean): void {
    const { kafka } = options;
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
    if (writesDeadLetters) {
      // The poller writes exhausted records to the dead-letter topic as a Kafka producer.
      this.role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'],
          resources: [kafka.arns.topicArn(options.deadLetterTopicName)],
        }),
      );
    }
    // The poller places its network interfaces in the cluster's subnets; these calls have no resource scoping.
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['ec2:DescribeVpcs', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups'],
        resources: ['*'],
      }),
    );
  }
}

/** esbuild options of every Horton function: local, minified ESM with source map files, the SDK bundled. */
function bundlingOptions(tracing: boolean): nodejs.BundlingOptions {
  return {
    forceDockerBundling: false,
    format: nodejs.OutputFormat.ESM,
    target: ESBUILD_TARGET,
    // With tracing off the tracer's import is dead code (functions/shared/observability.ts).
    define: { HORTON_BUNDLE_TRACER: JSON.stringify(tracing) },
    // Prefer packages' ESM builds; fall back to CommonJS (kafkajs has no ESM build).
    mainFields: ['module', 'main'],
    banner: ESM_REQUIRE_BANNER,
    minify: true,
    sourceMap: true,
    sourceMapMode: nodejs.SourceMapMode.DEFAULT,
    // A trace is resolved by hand against the .map (no --enable-source-maps): names and lines, not sources.
    sourcesContent: false,
    // Bundle the AWS SDK too: the deployed code runs the SDK versions the tests ran, not the runtime's.
    externalModules: [],
    logLevel: nodejs.LogLevel.ERROR,
  };
}

/**
 * The error handling only provisioned mode offers: partial batch responses, bounded retries and record age, the
 * Kafka dead-letter topic as on-failure destination (https://docs.aws.amazon.com/lambda/latest/dg/kafka-retry-configurations.html).
 */
function provisionedErrorHandling(
  pollers: lambda.ProvisionedPollerConfig,
  consumer: ConsumerConfig,
  deadLetterTopicName: string,
): Partial<lambda.EventSourceMappingProps> {
  return {
    provisionedPollerConfig: pollers,
    retryAttempts: consumer.retryAttempts,
    maxRecordAge: Duration.seconds(consumer.maxRecordAgeSeconds),
    reportBatchItemFailures: true,
    // Splitting a batch would reorder one symbol's records; failed records are reported one by one instead.
    bisectBatchOnError: false,
    onFailure: new KafkaDlq(deadLetterTopicName),
  };
}
