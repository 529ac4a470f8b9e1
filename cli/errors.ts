/**
 * Exit codes and the one-line error the CLI prints. Scripts can rely on the codes, the same for every command:
 * 0 all done; 1 some work failed (a command dead-lettered or not stored, an AWS/Kafka error, a timeout);
 * 2 usage error (bad argument or option: nothing was invoked or published); 3 nothing to talk to (no local
 * pipeline serving, no such stack); 4 not found (no dead letter at that offset, nothing stored for a symbol).
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, unavailable: 3, notFound: 4 } as const;

export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
  ) {
    super(message);
  }
}

/** A bad argument or option: exit 2, and nothing has been invoked or published. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.usage);
  }
}

/** Prints `horton: <message>` (one line; the stack only with --debug) and returns the exit code. */
export function reportError(error: unknown, debug: boolean): number {
  const cli = error instanceof CliError ? error : undefined;
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`horton: ${oneLine(message)}\n`);
  if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return cli?.exitCode ?? EXIT.failed;
}

/** A message on one line: its lines joined, a leading `error: ` (commander's) dropped. */
export function oneLine(message: string): string {
  return message
    .replace(/^error: /, '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join(' ');
}
