// Code questions over a whole real repository (models/heldout.json): for every documented
// function, method and class, its docstring's first sentence ("docstring" questions) and a
// developer's rewording of it ("reworded" questions, bench/qa/templates.ts), asked of a copy of
// the repository from which every docstring and JSDoc block has been removed, so that the
// question's words are not sitting right beside the answer. The answer is the definition's file
// and line range in that copy; every segment and every definition unit (function, method,
// class: src/core/structure/units.ts) of the repository is a candidate.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { scanWorkspace } from '../../src/core/scanner';
import { pythonDefinitions, scriptDefinitions, type Definition, type FileDefinitions } from './definitions';
import { removeLines } from './edit';
import type { Place, Question, QuestionSet, Split } from './questions';
import { firstSentence } from './sentence';
import { reword } from './templates';
import { listFiles, syncFolder } from './workspace';

export interface CodeSource {
  readonly name: string;
  readonly language: 'python' | 'javascript';
  /** Absolute, or relative to the repository root (node_modules/…). */
  readonly root: string;
  /** Ids of the models whose training read this source before it was held out. */
  readonly readByTraining?: readonly string[];
  /**
   * An npm package spec ("async@3.2.6") that `npm pack` fetches from the registry into the folder
   * above `root` when `root` is missing: code no model's training read, since none of it sits in
   * the repository's node_modules.
   */
  readonly fetch?: string;
}

/** Fetches `spec` with `npm pack` and unpacks it into `dest` (the tarball's `package/` folder). */
function fetchPackage(spec: string, dest: string): void {
  mkdirSync(dest, { recursive: true });
  const tarball = execFileSync('npm', ['pack', spec, '--silent', '--pack-destination', dest], { encoding: 'utf8' }).trim().split('\n').pop()!;
  execFileSync('tar', ['-xzf', join(dest, tarball), '-C', dest]);
  rmSync(join(dest, tarball));
}

/**
 * A sentence shared by more definitions than this (overloads, generated copies) names none of
 * them; up to it, the copies are all answers (htmlparser2 ships the same code as .ts and .js).
 */
export const MAX_ANSWER_PLACES = 4;

const SKIPPED_FOLDERS = new Set(['node_modules', '__pycache__', '.git']);
// Source maps hold the original sources, docstrings included: they would hand the answer over.
const SKIPPED_FILES = /\.(pyc|pyo|so|map)$/;

function isPython(rel: string): boolean {
  return /\.pyi?$/.test(rel);
}

function isScript(rel: string): boolean {
  return /\.(js|mjs|cjs|ts|mts|cts)$/.test(rel);
}

function isDeclarationFile(rel: string): boolean {
  return /\.d\.[mc]?ts$/.test(rel);
}

export interface CodeWorkspace {
  /** Definitions in the copy (lines already moved to where they are in the copy). */
  readonly defs: Definition[];
  /** Files of the copy the engine reads. */
  readonly readable: ReadonlySet<string>;
}

/** Writes the copy of `source` without documentation into `dir`; returns its definitions. */
export async function buildCodeWorkspace(repoRoot: string, source: CodeSource, dir: string): Promise<CodeWorkspace> {
  const root = isAbsolute(source.root) ? source.root : join(repoRoot, source.root);
  if (source.fetch && !existsSync(root)) fetchPackage(source.fetch, dirname(root));
  const files = listFiles(root, (rel, isDir) => (isDir ? SKIPPED_FOLDERS.has(rel.split('/').pop()!) : SKIPPED_FILES.test(rel)));
  if (files.length === 0) throw new Error(`${root} holds no files: install ${source.name} (see models/heldout.json for its package).`);
  const parsed = new Map<string, FileDefinitions>();
  const python = files.filter(isPython);
  for (const [rel, defs] of pythonDefinitions(repoRoot, python.map((rel) => ({ abs: join(root, rel), rel })))) parsed.set(rel, defs);
  for (const rel of files.filter(isScript)) {
    const found = scriptDefinitions(rel, readFileSync(join(root, rel), 'utf8'));
    parsed.set(rel, isDeclarationFile(rel) ? { defs: [], docRanges: found.docRanges } : found);
  }
  const contents = new Map<string, string | Buffer>();
  const defs: Definition[] = [];
  for (const rel of files) {
    const found = parsed.get(rel);
    if (!found || found.docRanges.length === 0) {
      contents.set(rel, readFileSync(join(root, rel)));
      continue;
    }
    const edit = removeLines(readFileSync(join(root, rel), 'utf8'), found.docRanges);
    contents.set(rel, edit.text);
    for (const d of found.defs) {
      const line = edit.map(d.line);
      // The last line of a class's own part may be a removed docstring: step back to a kept line.
      let end = d.endLine;
      while (end > d.line && edit.map(end) === undefined) end--;
      const endLine = edit.map(end);
      if (line !== undefined && endLine !== undefined) defs.push({ ...d, line, endLine: Math.max(line, endLine) });
    }
  }
  syncFolder(dir, contents);
  const scan = await scanWorkspace(dir);
  return { defs, readable: new Set(scan.files.map((f) => f.path)) };
}

/** The docstring and reworded question sets of one repository. */
export async function codeSets(repoRoot: string, source: CodeSource, split: Split, dir: string): Promise<QuestionSet[]> {
  const { defs, readable } = await buildCodeWorkspace(repoRoot, source, dir);
  return codeQuestionSets(source.name, split, dir, defs, readable);
}

/** Groups definitions by first sentence and makes the questions; pure, for the tests. */
export function codeQuestionSets(name: string, split: Split, dir: string, defs: readonly Definition[], readable: ReadonlySet<string>): QuestionSet[] {
  const bySentence = new Map<string, { sentence: string; places: Place[] }>();
  for (const d of [...defs].sort((a, b) => a.path.localeCompare(b.path) || a.line - b.line)) {
    if (!readable.has(d.path)) continue;
    const sentence = firstSentence(d.doc);
    if (!sentence) continue;
    const key = sentence.toLowerCase();
    const entry = bySentence.get(key) ?? { sentence, places: [] };
    entry.places.push({ path: d.path, startLine: d.line, endLine: d.endLine });
    bySentence.set(key, entry);
  }
  const docstring: Question[] = [];
  const reworded: Question[] = [];
  for (const { sentence, places } of bySentence.values()) {
    if (places.length > MAX_ANSWER_PLACES) continue;
    const n = docstring.length;
    docstring.push({ id: `${name}/docstring/${n}`, kind: 'docstring', question: sentence, answers: places });
    const r = reword(sentence, `${name}:${sentence}`);
    if (r) reworded.push({ id: `${name}/reworded/${n}`, kind: 'reworded', question: r.question, template: r.template, answers: places });
  }
  const set = (kind: 'docstring' | 'reworded', questions: Question[]): QuestionSet => ({
    name: `${name}/${kind}`, group: `${name}/${kind}`, source: name, split, kind: 'code', workspace: dir, questions,
  });
  return [set('docstring', docstring), set('reworded', reworded)];
}
