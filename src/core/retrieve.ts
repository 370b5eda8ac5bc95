// Finding the places a question is about, over the whole memory: stored segments and, in parsed
// source files, definition units (a function, method or class, structure/units.ts). The lexical
// index (BM25 over code-aware terms) and the model's keys (a dot product with every stored key)
// each give their top N, and 'auto' fuses the two lists by a convex combination of their min-max
// normalised scores, except where the lexical side is confident: there its order is kept (see
// fuse). Neither side re-ranks the other's short list.
import type { RetrievalMode, RetrievalSource } from './api';
import type { LexicalIndex } from './lexicalIndex';
import { KEY_SCALE, type FileMemory, type WorkspaceMemory } from './memory';
import type { LoadedModel } from './model';
import { languageOfPath } from './structure/languages';
import type { Unit, UnitHit, UnitIndex } from './structure/units';

/**
 * One place found, how well it matched, and which retrievers found it: stored segment `index` of
 * `file`, or, when `unit` is set, the file's definition unit `index` (structure/units.ts), which
 * cites the unit's own lines.
 */
export interface Hit {
  readonly file: FileMemory;
  readonly index: number;
  readonly unit?: Unit;
  score: number;
  sources: RetrievalSource[];
}

/** The lines a hit cites: its unit's, else its segment's. */
export function hitLines(hit: Hit): { startLine: number; endLine: number } {
  return hit.unit ?? { startLine: hit.file.startLines[hit.index]!, endLine: hit.file.endLines[hit.index]! };
}

/**
 * Share of the lexical side when neither the caller nor model.json says otherwise. mnemo-m1's
 * keys alone found the right function for 0 of 139 (attr) and 0 of 30 (yaml) docstring
 * questions on the dev sets of models/heldout.json, where the lexical index found 101 and 14
 * (bench/docstringTop1.ts); fused top-1 was the same for every weight from 0.7 to 1 there, and
 * on test/fixtures/codebase 0.8 lost 2 of 17 that 0.9 kept. So the keys only break near-ties:
 * with w = 0.9 a segment can overtake the lexical first only if its own normalised lexical
 * score is at least 1 − (1 − w)/w ≈ 0.89. A model whose keys measure better declares its own
 * weight in model.json (retrieval.fusionWeight, tuned on the dev sets).
 */
export const DEFAULT_FUSION_WEIGHT = 0.9;

/**
 * Lexical margin when model.json gives none: the lexical order is kept at the top while each
 * step down its list drops the raw BM25 score by at least this fraction (see fuse). 0.1 is what
 * the dev sets chose for mnemo-m2 over segments alone (with weight 0.6; bench/qa/tune.ts); with
 * definition units it declares 0.05. A margin only matters
 * below (1 − w)/w: a segment can overtake BM25's first only if the first's drop to it is under
 * that (0.11 at the default weight 0.9), so with the defaults nearly every first place is kept.
 * A model declares its own margin, tuned on the dev sets, in retrieval.lexicalMargin.
 */
export const DEFAULT_LEXICAL_MARGIN = 0.1;

/** How two candidate lists are fused: model.json `retrieval`, or the defaults above. */
export interface FusionParams {
  /** Share of the lexical side in the fused score, in [0, 1]. */
  readonly weight: number;
  /**
   * Relative drop of the raw BM25 score, in [0, 1], at or above which a step down the lexical list
   * counts as clear. 0 keeps the whole lexical order; 1 keeps only a lexical side with a lone
   * candidate (or a second scored 0), i.e. plain convex fusion.
   */
  readonly lexicalMargin: number;
}

/** Candidates each side contributes to the fusion. */
export const CANDIDATES = 100;

/** Encodes a question into a query key `[K]`. */
export async function queryKey(model: LoadedModel, text: string): Promise<Float32Array> {
  // The same hashed-feature table that keyed the segments keys the question (see staticKeys.ts).
  if (model.staticKeys) return model.staticKeys.key(text);
  const ids = model.tokenizer.encode(text).slice(0, model.config.maxQueryTokens);
  if (ids.length === 0) ids.push(model.config.specialTokens.pad);
  const key = await model.runtime.encodeQuery(BigInt64Array.from(ids, (v) => BigInt(v)), new BigInt64Array(ids.length).fill(1n));
  return key.slice(0, model.config.keyDim);
}

