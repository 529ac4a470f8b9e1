/**
 * The simulator's plans are named and sized as Horton's configuration's (model/config.ts): a plan name the
 * configuration accepts starts the simulator with the same quotas, so a local run on `premium75` meets the same
 * per-minute cap the limiter plans for. The simulator keeps its own list (it imports nothing of the product).
 */
import { describe, expect, it } from 'vitest';
import { PLANS, PLAN_NAMES as SIMULATOR_PLAN_NAMES } from '../../localstack/simulator/quotas.ts';
import { ALPHAVANTAGE_PLANS } from '../../model/config.ts';

describe('simulator plans = configuration plans (+ unlimited)', () => {
  it('has the same names, spelled the same', () => {
    expect([...SIMULATOR_PLAN_NAMES].sort()).toEqual(
      [...Object.keys(ALPHAVANTAGE_PLANS), 'unlimited'].sort(),
    );
  });

  it.each(Object.entries(ALPHAVANTAGE_PLANS))(
    '%s: same per-minute and per-day caps, same premium flag',
    (name, plan) => {
      const simulated = PLANS[name as keyof typeof PLANS];
      expect(simulated.name).toBe(name);
      expect(simulated.premium).toBe(plan.premium);
      expect(simulated.limits.perMinute).toBe(plan.requestsPerMinute);
      expect(simulated.limits.perDay ?? null).toBe(plan.requestsPerDay);
    },
  );

  it('unlimited has no caps and premium features', () => {
    expect(PLANS.unlimited).toEqual({ name: 'unlimited', limits: {}, premium: true });
  });
});
