/**
 * The Budget page: today's AlphaVantage calls (the limiter's `day#` item) against the plan's caps, the pace
 * (the limiter's GCRA `pace` item), yesterday for comparison, the work waiting in the handlers' topics, and the
 * daily plan of `npm run plan` for the console's configuration (model/plan.ts).
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { alphaVantageBudget, type HortonConfig } from '../../../model/config.ts';
import type { StatusReport } from '../../../model/operations.ts';
import { planDailyCalls } from '../../../model/plan.ts';
import type { Target } from '../../target.ts';
import type { BudgetView, DayCount } from '../api-types.ts';

async function dayCount(target: Target, table: string, day: string): Promise<DayCount> {
  const { Item } = await (await target.doc()).send(
    new GetCommand({ TableName: table, Key: { pk: `day#${day}` } }),
  );
  return { day, calls: Number(Item?.calls ?? 0), exhausted: Item?.exhausted === true };
}

/** Today's count and whether it reached the cap (used by the Securities page to tell due from deferred). */
export async function spentToday(target: Target, config: HortonConfig, now: Date): Promise<boolean> {
  const table = ((await target.deployment()).tables as Partial<Record<string, string>>).alphaVantageQuota;
  const cap = alphaVantageBudget(config).requestsPerDay;
  if (!table) return false;
  const today = await dayCount(target, table, now.toISOString().slice(0, 10));
  return today.exhausted || (cap !== null && today.calls >= cap);
}

export async function readBudget(
  target: Target,
  config: HortonConfig,
  planSource: string,
  now: Date,
): Promise<BudgetView> {
  const table = ((await target.deployment()).tables as Partial<Record<string, string>>).alphaVantageQuota;
  const budget = alphaVantageBudget(config);
  const status = await target.operate<StatusReport>({ action: 'status' });
  const waiting = status.handlers.map((handler) => ({ handler: handler.handler, lag: handler.lag }));
  const plan = planDailyCalls(config);
  const base = {
    requestsPerDay: budget.requestsPerDay,
    requestsPerMinute: budget.requestsPerMinute,
    waiting,
    plan,
    planSource,
  };
  if (!table) return { ...base, limiter: false, spentToday: false };
  const day = (offset: number) => new Date(now.getTime() - offset * 86_400_000).toISOString().slice(0, 10);
  const doc = await target.doc();
  const [today, yesterday, pace] = await Promise.all([
    dayCount(target, table, day(0)),
    dayCount(target, table, day(1)),
    doc.send(new GetCommand({ TableName: table, Key: { pk: 'pace' } })).then((r) => r.Item),
  ]);
  const tat = Number(pace?.tat);
  return {
    ...base,
    limiter: true,
    today,
    yesterday,
    ...(Number.isFinite(tat) ? { nextSlotAt: new Date(Math.max(tat, now.getTime())).toISOString() } : {}),
    spentToday: today.exhausted || (budget.requestsPerDay !== null && today.calls >= budget.requestsPerDay),
  };
}
