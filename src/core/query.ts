// Questions, summaries and symbol explanations over what has been read: the query graph picks
// segments by key, their text is read again from disk by line range, and the decoder answers
// from the cited file's memory. BM25 can re-rank the model's candidates, or stand alone.
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Answer, AnswerEvent, Citation, Explanation, Logger, QueryOptions, SummaryTarget, SymbolQuery } from './api';
import { bm25Scores, fuseRanks } from './bm25';
import { askPrompt, contextBudget, explainPrompt, generate, summarizePrompt } from './generate';
import { KEY_SCALE, type FileMemory, type WorkspaceMemory } from './memory';
import type { LoadedModel } from './model';
import { loadText } from './text';
import { resolveInside } from './workspacePath';

export type Retrieval = 'model' | 'bm25' | 'hybrid';

export interface QueryContext {
  readonly model: LoadedModel;
  readonly memory: WorkspaceMemory;
  readonly root: string;
  readonly logger: Logger;
  /** Fraction of the workspace's tokens read so far. */
  coverage(): number;
  readonly maxFileBytes?: number;
  /** Lines of recently cited files, by path, valid while size and mtime match (hover speed). */
  readonly textCache?: Map<string, { size: number; mtimeMs: number; lines: string[] }>;
}

const TEXT_CACHE_FILES = 64;

/** One stored segment and how well it matched. */
export interface Hit {
  readonly file: FileMemory;
  readonly index: number;
  score: number;
}

export const DEFAULT_ANSWER_TOKENS = 128;
export const HOVER_TOKENS = 24;
const CITATIONS = 5;

function citation(hit: Hit): Citation {
  return { path: hit.file.path, startLine: hit.file.startLines[hit.index]!, endLine: hit.file.endLines[hit.index]!, score: hit.score };
}

/** Encodes a question into a query key `[K]`. */
export async function queryKey(model: LoadedModel, text: string): Promise<Float32Array> {
  // STATIC KEYS: the same hashed-feature table that keyed the segments keys the question.
  if (model.staticKeys) return model.staticKeys.key(text);
  const ids = model.tokenizer.encode(text).slice(0, model.config.maxQueryTokens);
  if (ids.length === 0) ids.push(model.config.specialTokens.pad);
  const key = await model.runtime.encodeQuery(BigInt64Array.from(ids, (v) => BigInt(v)), new BigInt64Array(ids.length).fill(1n));
  return key.slice(0, model.config.keyDim);
}

/** Score of stored segment `index` of a file's keys against `key`. */
function dot(key: Float32Array, keys: Int8Array, index: number): number {
  let d = 0;
  const o = index * key.length;
  for (let i = 0; i < key.length; i++) d += key[i]! * keys[o + i]!;
  return d / KEY_SCALE;
}

/** The `k` stored segments whose keys score highest against `key`, optionally only under `filter`. */
export function topSegments(memory: WorkspaceMemory, key: Float32Array, k: number, filter?: (f: FileMemory) => boolean): Hit[] {
  const K = key.length;
  const hits: Hit[] = [];
  let floor = -Infinity;
  for (const file of memory.entries()) {
    if (filter && !filter(file)) continue;
    const keys = file.keys;
    for (let s = 0; s < file.segmentsRead; s++) {
      let dot = 0;
      const o = s * K;
      for (let i = 0; i < K; i++) dot += key[i]! * keys[o + i]!;
      const score = dot / KEY_SCALE;
      if (hits.length >= k && score <= floor) continue;
      hits.push({ file, index: s, score });
      if (hits.length > k * 2) {
        hits.sort((a, b) => b.score - a.score).length = k;
        floor = hits[k - 1]!.score;
      }
    }
  }
  return hits.sort((a, b) => b.score - a.score).slice(0, k);
}

/** Reads files again (once each per query) and says when one changed since it was read. */
export class SourceTexts {
  private readonly texts = new Map<string, Promise<string[] | undefined>>();
  readonly warnings: string[] = [];

  constructor(private readonly ctx: QueryContext) {}

