/**
 * The cloud shape of a deployment (issue 19): the cluster kinds, where alarms go, the AWS Budgets guard, the NAT
 * gateway count and the cost-allocation tags on every taggable resource. One synthesis of a non-default variant
 * (MSK Serverless, two NAT gateways, an existing alarm topic, a monthly budget) covers the options.
 */
import { CfnResource, TagManager } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { costTags, DEPLOYMENT_TAG } from '../../lib/constructs/cost-tags.ts';
import {
  logicalIdOf,
  SYNTH_TIMEOUT_MS,
  type Synthesized,
  sharedSynthesis,
  synthHorton,
} from './cdk-helpers.ts';

const PAGER = 'arn:aws:sns:us-east-1:111122223333:ops-pager';

let variant: Synthesized;

beforeAll(() => {
  variant = synthHorton({
    config: { prefix: 'hsl', deployment: { cluster: { kind: 'serverless' }, natGateways: 2 } },
    props: { alarmTopicArn: PAGER, monthlyBudgetUsd: 120 },
  });
}, SYNTH_TIMEOUT_MS);

describe('cluster kinds', () => {
  it('serverless: an MSK Serverless cluster with IAM auth, no provisioned cluster or broker configuration', () => {
    const { template } = variant;
    template.resourceCountIs('AWS::MSK::Cluster', 0);
    template.resourceCountIs('AWS::MSK::Configuration', 0);
    template.hasResourceProperties('AWS::MSK::ServerlessCluster', {
      ClusterName: 'hsl-kafka',
      ClientAuthentication: { Sasl: { Iam: { Enabled: true } } },
    });
  });

  it('provisioned (default): brokers, their configuration and broker log group, nothing serverless', () => {
    const { template } = sharedSynthesis('created');
    template.resourceCountIs('AWS::MSK::Cluster', 1);
    template.resourceCountIs('AWS::MSK::Configuration', 1);
    template.resourceCountIs('AWS::MSK::ServerlessCluster', 0);
  });
});

describe('alarms reach a person', () => {
  it('routes every alarm to an existing topic when given, and creates none of its own', () => {
    const { template } = variant;
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: [PAGER] });
    template.hasOutput('AlarmTopicArn', { Value: PAGER });
  });

  it('adds an AWS Budgets budget on the deployment tag: 80% actual and 100% forecast to the alarm topic', () => {
    const { template } = variant;
    template.hasResourceProperties('AWS::Budgets::Budget', {
      Budget: {
        BudgetType: 'COST',
        TimeUnit: 'MONTHLY',
        BudgetLimit: { Amount: 120, Unit: 'USD' },
        CostFilters: { TagKeyValue: [`user:${DEPLOYMENT_TAG}$hsl`] },
      },
      NotificationsWithSubscribers: [
        {
          Notification: { NotificationType: 'ACTUAL', Threshold: 80, ComparisonOperator: 'GREATER_THAN' },
          Subscribers: [{ SubscriptionType: 'SNS', Address: PAGER }],
        },
        {
          Notification: {
            NotificationType: 'FORECASTED',
            Threshold: 100,
            ComparisonOperator: 'GREATER_THAN',
          },
          Subscribers: [{ SubscriptionType: 'SNS', Address: PAGER }],
        },
      ],
    });
    // Without -c monthlyBudgetUsd there is none; the topic of its own lets AWS Budgets publish.
    const { template: standard } = sharedSynthesis('created');
    standard.resourceCountIs('AWS::Budgets::Budget', 0);
    const statements = JSON.stringify(standard.findResources('AWS::SNS::TopicPolicy'));
    expect(statements).toContain('budgets.amazonaws.com');
  });

  it('the budget alarms watch the summed Horton metrics of every handler that calls AlphaVantage', () => {
    const { template } = sharedSynthesis('created');
    for (const [alarmName, metricName] of [
      ['horton-alphavantage-budget-exhausted', 'AlphaVantageBudgetExhausted'],
      ['horton-alphavantage-plan-contradicted', 'AlphaVantageDailyLimitContradictsPlan'],
    ] as const) {
      const alarm = Object.values(template.findResources('AWS::CloudWatch::Alarm')).find(
        (resource) => (resource as { Properties: { AlarmName: string } }).Properties.AlarmName === alarmName,
      ) as {
        Properties: { Metrics: Array<{ Expression?: string; MetricStat?: unknown }>; Threshold: number };
      };
      expect(alarm.Properties.Threshold).toBe(1);
      const services = alarm.Properties.Metrics.filter((metric) => metric.MetricStat).map((metric) =>
        JSON.stringify(metric.MetricStat),
      );
      expect(services).toHaveLength(5);
      for (const service of services) expect(service).toContain(metricName);
    }
  });

  it('a backlog of one record that does not move for stuckBacklogHours raises backlog-stuck', () => {
    const { template } = sharedSynthesis('created');
    const alarm = Object.values(template.findResources('AWS::CloudWatch::Alarm')).find(
      (resource) =>
        (resource as { Properties: { AlarmName: string } }).Properties.AlarmName ===
        'horton-quote-backlog-stuck',
    ) as {
      Properties: {
        EvaluationPeriods: number;
        Threshold: number;
        ComparisonOperator: string;
        Metrics: Array<{ Id: string; Expression?: string; MetricStat?: { Stat: string; Period: number } }>;
      };
    };
    expect(alarm.Properties).toMatchObject({
      EvaluationPeriods: 2,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    const expression = alarm.Properties.Metrics.find((metric) => metric.Expression)?.Expression ?? '';
    // Evaluate the expression as CloudWatch would for one hour: lag 1 all hour, nothing processed.
    const fires = (lag: number | undefined, processed: number | undefined) =>
      evaluateBacklogExpression(expression, { lag, processed });
    expect(fires(1, undefined)).toBe(1);
    expect(fires(1, 0)).toBe(1);
    expect(fires(0, undefined)).toBe(0);
    expect(fires(1, 3)).toBe(0);
    expect(fires(undefined, undefined)).toBe(0);
    const lag = alarm.Properties.Metrics.find((metric) => metric.Id === 'lag');
    expect(lag?.MetricStat).toMatchObject({ Stat: 'Minimum', Period: 3600 });
  });
});

