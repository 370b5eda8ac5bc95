// Tuning the fused mode on the dev sets (`npm run eval:qa -- --tune`): model.json's
// retrieval.fusionWeight (the lexical share) and retrieval.lexicalMargin (the BM25 drop down to
// which the lexical order is kept at the top) on a grid, shared and per language of the code a
// question is about (retrieval.languages; see tuneReport). Asking the engine once per question
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
import { CANDIDATES, fuseHits, fusionParams, hitLines, keyHits, lexicalHits, queryKey, queryLanguage, type FusionParams, type Hit } from '../../src/core/retrieve';
import { readSnapshot, workspaceCacheDir } from '../../src/core/store';
import { UNITS_SECTION, UnitIndex } from '../../src/core/structure/units';
import { overlaps, type Question, type QuestionSet } from './questions';
import { MRR_DEPTH } from './run';

/** Lexical shares and margins tried (margin 1 is plain convex fusion, 0 the lexical order). */
export const WEIGHT_GRID = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];
export const MARGIN_GRID = [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1];

/** Top-1 lines, top-1 file and reciprocal rank of one question under one ranking. */
export interface Scored { readonly top1: boolean; readonly file: boolean; readonly rr: number }

export interface TunedSet {
  readonly group: string;
  readonly questions: number;
  /** The lexical index alone. */
  readonly lexical: readonly Scored[];
  /** Per setting (`${weight}/${margin}`), per question. */
  readonly fused: ReadonlyMap<string, readonly Scored[]>;
  /** First citations of the engine's own answer ('auto', model.json's settings) that the offline replica matched. */
  readonly agreement: number;
  /** Per question, the language its fusion settings are chosen by (retrieve.ts queryLanguage). */
  readonly languages: readonly (string | undefined)[];
  /**
   * The model's training read this set's source (models/heldout.json readByTraining): it may veto
   * a setting that loses on it, but its gains do not count towards choosing one.
   */
  readonly vetoOnly: boolean;
}

export const settingKey = (p: FusionParams): string => `${p.weight}/${p.lexicalMargin}`;

export const quiet: Logger = { info() {}, debug() {}, warn: (m) => process.stderr.write(`warn: ${m}\n`), error: (m) => process.stderr.write(`error: ${m}\n`) };

