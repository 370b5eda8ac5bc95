// Asks every question of a set of the engine, once per retrieval mode, and scores the answers.
// The engine reads each workspace once; its memory is saved in a cache folder per model, so a
// second run over unchanged workspaces only checks the files and goes straight to the questions.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Answer, Citation, Logger, QueryOptions } from '../../src/core/api';
import { openEngine } from '../../src/core/engine';
import { memoryVersionOf, type ModelConfig } from '../../src/core/model';
import { babiExtra, type FirstCited } from './babiScore';
import { overlaps, type Question, type QuestionSet } from './questions';

/**
 * What the evaluation compares: the engine's `retrieval` modes (api.ts RetrievalMode), with the
 * fused mode twice when the model has a rerank graph: 'auto' is the fusion of keyword search and
 * the keys alone (rerankWeight 0), 'reranked' the engine's default, the fused list re-ordered by
 * the rerank graph (src/core/rerank.ts), so that what each part adds is measured.
 */
export const MODES = ['lexical', 'model', 'auto', 'reranked'] as const;
export type Mode = (typeof MODES)[number];

/** The engine's query options for each mode. */
export const MODE_QUERY: Record<Mode, Pick<QueryOptions, 'retrieval' | 'rerankWeight'>> = {
  lexical: { retrieval: 'lexical' }, model: { retrieval: 'model' }, auto: { retrieval: 'auto', rerankWeight: 0 }, reranked: { retrieval: 'auto' },
};

/** Column names of the modes in the report. */
export const MODE_LABEL: Record<Mode, string> = { lexical: 'lexical', model: 'model keys', auto: 'fused', reranked: 'fused + rerank' };

/** The modes worth asking with a model: 'reranked' only when it has a rerank graph it uses. */
export function modesFor(config: Pick<ModelConfig, 'graphs' | 'retrieval'>): Mode[] {
  const reranks = config.graphs.rerank !== undefined && (config.retrieval?.rerankWeight ?? 0) > 0;
  return MODES.filter((m) => m !== 'reranked' || reranks);
}

/** Citations scored for MRR: the first 10 (MRR@10), or all the engine gives if fewer. */
export const MRR_DEPTH = 10;

/** How one question fared in one mode. */
export interface Outcome {
  readonly id: string;
  readonly mode: Mode;
  readonly top1File: boolean;
  readonly top1Lines: boolean;
  /** 1/rank of the first citation (of the first MRR_DEPTH) that overlaps an answer, else 0. */
  readonly reciprocalRank: number;
  readonly citations: number;
  /** ms from asking to the citations (retrieval), and to the whole answer. */
  readonly retrievalMs: number;
  readonly answerMs: number;
  /** Facts: the value is in the first quoted passage; the answer text is exactly the value. */
  readonly inFirstPassage?: boolean;
  readonly exact?: boolean;
  readonly answerKind?: string;
  readonly answerText?: string;
  /** Facts answered with a span: the span head's calibrated confidence. */
  readonly confidence?: number;
  /** Unanswerable questions: a span answer came although the text cannot answer (top-1 and MRR are 0 and mean nothing). */
  readonly answeredAnyway?: boolean;
  /** bAbI questions (babiScore.ts): the "latest mention" baseline over the citations, and what the first citation holds. */
  readonly latestMention?: boolean;
  /** Natural questions (natural.ts): exact, wrong or unsure (verdictOf), and whether any citation holds an evidence line. */
  readonly verdict?: Verdict;
  readonly anyCited?: boolean;
  /** Natural questions: the first citation as path:start-end, for the list of dev failures. */
  readonly firstCitation?: string;
  readonly latestMentionAnswer?: string;
  readonly firstCited?: FirstCited;
}

export interface ReadInfo {
  readonly seconds: number;
  readonly tokens: number;
  readonly filesRead: number;
  readonly filesReused: number;
  readonly skipped: readonly string[];
}

