/**
 * Pipeline: schedules -> topics -> handlers -> tables as one flow, one row per handler, with lag, last
 * processed record and dead letters; polls every few seconds and redraws in place.
 */
import { ApiError, get } from '../api.ts';
import { h, problem, when } from '../dom.ts';
import type { PipelineView } from '../types.ts';

const POLL_MS = 5000;

function handlerRow(handler: PipelineView['handlers'][number]) {
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
        ...view.handlers.map(handlerRow),
      ),
    ),
    h(
      'p',
      { class: 'summary' },
      `Dead-letter topic ${view.deadLetterTopic}: ${view.deadLetters.total} dead letters, ${view.deadLetters.pending} not redriven, ${view.deadLetters.redriven} redriven · AlphaVantage calls today (UTC): ${view.quotaUsedToday}`,
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
