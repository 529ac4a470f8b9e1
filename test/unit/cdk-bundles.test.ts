/**
 * The real bundles: esbuild runs for every function (locally, no Docker), and the test reads the synthesized
 * cloud assembly to check that each bundle stays under its size budget, loads as an ES module on Node, and gets
 * every environment variable its sources read.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { deflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../lib/horton-stack.ts';
import { ENV } from '../../model/config.ts';
import { evaluate, synthHorton } from './cdk-helpers.ts';

/** Budget of one bundle's code (index.mjs), minified, AWS SDK included. */
const CODE_BUDGET_BYTES = 2.5 * 1024 * 1024;
/** Budget of one deployment package (code + source map), deflated as in the zip Lambda receives. */
const PACKAGE_BUDGET_BYTES = 1.5 * 1024 * 1024;

interface Bundle {
  functionName: string;
  directory: string;
  environment: Record<string, string>;
  codeBytes: number;
  packageBytes: number;
}

let outdir: string;
const bundles: Bundle[] = [];
let synthSeconds = 0;

beforeAll(() => {
  // Prepare + Act: one real synthesis with bundling into a private assembly directory.
  outdir = mkdtempSync(path.join(os.tmpdir(), 'horton-cdk-bundles-'));
  const started = performance.now();
  const { app, template } = synthHorton({ bundle: true, outdir });
  app.synth();
  synthSeconds = (performance.now() - started) / 1000;
  for (const resource of Object.values(template.findResources('AWS::Lambda::Function'))) {
    const { Properties, Metadata } = resource as {
      Properties: { FunctionName?: string; Environment?: { Variables: Record<string, unknown> } };
      Metadata: Record<string, unknown>;
    };
    if (!Properties.FunctionName) continue; // the CDK Provider framework's own function
    const directory = path.join(outdir, String(Metadata['aws:asset:path']));
    const code = readFileSync(path.join(directory, 'index.mjs'));
    const map = readFileSync(path.join(directory, 'index.mjs.map'));
    const environment = Object.fromEntries(
      Object.entries(Properties.Environment?.Variables ?? {}).map(([key, value]) => {
        const evaluated = evaluate(value);
        return [key, typeof evaluated === 'string' ? evaluated : 'b-1.example.invalid:9098'];
      }),
    );
    bundles.push({
      functionName: Properties.FunctionName,
      directory,
      environment,
      codeBytes: code.length,
      packageBytes: deflateRawSync(code).length + deflateRawSync(map).length,
    });
  }
  console.info(
    `bundled ${bundles.length} functions in ${synthSeconds.toFixed(1)} s\n${bundles
      .map(
        (b) =>
          `  ${b.functionName.padEnd(20)} code ${(b.codeBytes / 1024).toFixed(0).padStart(5)} KiB, package ${(
            b.packageBytes / 1024
          )
            .toFixed(0)
            .padStart(5)} KiB deflated`,
      )
      .join('\n')}`,
  );
}, 900_000);

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

/** Environment variable names a source file reads through ENV or process.env. */
function variablesRead(source: string): string[] {
  const names = new Set<string>();
  for (const match of source.matchAll(/\bENV\.(topics|tables)\.(\w+)/g)) {
    const group = ENV[match[1] as 'topics' | 'tables'] as Record<string, string>;
    const name = group[match[2] as string];
    if (name) names.add(name);
  }
  for (const match of source.matchAll(/\bENV\.(\w+)\b(?!\.)/g)) {
    const value = (ENV as unknown as Record<string, unknown>)[match[1] as string];
    if (typeof value === 'string') names.add(value);
  }
  for (const match of source.matchAll(/process\.env\.([A-Z][A-Z0-9_]*)/g)) names.add(match[1] as string);
  return [...names];
}

/** Set by the Lambda runtime, or only used locally (the API key itself never goes into a function). */
const NOT_OURS = new Set(['AWS_REGION', ENV.alphaVantageApiKey]);
/**
 * Read by a bundled file in code the function never calls (the check works per file): the topics resource uses
 * producer.ts's kafkaConfig() with brokers from GetBootstrapBrokers, never connectionFromEnv().
 */
