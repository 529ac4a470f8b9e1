/**
 * AlphaVantage's own answer texts, verbatim, with where each was seen. AlphaVantage answers every
 * one of them with HTTP 200; only the body tells success from failure.
 */

const DOCUMENTATION = 'https://www.alphavantage.co/documentation/';

/** Wrong/missing parameters or a symbol it has no data for (fixtures error-ErrorMessage-invalid-call-*.json). */
export function invalidApiCall(functionName: string): string {
  return `Invalid API call. Please retry or visit the documentation (${DOCUMENTATION}) for ${functionName}.`;
}

/** A `function=` AlphaVantage does not have (quoted in several public client test suites). */
export function unknownFunction(functionName: string): string {
  return `This API function (${functionName}) does not exist.`;
}

/** No `apikey=` or an empty one (portfoliotree/alphavantage api/internal_test.go). */
export const MISSING_API_KEY =
  'the parameter apikey is invalid or missing. Please claim your free API key on (https://www.alphavantage.co/support/#api-key). It should take less than 20 seconds.';

/** Free plan, daily quota used up (beancount/beanprice issue #124, 2025-12). */
export const FREE_DAILY_LIMIT =
  'Thank you for using Alpha Vantage! Please consider spreading out your free API requests more sparingly. You may subscribe to any of the premium plans at https://www.alphavantage.co/premium/ to lift the free key rate limit (25 requests per day) and instantly unlock all premium endpoints';

/** Free plan, burst limit (GeneBO98/tradetally issue #202). */
export const FREE_BURST_LIMIT =
  'Thank you for using Alpha Vantage! Please consider spreading out your free API requests more sparingly (1 request per second). You may subscribe to any of the premium plans at https://www.alphavantage.co/premium/ to lift the free key rate limit (25 requests per day), raise the per-second burst limit, and instantly unlock all premium endpoints';

/** Premium plan over its per-minute quota (fixture error-Information-call-volume-2018.json). */
export const PREMIUM_RATE_LIMIT =
  'Thank you for using Alpha Vantage! Please visit https://www.alphavantage.co/premium/ if you would like to have a higher API call volume.';

/** Free plan asking for `outputsize=full` (quoted by several public projects, 2025-2026). */
export function premiumParameter(functionName: string): string {
  return `Thank you for using Alpha Vantage! The outputsize=full parameter value is a premium feature for the ${functionName} endpoint. You may subscribe to any of the premium plans at https://www.alphavantage.co/premium/ to instantly unlock all premium features`;
}

/** Free plan calling a premium-only function (quoted by several public projects). */
export const PREMIUM_ENDPOINT =
  'Thank you for using Alpha Vantage! This is a premium endpoint. You may subscribe to any of the premium plans at https://www.alphavantage.co/premium/ to instantly unlock all premium endpoints';

/** The `demo` key used for anything but its sample symbol (crazzyghost/alphavantage-java TestUtils.java). */
export const DEMO_KEY_NOTICE =
  'The **demo** API key is for demo purposes only. Please claim your free API key at (https://www.alphavantage.co/support/#api-key) to explore our full API offerings. It takes fewer than 20 seconds, and we are committed to making it free forever.';
