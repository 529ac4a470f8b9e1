/**
 * `horton`: the operator CLI. Every command talks AWS APIs (Lambda Invoke, DynamoDB, CloudFormation, CloudWatch
 * Logs), to a deployed stack (`--stack <name> --region <r>`) or to the local pipeline that `npm start -- --serve`
 * serves (`--local`, the default). See README "Operating Horton" and docs/decisions/0060-operator-cli.md.
 */
import { Command, CommanderError, Option } from 'commander';
import { backfill } from './commands/backfill.ts';
import { listDeadLetters, redriveDeadLetters, showDeadLetter } from './commands/dead-letters.ts';
import { logs } from './commands/logs.ts';
import { SEND_DATASETS, send } from './commands/send.ts';
import { show } from './commands/show.ts';
import { status } from './commands/status.ts';
import { symbols } from './commands/symbols.ts';
import { registerConsole } from './console/command.ts';
import { EXIT, oneLine, reportError, UsageError } from './errors.ts';
import { createIo, type Io } from './output.ts';
import { connect, type Target, type TargetOptions } from './target.ts';

// The AWS SDK warns on Node 20 about its 2027 releases; not actionable for an operator.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

interface GlobalOptions extends TargetOptions {
  json: boolean;
  wide: boolean;
  debug: boolean;
}

const positiveInteger = (flag: string) => (value: string) => {
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0)
    throw new UsageError(`${flag}: "${value}" is not a positive integer`);
  return number;
};

/** Runs a command against its target and sets the exit code it returns; errors become one line. */
function action<A extends unknown[]>(
  work: (target: Target, io: Io, ...args: A) => Promise<number>,
): (...args: [...A, Record<string, unknown>, Command]) => Promise<void> {
  return async (...args) => {
    const command = args.at(-1) as Command;
    const globals = command.optsWithGlobals<GlobalOptions>();
    const io = createIo(globals);
    const target = connect(globals);
    try {
      process.exitCode = await work(target, io, ...(args.slice(0, -1) as A));
    } finally {
      target.close();
    }
  };
}

function addBackfillAndSend(program: Command): void {
  program
    .command('backfill')
    .description('collect datasets now, follow the handlers to the end, and summarise the outcome')
    .option('--symbols <list>', 'comma-separated tickers, e.g. IBM,MSFT (default: the whole stored universe)')
    .requiredOption('--datasets <list>', 'comma-separated: universe, overview, history, quote, indicators')
    .option('--outputsize <size>', 'history size: compact (100 days) or full (premium plans)')
    .option('--request-id <id>', 'idempotency key: the same id republishes the same command ids')
    .option('--issued-at <time>', 'with --request-id, repeats an earlier backfill exactly')
    .option('--ask-again', 'ask AlphaVantage even for items remembered as having no data (see horton status)')
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
}

