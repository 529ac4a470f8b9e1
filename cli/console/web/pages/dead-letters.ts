/**
 * Dead letters: counts by handler and reason, the records (filtered by handler and reason), one record's
 * original key, headers and value (a cut value is marked as such), and redrive with a confirmation, under the
 * CLI's once-only rules.
 */

import type { DeadLetterDetail, DeadLetterEntry, DeadLetterList, RedriveReport } from '../../api-types.ts';
import { ApiError, get, post } from '../api.ts';
import { h, problem, table, when } from '../dom.ts';

function status(entry: DeadLetterEntry): string {
  if (entry.redriven) return `redriven ${entry.redriven.at}`;
  if (entry.repeatOf) return `repeat of ${entry.repeatOf.partition}:${entry.repeatOf.offset}`;
  return 'pending';
}

async function showDetail(panel: HTMLElement, entry: DeadLetterEntry): Promise<void> {
  panel.replaceChildren(h('p', {}, 'Reading…'));
  try {
    const detail = await get<DeadLetterDetail>(`dead-letter/${entry.partition}/${entry.offset}`);
    const cut = detail.originalValueCut;
    panel.replaceChildren(
      h('h3', {}, `Dead letter ${detail.partition}:${detail.offset}`),
      table(
        ['', ''],
        [
          ['handler', detail.handler],
          ['reason', `${detail.reason.code}: ${detail.reason.message}`],
          ['appended', when(detail.appendedAt)],
          [
            'source',
            detail.source
              ? `${detail.source.topic} partition ${detail.source.partition} offset ${detail.source.offset}`
              : '–',
          ],
          ['correlation', detail.correlationId ?? '–'],
          ['status', status(detail)],
          ['key', detail.originalKey ?? '(none)'],
          ...Object.entries(detail.originalHeaders).map(([name, value]) => [`header ${name}`, value]),
        ],
        { class: 'detail' },
      ),
      cut
        ? h(
            'p',
            { class: 'cut' },
            `Cut: the first ${cut.keptBytes} of ${cut.length} bytes are shown (sha256 ${cut.sha256}); the whole value is at the source offset.`,
          )
        : '',
      h(
        'pre',
        { id: 'original' },
        detail.originalValue ?? '(no value)',
        cut ? h('span', { class: 'cut-mark' }, ` … [${cut.length - cut.keptBytes} more bytes cut]`) : null,
      ),
    );
  } catch (error) {
    panel.replaceChildren(problem(error instanceof ApiError ? error.message : String(error)));
  }
}

/** The last redrive's outcome, shown once above the refreshed list. */
let lastReport: RedriveReport | undefined;

function reportLine(report: RedriveReport): HTMLElement {
  const skipped = report.skipped.map((s) => `${s.partition}:${s.offset} ${s.why}`).join('; ');
  return h(
    'p',
    { class: 'ok', 'data-sent': report.sent.length },
    `Redrove ${report.sent.length}; skipped ${report.skipped.length}${skipped ? ` (${skipped})` : ''}.`,
  );
}

