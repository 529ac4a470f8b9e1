/**
 * Exit codes and the one-line error the CLI prints. Scripts can rely on the codes:
 * 0 done, 1 failed (AWS/Kafka error, a handler's failure, a timeout), 2 usage error (bad argument, nothing was
 * sent), 3 nothing to talk to (no local pipeline serving, no such stack).
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, unavailable: 3 } as const;

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

/** Prints `horton: <message>` (the stack only with --debug) and returns the exit code. */
export function reportError(error: unknown, debug: boolean): number {
  const cli = error instanceof CliError ? error : undefined;
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`horton: ${message.split('\n')[0]}\n`);
  if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return cli?.exitCode ?? EXIT.failed;
}
