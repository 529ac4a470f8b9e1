/**
 * No product function (declaration, method, constructor, arrow or function expression) runs over 100 lines: a
 * longer one is split into named helpers with one job each (issue 17). Measured on the body, braces included.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');
const PRODUCT_FOLDERS = ['model', 'functions', 'lib', 'cli', 'localstack', 'bin'];
const MAX_LINES = 100;

interface FunctionSize {
  where: string;
  lines: number;
}

function sourceFiles(folder: string): string[] {
  return readdirSync(path.join(root, folder)).flatMap((entry) => {
    const repoPath = `${folder}/${entry}`;
    if (statSync(path.join(root, repoPath)).isDirectory()) return sourceFiles(repoPath);
    return /\.ts$/.test(entry) && !entry.endsWith('.d.ts') ? [repoPath] : [];
  });
}

function nameOf(node: ts.FunctionLikeDeclaration): string {
  if (node.name) return node.name.getText();
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) return parent.name.getText();
  return '(anonymous)';
}

function functionSizes(file: string, source: string): FunctionSize[] {
  const sourceFile = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
  const line = (position: number) => sourceFile.getLineAndCharacterOfPosition(position).line;
  const sizes: FunctionSize[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const declaration = node as ts.FunctionLikeDeclaration & { body: ts.Node };
      const start = line(declaration.body.getStart());
      sizes.push({
        where: `${file}:${start + 1} ${nameOf(declaration)}`,
        lines: line(declaration.body.getEnd()) - start + 1,
      });
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return sizes;
}

describe('function size', () => {
  const sizes = PRODUCT_FOLDERS.flatMap(sourceFiles).flatMap((file) =>
    functionSizes(file, readFileSync(path.join(root, file), 'utf8')),
  );

  it('measures the functions of every product folder', () => {
    expect(sizes.length).toBeGreaterThan(1000);
  });

  it(`has no product function over ${MAX_LINES} lines`, () => {
    const tooLong = sizes
      .filter((size) => size.lines > MAX_LINES)
      .map((s) => `${s.where} (${s.lines} lines)`);
    expect(tooLong).toEqual([]);
  });

  it('counts a function body from its opening to its closing brace', () => {
    const source = ['function f() {', ...Array.from({ length: 101 }, () => '  g();'), '}'].join('\n');
    expect(functionSizes('x.ts', source)).toEqual([{ where: 'x.ts:1 f', lines: 103 }]);
    const arrow = ['const h = () => {', '  g();', '};'].join('\n');
    expect(functionSizes('y.ts', arrow)).toEqual([{ where: 'y.ts:1 h', lines: 3 }]);
  });
});
