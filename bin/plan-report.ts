/**
 * The daily plan as a person reads it: a table per schedule, the worst day against the budget, and what does
 * not fit. Shared by `npm run plan`, `cdk synth` (bin/horton.ts) and `npm start`, which print the same text.
 */
import Table from 'cli-table3';
import type { HortonConfig } from '../model/config.ts';
import { type DailyPlan, planDailyCalls, type RunPlan } from '../model/plan.ts';

export function formatPlan(plan: DailyPlan): string {
  const table = new Table({
    head: ['schedule', 'job', 'expression', 'commands/firing', 'firings', 'calls', 'busiest day'],
    colAligns: ['left', 'left', 'left', 'right', 'right', 'right', 'right'],
    style: { head: [], border: [], compact: true },
  });
  for (const row of plan.schedules) {
    table.push([
      row.enabled ? row.schedule : `${row.schedule} (disabled)`,
      row.job,
      row.expression,
      row.commandsPerFiring,
      row.firingsOnWorstDay,
      row.callsOnWorstDay,
      row.maxCallsPerDay,
    ]);
  }
  const budget = plan.requestsPerDay === null ? 'no daily cap' : `${plan.requestsPerDay} calls/day`;
  table.push([
    { colSpan: 5, content: `worst day (${plan.worstDay.weekday}, UTC) against the budget: ${budget}` },
    plan.worstDay.calls,
    plan.headroom === null ? '' : `${plan.headroom >= 0 ? 'left' : 'over'} ${Math.abs(plan.headroom)}`,
  ]);
  const lines = [
    `AlphaVantage daily plan: ${plan.securities} securities, ${plan.requestsPerMinute} calls/minute, ${budget}`,
    'firings and calls: on the worst day; busiest day: the schedule on its own busiest day',
    table.toString(),
  ];
  if (!plan.fits) {
    const over = plan.schedules
      .filter((row) => row.callsOnWorstDay > 0)
      .sort((a, b) => b.callsOnWorstDay - a.callsOnWorstDay)
      .map((row) => `${row.schedule} ${row.callsOnWorstDay}`)
      .join(', ');
    lines.push(
      `Does not fit: the worst day needs ${plan.worstDay.calls} calls, ${-(plan.headroom ?? 0)} more than the ` +
        `budget (${over}). Fewer securities or firings, computed indicators, a larger plan, or ` +
        `"alphaVantage": {"overBudget": "collect-what-fits"} to collect only what the budget covers.`,
    );
  }
  return lines.join('\n');
}

/**
 * The refusal `cdk synth` and `npm start` print, or undefined when the configuration may run: it fits, or the
 * user chose `collect-what-fits`.
 */
export function planRefusal(config: HortonConfig): string | undefined {
  if (config.alphaVantage.overBudget === 'collect-what-fits') return undefined;
  const plan = planDailyCalls(config);
  if (plan.fits) return undefined;
  return `The configuration does not fit the AlphaVantage plan "${config.alphaVantage.plan}":\n${formatPlan(plan)}`;
}

/** The first run's plan in one or two lines: its calls against a fresh day, and what waits for the next. */
export function formatFirstRun(run: RunPlan): string {
  const budget = run.remainingToday === null ? 'no daily cap' : `${run.remainingToday} calls`;
  const lines = [`First run (npm start, nothing stored yet): ${run.calls} calls against ${budget}.`];
  if (run.deferred.length > 0) {
    const deferred = run.deferred.map((item) => `${item.dataset} ${item.symbol}`).join(', ');
    lines.push(`  deferred to the next budget day: ${deferred}`);
  }
  return lines.join('\n');
}
