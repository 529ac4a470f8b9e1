/** A mistake in how a local command was called (flag, command, --config file, setting): one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
