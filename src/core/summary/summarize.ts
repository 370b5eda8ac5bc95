// Summaries of a workspace, a folder, a file or a selection, made from the structure of every
// file read: a layered map (folders → files → definitions, or chapters → sections for books)
// ranked by size and by how much the rest of the repository uses each part. Every line's
// sentence is the first sentence of the best source the repository has for it (docstring, doc
// comment, README or opening paragraph), never generated text, and every line cites the lines
// that hold that sentence; a sentence its cited lines no longer hold is left out.
import { basename } from 'node:path';
import type { Citation, SummaryTarget } from '../api';
import { firstSentence } from '../structure/docText';
import type { IndexedFile, StructureIndex } from '../structure/index';
import type { Definition, DocText } from '../structure/types';
import { CitedLines } from './citedLines';
import { rankStructure, type Ranking } from './rank';

export interface SummaryInput {
  /** Absolute path of the workspace folder (cited lines are read from it). */
  readonly root: string;
  /** What the workspace is called in the heading. */
  readonly title: string;
  readonly structure: StructureIndex;
  /** Every file in memory and its tokens: sizes rank the parts, and files without structure still count. */
  readonly files: ReadonlyMap<string, number>;
  readonly maxFileBytes?: number;
  readonly signal?: AbortSignal;
}

export interface SummaryPassage {
  readonly citation: Citation;
  /** The cited lines as they are on disk now. */
  readonly text: string;
}

export interface StructureSummary {
  /** Markdown for the chat; citations appear as `path:lines` labels, in the order of `citations`. */
  readonly text: string;
  /** The same map as a Markdown document to keep, with links relative to the workspace folder. */
  readonly document: string;
  readonly citations: readonly Citation[];
  readonly passages: readonly SummaryPassage[];
  readonly warnings: readonly string[];
}

interface Budget { readonly parts: number; readonly files: number; readonly definitions: number; readonly headings: number }
const CHAT: Budget = { parts: 6, files: 4, definitions: 2, headings: 4 };
const DOCUMENT: Budget = { parts: 14, files: 8, definitions: 4, headings: 10 };
const DETAIL: Budget = { parts: 12, files: 10, definitions: 60, headings: 60 };
/** Longest passage kept for a citation; the link opens the rest. */
const MAX_PASSAGE_LINES = 30;

interface Place { readonly path: string; readonly startLine: number; readonly endLine: number }

/** One line of the map. `label` is Markdown; `sentence` the source's own words, shown verbatim. */
interface Line {
  readonly depth: number;
  readonly heading?: boolean;
  readonly label: string;
  readonly note?: string;
  sentence?: string;
  /** What the line cites; a line without one states a count, not a claim from a source. */
  place?: Place;
}

const rankings = new WeakMap<StructureIndex, { version: number; ranking: Ranking }>();

/** The ranking of the index as it is now, computed once per change. */
export function rankingOf(index: StructureIndex): Ranking {
  const cached = rankings.get(index);
  if (cached && cached.version === index.version) return cached.ranking;
  const ranking = rankStructure(index);
  rankings.set(index, { version: index.version, ranking });
  return ranking;
}

export async function summarizeStructure(input: SummaryInput, target: SummaryTarget): Promise<StructureSummary> {
  const ranking = rankingOf(input.structure);
  const cited = new CitedLines(input.root, input.maxFileBytes);
  const build = (budget: Budget): Line[] => {
    switch (target.kind) {
      case 'workspace': return workspaceLines(input, ranking, '', budget, input.title);
      case 'folder': return workspaceLines(input, ranking, target.path.replace(/\/+$/, ''), budget, `${target.path.replace(/\/+$/, '')}/`);
      case 'file': return fileLines(input, ranking, target.path);
      case 'selection': return selectionLines(input, target);
    }
  };
  const chat = build(target.kind === 'file' || target.kind === 'selection' ? DETAIL : CHAT);
  const doc = target.kind === 'workspace' || target.kind === 'folder' ? build(DOCUMENT) : chat;
  // Sentences are checked against the lines they cite as those lines are now, and the citation
  // narrowed to the lines that hold the sentence (a long docstring's first lines, say).
  for (const line of new Set([...chat, ...doc])) {
    input.signal?.throwIfAborted();
    if (!line.sentence || !line.place) continue;
    const at = await cited.locate(line.place.path, line.place.startLine, line.place.endLine, line.sentence);
    if (at) line.place = { path: line.place.path, ...at };
    else line.sentence = undefined;
  }
  const citations: Citation[] = [];
  const passages: SummaryPassage[] = [];
  const seen = new Set<string>();
  for (const line of chat) {
    // A heading cites only the sentence under it; an item cites its thing even without one.
    if (!line.place || (line.heading && !line.sentence)) continue;
    const key = label(line.place);
    if (seen.has(key)) continue;
    seen.add(key);
    const c = citation(line.place);
    citations.push(c);
    const end = Math.min(line.place.endLine, line.place.startLine + MAX_PASSAGE_LINES - 1);
    const text = await cited.text(line.place.path, line.place.startLine, end);
    if (text !== undefined) passages.push({ citation: c, text });
  }
  const document = `<!-- Made by Mnemo from the sources it cites. Links are relative to the workspace folder: save this file there for them to open. -->\n\n${render(doc, true)}\n`;
  return { text: render(chat, false), document, citations, passages, warnings: cited.warnings };
}