  lines(file: FileMemory): Promise<string[] | undefined> {
    let p = this.texts.get(file.path);
    if (!p) {
      p = this.load(file);
      this.texts.set(file.path, p);
    }
    return p;
  }

  private async load(file: FileMemory): Promise<string[] | undefined> {
    let abs: string;
    try {
      abs = await resolveInside(this.ctx.root, file.path);
    } catch (e) {
      this.warn((e as Error).message);
      return undefined;
    }
    let size: number;
    let mtimeMs: number;
    try {
      ({ size, mtimeMs } = await stat(abs));
      if (size !== file.size || Math.abs(mtimeMs - file.mtimeMs) > 1) {
        this.warn(`${file.path} changed since it was read; its citations may point at moved lines. Read the workspace again to catch up.`);
      }
    } catch {
      this.warn(`${file.path} no longer exists; its citations come from the saved memory.`);
      return undefined;
    }
    const cache = this.ctx.textCache;
    const cached = cache?.get(file.path);
    if (cached && cached.size === size && cached.mtimeMs === mtimeMs) {
      cache!.delete(file.path);
      cache!.set(file.path, cached); // most recently used last
      return cached.lines;
    }
    const r = await loadText(abs, { maxFileBytes: this.ctx.maxFileBytes });
    if (!r.ok) { this.warn(`${file.path} cannot be read again: ${r.reason}`); return undefined; }
    const lines = r.text.split('\n');
    if (cache) {
      cache.set(file.path, { size, mtimeMs, lines });
      while (cache.size > TEXT_CACHE_FILES) cache.delete(cache.keys().next().value!);
    }
    return lines;
  }

  private warn(message: string): void {
    this.warnings.push(message);
    this.ctx.logger.warn(message);
  }

  /** Text of lines `start..end` (1-based, inclusive) of the file. */
  async text(file: FileMemory, start: number, end: number): Promise<string> {
    const lines = await this.lines(file);
    return lines ? lines.slice(start - 1, end).join('\n') : '';
  }

  async segmentText(hit: Hit): Promise<string> {
    return this.text(hit.file, hit.file.startLines[hit.index]!, hit.file.endLines[hit.index]!);
  }
}

/** Ranks segments for `question` by the chosen method; returns the best `k`. */
export async function retrieve(ctx: QueryContext, question: string, k: number, method: Retrieval, texts: SourceTexts): Promise<Hit[]> {
  if (method === 'bm25') {
    // The lexical baseline: every stored segment's text, scored alone (benchmarks).
    const all: Hit[] = [];
    for (const file of ctx.memory.entries()) for (let s = 0; s < file.segmentsRead; s++) all.push({ file, index: s, score: 0 });
    const docs = await Promise.all(all.map((h) => texts.segmentText(h)));
    const scores = bm25Scores(question, docs);
    all.forEach((h, i) => { h.score = scores[i]!; });
    return all.sort((a, b) => b.score - a.score).slice(0, k);
  }
  const key = await queryKey(ctx.model, question);
  if (method === 'model') return topSegments(ctx.memory, key, k);
  const candidates = topSegments(ctx.memory, key, Math.max(k * 8, 32));
  if (candidates.length === 0) return [];
  const docs = await Promise.all(candidates.map((h) => texts.segmentText(h)));
  const lexical = bm25Scores(question, docs);
  const fused = fuseRanks(candidates.map((h) => h.score), lexical);
  const order = candidates.map((_, i) => i).sort((a, b) => fused[b]! - fused[a]!);
  // Citations keep the model's dot-product score; only the order comes from the fusion.
  return order.slice(0, k).map((i) => candidates[i]!);
}

