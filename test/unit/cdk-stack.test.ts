/**
 * The default Horton stack (new VPC, new MSK provisioned cluster, default configuration), resource by resource:
 * what each resource is and how it is wired. Bundling is skipped here (cdk-bundles.test.ts bundles for real).
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { consumerGroupId, type HortonConfig, tableNames } from '../../model/config.ts';
import {
  ALPHAVANTAGE_QUOTA_ACTIONS,
  HANDLER_NAMES,
  HANDLERS,
  type HandlerName,
} from '../../model/handlers.ts';
import { HANDLER_SETTINGS, handlerSettings, localBindings, SETTINGS_VARIABLE } from '../../model/settings.ts';
import { TABLES } from '../../model/tables.ts';
import {
  CREATED_CLUSTER_ARN,
  evaluate,
  logicalIdOf,
  permissionsOfRole,
  propertiesOf,
  SYNTH_TIMEOUT_MS,
  type Synthesized,
  synthHorton,
} from './cdk-helpers.ts';

const REGION_ACCOUNT = 'us-east-1:111122223333';
const CLUSTER_PATH = 'horton-kafka/11111111-2222-3333-4444-555555555555-s1';
const topicArn = (name: string) => `arn:aws:kafka:${REGION_ACCOUNT}:topic/${CLUSTER_PATH}/${name}`;
const groupArn = (name: string) => `arn:aws:kafka:${REGION_ACCOUNT}:group/${CLUSTER_PATH}/${name}`;
const tableArn = (name: string) => `arn:aws:dynamodb:${REGION_ACCOUNT}:table/${name}`;

// Some tests synthesize a variant of their own.
vi.setConfig({ testTimeout: SYNTH_TIMEOUT_MS });

let synthesized: Synthesized;
let template: Template;
let config: HortonConfig;
/** Values for evaluating intrinsics: the cluster ARN and the table ARNs as literal strings. */
let values: Record<string, string>;

beforeAll(() => {
  // Prepare + Act: one synthesis for the whole file.
  synthesized = synthHorton();
  template = synthesized.template;
  config = synthesized.config;
  const cluster = logicalIdOf(template, 'AWS::MSK::Cluster', 'KafkaCluster');
  values = { [`${cluster}.Arn`]: CREATED_CLUSTER_ARN };
  for (const [role, name] of Object.entries(tableNames(config))) {
    const id = logicalIdOf(template, 'AWS::DynamoDB::Table', `Tables${role}`);
    values[`${id}.Arn`] = tableArn(name);
    values[id] = name;
  }
  values[logicalIdOf(template, 'AWS::SecretsManager::Secret', 'AlphaVantageApiKey')] = 'SECRET_ARN';
}, SYNTH_TIMEOUT_MS);

function functionProperties(name: string): Record<string, unknown> {
  return propertiesOf(template, 'AWS::Lambda::Function', `Handlers${name}Function`);
}

/** The function's environment variables, as synthesized. */
function environmentOf(name: string): Record<string, unknown> {
  return (functionProperties(name).Environment as { Variables: Record<string, unknown> }).Variables;
}

/** The function's settings (HORTON_SETTINGS) with table names and the secret ARN evaluated. */
function settingsOf(name: string): Record<string, unknown> {
  return JSON.parse(String(evaluate(environmentOf(name)[SETTINGS_VARIABLE], values))) as Record<
    string,
    unknown
  >;
}

