// Choosing model.json's answers.spanThreshold on the dev book (`npm run eval:qa -- --tune-span`).
// evaluate_span.py calibrates the span head's confidence on span tasks made with the training
// wordings; on facts worded otherwise that confidence runs lower, and a threshold that keeps 95%
// precision there lets almost nothing through in the product. Here every planted fact of the dev
// book is asked through the engine with a copy of the model whose threshold is 0, so that every
// answer is the span with its confidence, and the threshold is the lowest confidence above which
// the answers are still exactly right at the target precision. A span answer puts its passage
// first, so every dev question (code too) is also asked without span answers, and the threshold
// must not lower any dev set's top-1 citation. The test sets are never looked at. The dev book's
// unanswerable questions (bench/qa/books.ts) are asked too: a span answer to one is a wrong
// answer, counted against the precision like a wrong span to a planted fact, because a user must
// get "not sure" where the text does not hold the answer. The hand-written questions of the dev
// natural book (bench/qa/natural.ts: real questions about a real book, not planted facts) count
// like the planted facts: every span answer to one is exactly right or wrong, and its
// unanswerable questions are unanswerable questions.
import { mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ANSWER_TYPES, expectedType, type AnswerType } from '../../src/core/answerType';
import type { QuestionSet } from './questions';
import { runSet } from './run';

/** The precision answers above the threshold must keep on the dev facts (evaluate_span.py's target). */
export const PRECISION_TARGET = 0.95;
/** A precision measured on fewer answers than this is no measure: the threshold must let this many through. */
export const MIN_ANSWERED = 8;

export interface ThresholdChoice {
  /** undefined when no threshold reaches the target with MIN_ANSWERED answers. */
  readonly threshold?: number;
  readonly answered: number;
  readonly right: number;
}

/**
 * The lowest confidence c such that the answers with confidence ≥ c are exactly right at least
 * `target` of the time, with at least `minAnswered` of them. Pure, for tests.
 */
export function chooseThreshold(answers: readonly { confidence: number; exact: boolean }[], target = PRECISION_TARGET, minAnswered = MIN_ANSWERED): ThresholdChoice {
  const sorted = [...answers].sort((a, b) => b.confidence - a.confidence);
  let best: ThresholdChoice = { answered: 0, right: 0 };
  let right = 0;
  sorted.forEach((a, i) => {
    right += a.exact ? 1 : 0;
    const n = i + 1;
    // Equal confidences go in or out together: only the last of a run can be a threshold.
    if (i + 1 < sorted.length && sorted[i + 1]!.confidence === a.confidence) return;
    if (n >= minAnswered && right / n >= target) best = { threshold: a.confidence, answered: n, right };
  });
  return best;
}

/**
 * A copy of the model folder (files linked) whose model.json has the given span threshold for
 * every question, whatever the model declares by type, and the given threshold for sole answers
 * (span.ts SpanAnswer.sole; none: sole answers are like the others).
 */
async function withThreshold(modelDir: string, spanThreshold: number, soleThreshold?: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mnemo-span-threshold-'));
  for (const name of await readdir(modelDir)) if (name !== 'model.json') await symlink(join(modelDir, name), join(dir, name));
  const config = JSON.parse(await readFile(join(modelDir, 'model.json'), 'utf8')) as { answers?: Record<string, unknown> };
  await writeFile(join(dir, 'model.json'), JSON.stringify({ ...config, answers: { ...config.answers, spanThreshold, spanThresholds: undefined, soleThreshold } }));
  return dir;
}

/** One dev question: its span's confidence and exactness, and its first citation with and without the span. */
export interface SpanTrial {
  readonly group: string;
  readonly fact: boolean;
  /** The kind of answer the question asks for (answerType.ts), if any. */
  readonly type?: AnswerType;
  readonly confidence: number;
  readonly exact: boolean;
  /** First citation on the answer's lines when the span answers (its passage comes first) / when it does not. */
  readonly top1Span: boolean;
  readonly top1Plain: boolean;
}

/** Top-1 lines per group at threshold t: the span's order where its confidence reaches t. */
export function top1At(trials: readonly SpanTrial[], t: number): Map<string, { span: number; plain: number }> {
  const out = new Map<string, { span: number; plain: number }>();
  for (const x of trials) {
    const g = out.get(x.group) ?? { span: 0, plain: 0 };
    g.span += (x.confidence >= t ? x.top1Span : x.top1Plain) ? 1 : 0;
    g.plain += x.top1Plain ? 1 : 0;
    out.set(x.group, g);
  }
  return out;
}

/**
 * The threshold: the lowest span confidence at which the dev answers given (to planted facts, and
 * to the unanswerable questions whose span confidences are `unanswerable`, -1 for none: each a
 * wrong answer) are exactly right at PRECISION_TARGET (chooseThreshold) and no dev set's top-1
 * lines falls below its figure without span answers (a span answer puts its passage first: a
 * wrong confident span costs the citation).
 */
