// Answers copied from passages: the span graph reads `[bos] question [sep] passage [eos]` for
// every passage (long ones in overlapping windows), scores every span of up to
// `answers.maxSpanTokens` tokens, and the best span over all passages is the answer, with the
// calibrated probability that it is exactly right. Offsets are characters of the passage.
// A span's score is log p(start) + log p(end | start) where the graph gives the end given the
// start (`end_given_start`), else log p(start) + log p(end) from independent end logits.
// An answer lies within one sentence line and is made of whole words: spans across a hard line
// break (see hardBreaks) are not considered, and the chosen one is widened to the words it
// touches. On the dev book the head's best span ran past a number into the next line
// ("34898.\nGe2") or began inside a word ("uniper", "Port Idr") for a fifth of the planted
// facts it had found. A soft break, where a hard-wrapped paragraph (most plain-text books) goes
// on mid-sentence, does not end an answer: "Sabine\nWren" is a name, answered "Sabine Wren".
// A question that asks for a name, a place, a number, a time or a password (answerType.ts) is answered by
// the answer of that type that the head's spans hold the most probability for: spans are grouped
// by the answer they make ("called Alaric", "Alaric Stone" and "Stone" all make "Alaric Stone"),
// and its confidence is calibrated from its probability given that the answer is of that type.
// On the dev book's 48 planted facts this took exact answers at any confidence from 26 to 44,
// and at the threshold tune-span chose from 21 (of 22 answered) to 40 (of 40). A passage that
// does not mention what the question names gives no answer (confidence 0).
import { analyze } from './analyze';
import { answerReader, expectedType, mentionsSubjects, onlyAnswerOfSentence } from './answerType';
import { AbortError } from './fsutil';
import type { LoadedModel } from './model';
import { MAX_QUESTION_TOKENS, pairBatch, ROWS_PER_RUN } from './pairRows';
import type { OffsetText } from './tokenizer';

export interface SpanAnswer {
  readonly text: string;
  readonly passageIndex: number;
  /** Character offsets into `passages[passageIndex]`: the answer is `slice(start, end)`. */
  readonly start: number;
  readonly end: number;
  /** Calibrated probability (0..1) that `text` is exactly the answer. */
  readonly confidence: number;
  /**
   * The answer is of the kind the question asks for and the only one of that kind in a sentence
   * that mentions everything the question names (answerType.ts onlyAnswerOfSentence): the
   * question's threshold may be lower for it (spanThresholdFor).
   */
  readonly sole: boolean;
}

// The span graph was trained on questions cut to 48 tokens and passages of up to 192 tokens;
// windows of 256 stay within the positions it has seen, and overlap by more than the longest
// span so that every span lies whole inside some window.
const WINDOW_TOKENS = 256;
/**
 * Below this share of the head's probability on answers of the asked type (answers only come from
 * sentences about the question's subject, answerType.ts subjectSentences), the head does not
 * take the answer to be of that type ("Who is granted permission ...?" of a licence: "any person
 * obtaining a copy", not the name in its copyright line, which held 0.08%), and its untyped best
 * span stands. On the dev book's planted facts the right typed answers held 9% or more. The share
 * is of all the head's probability, not of its probability in those sentences: taken of those
 * only, a sentence the head gave little made confident answers ("Naomi" for "Where did Elimelech
 * and his family go to sojourn?" from the verse that names him, while the verse before says Moab
 * of "a certain man").
 */
const LOG_TYPE_MASS_FLOOR = Math.log(0.05);
const DEFAULT_MAX_SPAN = 24;

interface Window {
  readonly passage: number;
  /** Token index in the passage where the window starts. */
  readonly from: number;
  readonly ids: readonly number[];
  /** 1 where the token's text holds a hard line break: no span may contain it. */
  readonly breaks: Uint8Array;
}

interface Best {
  readonly passage: number;
  readonly startToken: number;
  readonly endToken: number;
  readonly confidence: number;
}

/**
 * The best answer span over `passages` for `question`, or undefined when the model has no span
 * graph (or there is no passage text). The caller compares `confidence` with
 * the question's threshold (answerType.ts spanThresholdFor). `typed: false` turns off answer types and the subject
 * check (the head's own best span, as before them): for measuring what they add.
 */
