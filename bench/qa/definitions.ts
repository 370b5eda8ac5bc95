// Documented definitions of a repository: every function, method and class with a docstring
// (Python, parsed by Python's own `ast` in bench/qa/pydefs.py) or a JSDoc comment right before it
// (JavaScript/TypeScript, parsed by the TypeScript compiler the project already depends on), and
// the whole-line ranges of every docstring/JSDoc, so that the evaluation copy can drop them.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as TS from 'typescript';

export interface Definition {
  /** Repository-relative path, forward slashes. */
  readonly path: string;
  readonly kind: 'function' | 'class';
  readonly name: string;
  /** 1-based lines of the definition in the original file: the `def`/`class`/`function` line … */
  readonly line: number;
  /** … to its end; for a class, up to the line before its first nested definition (its own part). */
  readonly endLine: number;
  /** The documentation text, cleaned of comment markers and indentation. */
  readonly doc: string;
}

export interface FileDefinitions {
  readonly defs: Definition[];
  /** 1-based inclusive line ranges of documentation that can be removed as whole lines. */
  readonly docRanges: [number, number][];
}

/** Debian's Python (the one with a known `ast`); PYTHON overrides it. */
export const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';

interface PyDef {
  kind: 'function' | 'class';
  name: string;
  line: number;
  endLine: number;
  ownEndLine: number;
  docStart: number;
  docEnd: number;
  inline: boolean;
  doc: string;
}

/**
 * Python files, all in one run of `pydefs.py`. `files` are absolute paths; `rel` maps each to its
 * repository-relative path. Documentation that shares a line with code is neither removed nor
 * asked about (its words would stay beside the definition).
 */
export function pythonDefinitions(repoRoot: string, files: readonly { abs: string; rel: string }[]): Map<string, FileDefinitions> {
  const out = new Map<string, FileDefinitions>();
  if (files.length === 0) return out;
  const script = join(repoRoot, 'bench', 'qa', 'pydefs.py');
  const run = spawnSync(PYTHON, [script, ...files.map((f) => f.abs)], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (run.status !== 0) throw new Error(`${PYTHON} ${script} failed (${run.status}): ${run.stderr || run.error?.message}. Set PYTHON to a Python ≥ 3.8.`);
  const parsed = JSON.parse(run.stdout) as { files: Record<string, { defs: PyDef[]; docstrings: [number, number][] }> };
  for (const f of files) {
    const r = parsed.files[f.abs];
    if (!r) continue;
    const defs = r.defs
      .filter((d) => !d.inline)
      .map((d): Definition => ({ path: f.rel, kind: d.kind, name: d.name, line: d.line, endLine: d.kind === 'class' ? d.ownEndLine : d.endLine, doc: d.doc }));
    out.set(f.rel, { defs, docRanges: r.docstrings });
  }
  return out;
}

// The TypeScript compiler is loaded at run time rather than bundled: it is 9 MB of JavaScript
// that only this module needs, and it is already in the project's devDependencies.
let tsModule: typeof TS | undefined;
function typescript(): typeof TS {
  tsModule ??= createRequire(__filename)('typescript') as typeof TS;
  return tsModule;
}

/** Whether only whitespace lies before `start` on its line and after `end` on its line. */
function wholeLines(text: string, start: number, end: number): boolean {
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  let lineEnd = text.indexOf('\n', end);
  if (lineEnd < 0) lineEnd = text.length;
  return text.slice(lineStart, start).trim() === '' && text.slice(end, lineEnd).trim() === '';
}

/** The cleaned text of a JSDoc block: markers and leading `*` gone, `{@link X}` → X, tags dropped. */
export function jsdocText(comment: string): string {
  const body = comment.replace(/^\/\*\*/, '').replace(/\*\/$/, '');
  const lines: string[] = [];
  for (const raw of body.split('\n')) {
    const line = raw.replace(/^\s*\*? ?/, '');
    if (/^\s*@/.test(line)) break;
    lines.push(line);
  }
  return lines.join('\n').replace(/\{@(?:link|linkcode|linkplain)\s+([^}|\s]+)(?:[ |][^}]*)?\}/g, '$1').trim();
}

