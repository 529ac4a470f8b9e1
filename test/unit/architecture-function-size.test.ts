/**
 * No product function (declaration, method, constructor, arrow or function expression) runs over 100 lines, and
 * one over 60 lines carries its reason next to it, a line comment `// long because: <reason>` right above it (or
 * above its TSDoc) or at the top of its body: a longer one is split into named helpers with one job each (issue
 * 17). Measured on the body, braces included.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');
const PRODUCT_FOLDERS = ['model', 'functions', 'lib', 'cli', 'localstack', 'bin'];
const MAX_LINES = 100;
const REASON_LINES = 60;
const REASON_MARKER = /^\/\/ long because: \S/;

interface FunctionSize {
  where: string;
  /** File and function name, without the line. */
  name: string;
  lines: number;
  /** A `// long because:` comment stands next to it. */
  reasoned: boolean;
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

/** The node whose leading comments are the function's: the declaration, or the statement holding an arrow. */
function commentAnchor(node: ts.Node): ts.Node {
  let anchor = node;
  while (
    ts.isVariableDeclaration(anchor.parent) ||
    ts.isVariableDeclarationList(anchor.parent) ||
    ts.isVariableStatement(anchor.parent) ||
    ts.isPropertyAssignment(anchor.parent) ||
    ts.isPropertyDeclaration(anchor.parent)
  ) {
    anchor = anchor.parent;
  }
  return anchor;
}

/** A `// long because:` line comment above the function (its TSDoc may stand between) or atop its body. */
function hasReason(source: string, declaration: ts.FunctionLikeDeclaration & { body: ts.Node }): boolean {
  const { body } = declaration;
  const first = ts.isBlock(body) ? body.statements[0] : undefined;
  const positions = [commentAnchor(declaration).getFullStart(), ...(first ? [first.getFullStart()] : [])];
  return positions.some((position) =>
    (ts.getLeadingCommentRanges(source, position) ?? []).some((range) =>
      REASON_MARKER.test(source.slice(range.pos, range.end)),
    ),
  );
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
        name: `${file} ${nameOf(declaration)}`,
        lines: line(declaration.body.getEnd()) - start + 1,
        reasoned: hasReason(source, declaration),
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

  it(`has no product function over ${REASON_LINES} lines without a reason next to it`, () => {
    const unexplained = sizes
      .filter((size) => size.lines > REASON_LINES && !size.reasoned)
      .map((s) => `${s.where} (${s.lines} lines)`);
    expect(unexplained).toEqual([]);
  });

  it('counts a function body from its opening to its closing brace', () => {
    const source = ['function f() {', ...Array.from({ length: 101 }, () => '  g();'), '}'].join('\n');
    expect(functionSizes('x.ts', source)).toEqual([
      { where: 'x.ts:1 f', name: 'x.ts f', lines: 103, reasoned: false },
    ]);
    const arrow = ['const h = () => {', '  g();', '};'].join('\n');
    expect(functionSizes('y.ts', arrow)).toEqual([
      { where: 'y.ts:1 h', name: 'y.ts h', lines: 3, reasoned: false },
    ]);
  });

  it('finds the reason above the function, above its TSDoc, above an arrow, or atop the body', () => {
    const body = ['  g();', '}'];
    const reasoned = (lines: string[]) =>
      functionSizes('z.ts', lines.join('\n')).map((size) => size.reasoned);
    expect(reasoned(['// long because: a table', 'function f() {', ...body])).toEqual([true]);
    expect(reasoned(['// long because: a table', '/** Does f. */', 'function f() {', ...body])).toEqual([
      true,
    ]);
    expect(reasoned(['// long because: a table', 'export const f = () => {', ...body])).toEqual([true]);
    expect(reasoned(['function f() {', '  // long because: a table', ...body])).toEqual([true]);
    expect(reasoned(['class C {', '  // long because: props', '  constructor() {', ...body, '}'])).toEqual([
      true,
    ]);
    expect(reasoned(['// because it is long', 'function f() {', ...body])).toEqual([false]);
    expect(reasoned(['// long because:', 'function f() {', ...body])).toEqual([false]);
  });
});
