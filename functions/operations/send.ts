/** `send`: one command, validated against its topic's contract, published keyed as the handlers key it. */
import { messageKey } from '../../model/messages.ts';
import {
  type CommandTopicRole,
  completeCommand,
  type Deployment,
  type SendReport,
  validateCommand,
} from '../../model/operations.ts';
import type { OperationsPorts } from './ports.ts';

export async function send(
  deployment: Deployment,
  ports: OperationsPorts,
  role: CommandTopicRole,
  message: unknown,
): Promise<SendReport> {
  const command = validateCommand(role, completeCommand(role, message, ports.now()));
  const key = messageKey(command);
  const topic = deployment.topics[role];
  await ports.publish([
    {
      topic,
      key,
      value: JSON.stringify(command),
      headers: { 'content-type': 'application/json', 'correlation-id': command.correlationId },
    },
  ]);
  return { topic, key, commandId: command.commandId };
}
