/**
 * `horton console`: serves the web console on one port of this machine (127.0.0.1 unless --host says
 * otherwise) until Ctrl-C. It reads through the CLI's Target, so it shows the local pipeline or a deployed
 * stack (--stack/--region) exactly as the other commands see them. See docs/decisions/0080-web-console.md.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ConfigError, resolveConfig } from '../../model/config.ts';
import { UsageError } from '../errors.ts';
import type { TargetOptions } from '../target.ts';
import { createContext } from './context.ts';
import { startConsoleServer } from './server.ts';

interface ConsoleOptions {
  port: number;
  host: string;
  open: boolean;
  config?: string;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

function loadConfig(file: string | undefined) {
  if (!file) return resolveConfig({});
  try {
    return resolveConfig(JSON.parse(readFileSync(file, 'utf8')));
  } catch (error) {
    const why = error instanceof ConfigError || error instanceof Error ? error.message : String(error);
    throw new UsageError(`--config ${file}: ${why.split('\n')[0]}`);
  }
}

function openBrowser(url: string): void {
  const opener =
    process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(opener, [url], { stdio: 'ignore' });
  child.on('error', () =>
    process.stderr.write(`horton console: could not run ${opener}; open ${url} yourself\n`),
  );
}

/** Runs the console until SIGINT/SIGTERM. */
export async function runConsole(target: TargetOptions, options: ConsoleOptions): Promise<void> {
  const config = loadConfig(options.config);
  const context = createContext(target, config, options.config ?? 'the default configuration');
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const server = await startConsoleServer(context, { host: options.host, port: options.port, log });
  if (!LOOPBACK.has(options.host)) {
    log(
      `horton console: WARNING: listening on ${options.host}, not only this machine: anyone who reaches this ` +
        'address can read the data and redrive dead letters or start backfills with your credentials',
    );
  }
  process.stdout.write(
    `Horton console at ${server.url} (front end ${Math.round(server.bundleBytes / 1024)} KiB); Ctrl-C stops it\n`,
  );
  if (options.open) openBrowser(server.url);
  await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
  await server.close();
  context.reset();
}

export function registerConsole(program: Command, globals: () => TargetOptions): void {
  program
    .command('console')
    .description('serve the web console (pipeline, budget, securities, dead letters) on this machine')
    .option(
      '--port <n>',
      'port to listen on (0: any free port)',
      (value) => {
        const port = Number(value);
        if (!Number.isInteger(port) || port < 0 || port > 65_535)
          throw new UsageError(`--port: "${value}" is not a port number`);
        return port;
      },
      8479,
    )
    .option(
      '--host <address>',
      'address to bind; anything but 127.0.0.1/::1/localhost exposes the console',
      '127.0.0.1',
    )
    .option('--open', 'open the console in the default browser', false)
    .option(
      '--config <file>',
      'configuration overrides the plan and freshness use (as `npm run plan --config`)',
    )
    .action((options: ConsoleOptions) => runConsole(globals(), options));
}