const UNUSED_BY: Record<string, string[]> = {
  'horton-kafka-topics': [ENV.kafkaBrokers, ENV.kafkaAuth],
};

describe('bundles', () => {
  it('bundles every function of the stack (the 7 handlers and the topics custom resource)', () => {
    expect(bundles.map((b) => b.functionName).sort()).toEqual(
      [
        'horton-backfill',
        'horton-dispatcher',
        'horton-history',
        'horton-indicators',
        'horton-kafka-topics',
        'horton-overview',
        'horton-quote',
        'horton-securities',
      ].sort(),
    );
  });

  it('keeps each bundle under the size budget', () => {
    for (const bundle of bundles) {
      expect(bundle.codeBytes, `${bundle.functionName} index.mjs`).toBeLessThan(CODE_BUDGET_BYTES);
      expect(bundle.packageBytes, `${bundle.functionName} package`).toBeLessThan(PACKAGE_BUDGET_BYTES);
    }
  });

  it('ships source maps without the sources and no other files', () => {
    for (const bundle of bundles) {
      const map = JSON.parse(readFileSync(path.join(bundle.directory, 'index.mjs.map'), 'utf8')) as {
        sourcesContent?: unknown;
      };
      expect(map.sourcesContent).toBeUndefined();
      expect(readFileSync(path.join(bundle.directory, 'index.mjs'), 'utf8')).toMatch(
        /\/\/# sourceMappingURL=index\.mjs\.map\s*$/,
      );
      expect(existsSync(path.join(bundle.directory, 'package.json'))).toBe(false);
    }
  });

  it.each([
    'horton-dispatcher',
    'horton-securities',
    'horton-overview',
    'horton-history',
    'horton-quote',
    'horton-indicators',
    'horton-backfill',
    'horton-kafka-topics',
  ])('%s loads as an ES module on Node and exports handler', (functionName) => {
    const bundle = bundles.find((b) => b.functionName === functionName);
    if (!bundle) throw new Error(`no bundle for ${functionName}`);
    const url = pathToFileURL(path.join(bundle.directory, 'index.mjs')).href;
    // A child process: the bundle's module scope runs as in Lambda's init phase, outside the test runner.
    const result = spawnSync(
      process.execPath,
      [
        '--enable-source-maps',
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(url)}); if (typeof m.handler !== 'function') { console.error('no handler export'); process.exit(3); }`,
      ],
      {
        env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1', ...bundle.environment },
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(result.stderr.replace(/^.*NodeVersionSupportWarning[\s\S]*?(\n\n|$)/m, ''), 'stderr').not.toMatch(
      /Error/,
    );
    expect(result.status).toBe(0);
  });

  it('gives every function each environment variable its bundled sources read', () => {
    const missing: string[] = [];
    for (const bundle of bundles) {
      const map = JSON.parse(readFileSync(path.join(bundle.directory, 'index.mjs.map'), 'utf8')) as {
        sources: string[];
      };
      const ownSources = map.sources
        .map((source) => path.resolve(bundle.directory, source))
        .filter((file) => !file.includes(`${path.sep}node_modules${path.sep}`))
        .map((file) => path.join(PROJECT_ROOT, path.relative(PROJECT_ROOT, file)))
        // model/config.ts defines the names (settingsEnvironment lists them all); it reads none.
        .filter((file) => !file.endsWith(path.join('model', 'config.ts')));
      expect(ownSources.length, `${bundle.functionName} has sources of its own`).toBeGreaterThan(0);
      for (const file of ownSources) {
        expect(statSync(file).isFile(), file).toBe(true);
        for (const variable of variablesRead(readFileSync(file, 'utf8'))) {
          if (NOT_OURS.has(variable) || UNUSED_BY[bundle.functionName]?.includes(variable)) continue;
          if (!(variable in bundle.environment)) {
            missing.push(`${bundle.functionName}: ${variable} (${path.relative(PROJECT_ROOT, file)})`);
          }
        }
      }
    }
    expect(missing).toEqual([]);
  });
});
