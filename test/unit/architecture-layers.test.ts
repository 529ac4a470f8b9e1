/**
 * The folder import rules of docs/decisions/0007-folder-layering.md, read from the source: every relative import
 * (static, `export … from`, dynamic `import()`) of the product folders must point where its folder may reach.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');

interface ImportSite {
  file: string;
  specifier: string;
  typeOnly: boolean;
  dynamic: boolean;
}

const STATIC_IMPORT = /^\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;
const DYNAMIC_IMPORT = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(file: string, source: string): ImportSite[] {
  const sites: ImportSite[] = [];
  for (const match of source.matchAll(STATIC_IMPORT)) {
    sites.push({ file, specifier: match[2] ?? '', typeOnly: match[1] !== undefined, dynamic: false });
  }
  for (const match of source.matchAll(DYNAMIC_IMPORT)) {
    sites.push({ file, specifier: match[1] ?? '', typeOnly: false, dynamic: true });
  }
  return sites;
}

/** Top folder a repository path lies in, with `localstack/simulator` as a folder of its own. */
function layerOf(repoPath: string): string {
  if (repoPath.startsWith('localstack/simulator/')) return 'localstack/simulator';
  return repoPath.split('/')[0] ?? '';
}

/** Packages model/ may use: the schema and cron libraries (pure knowledge, no I/O) and Node's own modules. */
const MODEL_PACKAGES = /^(zod|croner|node:.*)$/;

const MAY_IMPORT: Record<string, readonly string[]> = {
  model: ['model'],
  functions: ['functions', 'model'],
  lib: ['lib', 'model'],
  cli: ['cli', 'model'],
  'localstack/simulator': ['localstack/simulator'],
};

/** The one CLI module that reaches the local stack; the rest of cli/ loads it dynamically (or for types). */
const CLI_LOCAL_BRIDGE = 'cli/local-stack.ts';

/** Every rule the import breaks, as `file: specifier (why)`. */
function violations(site: ImportSite): string[] {
  const from = layerOf(site.file);
  const allowed = MAY_IMPORT[from];
  if (!allowed) return [];
  const where = `${site.file}: ${site.specifier}`;
  if (!site.specifier.startsWith('.')) {
    return from === 'model' && !MODEL_PACKAGES.test(site.specifier)
      ? [`${where} (model/ uses no package but zod and croner)`]
      : [];
  }
  const target = path.posix.normalize(path.posix.join(path.posix.dirname(site.file), site.specifier));
  const to = layerOf(target);
  if (from === 'cli' && to === 'localstack') {
    return site.file === CLI_LOCAL_BRIDGE
      ? []
      : [`${where} (cli/ reaches the local stack through ${CLI_LOCAL_BRIDGE})`];
  }
  if (from === 'cli' && target === CLI_LOCAL_BRIDGE && !site.dynamic && !site.typeOnly) {
    return [
      `${where} (load ${CLI_LOCAL_BRIDGE} with import() so the AWS target never loads the local stack)`,
    ];
  }
  return allowed.includes(to) ? [] : [`${where} (${from}/ may import ${allowed.join(', ')} only)`];
}

function sourceFiles(folder: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(path.join(root, folder))) {
    const repoPath = `${folder}/${entry}`;
    if (statSync(path.join(root, repoPath)).isDirectory()) files.push(...sourceFiles(repoPath));
    else if (/\.(ts|mts|mjs)$/.test(entry)) files.push(repoPath);
  }
  return files;
}

describe('folder layering', () => {
  const files = ['model', 'functions', 'lib', 'cli', 'localstack/simulator'].flatMap(sourceFiles);
  const sites = files.flatMap((file) => importsOf(file, readFileSync(path.join(root, file), 'utf8')));

  it('reads the imports of every product folder', () => {
    const layers = new Set(sites.map((site) => layerOf(site.file)));
    expect([...layers].sort()).toEqual(Object.keys(MAY_IMPORT).sort());
    expect(sites.length).toBeGreaterThan(300);
  });

  it('has every import point downwards', () => {
    expect(sites.flatMap(violations)).toEqual([]);
  });

  it('catches each kind of upward import', () => {
    const site = (file: string, specifier: string, extra: Partial<ImportSite> = {}): ImportSite => ({
      file,
      specifier,
      typeOnly: false,
      dynamic: false,
      ...extra,
    });
    expect(violations(site('model/plan.ts', '../functions/shared/domain/x.ts'))).toHaveLength(1);
    expect(violations(site('model/plan.ts', 'cli-table3'))).toHaveLength(1);
    expect(violations(site('functions/quote/collect.ts', '../../lib/x.ts'))).toHaveLength(1);
    expect(violations(site('cli/commands/send.ts', '../../functions/operations/collect.ts'))).toHaveLength(1);
    expect(violations(site('cli/target.ts', '../localstack/serve.ts'))).toHaveLength(1);
    expect(violations(site('cli/target.ts', './local-stack.ts'))).toHaveLength(1);
    expect(violations(site('cli/target.ts', './local-stack.ts', { dynamic: true }))).toEqual([]);
    expect(violations(site('localstack/simulator/server.ts', '../../model/config.ts'))).toHaveLength(1);
    expect(violations(site('model/plan.ts', './domain/freshness.ts'))).toEqual([]);
  });

  it('parses static, type-only, re-export and dynamic imports', () => {
    const source = [
      "import { a } from './a.ts';",
      "import type { B } from '../b.ts';",
      "export * from './c.ts';",
      "import './d.ts';",
      "const e = await import('./e.ts');",
    ].join('\n');
    expect(importsOf('x.ts', source).map((s) => [s.specifier, s.typeOnly, s.dynamic])).toEqual([
      ['./a.ts', false, false],
      ['../b.ts', true, false],
      ['./c.ts', false, false],
      ['./d.ts', false, false],
      ['./e.ts', false, true],
    ]);
  });
});
