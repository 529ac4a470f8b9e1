/**
 * `horton backfill`: invokes the backfill function, follows the published commands through the handlers'
 * consumer groups with a progress bar per dataset, and summarises the outcome: stored, dead-lettered (with
 * reasons) and skipped because fresher data was already stored.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { JOBS } from '../../model/config.ts';
import { symbolSchema } from '../../model/messages.ts';
import {
  COMMAND_TOPIC_ROLES,
  type CommandTopicRole,
  type DeadLetterEntry,
  type DeadLetterList,
  type Deployment,
  type OffsetsReport,
} from '../../model/operations.ts';
import { EXIT, UsageError } from '../errors.ts';
import { type DatasetProgress, follow } from '../follow.ts';
import { emit, type Io, table } from '../output.ts';
import type { Target } from '../target.ts';

export interface BackfillOptions {
  symbols?: string;
  datasets: string;
  outputsize?: string;
  requestId?: string;
  issuedAt?: string;
  /** Ask even for items the no-data memory holds back. */
  askAgain?: boolean;
  follow: boolean;
  /** Seconds to wait for the handlers before giving up. */
  timeout: number;
}

/** The backfill request from the flags; throws UsageError naming the flag before anything is invoked. */
export function backfillRequest(options: BackfillOptions): BackfillRequest {
  const list = (value: string) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  const datasets = list(options.datasets);
  if (datasets.length === 0) throw new UsageError('--datasets: name at least one dataset');
  for (const dataset of datasets) {
    if (!(JOBS as readonly string[]).includes(dataset)) {
      throw new UsageError(`--datasets: unknown dataset "${dataset}" (one of ${JOBS.join(', ')})`);
    }
  }
  const symbols =
    options.symbols === undefined ? undefined : list(options.symbols).map((s) => s.toUpperCase());
  if (symbols?.length === 0)
    throw new UsageError('--symbols: name at least one symbol, or leave it out for the whole universe');
  for (const symbol of symbols ?? []) {
    if (!symbolSchema.safeParse(symbol).success) {
      throw new UsageError(`--symbols: "${symbol}" is not a ticker symbol (e.g. IBM, BRK.B)`);
    }
  }
  if (symbols && datasets.includes('universe')) {
    throw new UsageError(
      '--datasets: "universe" refreshes the whole securities list and cannot be combined with --symbols',
    );
  }
  if (options.outputsize !== undefined && !['compact', 'full'].includes(options.outputsize)) {
    throw new UsageError(`--outputsize: "${options.outputsize}" is not compact or full`);
  }
  return {
    ...(symbols ? { symbols } : {}),
    datasets,
    ...(options.outputsize ? { historyOutputsize: options.outputsize } : {}),
    ...(options.requestId ? { requestId: options.requestId } : {}),
    ...(options.issuedAt ? { issuedAt: options.issuedAt } : {}),
    ...(options.askAgain ? { askAgain: true } : {}),
  };
}

interface BackfillRequest {
  symbols?: string[];
  datasets: string[];
  historyOutputsize?: string;
  requestId?: string;
  issuedAt?: string;
  askAgain?: boolean;
}

export interface BackfillResponse {
  requestId: string;
  correlationId: string;
  issuedAt: string;
  published: Record<string, number>;
  /** Datasets the backfill added: `history` when computed indicators were asked for (they follow it). */
  impliedDatasets?: string[];
  /** Commands not published because the no-data memory holds their item back. */
  heldBack?: number;
}

export interface DatasetSummary {
  handler: string;
  handled: number;
  stored: number;
  deadLettered: number;
  skippedAsFresh: number;
  reasons: Record<string, number>;
}

/**
 * Symbols whose stored snapshot is fresher than this backfill (a later collection got there first), per
 * dataset. History merges days and keeps no collection time, so it never counts as skipped.
 */
async function freshCounts(target: Target, deployment: Deployment, symbols: string[], issuedAt: string) {
  const counts: Partial<Record<CommandTopicRole, number>> = {};
  const fresher = (collectedAt: unknown) => typeof collectedAt === 'string' && collectedAt > issuedAt;
  for (const symbol of symbols) {
    const [overview, quote, indicators] = await Promise.all([
      (await target.doc()).send(
        new GetCommand({ TableName: deployment.tables.fundamentals, Key: { symbol, kind: 'OVERVIEW' } }),
      ),
      (await target.doc()).send(new GetCommand({ TableName: deployment.tables.quotes, Key: { symbol } })),
      (await target.doc()).send(
        new QueryCommand({
          TableName: deployment.tables.indicators,
          KeyConditionExpression: 'symbol = :symbol',
          ExpressionAttributeValues: { ':symbol': symbol },
        }),
      ),
    ]);
    if (fresher(overview.Item?.collectedAt)) counts.overview = (counts.overview ?? 0) + 1;
    if (fresher((quote.Item?.latest as { observedAt?: string } | undefined)?.observedAt))
      counts.quote = (counts.quote ?? 0) + 1;
    counts.indicators =
      (counts.indicators ?? 0) + (indicators.Items ?? []).filter((i) => fresher(i.collectedAt)).length;
  }
  return counts;
}

