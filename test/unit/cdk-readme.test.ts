/**
 * README's deployment facts against the synthesized template, and the price table against every resource type:
 * the outputs README lists are the template's outputs, the alarm count it states is the template's, its generated
 * cost section shows what `npm run cost` computes for the default, and no resource type is left unpriced.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  estimateMonthlyCost,
  PRICES,
  type TemplateJson,
  totalOf,
  UnpricedResourceError,
  unpricedTypes,
} from '../../lib/cost/estimate.ts';
import { COST_SECTION_BEGIN, COST_SECTION_END, replaceCostSection } from '../../lib/cost/variants.ts';
import { PROJECT_ROOT } from '../../lib/horton-stack.ts';
import { sharedSynthesis } from './cdk-helpers.ts';

const README = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');

function between(text: string, begin: string, end: string): string {
  const from = text.indexOf(begin);
  const to = text.indexOf(end, from);
  if (from < 0 || to < 0) throw new Error(`README has no ${begin} ... ${end}`);
  return text.slice(from + begin.length, to);
}

describe('README against the template', () => {
  const created = sharedSynthesis('created');
  const template = created.template.toJSON() as TemplateJson & { Outputs: Record<string, unknown> };

  it('lists exactly the outputs of the default stack (hashed names by their prefix)', () => {
    const listed = [
      ...between(README, '<!-- outputs:begin', '<!-- outputs:end -->').matchAll(
        /^\|\s*`([A-Za-z]+)(…?)`\s*\|/gm,
      ),
    ].map((match) => ({ name: match[1] as string, prefix: match[2] === '…' }));
    const outputs = Object.keys(template.Outputs).sort();
    const matched = outputs.map((output) =>
      listed.find((entry) => (entry.prefix ? output.startsWith(entry.name) : output === entry.name)),
    );
    expect(outputs.filter((_, index) => !matched[index])).toEqual([]);
    expect(listed.filter((entry) => !matched.includes(entry)).map((entry) => entry.name)).toEqual([]);
  });

  it('states the alarm count of the default stack', () => {
    const alarms = Object.values(template.Resources).filter(
      (resource) => resource.Type === 'AWS::CloudWatch::Alarm',
    ).length;
    const stated = /The default stack has \*\*(\d+) alarms\*\*/.exec(README)?.[1];
    expect(Number(stated)).toBe(alarms);
  });

  it("shows the default's monthly cost as `npm run cost` computes it", () => {
    const total = totalOf(estimateMonthlyCost(template, created.config));
    const section = between(README, COST_SECTION_BEGIN, COST_SECTION_END);
    // One summary row per variant (README is formatted by Biome, so cells are padded).
    const row = section.split('\n').find((line) => /^\|\s*`default`\s*\|/.test(line));
    expect(row).toContain(`**$${total.toFixed(2)}**`);
  });
});

describe('price table', () => {
  it('prices or declares free every resource type of the standard stacks', () => {
    for (const name of ['created', 'imported'] as const) {
      expect(unpricedTypes(sharedSynthesis(name).template.toJSON() as TemplateJson)).toEqual([]);
    }
  });

  it('refuses to estimate a template with a type it does not know, and names it', () => {
    const template = sharedSynthesis('created').template.toJSON() as TemplateJson;
    const withUnknown: TemplateJson = {
      Resources: { ...template.Resources, Extra: { Type: 'AWS::OpenSearchService::Domain' } },
    };
    expect(() => estimateMonthlyCost(withUnknown, sharedSynthesis('created').config)).toThrow(
      UnpricedResourceError,
    );
    expect(() => estimateMonthlyCost(withUnknown, sharedSynthesis('created').config)).toThrow(
      /AWS::OpenSearchService::Domain/,
    );
  });

  it('gives every free type a reason and names its sources and date', () => {
    for (const [type, entry] of Object.entries(PRICES.resourceTypes)) {
      expect(entry, type).toMatch(/^(priced|free: .{8,})$/);
    }
    expect(PRICES.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(Object.values(PRICES.sources).every((url) => url.startsWith('https://aws.amazon.com/'))).toBe(
      true,
    );
  });

  it('prices the default line by line: brokers, storage, pollers, NAT and its address, and the rest', () => {
    const { template, config } = sharedSynthesis('created');
    const lines = estimateMonthlyCost(template.toJSON() as TemplateJson, config);
    const byComponent = Object.fromEntries(lines.map((line) => [line.component, line.monthly]));
    expect(byComponent['MSK brokers']).toBeCloseTo(2 * 730 * 0.0456, 2);
    expect(byComponent['MSK broker storage']).toBeCloseTo(2 * 10 * 0.1, 2);
    expect(byComponent['Public IPv4 addresses (NAT)']).toBeCloseTo(730 * 0.005, 2);
    expect(byComponent['Event pollers (provisioned, group horton-pollers)']).toBeCloseTo(730 * 0.185, 2);
    for (const component of ['NAT gateways', 'Lambda functions', 'DynamoDB on-demand', 'CloudWatch alarms']) {
      expect(byComponent[component], component).toBeGreaterThan(0);
    }
  });

  it('replaces only the generated section of README', () => {
    const text = `a\n${COST_SECTION_BEGIN}\nold\n${COST_SECTION_END}\nb`;
    expect(replaceCostSection(text, `${COST_SECTION_BEGIN}\nnew\n${COST_SECTION_END}`)).toBe(
      `a\n${COST_SECTION_BEGIN}\nnew\n${COST_SECTION_END}\nb`,
    );
    expect(() => replaceCostSection('no markers', 'x')).toThrow(/no cost section markers/);
  });
});