// ---- citations ------------------------------------------------------------------------------

function label(p: Place): string {
  return p.endLine > p.startLine ? `${p.path}:${p.startLine}-${p.endLine}` : `${p.path}:${p.startLine}`;
}

/**
 * A citation of structure: found by the parser, so by neither retriever (`sources` is empty).
 * Built as a variable, not a literal, so it type-checks before and after `sources` joins Citation.
 */
function citation(p: Place): Citation {
  const c = { path: p.path, startLine: p.startLine, endLine: p.endLine, score: 1, sources: [] as const };
  return c;
}

function docPlace(path: string, doc: DocText): Place {
  return { path, startLine: doc.startLine, endLine: doc.endLine };
}

/** The line for a thing with an optional doc: cites the doc when it has a sentence, else `fallback`. */
function described(depth: number, labelText: string, path: string, doc: DocText | undefined, fallback: Place, note?: string, heading?: boolean): Line {
  const sentence = doc ? firstSentence(doc.text) : '';
  return sentence
    ? { depth, label: labelText, note, sentence, place: docPlace(path, doc!), heading }
    : { depth, label: labelText, note, place: fallback, heading };
}

// ---- rendering ---------------------------------------------------------------------------

function escapeText(s: string): string {
  return s.replace(/[\\`*_[\]<>#|]/g, '\\$&');
}

/** A name or path as a code span: shown literally, so nothing inside is escaped (a backtick cannot be kept). */
function code(s: string): string {
  return `\`${s.replace(/`/g, "'")}\``;
}

