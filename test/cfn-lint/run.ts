/**
 * cfn-lint on the synthesized templates of every deployment shape: the default stack (new VPC, MSK provisioned
 * cluster, provisioned pollers), the low-cost variant (config/low-cost.json: on-demand pollers, no flow log), MSK
 * Serverless (config/serverless.json, with an AWS Budgets budget and an e-mail subscription), and an existing
 * provisioned cluster in an existing VPC. Errors fail the run (exit 1); warnings are listed.
 *
 *   npm run cfn-lint [-- --keep <dir>]    (--keep writes the templates there and leaves them)
 *
 * cfn-lint runs from a pinned, project-owned venv (test/cfn-lint/requirements.txt) under the cache folder
 * (HORTON_CACHE_DIR, default .horton/cache), built on first use.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { parseHortonContext } from '../../lib/context.ts';
import { PROJECT_ROOT } from '../../lib/horton-stack.ts';
import { ensurePinnedVenv } from '../../localstack/stack/emulator-venv.ts';
import { synthHorton } from '../unit/cdk-helpers.ts';

const execFileAsync = promisify(execFile);

const EXISTING = {
  clusterArn:
    'arn:aws:kafka:eu-west-1:123456789012:cluster/prod-kafka/0a1b2c3d-aaaa-bbbb-cccc-1234567890ab-7',
  clusterType: 'provisioned',
  clusterSecurityGroupId: 'sg-0123456789abcdef0',
  vpcId: 'vpc-0123456789abcdef0',
  vpcAzs: 'eu-west-1a,eu-west-1b',
  privateSubnetIds: 'subnet-aaaa1111,subnet-bbbb2222',
};

/** Template JSON of the stack as bin/horton.ts builds it from these context values. */
function template(context: Record<string, string>): unknown {
  const parsed = parseHortonContext(
    (key) => context[key],
    (file) => readFileSync(path.resolve(PROJECT_ROOT, file), 'utf8'),
  );
  return synthHorton({
    config: parsed.config,
    props: {
      ...(parsed.vpc ? { vpc: parsed.vpc } : {}),
      ...(parsed.cluster ? { cluster: parsed.cluster } : {}),
      deleteTopicsOnRemove: parsed.deleteTopicsOnRemove,
      ...(parsed.alarmEmail ? { alarmEmail: parsed.alarmEmail } : {}),
      ...(parsed.monthlyBudgetUsd !== undefined ? { monthlyBudgetUsd: parsed.monthlyBudgetUsd } : {}),
    },
  }).template.toJSON();
}

const VARIANTS: Record<string, Record<string, string>> = {
  default: {},
  'low-cost': { config: 'config/low-cost.json' },
  serverless: { config: 'config/serverless.json', monthlyBudgetUsd: '150', alarmEmail: 'ops@example.com' },
  imported: EXISTING,
};

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { keep: { type: 'string' } } });
  const cacheDir = path.resolve(PROJECT_ROOT, process.env.HORTON_CACHE_DIR ?? '.horton/cache');
  const { python } = await ensurePinnedVenv({
    requirementsFile: path.join(PROJECT_ROOT, 'test', 'cfn-lint', 'requirements.txt'),
    venvDir: path.join(cacheDir, 'cfn-lint-venv'),
    basePython: process.env.HORTON_PYTHON ?? 'python3',
    announce: () => console.log('cfn-lint: creating its venv (pinned requirements); done once, 10-60 s'),
  });
  const dir = values.keep ? path.resolve(values.keep) : mkdtempSync(path.join(tmpdir(), 'horton-cfn-lint-'));
  mkdirSync(dir, { recursive: true });
  let errors = 0;
  try {
    for (const [name, context] of Object.entries(VARIANTS)) {
      const file = path.join(dir, `${name}.template.json`);
      writeFileSync(file, JSON.stringify(template(context), null, 1));
      const findings = await lint(python, file);
      const own = findings.filter((line) => /:E\d+:/.test(line) || /:\[?E\d+/.test(line));
      errors += own.length;
      console.log(`cfn-lint ${name}: ${own.length} errors, ${findings.length - own.length} warnings/info`);
      for (const line of findings) console.log(`  ${line.replace(`${dir}${path.sep}`, '')}`);
    }
  } finally {
    if (!values.keep) rmSync(dir, { recursive: true, force: true });
  }
  return errors === 0 ? 0 : 1;
}

/** cfn-lint's findings in its parseable format (file:line:col:line:col:rule:message), one per line. */
async function lint(python: string, file: string): Promise<string[]> {
  try {
    // cfn-lint's console entry point (cfnlint.runner:main), run by the venv's Python.
    const entry = 'import sys; from cfnlint.runner import main; sys.exit(main())';
    await execFileAsync(python, ['-c', entry, '--format', 'parseable', '--', file], {
      maxBuffer: 16 * 1024 * 1024,
    });
    return [];
  } catch (error) {
    // cfn-lint exits non-zero when it finds anything; its findings are on stdout.
    const failure = error as Error & { stdout?: string; stderr?: string; code?: number };
    const lines = (failure.stdout ?? '').split('\n').filter((line) => line.trim() !== '');
    if (lines.length === 0) throw new Error(`cfn-lint failed: ${failure.stderr ?? failure.message}`);
    return lines;
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`cfn-lint: ${error.message}`);
    process.exit(2);
  },
);