/**
 * Score of stored segment `index` of a file's keys against `key` (`q`: the key as float64, see
 * topSegments). The products are added in index order, four a step: every score is bit-identical
 * to a plain `for` loop's (each product of a float32 and an int8 is exact in float64, and the
 * additions happen in the same order), while the unrolled loop runs ~1.3x faster in V8; at 10M
 * tokens this loop over every stored key is most of the model side's retrieval time.
 */
export function keyScore(q: Float64Array, keys: Int8Array, index: number): number {
  const K = q.length;
  let o = index * K;
  let d = 0;
  let i = 0;
  for (; i + 3 < K; i += 4, o += 4) {
    d += q[i]! * keys[o]!;
    d += q[i + 1]! * keys[o + 1]!;
    d += q[i + 2]! * keys[o + 2]!;
    d += q[i + 3]! * keys[o + 3]!;
  }
  for (; i < K; i++, o++) d += q[i]! * keys[o]!;
  return d / KEY_SCALE;
}

/**
 * The best `k` hits offered to it, best first, equal scores in the order offered. Holds at most 2k
 * between trims, so a scan over every stored key stays linear; `beats` says whether a score can
 * still get in, so that a caller skips the work of making a hit that cannot.
 */
class BestHits {
  private readonly hits: Hit[] = [];
  private floor = -Infinity;

  constructor(private readonly k: number) {}

  beats(score: number): boolean {
    return this.hits.length < this.k || score > this.floor;
  }

  add(hit: Hit): void {
    this.hits.push(hit);
    if (this.hits.length > this.k * 2) {
      this.hits.sort((a, b) => b.score - a.score).length = this.k;
      this.floor = this.hits[this.k - 1]!.score;
    }
  }

  best(): Hit[] {
    return this.hits.sort((a, b) => b.score - a.score).slice(0, this.k);
  }
}

/**
 * The `k` stored segments whose keys score highest against `key`, optionally only under `filter`;
 * best first, equal scores in memory order.
 */
export function topSegments(memory: WorkspaceMemory, key: Float32Array, k: number, filter?: (f: FileMemory) => boolean): Hit[] {
  const q = Float64Array.from(key);
  const best = new BestHits(k);
  for (const file of memory.entries()) {
    if (filter && !filter(file)) continue;
    for (let s = 0; s < file.segmentsRead; s++) {
      const score = keyScore(q, file.keys, s);
      if (best.beats(score)) best.add({ file, index: s, score, sources: ['model'] });
    }
  }
  return best.best();
}

/** The lexical index's best `k` segments that are in memory, as hits. */
export function lexicalSegments(memory: WorkspaceMemory, index: LexicalIndex, question: string, k: number, filter?: (f: FileMemory) => boolean): Hit[] {
  const out: Hit[] = [];
  // Asked for a few more: the index may briefly hold segments memory has not published yet.
  for (const h of index.query(question, filter ? k * 4 : k + 8)) {
    const file = memory.get(h.path);
    if (!file || h.segment >= file.segmentsRead || (filter && !filter(file))) continue;
    out.push({ file, index: h.segment, score: h.score, sources: ['lexical'] });
    if (out.length >= k) break;
  }
  return out;
}

/**
 * The file in memory whose units can be cited: memory holds the same version of the file (same
 * sha1) as the units were made from, has read some of it, and it passes `filter`.
 */
function citableFile(memory: WorkspaceMemory, units: UnitIndex, path: string, filter?: (f: FileMemory) => boolean): FileMemory | undefined {
  const file = memory.get(path);
  if (!file || file.segmentsRead === 0 || units.get(path)?.sha1 !== file.sha1 || (filter && !filter(file))) return undefined;
  return file;
}