describe('functions', () => {
  it('creates one function per handler of the catalogue plus the topics custom resource handler', () => {
    const functions = template.findResources('AWS::Lambda::Function');
    const names = Object.values(functions).map(
      (f) => (f as { Properties: { FunctionName?: string } }).Properties.FunctionName,
    );
    expect(names.filter(Boolean).sort()).toEqual(
      [...HANDLER_NAMES.map((name) => `horton-${name}`), 'horton-kafka-topics'].sort(),
    );
  });

  it.each(HANDLER_NAMES)(
    '%s: Node 24 on arm64, JSON logs into its own log group, no X-Ray by default, in the VPC',
    (name) => {
      const properties = functionProperties(name);
      expect(properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: 512,
        Timeout: HANDLERS[name].trigger.kind === 'kafka' ? 300 : 60,
        LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'INFO', SystemLogLevel: 'WARN' },
      });
      expect(properties.TracingConfig).toBeUndefined();
      const logGroupRef = (properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      expect(template.findResources('AWS::Logs::LogGroup')[logGroupRef]).toMatchObject({
        Properties: { LogGroupName: `/aws/lambda/horton-${name}`, RetentionInDays: 30 },
      });
      const vpc = properties.VpcConfig as { SubnetIds: Array<{ Ref: string }>; SecurityGroupIds: unknown[] };
      expect(vpc.SubnetIds.map((s) => s.Ref).every((ref) => ref.includes('privateSubnet'))).toBe(true);
      expect(vpc.SecurityGroupIds).toEqual([
        {
          'Fn::GetAtt': [
            logicalIdOf(template, 'AWS::EC2::SecurityGroup', 'NetworkFunctionSecurityGroup'),
            'GroupId',
          ],
        },
      ]);
    },
  );

  it.each(HANDLER_NAMES)(
    '%s: gets exactly its settings contract in one variable, built by the function the local runner uses',
    (name) => {
      // Only the settings variable: no NODE_OPTIONS (--enable-source-maps slows every load), no loose settings.
      expect(Object.keys(environmentOf(name))).toEqual([SETTINGS_VARIABLE]);
      const settings = settingsOf(name);
      const brokers = `<${logicalIdOf(template, 'Custom::HortonKafkaTopics', 'Topics')}.BootstrapBrokers>`;
      const spec = HANDLERS[name];
      expect(settings).toEqual(
        handlerSettings(name, config, {
          ...localBindings(config, name, []),
          kafka: { brokers, auth: 'iam' },
          ...(spec.callsAlphaVantage ? { alphaVantageSecretArn: 'SECRET_ARN' } : {}),
        }),
      );
      expect(HANDLER_SETTINGS[name].safeParse(settings).success).toBe(true);
      // The secret's ARN only where AlphaVantage is called; never a key.
      expect(JSON.stringify(settings)).not.toMatch(/apikey/i);
    },
  );

  it('turns X-Ray on for every handler when the configuration asks for it', () => {
    const traced = synthHorton({ config: { observability: { tracing: true } } });
    for (const name of HANDLER_NAMES) {
      const properties = propertiesOf(traced.template, 'AWS::Lambda::Function', `Handlers${name}Function`);
      expect(properties.TracingConfig, name).toEqual({ Mode: 'Active' });
      expect(permissionsOfRole(traced.template, `Handlers${name}Role`)).toContain(
        'xray:PutTraceSegments on *',
      );
      const variables = (properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(JSON.stringify(variables[SETTINGS_VARIABLE]), name).toContain('\\"tracing\\":true');
    }
  }, 120_000);
});

