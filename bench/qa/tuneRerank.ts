// Tuning the rerank stage on the dev sets (`npm run eval:qa -- --tune-rerank`): model.json's
// retrieval.rerankWeight (the relevance share in the final order) and retrieval.rerankCandidates
// (how many fused candidates the rerank graph reads). The rerank graph reads each question's
// fused candidates once, from the memory the engine saved; every setting is then ranked offline
// with the engine's own code (fuseHits, SourceTexts, relevance, rerankOrder, buildAnswer).
import type { QuestionSet } from './questions';
import { buildAnswer, type SegmentLines } from '../../src/core/answer';
import { loadModel, type LoadedModel } from '../../src/core/model';
import { CITATIONS, SourceTexts } from '../../src/core/query';
import { relevance, rerankOrder } from '../../src/core/rerank';
import { CANDIDATES, fuseHits, fusionParamsFor, keyHits, lexicalHits, queryKey } from '../../src/core/retrieve';
import { quiet, savedContext, scoreCitations, type Scored } from './tune';

export const RERANK_WEIGHTS = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];
export const RERANK_CANDIDATES = [5, 10, 20, 30];

export interface RerankTrials {
  readonly group: string;
  readonly questions: number;
  readonly lexical: readonly Scored[];
  /** Per setting (`${candidates}/${weight}`), per question; weight 0 is the fused order. */
  readonly reranked: ReadonlyMap<string, readonly Scored[]>;
  /** Seconds the rerank graph took per question (all candidates). */
  readonly secondsPerQuestion: number;
}

const key = (candidates: number, weight: number): string => `${candidates}/${weight}`;

async function trialsOf(set: QuestionSet, model: LoadedModel, modelDir: string, cacheDir: string, maxFileBytes: number): Promise<RerankTrials> {
  const ctx = await savedContext(set, model, modelDir, cacheDir, maxFileBytes);
  const lexical: Scored[] = [];
  const reranked = new Map<string, Scored[]>();
  let seconds = 0;
  const most = Math.max(...RERANK_CANDIDATES);
  for (const question of set.questions) {
    const texts = new SourceTexts(ctx);
    const byWords = lexicalHits(ctx, question.question, CANDIDATES);
    const byModel = keyHits(ctx, await queryKey(model, question.question), CANDIDATES);
    const cite = (segments: readonly SegmentLines[]) => (segments.length ? buildAnswer({ question: question.question, segments }).citations : []);
    lexical.push(scoreCitations(question, cite(await texts.segments(byWords.slice(0, CITATIONS)))));
    const read = await texts.segments(fuseHits(byWords, byModel, fusionParamsFor(ctx, byWords), most));
    const t0 = performance.now();
    const rel = read.length ? await relevance(model, question.question, read.map((s) => s.lines.join('\n'))) : new Float32Array(0);
    seconds += (performance.now() - t0) / 1000;
    for (const n of RERANK_CANDIDATES) {
      const head = read.slice(0, n);
      for (const w of RERANK_WEIGHTS) {
        const order = rerankOrder(head.map((s) => s.citation.score), rel.subarray(0, head.length), w).slice(0, CITATIONS);
        const list = reranked.get(key(n, w)) ?? [];
        list.push(scoreCitations(question, cite(order.map((o) => head[o.index]!))));
        reranked.set(key(n, w), list);
      }
    }
  }
  return { group: set.group, questions: set.questions.length, lexical, reranked, secondsPerQuestion: seconds / Math.max(1, set.questions.length) };
}

interface Choice { readonly candidates: number; readonly weight: number; readonly top1: number; readonly mrr: number; readonly worst: number }

/**
 * The grid (mean top-1 lines over dev groups) and the setting chosen: the best mean top-1 among
 * those at least as good as the lexical index on every dev group (the product rule), then the
 * best MRR, then the smaller weight and fewer candidates (less reading). Weight 0 is the fused
 * order, so the shipped fusion qualifies whenever it does.
 */
