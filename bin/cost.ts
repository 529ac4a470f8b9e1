#!/usr/bin/env node
/**
 * `npm run cost`: the monthly list-price cost of the synthesized stack, line by line, from the checked-in price
 * table (lib/cost/prices-us-east-1.json, its sources and date), for each deployment variant or for your own
 * configuration.
 *
 *   npm run cost                                  every variant below
 *   npm run cost -- --variant low-cost            one variant
 *   npm run cost -- -c config=horton.json [-c key=value ...]   the stack `cdk deploy` would build with this context
 *   npm run cost -- --readme                      rewrite README's cost section from the variants
 *
 * Synthesizes without credentials, Docker or bundling (the template is the same without the asset contents).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ContextError } from '../lib/context.ts';
import { type CostLine, estimateMonthlyCost, PRICES, totalOf } from '../lib/cost/estimate.ts';
import {
  COST_VARIANTS,
  renderCostSection,
  replaceCostSection,
  synthesizeForCost,
} from '../lib/cost/variants.ts';
import { PROJECT_ROOT } from '../lib/horton-stack.ts';
import { ConfigError } from '../model/config.ts';

function formatLines(title: string, lines: readonly CostLine[]): string {
  const width = Math.max(...lines.map((line) => line.component.length));
  const rows = lines.map(
    (line) =>
      `  ${line.component.padEnd(width)}  ${`$${line.monthly.toFixed(2)}`.padStart(9)}  ${line.basis}${line.unverified ? ' (price unverified)' : ''}`,
  );
  return [
    `${title} (${PRICES.region}, list prices as of ${PRICES.asOf}, USD a month)`,
    ...rows,
    `  ${'total'.padEnd(width)}  ${`$${totalOf(lines).toFixed(2)}`.padStart(9)}`,
  ].join('\n');
}

function contextFromFlags(flags: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    flags.map((flag) => {
      const at = flag.indexOf('=');
      if (at <= 0) throw new ContextError(`-c ${flag}: expected key=value`);
      return [flag.slice(0, at), flag.slice(at + 1)];
    }),
  );
}

function main(): number {
  const { values } = parseArgs({
    options: {
      variant: { type: 'string' },
      context: { type: 'string', short: 'c', multiple: true },
      readme: { type: 'boolean' },
    },
  });
  if (values.readme) {
    const readme = path.join(PROJECT_ROOT, 'README.md');
    const section = renderCostSection((context) => {
      const { template, config } = synthesizeForCost(context);
      return estimateMonthlyCost(template, config);
    });
    writeFileSync(readme, replaceCostSection(readFileSync(readme, 'utf8'), section));
    console.log('README.md: cost section rewritten');
    return 0;
  }
  if (values.context?.length) {
    const { template, config } = synthesizeForCost(contextFromFlags(values.context));
    console.log(formatLines('Your configuration', estimateMonthlyCost(template, config)));
    return 0;
  }
  const variants = values.variant
    ? COST_VARIANTS.filter((variant) => variant.name === values.variant)
    : COST_VARIANTS;
  if (variants.length === 0) {
    throw new ContextError(
      `--variant ${values.variant}: one of ${COST_VARIANTS.map((variant) => variant.name).join(', ')}`,
    );
  }
  for (const variant of variants) {
    const { template, config } = synthesizeForCost(variant.context);
    console.log(`${formatLines(variant.name, estimateMonthlyCost(template, config))}\n`);
  }
  return 0;
}

try {
  process.exit(main());
} catch (error) {
  if (!(error instanceof ContextError || error instanceof ConfigError || error instanceof TypeError))
    throw error;
  if (process.argv.includes('--debug')) console.error(error);
  else console.error(`cost: ${error.message}`);
  process.exit(2);
}