export interface SetOutcome {
  readonly set: Omit<QuestionSet, 'questions' | 'unanswerable'> & { readonly questions: number; readonly unanswerable?: number };
  readonly read: ReadInfo;
  /** The set's questions; every figure of the report but the unanswerable column is made of these. */
  readonly outcomes: Outcome[];
  /** The set's unanswerable questions (books), kept apart so that no other figure counts them. */
  readonly unanswerable?: Outcome[];
}

// The answer fields of the contract (api.ts after the engine branch): read when present, so that
// this file works before and after it lands.
type ContractAnswer = Answer & {
  readonly kind?: 'span' | 'passages' | 'generated';
  readonly passages?: readonly { readonly citation: Citation; readonly text: string }[];
};

/** Lowercase, no surrounding punctuation or space: "48213." and " 48213" are the value 48213. */
export function normalise(s: string): string {
  return s.toLowerCase().replace(/\s+/g, ' ').replace(/^[\s"'“”‘’.,;:!?()]+|[\s"'“”‘’.,;:!?()]+$/g, '');
}

/**
 * The answer sentence: the first paragraph of an answer's text (src/core/api.ts Answer.text).
 * A span answer quotes its passage after it, so the whole text is never just the value.
 */
export function answerSentence(text: string): string {
  return text.split(/\n\s*\n/)[0] ?? '';
}

/** How an answer to a natural question fares: see verdictOf. */
export type Verdict = 'exact' | 'wrong' | 'unsure';

/**
 * The verdict on one answer to a question with accepted answers: exact when its answer sentence
 * (trimmed as normalise does) is one of them; wrong when it claims an answer (kind span or
 * generated) that is none of them; unsure when it gives passages only ("I am not sure ...").
 */
export function verdictOf(accepted: readonly string[], answer: { readonly kind?: string; readonly text: string }): Verdict {
  if (answer.kind !== 'span' && answer.kind !== 'generated') return 'unsure';
  const said = normalise(answerSentence(answer.text));
  return accepted.some((a) => normalise(a) === said) ? 'exact' : 'wrong';
}

/** Scores one answer against a question; `passageText` gives a citation's lines (before passages existed). */
export function score(question: Question, mode: Mode, answer: ContractAnswer, retrievalMs: number, answerMs: number, firstPassage: string | undefined): Outcome {
  const cited = answer.citations;
  const top = cited[0];
  const hit = (c: Citation | undefined): boolean => question.answers.some((a) => overlaps(c, a));
  const rank = cited.slice(0, MRR_DEPTH).findIndex(hit);
  const outcome: Outcome = {
    id: question.id, mode, citations: cited.length, retrievalMs, answerMs,
    top1File: top !== undefined && question.answers.some((a) => a.path === top.path),
    top1Lines: hit(top),
    reciprocalRank: rank >= 0 ? 1 / (rank + 1) : 0,
  };
  if (question.kind === 'unanswerable') {
    // Only "not sure" with passages is right: a confident span claims an answer the text does not hold.
    return { ...outcome, answerKind: answer.kind ?? 'generated', answerText: answer.text.slice(0, 200), confidence: answer.kind === 'span' ? answer.confidence : undefined, answeredAnyway: answer.kind === 'span' };
  }
  if (question.accepted !== undefined) {
    const verdict = verdictOf(question.accepted, answer);
    return {
      ...outcome, verdict, exact: verdict === 'exact', anyCited: cited.some(hit), firstCitation: top ? `${top.path}:${top.startLine}-${top.endLine}` : undefined,
      answerKind: answer.kind ?? 'generated', answerText: answer.text.slice(0, 200), confidence: answer.kind === 'span' ? answer.confidence : undefined,
    };
  }
  if (question.value === undefined) return outcome;
  const value = normalise(question.value);
  return {
    ...outcome,
    inFirstPassage: firstPassage !== undefined && normalise(firstPassage).includes(value),
    exact: normalise(answerSentence(answer.text)) === value,
    answerKind: answer.kind ?? 'generated',
    answerText: answer.text.slice(0, 200),
    confidence: answer.kind === 'span' ? answer.confidence : undefined,
  };
}

const quiet: Logger = { info() {}, debug() {}, warn: (m) => process.stderr.write(`warn: ${m}\n`), error: (m) => process.stderr.write(`error: ${m}\n`) };

/**
 * A cache folder per model reading: the id, the version of what reading makes (memoryVersion,
 * else version) and a hash of model.json's shapes. How stored segments are ranked or answered
 * from (retrieval, answers, the span head) changes nothing that was read, so tuning them or
 * measuring a new span head reuses the same memory, as the engine itself does.
 */
export function modelCacheKey(modelDir: string): string {
  const config = JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8')) as { id: string; version: string; memoryVersion?: string; config?: unknown; staticKeys?: unknown };
  const hash = createHash('sha1').update(JSON.stringify([config.config, config.staticKeys])).digest('hex').slice(0, 8);
  return `${config.id}-${memoryVersionOf(config)}-${hash}`.replace(/[^\w.-]+/g, '_');
}

export interface RunOptions {
  readonly modelDir: string;
  readonly cacheDir: string;
  readonly modes: readonly Mode[];
  /** Largest file the engine reads; books are single files of up to ~50 MB. */
  readonly maxFileBytes: number;
  readonly log: (line: string) => void;
}

/** Reads the set's workspace (or reuses its saved memory) and asks every question in every mode. */
export async function runSet(set: QuestionSet, options: RunOptions): Promise<SetOutcome> {
  const engine = await openEngine({ root: set.workspace, modelDir: options.modelDir, cacheDir: options.cacheDir, device: 'cpu', maxFileBytes: options.maxFileBytes, logger: quiet });
  try {
    const r = await engine.read();
    const read: ReadInfo = {
      seconds: r.seconds, tokens: engine.status().tokens, filesRead: r.filesRead, filesReused: r.filesReused,
      skipped: r.filesSkipped.map((s) => `${s.path}: ${s.reason}`),
    };
    if (read.skipped.length) options.log(`  ${set.name}: ${read.skipped.length} files skipped (${read.skipped.slice(0, 3).join('; ')})`);
    const lines = new Map<string, string[]>();
    const fileLines = (path: string): string[] => {
      let file = lines.get(path);
      if (!file) {
        file = readFileSync(join(set.workspace, path), 'utf8').split('\n');
        lines.set(path, file);
      }
      return file;
    };
    const citedText = (c: Citation | undefined): string | undefined => (c ? fileLines(c.path).slice(c.startLine - 1, c.endLine).join('\n') : undefined);
    const askAll = async (asked: readonly Question[]): Promise<Outcome[]> => {
      const outcomes: Outcome[] = [];
      for (const question of asked) {
        for (const mode of options.modes) {
          const started = performance.now();
          let citationsAt: number | undefined;
          const query: QueryOptions = {
            ...MODE_QUERY[mode],
            // Code questions are scored on citations alone; facts (and unanswerable ones, asked alike) need the answer's words.
            maxTokens: question.kind === 'docstring' || question.kind === 'reworded' ? 1 : 16,
            onEvent: (e) => { if (e.type === 'citations' && citationsAt === undefined) citationsAt = performance.now(); },
          };
          const answer = (await engine.ask(question.question, query)) as ContractAnswer;
          const done = performance.now();
          // The first quoted passage: the answer's own once passages exist, else the top citation's lines.
          const first = answer.passages ? answer.passages[0]?.text : citedText(answer.citations[0]);
          const scored = score(question, mode, answer, (citationsAt ?? done) - started, done - started, question.value === undefined ? undefined : first);
          const babi = question.kind === 'qa1' || question.kind === 'qa2';
          outcomes.push(babi ? { ...scored, ...babiExtra(question, answer.citations, fileLines) } : scored);
        }
      }
      return outcomes;
    };
    const outcomes = await askAll(set.questions);
    const { questions, unanswerable, ...rest } = set;
    if (!unanswerable?.length) return { set: { ...rest, questions: questions.length }, read, outcomes };
    return { set: { ...rest, questions: questions.length, unanswerable: unanswerable.length }, read, outcomes, unanswerable: await askAll(unanswerable) };
  } finally {
    await engine.dispose();
  }
}