/** Whether memory has read `file` at least to the unit's last line. */
function readThrough(file: FileMemory, unit: Unit): boolean {
  return file.segmentsRead >= file.segmentsTotal || unit.endLine <= file.endLines[file.segmentsRead - 1]!;
}

function unitHits(memory: WorkspaceMemory, units: UnitIndex, found: readonly UnitHit[], k: number, source: RetrievalSource, filter?: (f: FileMemory) => boolean): Hit[] {
  const out: Hit[] = [];
  for (const h of found) {
    const file = citableFile(memory, units, h.path, filter);
    if (!file || !readThrough(file, h.unit)) continue;
    out.push({ file, index: h.index, unit: h.unit, score: h.score, sources: [source] });
    if (out.length >= k) break;
  }
  return out;
}

/** The `k` definition units whose keys score highest against `key` (units keyed with the model's static keys only). */
export function topUnits(memory: WorkspaceMemory, units: UnitIndex, key: Float32Array, k: number, filter?: (f: FileMemory) => boolean): Hit[] {
  const q = Float64Array.from(key);
  const best = new BestHits(k);
  for (const [path, f] of units.entries()) {
    if (f.keys.length === 0) continue;
    const file = citableFile(memory, units, path, filter);
    if (!file) continue;
    f.units.forEach((unit, i) => {
      const score = keyScore(q, f.keys, i);
      if (best.beats(score) && readThrough(file, unit)) best.add({ file, index: i, unit, score, sources: ['model'] });
    });
  }
  return best.best();
}

/** Best first by score; equal scores keep the order of `a` before `b`. */
function merged(a: readonly Hit[], b: readonly Hit[], k: number): Hit[] {
  return [...a, ...b].sort((x, y) => y.score - x.score).slice(0, k);
}

/**
 * Weight of a definition unit's BM25 score against a segment's. Units and segments have their
 * own indexes (own document counts and lengths), and a segment holding a function also holds its
 * neighbours' words and its file's path words, so at weight 1 the segment around a function
 * often outranked the function itself: on the dev code sets of eval:qa (312 questions) lexical
 * top-1 lines was 44 with segments alone, 53 with units at weight 1, 45 at 0.8, 70 at 1.3, 71
 * at 1.6, 70 at 2, 3 and 100 (units always first). 1.5 sits on that plateau while a prose
 * segment that matches clearly better still outranks a function that matches in passing.
 */
export const UNIT_WEIGHT = 1.5;

/**
 * The lexical side's best `k` places: segments and definition units ranked together by BM25,
 * units weighted by UNIT_WEIGHT.
 */
export function lexicalHits(ctx: RetrieveContext, question: string, k: number, filter?: (f: FileMemory) => boolean): Hit[] {
  const segments = lexicalSegments(ctx.memory, ctx.lexical, question, k, filter);
  if (!ctx.units) return segments;
  const units = unitHits(ctx.memory, ctx.units, ctx.units.query(question, filter ? k * 4 : k + 8), k, 'lexical', filter);
  for (const h of units) h.score *= UNIT_WEIGHT;
  return merged(segments, units, k);
}

/** The model side's best `k` places: segments' and definition units' keys against `key`, ranked together. */
export function keyHits(ctx: RetrieveContext, key: Float32Array, k: number, filter?: (f: FileMemory) => boolean): Hit[] {
  const segments = topSegments(ctx.memory, key, k, filter);
  return ctx.units ? merged(segments, topUnits(ctx.memory, ctx.units, key, k, filter), k) : segments;
}

/** A scored candidate from one side, named by a key both sides share. */
export interface Scored { readonly key: string; readonly score: number }

/**
 * How many leading lexical candidates (best first) keep their order: from the first, as long as
 * each next one scores at most (1 − margin) times the one before it in raw BM25. 0 when the
 * first's drop to the second is not clear; 1 for a lone candidate. Raw scores, not normalised
 * ones: the ratio of two BM25 scores of one query does not depend on how long the list is.
 */
