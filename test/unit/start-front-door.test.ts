/**
 * `npm start` and `cdk synth` refuse bad input before anything starts: one line on stderr naming the flag, file or
 * setting, exit code 2, no stack trace (unless --debug), and no process or state left behind. Runs the real entry
 * points as child processes, with a private state dir and ports nobody uses, so a regression cannot touch a stack.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsxCli = path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const work = mkdtempSync(path.join(os.tmpdir(), 'horton-front-door-'));
const stateDir = path.join(work, 'state');
const file = (name: string, text: string) => {
  const full = path.join(work, name);
  writeFileSync(full, text);
  return full;
};
const unknownKeys = file(
  'unknown.json',
  JSON.stringify({ quote: { rollingWindow: 5 }, universe: { symbols: ['IBM'] } }),
);
const invalidSetting = file('invalid.json', JSON.stringify({ quotes: { rollingWindow: 0 } }));
const notJson = file('broken.json', '{ "universe": ');
const missing = path.join(work, 'missing.json');

afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Outcome {
  exitCode: number;
  stderr: string;
}

async function run(script: string, args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  return promisify(execFile)(process.execPath, [tsxCli, script, ...args], {
    cwd: root,
    env: {
      ...process.env,
      HORTON_STATE_DIR: stateDir,
      // Ports in the privileged range: nothing of ours can bind them, so a regression fails instead of starting.
      HORTON_KAFKA_PORT: '901',
      HORTON_KAFKA_CONTROLLER_PORT: '902',
      HORTON_AWS_PORT: '903',
      HORTON_SIMULATOR_PORT: '904',
      ...env,
    },
    timeout: 120_000,
  }).then(
    ({ stderr }) => ({ exitCode: 0, stderr }),
    (error: { code: number; stderr: string }) => ({ exitCode: error.code, stderr: error.stderr }),
  );
}

// As package.json runs them: `npm start` is the front door's `start`, `npm run local` the front door itself.
const start = (args: string[], env?: Record<string, string>) =>
  run('localstack/main.ts', ['start', ...args], env);

describe('npm start with bad input', () => {
  it.each([
    ['an unknown flag', ['--bogus-flag'], {}, /^npm start: unknown flag --bogus-flag/],
    [
      'a non-numeric --time-compression',
      ['--time-compression', 'abc'],
      {},
      /--time-compression abc: expected a positive number/,
    ],
    ['a missing --config file', ['--config', missing], {}, /--config \S*missing\.json: no such file/],
    [
      'a --config file that is not JSON',
      ['--config', notJson],
      {},
      /--config \S*broken\.json: not valid JSON/,
    ],
    [
      'unknown settings',
      ['--config', unknownKeys],
      {},
      /--config \S*unknown\.json: (?=.*\bquote: unknown setting)(?=.*universe\.symbols: unknown setting)/,
    ],
    [
      'an invalid setting',
      ['--config', invalidSetting],
      {},
      /--config \S*invalid\.json: quotes\.rollingWindow: /,
    ],
    ['HORTON_SIMULATOR=0', [], { HORTON_SIMULATOR: '0' }, /^npm start: HORTON_SIMULATOR=0: /],
    [
      'an invalid HORTON_* port',
      [],
      { HORTON_AWS_PORT: 'x' },
      /^npm start: HORTON_AWS_PORT=x is not a TCP port/,
    ],
  ])(
    'rejects %s in one line, exit code 2, starting nothing',
    async (_what, args, env, expected) => {
      // Act
      const outcome = await start(args, env);

      // Assess
      expect(outcome.exitCode).toBe(2);
      const lines = outcome.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(expected);
      expect(outcome.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(path.join(stateDir, 'pids'))).toBe(false);
    },
    120_000,
  );

  it('adds the stack trace with --debug', async () => {
    // Act
    const outcome = await start(['--config', missing, '--debug']);

    // Assess
    expect(outcome.exitCode).toBe(2);
    expect(outcome.stderr).toMatch(/no such file\n\s+at /);
  }, 120_000);
});

describe('cdk synth with a bad configuration', () => {
  it('names the file and the setting in one line, exit code 2', async () => {
    // Act: the CDK app as `cdk synth -c config=...` runs it (context through CDK_CONTEXT_JSON)
    const outcome = await run('bin/horton.ts', [], {
      CDK_CONTEXT_JSON: JSON.stringify({ config: unknownKeys }),
      CDK_OUTDIR: path.join(work, 'cdk.out'),
    });

    // Assess
    expect(outcome.exitCode).toBe(2);
    expect(outcome.stderr.trim()).toMatch(
      /^horton: configuration file \S*unknown\.json: .*quote: unknown setting/,
    );
    expect(outcome.stderr.trim().split('\n')).toHaveLength(1);
  }, 120_000);
});

describe('npm run local with bad input', () => {
  it.each([
    ['an unknown flag', ['up', '--bogus-flag'], {}, /^npm run local: unknown flag --bogus-flag/],
    ['an unknown command', ['bogus'], {}, /^npm run local: unknown command 'bogus'/],
    [
      'an invalid HORTON_* port',
      ['up'],
      { HORTON_KAFKA_PORT: '0' },
      /^npm run local: HORTON_KAFKA_PORT=0 is not a TCP port/,
    ],
  ])(
    'rejects %s in one line, exit code 2, starting nothing',
    async (_what, args, env, expected) => {
      // Act
      const outcome = await run('localstack/main.ts', args, env);

      // Assess
      expect(outcome.exitCode).toBe(2);
      expect(outcome.stderr.trim().split('\n')).toHaveLength(1);
      expect(outcome.stderr.trim()).toMatch(expected);
      expect(existsSync(path.join(stateDir, 'pids'))).toBe(false);
    },
    120_000,
  );
});
