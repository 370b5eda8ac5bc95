// Finding the stored segments a question is about, over the whole memory: the lexical index
// (BM25 over code-aware terms) and the model's keys (a dot product with every stored key) each
// give their top N, and 'auto' fuses the two lists by a convex combination of their min-max
// normalised scores. Neither side re-ranks the other's short list.
import type { RetrievalMode, RetrievalSource } from './api';
import type { LexicalIndex } from './lexicalIndex';
import { KEY_SCALE, type FileMemory, type WorkspaceMemory } from './memory';
import type { LoadedModel } from './model';

/** One stored segment, how well it matched, and which retrievers found it. */
export interface Hit {
  readonly file: FileMemory;
  readonly index: number;
  score: number;
  sources: RetrievalSource[];
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

/** Score of stored segment `index` of a file's keys against `key`. */
export function keyScore(key: Float32Array, keys: Int8Array, index: number): number {
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
      hits.push({ file, index: s, score, sources: ['model'] });
      if (hits.length > k * 2) {
        hits.sort((a, b) => b.score - a.score).length = k;
        floor = hits[k - 1]!.score;
      }
    }
  }
  return hits.sort((a, b) => b.score - a.score).slice(0, k);
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

/** A scored candidate from one side, named by a key both sides share. */
export interface Scored { readonly key: string; readonly score: number }

/**
 * Convex fusion of two candidate lists: each side's scores are min-max normalised over its own
 * list (a lone candidate, or all equal, count as 1); a candidate a side did not return gets that
 * side's minimum (0). fused = w·lexical + (1 − w)·model. Sorted best first; ties keep the
 * lexical order, then the model's. Pure, for tests.
 */
export function fuse(lexical: readonly Scored[], model: readonly Scored[], w: number): { key: string; score: number; lexical: boolean; model: boolean }[] {
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
  return [...order.keys()]
    .map((key) => ({ key, score: w * (l.get(key) ?? 0) + (1 - w) * (m.get(key) ?? 0), lexical: l.has(key), model: m.has(key) }))
    .sort((a, b) => b.score - a.score || order.get(a.key)! - order.get(b.key)!);
}

export interface RetrieveContext {
  readonly model: LoadedModel;
  readonly memory: WorkspaceMemory;
  readonly lexical: LexicalIndex;
}

/** Clamps a fusion weight to [0, 1]; anything not a number gives the default. */
export function fusionWeight(ctx: RetrieveContext, requested: number | undefined): number {
  const w = requested ?? ctx.model.config.retrieval?.fusionWeight ?? DEFAULT_FUSION_WEIGHT;
  return Number.isFinite(w) ? Math.min(1, Math.max(0, w)) : DEFAULT_FUSION_WEIGHT;
}

/** The best `k` segments for `question`, best first, over every segment (or those under `filter`). */
export async function retrieve(
  ctx: RetrieveContext, question: string, k: number, mode: RetrievalMode, options: { fusionWeight?: number; candidates?: number; filter?: (f: FileMemory) => boolean } = {},
): Promise<Hit[]> {
  const n = Math.max(k, options.candidates ?? CANDIDATES);
  if (mode === 'lexical') return lexicalSegments(ctx.memory, ctx.lexical, question, k, options.filter);
  const byModel = topSegments(ctx.memory, await queryKey(ctx.model, question), mode === 'model' ? k : n, options.filter);
  if (mode === 'model') return byModel;
  const byWords = lexicalSegments(ctx.memory, ctx.lexical, question, n, options.filter);
  const id = (h: Hit): string => `${h.index}\u0000${h.file.path}`;
  const hits = new Map<string, Hit>();
  for (const h of [...byWords, ...byModel]) if (!hits.has(id(h))) hits.set(id(h), h);
  const fused = fuse(byWords.map((h) => ({ key: id(h), score: h.score })), byModel.map((h) => ({ key: id(h), score: h.score })), fusionWeight(ctx, options.fusionWeight));
  return fused.slice(0, k).map((f) => {
    const h = hits.get(f.key)!;
    const sources: RetrievalSource[] = [];
    if (f.lexical) sources.push('lexical');
    if (f.model) sources.push('model');
    return { file: h.file, index: h.index, score: f.score, sources };
  });
}