export function scoreCitations(question: Question, cited: readonly Citation[]): Scored {
  const hit = (c: Citation | undefined): boolean => question.answers.some((a) => overlaps(c, a));
  const rank = cited.slice(0, MRR_DEPTH).findIndex(hit);
  return { top1: hit(cited[0]), file: question.answers.some((a) => a.path === cited[0]?.path), rr: rank >= 0 ? 1 / (rank + 1) : 0 };
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
export async function tuneSet(set: QuestionSet, model: LoadedModel, modelDir: string, cacheDir: string, maxFileBytes: number, vetoOnly = false): Promise<TunedSet> {
  const engineFirst: (Citation | undefined)[] = [];
  const ctx = await savedContext(set, model, modelDir, cacheDir, maxFileBytes, async (engine) => {
    for (const q of set.questions) engineFirst.push((await engine.ask(q.question, { retrieval: 'auto', rerankWeight: 0, maxTokens: 1 })).citations[0]);
  });
  const lexicalScores: Scored[] = [];
  const fused = new Map<string, Scored[]>();
  const languages: (string | undefined)[] = [];
  let agree = 0;
  for (const [i, question] of set.questions.entries()) {
    const byWords = lexicalHits(ctx, question.question, CANDIDATES);
    const byModel = keyHits(ctx, await queryKey(model, question.question), CANDIDATES);
    const language = queryLanguage(byWords.map((h) => h.file.path));
    languages.push(language);
    const shipped = fusionParams(ctx, {}, language);
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
  return { group: set.group, questions: set.questions.length, lexical: lexicalScores, fused, agreement: agree, languages, vetoOnly };
}

/**
 * One setting: mean top-1 lines and MRR over the groups that may choose; `worst`, the most
 * questions it loses on a group against the lexical index, in top-1 lines or top-1 file (0 when
 * none); `ok`, no group loses a question on either nor any MRR.
 */
export interface Choice { readonly weight: number; readonly margin: number; readonly top1: number; readonly mrr: number; readonly worst: number; readonly ok: boolean }

/** What tuning chose: model.json retrieval.fusionWeight/lexicalMargin, and retrieval.languages. */
export interface Chosen {
  readonly global: Choice;
  readonly languages: ReadonlyMap<string, Choice>;
}

/** Some questions of one dev group: the ones a setting is judged on. */
interface Cell {
  readonly group: string;
  readonly vetoOnly: boolean;
  readonly lexical: readonly Scored[];
  readonly fused: (setting: string) => readonly Scored[];
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const pct = (x: number): string => (x * 100).toFixed(1);

/** Each dev group's questions that `keep` (by set and question index) keeps; empty groups left out. */
function cellsOf(sets: readonly TunedSet[], keep: (s: TunedSet, i: number) => boolean): Cell[] {
  const groups = [...new Set(sets.map((s) => s.group))];
  return groups.map((group) => {
    const of = sets.filter((s) => s.group === group);
    const pick = <T>(list: (s: TunedSet) => readonly T[]): T[] => of.flatMap((s) => list(s).filter((_, i) => keep(s, i)));
    return { group, vetoOnly: of.some((s) => s.vetoOnly), lexical: pick((s) => s.lexical), fused: (k: string) => pick((s) => s.fused.get(k)!) };
  }).filter((c) => c.lexical.length > 0);
}

/**
 * The setting chosen for some cells: the best mean top-1 lines over the cells that may choose
 * (not vetoOnly) among the settings at least as good as the lexical index on every cell in top-1
 * lines, top-1 file and MRR (the product rule; vetoOnly cells included), then the best mean MRR, then the more lexical one
 * (larger weight, then smaller margin). Margin 0 is the lexical order, so one always qualifies;
 * with no cell that may choose, that is what is chosen. Also every setting, for the grid.
 */
export function chooseSetting(cells: readonly Cell[]): { chosen: Choice; choices: Choice[] } {
  const choosing = cells.filter((c) => !c.vetoOnly);
  const choices: Choice[] = [];
  for (const weight of WEIGHT_GRID) {
    for (const margin of MARGIN_GRID) {
      const k = settingKey({ weight, lexicalMargin: margin });
      // In questions, not percent, so that one question's difference is never lost to rounding.
      const count = (xs: readonly Scored[], f: (x: Scored) => boolean): number => xs.filter(f).length;
      const worst = Math.min(0, ...cells.flatMap((c) => [
        count(c.fused(k), (x) => x.top1) - count(c.lexical, (x) => x.top1),
        count(c.fused(k), (x) => x.file) - count(c.lexical, (x) => x.file),
      ]));
      const sum = (xs: readonly Scored[]): number => xs.reduce((a, x) => a + x.rr, 0);
      const ok = worst === 0 && cells.every((c) => sum(c.fused(k)) >= sum(c.lexical) - 1e-9);
      const top1 = mean(choosing.map((c) => mean(c.fused(k).map((x) => Number(x.top1)))));
      const mrr = mean(choosing.map((c) => mean(c.fused(k).map((x) => x.rr))));
      choices.push({ weight, margin, top1, mrr, worst, ok });
    }
  }
  const better = (a: Choice, b: Choice): boolean =>
    a.top1 !== b.top1 ? a.top1 > b.top1 : a.mrr !== b.mrr ? a.mrr > b.mrr : a.weight !== b.weight ? a.weight > b.weight : a.margin < b.margin;
  const chosen = choices.filter((c) => c.ok).reduce((best, c) => (better(c, best) ? c : best));
  return { chosen, choices };
}

function gridTable(choices: readonly Choice[]): string[] {
  return [
    `| margin \\ weight | ${WEIGHT_GRID.join(' | ')} |`,
    `|---|${WEIGHT_GRID.map(() => '---|').join('')}`,
    ...MARGIN_GRID.map((m) => `| ${m} | ${WEIGHT_GRID.map((w) => {
      const c = choices.find((x) => x.weight === w && x.margin === m)!;
      return `${pct(c.top1)}${c.worst < 0 ? `*${-c.worst}` : c.ok ? '' : '*mrr'}`;
    }).join(' | ')} |`),
  ];
}

/**
 * The grids and the settings chosen. The shared setting (retrieval.fusionWeight and
 * lexicalMargin) is chosen on every dev question, so that prose and languages without a dev set
 * get a setting no dev group loses with. Then each language that dev questions are about
 * (retrieve.ts queryLanguage: python, javascript) gets its own (retrieval.languages), chosen on
 * those questions alone, per dev group: a language's setting must not lose on any group's
 * questions in that language, which is enough for no group to lose, whatever the other
 * languages' settings.
 */
export function tuneReport(sets: readonly TunedSet[]): { text: string; chosen: Chosen } {
  const all = chooseSetting(cellsOf(sets, () => true));
  const names = [...new Set(sets.flatMap((s) => s.languages).filter((l): l is string => l !== undefined))].sort();
  const languages = new Map<string, Choice>();
  const lines: string[] = [];
  const describe = (cells: readonly Cell[]): string => cells.map((c) => `${c.group} ${c.lexical.length}${c.vetoOnly ? ' (veto only)' : ''}`).join(', ');
  const allCells = cellsOf(sets, () => true);
  lines.push(
    `Every dev question (the shared setting): ${describe(allCells)}; lexical mean ${pct(mean(allCells.map((c) => mean(c.lexical.map((x) => Number(x.top1))))))}.`,
    'Mean top-1 lines over the groups that may choose; * = worse than the lexical index on some group: by that many questions at most in top-1 lines or file, or (*mrr) in MRR only.',
    '', ...gridTable(all.choices), '',
  );
  for (const name of names) {
    const cells = cellsOf(sets, (s, i) => s.languages[i] === name);
    const { chosen, choices } = chooseSetting(cells);
    languages.set(name, chosen);
    lines.push(`Questions about ${name}: ${describe(cells)}.`, '', ...gridTable(choices), '');
  }
  // Each question under its own language's choice, as the engine would rank it.
  const settingOf = (language: string | undefined): string => {
    const c = (language !== undefined ? languages.get(language) : undefined) ?? all.chosen;
    return settingKey({ weight: c.weight, lexicalMargin: c.margin });
  };
  for (const g of [...new Set(sets.map((s) => s.group))]) {
    const of = sets.filter((s) => s.group === g);
    const lex = of.flatMap((s) => s.lexical);
    const got = of.flatMap((s) => s.lexical.map((_, i) => s.fused.get(settingOf(s.languages[i]))![i]!));
    const count = (xs: readonly Scored[], f: (x: Scored) => boolean): number => xs.filter(f).length;
    lines.push(`${g}: lexical → chosen, of ${lex.length}: top-1 lines ${count(lex, (x) => x.top1)} → ${count(got, (x) => x.top1)}, top-1 file ${count(lex, (x) => x.file)} → ${count(got, (x) => x.file)}; MRR ${mean(lex.map((x) => x.rr)).toFixed(3)} → ${mean(got.map((x) => x.rr)).toFixed(3)}`);
  }
  const fmt = (c: Choice): string => `{ "fusionWeight": ${c.weight}, "lexicalMargin": ${c.margin} }`;
  lines.push(
    `Offline replica vs the engine's own first citation (model.json's settings): ${sets.reduce((n, s) => n + s.agreement, 0)} of ${sets.reduce((n, s) => n + s.questions, 0)} agree.`,
    `Chosen: retrieval ${fmt(all.chosen)} (mean top-1 lines ${pct(all.chosen.top1)}, MRR ${all.chosen.mrr.toFixed(3)}), retrieval.languages { ${[...languages].map(([n, c]) => `"${n}": ${fmt(c)}`).join(', ')} }.`,
  );
  return { text: lines.join('\n'), chosen: { global: all.chosen, languages } };
}