describe('least-privilege IAM', () => {
  const common = (name: HandlerName) => [
    `logs:CreateLogStream on <Handlers${name}LogGroup`,
    `logs:PutLogEvents on <Handlers${name}LogGroup`,
  ];
  const eni = [
    'ec2:AssignPrivateIpAddresses on *',
    'ec2:CreateNetworkInterface on *',
    'ec2:DeleteNetworkInterface on *',
    'ec2:DescribeNetworkInterfaces on *',
    'ec2:UnassignPrivateIpAddresses on *',
  ];

  function permissions(name: HandlerName): string[] {
    return permissionsOfRole(template, `Handlers${name}Role`, values).map((permission) =>
      // Log group ARNs are GetAtts of a hashed logical id: compare by prefix.
      permission.replace(/<(Handlers\w+LogGroup)[A-F0-9]{8}\.Arn>/, '<$1'),
    );
  }

  it('dispatcher: connect, and write to the securities topic; nothing else', () => {
    expect(permissions('dispatcher')).toEqual(
      [
        ...common('dispatcher'),
        ...eni,
        `kafka-cluster:Connect on ${CREATED_CLUSTER_ARN}`,
        `kafka-cluster:DescribeTopic on ${topicArn('horton.securities')}`,
        `kafka-cluster:WriteData on ${topicArn('horton.securities')}`,
        // The async on-failure destination.
        'sqs:GetQueueAttributes on <SchedulesFailureQueue1177F54F.Arn>',
        'sqs:GetQueueUrl on <SchedulesFailureQueue1177F54F.Arn>',
        'sqs:SendMessage on <SchedulesFailureQueue1177F54F.Arn>',
      ].sort(),
    );
  });

  it('quote: consumes its topic with its group, writes dead letters, reads and writes the quotes table, reads the key', () => {
    const quote = permissions('quote');
    const table = tableArn('horton-quotes');
    expect(quote).toEqual(
      [
        ...common('quote'),
        ...eni,
        'ec2:DescribeSecurityGroups on *',
        'ec2:DescribeSubnets on *',
        'ec2:DescribeVpcs on *',
        `kafka-cluster:Connect on ${CREATED_CLUSTER_ARN}`,
        `kafka-cluster:DescribeClusterDynamicConfiguration on ${CREATED_CLUSTER_ARN}`,
        `kafka:DescribeCluster on ${CREATED_CLUSTER_ARN}`,
        `kafka:DescribeClusterV2 on ${CREATED_CLUSTER_ARN}`,
        `kafka:GetBootstrapBrokers on ${CREATED_CLUSTER_ARN}`,
        `kafka-cluster:DescribeTopic on ${topicArn('horton.quote')}`,
        `kafka-cluster:ReadData on ${topicArn('horton.quote')}`,
        `kafka-cluster:DescribeGroup on ${groupArn('horton-quote-handler')}`,
        `kafka-cluster:AlterGroup on ${groupArn('horton-quote-handler')}`,
        `kafka-cluster:DescribeTopic on ${topicArn('horton.dead-letter')}`,
        `kafka-cluster:WriteData on ${topicArn('horton.dead-letter')}`,
        'secretsmanager:DescribeSecret on SECRET_ARN',
        'secretsmanager:GetSecretValue on SECRET_ARN',
        `dynamodb:GetItem on ${tableArn('horton-alphavantage-quota')}`,
        `dynamodb:UpdateItem on ${tableArn('horton-alphavantage-quota')}`,
        // What functions/shared/store/quotes.ts sends: GetCommand and a conditional PutCommand.
        ...['GetItem', 'PutItem'].map((action) => `dynamodb:${action} on ${table}`),
        // What functions/shared/store/no-data.ts sends: the answers without data it remembers and forgets.
        ...['DeleteItem', 'GetItem', 'PutItem'].map(
          (action) => `dynamodb:${action} on ${tableArn('horton-no-data')}`,
        ),
      ].sort(),
    );
  });

  it.each(HANDLER_NAMES)('%s: exactly the table actions model/handlers.ts lists, per table', (name) => {
    const spec = HANDLERS[name];
    const granted = permissions(name).filter((p) => p.startsWith('dynamodb:'));
    const names = tableNames(config);
    // AlphaVantage callers also take every call from the shared budget (bindAlphaVantageQuota).
    const tables: Array<[keyof typeof names, readonly string[]]> = [
      ...(Object.entries(spec.tables) as Array<[keyof typeof names, readonly string[]]>),
      ...(spec.callsAlphaVantage
        ? [['alphaVantageQuota', ALPHAVANTAGE_QUOTA_ACTIONS] as [keyof typeof names, readonly string[]]]
        : []),
    ];
    const expected = tables.flatMap(([role, actions]) =>
      actions.map((action) => `dynamodb:${action} on ${tableArn(names[role])}`),
    );
    expect(granted).toEqual(expected.sort());
  });

  it.each(HANDLER_NAMES)(
    '%s: Kafka writes exactly to the topics it produces to, reads only those it consumes or inspects',
    (name) => {
      const spec = HANDLERS[name];
      const writes = permissions(name)
        .filter((p) => p.startsWith('kafka-cluster:WriteData on '))
        .map((p) => p.replace('kafka-cluster:WriteData on ', ''));
      expect(writes.sort()).toEqual(spec.produces.map((role) => topicArn(config.topics[role].name)).sort());
      const reads = permissions(name).filter((p) => p.startsWith('kafka-cluster:ReadData'));
      const readRoles = [
        ...(spec.trigger.kind === 'kafka' ? [spec.trigger.topic] : []),
        ...(('readsTopics' in spec ? spec.readsTopics : undefined) ?? []),
      ];
      expect(reads.sort()).toEqual(
        readRoles.map((role) => `kafka-cluster:ReadData on ${topicArn(config.topics[role].name)}`).sort(),
      );
    },
  );

  it('attaches no AWS managed policy to any function role', () => {
    // CDK's own provider of the custom resource that strips the VPC's default security group is not ours.
    const roles = Object.entries(template.findResources('AWS::IAM::Role')).filter(
      ([id]) => !id.startsWith('CustomVpcRestrictDefaultSGCustomResourceProvider'),
    );
    for (const [, role] of roles) {
      expect(
        (role as { Properties: { ManagedPolicyArns?: unknown } }).Properties.ManagedPolicyArns,
      ).toBeUndefined();
    }
  });

  it('topics custom resource: create/describe/alter the configured topics only, never delete by default', () => {
    const permissionsOfTopics = permissionsOfRole(template, 'TopicsHandlerRole', values);
    const topicNames = Object.values(config.topics).map((topic) => topic.name);
    for (const action of ['CreateTopic', 'DescribeTopic', 'AlterTopic']) {
      expect(
        permissionsOfTopics
          .filter((p) => p.startsWith(`kafka-cluster:${action} on `))
          .map((p) => p.split(' on ')[1]),
      ).toEqual(topicNames.map(topicArn).sort());
    }
    expect(permissionsOfTopics.some((p) => p.includes('DeleteTopic'))).toBe(false);
    expect(permissionsOfTopics).toContain(`kafka:GetBootstrapBrokers on ${CREATED_CLUSTER_ARN}`);
    expect(permissionsOfTopics).toContain(`kafka-cluster:Connect on ${CREATED_CLUSTER_ARN}`);
  });
});

