/**
 * `horton`: the operator CLI. Every command talks AWS APIs (Lambda Invoke, DynamoDB, CloudFormation), to a
 * deployed stack (`--stack <name> --region <r>`) or to the local pipeline that `npm start -- --serve` serves
 * (`--local`, the default). See README "Operating Horton" and docs/decisions/0060-operator-cli.md.
 */
import { Command, CommanderError, Option } from 'commander';
import { backfill } from './commands/backfill.ts';
import { listDeadLetters, redriveDeadLetters, showDeadLetter } from './commands/dead-letters.ts';
import { SEND_DATASETS, send } from './commands/send.ts';
import { show } from './commands/show.ts';
import { status } from './commands/status.ts';
import { registerConsole } from './console/command.ts';
import { EXIT, reportError, UsageError } from './errors.ts';
import { createIo, type Io } from './output.ts';
import { connect, type Target, type TargetOptions } from './target.ts';

// The AWS SDK warns on Node 20 about its 2027 releases; not actionable for an operator.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

interface GlobalOptions extends TargetOptions {
  json: boolean;
  debug: boolean;
}

const positiveInteger = (flag: string) => (value: string) => {
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0)
    throw new UsageError(`${flag}: "${value}" is not a positive integer`);
  return number;
};

/** Runs a command against its target and sets the exit code; errors become one line. */
function action<A extends unknown[]>(
  work: (target: Target, io: Io, ...args: A) => Promise<void>,
): (...args: [...A, Record<string, unknown>, Command]) => Promise<void> {
  return async (...args) => {
    const command = args.at(-1) as Command;
    const globals = command.optsWithGlobals<GlobalOptions>();
    const io = createIo(globals.json);
    const target = connect(globals);
    try {
      await work(target, io, ...(args.slice(0, -1) as A));
    } finally {
      target.close();
    }
  };
}

export function buildProgram(): Command {
  const program = new Command('horton')
    .description('Operate Horton: backfill, send, inspect and redrive, locally or against a deployed stack.')
    .addOption(
      new Option('--local', 'talk to the local pipeline served by `npm start -- --serve` (the default)'),
    )
    .addOption(new Option('--stack <name>', 'talk to a deployed CloudFormation stack, e.g. Horton'))
    .addOption(new Option('--region <region>', 'AWS region of --stack (default: the AWS SDK’s)'))
    .option('--json', 'print JSON for scripts instead of text', false)
    .option('--debug', 'print stack traces of errors', false)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  program
    .command('backfill')
    .description('collect datasets now, follow the handlers to the end, and summarise the outcome')
    .option('--symbols <list>', 'comma-separated tickers, e.g. IBM,MSFT (default: the whole stored universe)')
    .requiredOption('--datasets <list>', 'comma-separated: universe, overview, history, quote, indicators')
    .option('--outputsize <size>', 'history size: compact (100 days) or full (premium plans)')
    .option('--request-id <id>', 'idempotency key: the same id republishes the same command ids')
    .option('--issued-at <time>', 'with --request-id, repeats an earlier backfill exactly')
    .option('--no-follow', 'return once the commands are published')
    .option('--timeout <seconds>', 'give up following after this long', positiveInteger('--timeout'), 600)
    .action(action((target, io, options: Parameters<typeof backfill>[2]) => backfill(target, io, options)));

  program
    .command('send')
    .description('validate one command against its topic contract (model/messages.ts) and publish it')
    .argument('<dataset>', Object.keys(SEND_DATASETS).join(' | '))
    .argument(
      '<json>',
      'the command; type, v, commandId, correlationId and issuedAt are filled in when absent',
    )
    .addHelpText('after', `\nExample:\n  horton send quote '{"symbol":"IBM"}'`)
    .action(action((target, io, dataset: string, json: string) => send(target, io, dataset, json)));

  const deadLetters = program
    .command('dead-letters')
    .description('list, show and redrive the records handlers could not process');
  deadLetters
    .command('list')
    .description('dead letters grouped by handler and reason, then the latest records')
    .option('--reason <code>', 'only this reason code, e.g. schema-invalid')
    .option('--since <time>', 'only those since an ISO time or a duration back (30m, 12h, 7d)')
    .option('--limit <n>', 'records listed after the groups', positiveInteger('--limit'), 20)
    .action(
      action((target, io, options: { reason?: string; since?: string; limit: number }) =>
        listDeadLetters(target, io, options),
      ),
    );
  deadLetters
    .command('show')
    .description('one dead letter with the original key, headers and value')
    .argument('<offset>', 'its offset on the dead-letter topic (or partition:offset)')
    .option('--partition <n>', 'partition of the dead-letter topic', '0')
    .action(
      action((target, io, offset: string, options: { partition: string }) =>
        showDeadLetter(target, io, offset, options.partition),
      ),
    );
  deadLetters
    .command('redrive')
    .description('re-publish the original records to their source topics, each dead letter once')
    .option('--reason <code>', 'only this reason code')
    .option('--since <time>', 'only those since an ISO time or a duration back (30m, 12h, 7d)')
    .action(
      action((target, io, options: { reason?: string; since?: string }) =>
        redriveDeadLetters(target, io, options),
      ),
    );

  program
    .command('show')
    .description('what is stored for one security, with charts of recent closes and yearly extremes')
    .argument('<symbol>', 'ticker, e.g. IBM')
    .option('--days <n>', 'trading days in the close chart', positiveInteger('--days'), 60)
    .option('--years <n>', 'years in the extremes table (the chart shows all)', positiveInteger('--years'), 5)
    .action(
      action((target, io, symbol: string, options: { days: number; years: number }) =>
        show(target, io, symbol, options),
      ),
    );

  program
    .command('status')
    .description(
      'lag and last processed record per handler, dead letters, schedules, quota, local stack health',
    )
    .action(async (_options: unknown, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      process.exitCode = await status(globals, createIo(globals.json));
    });
  registerConsole(program, () => program.opts<GlobalOptions>());
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed the message (or the help) already.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    return reportError(error, argv.includes('--debug'));
  }
}

// Handler-free clients may keep sockets open: exit explicitly once the command is done.
process.exit(await main(process.argv.slice(2)));
