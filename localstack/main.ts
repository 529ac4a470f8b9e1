/**
 * The local front door: one program for `npm start` (its `start` command) and `npm run local -- <command>`.
 *
 *   npm start                      local stack up, one collection cycle, summary, then stop what it started
 *   npm start -- --help            the flags of the run (--watch, --keep-running, --serve, --live, --config, ...)
 *   npm run local -- up|down|status [--no-simulator] [--json]   the local stack alone
 *   npm run local -- start ...     the same as `npm start -- ...`
 *
 * A bad flag, command or setting is one line naming it, exit code 2, nothing started (as `horton` does); other
 * failures exit 1. `--debug` adds stack traces. Each command loads its own module when it runs, so `npm run local`
 * does not load the pipeline (nor install its Ctrl-C handling).
 */
import { Command, CommanderError, Option } from 'commander';
import { type LocalStackOptions, LocalStackSettingError, resolveLocalStackOptions } from './stack/index.ts';
import type { StartFlags } from './start.ts';
import { UsageError } from './usage-error.ts';

// The AWS SDK warns on Node 20 about its 2027 releases; the Lambda runtime is Node 24. Not actionable here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const argv = process.argv.slice(2);
const debug = argv.includes('--debug');

/** The message of a failure: one line, or the stack trace with --debug. */
function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return debug ? (error.stack ?? error.message) : error.message;
}

/** How the user called the command, for the start of its error lines: `npm start` runs `start`. */
function caller(): string {
  return argv.find((word) => !word.startsWith('-')) === 'start' ? 'npm start' : 'npm run local';
}

function addStart(program: Command): void {
  program
    .command('start')
    .description('the whole pipeline on this machine: local stack, real handlers, one collection cycle')
    .configureHelp({ commandUsage: () => 'npm start -- [flags]', showGlobalOptions: true })
    .option('--watch', 'after the first cycle, keep running on the configured schedules')
    .option('--keep-running', 'after the first cycle, serve the horton CLI until Ctrl-C')
    .option('--serve', 'serve the horton CLI at once (handlers, schedules, invoke API), no first cycle')
    .option(
      '--live',
      'the real AlphaVantage (ALPHAVANTAGE_API_KEY, the configured base URL and plan) instead of the simulator',
    )
    .option('--time-compression <N>', 'one real second stands for N seconds (N > 0)')
    .option('--config <file>', 'JSON overrides of the configuration (model/config.ts)')
    .addHelpText(
      'after',
      '\nExamples:\n  npm start -- --watch --time-compression 3600   the schedules, one real second standing for an hour\n  npm start -- --config my.json                  e.g. another watchlist',
    )
    .action(async (flags: StartFlags) => {
      const { readRequest, startLocalRun } = await import('./start.ts');
      const request = readRequest(flags);
      await startLocalRun(request).then(
        // Handler modules keep their Kafka producers for the life of the "execution environment"; end it here.
        () => process.exit(0),
        (error: unknown) => {
          process.stderr.write(`\nnpm start failed: ${describeFailure(error)}\n`);
          process.exit(1);
        },
      );
    });
}

/** The stack's settings (HORTON_* variables); a bad one is a usage error. */
function stackOptions(flags: { simulator: boolean; json: boolean }): LocalStackOptions {
  let options: LocalStackOptions;
  try {
    options = resolveLocalStackOptions(flags.simulator ? {} : { simulator: false });
  } catch (error) {
    if (error instanceof LocalStackSettingError) throw new UsageError(error.message);
    throw error;
  }
  // With --json, stdout is the JSON alone: progress goes to stderr.
  if (flags.json) options.log = (message) => process.stderr.write(`${message}\n`);
  return options;
}

function addStackCommands(program: Command): void {
  const commands = {
    up: 'start what is not running and wait until it is ready; a second `up` is a no-op',
    down: 'stop exactly the processes `up` started (by pid), nothing else',
    status: 'each service: running and ready, stopped, or crashed with the end of its log (exit 3: stopped)',
  } as const;
  for (const [name, description] of Object.entries(commands)) {
    program
      .command(name)
      .description(description)
      .configureHelp({ showGlobalOptions: true })
      .addOption(new Option('--no-simulator', 'without the AlphaVantage simulator (Kafka + AWS only)'))
      .option('--json', 'machine-readable output', false)
      .action(async (flags: { simulator: boolean; json: boolean }) => {
        const options = stackOptions(flags);
        const { up, down, status } = await import('./stack-commands.ts');
        process.exitCode = await { up, down, status }[name as keyof typeof commands](options, flags.json);
      });
  }
}

function buildProgram(): Command {
  const program = new Command('npm run local --')
    .description('The local environment: Kafka broker, AWS emulator, AlphaVantage simulator, the pipeline.')
    .option('--debug', 'stack traces with errors')
    // Commander's own errors become the one line below, like every other error.
    .configureOutput({ outputError: () => {} })
    .exitOverride();
  addStart(program);
  addStackCommands(program);
  return program;
}

/** Codes of commander's errors that are not errors: help was asked for. */
const COMMANDER_INFO = new Set(['commander.helpDisplayed', 'commander.version']);

/** Commander's message as one line, in the words of `npm start`'s flags ("unknown flag --x"). */
function usageLine(error: CommanderError): string {
  const line = error.message
    .replace(/^error: /, '')
    .split('\n')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .join(' ');
  return `${line.replace(/^unknown option '([^']+)'/, 'unknown flag $1')} (see --help)`;
}

async function main(): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    const who = caller();
    if (error instanceof CommanderError) {
      if (COMMANDER_INFO.has(error.code)) return 0;
      // Without a command, the help has been printed (to stderr): a usage error without a line of its own.
      if (error.code !== 'commander.help') process.stderr.write(`${who}: ${usageLine(error)}\n`);
      return 2;
    }
    process.stderr.write(`${who}: ${describeFailure(error)}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
}

process.exitCode = await main();