describe('event source mappings', () => {
  const kafkaHandlers = HANDLER_NAMES.filter((name) => HANDLERS[name].trigger.kind === 'kafka');

  it('has one mapping per Kafka-triggered handler', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', kafkaHandlers.length);
  });

  it.each(kafkaHandlers)(
    '%s: provisioned pollers, partial batch responses, bounded retries, dead-letter topic',
    (name) => {
      const trigger = HANDLERS[name].trigger as { kind: 'kafka'; topic: 'securities' };
      const mappingId = logicalIdOf(template, 'AWS::Lambda::EventSourceMapping', `Handlers${name}Consume`);
      const mapping = template.findResources('AWS::Lambda::EventSourceMapping')[mappingId] as {
        Properties: Record<string, unknown>;
        DependsOn: string[];
      };
      expect(mapping.Properties).toEqual({
        FunctionName: { Ref: logicalIdOf(template, 'AWS::Lambda::Function', `Handlers${name}Function`) },
        EventSourceArn: {
          'Fn::GetAtt': [logicalIdOf(template, 'AWS::MSK::Cluster', 'KafkaCluster'), 'Arn'],
        },
        Topics: [config.topics[trigger.topic].name],
        AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: consumerGroupId(config, trigger.topic) },
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 100,
        MaximumBatchingWindowInSeconds: 1,
        MaximumRetryAttempts: 3,
        MaximumRecordAgeInSeconds: 21_600,
        MetricsConfig: { Metrics: ['EventCount', 'ErrorCount', 'KafkaMetrics'] },
        BisectBatchOnFunctionError: false,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        DestinationConfig: { OnFailure: { Destination: 'kafka://horton.dead-letter' } },
        ProvisionedPollerConfig: { MinimumPollers: 1, MaximumPollers: 3, PollerGroupName: 'horton-pollers' },
        Tags: [
          { Key: 'horton-deployment', Value: 'horton' },
          { Key: 'project', Value: 'horton' },
        ],
      });
      // Starts only after the topics and the security-group rules exist and the role can read them.
      expect(mapping.DependsOn).toEqual(
        expect.arrayContaining([
          logicalIdOf(template, 'Custom::HortonKafkaTopics', 'Topics'),
          ...Object.keys(template.findResources('AWS::EC2::SecurityGroupIngress')),
          expect.stringMatching(new RegExp(`^Handlers${name}RoleDefaultPolicy`)),
        ]),
      );
    },
  );

  it('uses the consumer settings of the configuration', () => {
    // Prepare + Act: a second, small synthesis with other consumer settings.
    const other = synthHorton({
      config: {
        consumers: {
          batchSize: 10,
          maxBatchingWindowSeconds: 5,
          retryAttempts: 7,
          maxRecordAgeSeconds: 3600,
          startingPosition: 'LATEST',
        },
      },
    });
    // Assess
    other.template.allResourcesProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 5,
      MaximumRetryAttempts: 7,
      MaximumRecordAgeInSeconds: 3600,
      StartingPosition: 'LATEST',
    });
  });
});