export async function extractSpan(model: LoadedModel, question: string, whole: readonly string[], signal?: AbortSignal, options: { typed?: boolean } = {}): Promise<SpanAnswer | undefined> {
  if (!model.runtime.hasSpan) return undefined;
  const parts = whole.map((p) => readablePart(question, p));
  const passages = parts.map((p) => p.text);
  const { tokenizer, config } = model;
  const sp = config.specialTokens;
  const maxSpan = config.answers?.maxSpanTokens ?? DEFAULT_MAX_SPAN;
  const q = tokenizer.encode(question).slice(0, MAX_QUESTION_TOKENS);
  const width = Math.max(maxSpan + 1, Math.min(WINDOW_TOKENS, config.maxDecoderPositions - q.length - 3));
  const stride = Math.max(1, width - maxSpan);
  const texts: OffsetText[] = passages.map((p) => tokenizer.encodeWithOffsets(p));
  const windows: Window[] = [];
  texts.forEach((t, passage) => {
    const text = passages[passage]!;
    const breaks = tokenBreaks(text, t);
    for (let from = 0; from < t.ids.length; from += stride) {
      windows.push({ passage, from, ids: t.ids.slice(from, from + width), breaks: breaks.subarray(from, from + width) });
      if (from + width >= t.ids.length) break;
    }
  });
  const checks = options.typed !== false;
  const type = checks ? expectedType(question) : undefined;
  // The best span of the asked type (answerType.ts), and the best of any kind for when the
  // passage holds none of that type. A name or a place may be answered by a description ("any
  // person obtaining a copy" of who is granted permission), so the untyped span stands for them;
  // a number or a time never: "beneath" answered "How much does the brass compass cost?" at 0.88.
  const untypedStands = type !== 'number' && type !== 'time';
  let typed: Best | undefined;
  let any: Best | undefined;
  const readers = passages.map((p) => answerReader(type, p, question));
  for (let w0 = 0; w0 < windows.length; w0 += ROWS_PER_RUN) {
    if (signal?.aborted) throw new AbortError(undefined, { cause: signal.reason });
    const rows = windows.slice(w0, w0 + ROWS_PER_RUN);
    const { ids, mask, length: T, offset } = pairBatch(sp, q, rows.map((r) => r.ids));
    const out = await model.runtime.spanLogits(ids, mask, rows.length);
    rows.forEach((r, b) => {
      const start = out.start.subarray(b * T, (b + 1) * T);
      const pairs = out.endGivenStart;
      const bestOf = (answerOf?: (s: number, e: number) => string | undefined): Best | undefined => {
        const found = pairs
          ? bestPairInRow(start, pairs.data.subarray(b * T * pairs.width, (b + 1) * T * pairs.width), pairs.width, offset, r.ids.length, maxSpan, r.breaks, answerOf)
          : bestInRow(start, out.end.subarray(b * T, (b + 1) * T), offset, r.ids.length, maxSpan, r.breaks, answerOf);
        if (found.logProb === -Infinity || found.logMass < LOG_TYPE_MASS_FLOOR) return undefined;
        // A typed answer's probability is taken given that the answer is of the asked type.
        return { passage: r.passage, startToken: r.from + found.start, endToken: r.from + found.end, confidence: calibrated(model, found.logProb - found.logMass, out.hasAnswer[b]!) };
      };
      const t = texts[r.passage]!;
      const text = passages[r.passage]!;
      if (untypedStands) {
        const rowAny = bestOf();
        if (rowAny && (!any || rowAny.confidence > any.confidence)) any = rowAny;
      }
      if (type === undefined) return;
      const made = new Map<string, string | undefined>(); // many spans make the same answer
      const rowTyped = bestOf((s, e) => {
        const key = `${t.starts[r.from + s]!}:${t.ends[r.from + e]!}`;
        if (made.has(key)) return made.get(key);
        const w = wholeWords(text, t.starts[r.from + s]!, t.ends[r.from + e]!);
        const c = readers[r.passage]!(w.start, w.end);
        const answer = c ? `${c.start}:${c.end}` : undefined;
        made.set(key, answer);
        return answer;
      });
      if (rowTyped && (!typed || rowTyped.confidence > typed.confidence)) typed = rowTyped;
    });
  }
  const best = typed ?? any;
  if (!best) return undefined;
  const t = texts[best.passage]!;
  const text = passages[best.passage]!;
  const words = wholeWords(text, t.starts[best.startToken]!, t.ends[best.endToken]!);
  const typedRange = typed && readers[best.passage]!(words.start, words.end);
  const { start, end } = typedRange || words;
  // A passage that never mentions whom or what the question names cannot answer it.
  const confidence = !checks || mentionsSubjects(question, text) ? best.confidence : 0;
  const sole = !!typedRange && confidence > 0 && onlyAnswerOfSentence(question, text, readers[best.passage]!, start, end);
  const from = parts[best.passage]!.from;
  return { text: text.slice(start, end).replace(/\s+/g, ' '), passageIndex: best.passage, start: from + start, end: from + end, confidence, sole };
}

