// The rows the span and rerank graphs read: `[bos] question [sep] passage [eos]`, padded at the
// end to one length, with the question cut as both graphs were trained.
import type { SpecialTokens } from './model';

/** Question tokens both graphs saw in training. */
export const MAX_QUESTION_TOKENS = 48;
/** Rows run through a graph at once. */
export const ROWS_PER_RUN = 16;

export interface PairBatch {
  readonly ids: BigInt64Array;
  readonly mask: BigInt64Array;
  /** T: the length every row is padded to. */
  readonly length: number;
  /** Position of each row's first passage token (after `[bos] question [sep]`). */
  readonly offset: number;
}

/** One batch of rows: `question` (token ids, already cut) beside each of `passages` (token ids). */
export function pairBatch(sp: Pick<SpecialTokens, 'bos' | 'sep' | 'eos'>, question: readonly number[], passages: readonly (readonly number[])[]): PairBatch {
  const offset = question.length + 2;
  const T = offset + Math.max(...passages.map((p) => p.length)) + 1;
  const ids = new BigInt64Array(passages.length * T);
  const mask = new BigInt64Array(passages.length * T);
  passages.forEach((p, b) => {
    const row = [sp.bos, ...question, sp.sep, ...p, sp.eos];
    row.forEach((id, i) => { ids[b * T + i] = BigInt(id); mask[b * T + i] = 1n; });
  });
  return { ids, mask, length: T, offset };
}
