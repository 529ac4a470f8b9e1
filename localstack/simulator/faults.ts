/**
 * Switchable fault injection. A rule fires for a /query request when the request is in its scope
 * (`symbols`, `functions`; empty = all), it has budget left (`count`; absent = unlimited) and a seeded
 * coin with `probability` (absent = 1) says so. The first rule that fires decides the fault; each firing
 * uses one unit of that rule's budget. The coin is a seeded PRNG so a run with the same seed and the
 * same request sequence fails the same requests.
 */
import * as z from 'zod';
import { type RandomSource, seededRandom } from './random.ts';

export const FAULT_MODES = [
  'http-error',
  'delay',
  'timeout',
  'malformed-json',
  'empty-json',
  'limit',
] as const;
export type FaultMode = (typeof FAULT_MODES)[number];

export const faultRuleSchema = z.strictObject({
  /** http-error: 5xx with an HTML body; delay: answer normally after delayMs; timeout: never answer
   * (hold the connection until the client gives up or the simulator closes); malformed-json: a cut-off
   * body; empty-json: `{}`; limit: the plan's per-minute limit answer, as when another client spends the same
   * key's quota (not counted against this simulator's own quota). */
  mode: z.enum(FAULT_MODES),
  probability: z.number().min(0).max(1).optional(),
  count: z.number().int().positive().optional(),
  symbols: z.array(z.string().min(1)).optional(),
  functions: z.array(z.string().min(1)).optional(),
  /** http-error status, 500-599; default 503. */
  status: z.number().int().min(500).max(599).optional(),
  /** delay: how long to wait; default 2000 ms. */
  delayMs: z.number().int().nonnegative().optional(),
});
export type FaultRule = z.infer<typeof faultRuleSchema>;
export const faultRulesSchema = z.array(faultRuleSchema);

interface ActiveRule {
  rule: FaultRule;
  remaining: number;
  symbols?: ReadonlySet<string>;
  functions?: ReadonlySet<string>;
}

export class FaultInjector {
  private rules: ActiveRule[] = [];
  private random: RandomSource;

  constructor(
    rules: readonly FaultRule[],
    private readonly seed: number,
  ) {
    this.random = seededRandom(`faults:${seed}`);
    this.set(rules);
  }

  set(rules: readonly FaultRule[]): void {
    this.rules = rules.map((rule) => ({
      rule,
      remaining: rule.count ?? Number.POSITIVE_INFINITY,
      symbols: rule.symbols?.length ? new Set(rule.symbols.map((symbol) => symbol.toUpperCase())) : undefined,
      functions: rule.functions?.length ? new Set(rule.functions.map((fn) => fn.toUpperCase())) : undefined,
    }));
  }

  /** Rules with their remaining budget, for the admin endpoint. */
  list(): (FaultRule & { remaining: number | null })[] {
    return this.rules.map(({ rule, remaining }) => ({
      ...rule,
      remaining: Number.isFinite(remaining) ? remaining : null,
    }));
  }

  /** Restarts the coin sequence, so a reset simulator fails the same requests again. */
  reseed(): void {
    this.random = seededRandom(`faults:${this.seed}`);
  }

  choose(functionName: string, symbol: string | undefined): FaultRule | undefined {
    const fn = functionName.toUpperCase();
    const sym = symbol?.toUpperCase();
    for (const active of this.rules) {
      if (active.remaining <= 0) continue;
      if (active.functions && !active.functions.has(fn)) continue;
      if (active.symbols && (sym === undefined || !active.symbols.has(sym))) continue;
      const probability = active.rule.probability ?? 1;
      if (probability < 1 && this.random.next() >= probability) continue;
      active.remaining -= 1;
      return active.rule;
    }
    return undefined;
  }
}