/** CloudWatch's `IF(FILL(lag, 0) > 0 AND FILL(processed, 0) == 0, 1, 0)` for one data point. */
function evaluateBacklogExpression(
  expression: string,
  values: { lag: number | undefined; processed: number | undefined },
): number {
  const match = /^IF\(FILL\(lag, 0\) > 0 AND FILL\(processed, 0\) == 0, 1, 0\)$/.exec(expression);
  if (!match) throw new Error(`unexpected expression ${expression}`);
  return (values.lag ?? 0) > 0 && (values.processed ?? 0) === 0 ? 1 : 0;
}

describe('details', () => {
  it('NAT gateways follow deployment.natGateways', () => {
    variant.template.resourceCountIs('AWS::EC2::NatGateway', 2);
    sharedSynthesis('created').template.resourceCountIs('AWS::EC2::NatGateway', 1);
  });

  it('the schedule failure queue has no fixed name', () => {
    const queues = variant.template.findResources('AWS::SQS::Queue');
    for (const queue of Object.values(queues)) {
      expect((queue as { Properties: Record<string, unknown> }).Properties).not.toHaveProperty('QueueName');
    }
  });

  it('every taggable resource carries the cost-allocation tags', () => {
    const { stack, template } = variant;
    const taggable = stack.node
      .findAll()
      .filter((construct): construct is CfnResource => CfnResource.isCfnResource(construct))
      .filter((resource) => TagManager.isTaggable(resource));
    expect(taggable.length).toBeGreaterThan(50);
    const expected = costTags('hsl');
    const untagged = taggable
      .map((resource) => stack.getLogicalId(resource))
      .filter((id) => !hasTags(template, id, expected));
    expect(untagged).toEqual([]);
    expect(logicalIdOf(template, 'AWS::MSK::ServerlessCluster', 'KafkaCluster')).toBeTruthy();
  });
});

/** Whether the template gives the resource every tag (Tags as a list of Key/Value, or as a map). */
function hasTags(template: Template, logicalId: string, expected: Record<string, string>): boolean {
  const resource = template.toJSON().Resources[logicalId] as { Properties?: { Tags?: unknown } };
  const tags = resource.Properties?.Tags;
  const map: Record<string, unknown> = Array.isArray(tags)
    ? Object.fromEntries((tags as Array<{ Key: string; Value: unknown }>).map((tag) => [tag.Key, tag.Value]))
    : ((tags ?? {}) as Record<string, unknown>);
  return Object.entries(expected).every(([key, value]) => map[key] === value);
}