/** Context tokens from the text of the given segments (same file, line order), capped. */
async function contextTokens(ctx: QueryContext, texts: SourceTexts, hits: readonly Hit[], budget: number): Promise<number[]> {
  const ordered = [...hits].sort((a, b) => a.index - b.index);
  const ids: number[] = [];
  let lastEnd = 0;
  for (const h of ordered) {
    const start = Math.max(h.file.startLines[h.index]!, lastEnd + 1);
    const end = h.file.endLines[h.index]!;
    if (end < start) continue;
    const piece = await texts.text(h.file, start, end);
    ids.push(...ctx.model.tokenizer.encode((ids.length ? '\n' : '') + piece));
    lastEnd = end;
    if (ids.length >= budget) break;
  }
  return ids.slice(0, budget);
}

interface Stream {
  emit(event: AnswerEvent): void;
}

function stream(options: QueryOptions | undefined): Stream {
  return {
    emit(event) {
      try { options?.onEvent?.(event); } catch { /* a listener's failure must not break the answer */ }
    },
  };
}

async function answerFrom(
  ctx: QueryContext, options: QueryOptions | undefined, citations: Citation[], prompt: number[], memory: Float32Array,
  maxTokens: number, texts: SourceTexts, started: number,
): Promise<Answer> {
  const s = stream(options);
  s.emit({ type: 'citations', citations });
  const generationStarted = performance.now();
  const g = await generate(ctx.model, prompt, memory, {
    maxTokens, signal: options?.signal, onText: (text) => s.emit({ type: 'token', text }),
  });
  const answer: Answer = {
    text: g.text, citations, coverage: ctx.coverage(),
    // As a user sees it: retrieval and prompt building count too.
    millisecondsToFirstToken: generationStarted - started + g.millisecondsToFirstToken,
    warnings: texts.warnings,
  };
  s.emit({ type: 'done', answer });
  return answer;
}

function noMemoryError(): Error {
  return new Error('Nothing has been read yet: run "Mnemo: Read Workspace" (or `mnemo read <dir>`) first, then ask again.');
}

export async function ask(ctx: QueryContext, question: string, options?: QueryOptions): Promise<Answer> {
  const started = performance.now();
  const texts = new SourceTexts(ctx);
  const hits = await retrieve(ctx, question, CITATIONS, options?.retrieval ?? 'hybrid', texts);
  if (hits.length === 0) throw noMemoryError();
  const top = hits[0]!;
  // The answer reads the best file's memory with its best segment as context, the layout the
  // decoder was trained on (one retrieved segment; the contract allows up to two).
  const sameFile = [top];
  const maxTokens = options?.maxTokens ?? DEFAULT_ANSWER_TOKENS;
  const q = ctx.model.tokenizer.encode(question).slice(0, ctx.model.config.maxQueryTokens);
  const answerTokens = Math.min(maxTokens, 64);
  const context = await contextTokens(ctx, texts, sameFile, contextBudget(ctx.model, q.length + 3, answerTokens));
  const memory = ctx.memory.fileMemory(top.file.path) ?? ctx.memory.workspaceMemory()!;
  const prompt = askPrompt(ctx.model, context, q);
  return answerFrom(ctx, options, hits.map(citation), prompt, memory, maxTokens, texts, started);
}

/** Segments under `filter` whose keys lie closest to their mean key: the most typical ones. */
function centralSegments(memory: WorkspaceMemory, k: number, filter?: (f: FileMemory) => boolean): Hit[] {
  const K = memory.shape.keyDim;
  const mean = new Float32Array(K);
  let n = 0;
  for (const f of memory.entries()) {
    if (filter && !filter(f)) continue;
    for (let s = 0; s < f.segmentsRead; s++) { for (let i = 0; i < K; i++) mean[i]! += f.keys[s * K + i]!; n++; }
  }
  if (n === 0) return [];
  let norm = 0;
  for (let i = 0; i < K; i++) norm += mean[i]! * mean[i]!;
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < K; i++) mean[i]! /= norm;
  return topSegments(memory, mean, k, filter);
}