function isFunctionLike(ts: typeof TS, node: TS.Node | undefined): boolean {
  return node !== undefined && (ts.isFunctionExpression(node) || ts.isArrowFunction(node) || ts.isClassExpression(node));
}

/**
 * JavaScript/TypeScript definitions with a body (declaration files give none) and a JSDoc block
 * right before them, and every JSDoc block of the file that stands on lines of its own.
 */
export function scriptDefinitions(rel: string, text: string): FileDefinitions {
  const ts = typescript();
  const kind = rel.endsWith('.ts') || rel.endsWith('.mts') || rel.endsWith('.cts') ? ts.ScriptKind.TS : ts.ScriptKind.JS;
  const source = ts.createSourceFile(rel, text, ts.ScriptTarget.Latest, true, kind);
  const lineOf = (pos: number): number => source.getLineAndCharacterOfPosition(pos).line + 1;
  const docRanges: [number, number][] = [];
  const seen = new Set<number>();
  const defs: Definition[] = [];

  // Every JSDoc block the parser attaches to a node (declaration files too), when it stands on
  // lines of its own. The parser rather than a token scan: template literals and regular
  // expressions would fool a scanner that has no parse context.
  const visit = (node: TS.Node): void => {
    for (const doc of (node as { jsDoc?: TS.JSDoc[] }).jsDoc ?? []) {
      const start = doc.getStart(source);
      if (!seen.has(start) && wholeLines(text, start, doc.getEnd())) {
        docRanges.push([lineOf(start), lineOf(doc.getEnd())]);
        seen.add(start);
      }
    }
    let name: string | undefined;
    let defKind: Definition['kind'] = 'function';
    let body: TS.Node | undefined;
    if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isGetAccessor(node) || ts.isSetAccessor(node)) && node.body) {
      name = node.name?.getText(source) ?? 'default';
      body = node.body;
    } else if (ts.isConstructorDeclaration(node) && node.body) {
      name = 'constructor';
      body = node.body;
    } else if (ts.isClassDeclaration(node)) {
      name = node.name?.getText(source) ?? 'default';
      defKind = 'class';
      body = node;
    } else if (ts.isVariableStatement(node) && node.declarationList.declarations.length === 1) {
      const d = node.declarationList.declarations[0]!;
      if (isFunctionLike(ts, d.initializer)) {
        name = d.name.getText(source);
        defKind = ts.isClassExpression(d.initializer!) ? 'class' : 'function';
        body = d.initializer;
      }
    } else if (ts.isExpressionStatement(node) && ts.isBinaryExpression(node.expression) && node.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken && isFunctionLike(ts, node.expression.right)) {
      name = node.expression.left.getText(source);
      defKind = ts.isClassExpression(node.expression.right) ? 'class' : 'function';
      body = node.expression.right;
    } else if (ts.isPropertyAssignment(node) && isFunctionLike(ts, node.initializer)) {
      name = node.name.getText(source);
      body = node.initializer;
    }
    const docs = (node as { jsDoc?: TS.JSDoc[] }).jsDoc;
    if (name !== undefined && body !== undefined && docs && docs.length > 0) {
      const doc = docs[docs.length - 1]!;
      const start = doc.getStart(source);
      if (seen.has(start)) {
        const line = lineOf(node.getStart(source, false));
        let endLine = lineOf(node.getEnd());
        if (defKind === 'class' && (ts.isClassDeclaration(node) || ts.isClassExpression(body))) {
          const cls = ts.isClassDeclaration(node) ? node : (body as TS.ClassExpression);
          const firstMember = cls.members.find((m) => !ts.isPropertyDeclaration(m) && !ts.isSemicolonClassElement(m));
          if (firstMember) endLine = Math.max(line, lineOf(firstMember.getFullStart() + firstMember.getLeadingTriviaWidth(source)) - 1);
          // JSDoc of the first member sits above it: the class's own part ends before that too.
          const memberDocs = firstMember && (firstMember as { jsDoc?: TS.JSDoc[] }).jsDoc;
          if (memberDocs?.length) endLine = Math.max(line, lineOf(memberDocs[0]!.getStart(source)) - 1);
        }
        defs.push({ path: rel, kind: defKind, name, line, endLine, doc: jsdocText(text.slice(start, doc.getEnd())) });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { defs, docRanges };
}
