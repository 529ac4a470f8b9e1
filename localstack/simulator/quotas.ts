/**
 * Per-apikey request quotas, like AlphaVantage's plans: the free plan allows 25 requests a day with a
 * burst limit of about one request per second (5 a minute); premium plans allow 75-1200 requests a
 * minute and have no daily cap. Windows slide (the last 1 s / 60 s), the day is the UTC calendar day.
 * A request refused for quota does not consume quota, so a client that backs off gets through again.
 * Keys are held in memory only, never logged or reported.
 */

export interface QuotaLimits {
  perSecond?: number;
  perMinute?: number;
  perDay?: number;
}

/**
 * AlphaVantage's plans, named as Horton's configuration names them (model/config.ts `ALPHAVANTAGE_PLANS`; the
 * simulator does not import it, test/unit/simulator-plans.test.ts checks that the two agree), plus `unlimited`
 * for tests that are not about quotas.
 */
export const PLAN_NAMES = [
  'unlimited',
  'free',
  'premium75',
  'premium150',
  'premium300',
  'premium600',
  'premium1200',
] as const;
export type PlanName = (typeof PLAN_NAMES)[number];

export interface Plan {
  name: PlanName | 'custom';
  limits: QuotaLimits;
  /** Premium plans get `outputsize=full` and premium endpoints; the free plan gets the "Information" answer. */
  premium: boolean;
}

const premium = (name: PlanName, perMinute: number): Plan => ({ name, limits: { perMinute }, premium: true });

export const PLANS: Record<PlanName, Plan> = {
  unlimited: { name: 'unlimited', limits: {}, premium: true },
  free: { name: 'free', limits: { perSecond: 1, perMinute: 5, perDay: 25 }, premium: false },
  premium75: premium('premium75', 75),
  premium150: premium('premium150', 150),
  premium300: premium('premium300', 300),
  premium600: premium('premium600', 600),
  premium1200: premium('premium1200', 1200),
};

export type QuotaWindow = 'second' | 'minute' | 'day';
export type QuotaDecision = { allowed: true } | { allowed: false; window: QuotaWindow };

interface KeyUsage {
  /** Timestamps (ms) of accepted requests in the last minute, ascending. */
  recent: number[];
  day: string;
  dayCount: number;
}

export class QuotaTracker {
  private readonly usage = new Map<string, KeyUsage>();

  constructor(
    private limits: QuotaLimits,
    private readonly clock: () => number = Date.now,
  ) {}

  setLimits(limits: QuotaLimits): void {
    this.limits = limits;
  }

  reset(): void {
    this.usage.clear();
  }

  /** Decides and, when allowed, records the request. */
  take(apiKey: string): QuotaDecision {
    const now = this.clock();
    const today = new Date(now).toISOString().slice(0, 10);
    let usage = this.usage.get(apiKey);
    if (usage === undefined) {
      usage = { recent: [], day: today, dayCount: 0 };
      this.usage.set(apiKey, usage);
    }
    if (usage.day !== today) {
      usage.day = today;
      usage.dayCount = 0;
    }
    while (usage.recent.length > 0 && (usage.recent[0] ?? 0) <= now - 60_000) usage.recent.shift();
    const { perSecond, perMinute, perDay } = this.limits;
    if (perDay !== undefined && usage.dayCount >= perDay) return { allowed: false, window: 'day' };
    if (perMinute !== undefined && usage.recent.length >= perMinute)
      return { allowed: false, window: 'minute' };
    if (perSecond !== undefined && usage.recent.filter((time) => time > now - 1000).length >= perSecond) {
      return { allowed: false, window: 'second' };
    }
    usage.recent.push(now);
    usage.dayCount += 1;
    return { allowed: true };
  }
}
