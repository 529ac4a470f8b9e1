/**
 * What a daily-limit answer of AlphaVantage means against the configured plan. Pure: the handlers log it (and
 * count the AlphaVantageDailyLimitContradictsPlan metric), `npm start` prints it.
 */
import { ALPHAVANTAGE_PLANS } from '../config.ts';

/**
 * The line for a daily-limit answer while the configured plan has no daily cap, or undefined when the plan has
 * one (then the answer only confirms it). AlphaVantage's body names the key's cap ("... 25 requests per day
 * ..."); 25 is the free plan's. `configured` names the configured plan, e.g. `plan "premium75"`.
 */
export function dailyLimitContradiction(
  answer: string,
  configured: { name: string; requestsPerDay: number | null },
): string | undefined {
  if (configured.requestsPerDay !== null) return undefined;
  const perDay = Number(/(\d+)\s+requests?\s+per\s+day/i.exec(answer)?.[1]);
  const apparent = Number.isFinite(perDay)
    ? `a key capped at ${perDay} requests a day${perDay === ALPHAVANTAGE_PLANS.free.requestsPerDay ? ' (the free plan)' : ''}`
    : 'a key with a daily cap';
  return (
    `AlphaVantage answered with its daily limit: the key behaves like ${apparent}, but the configured ` +
    `${configured.name} has no daily cap. The budget is held as spent until UTC midnight; check the key or ` +
    `alphaVantage.plan. AlphaVantage said: "${answer.slice(0, 300)}"`
  );
}
