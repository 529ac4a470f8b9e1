/**
 * The daily plan (model/plan.ts): the default configuration fits the free plan with margin, an oversize one is
 * refused with the table, by `npm run plan`, `cdk synth` (bin/horton.ts) and `npm start` alike.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { formatPlan, planRefusal } from '../../bin/plan-report.ts';
import { type HortonConfigInput, resolveConfig } from '../../model/config.ts';
import { planDailyCalls } from '../../model/plan.ts';

const run = promisify(execFile);
const plan = (overrides: HortonConfigInput = {}) => planDailyCalls(resolveConfig(overrides));
const row = (result: ReturnType<typeof plan>, schedule: string) => {
  const found = result.schedules.find((candidate) => candidate.schedule === schedule);
  if (!found) throw new Error(`no schedule ${schedule} in the plan`);
  return found;
};
/** The schedules before the plan existed: quotes every 15 minutes in market hours, indicators fetched. */
const PREVIOUS_DEFAULTS: HortonConfigInput = {
  indicators: ['SMA', 'EMA', 'RSI', 'MACD', 'BBANDS'].map((fn) => ({
    function: fn as 'SMA',
    source: 'alphavantage' as const,
  })),
  schedules: [
    { name: 'universe-daily', job: 'universe', expression: 'cron(0 6 ? * MON-FRI *)' },
    { name: 'overview-weekly', job: 'overview', expression: 'cron(0 7 ? * SAT *)' },
    { name: 'history-daily', job: 'history', expression: 'cron(30 17 ? * MON-FRI *)' },
    { name: 'quote-intraday', job: 'quote', expression: 'cron(0/15 9-16 ? * MON-FRI *)' },
    { name: 'indicators-daily', job: 'indicators', expression: 'cron(45 17 ? * MON-FRI *)' },
  ],
};

describe('planDailyCalls', () => {
  it('fits the default configuration into the free plan with a fifth of the budget to spare', () => {
    const result = plan();

    expect(result.requestsPerDay).toBe(25);
    expect(result.securities).toBe(5);
    expect(result.fits).toBe(true);
    expect(result.worstDay.calls).toBeLessThanOrEqual(20);
    expect(result.headroom).toBeGreaterThanOrEqual(5);
  });

  it('counts each default schedule by its freshness rules', () => {
    const result = plan();

    // 3 quote firings in market hours x 5 symbols; one history call per symbol after the close.
    expect(row(result, 'quote-intraday').maxCallsPerDay).toBe(15);
    expect(row(result, 'history-daily').maxCallsPerDay).toBe(5);
    // Computed indicators and a watchlist universe cost nothing; the overview is 4 calls per symbol.
    expect(row(result, 'indicators-daily').maxCallsPerDay).toBe(0);
    expect(row(result, 'universe-daily').maxCallsPerDay).toBe(0);
    expect(row(result, 'overview-weekly').maxCallsPerDay).toBe(20);
  });

  it('refuses the previous defaults: quotes every 15 minutes and fetched indicators need 165 calls a weekday', () => {
    const result = plan(PREVIOUS_DEFAULTS);

    // 26 firings while open + 1 after the close, x 5; history 5; indicators 5 x 5.
    expect(row(result, 'quote-intraday').callsOnWorstDay).toBe(135);
    expect(row(result, 'indicators-daily').callsOnWorstDay).toBe(25);
    expect(result.worstDay.calls).toBe(165);
    expect(result.fits).toBe(false);
    expect(result.headroom).toBe(25 - 165);
  });

  it('charges history once per closed trading day however often it fires', () => {
    const result = plan({
      schedules: [{ name: 'history-hourly', job: 'history', expression: 'rate(1 hour)' }],
    });

    expect(row(result, 'history-hourly').firingsOnWorstDay).toBe(24);
    expect(row(result, 'history-hourly').maxCallsPerDay).toBe(5);
  });

  it('charges LISTING_STATUS and plans the configured listing size in listing mode', () => {
    const result = plan({
      universe: { source: 'listing', plannedListingSize: 100 },
      alphaVantage: { plan: 'premium75' },
    });

    expect(result.securities).toBe(100);
    expect(row(result, 'universe-daily').maxCallsPerDay).toBe(1);
    expect(row(result, 'quote-intraday').maxCallsPerDay).toBe(300);
  });

  it('fits anything when the plan has no daily cap', () => {
    const result = plan({ ...PREVIOUS_DEFAULTS, alphaVantage: { plan: 'premium75' } });

    expect(result.fits).toBe(true);
    expect(result.headroom).toBeNull();
  });

  it('skips disabled schedules', () => {
    const result = plan({
      schedules: [{ name: 'quotes', job: 'quote', expression: 'rate(5 minutes)', enabled: false }],
    });

    expect(result.worstDay.calls).toBe(0);
  });
});

