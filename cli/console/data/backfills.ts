/**
 * Backfills started from the console: the backfill function is invoked as `horton backfill` invokes it, and
 * progress is the same comparison of the handlers' offsets before and now (cli/commands/backfill.ts), asked for
 * by the page while it polls, so no work runs on the server between polls.
 */
import type { Deployment, OffsetsReport } from '../../../model/operations.ts';
import {
  type BackfillOptions,
  type BackfillResponse,
  backfillRequest,
  followedRoles,
} from '../../commands/backfill.ts';
import { progressSince } from '../../follow.ts';
import type { Target } from '../../target.ts';
import type { BackfillProgress, BackfillStarted } from '../api-types.ts';

interface Started {
  request: ReturnType<typeof backfillRequest>;
  response: BackfillResponse;
  before: OffsetsReport;
  roles: ReturnType<typeof followedRoles>;
  startedAt: string;
}

export class BackfillTracker {
  private readonly started = new Map<string, Started>();

  /** Validates like the CLI's flags (UsageError names the field), then invokes the backfill function. */
  async start(
    target: Target,
    options: Pick<BackfillOptions, 'symbols' | 'datasets'>,
  ): Promise<BackfillStarted> {
    const request = backfillRequest({ ...options, follow: true, timeout: 600 });
    const deployment: Deployment = await target.deployment();
    const before = await target.operate<OffsetsReport>({ action: 'offsets' });
    const response = (await target.invokeBackfill(request)) as BackfillResponse;
    const roles = followedRoles(request, response, deployment);
    this.started.set(response.requestId, {
      request,
      response,
      before,
      roles,
      startedAt: new Date().toISOString(),
    });
    return {
      requestId: response.requestId,
      issuedAt: response.issuedAt,
      published: response.published,
      roles,
    };
  }

  /** Handled against published records per followed topic since the backfill started. */
  async progress(target: Target, requestId: string): Promise<BackfillProgress | undefined> {
    const started = this.started.get(requestId);
    if (!started) return undefined;
    const now = await target.operate<OffsetsReport>({ action: 'offsets' });
    const datasets = progressSince(started.before, now, started.roles);
    return {
      requestId,
      startedAt: started.startedAt,
      symbols: started.request.symbols ?? [],
      datasets,
      done: datasets.every((row) => row.published > 0 && row.handled === row.published),
    };
  }
}
