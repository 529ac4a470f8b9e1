/**
 * The one place in functions/ that reads the process environment. A handler calls `loadSettings(name)` once, at
 * module scope (cold start): it decodes the JSON the deployment (or the local runner) put into
 * `HORTON_SETTINGS` and validates it against the handler's contract (model/settings.ts), so a missing or
 * malformed setting fails the cold start with a message naming the field, not every record later.
 */
import type { HandlerName } from '../../model/handlers.ts';
import {
  HANDLER_SETTINGS,
  type HandlerSettings,
  LOCAL_API_KEY_VARIABLE,
  REPORT_FAILURE_CAUSES_VARIABLE,
  SETTINGS_VARIABLE,
  SIMULATED_TIME_AHEAD_VARIABLE,
} from '../../model/settings.ts';

/** What the Lambda runtime (or the local runner) provides besides the settings. */
export interface RuntimeEnvironment {
  /** The function's region (Lambda sets AWS_REGION): MSK IAM tokens are signed for it. */
  region: string | undefined;
  /** Local runs only: the AlphaVantage key itself (in AWS: the secret named by alphaVantage.secretArn). */
  localApiKey: string | undefined;
  /**
   * Local runs only: batch responses also carry `failureCauses`, so the runner's on-failure dead letters can say
   * why a record kept failing. Lambda's own response stays the documented shape.
   */
  reportFailureCauses: boolean;
  /** Local runs on a compressed clock only: commands issued in the future are expected, not refused. */
  simulatedTimeAhead: boolean;
}

export function runtimeEnvironment(): RuntimeEnvironment {
  const nonEmpty = (value: string | undefined) => (value?.trim() ? value : undefined);
  return {
    region: nonEmpty(process.env.AWS_REGION),
    localApiKey: nonEmpty(process.env[LOCAL_API_KEY_VARIABLE]),
    reportFailureCauses: process.env[REPORT_FAILURE_CAUSES_VARIABLE] === '1',
    simulatedTimeAhead: process.env[SIMULATED_TIME_AHEAD_VARIABLE] === '1',
  };
}

export type LoadedSettings<N extends HandlerName> = HandlerSettings<N> & { runtime: RuntimeEnvironment };

/**
 * Decodes and validates the settings of handler `name`.
 * @throws Error naming the variable and every invalid field by its path
 */
export function loadSettings<N extends HandlerName>(name: N): LoadedSettings<N> {
  const raw = process.env[SETTINGS_VARIABLE];
  if (raw === undefined || raw.trim() === '') {
    throw new Error(`${SETTINGS_VARIABLE} is not set: the ${name} handler has no settings`);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw new Error(`${SETTINGS_VARIABLE} of the ${name} handler is not JSON: ${(error as Error).message}`);
  }
  const result = HANDLER_SETTINGS[name].safeParse(json);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new Error(`${SETTINGS_VARIABLE} of the ${name} handler is invalid: ${problems.join('; ')}`);
  }
  return { ...(result.data as HandlerSettings<N>), runtime: runtimeEnvironment() };
}
