// Tuning the fused mode on the dev sets (`npm run eval:qa -- --tune`): model.json's
// retrieval.fusionWeight (the lexical share) and retrieval.lexicalMargin (the BM25 drop down to
// which the lexical order is kept at the top) on a grid. Asking the engine once per question
// and setting would take hours on this machine, so each question's two candidate lists are
// taken once, from the memory the engine saved, and every setting is ranked offline with the
// engine's own code: fuseHits (src/core/retrieve.ts), SourceTexts and buildAnswer (the quoted
// lines the citations hold). What this leaves out is the span head: where its span is confident
// the engine's first citation is the span's lines; that is checked by asking the engine each
// question once with model.json's settings and counting where the first citations agree.
import { resolve } from 'node:path';
import type { Citation, Logger } from '../../src/core/api';
import { buildAnswer } from '../../src/core/answer';
import { openEngine } from '../../src/core/engine';
import { LexicalIndex } from '../../src/core/lexicalIndex';
import { WorkspaceMemory } from '../../src/core/memory';
import { memoryVersionOf, type LoadedModel } from '../../src/core/model';
import { CITATIONS, SourceTexts, type QueryContext } from '../../src/core/query';
import { CANDIDATES, fuseHits, fusionParams, hitLines, keyHits, lexicalHits, queryKey, type FusionParams, type Hit } from '../../src/core/retrieve';
import { readSnapshot, workspaceCacheDir } from '../../src/core/store';
import { UNITS_SECTION, UnitIndex } from '../../src/core/structure/units';
import { overlaps, type Question, type QuestionSet } from './questions';
import { MRR_DEPTH } from './run';

/** Lexical shares and margins tried (margin 1 is plain convex fusion, 0 the lexical order). */
export const WEIGHT_GRID = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];
export const MARGIN_GRID = [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1];

/** Top-1 lines and reciprocal rank of one question under one ranking. */
export interface Scored { readonly top1: boolean; readonly rr: number }

export interface TunedSet {
  readonly group: string;
  readonly questions: number;
  /** The lexical index alone. */
  readonly lexical: readonly Scored[];
  /** Per setting (`${weight}/${margin}`), per question. */
  readonly fused: ReadonlyMap<string, readonly Scored[]>;
  /** First citations of the engine's own answer ('auto', model.json's settings) that the offline replica matched. */
  readonly agreement: number;
}

const settingKey = (p: FusionParams): string => `${p.weight}/${p.lexicalMargin}`;

export const quiet: Logger = { info() {}, debug() {}, warn: (m) => process.stderr.write(`warn: ${m}\n`), error: (m) => process.stderr.write(`error: ${m}\n`) };

export function scoreCitations(question: Question, cited: readonly Citation[]): Scored {
  const hit = (c: Citation | undefined): boolean => question.answers.some((a) => overlaps(c, a));
  const rank = cited.slice(0, MRR_DEPTH).findIndex(hit);
  return { top1: hit(cited[0]), rr: rank >= 0 ? 1 / (rank + 1) : 0 };
}

/**
 * The set's saved memory and lexical index as a query context: the engine reads the workspace
 * first (or finds its saved memory current), and `withEngine` may ask it questions before it closes.
 */
export async function savedContext(
  set: QuestionSet, model: LoadedModel, modelDir: string, cacheDir: string, maxFileBytes: number,
  withEngine?: (engine: Awaited<ReturnType<typeof openEngine>>) => Promise<void>,
): Promise<QueryContext> {
  const root = resolve(set.workspace);
  const engine = await openEngine({ root, modelDir, cacheDir, device: 'cpu', maxFileBytes, logger: quiet });
  try {
    await engine.read();
    await withEngine?.(engine);
  } finally {
    await engine.dispose();
  }
  const { sections } = await readSnapshot(workspaceCacheDir(cacheDir, root), { modelId: model.config.id, modelVersion: memoryVersionOf(model.config), root });
  const memory = WorkspaceMemory.deserialize(model.config, sections);
  const lexical = LexicalIndex.deserialize(sections['lexical']!);
  const units = sections[UNITS_SECTION] ? UnitIndex.deserialize(sections[UNITS_SECTION], model.config.keyDim) : undefined;
  return { model, memory, lexical, ...(units ? { units } : {}), root, logger: quiet, coverage: () => 1, maxFileBytes, textCache: new Map() };
}

/**
 * Reads the set's workspace with the engine (or reuses its saved memory), asks each question
 * once in 'auto', then ranks every setting of the grid offline from the saved memory.
 */