export async function summarize(ctx: QueryContext, target: SummaryTarget, options?: QueryOptions): Promise<Answer> {
  const started = performance.now();
  const texts = new SourceTexts(ctx);
  const maxTokens = options?.maxTokens ?? DEFAULT_ANSWER_TOKENS;
  const answerTokens = Math.min(maxTokens, 96);
  const tok = ctx.model.tokenizer;
  let pathLabel: string;
  let memory: Float32Array | undefined;
  let hits: Hit[];
  let context: number[];
  const pathIds = (p: string): number[] => tok.encode(p).slice(0, 32);

  switch (target.kind) {
    case 'workspace': {
      pathLabel = basename(ctx.root);
      memory = ctx.memory.workspaceMemory();
      hits = centralSegments(ctx.memory, 2);
      break;
    }
    case 'folder': {
      const prefix = target.path.replace(/\/+$/, '');
      const inFolder = (f: FileMemory): boolean => prefix === '' || prefix === '.' || f.path.startsWith(prefix + '/');
      pathLabel = prefix;
      memory = ctx.memory.folderMemory(prefix);
      hits = centralSegments(ctx.memory, 2, inFolder);
      break;
    }
    case 'file': {
      pathLabel = target.path;
      const file = ctx.memory.get(target.path);
      if (!file) throw new Error(`${target.path} has not been read (it may be excluded, skipped or not read yet). Read the workspace, then ask again.`);
      memory = ctx.memory.fileMemory(target.path);
      // A file's opening usually says what it is for; its first segments are the context.
      hits = [0, 1].filter((i) => i < file.segmentsRead).map((index) => ({ file, index, score: 1 }));
      break;
    }
    case 'selection': {
      pathLabel = target.path;
      memory = ctx.memory.fileMemory(target.path) ?? ctx.memory.workspaceMemory();
      const file = ctx.memory.get(target.path);
      hits = file ? overlapping(file, target.startLine, target.endLine) : [];
      break;
    }
  }
  if (!memory) throw noMemoryError();
  const p = pathIds(pathLabel);
  const budget = contextBudget(ctx.model, p.length + 4, answerTokens);
  if (target.kind === 'selection') {
    context = tok.encode(target.text).slice(0, budget);
  } else {
    const first = hits[0];
    context = first ? await contextTokens(ctx, texts, hits.filter((h) => h.file === first.file), budget) : [];
  }
  const citations: Citation[] = target.kind === 'selection'
    ? [{ path: target.path, startLine: target.startLine, endLine: target.endLine, score: 1 }]
    : hits.map(citation);
  return answerFrom(ctx, options, citations, summarizePrompt(ctx.model, p, context), memory, maxTokens, texts, started);
}