export function rerankReport(sets: readonly RerankTrials[]): { text: string; chosen: Choice | undefined } {
  const groups = [...new Set(sets.map((s) => s.group))];
  const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const of = (g: string): RerankTrials[] => sets.filter((s) => s.group === g);
  const lexTop1 = groups.map((g) => mean(of(g).flatMap((s) => s.lexical.map((x) => Number(x.top1)))));
  const choices: Choice[] = [];
  for (const candidates of RERANK_CANDIDATES) {
    for (const weight of RERANK_WEIGHTS) {
      const k = key(candidates, weight);
      const top1 = groups.map((g) => mean(of(g).flatMap((s) => s.reranked.get(k)!.map((x) => Number(x.top1)))));
      const mrr = groups.map((g) => mean(of(g).flatMap((s) => s.reranked.get(k)!.map((x) => x.rr))));
      const n = groups.map((g) => of(g).reduce((a, s) => a + s.questions, 0));
      const worst = Math.min(...groups.map((_, i) => Math.round((top1[i]! - lexTop1[i]!) * n[i]!)));
      choices.push({ candidates, weight, top1: mean(top1), mrr: mean(mrr), worst });
    }
  }
  const better = (a: Choice, b: Choice): boolean =>
    a.top1 !== b.top1 ? a.top1 > b.top1 : a.mrr !== b.mrr ? a.mrr > b.mrr : a.weight !== b.weight ? a.weight < b.weight : a.candidates < b.candidates;
  const fair = choices.filter((c) => c.worst >= 0);
  const chosen = fair.length ? fair.reduce((best, c) => (better(c, best) ? c : best)) : undefined;
  const pct = (x: number): string => (x * 100).toFixed(1);
  const cost = sets.reduce((a, s) => a + s.secondsPerQuestion * s.questions, 0) / Math.max(1, sets.reduce((a, s) => a + s.questions, 0));
  const lines = [
    `Dev groups: ${groups.map((g, i) => `${g} (lexical ${pct(lexTop1[i]!)})`).join(', ')}; lexical mean ${pct(mean(lexTop1))}.`,
    `The rerank graph read ${Math.max(...RERANK_CANDIDATES)} candidates in ${(cost * 1000).toFixed(0)} ms a question on average.`,
    'Mean top-1 lines over the dev groups; weight 0 is the fused order; * = worse than the lexical index on some group (by that many questions at most).',
    '',
    `| candidates \\ weight | ${RERANK_WEIGHTS.join(' | ')} |`,
    `|---|${RERANK_WEIGHTS.map(() => '---|').join('')}`,
    ...RERANK_CANDIDATES.map((n) => `| ${n} | ${RERANK_WEIGHTS.map((w) => {
      const c = choices.find((x) => x.candidates === n && x.weight === w)!;
      return `${pct(c.top1)}${c.worst < 0 ? `*${-c.worst}` : ''}`;
    }).join(' | ')} |`),
    '',
    ...(chosen ? groups.map((g, i) => {
      const mine = (k: string): number => mean(of(g).flatMap((s) => s.reranked.get(k)!.map((x) => Number(x.top1))));
      return `${g}: lexical ${pct(lexTop1[i]!)}, fused ${pct(mine(key(chosen.candidates, 0)))}, chosen ${pct(mine(key(chosen.candidates, chosen.weight)))} (n ${of(g).reduce((a, s) => a + s.questions, 0)})`;
    }) : []),
    chosen
      ? `Chosen: retrieval.rerankCandidates = ${chosen.candidates}, retrieval.rerankWeight = ${chosen.weight} (mean top-1 lines ${pct(chosen.top1)}, MRR ${chosen.mrr.toFixed(3)}).`
      : 'No setting is at least as good as the lexical index on every dev group: leave rerankWeight out of model.json.',
  ];
  return { text: lines.join('\n'), chosen };
}

/** Trials on every set, then the report. */
export async function tuneRerank(modelDir: string, sets: readonly QuestionSet[], cacheDir: string, maxFileBytes: number, log: (line: string) => void): Promise<string> {
  const trials: RerankTrials[] = [];
  const model = await loadModel(modelDir, 'cpu', quiet);
  try {
    for (const set of sets) {
      const t0 = Date.now();
      trials.push(await trialsOf(set, model, modelDir, cacheDir, maxFileBytes));
      log(`${set.name}: ${set.questions.length} questions reranked under every setting (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    }
  } finally {
    await model.runtime.dispose();
  }
  return rerankReport(trials).text;
}