/**
 * Longest passage the head reads whole. A passage is a segment's whole lines, and a prose file
 * written as one line makes every segment that line: a 962 KB one-line book gave the head
 * ~3,500 windows to read for each question (27 s on the 2-core CPU).
 */
export const MAX_PASSAGE_CHARS = 8192;

/**
 * The part of `text` the span head reads, and where it starts: all of it, or, past
 * MAX_PASSAGE_CHARS, the stretch of that length holding the most words of the question (from a
 * word's start).
 */
export function readablePart(question: string, text: string): { from: number; text: string } {
  if (text.length <= MAX_PASSAGE_CHARS) return { from: 0, text };
  const terms = new Set(analyze(question));
  const at: number[] = [];
  for (const m of text.matchAll(/[\p{L}\p{N}_]+/gu)) if (analyze(m[0]).some((t) => terms.has(t))) at.push(m.index);
  let center = 0;
  let most = 0;
  for (let i = 0, lo = 0, hi = 0; i < at.length; i++) {
    while (at[lo]! < at[i]! - MAX_PASSAGE_CHARS / 2) lo++;
    while (hi < at.length && at[hi]! < at[i]! + MAX_PASSAGE_CHARS / 2) hi++;
    if (hi - lo > most) { most = hi - lo; center = at[i]!; }
  }
  let from = Math.max(0, Math.min(text.length - MAX_PASSAGE_CHARS, center - MAX_PASSAGE_CHARS / 2));
  while (from > 0 && from < text.length && /[\p{L}\p{N}_]/u.test(text[from - 1]!)) from++;
  return { from, text: text.slice(from, from + MAX_PASSAGE_CHARS) };
}

// What may close a sentence (or a clause an answer does not run past) before a line break,
// with any closing quotes or brackets after it.
const CLOSES_LINE = /[.!?;:,][)\]}"'\u2019\u201d\u00bb]*$/u;

/**
 * Character indices of the line breaks of `text` that end an answer: after a line that closes a
 * sentence or clause (`.`, `!`, `?`, `;`, `:`, `,`), and around a blank line. The others are soft
 * (a hard-wrapped paragraph going on mid-sentence). A verse-per-line text such as the KJV ends
 * (nearly) every line with punctuation, so its lines stay apart ("34898.\nGe2").
 */
export function hardBreaks(text: string): Set<number> {
  const out = new Set<number>();
  const lines = text.split('\n');
  let at = 0;
  for (let i = 0; i + 1 < lines.length; i++) {
    at += lines[i]!.length;
    const before = lines[i]!.trim();
    if (before === '' || lines[i + 1]!.trim() === '' || CLOSES_LINE.test(before)) out.add(at);
    at += 1;
  }
  return out;
}

/** 1 for each token of `t` whose characters hold a hard line break of `text`. */
export function tokenBreaks(text: string, t: OffsetText): Uint8Array {
  const hard = hardBreaks(text);
  return Uint8Array.from(t.ids, (_, i) => {
    for (let c = text.indexOf('\n', t.starts[i]); c >= 0 && c < t.ends[i]!; c = text.indexOf('\n', c + 1)) if (hard.has(c)) return 1;
    return 0;
  });
}

const WORD = /[\p{L}\p{N}_]/u;

/**
 * A span's characters as an answer: without the space byte-level tokens carry before a word,
 * widened to the whole words it touches, without punctuation closing the sentence after it.
 */
export function wholeWords(text: string, start: number, end: number): { start: number; end: number } {
  while (start < end && /\s/.test(text[start]!)) start++;
  while (end > start && /\s/.test(text[end - 1]!)) end--;
  if (start === end) return { start, end };
  while (start > 0 && WORD.test(text[start - 1]!) && WORD.test(text[start]!)) start--;
  while (end < text.length && WORD.test(text[end]!) && WORD.test(text[end - 1]!)) end++;
  while (end - 1 > start && /[.,;:!?]/.test(text[end - 1]!)) end--;
  return { start, end };
}

/** A span of one row (passage token indices, inclusive) and its log-probability. */
export interface RowSpan { readonly start: number; readonly end: number; readonly logProb: number }

/**
 * The best of the spans `visit` enumerates. Without `answerOf`, the most probable span. With it,
 * spans are grouped by the answer they make (`answerOf` gives its key, or undefined for a span
 * that is no answer of the asked kind): the answer whose spans hold the most probability wins,
 * `logProb` is the log of their probability together and `logMass` that of every accepted span,
 * so `logProb - logMass` is the answer's probability given that the answer is of the asked kind.
 * The span returned is the answer's most probable one.
 */