export function confidentPrefix(lexical: readonly Scored[], margin: number): number {
  if (lexical.length === 0) return 0;
  let n = 1;
  while (n < lexical.length && lexical[n]!.score <= (1 - margin) * lexical[n - 1]!.score) n++;
  // The first place is kept only when its drop to the second is clear (or it stands alone).
  return n === 1 && lexical.length > 1 ? 0 : n;
}

export interface Fused { key: string; score: number; lexical: boolean; model: boolean }

/**
 * Fusion of two candidate lists. Each side's scores are min-max normalised over its own list (a
 * lone candidate, or all equal, count as 1); a candidate a side did not return gets that side's
 * minimum (0); fused = w·lexical + (1 − w)·model, ties keeping the lexical order, then the model's.
 *
 * Min-max fusion alone lets keys overrule a keyword match that is not close at all: the
 * normalised scale hides how far BM25's first stands above its second. So where the raw BM25
 * scores fall clearly from one candidate to the next (a drop of at least `lexicalMargin`, see
 * confidentPrefix), those leading candidates keep the lexical order at the top; the keys reorder
 * only from the first near-tie down. A kept place reports at least the fused score of what it
 * was kept above, so scores still fall down the list. Pure, for tests.
 */
export function fuse(lexical: readonly Scored[], model: readonly Scored[], params: FusionParams): Fused[] {
  const w = params.weight;
  const norm = (list: readonly Scored[]): Map<string, number> => {
    let lo = Infinity;
    let hi = -Infinity;
    for (const c of list) { lo = Math.min(lo, c.score); hi = Math.max(hi, c.score); }
    const out = new Map<string, number>();
    for (const c of list) out.set(c.key, hi > lo ? (c.score - lo) / (hi - lo) : 1);
    return out;
  };
  const l = norm(lexical);
  const m = norm(model);
  const order = new Map<string, number>();
  for (const c of [...lexical, ...model]) if (!order.has(c.key)) order.set(c.key, order.size);
  const kept = lexical.slice(0, confidentPrefix(lexical, params.lexicalMargin)).map((c) => c.key);
  const isKept = new Set(kept);
  const scored = (key: string): Fused => ({ key, score: w * (l.get(key) ?? 0) + (1 - w) * (m.get(key) ?? 0), lexical: l.has(key), model: m.has(key) });
  const rest = [...order.keys()].filter((key) => !isKept.has(key)).map(scored)
    .sort((a, b) => b.score - a.score || order.get(a.key)! - order.get(b.key)!);
  const head = kept.map(scored);
  for (let i = head.length - 1; i >= 0; i--) head[i]!.score = Math.max(head[i]!.score, i + 1 < head.length ? head[i + 1]!.score : rest[0]?.score ?? 0);
  return [...head, ...rest];
}

export interface RetrieveContext {
  readonly model: LoadedModel;
  readonly memory: WorkspaceMemory;
  readonly lexical: LexicalIndex;
  /** Definition units of the parsed source files; without it, segments only. */
  readonly units?: UnitIndex;
}

/**
 * The language whose fusion settings (model.json retrieval.languages) apply to a file: its
 * grammar's language, with TypeScript counted as JavaScript (one JSDoc convention, and the keys'
 * training pairs and the dev sets mix the two); undefined for prose and data.
 */
export function fusionLanguage(path: string): string | undefined {
  const language = languageOfPath(path);
  return language === 'typescript' || language === 'tsx' ? 'javascript' : language;
}

/** How many of the lexical side's best candidates decide a query's language. */
export const LANGUAGE_CANDIDATES = 10;

/**
 * The language a query is answered in: the one (prose and data counting as one, undefined) that
 * most of the files of the lexical side's best LANGUAGE_CANDIDATES candidates are in; a tie goes
 * to the language that ranks first. Why per language: how far the keys can be trusted depends on
 * the code they rank (mnemo-m2's static keys, trained mostly on Python, gain on the Python dev
 * sets and lose on JavaScript they have not seen: models/mnemo-m2/MODEL_CARD.md), and a query's
 * candidates say what code it is about. The lexical side rather than the keys decides, so that
 * keys that go astray cannot choose their own weight.
 */
