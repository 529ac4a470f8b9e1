/**
 * Pipeline: schedules -> topics -> handlers -> tables as one flow, one row per handler, with lag, last
 * processed record, invocations and failures of the last 24 hours, and dead letters; polls every few seconds and
 * redraws in place.
 */

import type { PipelineView } from '../../api-types.ts';
import { ApiError, get } from '../api.ts';
import { h, problem, when } from '../dom.ts';

const POLL_MS = 5000;

type HandlerView = PipelineView['handlers'][number];

function activity(handler: HandlerView, source: string) {
  const counts = handler.activity;
  if (!counts) return null;
  return h(
    'div',
    {
      class: 'activity',
      title: `from ${source}`,
      'data-invocations': counts.invocations,
      'data-errors': counts.errors,
      'data-failed': counts.failed,
      'data-dead-lettered': counts.deadLettered,
    },
    h('span', {}, `${counts.invocations} invocations`),
    h('span', { class: counts.errors > 0 ? 'failed' : '' }, `${counts.errors} threw or timed out`),
    h('span', {}, `${counts.processed} records`),
    h('span', { class: counts.failed > 0 ? 'failed' : '' }, `${counts.failed} failed`),
    h('span', {}, `${counts.deadLettered} dead-lettered`),
  );
}

function quotaLine(quota: PipelineView['quotaUsedToday']): string {
  if (quota === 'no limiter') return 'AlphaVantage calls today: no limiter in this deployment';
  const cap = quota.cap === undefined ? '' : quota.cap === null ? ' (no daily cap)' : ` of ${quota.cap}`;
  return `AlphaVantage calls today (UTC ${quota.day}): ${quota.used}${cap}`;
}

function handlerRow(handler: HandlerView, source: string) {
  const pending = handler.deadLetters.reduce((sum, group) => sum + group.pending, 0);
  return h(
    'div',
    { class: 'flow-row', 'data-handler': handler.handler },
    h('div', { class: 'node topic' }, h('b', {}, handler.topic), h('small', {}, `topic · ${handler.role}`)),
    h('div', { class: 'arrow' }, '→'),
    h(
      'div',
      { class: `node handler ${handler.lag > 0 ? 'busy' : ''} ${pending > 0 ? 'failing' : ''}` },
      h('b', {}, handler.handler),
      h('small', {}, handler.description),
      h(
        'div',
        { class: 'stats' },
        h(
          'span',
          { class: 'lag', title: 'records not yet processed by its consumer group' },
          `lag ${handler.lag}`,
        ),
        h('span', {}, `last record ${when(handler.lastProcessedAt)}`),
      ),
      activity(handler, source),
      handler.deadLetters.length === 0
        ? h('div', { class: 'ok' }, 'no dead letters')
        : h(
            'a',
            { class: 'dead', href: '#/dead-letters' },
            handler.deadLetters.map((g) => `${g.count} ${g.reason} (${g.pending} pending)`).join(', '),
          ),
    ),
    h('div', { class: 'arrow' }, '→'),
    h(
      'div',
      { class: 'node tables' },
      ...handler.tables.map((t) => h('div', {}, h('b', {}, t.table), h('small', {}, ` table · ${t.role}`))),
      ...handler.produces
        .filter((p) => p.role !== 'deadLetter')
        .map((p) => h('div', {}, h('small', {}, `publishes to ${p.topic}`))),
    ),
  );
}

function draw(view: PipelineView): HTMLElement {
  return h(
    'div',
    {},
    h(
      'p',
      { class: 'muted' },
      `${view.target} · read ${when(view.readAt)} · refreshes every ${POLL_MS / 1000} s`,
    ),
    h(
      'div',
      { class: 'flow' },
      h(
        'div',
        { class: 'schedules' },
        h('h3', {}, 'Schedules'),
        ...view.schedules.map((s) =>
          h(
            'div',
            { class: `node schedule ${s.enabled ? '' : 'disabled'}` },
            h('b', {}, s.name),
            h('small', {}, ` ${s.job} · ${s.expression} ${s.timezone}${s.enabled ? '' : ' · disabled'}`),
            h('div', {}, h('small', {}, `last ${when(s.lastDue)}`)),
            h('div', {}, h('small', {}, `next ${when(s.nextDue)}`)),
          ),
        ),
        h('div', { class: 'arrow down' }, `↓ dispatcher → ${view.scheduleTopic}`),
      ),
      h(
        'div',
        { class: 'handlers' },
        h('h3', {}, 'Topics → handlers → tables'),
        ...view.handlers.map((handler) => handlerRow(handler, view.activitySource)),
      ),
    ),
    h(
      'p',
      { class: 'muted', id: 'activity-source' },
      view.activityProblem ?? `Invocations and failures: ${view.activitySource}.`,
    ),
    h(
      'p',
      { class: 'summary' },
      `Dead-letter topic ${view.deadLetterTopic}: ${view.deadLetters.total} dead letters, ${view.deadLetters.pending} not redriven, ${view.deadLetters.redriven} redriven · ${quotaLine(view.quotaUsedToday)}`,
    ),
  );
}

export async function pipelinePage(root: HTMLElement): Promise<() => void> {
  root.append(h('h2', {}, 'Pipeline'));
  const body = h('div', {});
  root.append(body);
  const refresh = async () => {
    try {
      const view = await get<PipelineView>('pipeline');
      (document.getElementById('target') as HTMLElement).textContent = view.target;
      body.replaceChildren(draw(view));
    } catch (error) {
      body.replaceChildren(problem(error instanceof ApiError ? error.message : String(error)));
    }
  };
  await refresh();
  const timer = setInterval(() => void refresh(), POLL_MS);
  return () => clearInterval(timer);
}
