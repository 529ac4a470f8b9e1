import { describe, expect, it, vi } from 'vitest';
import { interpretBatchResponse } from '../../localstack/runner/batch-response.ts';
import { InvocationTimeout, invokeHandler } from '../../localstack/runner/lambda-context.ts';

const delivered = new Map([
  ['t-0', new Set([10, 11, 12])],
  ['t-1', new Set([3])],
]);
const failureAt = (partition: unknown, offset: unknown) => ({ itemIdentifier: { partition, offset } });

describe('interpretBatchResponse', () => {
  it.each([
    ['undefined', undefined],
    ['null', null],
    ['an empty object', {}],
    ['an empty list', { batchItemFailures: [] }],
    ['a null list', { batchItemFailures: null }],
  ])('treats %s as success', (_label, response) => {
    expect(interpretBatchResponse(response, delivered)).toEqual({ kind: 'success' });
  });

  it('returns the lowest failed offset per partition', () => {
    // Prepare: failures listed out of order, two partitions
    const response = {
      batchItemFailures: [failureAt('t-0', 12), failureAt('t-1', 3), failureAt('t-0', '11')],
    };

    // Act
    const outcome = interpretBatchResponse(response, delivered);

    // Assess
    expect(outcome).toEqual({
      kind: 'partial',
      failedFrom: new Map([
        ['t-0', 11],
        ['t-1', 3],
      ]),
    });
  });

  it.each([
    ['a string', 'ok', 'string'],
    ['a list', [], 'array'],
    ['failures that are not a list', { batchItemFailures: {} }, 'not a list'],
    ['a missing itemIdentifier', { batchItemFailures: [{}] }, 'itemIdentifier'],
    ['a null itemIdentifier', { batchItemFailures: [{ itemIdentifier: null }] }, 'itemIdentifier'],
    ['an empty partition', { batchItemFailures: [failureAt('', 10)] }, 'partition'],
    ['a negative offset', { batchItemFailures: [failureAt('t-0', -1)] }, 'offset'],
    ['a fractional offset', { batchItemFailures: [failureAt('t-0', 10.5)] }, 'offset'],
    ['an offset not in the batch', { batchItemFailures: [failureAt('t-0', 13)] }, 'not in the batch'],
    ['a partition not in the batch', { batchItemFailures: [failureAt('t-9', 10)] }, 'not in the batch'],
  ])('treats %s as a whole-batch failure', (_label, response, reason) => {
    const outcome = interpretBatchResponse(response, delivered);
    expect(outcome.kind).toBe('invalid');
    expect(outcome.kind === 'invalid' && outcome.reason).toContain(reason);
  });
});

describe('invokeHandler', () => {
  const identity = { functionName: 'f', timeoutSeconds: 0.05 };

  it('passes a Lambda-like context', async () => {
    const seen = await invokeHandler(async (_event, context) => ({ ...context }), { x: 1 }, identity);
    expect(seen).toMatchObject({
      functionName: 'f',
      functionVersion: '$LATEST',
      invokedFunctionArn: expect.stringMatching(/^arn:aws:lambda:us-east-1:\d{12}:function:f$/),
      awsRequestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
  });

  it('turns a synchronous throw into a rejection', async () => {
    const throwing = (() => {
      throw new Error('sync boom');
    }) as unknown as Parameters<typeof invokeHandler>[0];
    await expect(invokeHandler(throwing, {}, identity)).rejects.toThrow('sync boom');
  });

  it('rejects with a timeout when the handler outlives the function timeout', async () => {
    const slow = () => new Promise((resolve) => setTimeout(resolve, 500));
    await expect(invokeHandler(slow, {}, identity)).rejects.toBeInstanceOf(InvocationTimeout);
  });

  it("writes the runtime's Invoke Error line for a throw and a timeout, and nothing for a success", async () => {
    const lines: string[] = [];
    const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      await invokeHandler(async () => ({ batchItemFailures: [] }), {}, identity);
      await invokeHandler(async () => Promise.reject(new RangeError('boom')), {}, identity).catch(() => {});
      await invokeHandler(() => new Promise((resolve) => setTimeout(resolve, 500)), {}, identity).catch(
        () => {},
      );
    } finally {
      write.mockRestore();
    }
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({
        functionName: 'f',
        message: 'Invoke Error',
        errorType: 'RangeError',
        errorMessage: 'boom',
      }),
      expect.objectContaining({
        functionName: 'f',
        message: 'Invoke Error',
        errorType: 'InvocationTimeout',
        errorMessage: 'Task timed out after 0.05 seconds',
      }),
    ]);
    expect(lines.every((line) => line.endsWith('}\n'))).toBe(true);
  });
});
