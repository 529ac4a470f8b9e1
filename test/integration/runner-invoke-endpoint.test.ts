/**
 * The local Lambda Invoke API (localstack/runner/invoke-endpoint.ts) answers the real @aws-sdk/client-lambda as
 * Lambda does: results, handler errors as FunctionError, unknown functions as ResourceNotFoundException.
 */
import { InvokeCommand, LambdaClient, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../localstack/aws-resources.ts';
import { type InvokeEndpoint, startInvokeEndpoint } from '../../localstack/runner/invoke-endpoint.ts';

let endpoint: InvokeEndpoint;
let lambda: LambdaClient;
const seen: unknown[] = [];

beforeAll(async () => {
  endpoint = await startInvokeEndpoint({
    functions: new Map([
      [
        'echo',
        {
          handler: async (event, context) => {
            seen.push(event);
            return { received: event, functionName: context.functionName };
          },
        },
      ],
      [
        'rejects',
        {
          handler: async () => {
            throw Object.assign(new Error('symbols: not a ticker'), { name: 'BackfillRequestError' });
          },
        },
      ],
    ]),
  });
  lambda = new LambdaClient({
    endpoint: endpoint.url,
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
  });
});

afterAll(async () => {
  lambda?.destroy();
  await endpoint?.close();
});

const payload = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const decode = (bytes: Uint8Array | undefined) => JSON.parse(new TextDecoder().decode(bytes)) as unknown;

describe('invoke endpoint', () => {
  it('invokes the handler with the payload and returns its result', async () => {
    const response = await lambda.send(
      new InvokeCommand({ FunctionName: 'echo', Payload: payload({ a: 1 }) }),
    );
    expect(response.StatusCode).toBe(200);
    expect(response.FunctionError).toBeUndefined();
    expect(decode(response.Payload)).toEqual({ received: { a: 1 }, functionName: 'echo' });
    expect(seen).toContainEqual({ a: 1 });
  });

  it('accepts a function ARN', async () => {
    const response = await lambda.send(
      new InvokeCommand({
        FunctionName: 'arn:aws:lambda:us-east-1:123456789012:function:echo',
        Payload: payload({ b: 2 }),
      }),
    );
    expect(decode(response.Payload)).toEqual({ received: { b: 2 }, functionName: 'echo' });
  });

  it('reports a handler error as an unhandled function error with its type and message', async () => {
    const response = await lambda.send(new InvokeCommand({ FunctionName: 'rejects', Payload: payload({}) }));
    expect(response.FunctionError).toBe('Unhandled');
    expect(decode(response.Payload)).toMatchObject({
      errorType: 'BackfillRequestError',
      errorMessage: 'symbols: not a ticker',
    });
  });

  it('answers an unknown function with ResourceNotFoundException', async () => {
    await expect(
      lambda.send(new InvokeCommand({ FunctionName: 'missing', Payload: payload({}) })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('refuses asynchronous invocations it cannot honour', async () => {
    await expect(
      lambda.send(new InvokeCommand({ FunctionName: 'echo', InvocationType: 'Event', Payload: payload({}) })),
    ).rejects.toThrow(/RequestResponse/);
  });
});
