/**
 * README's `horton` samples, produced from a real run rather than typed: `npm run readme-samples` runs each
 * sample command against the serving local pipeline (`npm start -- --serve` in another terminal, same
 * HORTON_STATE_DIR) and rewrites the block between the markers in README.md. test/integration/cli.test.ts
 * checks that the block holds exactly these commands and that each output has the shape the CLI prints now.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const README = path.join(ROOT, 'README.md');
const CLI = path.join(ROOT, 'cli', 'horton.mjs');
export const START_MARKER =
  '<!-- readme-samples: written by `npm run readme-samples` from a real run; do not edit -->';
export const END_MARKER = '<!-- /readme-samples -->';

/** The sample commands, in order (a dead letter first, so that list, redrive and its loop guard show). */
export const SAMPLES: string[][] = [
  ['backfill', '--symbols', 'IBM', '--datasets', 'history,quote'],
  ['backfill', '--symbols', 'INVALID', '--datasets', 'quote'],
  ['dead-letters', 'list'],
  ['dead-letters', 'redrive', '--reason', 'no-data', '--wait'],
  ['dead-letters', 'redrive', '--reason', 'no-data'],
  ['symbols'],
  ['show', 'IBM', '--days', '20', '--years', '3'],
  ['status'],
];

export interface SampleRun {
  args: string[];
  code: number;
  output: string;
}

export function runHorton(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<SampleRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env, timeout: 300_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ args, code, output: `${stdout}${stderr ? `${stderr}` : ''}`.trimEnd() });
    });
  });
}

export function renderBlock(runs: SampleRun[]): string {
  const body = runs
    .map(
      (run) =>
        `$ npx horton ${run.args.join(' ')}${run.code ? `        # exit ${run.code}` : ''}\n${run.output}`,
    )
    .join('\n\n');
  return `${START_MARKER}\n\`\`\`text\n${body}\n\`\`\`\n${END_MARKER}`;
}

/** The samples in README: command line, exit code and output of each. */
export function readmeSamples(readme: string = readFileSync(README, 'utf8')): SampleRun[] {
  const start = readme.indexOf(START_MARKER);
  const end = readme.indexOf(END_MARKER);
  if (start < 0 || end < start) return [];
  const body = readme
    .slice(start + START_MARKER.length, end)
    .replace(/^\s*```text\n/, '')
    .replace(/```\s*$/, '');
  return body
    .split(/^\$ npx horton /m)
    .filter((part) => part.trim() !== '')
    .map((part) => {
      const [first = '', ...rest] = part.split('\n');
      const code = Number(/# exit (\d+)$/.exec(first)?.[1] ?? 0);
      const args = first.replace(/\s+# exit \d+$/, '').split(' ');
      return { args, code, output: rest.join('\n').trimEnd() };
    });
}

/**
 * What must not change between the README's run and any other: the table headers and the text lines with
 * values (ids, times, numbers, names of the deployment) blanked; chart lines and table data rows left out.
 */
export function shape(output: string, prefix = 'horton'): string[] {
  const lines = output.split('\n');
  return lines.flatMap((line, index) => {
    if (/[┤┼╭╮╰╯]/.test(line) || /^[┌├└]/.test(line)) return [];
    if (line.startsWith('│') && !lines[index - 1]?.startsWith('┌')) return [];
    const normal = line
      .replaceAll(prefix, 'horton')
      // The state dir is the machine's own path (HORTON_STATE_DIR or .horton/local).
      .replace(/state dir [^\s),]+/g, 'state dir <dir>')
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>')
      .replace(/\d{4}-\d{2}-\d{2}T[\d:.]+Z/g, '<time>')
      .replace(/\d{4}-\d{2}-\d{2}/g, '<date>')
      .replace(/\d+(\.\d+)?/g, '#')
      .replace(/\s+/g, ' ')
      .trim();
    return normal === '' ? [] : [normal];
  });
}

async function main(): Promise<void> {
  const runs: SampleRun[] = [];
  for (const args of SAMPLES) {
    const run = await runHorton(args);
    if (run.code === 3) throw new Error(`${run.output}\n(start \`npm start -- --serve\` first)`);
    runs.push(run);
    process.stdout.write(`$ npx horton ${args.join(' ')}  (exit ${run.code})\n`);
  }
  const readme = readFileSync(README, 'utf8');
  const start = readme.indexOf(START_MARKER);
  const end = readme.indexOf(END_MARKER);
  if (start < 0 || end < start) throw new Error(`README.md has no ${START_MARKER} ... ${END_MARKER} block`);
  writeFileSync(
    README,
    `${readme.slice(0, start)}${renderBlock(runs)}${readme.slice(end + END_MARKER.length)}`,
  );
  process.stdout.write('README.md samples rewritten.\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
