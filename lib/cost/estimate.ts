/**
 * The monthly list-price cost of a synthesized Horton template, line by line, from the checked-in price table
 * (prices-us-east-1.json: prices, their sources and date, and the usage assumptions). Pure: template and
 * configuration in, lines out; bin/cost.ts synthesizes and prints.
 *
 * Every resource type of the template must be in the table's `resourceTypes`, either `priced` (a line below
 * covers it) or `free: <reason>`; an unknown type stops the estimate, so a new kind of resource cannot slip in
 * unpriced (test/unit/cdk-cost.test.ts).
 */
import type { HortonConfig } from '../../model/config.ts';
import { planDailyCalls } from '../../model/plan.ts';
import table from './prices-us-east-1.json' with { type: 'json' };

export type PriceTable = typeof table;
export const PRICES: PriceTable = table;

export interface CostLine {
  /** What is billed, e.g. "MSK brokers". */
  component: string;
  /** How the figure is made, e.g. "2 x kafka.t3.small x 730 h x $0.0456". */
  basis: string;
  /** USD a month. */
  monthly: number;
  /** The line rests on a price the table marks unverified. */
  unverified?: boolean;
}

export interface TemplateJson {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

type Resource = { Type: string; Properties: Record<string, unknown> };

export class UnpricedResourceError extends Error {
  override readonly name = 'UnpricedResourceError';
}

/** Resource types of the template that the price table neither prices nor declares free. */
export function unpricedTypes(template: TemplateJson, prices: PriceTable = PRICES): string[] {
  const known = prices.resourceTypes as Record<string, string>;
  return [...new Set(Object.values(template.Resources).map((resource) => resource.Type))]
    .filter((type) => known[type] === undefined)
    .sort();
}

/** The cost lines of a template deployed with this configuration; throws on a type the table does not know. */
export function estimateMonthlyCost(
  template: TemplateJson,
  config: HortonConfig,
  prices: PriceTable = PRICES,
): CostLine[] {
  const unknown = unpricedTypes(template, prices);
  if (unknown.length > 0) {
    throw new UnpricedResourceError(
      `resource types missing from the price table (price them or declare them free): ${unknown.join(', ')}`,
    );
  }
  const resources = Object.values(template.Resources).map((resource) => ({
    Type: resource.Type,
    Properties: resource.Properties ?? {},
  }));
  const usage = monthlyUsage(config, resources, prices);
  return [
    ...kafkaLines(resources, prices),
    ...pollerLines(resources, prices),
    ...networkLines(resources, usage, prices),
    ...computeLines(resources, usage, prices),
    ...observabilityLines(resources, usage, prices),
    ...secretLines(resources, prices),
  ];
}

/** Sum of the lines, rounded to cents. */
export function totalOf(lines: readonly CostLine[]): number {
  return Math.round(lines.reduce((sum, line) => sum + line.monthly, 0) * 100) / 100;
}

interface Usage {
  /** AlphaVantage calls a month, from the plan's worst day every day (an upper bound). */
  calls: number;
  /** Function invocations a month: one per call plus the schedule firings. */
  invocations: number;
  /** Schedule firings a month. */
  firings: number;
}

function monthlyUsage(config: HortonConfig, resources: Resource[], prices: PriceTable): Usage {
  const plan = planDailyCalls(config);
  const calls = plan.worstDay.calls * prices.daysPerMonth;
  const firings =
    plan.schedules.reduce((sum, schedule) => sum + schedule.firingsOnWorstDay, 0) * prices.daysPerMonth;
  const schedules = ofType(resources, 'AWS::Scheduler::Schedule').length;
  return { calls, invocations: calls + firings, firings: schedules > 0 ? firings : 0 };
}

function ofType(resources: Resource[], type: string): Resource[] {
  return resources.filter((resource) => resource.Type === type);
}

const usd = (value: number, digits = 4) => `$${Number(value.toFixed(digits))}`;

function kafkaLines(resources: Resource[], prices: PriceTable): CostLine[] {
  const hours = prices.hoursPerMonth;
  const lines: CostLine[] = [];
  for (const cluster of ofType(resources, 'AWS::MSK::Cluster')) {
    const brokers = Number(cluster.Properties.NumberOfBrokerNodes);
    const group = cluster.Properties.BrokerNodeGroupInfo as {
      InstanceType: string;
      StorageInfo?: { EBSStorageInfo?: { VolumeSize?: number } };
    };
    const hourly = (prices.prices.mskBrokerHour as Record<string, number>)[group.InstanceType];
    if (hourly === undefined) throw new UnpricedResourceError(`no broker price for ${group.InstanceType}`);
    const gib = group.StorageInfo?.EBSStorageInfo?.VolumeSize ?? 1000;
    lines.push(
      {
        component: 'MSK brokers',
        basis: `${brokers} x ${group.InstanceType} x ${hours} h x ${usd(hourly)}`,
        monthly: brokers * hours * hourly,
      },
      {
        component: 'MSK broker storage',
        basis: `${brokers} x ${gib} GiB x ${usd(prices.prices.mskStorageGbMonth)}`,
        monthly: brokers * gib * prices.prices.mskStorageGbMonth,
      },
    );
  }
  for (const _ of ofType(resources, 'AWS::MSK::ServerlessCluster')) {
    const partitions = ofType(resources, 'Custom::HortonKafkaTopics')
      .flatMap((topics) => topics.Properties.Topics as Array<{ Partitions: number }>)
      .reduce((sum, topic) => sum + topic.Partitions, 0);
    lines.push(
      {
        component: 'MSK Serverless cluster',
        basis: `${hours} cluster-hours x ${usd(prices.prices.mskServerlessClusterHour)}`,
        monthly: hours * prices.prices.mskServerlessClusterHour,
      },
      {
        component: 'MSK Serverless partitions',
        basis: `${partitions} partitions x ${hours} h x ${usd(prices.prices.mskServerlessPartitionHour)}`,
        monthly: partitions * hours * prices.prices.mskServerlessPartitionHour,
      },
    );
  }
  return lines;
}

/**
 * Provisioned pollers are billed in event poller units; mappings of one poller group share units, so the
 * group's minimum pollers are packed into as few units as hold them. On-demand pollers are not billed.
 */
function pollerLines(resources: Resource[], prices: PriceTable): CostLine[] {
  const mappings = ofType(resources, 'AWS::Lambda::EventSourceMapping');
  const groups = new Map<string, number>();
  let onDemand = 0;
  mappings.forEach((mapping, index) => {
    const pollers = mapping.Properties.ProvisionedPollerConfig as
      | { MinimumPollers?: number; PollerGroupName?: string }
      | undefined;
    if (!pollers) {
      onDemand += 1;
      return;
    }
    const group = pollers.PollerGroupName ?? `mapping-${index}`;
    groups.set(group, (groups.get(group) ?? 0) + (pollers.MinimumPollers ?? 1));
  });
  const lines: CostLine[] = [];
  const perUnit = prices.prices.pollersPerEventPollerUnit;
  for (const [group, pollers] of groups) {
    const units = Math.ceil(pollers / perUnit);
    lines.push({
      component: `Event pollers (provisioned, group ${group})`,
      basis: `${pollers} minimum pollers -> ${units} unit(s) x ${prices.hoursPerMonth} h x ${usd(prices.prices.eventPollerUnitHour)}`,
      monthly: units * prices.hoursPerMonth * prices.prices.eventPollerUnitHour,
      unverified: true,
    });
  }
  if (onDemand > 0) {
    lines.push({
      component: 'Event pollers (on-demand)',
      basis: `${onDemand} mappings, not billed`,
      monthly: 0,
    });
  }
  return lines;
}

function networkLines(resources: Resource[], usage: Usage, prices: PriceTable): CostLine[] {
  const hours = prices.hoursPerMonth;
  const nats = ofType(resources, 'AWS::EC2::NatGateway').length;
  const ips = ofType(resources, 'AWS::EC2::EIP').length;
  if (nats === 0 && ips === 0) return [];
  const gb = (usage.calls / 1000) * prices.assumptions.natGbPerThousandCalls;
  return [
    {
      component: 'NAT gateways',
      basis: `${nats} x ${hours} h x ${usd(prices.prices.natGatewayHour)} + ${gb.toFixed(2)} GB x ${usd(prices.prices.natGatewayGb)}`,
      monthly: nats * hours * prices.prices.natGatewayHour + gb * prices.prices.natGatewayGb,
    },
    {
      component: 'Public IPv4 addresses (NAT)',
      basis: `${ips} x ${hours} h x ${usd(prices.prices.publicIpv4Hour)}`,
      monthly: ips * hours * prices.prices.publicIpv4Hour,
    },
  ];
}

function computeLines(resources: Resource[], usage: Usage, prices: PriceTable): CostLine[] {
  const p = prices.prices;
  const a = prices.assumptions;
  const memoryGb = 0.5;
  const gbSeconds = usage.invocations * a.lambdaSecondsPerInvocation * memoryGb;
  const tables = ofType(resources, 'AWS::DynamoDB::Table').length;
  const writes = usage.calls * a.dynamodbWriteUnitsPerCall;
  const reads = usage.calls * a.dynamodbReadUnitsPerCall;
  const callsText = `${Math.round(usage.calls)} calls/month`;
  return [
    {
      component: 'Lambda functions',
      basis: `${Math.round(usage.invocations)} invocations x ${a.lambdaSecondsPerInvocation} s x ${memoryGb} GB (arm64)`,
      monthly: gbSeconds * p.lambdaArmGbSecond + (usage.invocations / 1e6) * p.lambdaRequestsMillion,
    },
    {
      component: 'DynamoDB on-demand',
      basis: `${tables} tables; ${callsText} x ${a.dynamodbWriteUnitsPerCall} WRU + ${a.dynamodbReadUnitsPerCall} RRU; ${a.dynamodbStoredGb} GB + PITR`,
      monthly:
        (writes / 1e6) * p.dynamodbWriteRequestUnitsMillion +
        (reads / 1e6) * p.dynamodbReadRequestUnitsMillion +
        a.dynamodbStoredGb * (p.dynamodbStorageGbMonth + p.dynamodbPitrGbMonth),
    },
    {
      component: 'EventBridge Scheduler',
      basis: `${Math.round(usage.firings)} invocations x ${usd(p.schedulerInvocationsMillion)}/million`,
      monthly: (usage.firings / 1e6) * p.schedulerInvocationsMillion,
    },
  ];
}

function observabilityLines(resources: Resource[], usage: Usage, prices: PriceTable): CostLine[] {
  const p = prices.prices;
  const a = prices.assumptions;
  const alarmMetrics = ofType(resources, 'AWS::CloudWatch::Alarm').reduce((sum, alarm) => {
    const queries = (alarm.Properties.Metrics ?? []) as Array<{ MetricStat?: unknown }>;
    return sum + (alarm.Properties.MetricName ? 1 : queries.filter((query) => query.MetricStat).length);
  }, 0);
  const alarms = ofType(resources, 'AWS::CloudWatch::Alarm').length;
  const dashboards = ofType(resources, 'AWS::CloudWatch::Dashboard').length;
  const mappings = ofType(resources, 'AWS::Lambda::EventSourceMapping').length;
  // Billed only for the hours a metric is emitted: those every consumer run emits, and the dispatcher's.
  const hortonMetrics = mappings * a.hortonMetricsPerConsumer + a.hortonMetricsOther;
  const customMetrics = mappings * a.mappingMetricsPerMapping + hortonMetrics;
  const flowLog = ofType(resources, 'AWS::EC2::FlowLog')[0]?.Properties.TrafficType as
    | keyof typeof a.flowLogGbMonth
    | undefined;
  const brokerLogs = ofType(resources, 'AWS::MSK::Cluster').length * a.brokerLogGbMonth;
  const functionLogs = (usage.invocations * a.lambdaLogKbPerInvocation) / 1024 / 1024;
  const logsGb = functionLogs + (flowLog ? a.flowLogGbMonth[flowLog] : 0) + brokerLogs;
  return [
    {
      component: 'CloudWatch alarms',
      basis: `${alarms} alarms watching ${alarmMetrics} metrics x ${usd(p.cloudwatchAlarmMetricMonth)}`,
      monthly: alarmMetrics * p.cloudwatchAlarmMetricMonth,
    },
    {
      component: 'CloudWatch metrics',
      basis: `${mappings} mappings x ${a.mappingMetricsPerMapping} mapping metrics + ${hortonMetrics} Horton metrics x ${usd(p.cloudwatchCustomMetricMonth)}`,
      monthly: customMetrics * p.cloudwatchCustomMetricMonth,
    },
    {
      component: 'CloudWatch dashboard',
      basis: `${dashboards} x ${usd(p.cloudwatchDashboardMonth)} (the first 3 of an account are free)`,
      monthly: dashboards * p.cloudwatchDashboardMonth,
    },
    {
      component: 'CloudWatch Logs',
      basis: `${logsGb.toFixed(2)} GB ingested (functions${flowLog ? `, ${flowLog} flow log` : ''}${brokerLogs ? ', broker logs' : ''}) x ${usd(p.cloudwatchLogsIngestedGb)} + storage`,
      monthly: logsGb * (p.cloudwatchLogsIngestedGb + p.cloudwatchLogsStoredGbMonth),
    },
  ];
}

function secretLines(resources: Resource[], prices: PriceTable): CostLine[] {
  const secrets = ofType(resources, 'AWS::SecretsManager::Secret').length;
  const calls = prices.assumptions.secretsApiCallsMonth;
  return [
    {
      component: 'Secrets Manager',
      basis: `${secrets} secret x ${usd(prices.prices.secretMonth)} + ${calls} API calls`,
      monthly:
        secrets * prices.prices.secretMonth + (calls / 10_000) * prices.prices.secretsApiCallsTenThousand,
    },
  ];
}