function addDeadLetters(program: Command): void {
  const deadLetters = program
    .command('dead-letters')
    .description('list, show and redrive the records handlers could not process');
  deadLetters
    .command('list')
    .description(
      'dead letters grouped by handler and reason, then the latest records with their redrive chain',
    )
    .option('--reason <code>', 'only this reason code, e.g. schema-invalid')
    .option('--since <time>', 'only those since an ISO time or a duration back (30m, 12h, 7d)')
    .option('--limit <n>', 'records listed after the groups', positiveInteger('--limit'), 20)
    .action(
      action((target, io, options: Parameters<typeof listDeadLetters>[2]) =>
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
    .description('re-publish original records to their source topics: each dead letter once, never in a loop')
    .argument('[offsets...]', 'only these dead letters (offset or partition:offset); default: all matching')
    .option('--reason <code>', 'only this reason code')
    .option('--since <time>', 'only those since an ISO time or a duration back (30m, 12h, 7d)')
    .option('--dry-run', 'show what would be redriven, send nothing', false)
    .option('--wait', 'follow the redriven records and report stored / dead-lettered again', false)
    .option('--force', 'also redrive letters that already failed again after a redrive', false)
    .option('--timeout <seconds>', 'with --wait, give up after this long', positiveInteger('--timeout'), 600)
    .action(
      action((target, io, offsets: string[], options: Parameters<typeof redriveDeadLetters>[3]) =>
        redriveDeadLetters(target, io, offsets, options),
      ),
    );
}

function addReading(program: Command): void {
  program
    .command('show')
    .description('what is stored for one security (without a symbol: `horton symbols`)')
    .argument('[symbol]', 'ticker, e.g. IBM')
    .option('--days <n>', 'trading days in the close chart', positiveInteger('--days'), 60)
    .option('--years <n>', 'years in the extremes table (the chart shows all)', positiveInteger('--years'), 5)
    .option('--csv', 'the daily closes of --days as CSV (date,close)', false)
    .action(
      action((target, io, symbol: string | undefined, options: Parameters<typeof show>[3]) =>
        symbol === undefined
          ? symbols(target, io, { limit: 50, csv: options.csv })
          : show(target, io, symbol, options),
      ),
    );
  program
    .command('symbols')
    .description('the stored symbols with the freshness of each dataset, a page at a time')
    .option('--limit <n>', 'symbols per page', positiveInteger('--limit'), 50)
    .option('--after <symbol>', 'the page after this symbol')
    .option('--csv', 'CSV instead of a table', false)
    .action(action((target, io, options: Parameters<typeof symbols>[2]) => symbols(target, io, options)));
  program
    .command('logs')
    .description('handler logs: locally the runner’s log files, in AWS the functions’ CloudWatch log groups')
    .argument('[handler]', 'one handler, e.g. quote (default: all)')
    .option('--since <time>', 'from an ISO time or a duration back (30s, 10m, 2h)', '10m')
    .option('--follow', 'keep printing new lines until Ctrl-C', false)
    .option('--level <level>', 'only this level and above: debug, info, warn, error')
    .action(
      action((target, io, handler: string | undefined, options: Parameters<typeof logs>[3]) =>
        logs(target, io, handler, options),
      ),
    );
  program
    .command('status')
    .description(
      'lag and last processed record per handler, dead letters, schedules, quota, local stack health',
    )
    .action(async (_options: unknown, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      process.exitCode = await status(globals, createIo(globals));
    });
}

export function buildProgram(): Command {
  const program = new Command('horton')
    .description('Operate Horton: backfill, send, inspect and redrive, locally or against a deployed stack.')
    .addOption(
      new Option('--local', 'talk to the local pipeline served by `npm start -- --serve` (the default)'),
    )
    .addOption(new Option('--stack <name>', 'talk to a deployed CloudFormation stack, e.g. Horton'))
    .addOption(new Option('--region <region>', 'AWS region of --stack (default: the AWS SDK’s)'))
    .option('--json', 'print JSON for scripts instead of text (always complete)', false)
    .option('--wide', 'no 100-column limit on tables, full timestamps', false)
    .option('--debug', 'print stack traces of errors', false)
    .addHelpText(
      'after',
      '\nExit codes: 0 all done, 1 some work failed, 2 usage error (nothing sent), 3 nothing to talk to, 4 not found.',
    )
    // Commander's own errors go through the one-line formatter of main(), like every other error.
    .configureOutput({ outputError: () => {} })
    .exitOverride();
  addBackfillAndSend(program);
  addDeadLetters(program);
  addReading(program);
  registerConsole(program, () => program.opts<GlobalOptions>());
  return program;
}

/** Codes of commander's errors that are not errors: help or version was asked for. */
const COMMANDER_INFO = new Set(['commander.helpDisplayed', 'commander.version']);

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (COMMANDER_INFO.has(error.code)) return EXIT.ok;
      // `horton` alone has printed its help (to stderr): a usage error without a message of its own.
      if (error.code !== 'commander.help')
        process.stderr.write(`horton: ${oneLine(error.message)} (see --help)\n`);
      return EXIT.usage;
    }
    return reportError(error, argv.includes('--debug'));
  }
}

// Handler-free clients may keep sockets open: exit explicitly once the command is done.
process.exit(await main(process.argv.slice(2)));
