/**
 * The real bundles: esbuild runs for every function (locally, no Docker), and the test reads the synthesized
 * cloud assembly to check that each bundle stays under its size budget (and leaves out what made it heavy), loads
 * as an ES module on Node with the settings the stack gives it, and reads the environment only through the
 * settings loader. Import times are figures of `npm run bench -- handlers`, not of a test.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { deflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../lib/horton-stack.ts';
import { evaluate, synthHorton } from './cdk-helpers.ts';

/** Budget of one bundle's code (index.mjs), minified, AWS SDK included. */
const CODE_BUDGET_BYTES = 1024 * 1024;
/** Budget of one deployment package (code + source map), deflated as in the zip Lambda receives. */
const PACKAGE_BUDGET_BYTES = 1024 * 1024;
/**
 * Packages that once filled the bundles, each with where it went: undici (Node's own fetch does the job), zod's
 * translated error messages (`import * as z`), the X-Ray SDK (only with config observability.tracing).
 */
const LEFT_OUT = [
  { what: 'undici', pattern: /node_modules\/undici\// },
  { what: "zod's locales", pattern: /node_modules\/zod\/.*\/locales\/(?!en\.)/ },
  { what: 'the X-Ray SDK', pattern: /node_modules\/(aws-xray-sdk-core|@aws-lambda-powertools\/tracer)\// },
];

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
}, 300_000);

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

/** The one file of functions/ that reads the process environment. */
const SETTINGS_LOADER = path.join('functions', 'shared', 'settings.ts');

/** A bundle's sources, from its source map. */
function sourcesOf(bundle: Bundle): string[] {
  const map = JSON.parse(readFileSync(path.join(bundle.directory, 'index.mjs.map'), 'utf8')) as {
    sources: string[];
  };
  return map.sources.map((source) => path.resolve(bundle.directory, source));
}

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

  it('keeps each bundle under the size budget (1 MB raw)', () => {
    for (const bundle of bundles) {
      expect(bundle.codeBytes, `${bundle.functionName} index.mjs`).toBeLessThanOrEqual(CODE_BUDGET_BYTES);
      expect(bundle.packageBytes, `${bundle.functionName} package`).toBeLessThanOrEqual(PACKAGE_BUDGET_BYTES);
    }
  });

  it('leaves out undici, zod translations and, with tracing off, the X-Ray tracer', () => {
    for (const bundle of bundles) {
      const sources = sourcesOf(bundle).map((file) => path.relative(PROJECT_ROOT, file));
      for (const { what, pattern } of LEFT_OUT) {
        expect(
          sources.filter((file) => pattern.test(file)),
          `${what} in ${bundle.functionName}`,
        ).toEqual([]);
      }
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

  it('reads the environment only through the settings loader', () => {
    const readers: string[] = [];
    for (const bundle of bundles) {
      const ownSources = sourcesOf(bundle).filter(
        (file) => !file.includes(`${path.sep}node_modules${path.sep}`),
      );
      expect(ownSources.length, `${bundle.functionName} has sources of its own`).toBeGreaterThan(0);
      for (const file of ownSources) {
        expect(statSync(file).isFile(), file).toBe(true);
        const relative = path.relative(PROJECT_ROOT, file);
        if (relative !== SETTINGS_LOADER && /process\.env/.test(readFileSync(file, 'utf8')))
          readers.push(relative);
      }
    }
    expect([...new Set(readers)]).toEqual([]);
  });
});
