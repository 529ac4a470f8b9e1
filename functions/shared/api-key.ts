/**
 * The AlphaVantage API key. In AWS it lives in Secrets Manager (the function's settings name the secret's ARN,
 * its role may read it; the value is never in the settings); it is fetched on first use and cached for five
 * minutes, so a rotated key is picked up without a redeploy. Locally the key is an environment variable, which
 * the settings loader reads.
 */
import { ALPHAVANTAGE_KEY_PLACEHOLDER } from '../../model/config.ts';
import { LOCAL_API_KEY_VARIABLE } from '../../model/settings.ts';

const CACHE_SECONDS = 300;

export function apiKeySource(
  secretArn: string | undefined,
  localApiKey: string | undefined,
): () => Promise<string> {
  if (localApiKey) return async () => localApiKey;
  if (!secretArn) {
    throw new Error(
      `No AlphaVantage key: settings alphaVantage.secretArn (in AWS) or ${LOCAL_API_KEY_VARIABLE} (locally)`,
    );
  }
  return async () => {
    // Loaded on first use: local runs never load the Secrets Manager client, and in AWS its evaluation moves
    // out of the init phase to the first AlphaVantage call, which needs the key anyway.
    const { getSecret } = await import('@aws-lambda-powertools/parameters/secrets');
    const value = await getSecret<string>(secretArn, { maxAge: CACHE_SECONDS });
    if (typeof value !== 'string' || value.trim() === '' || value.trim() === ALPHAVANTAGE_KEY_PLACEHOLDER) {
      // Thrown per call, not at init: once an operator sets the key, the retried records go through.
      throw new Error(
        `Secret ${secretArn} holds no AlphaVantage API key yet: aws secretsmanager put-secret-value --secret-id ${secretArn} --secret-string YOUR_KEY`,
      );
    }
    return value.trim();
  };
}