function bestOfRow(visit: (f: (s: number, e: number, logProb: number) => void) => void, answerOf?: (s: number, e: number) => string | undefined): RowSpan & { logMass: number } {
  if (!answerOf) {
    let best = { start: 0, end: 0, logProb: -Infinity };
    visit((s, e, v) => { if (v > best.logProb) best = { start: s, end: e, logProb: v }; });
    return { ...best, logMass: 0 };
  }
  const answers = new Map<string, { start: number; end: number; top: number; logProb: number }>();
  let logMass = -Infinity;
  visit((s, e, v) => {
    const key = answerOf(s, e);
    if (key === undefined) return;
    logMass = logAddExp(logMass, v);
    const a = answers.get(key);
    if (!a) answers.set(key, { start: s, end: e, top: v, logProb: v });
    else {
      a.logProb = logAddExp(a.logProb, v);
      if (v > a.top) { a.start = s; a.end = e; a.top = v; }
    }
  });
  let best = { start: 0, end: 0, logProb: -Infinity };
  for (const a of answers.values()) if (a.logProb > best.logProb) best = { start: a.start, end: a.end, logProb: a.logProb };
  return { ...best, logMass };
}

function logAddExp(x: number, y: number): number {
  if (x === -Infinity) return y;
  if (y === -Infinity) return x;
  const m = Math.max(x, y);
  return m + Math.log(Math.exp(x - m) + Math.exp(y - m));
}

/**
 * Best span of one row: start s and end e (passage token indices, s <= e < s + maxSpan, no
 * token marked in `breaks` between them) maximising log p(start = s) + log p(end = e), the
 * softmaxes taken over the passage's tokens; with `answerOf`, the best answer (see bestOfRow).
 */
export function bestInRow(start: Float32Array, end: Float32Array, offset: number, length: number, maxSpan: number, breaks?: Uint8Array, answerOf?: (s: number, e: number) => string | undefined): RowSpan & { logMass: number } {
  const ls = logSoftmax(start.subarray(offset, offset + length));
  const le = logSoftmax(end.subarray(offset, offset + length));
  return bestOfRow((f) => {
    for (let s = 0; s < length; s++) {
      for (let e = s; e < Math.min(length, s + maxSpan); e++) {
        if (breaks?.[e]) break;
        f(s, e, ls[s]! + le[e]!);
      }
    }
  }, answerOf);
}

/**
 * Best span of one row from start logits `[T]` and end-given-start logits `[T, width]`
 * (`[t, j]`: the span t .. t + j): start s and length j (j < min(width, maxSpan), inside the
 * passage, no token marked in `breaks` from s to s + j) maximising log p(start = s) +
 * log p(end = s + j | start = s), the start's softmax over the passage's tokens, the end's over
 * the ends allowed after s (so an end on the same line is not penalised for the probability the
 * graph put past the line break); with `answerOf`, the best answer (see bestOfRow).
 */
export function bestPairInRow(start: Float32Array, pairs: Float32Array, width: number, offset: number, length: number, maxSpan: number, breaks?: Uint8Array, answerOf?: (s: number, e: number) => string | undefined): RowSpan & { logMass: number } {
  const ls = logSoftmax(start.subarray(offset, offset + length));
  return bestOfRow((f) => {
    for (let s = 0; s < length; s++) {
      let ends = Math.min(width, maxSpan, length - s);
      for (let j = 0; j < ends; j++) if (breaks?.[s + j]) ends = j;
      if (ends === 0) continue;
      const from = (offset + s) * width;
      logSoftmax(pairs.subarray(from, from + ends)).forEach((v, j) => f(s, s + j, ls[s]! + v));
    }
  }, answerOf);
}

function logSoftmax(x: Float32Array): Float64Array {
  let max = -Infinity;
  for (const v of x) max = Math.max(max, v);
  let sum = 0;
  for (const v of x) sum += Math.exp(v - max);
  const lse = max + Math.log(sum);
  return Float64Array.from(x, (v) => v - lse);
}

/**
 * Probability that the span is exactly right: Platt scaling of the span's log-probability and
 * the has-answer logit, fitted on held-out examples (model.json answers.calibration); without
 * it, the uncalibrated p(has answer) * p(start) * p(end).
 */
function calibrated(model: LoadedModel, logProb: number, hasAnswer: number): number {
  const c = model.config.answers?.calibration;
  if (!c) return sigmoid(hasAnswer) * Math.exp(logProb);
  return sigmoid(c.spanLogProb * logProb + c.hasAnswer * hasAnswer + c.bias);
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}
