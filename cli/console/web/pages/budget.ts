/**
 * Budget: today's AlphaVantage calls against the plan's daily cap and per-minute pace (the limiter's table),
 * the work waiting in the handlers' topics, and the daily plan of `npm run plan`.
 */
import { get } from '../api.ts';
import { h, table, when } from '../dom.ts';
import type { BudgetView } from '../types.ts';

function gauge(budget: BudgetView): HTMLElement {
  if (!budget.limiter || !budget.today)
    return h('p', {}, 'This deployment has no limiter table: calls are not counted.');
  const cap = budget.requestsPerDay;
  const used = budget.today.calls;
  return h(
    'div',
    { class: 'gauge' },
    h(
      'div',
      { class: 'big', 'data-calls-today': used },
      `${used}${cap === null ? '' : ` of ${cap}`} calls today (UTC ${budget.today.day})`,
    ),
    cap === null
      ? h('p', {}, 'No daily cap in this plan.')
      : h('progress', { max: cap, value: Math.min(used, cap) }),
    h(
      'p',
      {},
      `Pace: at most ${budget.requestsPerMinute} calls/minute; ${budget.nextSlotAt && Date.parse(budget.nextSlotAt) > Date.now() + 1000 ? `next slot ${when(budget.nextSlotAt)}` : 'a call may start now'}.`,
    ),
    budget.spentToday
      ? h('p', { class: 'problem' }, 'Today’s budget is spent: due work is deferred to the next UTC day.')
      : null,
    budget.yesterday
      ? h(
          'p',
          { class: 'muted' },
          `Yesterday (${budget.yesterday.day}): ${budget.yesterday.calls} calls${budget.yesterday.exhausted ? ', used up' : ''}.`,
        )
      : null,
  );
}

export async function budgetPage(root: HTMLElement): Promise<undefined> {
  const budget = await get<BudgetView>('budget');
  const plan = budget.plan;
  root.append(
    h('h2', {}, 'Budget'),
    gauge(budget),
    h('h3', {}, 'Work waiting'),
    h(
      'p',
      { class: 'muted' },
      'Records on each handler’s topic not yet processed: the commands still to call for, including records parked for lack of budget.',
    ),
    table(
      ['Handler', 'Waiting records'],
      budget.waiting.map((w) => [w.handler, w.lag]),
      { id: 'waiting' },
    ),
    h('h3', {}, 'Daily plan'),
    h(
      'p',
      { class: 'muted' },
      `As \`npm run plan\` prints it for ${budget.planSource}: ${plan.securities} securities, ${plan.requestsPerMinute} calls/minute, ${plan.requestsPerDay === null ? 'no daily cap' : `${plan.requestsPerDay} calls/day`}.`,
    ),
    table(
      ['Schedule', 'Job', 'Expression', 'Commands/firing', 'Firings', 'Calls', 'Busiest day'],
      plan.schedules.map((s) => [
        s.enabled ? s.schedule : `${s.schedule} (disabled)`,
        s.job,
        s.expression,
        s.commandsPerFiring,
        s.firingsOnWorstDay,
        s.callsOnWorstDay,
        s.maxCallsPerDay,
      ]),
      { id: 'plan' },
    ),
    h(
      'p',
      { class: plan.fits ? 'ok' : 'problem' },
      `Worst day (${plan.worstDay.weekday}, UTC): ${plan.worstDay.calls} calls` +
        (plan.headroom === null
          ? '.'
          : `, ${plan.headroom >= 0 ? `${plan.headroom} left` : `${-plan.headroom} over the budget`}.`),
    ),
  );
  return undefined;
}