describe('schedules', () => {
  it.each(['universe-daily', 'overview-weekly', 'history-daily', 'quote-intraday', 'indicators-daily'])(
    '%s invokes the dispatcher with {job, schedule, scheduledTime} in its time zone',
    (name) => {
      const schedule = config.schedules.find((s) => s.name === name);
      if (!schedule) throw new Error(`no default schedule ${name}`);
      const dispatcher = logicalIdOf(template, 'AWS::Lambda::Function', 'HandlersdispatcherFunction');
      const queue = logicalIdOf(template, 'AWS::SQS::Queue', 'SchedulesFailureQueue');
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        Name: `horton-${name}`,
        // A stack-unique name (cdk-deploy.test.ts).
        GroupName: Match.anyValue(),
        ScheduleExpression: schedule.expression,
        ScheduleExpressionTimezone: 'America/New_York',
        // Until the API key is set (deployment.apiKeySet): cdk-deploy.test.ts covers the switch.
        State: 'DISABLED',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: {
          Arn: { 'Fn::GetAtt': [dispatcher, 'Arn'] },
          Input: JSON.stringify({
            job: schedule.job,
            schedule: name,
            scheduledTime: '<aws.scheduler.scheduled-time>',
          }),
          RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 900 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queue, 'Arn'] } },
          RoleArn: {
            'Fn::GetAtt': [logicalIdOf(template, 'AWS::IAM::Role', 'SchedulesSchedulerRole'), 'Arn'],
          },
        },
      });
    },
  );

  it('has exactly the configured schedules and a disabled one stays disabled', () => {
    template.resourceCountIs('AWS::Scheduler::Schedule', config.schedules.length);
    const other = synthHorton({
      config: {
        deployment: { apiKeySet: true },
        schedules: [
          { name: 'quotes', job: 'quote', expression: 'rate(5 minutes)', timezone: 'UTC', enabled: false },
        ],
      },
    });
    other.template.resourceCountIs('AWS::Scheduler::Schedule', 1);
    other.template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(5 minutes)',
      ScheduleExpressionTimezone: 'UTC',
      State: 'DISABLED',
    });
  });

  it('sends lost firings to an encrypted, TLS-only queue, from Scheduler and from Lambda async retries', () => {
    const queue = logicalIdOf(template, 'AWS::SQS::Queue', 'SchedulesFailureQueue');
    // No fixed name: SQS refuses a deleted queue's name for 60 s, which would fail a deploy right after a destroy.
    expect(propertiesOf(template, 'AWS::SQS::Queue', 'SchedulesFailureQueue')).not.toHaveProperty(
      'QueueName',
    );
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1_209_600,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalIdOf(template, 'AWS::Lambda::Function', 'HandlersdispatcherFunction') },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queue, 'Arn'] } } },
    });
    expect(permissionsOfRole(template, 'SchedulesSchedulerRole', values)).toEqual(
      [
        'lambda:InvokeFunction on <HandlersdispatcherFunction5A764D1D.Arn>',
        'lambda:InvokeFunction on <HandlersdispatcherFunction5A764D1D.Arn>:*',
        `sqs:SendMessage on <${queue}.Arn>`,
      ].sort(),
    );
  });
});

