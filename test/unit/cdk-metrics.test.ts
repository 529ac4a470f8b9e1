/**
 * One metrics contract (model/metrics.ts), held on both sides: every Horton metric the handlers emit (a
 * `METRIC.<name>` reference under functions/) is graphed on the synthesized dashboard, and the dashboard and the
 * alarms watch no Horton metric nobody emits. The alarmed ones are exactly those lib/ decided to alarm on
 * (METRIC_DECISIONS), and lib/ spells no metric name or the namespace itself.
 *
 * AlphaVantageBudgetExhausted and AlphaVantageDailyLimitContradictsPlan are alarmed here before the handlers emit
 * them (their emission is added in functions/ separately): until it lands, the first test fails and names them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { METRIC_DECISIONS } from '../../lib/constructs/monitoring/horton-metrics.ts';
import { PROJECT_ROOT } from '../../lib/horton-stack.ts';
import { METRIC, METRICS_NAMESPACE, type MetricName } from '../../model/metrics.ts';
import { evaluate, sharedSynthesis } from './cdk-helpers.ts';

function sourcesUnder(folder: string): Array<{ file: string; text: string }> {
  const root = path.join(PROJECT_ROOT, folder);
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => ({ file: path.join(folder, file), text: readFileSync(path.join(root, file), 'utf8') }));
}

/** Metric names the handlers emit: every `METRIC.<key>` under functions/. */
function emittedByHandlers(): string[] {
  const names = new Set<string>();
  for (const { file, text } of sourcesUnder('functions')) {
    for (const match of text.matchAll(/\bMETRIC\.(\w+)/g)) {
      const name = METRIC[match[1] as keyof typeof METRIC];
      if (!name) throw new Error(`${file}: METRIC.${match[1]} is not in model/metrics.ts`);
      names.add(name);
    }
  }
  return [...names].sort();
}

type Resource = { Type: string; Properties: Record<string, unknown> };

/** Horton-namespace metric names the alarms of the template watch (single-metric and metric-math alarms). */
function alarmedInTemplate(resources: Resource[]): string[] {
  const names = new Set<string>();
  for (const { Properties: alarm } of resources.filter(
    (resource) => resource.Type === 'AWS::CloudWatch::Alarm',
  )) {
    if (alarm.Namespace === METRICS_NAMESPACE) names.add(String(alarm.MetricName));
    for (const query of (alarm.Metrics ?? []) as Array<{
      MetricStat?: { Metric: { Namespace: string; MetricName: string } };
    }>) {
      if (query.MetricStat?.Metric.Namespace === METRICS_NAMESPACE)
        names.add(query.MetricStat.Metric.MetricName);
    }
  }
  return [...names].sort();
}

/** Horton-namespace metric names on the dashboard (its body lists metrics as ["Horton","<name>",...]). */
function graphedInTemplate(resources: Resource[]): string[] {
  const names = new Set<string>();
  for (const { Properties: dashboard } of resources.filter(
    (resource) => resource.Type === 'AWS::CloudWatch::Dashboard',
  )) {
    const body = String(evaluate(dashboard.DashboardBody));
    for (const match of body.matchAll(new RegExp(`\\["${METRICS_NAMESPACE}","(\\w+)"`, 'g'))) {
      names.add(match[1] as string);
    }
  }
  return [...names].sort();
}

describe('the metrics contract between the handlers and the monitoring', () => {
  const resources = Object.values(
    sharedSynthesis('created').template.toJSON().Resources as Record<string, Resource>,
  );

  it('graphs exactly the Horton metrics the handlers emit', () => {
    expect(graphedInTemplate(resources)).toEqual(emittedByHandlers());
  });

  it('alarms on exactly the metrics decided `alarm`, each of them emitted by a handler', () => {
    const decided = (Object.entries(METRIC_DECISIONS) as Array<[MetricName, { kind: string }]>)
      .filter(([, decision]) => decision.kind === 'alarm')
      .map(([name]) => name)
      .sort();
    expect(alarmedInTemplate(resources)).toEqual(decided);
    expect(decided.filter((name) => !emittedByHandlers().includes(name))).toEqual([]);
  });

  it('gives every metric of model/metrics.ts a decision, with a reason where it is only graphed', () => {
    expect(Object.keys(METRIC_DECISIONS).sort()).toEqual(Object.values(METRIC).sort());
    for (const decision of Object.values(METRIC_DECISIONS)) {
      if (decision.kind === 'graph') expect(decision.reason.length).toBeGreaterThan(10);
    }
  });

  it('lib/ takes metric names and the namespace from model/metrics.ts, never as literals', () => {
    const literals = [
      `namespace: '${METRICS_NAMESPACE}'`,
      ...Object.values(METRIC).map((name) => `'${name}'`),
    ];
    const found = sourcesUnder('lib').flatMap(({ file, text }) =>
      literals.filter((literal) => text.includes(literal)).map((literal) => `${file}: ${literal}`),
    );
    expect(found).toEqual([]);
  });
});
