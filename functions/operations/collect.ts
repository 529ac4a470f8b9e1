/**
 * The operations function's logic: validates the CLI's request (model/operations.ts) and hands it to its
 * operation, one module each, with Kafka reached through injected ports (ports.ts), so the same code runs in
 * the Lambda, in the local runner and in tests.
 */
import {
  type Deployment,
  type OperationsRequest,
  OperationsRequestError,
  operationsRequestSchema,
} from '../../model/operations.ts';
import { deadLetterDetail } from './dead-letter.ts';
import { listDeadLetters } from './dead-letter-log.ts';
import { offsets } from './offsets.ts';
import type { OperationsPorts } from './ports.ts';
import { redrive } from './redrive.ts';
import { send } from './send.ts';
import { status } from './status.ts';

export type { OperationsPorts } from './ports.ts';

export async function operate(
  raw: OperationsRequest | unknown,
  deployment: Deployment,
  ports: OperationsPorts,
) {
  const parsed = operationsRequestSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(request)'}: ${issue.message}`,
    );
    throw new OperationsRequestError(`Invalid operations request: ${problems.join('; ')}`);
  }
  const request = parsed.data;
  switch (request.action) {
    case 'describe':
      return deployment;
    case 'offsets':
      return offsets(deployment, ports);
    case 'status':
      return status(deployment, ports);
    case 'dead-letters':
      return listDeadLetters(deployment, ports, request);
    case 'dead-letter':
      return deadLetterDetail(deployment, ports, request.partition, request.offset);
    case 'redrive':
      return redrive(deployment, ports, request);
    case 'send':
      return send(deployment, ports, request.role, request.message);
  }
}