export function chooseWithCitations(trials: readonly SpanTrial[], unanswerable: readonly number[] = []): ThresholdChoice {
  const facts = [...trials.filter((x) => x.fact), ...unanswerable.filter((c) => c >= 0).map((confidence) => ({ confidence, exact: false }))];
  const candidates = [...new Set(facts.map((x) => x.confidence))].sort((a, b) => a - b);
  for (const t of candidates) {
    const above = facts.filter((x) => x.confidence >= t);
    const choice = chooseThreshold(above);
    if (choice.threshold !== t) continue;
    if ([...top1At(trials, t).values()].every((g) => g.span >= g.plain)) return choice;
  }
  return { answered: 0, right: 0 };
}

/** An unanswerable dev question: its span confidence at threshold 0 (-1: no span) and the kind of answer it asks for. */
export interface UnanswerableTrial {
  readonly confidence: number;
  readonly type?: AnswerType;
}

/**
 * A threshold for each kind of answer that the dev answers of that kind support on their own
 * (chooseWithCitations over the trials and unanswerable questions of that kind: 95% precision on
 * at least MIN_ANSWERED answers, no dev set's top-1 lower); kinds they do not support are left to
 * the one threshold. Each kind's choice loses no top-1 citation on its own questions, so together
 * they lose none either. Pure, for tests.
 */
export function chooseByType(trials: readonly SpanTrial[], unanswerable: readonly UnanswerableTrial[]): Partial<Record<AnswerType, ThresholdChoice>> {
  const out: Partial<Record<AnswerType, ThresholdChoice>> = {};
  for (const type of ANSWER_TYPES) {
    const choice = chooseWithCitations(trials.filter((x) => x.type === type), unanswerable.filter((u) => u.type === type).map((u) => u.confidence));
    if (choice.threshold !== undefined) out[type] = choice;
  }
  return out;
}

/**
 * How many unanswerable questions a threshold `t` answers with a span anyway, from each one's span
 * confidence at threshold 0 (-1 where no span came): the engine shows a span iff its confidence
 * reaches the threshold (src/core/answer.ts buildAnswer). Pure, for tests.
 */
export function answeredAnyway(confidences: readonly number[], t: number): number {
  return confidences.filter((c) => c >= 0 && c >= t).length;
}