describe('tables', () => {
  it.each(Object.entries(TABLES))(
    '%s: key schema of model/tables.ts, on-demand, PITR, KMS encryption, deletion protection, retained',
    (role, spec) => {
      const name = tableNames(config)[role as keyof ReturnType<typeof tableNames>];
      const id = logicalIdOf(template, 'AWS::DynamoDB::Table', `Tables${role}`);
      const keys = [
        { AttributeName: spec.partitionKey.name, KeyType: 'HASH' },
        ...(spec.sortKey ? [{ AttributeName: spec.sortKey.name, KeyType: 'RANGE' }] : []),
      ];
      const attributes = [spec.partitionKey, ...(spec.sortKey ? [spec.sortKey] : [])].map((key) => ({
        AttributeName: key.name,
        AttributeType: key.type,
      }));
      // The name ends in the stack instance's suffix (cdk-deploy.test.ts).
      expect(
        String(evaluate(propertiesOf(template, 'AWS::DynamoDB::Table', `Tables${role}`).TableName)),
      ).toMatch(new RegExp(`^${name}-.+$`));
      expect(template.findResources('AWS::DynamoDB::Table')[id]).toMatchObject({
        Properties: {
          KeySchema: keys,
          AttributeDefinitions: attributes,
          BillingMode: 'PAY_PER_REQUEST',
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          SSESpecification: { SSEEnabled: true },
          DeletionProtectionEnabled: true,
        },
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
    },
  );

  it('creates exactly the tables of model/tables.ts', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', Object.keys(TABLES).length);
  });
});

describe('network, cluster, topics, secret', () => {
  it('creates a VPC with NAT egress, a DynamoDB gateway endpoint and flow logs', () => {
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.dynamodb']] },
    });
    template.hasResourceProperties('AWS::EC2::FlowLog', { ResourceType: 'VPC', TrafficType: 'ALL' });
  });

  it('opens only 9098 between the functions and the cluster, and 443 out', () => {
    const functions = logicalIdOf(template, 'AWS::EC2::SecurityGroup', 'NetworkFunctionSecurityGroup');
    const cluster = logicalIdOf(template, 'AWS::EC2::SecurityGroup', 'NetworkClusterSecurityGroup');
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [cluster, 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [functions, 'GroupId'] },
      FromPort: 9098,
      ToPort: 9098,
      IpProtocol: 'tcp',
    });
    const groups = template.findResources('AWS::EC2::SecurityGroup');
    const egress = (groups[functions] as { Properties: { SecurityGroupEgress: unknown[] } }).Properties
      .SecurityGroupEgress;
    expect(egress).toEqual([expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443 })]);
    for (const group of Object.values(groups)) {
      const ingress = (group as { Properties: { SecurityGroupIngress?: Array<{ CidrIp?: string }> } })
        .Properties.SecurityGroupIngress;
      expect((ingress ?? []).some((rule) => rule.CidrIp === '0.0.0.0/0')).toBe(false);
    }
  });

  it('creates a small MSK provisioned cluster: two brokers, IAM over TLS only, storage, retention, broker logs', () => {
    const cluster = propertiesOf(template, 'AWS::MSK::Cluster', 'KafkaCluster');
    expect(cluster).toMatchObject({
      ClusterName: 'horton-kafka',
      NumberOfBrokerNodes: 2,
      BrokerNodeGroupInfo: {
        InstanceType: 'kafka.t3.small',
        ClientSubnets: [
          { Ref: expect.stringMatching(/privateSubnet1/) },
          { Ref: expect.stringMatching(/privateSubnet2/) },
        ],
        SecurityGroups: [
          { 'Fn::GetAtt': [expect.stringMatching(/^NetworkClusterSecurityGroup/), 'GroupId'] },
        ],
        StorageInfo: { EBSStorageInfo: { VolumeSize: 10 } },
      },
      ClientAuthentication: { Sasl: { Iam: { Enabled: true } }, Unauthenticated: { Enabled: false } },
      EncryptionInfo: { EncryptionInTransit: { ClientBroker: 'TLS', InCluster: true } },
      LoggingInfo: {
        BrokerLogs: {
          CloudWatchLogs: { Enabled: true, LogGroup: { Ref: expect.stringMatching(/^KafkaBrokerLogs/) } },
        },
      },
    });
    const configuration = propertiesOf(template, 'AWS::MSK::Configuration', 'KafkaConfiguration');
    expect(String(configuration.ServerProperties).split('\n')).toEqual(
      expect.arrayContaining([
        'auto.create.topics.enable=false',
        'default.replication.factor=2',
        'min.insync.replicas=1',
        'log.retention.hours=168',
      ]),
    );
    expect(template.findResources('AWS::MSK::ServerlessCluster')).toEqual({});
  });

  it('declares every configured topic with its partitions, kept on delete by default', () => {
    template.hasResource('Custom::HortonKafkaTopics', {
      Properties: {
        ClusterArn: {
          'Fn::GetAtt': [logicalIdOf(template, 'AWS::MSK::Cluster', 'KafkaCluster'), 'Arn'],
        },
        Topics: Object.values(config.topics).map((topic) => ({
          Name: topic.name,
          Partitions: topic.partitions,
        })),
        DeleteTopicsOnRemove: 'false',
      },
    });
    // After the cluster and every security-group rule between the functions and the brokers.
    const topics = template.findResources('Custom::HortonKafkaTopics')[
      logicalIdOf(template, 'Custom::HortonKafkaTopics', 'Topics')
    ] as { DependsOn: string[] };
    const rules = Object.keys({
      ...template.findResources('AWS::EC2::SecurityGroupIngress'),
      ...template.findResources('AWS::EC2::SecurityGroupEgress'),
    });
    expect(rules.length).toBeGreaterThan(0);
    expect(topics.DependsOn).toEqual(
      expect.arrayContaining([logicalIdOf(template, 'AWS::MSK::Cluster', 'KafkaCluster'), ...rules]),
    );
    const outputs = template.findOutputs('*');
    const warnings = Object.keys(outputs).filter((id) => id.startsWith('TopicsTopicWarnings'));
    expect(warnings.map((id) => outputs[id]?.Value)).toEqual([
      { 'Fn::GetAtt': [logicalIdOf(template, 'Custom::HortonKafkaTopics', 'Topics'), 'Warnings'] },
    ]);
  });

  it('creates the API key secret with a placeholder, retained', () => {
    template.hasResource('AWS::SecretsManager::Secret', {
      Properties: { SecretString: 'SET-ME-alphavantage-api-key' },
      DeletionPolicy: 'Retain',
    });
  });

  it('outputs the backfill function name for `aws lambda invoke`', () => {
    template.hasOutput('BackfillFunctionName', {
      Value: { Ref: logicalIdOf(template, 'AWS::Lambda::Function', 'HandlersbackfillFunction') },
    });
  });
});

