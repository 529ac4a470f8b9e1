/**
 * Budget: today's AlphaVantage calls against the plan's daily cap and per-minute pace (the limiter's table),
 * the work waiting in the handlers' topics, the memory of answers without data (paged by the server), and the
 * daily plan of `npm run plan`.
 */
import type { BudgetView, NoDataPage, NoDataView } from '../../api-types.ts';
import { ApiError, get } from '../api.ts';
import { h, problem, table, when } from '../dom.ts';

/** The heading, the explanation and the table the pages of remembered answers fill. */
function noDataFrame(rows: HTMLElement, status: HTMLElement, more: HTMLElement): HTMLElement {
  return h(
    'div',
    {},
    h('h3', {}, 'No-data memory'),
    h(
      'p',
      { class: 'muted' },
      'Answers without data remembered per symbol and dataset: no call is made for them before their next try (docs/decisions/0033-no-data-memory.md).',
    ),
    h(
      'table',
      { id: 'no-data' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...['Symbol', 'Dataset', 'Since', 'Next try', 'Times', 'Answer'].map((c) => h('th', {}, c)),
        ),
      ),
      rows,
    ),
    status,
    more,
  );
}

/** One remembered answer; the next try is muted once it no longer holds the call back. */
function noDataRow(entry: NoDataView): HTMLTableRowElement {
  return h(
    'tr',
    { 'data-symbol': entry.symbol, 'data-dataset': entry.dataset, title: entry.line },
    h('td', {}, h('a', { href: `#/security/${encodeURIComponent(entry.symbol)}` }, entry.symbol)),
    h('td', {}, entry.dataset),
    h('td', {}, entry.since.slice(0, 10)),
    h('td', { class: entry.holds ? '' : 'muted' }, entry.nextTryAt.slice(0, 16).replace('T', ' ')),
    h('td', {}, entry.occurrences),
    h('td', {}, h('small', {}, `${entry.code}: ${entry.answer}`)),
  );
}

function noDataStatus(page: NoDataPage, shown: number): string {
  return page.table === null
    ? 'This deployment has no no-data table.'
    : `${shown} ${shown === 1 ? 'entry' : 'entries'} shown${page.next ? '; more remain' : ''} (table ${page.table}).`;
}

/** The memory of answers without data, one page at a time; "more" asks the server for the next page. */
async function noDataSection(): Promise<HTMLElement> {
  const rows = h('tbody', {});
  const more = h('button', { id: 'no-data-more', hidden: true }, 'more');
  const status = h('p', { class: 'muted', id: 'no-data-status' }, 'reading…');
  const section = noDataFrame(rows, status, more);
  let shown = 0;
  const load = async (after?: string) => {
    more.hidden = true;
    let page: NoDataPage;
    try {
      page = await get<NoDataPage>(`no-data${after ? `?${new URLSearchParams({ after })}` : ''}`);
    } catch (error) {
      status.replaceWith(problem(error instanceof ApiError ? error.message : String(error)));
      return;
    }
    rows.append(...page.entries.map(noDataRow));
    shown += page.entries.length;
    status.textContent = noDataStatus(page, shown);
    if (page.next) {
      const next = page.next;
      more.hidden = false;
      more.onclick = () => void load(next);
    }
  };
  await load();
  return section;
}

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
  const [budget, memory] = await Promise.all([get<BudgetView>('budget'), noDataSection()]);
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
    memory,
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
