/**
 * The Lambda invocation surface the local runner offers handlers: the handler signature, a context object with
 * the fields Lambda's Node.js runtime provides, and an invoke helper that enforces the function timeout.
 *
 * Handlers run in this process (no sandbox): a timed-out invocation is reported as failed, like Lambda does,
 * but its promise cannot be killed and may still finish in the background.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { OUTCOME_LOG_MESSAGE } from '../../model/metrics.ts';

/** What every Horton handler exports as `handler`. */
export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

/** The account id the AWS emulator (moto) uses by default, so local ARNs look like the emulator's own. */
export const LOCAL_ACCOUNT_ID = '123456789012';
export const DEFAULT_LOCAL_REGION = 'us-east-1';

export interface LambdaFunctionIdentity {
  functionName: string;
  region?: string;
  accountId?: string;
  /** Function timeout; drives `getRemainingTimeInMillis` and the invocation deadline. */
  timeoutSeconds: number;
  memoryLimitInMB?: number;
}

/**
 * Builds a fresh context for one invocation, its deadline counted from `startedAt`. Once `stopping` aborts (the
 * local runner is shutting down) no time remains: Horton's handlers then start no further record and hand the
 * rest of their batch back, so a stop waits for the records in progress only. Lambda has no such signal.
 */
export function createLambdaContext(
  identity: LambdaFunctionIdentity,
  startedAt: number = Date.now(),
  now: () => number = Date.now,
  stopping?: AbortSignal,
): Context {
  const region = identity.region ?? DEFAULT_LOCAL_REGION;
  const accountId = identity.accountId ?? LOCAL_ACCOUNT_ID;
  const deadline = startedAt + identity.timeoutSeconds * 1000;
  const day = new Date(startedAt).toISOString().slice(0, 10).replaceAll('-', '/');
  const unsupported = (name: string) => () => {
    // The callback-era methods are deprecated; Horton's handlers return promises, so a call is a bug.
    throw new Error(`context.${name}() is not supported by the local runner: return a promise instead`);
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: identity.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${accountId}:function:${identity.functionName}`,
    memoryLimitInMB: String(identity.memoryLimitInMB ?? 1024),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${identity.functionName}`,
    logStreamName: `${day}/[$LATEST]local`,
    getRemainingTimeInMillis: () => (stopping?.aborted ? 0 : Math.max(0, deadline - now())),
    done: unsupported('done'),
    fail: unsupported('fail'),
    succeed: unsupported('succeed'),
  };
}

/** Raised when an invocation outlives the function timeout (Lambda's own wording). */
export class InvocationTimeout extends Error {
  override readonly name = 'InvocationTimeout';
}

/**
 * Invokes a handler with a fresh context; rejects with the handler's error, or with `InvocationTimeout` when
 * the function timeout elapses first. `stopping`: see `createLambdaContext`.
 */
export async function invokeHandler(
  handler: LambdaHandler,
  event: unknown,
  identity: LambdaFunctionIdentity,
  stopping?: AbortSignal,
): Promise<unknown> {
  const context = createLambdaContext(identity, Date.now(), Date.now, stopping);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new InvocationTimeout(`Task timed out after ${identity.timeoutSeconds.toFixed(2)} seconds`)),
      identity.timeoutSeconds * 1000,
    );
  });
  try {
    // `Promise.resolve().then` turns a synchronous throw into a rejection, as the Lambda runtime does.
    return await Promise.race([Promise.resolve().then(() => handler(event, context)), timeout]);
  } catch (error) {
    logInvokeError(identity.functionName, context.awsRequestId, error);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * What Lambda's runtime writes to the function's log when an invocation throws or times out (and counts as an
 * `Errors` datum): here one JSON line on stderr whose `functionName` stands for the log group, so the runner's
 * log routing files it with the function's own lines and the console counts it as a failed invocation.
 */
function logInvokeError(functionName: string, requestId: string, error: unknown): void {
  const failure = error instanceof Error ? error : new Error(String(error));
  process.stderr.write(
    `${JSON.stringify({
      timestamp: new Date().toISOString(),
      level: 'ERROR',
      functionName,
      requestId,
      message: OUTCOME_LOG_MESSAGE.invokeError,
      errorType: failure.name,
      errorMessage: failure.message,
    })}\n`,
  );
}