function overlapping(file: FileMemory, start: number, end: number): Hit[] {
  const out: Hit[] = [];
  for (let s = 0; s < file.segmentsRead; s++) {
    if (file.endLines[s]! >= start && file.startLines[s]! <= end) out.push({ file, index: s, score: 1 });
  }
  return out;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Patterns of lines that define `symbol`, strongest first. */
function definitionPatterns(symbol: string): RegExp[] {
  const s = escapeRegExp(symbol);
  return [
    new RegExp(`^\\s*(export\\s+)?(default\\s+)?(declare\\s+)?(abstract\\s+)?(async\\s+)?(function\\*?|class|interface|type|enum|namespace|module|struct|trait|union)\\s+${s}\\b`),
    new RegExp(`^\\s*(async\\s+)?(def|fn|func|pub\\s+fn|pub\\s+struct|pub\\s+enum|impl|macro_rules!)\\s+${s}\\b`),
    new RegExp(`^\\s*#\\s*define\\s+${s}\\b`),
    new RegExp(`^\\s*(export\\s+)?(const|let|var)\\s+${s}\\b`),
    new RegExp(`^\\s*(public\\s+|private\\s+|protected\\s+|static\\s+|readonly\\s+|async\\s+|get\\s+|set\\s+)*${s}\\s*(<[^>]*>)?\\s*\\([^)]*\\)\\s*(:[^;{]*)?\\{?\\s*$`),
    new RegExp(`^\\s*(self\\.)?${s}\\s*(:[^=]+)?=(?!=)`),
    new RegExp(`^[\\w\\s\\*]*\\b${s}\\s*\\([^;]*\\)\\s*\\{?\\s*$`),
  ];
}

interface Definition { readonly hit: Hit; readonly line: number; readonly strength: number }

async function findDefinition(texts: SourceTexts, hits: readonly Hit[], symbol: string): Promise<Definition | undefined> {
  const patterns = definitionPatterns(symbol);
  let best: Definition | undefined;
  for (const hit of hits) {
    const lines = await texts.lines(hit.file);
    if (!lines) continue;
    const from = hit.file.startLines[hit.index]!;
    const to = hit.file.endLines[hit.index]!;
    for (let l = from; l <= to; l++) {
      const text = lines[l - 1];
      if (text === undefined || !text.includes(symbol)) continue;
      const p = patterns.findIndex((re) => re.test(text));
      if (p < 0) continue;
      const strength = patterns.length - p;
      if (!best || strength > best.strength) best = { hit, line: l, strength };
      break;
    }
    if (best && best.strength === patterns.length) break;
  }
  return best;
}

export async function explain(ctx: QueryContext, query: SymbolQuery, options?: QueryOptions): Promise<Explanation> {
  const started = performance.now();
  const texts = new SourceTexts(ctx);
  const fast = options?.fast ?? false;
  const maxTokens = fast ? Math.min(options?.maxTokens ?? HOVER_TOKENS, HOVER_TOKENS) : options?.maxTokens ?? DEFAULT_ANSWER_TOKENS;
  // The query graph was trained to map a bare symbol name to the segment that defines it.
  const key = await queryKey(ctx.model, query.symbol);
  const byModel = topSegments(ctx.memory, key, fast ? 48 : 160);
  if (byModel.length === 0) throw noMemoryError();
  // The file the cursor is in is searched too: definitions are often near their uses.
  const here = ctx.memory.get(query.path);
  const local = here ? overlapping(here, 1, Number.MAX_SAFE_INTEGER) : [];
  for (const h of local) h.score = dot(key, h.file.keys, h.index);
  const seen = new Set(byModel.map((h) => `${h.file.path}#${h.index}`));
  const candidates = [...byModel, ...local.filter((h) => !seen.has(`${h.file.path}#${h.index}`))];
  const definition = await findDefinition(texts, candidates, query.symbol);

  const word = new RegExp(`(^|[^\\w$])${escapeRegExp(query.symbol)}($|[^\\w$])`);
  const uses: Hit[] = [];
  for (const h of byModel) {
    if (uses.length >= CITATIONS) break;
    if (definition && h.file === definition.hit.file && h.index === definition.hit.index) continue;
    if (word.test(await texts.segmentText(h))) uses.push(h);
  }

  const anchor = definition?.hit ?? byModel[0]!;
  const defCitation: Citation | undefined = definition
    ? { path: anchor.file.path, startLine: definition.line, endLine: Math.max(definition.line, anchor.file.endLines[anchor.index]!), score: anchor.score }
    : undefined;
  const tok = ctx.model.tokenizer;
  const p = tok.encode(anchor.file.path).slice(0, 32);
  const sym = tok.encode(query.symbol).slice(0, 16);
  // A hover reads one segment's worth of context: the prefill is most of its latency.
  const budget = Math.min(contextBudget(ctx.model, p.length + sym.length + 5, maxTokens), fast ? ctx.model.config.segmentLength : Infinity);
  const startLine = definition?.line ?? anchor.file.startLines[anchor.index]!;
  const endLine = anchor.file.endLines[Math.min(anchor.file.segmentsRead - 1, anchor.index + 1)]!;
  const context = tok.encode(await texts.text(anchor.file, startLine, endLine)).slice(0, budget);
  const memory = ctx.memory.fileMemory(anchor.file.path) ?? ctx.memory.workspaceMemory()!;
  const citations = [...(defCitation ? [defCitation] : []), ...uses.map(citation)];
  const answer = await answerFrom(ctx, options, citations, explainPrompt(ctx.model, p, context, sym), memory, maxTokens, texts, started);
  return { ...answer, definition: defCitation, uses: uses.map(citation) };
}