/** Topics to follow: those published to, the securities fan-out's datasets, and computed indicators. */
export function followedRoles(request: BackfillRequest, response: BackfillResponse, deployment: Deployment) {
  const roleOfTopic = new Map(COMMAND_TOPIC_ROLES.map((role) => [deployment.topics[role], role]));
  const publishedRoles = Object.entries(response.published)
    .filter(([, count]) => count > 0)
    .map(([topic]) => roleOfTopic.get(topic))
    .filter((role): role is CommandTopicRole => role !== undefined);
  // Without symbols the securities handler fans out: follow the datasets it will publish to as well.
  const fanOut = publishedRoles.includes('securities')
    ? request.datasets.filter((d): d is CommandTopicRole =>
        (COMMAND_TOPIC_ROLES as readonly string[]).includes(d),
      )
    : [];
  // Computed indicators are published by the history handler (docs/decisions/0031): follow their topic too.
  const followUps: CommandTopicRole[] = request.datasets.includes('indicators') ? ['indicators'] : [];
  return COMMAND_TOPIC_ROLES.filter(
    (role) => publishedRoles.includes(role) || fanOut.includes(role) || followUps.includes(role),
  );
}

/** Per dataset: handled, stored, dead-lettered (by reason) and skipped as fresh. */
function summarise(
  progress: DatasetProgress[],
  deadLetters: DeadLetterEntry[],
  fresh: Partial<Record<CommandTopicRole, number>>,
): Record<string, DatasetSummary> {
  const summary: Record<string, DatasetSummary> = {};
  for (const row of progress) {
    const letters = deadLetters.filter((letter) => letter.handler.endsWith(row.handler));
    const reasons: Record<string, number> = {};
    for (const letter of letters) reasons[letter.reason.code] = (reasons[letter.reason.code] ?? 0) + 1;
    const skipped = fresh[row.role] ?? 0;
    summary[row.role === 'securities' ? 'universe' : row.role] = {
      handler: row.handler,
      handled: row.handled,
      deadLettered: letters.length,
      skippedAsFresh: skipped,
      stored: Math.max(0, row.handled - letters.length - skipped),
      reasons,
    };
  }
  return summary;
}

function printSummary(io: Io, summary: Record<string, DatasetSummary>, issuedAt: string, letters: number) {
  const rows = table(io, ['Dataset', 'Handled', 'Stored', 'Dead-lettered', 'Skipped as fresh']);
  for (const [dataset, row] of Object.entries(summary)) {
    const reasons = Object.entries(row.reasons).map(([code, count]) => `${count} ${code}`);
    const deadLettered = `${row.deadLettered}${reasons.length ? ` (${reasons.join(', ')})` : ''}`;
    rows.push([dataset, row.handled, row.stored, deadLettered, row.skippedAsFresh]);
  }
  io.out(letters > 0 ? `Done: ${letters} command(s) dead-lettered, not stored.` : 'Done.');
  io.out(rows.toString());
  if (letters > 0) io.out(`Dead letters of this backfill: horton dead-letters list --since ${issuedAt}`);
}

/** Runs a backfill; exit 1 when any of its commands was dead-lettered (not stored). */
export async function backfill(target: Target, io: Io, options: BackfillOptions): Promise<number> {
  const request = backfillRequest(options);
  const deployment = await target.deployment();
  const before = await target.operate<OffsetsReport>({ action: 'offsets' });
  const response = (await target.invokeBackfill(request)) as BackfillResponse;
  const total = Object.values(response.published).reduce((sum, count) => sum + count, 0);
  if (!io.json) {
    io.out(`Backfill ${response.requestId}: ${total} commands published, issued ${response.issuedAt}`);
    io.out(`  repeat: --request-id ${response.requestId} --issued-at ${response.issuedAt}`);
    if (response.impliedDatasets?.includes('history'))
      io.out(
        '  history added: the computed indicators are computed from it (no call when the last close is stored)',
      );
    if (response.heldBack)
      io.out(
        `  ${response.heldBack} held back: remembered as having no data (\`horton status\`); --ask-again asks anyway`,
      );
  }
  if (!options.follow) {
    emit(io, response, () => {});
    return EXIT.ok;
  }
  const roles = followedRoles(request, response, deployment);
  const progress = await follow(target, io, before, roles, options.timeout);
  const { deadLetters } = await target.operate<DeadLetterList>({
    action: 'dead-letters',
    correlationId: response.correlationId,
    fromOffsets: Object.fromEntries(before.deadLetter.map((p) => [String(p.partition), p.high])),
  });
  const fresh = request.symbols
    ? await freshCounts(target, deployment, request.symbols, response.issuedAt)
    : {};
  const summary = summarise(progress, deadLetters, fresh);
  emit(io, { ...response, summary, deadLetters }, () =>
    printSummary(io, summary, response.issuedAt, deadLetters.length),
  );
  return deadLetters.length > 0 ? EXIT.failed : EXIT.ok;
}