describe('planRefusal', () => {
  it('is the table and what does not fit for an oversize configuration', () => {
    const refusal = planRefusal(resolveConfig(PREVIOUS_DEFAULTS));

    expect(refusal).toContain('does not fit the AlphaVantage plan "free"');
    expect(refusal).toMatch(/quote-intraday .*│ +135 │/);
    expect(refusal).toContain('Does not fit: the worst day needs 165 calls, 140 more than the budget');
  });

  it('lets an oversize configuration run when it collects what fits', () => {
    const config = resolveConfig({ ...PREVIOUS_DEFAULTS, alphaVantage: { overBudget: 'collect-what-fits' } });

    expect(planRefusal(config)).toBeUndefined();
    expect(formatPlan(planDailyCalls(config))).toContain('Does not fit');
  });

  it('lets the default configuration run', () => {
    expect(planRefusal(resolveConfig({}))).toBeUndefined();
  });
});

// Each spawns a Node process that loads the CDK or the local runner: seconds on a loaded machine.
describe('the commands that check the plan', { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'horton-plan-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const oversize = join(dir, 'oversize.json');
  writeFileSync(oversize, JSON.stringify({ ...PREVIOUS_DEFAULTS, alphaVantage: { plan: 'free' } }));
  const tsx = (...args: string[]) =>
    run(process.execPath, ['--import', 'tsx', ...args], { env: { ...process.env, CDK_CONTEXT_JSON: '' } });
  const failure = async (promise: Promise<unknown>) => {
    try {
      await promise;
    } catch (error) {
      return error as { code: number; stdout: string; stderr: string };
    }
    throw new Error('the command succeeded');
  };

  it('npm run plan prints the default plan and exits 0', async () => {
    const { stdout } = await tsx('bin/plan.ts');
    expect(stdout).toMatch(/worst day \(\w+, UTC\) against the budget: 25 calls\/day +│ +20 │ +left 5/);
  });

  it('npm run plan exits 1 with the table for an oversize configuration', async () => {
    const result = await failure(tsx('bin/plan.ts', '--config', oversize));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('Does not fit: the worst day needs 165 calls');
  });

  it('npm run plan exits 2 on an unknown flag, in one line', async () => {
    const result = await failure(tsx('bin/plan.ts', '--bogus'));
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('cdk synth (bin/horton.ts) refuses an oversize configuration with the table, before synthesizing', async () => {
    const result = await failure(
      run(process.execPath, ['--import', 'tsx', 'bin/horton.ts'], {
        env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify({ config: oversize }) },
      }),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('does not fit the AlphaVantage plan "free"');
    expect(result.stderr).toContain('quote-intraday');
  });

  it('npm start refuses an oversize configuration with the table, before starting anything', async () => {
    const result = await failure(tsx('localstack/main.ts', 'start', '--config', oversize));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Does not fit: the worst day needs 165 calls');
    expect(result.stdout).not.toContain('Kafka');
  });
});