export function queryLanguage(paths: readonly string[]): string | undefined {
  // A Map iterates in insertion order: languages in the order they first rank.
  const count = new Map<string | undefined, number>();
  for (const path of paths.slice(0, LANGUAGE_CANDIDATES)) {
    const language = fusionLanguage(path);
    count.set(language, (count.get(language) ?? 0) + 1);
  }
  let best: string | undefined;
  let bestCount = 0;
  for (const [language, n] of count) if (n > bestCount) { best = language; bestCount = n; }
  return best;
}

/** One fusion setting: asked for, else model.json's, else the default; clamped to [0, 1]. */
function unitOr(requested: number | undefined, declared: number | undefined, fallback: number): number {
  const v = requested ?? declared ?? fallback;
  return Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : fallback;
}

/**
 * The fusion settings for one query: the caller's (evaluation and tuning), else model.json's for
 * the query's `language` (retrieval.languages, see queryLanguage), else model.json's own, else
 * the defaults; each setting on its own.
 */
export function fusionParams(ctx: RetrieveContext, requested: { fusionWeight?: number; lexicalMargin?: number } = {}, language?: string): FusionParams {
  const declared = ctx.model.config.retrieval;
  const own = language !== undefined ? declared?.languages?.[language] : undefined;
  return {
    weight: unitOr(requested.fusionWeight, own?.fusionWeight ?? declared?.fusionWeight, DEFAULT_FUSION_WEIGHT),
    lexicalMargin: unitOr(requested.lexicalMargin, own?.lexicalMargin ?? declared?.lexicalMargin, DEFAULT_LEXICAL_MARGIN),
  };
}

/** The fusion settings for a query whose lexical candidates are `byWords` (its language is theirs). */
export function fusionParamsFor(ctx: RetrieveContext, byWords: readonly Hit[], requested: { fusionWeight?: number; lexicalMargin?: number } = {}): FusionParams {
  return fusionParams(ctx, requested, queryLanguage(byWords.map((h) => h.file.path)));
}

/** The best `k` segments for `question`, best first, over every segment (or those under `filter`). */
export async function retrieve(
  ctx: RetrieveContext, question: string, k: number, mode: RetrievalMode,
  options: { fusionWeight?: number; lexicalMargin?: number; candidates?: number; filter?: (f: FileMemory) => boolean } = {},
): Promise<Hit[]> {
  const n = Math.max(k, options.candidates ?? CANDIDATES);
  if (mode === 'lexical') return lexicalHits(ctx, question, k, options.filter);
  const byModel = keyHits(ctx, await queryKey(ctx.model, question), mode === 'model' ? k : n, options.filter);
  if (mode === 'model') return byModel;
  const byWords = lexicalHits(ctx, question, n, options.filter);
  return fuseHits(byWords, byModel, fusionParamsFor(ctx, byWords, options), k);
}

/** The best `k` of two sides' hits by fuse; each says which sides found it. */
export function fuseHits(byWords: readonly Hit[], byModel: readonly Hit[], params: FusionParams, k: number): Hit[] {
  const id = (h: Hit): string => `${h.unit ? 'u' : ''}${h.index}\u0000${h.file.path}`;
  const hits = new Map<string, Hit>();
  for (const h of [...byWords, ...byModel]) if (!hits.has(id(h))) hits.set(id(h), h);
  const fused = fuse(byWords.map((h) => ({ key: id(h), score: h.score })), byModel.map((h) => ({ key: id(h), score: h.score })), params);
  return fused.slice(0, k).map((f) => {
    const h = hits.get(f.key)!;
    const sources: RetrievalSource[] = [];
    if (f.lexical) sources.push('lexical');
    if (f.model) sources.push('model');
    return { file: h.file, index: h.index, ...(h.unit ? { unit: h.unit } : {}), score: f.score, sources };
  });
}
