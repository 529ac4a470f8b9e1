/**
 * The X-Ray tracer, loaded only when a handler's settings turn tracing on (observability.ts imports this module
 * dynamically), so functions without tracing neither load nor ship it.
 */

import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { MiddlewareObj } from '@middy/core';

export function tracingMiddleware(serviceName: string): MiddlewareObj {
  return captureLambdaHandler(new Tracer({ serviceName }));
}