export async function tuneSet(set: QuestionSet, model: LoadedModel, modelDir: string, cacheDir: string, maxFileBytes: number): Promise<TunedSet> {
  const engineFirst: (Citation | undefined)[] = [];
  const ctx = await savedContext(set, model, modelDir, cacheDir, maxFileBytes, async (engine) => {
    for (const q of set.questions) engineFirst.push((await engine.ask(q.question, { retrieval: 'auto', rerankWeight: 0, maxTokens: 1 })).citations[0]);
  });
  const shipped = fusionParams(ctx);

  const lexicalScores: Scored[] = [];
  const fused = new Map<string, Scored[]>();
  let agree = 0;
  for (const [i, question] of set.questions.entries()) {
    const byWords = lexicalHits(ctx, question.question, CANDIDATES);
    const byModel = keyHits(ctx, await queryKey(model, question.question), CANDIDATES);
    // Many settings give the same five segments: their citations are worked out once.
    const seen = new Map<string, Citation[]>();
    const citationsOf = async (hits: readonly Hit[]): Promise<Citation[]> => {
      const id = hits.map((h) => { const l = hitLines(h); return `${h.file.path}:${l.startLine}-${l.endLine}`; }).join('|');
      let cited = seen.get(id);
      if (!cited) {
        const segments = await new SourceTexts(ctx).segments(hits);
        cited = segments.length ? buildAnswer({ question: question.question, segments }).citations.slice() : [];
        seen.set(id, cited);
      }
      return cited;
    };
    lexicalScores.push(scoreCitations(question, await citationsOf(byWords.slice(0, CITATIONS))));
    for (const weight of WEIGHT_GRID) {
      for (const lexicalMargin of MARGIN_GRID) {
        const p = { weight, lexicalMargin };
        const list = fused.get(settingKey(p)) ?? [];
        list.push(scoreCitations(question, await citationsOf(fuseHits(byWords, byModel, p, CITATIONS))));
        fused.set(settingKey(p), list);
      }
    }
    const mine = (await citationsOf(fuseHits(byWords, byModel, shipped, CITATIONS)))[0];
    const theirs = engineFirst[i];
    if (mine?.path === theirs?.path && mine?.startLine === theirs?.startLine && mine?.endLine === theirs?.endLine) agree++;
  }
  return { group: set.group, questions: set.questions.length, lexical: lexicalScores, fused, agreement: agree };
}

interface Choice { readonly weight: number; readonly margin: number; readonly top1: number; readonly mrr: number; readonly worst: number }

/**
 * The grid as a table (mean top-1 lines over dev groups per weight and margin) and the setting
 * chosen: the best mean top-1 among the settings that are at least as good as the lexical index
 * on every dev group (the product rule), then the best mean MRR, then the more lexical one
 * (larger weight, then smaller margin). Margin 0 is the lexical order, so one always qualifies.
 */
export function tuneReport(sets: readonly TunedSet[]): { text: string; chosen: Choice } {
  const groups = [...new Set(sets.map((s) => s.group))];
  const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const byGroup = (pick: (s: TunedSet) => readonly Scored[], f: (x: Scored) => number): number[] =>
    groups.map((g) => mean(sets.filter((s) => s.group === g).flatMap((s) => pick(s).map(f))));
  const lexTop1 = byGroup((s) => s.lexical, (x) => Number(x.top1));
  const choices: Choice[] = [];
  for (const weight of WEIGHT_GRID) {
    for (const margin of MARGIN_GRID) {
      const k = settingKey({ weight, lexicalMargin: margin });
      const top1 = byGroup((s) => s.fused.get(k)!, (x) => Number(x.top1));
      const mrr = byGroup((s) => s.fused.get(k)!, (x) => x.rr);
      // In questions, not percent, so that one question's difference is never lost to rounding.
      const worst = Math.min(...groups.map((g, i) => Math.round((top1[i]! - lexTop1[i]!) * sets.filter((s) => s.group === g).reduce((n, s) => n + s.questions, 0))));
      choices.push({ weight, margin, top1: mean(top1), mrr: mean(mrr), worst });
    }
  }
  const better = (a: Choice, b: Choice): boolean =>
    a.top1 !== b.top1 ? a.top1 > b.top1 : a.mrr !== b.mrr ? a.mrr > b.mrr : a.weight !== b.weight ? a.weight > b.weight : a.margin < b.margin;
  const chosen = choices.filter((c) => c.worst >= 0).reduce((best, c) => (better(c, best) ? c : best));
  const pct = (x: number): string => (x * 100).toFixed(1);
  const lines = [
    `Dev groups: ${groups.map((g, i) => `${g} (lexical ${pct(lexTop1[i]!)})`).join(', ')}; lexical mean ${pct(mean(lexTop1))}.`,
    'Mean top-1 lines over the dev groups; * = worse than the lexical index on some group (by that many questions at most).',
    '',
    `| margin \\ weight | ${WEIGHT_GRID.join(' | ')} |`,
    `|---|${WEIGHT_GRID.map(() => '---|').join('')}`,
    ...MARGIN_GRID.map((m) => `| ${m} | ${WEIGHT_GRID.map((w) => {
      const c = choices.find((x) => x.weight === w && x.margin === m)!;
      return `${pct(c.top1)}${c.worst < 0 ? `*${-c.worst}` : ''}`;
    }).join(' | ')} |`),
    '',
    ...groups.map((g, i) => {
      const k = settingKey({ weight: chosen.weight, lexicalMargin: chosen.margin });
      const of = sets.filter((s) => s.group === g);
      return `${g}: lexical ${pct(lexTop1[i]!)}, chosen ${pct(mean(of.flatMap((s) => s.fused.get(k)!.map((x) => Number(x.top1)))))} (n ${of.reduce((n, s) => n + s.questions, 0)})`;
    }),
    `Offline replica vs the engine's own first citation (model.json's settings): ${sets.reduce((n, s) => n + s.agreement, 0)} of ${sets.reduce((n, s) => n + s.questions, 0)} agree.`,
    `Chosen: retrieval.fusionWeight = ${chosen.weight}, retrieval.lexicalMargin = ${chosen.margin} (mean top-1 lines ${pct(chosen.top1)}, MRR ${chosen.mrr.toFixed(3)}; lexical ${pct(mean(lexTop1))}).`,
  ];
  return { text: lines.join('\n'), chosen };
}
