/**
 * The Lambda Invoke API for the manually invoked functions (backfill, operations), served locally so that the
 * `horton` CLI's local mode is its AWS mode with another endpoint: `POST /2015-03-31/functions/{name}/invocations`
 * with the event as the body, answered as Lambda does for a RequestResponse invocation:
 * - 200 with the handler's result as JSON;
 * - 200 with `X-Amz-Function-Error: Unhandled` and `{ errorType, errorMessage, trace }` when the handler throws;
 * - 404 `ResourceNotFoundException` for a function that is not served, 400 for a body that is not JSON.
 * Only RequestResponse is supported; `Event` and `DryRun` invocations get 400 `InvalidParameterValueException`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DEFAULT_LOCAL_REGION,
  invokeHandler,
  type LambdaHandler,
  LOCAL_ACCOUNT_ID,
} from './lambda-context.ts';

export interface ServedFunction {
  handler: LambdaHandler;
  /** @default 60 */
  timeoutSeconds?: number;
}

export interface InvokeEndpointOptions {
  /** Function name -> handler. */
  functions: Map<string, ServedFunction>;
  /** @default 0 (any free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  region?: string;
}

export interface InvokeEndpoint {
  /** e.g. `http://127.0.0.1:36123`: the endpoint to give the Lambda client. */
  url: string;
  close(): Promise<void>;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

/** A function name, or the name inside a function ARN (`arn:aws:lambda:<region>:<account>:function:<name>`). */
function functionNameOf(raw: string): string {
  const name = decodeURIComponent(raw);
  const arn = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:]+)(?::.+)?$/.exec(name);
  return arn?.[1] ?? name;
}

function reply(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const text = JSON.stringify(body ?? null);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': crypto.randomUUID(),
    ...headers,
  });
  response.end(text);
}

function serviceError(response: ServerResponse, status: number, type: string, message: string) {
  reply(response, status, { Type: 'User', message }, { 'x-amzn-errortype': type });
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function handle(options: InvokeEndpointOptions, request: IncomingMessage, response: ServerResponse) {
  const region = options.region ?? DEFAULT_LOCAL_REGION;
  const match = INVOKE_PATH.exec(new URL(request.url ?? '/', 'http://localhost').pathname);
  if (request.method !== 'POST' || !match?.[1]) {
    serviceError(
      response,
      404,
      'UnknownOperationException',
      `${request.method} ${request.url} is not served here`,
    );
    return;
  }
  const name = functionNameOf(match[1]);
  const served = options.functions.get(name);
  if (!served) {
    serviceError(
      response,
      404,
      'ResourceNotFoundException',
      `Function not found: arn:aws:lambda:${region}:${LOCAL_ACCOUNT_ID}:function:${name}`,
    );
    return;
  }
  const invocationType = request.headers['x-amz-invocation-type'] ?? 'RequestResponse';
  if (invocationType !== 'RequestResponse') {
    serviceError(
      response,
      400,
      'InvalidParameterValueException',
      `the local runner serves RequestResponse invocations only, not ${invocationType}`,
    );
    return;
  }
  const body = await readBody(request);
  let event: unknown;
  try {
    event = body === '' ? {} : JSON.parse(body);
  } catch {
    serviceError(response, 400, 'InvalidRequestContentException', 'Could not parse request body into json');
    return;
  }
  try {
    const result = await invokeHandler(served.handler, event, {
      functionName: name,
      region,
      timeoutSeconds: served.timeoutSeconds ?? 60,
    });
    reply(response, 200, result === undefined ? null : result, { 'x-amz-executed-version': '$LATEST' });
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    reply(
      response,
      200,
      { errorType: failure.name, errorMessage: failure.message, trace: [] },
      { 'x-amz-function-error': 'Unhandled', 'x-amz-executed-version': '$LATEST' },
    );
  }
}

export async function startInvokeEndpoint(options: InvokeEndpointOptions): Promise<InvokeEndpoint> {
  const server: Server = createServer((request, response) => {
    handle(options, request, response).catch((error: unknown) => {
      if (!response.headersSent) serviceError(response, 500, 'ServiceException', String(error));
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