function render(lines: readonly Line[], document: boolean): string {
  const out: string[] = [];
  for (const line of lines) {
    const place = line.heading && !line.sentence ? undefined : line.place;
    const ref = !place ? '' : document ? ` ([${label(place)}](${encodeURI(place.path)}#L${place.startLine}))` : ` (${label(place)})`;
    const sentence = line.sentence ? (document ? escapeText(line.sentence) : line.sentence) : undefined;
    if (line.heading) {
      out.push('', `${'#'.repeat(Math.min(6, line.depth + 2))} ${line.label}${line.note ? ` · ${line.note}` : ''}`);
      if (sentence) out.push(`${sentence}${ref}`);
      out.push('');
    } else {
      const indent = '  '.repeat(line.depth);
      out.push(`${indent}- ${line.label}${line.note ? ` · ${line.note}` : ''}${sentence ? ` — ${sentence}` : ''}${ref}`);
    }
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trim();
}

// ---- the layered map ----------------------------------------------------------------------

interface Part { readonly path: string; readonly folder: boolean; readonly files: string[]; tokens: number; score: number }

const KIND_WORD: Record<string, string> = {
  class: 'class', function: 'function', method: 'method', interface: 'interface', type: 'type', enum: 'enum',
  variable: 'const', module: 'module', heading: 'section',
};

function under(prefix: string, path: string): boolean {
  return prefix === '' || path.startsWith(`${prefix}/`);
}

function fileScores(input: SummaryInput, ranking: Ranking, paths: readonly string[]): Map<string, number> {
  let tokens = 0;
  let rank = 0;
  for (const p of paths) { tokens += input.files.get(p) ?? 0; rank += ranking.fileRank.get(p) ?? 0; }
  // Half size, half centrality: the biggest parts and the ones the rest leans on both matter.
  return new Map(paths.map((p) => [p, 0.5 * (input.files.get(p) ?? 0) / (tokens || 1) + 0.5 * (ranking.fileRank.get(p) ?? 0) / (rank || 1)]));
}

/**
 * The parts below `prefix`: its subfolders and its own files. A folder that holds most (60%)
 * of the tokens is opened up in its place (a repository whose code all sits under `src/` is
 * described by the folders inside `src/`).
 */
function partsOf(paths: readonly string[], prefix: string, scores: ReadonlyMap<string, number>, tokens: ReadonlyMap<string, number>): Part[] {
  let parts = group(paths, prefix, scores, tokens);
  const total = parts.reduce((n, g) => n + g.tokens, 0);
  for (let guard = 0; guard < 8; guard++) {
    const biggest = [...parts].sort((a, b) => b.tokens - a.tokens)[0];
    if (!biggest || !biggest.folder || biggest.tokens < 0.6 * total) break;
    const inner = group(paths.filter((p) => under(biggest.path, p)), biggest.path, scores, tokens);
    if (inner.length < 2) break;
    parts = [...parts.filter((p) => p !== biggest), ...inner].sort((a, b) => b.score - a.score);
  }
  return parts;
}

function group(paths: readonly string[], prefix: string, scores: ReadonlyMap<string, number>, tokens: ReadonlyMap<string, number>): Part[] {
  const parts = new Map<string, Part>();
  for (const p of paths) {
    if (!under(prefix, p)) continue;
    const rest = prefix === '' ? p : p.slice(prefix.length + 1);
    const slash = rest.indexOf('/');
    const key = slash < 0 ? prefix : (prefix === '' ? '' : `${prefix}/`) + rest.slice(0, slash);
    const folder = slash >= 0;
    let part = parts.get(`${folder}:${key}`);
    if (!part) { part = { path: key, folder, files: [], tokens: 0, score: 0 }; parts.set(`${folder}:${key}`, part); }
    part.files.push(p);
    part.tokens += tokens.get(p) ?? 0;
    part.score += scores.get(p) ?? 0;
  }
  return [...parts.values()].sort((a, b) => b.score - a.score);
}

const README = /^(readme|index|about|overview)(\.(md|markdown|rst|txt))?$/i;
const PACKAGE_DOC = /^(__init__\.py|index\.(ts|js|mjs)|mod\.rs|lib\.rs|doc\.go|package-info\.java)$/;

/** A folder's own description: its README's opening, else its package docstring. */
function folderDoc(input: SummaryInput, folder: string): { path: string; doc: DocText } | undefined {
  const direct = [...input.structure.entries()].filter((f) => f.doc && (folder === '' ? !f.path.includes('/') : f.path.startsWith(`${folder}/`) && !f.path.slice(folder.length + 1).includes('/')));
  const readme = direct.find((f) => README.test(basename(f.path))) ?? direct.find((f) => PACKAGE_DOC.test(basename(f.path)));
  return readme?.doc ? { path: readme.path, doc: readme.doc } : undefined;
}

function formatTokens(n: number): string {
  return n >= 1_000_000 ? `${(n / 1_000_000).toFixed(n >= 10_000_000 ? 0 : 1)}M` : n >= 1000 ? `${Math.round(n / 1000)}k` : String(n);
}

function workspaceLines(input: SummaryInput, ranking: Ranking, prefix: string, budget: Budget, title: string): Line[] {
  const paths = [...input.files.keys()].filter((p) => under(prefix, p));
  if (paths.length === 0) throw new Error(prefix === '' ? 'Nothing has been read yet: read the workspace first, then ask for a summary.' : `Nothing under ${prefix}/ has been read (it may be excluded or not read yet).`);
  const scores = fileScores(input, ranking, paths);
  const totalTokens = paths.reduce((n, p) => n + (input.files.get(p) ?? 0), 0);
  const definitions = paths.reduce((n, p) => n + (input.structure.get(p)?.definitions.filter((d) => d.kind !== 'heading').length ?? 0), 0);
  const lines: Line[] = [];
  const own = folderDoc(input, prefix);
  lines.push(own
    ? described(0, escapeText(title), own.path, own.doc, { path: own.path, startLine: 1, endLine: 1 }, undefined, true)
    : { depth: 0, heading: true, label: escapeText(title) });
  lines.push({
    depth: 0, label: `${paths.length} files, ${formatTokens(totalTokens)} tokens, ${definitions} definitions; parts ranked by size and by how much the rest uses them`,
  });
  // Where to start reading: the files the rest of the code leans on most.
  const central = paths.filter((p) => (ranking.usedBy.get(p)?.size ?? 0) > 0).sort((a, b) => (ranking.fileRank.get(b) ?? 0) - (ranking.fileRank.get(a) ?? 0)).slice(0, 3);
  for (const p of central) {
    const f = input.structure.get(p)!;
    lines.push(described(0, `start with ${code(p)}`, p, f.doc, { path: p, startLine: 1, endLine: 1 }, `used by ${ranking.usedBy.get(p)!.size} files`));
  }
  for (const part of partsOf(paths, prefix, scores, input.files).slice(0, budget.parts)) {
    const share = totalTokens > 0 ? Math.round((100 * part.tokens) / totalTokens) : 0;
    const note = `${part.files.length} file${part.files.length === 1 ? '' : 's'}, ${share}% of the tokens`;
    if (part.folder) {
      const fd = folderDoc(input, part.path);
      const anchor = fd?.path ?? part.files.sort((a, b) => (scores.get(b) ?? 0) - (scores.get(a) ?? 0))[0]!;
      lines.push(fd
        ? described(1, `${escapeText(part.path)}/`, fd.path, fd.doc, { path: anchor, startLine: 1, endLine: 1 }, note, true)
        : { depth: 1, heading: true, label: `${escapeText(part.path)}/`, note });
    } else {
      lines.push({ depth: 1, heading: true, label: part.path === '' ? 'top level' : `${escapeText(part.path)}/ (its own files)`, note });
    }
    const files = [...part.files].sort((a, b) => (scores.get(b) ?? 0) - (scores.get(a) ?? 0)).slice(0, budget.files);
    for (const p of files) lines.push(...fileEntry(input, ranking, p, part.path, budget));
  }
  return lines;
}

/** A file's line and, below it, its most important definitions (or its first chapters). */
function fileEntry(input: SummaryInput, ranking: Ranking, path: string, partPath: string, budget: Budget): Line[] {
  const f = input.structure.get(path);
  const shown = partPath !== '' && path.startsWith(`${partPath}/`) ? path.slice(partPath.length + 1) : path;
  const tokens = input.files.get(path) ?? 0;
  const head = f
    ? described(0, code(shown), path, f.doc, { path, startLine: 1, endLine: Math.max(1, Math.min(f.lines, 1)) }, `${formatTokens(tokens)} tokens`)
    : { depth: 0, label: code(shown), note: `${formatTokens(tokens)} tokens`, place: { path, startLine: 1, endLine: 1 } };
  const lines: Line[] = [head];
  if (!f) return lines;
  if (f.definitions.some((d) => d.kind === 'heading')) {
    for (const d of headingsOf(f, budget.headings)) lines.push(definitionLine(1, path, d, ranking));
  } else {
    for (const d of importantDefinitions(f, ranking, budget.definitions)) lines.push(definitionLine(1, path, d, ranking));
  }
  return lines;
}

function definitionLine(depth: number, path: string, d: Definition, ranking: Ranking): Line {
  const uses = ranking.usesElsewhere.get(d) ?? 0;
  const labelText = d.kind === 'heading' ? escapeText(d.name) : `${KIND_WORD[d.kind]} ${code(d.qualifiedName)}`;
  const signature: Place = { path, startLine: d.signatureLine, endLine: d.signatureLine };
  return described(depth, labelText, path, d.doc, signature, uses > 0 ? `${uses} use${uses === 1 ? '' : 's'} elsewhere` : undefined);
}

/** Top-level definitions and methods, ranked by use elsewhere, then size, then having a doc. */
function importantDefinitions(f: IndexedFile, ranking: Ranking, k: number): Definition[] {
  const candidates = f.definitions.filter((d) => {
    const used = (ranking.usesElsewhere.get(d) ?? 0) > 0;
    if ((d.kind === 'variable' || d.name.startsWith('_')) && !used) return false;
    return d.qualifiedName.split('.').length <= 2;
  });
  const maxScore = Math.max(1e-12, ...candidates.map((d) => ranking.definitionScore.get(d) ?? 0));
  const maxSpan = Math.max(1, ...candidates.map((d) => d.endLine - d.startLine + 1));
  const score = (d: Definition): number => (ranking.definitionScore.get(d) ?? 0) / maxScore
    + 0.3 * Math.log1p(d.endLine - d.startLine + 1) / Math.log1p(maxSpan) + (d.doc ? 0.1 : 0);
  return candidates.map((d) => [d, score(d)] as const).sort((a, b) => b[1] - a[1]).slice(0, k).map(([d]) => d);
}

/** Chapters first: the top heading levels present, in reading order, up to `k`. */
function headingsOf(f: IndexedFile, k: number): Definition[] {
  const headings = f.definitions.filter((d) => d.kind === 'heading');
  const levels = [...new Set(headings.map((d) => d.level ?? 1))].sort((a, b) => a - b);
  // A single title heading over everything is the file's name, not a chapter.
  const top = levels.length > 1 && headings.filter((d) => d.level === levels[0]).length === 1 ? levels.slice(1, 3) : levels.slice(0, 2);
  return headings.filter((d) => top.includes(d.level ?? 1)).slice(0, k);
}

function fileLines(input: SummaryInput, ranking: Ranking, path: string): Line[] {
  const tokens = input.files.get(path);
  if (tokens === undefined) throw new Error(`${path} has not been read (it may be excluded, skipped or not read yet). Read the workspace, then ask again.`);
  const f = input.structure.get(path);
  const lines: Line[] = [];
  lines.push(f
    ? described(0, code(path), path, f.doc, { path, startLine: 1, endLine: 1 }, `${formatTokens(tokens)} tokens`, true)
    : { depth: 0, heading: true, label: code(path), note: `${formatTokens(tokens)} tokens; no parser or heading reader covers this kind of file`, place: { path, startLine: 1, endLine: 1 } });
  if (!f) return lines;
  if (f.definitions.some((d) => d.kind === 'heading')) {
    for (const d of f.definitions.filter((h) => (h.level ?? 1) <= 3).slice(0, DETAIL.headings)) lines.push(definitionLine((d.level ?? 1) - 1, path, d, ranking));
  } else {
    // In file order, as a table of contents: top-level definitions, their members indented.
    for (const d of f.definitions.filter((x) => x.qualifiedName.split('.').length <= 2 && !(x.kind === 'variable' && !x.doc)).slice(0, DETAIL.definitions)) {
      lines.push(definitionLine(d.qualifiedName.includes('.') ? 1 : 0, path, d, ranking));
    }
  }
  return lines;
}

function selectionLines(input: SummaryInput, target: Extract<SummaryTarget, { kind: 'selection' }>): Line[] {
  const { path, startLine, endLine, text } = target;
  // Not a heading: the selection itself is the first thing cited.
  const lines: Line[] = [{ depth: 0, label: `${code(path)} lines ${startLine}–${endLine}`, place: { path, startLine, endLine } }];
  const f = input.structure.get(path);
  // The definitions the selection lies in or holds, outermost first.
  for (const d of f?.definitions.filter((d) => d.startLine <= endLine && d.endLine >= startLine) ?? []) {
    lines.push(definitionLine(d.qualifiedName.split('.').length - 1, path, d, rankingOf(input.structure)));
  }
  // What it relies on: names it uses that are defined elsewhere in the repository, most used first.
  const counts = new Map<string, number>();
  for (const m of text.matchAll(/[A-Za-z_$][\w$]{2,}/g)) counts.set(m[0], (counts.get(m[0]) ?? 0) + 1);
  const used = [...counts].sort((a, b) => b[1] - a[1]).map(([name]) => name)
    .map((name) => input.structure.definitionsNamed(name).find((r) => !(r.path === path && r.definition.startLine <= endLine && r.definition.endLine >= startLine)))
    .filter((r): r is NonNullable<typeof r> => r !== undefined).slice(0, 6);
  if (used.length > 0) lines.push({ depth: 0, label: 'It uses:', place: { path, startLine, endLine } });
  for (const r of used) lines.push(definitionLine(1, r.path, r.definition, rankingOf(input.structure)));
  return lines;
}
