// Re-ordering the best fused candidates with the rerank graph, which reads the question beside
// each candidate's text (a cross-encoder: `[bos] question [sep] passage [eos]`, the span head's
// input) and gives one relevance logit. Keyword search and the keys score a question and a
// segment apart, so neither sees that "which function turns a header into a date" describes a
// `parsedate` body; reading the two together can. Only a short list is read (model.json
// retrieval.rerankCandidates), and the final order is a convex combination of the fused and the
// relevance scores, min-max normalised over that list, with the weight tuned on the dev sets.
import { AbortError } from './fsutil';
import type { LoadedModel } from './model';
import { MAX_QUESTION_TOKENS, pairBatch, ROWS_PER_RUN } from './pairRows';

/** How the rerank graph takes part in one query. */
export interface RerankParams {
  /** Share of relevance in the final score, (0, 1]. */
  readonly weight: number;
  /** How many fused candidates it reads. */
  readonly candidates: number;
}

/** Candidates read when model.json names a weight but no count. */
export const DEFAULT_RERANK_CANDIDATES = 20;

// As the rerank graph was trained: the passage cut to 160 tokens (a stored segment is 128 tokens;
// its quoted lines, whole lines around it, a little more).
const MAX_PASSAGE_TOKENS = 160;

/**
 * The rerank settings for one query: the caller's weight (evaluation and tuning), else
 * model.json's; undefined when the model has no rerank graph or the weight is 0.
 */
export function rerankParams(model: LoadedModel, requestedWeight?: number): RerankParams | undefined {
  if (!model.runtime.hasRerank) return undefined;
  const declared = model.config.retrieval;
  const w = requestedWeight ?? declared?.rerankWeight ?? 0;
  if (!Number.isFinite(w) || w <= 0) return undefined;
  return { weight: Math.min(1, w), candidates: declared?.rerankCandidates ?? DEFAULT_RERANK_CANDIDATES };
}

/** One relevance logit per passage for `question`, in passage order. */
export async function relevance(model: LoadedModel, question: string, passages: readonly string[], signal?: AbortSignal): Promise<Float32Array> {
  const { tokenizer, config } = model;
  const sp = config.specialTokens;
  const q = tokenizer.encode(question).slice(0, MAX_QUESTION_TOKENS);
  const width = Math.min(MAX_PASSAGE_TOKENS, config.maxDecoderPositions - q.length - 3);
  const rows = passages.map((p) => tokenizer.encode(p).slice(0, width));
  const out = new Float32Array(rows.length);
  for (let r0 = 0; r0 < rows.length; r0 += ROWS_PER_RUN) {
    if (signal?.aborted) throw new AbortError(undefined, { cause: signal.reason });
    const batch = rows.slice(r0, r0 + ROWS_PER_RUN);
    const { ids, mask } = pairBatch(sp, q, batch);
    out.set(await model.runtime.relevance(ids, mask, batch.length), r0);
  }
  return out;
}

function minMax(values: ArrayLike<number>): number[] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) { lo = Math.min(lo, values[i]!); hi = Math.max(hi, values[i]!); }
  return Array.from(values, (v) => (hi > lo ? (v - lo) / (hi - lo) : 1));
}

/**
 * The new order of candidates given their fused scores (best first) and relevance logits: by
 * (1 − weight)·fused + weight·relevance, each min-max normalised over the list; ties keep the
 * fused order. Returns indices into the list with their combined scores. Pure, for tests.
 */
export function rerankOrder(fused: readonly number[], rel: ArrayLike<number>, weight: number): { index: number; score: number }[] {
  if (fused.length !== rel.length) throw new Error(`rerankOrder: ${fused.length} fused scores but ${rel.length} relevance scores.`);
  const f = minMax(fused);
  const r = minMax(rel);
  return f.map((v, index) => ({ index, score: (1 - weight) * v + weight * r[index]! }))
    .sort((a, b) => b.score - a.score || a.index - b.index);
}