/** Asks every dev question with and without span answers; returns the report and the choice. */
export async function tuneSpanThreshold(modelDir: string, sets: readonly QuestionSet[], memoryDir: string, maxFileBytes: number, log: (line: string) => void): Promise<string> {
  const dev = sets.filter((s) => s.split === 'dev');
  if (!dev.some((s) => s.kind === 'book')) throw new Error('--tune-span needs the dev book (models/heldout.json)');
  const naturals = dev.filter((s) => s.kind === 'natural').length;
  const eager = await withThreshold(modelDir, 0);
  const never = await withThreshold(modelDir, 1); // a calibrated confidence is a sigmoid: below 1
  const soleOnly = await withThreshold(modelDir, 1, 0); // sole answers at any confidence, no other
  const trials: SpanTrial[] = [];
  const soleTrials: SpanTrial[] = [];
  // The span confidence of each unanswerable dev question (-1: no span at all), answered at t when ≥ t.
  const unanswerableTrials: UnanswerableTrial[] = [];
  const soleUnanswerable: number[] = [];
  try {
    for (const set of dev) {
      const run = (dir: string, s: QuestionSet): ReturnType<typeof runSet> => runSet(s, { modelDir: dir, cacheDir: memoryDir, modes: ['auto'], maxFileBytes, log });
      // Without span answers nothing is answered anyway: the unanswerable questions are asked with them only.
      const [e, p, o1] = [await run(eager, set), await run(never, { ...set, unanswerable: undefined }), await run(soleOnly, set)];
      const plain = new Map(p.outcomes.map((o) => [o.id, o.top1Lines]));
      const asked = new Map([...set.questions, ...set.unanswerable ?? []].map((q) => [q.id, q.question]));
      const typeOf = (id: string): AnswerType | undefined => expectedType(asked.get(id) ?? '');
      const trialsOf = (outcomes: typeof e.outcomes): SpanTrial[] => outcomes.map((o) => (
        { group: set.group, fact: set.kind === 'book' || set.kind === 'natural', type: typeOf(o.id), confidence: o.confidence ?? -1, exact: o.exact === true, top1Span: o.top1Lines, top1Plain: plain.get(o.id) === true }));
      trials.push(...trialsOf(e.outcomes));
      soleTrials.push(...trialsOf(o1.outcomes));
      for (const o of e.unanswerable ?? []) unanswerableTrials.push({ confidence: o.answeredAnyway ? o.confidence ?? -1 : -1, type: typeOf(o.id) });
      for (const o of o1.unanswerable ?? []) soleUnanswerable.push(o.answeredAnyway ? o.confidence ?? -1 : -1);
      log(`${set.name}: ${e.outcomes.length} questions asked with and without span answers, and with sole answers only${e.unanswerable?.length ? `; ${e.unanswerable.length} unanswerable with them` : ''}`);
    }
  } finally {
    for (const dir of [eager, never, soleOnly]) await rm(dir, { recursive: true, force: true });
  }
  const unanswerable = unanswerableTrials.map((u) => u.confidence);
  const facts = trials.filter((x) => x.fact);
  const groups = [...new Set(trials.map((x) => x.group))];
  const choice = chooseWithCitations(trials, unanswerable);
  const byType = chooseByType(trials, unanswerableTrials);
  const typeLine = (type: AnswerType): string => {
    const c = byType[type];
    const n = facts.filter((x) => x.type === type).length;
    return c?.threshold === undefined
      ? `- ${type} (${n} dev questions): none of its own (fewer than ${MIN_ANSWERED} answers at ${PRECISION_TARGET * 100}% precision, or a top-1 lost); spanThreshold applies`
      : `- ${type} (${n} dev questions): ${c.threshold.toFixed(4)}, ${c.answered} answers, ${c.right} exactly right`;
  };
  const row = (t: number): string => {
    const above = facts.filter((x) => x.confidence >= t);
    const right = above.filter((x) => x.exact).length;
    const top = top1At(trials, t);
    return `| ${t.toFixed(4)} | ${above.length} | ${right} | ${above.length ? (100 * right / above.length).toFixed(1) : '-'} | ${answeredAnyway(unanswerable, t)}/${unanswerable.length} | ${groups.map((g) => `${top.get(g)!.span}/${top.get(g)!.plain}`).join(' | ')} |`;
  };
  const grid = [0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, ...(choice.threshold === undefined ? [] : [choice.threshold])].sort((a, b) => a - b);
  return [
    `Dev sets: ${facts.length} planted facts of the dev book and questions of ${naturals} natural book(s), ${unanswerable.length} unanswerable questions of them (a span answer to one is a wrong answer), ${trials.length - facts.length} code questions; `
      + `with span answers at threshold 0, ${facts.filter((x) => x.exact).length} of the facts and natural questions are answered exactly.`,
    '',
    `| threshold | facts and natural questions answered | exactly right | precision % | unanswerable answered anyway | ${groups.map((g) => `${g} top-1 (span/without)`).join(' | ')} |`,
    `|---:|---:|---:|---:|---:|${groups.map(() => '---:').join('|')}|`,
    ...grid.map(row),
    '',
    choice.threshold === undefined
      ? `No threshold keeps ${PRECISION_TARGET * 100}% precision with ${MIN_ANSWERED} or more answers without lowering a dev set's top-1.`
      : `Chosen: spanThreshold ${choice.threshold.toFixed(4)}, the lowest keeping ${PRECISION_TARGET * 100}% precision with ≥ ${MIN_ANSWERED} answers `
        + `(unanswerable questions answered count as wrong) and no dev set's top-1 lines below its figure without span answers: `
        + `${choice.answered} answers, ${choice.right} exactly right (${answeredAnyway(unanswerable, choice.threshold)} of them to unanswerable questions).`,
    '',
    'By the kind of answer asked for (answers.spanThresholds), each chosen the same way on the dev questions of that kind alone:',
    ...ANSWER_TYPES.map(typeLine),
    '',
    soleLine(soleTrials, soleUnanswerable),
  ].join('\n');
}

/**
 * answers.soleThreshold, chosen the same way on the sole answers alone (span.ts SpanAnswer.sole:
 * the only answer of the asked kind in the sentence naming what the question names), asked with
 * every other span answer turned off: how many there are, how many exactly right, and the
 * unanswerable questions they answer anyway.
 */
function soleLine(trials: readonly SpanTrial[], unanswerable: readonly number[]): string {
  const facts = trials.filter((x) => x.fact && x.confidence >= 0);
  const choice = chooseWithCitations(trials, unanswerable);
  const head = `Sole answers (answers.soleThreshold): ${facts.length} of the facts and natural questions, ${facts.filter((x) => x.exact).length} exactly right, `
    + `confidence ${facts.length ? `${Math.min(...facts.map((x) => x.confidence)).toFixed(4)} to ${Math.max(...facts.map((x) => x.confidence)).toFixed(4)}` : '-'}; `
    + `${answeredAnyway(unanswerable, 0)} of ${unanswerable.length} unanswerable questions answered anyway at any confidence.`;
  return choice.threshold === undefined
    ? `${head} No threshold of their own (fewer than ${MIN_ANSWERED} answers at ${PRECISION_TARGET * 100}% precision, or a top-1 lost).`
    : `${head} Chosen: ${choice.threshold.toFixed(4)}, ${choice.answered} answers, ${choice.right} exactly right.`;
}