describe('observability', () => {
  const kafkaHandlers = HANDLER_NAMES.filter((name) => HANDLERS[name].trigger.kind === 'kafka');

  it('alarms on errors of every function, dead letters and lag of every consumer, lost firings', () => {
    const alarmNames = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
      (alarm) => (alarm as { Properties: { AlarmName: string } }).Properties.AlarmName,
    );
    expect(alarmNames.sort()).toEqual(
      [
        ...HANDLER_NAMES.map((name) => `horton-${name}-errors`),
        ...HANDLER_NAMES.map((name) => `horton-${name}-throttles`),
        ...kafkaHandlers.map((name) => `horton-${name}-dead-letters`),
        ...kafkaHandlers.map((name) => `horton-${name}-retries-exhausted`),
        ...kafkaHandlers.map((name) => `horton-${name}-consumer-lag`),
        ...kafkaHandlers.map((name) => `horton-${name}-not-polling`),
        ...kafkaHandlers.map((name) => `horton-${name}-mapping-errors`),
        ...kafkaHandlers.map((name) => `horton-${name}-backlog-stuck`),
        'horton-schedule-failures',
        'horton-alphavantage-budget-exhausted',
        'horton-alphavantage-plan-contradicted',
      ].sort(),
    );
    const topic = logicalIdOf(template, 'AWS::SNS::Topic', 'MonitoringAlarmTopic');
    template.allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: [{ Ref: topic }] });
  });

  it('dead-letter alarm watches the Horton metric of the handler', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'horton-quote-dead-letters',
      Namespace: 'Horton',
      MetricName: 'RecordsDeadLettered',
      Dimensions: [{ Name: 'service', Value: 'horton-quote' }],
      Statistic: 'Sum',
      Threshold: 1,
    });
  });

  it("lag alarm watches Lambda's OffsetLag of the consuming function", () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'horton-history-consumer-lag',
      Namespace: 'AWS/Lambda',
      MetricName: 'OffsetLag',
      Dimensions: [
        {
          Name: 'FunctionName',
          Value: { Ref: logicalIdOf(template, 'AWS::Lambda::Function', 'HandlershistoryFunction') },
        },
      ],
      Statistic: 'Maximum',
      Threshold: 1000,
      EvaluationPeriods: 3,
    });
  });

  it('dashboard shows lag per consumer group, Lambda OffsetLag, dead letters and AlphaVantage limit answers', () => {
    const body = JSON.stringify(
      (
        propertiesOf(template, 'AWS::CloudWatch::Dashboard', 'MonitoringDashboard') as {
          DashboardBody: unknown;
        }
      ).DashboardBody,
    );
    for (const name of kafkaHandlers) {
      const trigger = HANDLERS[name].trigger as { topic: 'quote' };
      expect(body).toContain(consumerGroupId(config, trigger.topic));
    }
    for (const metric of [
      'MaxOffsetLag',
      'SumOffsetLag',
      'OffsetLag',
      'RecordsDeadLettered',
      'AlphaVantageLimitResponses',
      'Throttles',
    ]) {
      expect(body).toContain(metric);
    }
  });
});
