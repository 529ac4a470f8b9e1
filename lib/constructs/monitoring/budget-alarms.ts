/**
 * Alarms on what the AlphaVantage budget tells a person (Horton metrics of the handlers that call AlphaVantage),
 * and the optional AWS Budgets budget on the deployment's cost-allocation tag (docs/decisions/0076):
 * - `<prefix>-alphavantage-budget-exhausted`: the limiter found the day's budget spent. The deployed plan fits
 *   the daily budget (`npm run plan`; synth refuses one that does not), so this is the budget spent before the
 *   plan expected: another consumer of the key, a backfill, or retries.
 * - `<prefix>-alphavantage-plan-contradicted`: AlphaVantage answered with a daily limit although the configured
 *   plan has none: the key's plan is not the configured one.
 * - AWS Budgets: at 80% of `-c monthlyBudgetUsd` actually spent and at 100% forecast, to the alarm topic.
 */
import { aws_budgets as budgets, aws_cloudwatch as cloudwatch } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { HortonConfig } from '../../../model/config.ts';
import { HANDLERS, type HandlerName } from '../../../model/handlers.ts';
import { METRIC } from '../../../model/metrics.ts';
import { DEPLOYMENT_TAG } from '../cost-tags.ts';
import type { AlarmSink } from './alarm-sink.ts';
import { hortonMetricSum } from './horton-metrics.ts';

export interface BudgetAlarmsProps {
  readonly config: HortonConfig;
  readonly sink: AlarmSink;
  /**
   * Monthly AWS cost budget of the deployment, USD.
   * @default - no AWS Budgets budget
   */
  readonly monthlyBudgetUsd?: number;
}

/** Handlers that take calls from the AlphaVantage budget. */
export function alphaVantageCallers(): HandlerName[] {
  return (Object.keys(HANDLERS) as HandlerName[]).filter((name) => HANDLERS[name].callsAlphaVantage);
}

/** The budget alarms, added to the alarm sink; the AWS Budgets budget in `scope` (the monitoring construct). */
export class BudgetAlarms {
  readonly budget?: budgets.CfnBudget;

  constructor(scope: Construct, props: BudgetAlarmsProps) {
    const { config, sink } = props;
    const prefix = config.prefix;
    const callers = alphaVantageCallers();
    sink.alarm(
      'AlphaVantageBudgetSpent',
      {
        alarmName: `${prefix}-alphavantage-budget-exhausted`,
        alarmDescription:
          "The day's AlphaVantage budget was spent before the plan expected (npm run plan): calls wait for the " +
          'next UTC day. Another user of the key, a backfill, or retries?',
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
      },
      hortonMetricSum(prefix, callers, METRIC.alphaVantageBudgetExhausted, 'budget found spent'),
    );
    sink.alarm(
      'AlphaVantagePlanContradicted',
      {
        alarmName: `${prefix}-alphavantage-plan-contradicted`,
        alarmDescription: `AlphaVantage answered with a daily limit, which the configured plan (${config.alphaVantage.plan}) does not have: check the key's plan`,
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
      },
      hortonMetricSum(
        prefix,
        callers,
        METRIC.alphaVantageDailyLimitContradictsPlan,
        'daily limit against plan',
      ),
    );
    if (props.monthlyBudgetUsd !== undefined) {
      this.budget = monthlyCostBudget(scope, prefix, props.monthlyBudgetUsd, sink.topic.topicArn);
    }
  }
}

/** A monthly cost budget filtered on the deployment tag, notifying the topic at 80% actual and 100% forecast. */
function monthlyCostBudget(
  scope: Construct,
  prefix: string,
  usd: number,
  topicArn: string,
): budgets.CfnBudget {
  const notify = (notificationType: 'ACTUAL' | 'FORECASTED', threshold: number) => ({
    notification: {
      notificationType,
      comparisonOperator: 'GREATER_THAN',
      threshold,
      thresholdType: 'PERCENTAGE',
    },
    subscribers: [{ subscriptionType: 'SNS', address: topicArn }],
  });
  return new budgets.CfnBudget(scope, 'MonthlyBudget', {
    budget: {
      budgetType: 'COST',
      timeUnit: 'MONTHLY',
      budgetLimit: { amount: usd, unit: 'USD' },
      costFilters: { TagKeyValue: [`user:${DEPLOYMENT_TAG}$${prefix}`] },
    },
    notificationsWithSubscribers: [notify('ACTUAL', 80), notify('FORECASTED', 100)],
  });
}
