#!/usr/bin/env node
/**
 * `npm run plan`: the AlphaVantage calls each schedule needs on the worst day, against the plan's daily budget,
 * and what does not fit; then what the first `npm start -- --live` (nothing stored yet) runs and defers. Exit code 0 when the configuration fits (or collects what fits), 1 when `cdk synth`
 * and `npm start` would refuse it, 2 on a usage error.
 *
 *   npm run plan                          the default configuration
 *   npm run plan -- --config my.json      overrides of the configuration (model/config.ts)
 *   npm run plan -- --json                the plan as JSON
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, resolveConfig } from '../model/config.ts';
import { planDailyCalls, planRun } from '../model/plan.ts';
import { formatFirstRun, formatPlan } from './plan-report.ts';

function usage(message: string): never {
  process.stderr.write(`npm run plan: ${message} (--help for usage)\n`);
  process.exit(2);
}

let args: { config?: string; json?: boolean; help?: boolean };
try {
  ({ values: args } = parseArgs({
    options: { config: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' } },
    strict: true,
  }));
} catch (error) {
  usage((error as Error).message);
}
if (args.help) {
  const header = readFileSync(new URL(import.meta.url), 'utf8').split('*/')[0] ?? '';
  process.stdout.write(`${header.replace(/^#!.*\n\/\*\*\n/, '').replace(/^ \* ?/gm, '')}\n`);
  process.exit(0);
}

let overrides: unknown = {};
if (args.config) {
  try {
    overrides = JSON.parse(readFileSync(args.config, 'utf8'));
  } catch (error) {
    usage(`--config ${args.config}: ${(error as Error).message}`);
  }
}
let config: ReturnType<typeof resolveConfig>;
try {
  config = resolveConfig(overrides);
} catch (error) {
  if (error instanceof ConfigError) usage(`--config ${args.config ?? '(defaults)'}: ${error.message}`);
  throw error;
}
const plan = planDailyCalls(config);
// The first run (`npm start -- --live` on an empty store, a fresh day's budget) is planned like a day too.
const firstRun = planRun({
  config,
  symbols: config.universe.source === 'watchlist' ? config.universe.watchlist : [],
  remainingToday: plan.requestsPerDay,
  now: new Date(),
});
process.stdout.write(
  args.json
    ? `${JSON.stringify({ ...plan, firstRun })}\n`
    : `${formatPlan(plan)}\n${formatFirstRun(firstRun)}\n`,
);
if (!plan.fits && config.alphaVantage.overBudget === 'collect-what-fits') {
  process.stdout.write(
    'overBudget is "collect-what-fits": each firing collects what the remaining budget covers.\n',
  );
}
process.exit(plan.fits || config.alphaVantage.overBudget === 'collect-what-fits' ? 0 : 1);
