// Needle questions with known answers, for top-1 retrieval accuracy.
// - passkey: a sentence planted in a kernel documentation file ("The passkey for the amber
//   falcon vault is 48213."), asked back ("What is the passkey for the amber falcon vault?").
// - describe: a JSDoc description in TypeScript's own .d.ts files, answered by where the
//   documented declaration is (file and lines of the comment and the declaration).
// - name: "Where is the interface X defined?" for interfaces declared exactly once.
// A retrieved passage answers a needle when it is in the needle's file and overlaps its lines.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { shuffled, workspacePath, type SourceFile } from './corpus';

export type NeedleKind = 'passkey' | 'describe' | 'name';

export interface Needle {
  readonly kind: NeedleKind;
  readonly question: string;
  /** Workspace-relative path of the answer. */
  readonly path: string;
  /** 1-based inclusive lines that hold the answer. */
  readonly startLine: number;
  readonly endLine: number;
}

export interface Place {
  readonly path: string;
  readonly startLine: number;
  readonly endLine: number;
}

export function answers(place: Place | undefined, needle: Needle): boolean {
  return place !== undefined && place.path === needle.path && place.startLine <= needle.endLine && place.endLine >= needle.startLine;
}

const COLOURS = ['amber', 'cobalt', 'crimson', 'ivory', 'jade', 'ochre', 'scarlet', 'silver', 'teal', 'violet'];
const ANIMALS = ['badger', 'falcon', 'heron', 'lynx', 'marten', 'otter', 'raven', 'stoat', 'walrus', 'wren'];

/**
 * Plants `count` passkey sentences, one per documentation file of the workspace, each after a
 * blank line at a pseudo-random depth of its file. Edits the files in `dir`.
 */
export function plantPasskeys(dir: string, plan: readonly SourceFile[], count: number, seed = 7): Needle[] {
  const docs = shuffled(plan.filter((f) => f.pool === 'linux-doc'), seed);
  const pairs = shuffled(COLOURS.flatMap((c) => ANIMALS.map((a) => `${c} ${a}`)), seed);
  const needles: Needle[] = [];
  let n = 0;
  for (const file of docs) {
    if (needles.length >= count || n >= pairs.length) break;
    const path = workspacePath(file);
    const full = join(dir, path);
    const lines = readFileSync(full, 'utf8').split('\n');
    const blanks = lines.map((l, i) => (l.trim() === '' && i > 0 ? i : -1)).filter((i) => i >= 0);
    if (blanks.length < 3) continue;
    const pair = pairs[n++]!;
    const key = 10000 + ((n * 7919 + seed * 104729) % 90000);
    const at = blanks[Math.floor(((n * 0.618) % 1) * blanks.length)]!;
    lines.splice(at + 1, 0, `The passkey for the ${pair} vault is ${key}.`, '');
    writeFileSync(full, lines.join('\n'));
    needles.push({ kind: 'passkey', question: `What is the passkey for the ${pair} vault?`, path, startLine: at + 2, endLine: at + 2 });
  }
  return needles;
}

interface Documented {
  readonly path: string;
  readonly description: string;
  readonly commentLine: number;
  readonly declLine: number;
  readonly decl: string;
}

function documentedDeclarations(path: string, text: string): Documented[] {
  const lines = text.split('\n');
  const out: Documented[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.trim().startsWith('/**')) continue;
    let end = i;
    while (end < lines.length && !lines[end]!.includes('*/')) end++;
    const words: string[] = [];
    for (let j = i; j <= end && j < lines.length; j++) {
      const body = lines[j]!.replace(/^\s*\/?\*+\/?/, '').replace(/\*\/\s*$/, '').trim();
      if (body.startsWith('@')) break;
      if (body) words.push(body);
    }
    let decl = end + 1;
    while (decl < lines.length && lines[decl]!.trim() === '') decl++;
    const first = words.join(' ').split(/(?<=\.)\s/)[0]!.trim();
    if (decl < lines.length && first.split(/\s+/).length >= 6 && !first.includes('{@')) {
      out.push({ path, description: first, commentLine: i + 1, declLine: decl + 1, decl: lines[decl]!.trim() });
    }
    i = end;
  }
  return out;
}

function declarationFiles(dir: string, plan: readonly SourceFile[]): { path: string; text: string }[] {
  return plan
    .filter((f) => f.pool === 'typescript' && f.rel.endsWith('.d.ts'))
    .map((f) => ({ path: workspacePath(f), text: readFileSync(join(dir, workspacePath(f)), 'utf8') }));
}

/** JSDoc descriptions (first sentence, unique in the workspace) → the documented declaration. */
export function describeNeedles(dir: string, plan: readonly SourceFile[], count: number, seed = 11): Needle[] {
  const all = declarationFiles(dir, plan).flatMap((f) => documentedDeclarations(f.path, f.text));
  const seen = new Map<string, number>();
  for (const d of all) seen.set(d.description, (seen.get(d.description) ?? 0) + 1);
  return shuffled(all.filter((d) => seen.get(d.description) === 1), seed)
    .slice(0, count)
    .map((d) => ({ kind: 'describe', question: d.description, path: d.path, startLine: d.commentLine, endLine: d.declLine }));
}

/** Interfaces declared exactly once in the workspace → their declaration line. */
export function nameNeedles(dir: string, plan: readonly SourceFile[], count: number, seed = 13): Needle[] {
  const found = new Map<string, { path: string; line: number }[]>();
  for (const f of declarationFiles(dir, plan)) {
    f.text.split('\n').forEach((line, i) => {
      const m = /^\s*(?:export\s+)?(?:declare\s+)?interface\s+([A-Za-z_$][\w$]*)/.exec(line);
      if (!m) return;
      const list = found.get(m[1]!) ?? [];
      list.push({ path: f.path, line: i + 1 });
      found.set(m[1]!, list);
    });
  }
  const unique = [...found.entries()].filter(([, at]) => at.length === 1).sort((a, b) => a[0].localeCompare(b[0]));
  return shuffled(unique, seed)
    .slice(0, count)
    .map(([name, at]) => ({ kind: 'name', question: `Where is the interface ${name} defined?`, path: at[0]!.path, startLine: at[0]!.line, endLine: at[0]!.line }));
}
