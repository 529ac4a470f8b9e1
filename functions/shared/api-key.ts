/**
 * The AlphaVantage API key. In AWS it lives in Secrets Manager (the function gets the secret's ARN and read
 * permission on it, never the value); it is fetched on first use and cached for five minutes, so a rotated key
 * is picked up without a redeploy. Locally the key is an environment variable.
 */
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { ALPHAVANTAGE_KEY_PLACEHOLDER, ENV } from '../../model/config.ts';

const CACHE_SECONDS = 300;

export function apiKeyFromEnvironment(): () => Promise<string> {
  const direct = process.env[ENV.alphaVantageApiKey];
  if (direct) return async () => direct;
  const secretArn = process.env[ENV.alphaVantageSecretArn];
  if (!secretArn) {
    throw new Error(`Set ${ENV.alphaVantageSecretArn} (in AWS) or ${ENV.alphaVantageApiKey} (locally)`);
  }
  return async () => {
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