function redrivePanel(list: DeadLetterList, reason: string, refresh: () => void): HTMLElement {
  // Counted over every handler: the operations function's redrive selects by reason only.
  const pendingOfReason = list.groups
    .filter((g) => !reason || g.reason === reason)
    .reduce((sum, g) => sum + g.pending, 0);
  const result = h('div', { id: 'redrive-result' }, lastReport ? reportLine(lastReport) : '');
  lastReport = undefined;
  const dialog = h(
    'dialog',
    { id: 'confirm' },
    h(
      'p',
      {},
      `Re-publish ${pendingOfReason} pending dead letter${pendingOfReason === 1 ? '' : 's'}${reason ? ` with reason ${reason}` : ' of every reason and handler'} to their source topics? Each is sent once; those already redriven are skipped.`,
    ),
    h(
      'form',
      { method: 'dialog' },
      h('button', { value: 'cancel' }, 'Cancel'),
      h('button', { value: 'redrive', id: 'confirm-redrive' }, 'Redrive'),
    ),
  );
  dialog.addEventListener('close', async () => {
    if (dialog.returnValue !== 'redrive') return;
    result.replaceChildren(h('p', {}, 'Redriving…'));
    try {
      const report = await post<RedriveReport>('redrive', reason ? { reason } : {});
      lastReport = report;
      refresh();
    } catch (error) {
      result.replaceChildren(problem(error instanceof ApiError ? error.message : String(error)));
    }
  });
  return h(
    'div',
    { class: 'toolbar' },
    h(
      'button',
      { id: 'redrive', disabled: pendingOfReason === 0, onclick: () => dialog.showModal() },
      `Redrive ${pendingOfReason} pending${reason ? ` (${reason})` : ''}…`,
    ),
    h(
      'small',
      { class: 'muted' },
      'Redrive selects by reason, as `horton dead-letters redrive --reason` does (not by handler).',
    ),
    dialog,
    result,
  );
}

/** A filter's choices; choosing one goes to the page filtered by it. */
function filterSelect(
  name: string,
  options: string[],
  value: string,
  go: (next: Record<string, string>) => void,
): HTMLSelectElement {
  return h(
    'select',
    { id: `filter-${name}`, onchange: (e) => go({ [name]: (e.target as HTMLSelectElement).value }) },
    h('option', { value: '' }, `every ${name}`),
    ...options.map((o) => h('option', { value: o, selected: o === value }, o)),
  );
}

/** A record's cells; its offset opens the record's original in the detail panel. */
function recordCells(entry: DeadLetterEntry, detail: HTMLElement): Array<string | HTMLElement> {
  return [
    h(
      'button',
      { class: 'link offset', onclick: () => void showDetail(detail, entry) },
      `${entry.partition}:${entry.offset}`,
    ),
    when(entry.appendedAt),
    entry.handler,
    entry.reason.code,
    entry.reason.message.slice(0, 80),
    entry.source ? `${entry.source.topic}[${entry.source.partition}]@${entry.source.offset}` : '–',
    status(entry),
  ];
}

export async function deadLettersPage(root: HTMLElement, argument: string): Promise<undefined> {
  const params = new URLSearchParams(argument);
  const handler = params.get('handler') ?? '';
  const reason = params.get('reason') ?? '';
  const go = (next: Record<string, string>) => {
    location.hash = `#/dead-letters/${new URLSearchParams(Object.entries({ handler, reason, ...next }).filter(([, v]) => v))}`;
  };
  root.append(h('h2', {}, 'Dead letters'));
  let list: DeadLetterList;
  try {
    list = await get<DeadLetterList>(`dead-letters?${new URLSearchParams({ handler, reason })}`);
  } catch (error) {
    root.append(problem(error instanceof ApiError ? error.message : String(error)));
    return undefined;
  }
  const detail = h(
    'div',
    { id: 'detail', class: 'panel' },
    h('p', { class: 'muted' }, 'Choose a record to see its original.'),
  );
  root.append(
    table(
      ['Handler', 'Reason', 'Count', 'Pending', 'Last'],
      list.groups.map((g) => [g.handler, g.reason, g.count, g.pending, when(g.last)]),
      { id: 'groups' },
    ),
    h(
      'div',
      { class: 'toolbar' },
      filterSelect('handler', list.handlers, handler, go),
      filterSelect('reason', list.reasons, reason, go),
    ),
    redrivePanel(list, reason, () => window.dispatchEvent(new HashChangeEvent('hashchange'))),
    list.deadLetters.length === 0
      ? h('p', {}, 'No dead letters.')
      : table(
          ['Offset', 'Appended', 'Handler', 'Reason', 'Message', 'Source', 'Status'],
          list.deadLetters.map((entry) => recordCells(entry, detail)),
          { id: 'records' },
        ),
    detail,
  );
  return undefined;
}
