/**
 * Backfill: invoked by hand (`aws lambda invoke`, or the CLI) with a request such as
 * `{ "symbols": ["IBM"], "datasets": ["history"], "historyOutputsize": "full" }`. Invalid requests are rejected with
 * a clear error and publish nothing.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import type { NoDataEntry } from '../../model/domain/no-data.ts';
import { METRIC } from '../../model/metrics.ts';
import { withoutRemembered } from '../shared/domain/fan-out.ts';
import { connectionOf, Publisher } from '../shared/kafka/producer.ts';
import { createObservability, withObservability } from '../shared/observability.ts';
import { loadSettings } from '../shared/settings.ts';
import { createDocumentClient } from '../shared/store/client.ts';
import { scanAll } from '../shared/store/snapshots.ts';
import { BackfillRequestError, planBackfill } from './plan.ts';

const settings = loadSettings('backfill');
const observability = await createObservability(settings);
const publisher = Publisher.fromConnection(connectionOf(settings));
const doc = createDocumentClient();
const { topics, premium, indicators } = settings;

export const handler = withObservability(observability, async (event: unknown, context: Context) => {
  let plan: ReturnType<typeof planBackfill>;
  try {
    plan = planBackfill(event, {
      premium,
      indicators,
      now: new Date(),
      fallbackRequestId: context.awsRequestId,
    });
  } catch (error) {
    if (error instanceof BackfillRequestError)
      observability.logger.warn('backfill rejected', { reason: error.message });
    throw error;
  }
  // Items the no-data memory holds back are not published, unless the request asks again (a universe-wide
  // backfill is filtered by the securities fan-out the same way).
  const { plan: perSecurity, heldBack } = withoutRemembered(
    plan.perSecurity,
    plan.askAgain ? [] : await scanAll<NoDataEntry>(doc, settings.tables.noData),
    plan.issuedAt,
  );
  await publisher.publishCommands(topics.securities, plan.securities);
  for (const role of ['overview', 'history', 'quote', 'indicators'] as const) {
    await publisher.publishCommands(topics[role], perSecurity[role]);
  }
  const published = {
    [topics.securities]: plan.securities.length,
    ...Object.fromEntries(
      (['overview', 'history', 'quote', 'indicators'] as const).map((role) => [
        topics[role],
        perSecurity[role].length,
      ]),
    ),
  };
  observability.metrics.addMetric(
    METRIC.commandsPublished,
    MetricUnit.Count,
    Object.values(published).reduce((sum, count) => sum + count, 0),
  );
  const { requestId, correlationId, issuedAt, impliedDatasets } = plan;
  observability.logger.info('backfill published', { requestId, published, impliedDatasets, heldBack });
  return { requestId, correlationId, issuedAt, published, impliedDatasets, heldBack };
});
