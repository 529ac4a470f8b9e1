/** `horton send <dataset> <json>`: one command, validated against its topic's contract, then published. */
import {
  type CommandTopicRole,
  completeCommand,
  OperationsRequestError,
  type SendReport,
  validateCommand,
} from '../../model/operations.ts';
import { EXIT, UsageError } from '../errors.ts';
import { emit, type Io } from '../output.ts';
import type { Target } from '../target.ts';

/** Dataset names an operator types, with the topic role each publishes to. */
export const SEND_DATASETS: Record<string, CommandTopicRole> = {
  universe: 'securities',
  securities: 'securities',
  overview: 'overview',
  history: 'history',
  quote: 'quote',
  indicators: 'indicators',
};

/** Checks the arguments and builds the full command; throws UsageError before anything is sent. */
function prepareSend(dataset: string, text: string, now: Date = new Date()) {
  const role = SEND_DATASETS[dataset];
  if (!role) {
    throw new UsageError(`unknown dataset "${dataset}": one of ${Object.keys(SEND_DATASETS).join(', ')}`);
  }
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`<json> is not valid JSON: ${(error as Error).message}`);
  }
  try {
    return { role, command: validateCommand(role, completeCommand(role, message, now), now) };
  } catch (error) {
    if (error instanceof OperationsRequestError) throw new UsageError(error.message);
    throw error;
  }
}

export async function send(target: Target, io: Io, dataset: string, text: string): Promise<number> {
  const { role, command } = prepareSend(dataset, text);
  const report = await target.operate<SendReport>({ action: 'send', role, message: command });
  emit(io, { ...report, command }, () =>
    io.out(`Sent ${command.type} (key ${report.key}) to ${report.topic}: command ${report.commandId}`),
  );
  return EXIT.ok;
}
