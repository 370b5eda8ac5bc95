// Questions, summaries and symbol explanations over what has been read. Segments are found by
// retrieve.ts over the whole memory; the cited files are read again only to quote their lines
// (and to say when one changed since it was read); answer.ts decides what the answer says.
// Generated text is shown only where model.json declares that kind measured good.
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Answer, AnswerEvent, Citation, Explanation, Logger, Passage, QueryOptions, SummaryTarget, SymbolQuery } from './api';
import { bestLines, buildAnswer, composeText, DEFAULT_SPAN_THRESHOLD, isFragment, lineStretch, MAX_QUOTED_LINE, openingLines, passageOf, termWeights, topicWeights, type AnswerParts, type SegmentLines } from './answer';
import { asksWhereNow, asksWhereThing, mentionsPhrases, mentionsSubjects, namesSomething, spanThresholdFor } from './answerType';
import { askPrompt, contextBudget, explainPrompt, generate, summarizePrompt } from './generate';
import { indexedByTokens, LONG_LINE_CHARS, type LexicalIndex } from './lexicalIndex';
import type { FileMemory, WorkspaceMemory } from './memory';
import type { LoadedModel } from './model';
import { rerankOrder, rerankParams, relevance, type RerankParams } from './rerank';
import { hitLines, lexicalSegments, queryKey, retrieve, topSegments, type Hit } from './retrieve';
import { extractSpan, type SpanAnswer } from './span';
import { isStreamed } from './streamedText';
import type { UnitIndex } from './structure/units';
import { escapeRegExp } from './regexp';
import { kindOfPath, loadText } from './text';
import { whereThing } from './whereThing';
import { resolveInside } from './workspacePath';

export interface QueryContext {
  readonly model: LoadedModel;
  readonly memory: WorkspaceMemory;
  readonly lexical: LexicalIndex;
  /** Definition units of the parsed source files (structure/units.ts); without it, segments only. */
  readonly units?: UnitIndex;
  readonly root: string;
  readonly logger: Logger;
  /** Fraction of the workspace's tokens read so far. */
  coverage(): number;
  readonly maxFileBytes?: number;
  readonly maxProseBytes?: number;
  /** Lines of recently cited files, by path, valid while size and mtime match (hover speed). */
  readonly textCache?: Map<string, CachedText>;
}

/** A cited file's text as SourceTexts keeps it. */
export interface CachedText {
  readonly size: number;
  readonly mtimeMs: number;
  readonly lines: string[];
  /** The text of each of its segments, once one was cited, for a file indexed by its segments' text (SourceTexts.ownLines). */
  segments?: Promise<string[]>;
}

const TEXT_CACHE_FILES = 64;
/** Longest text SourceTexts tokenizes again to quote its segments (ownLines): about 3 s of the tokenizer here. */
const MAX_RETOKENIZED = 4 * 1024 * 1024;

export const DEFAULT_ANSWER_TOKENS = 128;
export const HOVER_TOKENS = 24;
/** Citations an answer shows (and the evaluation tunes for). */
export const CITATIONS = 5;
/**
 * Passages a question about where someone (or something: whereThing.ts) is now looks through for
 * the latest about them. A keyword search ranks a name's mentions alike; on the dev book's bAbI
 * stories, 4 to 10 moves a story, the five citations missed the last move for 1 of 40 questions.
 * Also how far a question that names something looks for a passage about it (proseSpan).
 */
const STORY_CANDIDATES = 20;

/** Characters a segment's own text is widened by, at most, on each side (sentencesOf). */
const WIDEN_CHARS = 400;

/**
 * Segment `index` of `texts` (decoded segments) widened to whole sentences: with the end of the
 * sentence the segment before left open, and the rest of the sentence it leaves open itself, each
 * within its line and WIDEN_CHARS ("at twenty" | " past five each morning." is one answer);
 * where no sentence ends that near, to a whole word.
 */
function sentencesOf(texts: readonly string[], index: number): string | undefined {
  const text = texts[index];
  if (text === undefined) return undefined;
  const before = (texts[index - 1] ?? '').slice(-WIDEN_CHARS);
  const after = (texts[index + 1] ?? '').slice(0, WIDEN_CHARS);
  let from = Math.max(before.lastIndexOf('\n') + 1, ...[...before.matchAll(/[.!?]["'’”)\]]*\s+/gu)].map((m) => m.index + m[0].length));
  if (from === 0 && before.length === WIDEN_CHARS) from = before.search(/\s/u) + 1 || before.length;
  const close = /[.!?]["'’”)\]]*(?=\s|$)|\n/u.exec(after);
  let to = close ? (close[0] === '\n' ? close.index : close.index + close[0].length) : after.length;
  if (!close && after.length === WIDEN_CHARS) to = Math.max(0, after.search(/\s\S*$/u));
  return before.slice(from) + text + after.slice(0, to);
}

/**
 * Characters of a long line kept on each side of where a segment likely lies in it (likelyPart):
 * on a 2.5 MB one-line KJV, a segment's share of the line by its place was off by 8 KB on average
 * and 20 KB at most from where its text is (token density varies along a book).
 */
const LIKELY_PART_CHARS = 24 * 1024;

/**
 * Line `lineNo` of segment `index` of `file`, or, when it is longer than LONG_LINE_CHARS and the
 * segment's own text is not at hand (a streamed book written as one line: SourceTexts.ownLines),
 * the part of it where the segment likely lies: its share of the line by its place among the
 * segments on that line, with LIKELY_PART_CHARS on each side, cut at words; the quote and the span
 * head take the part of that where the question's words are densest (answer.ts, span.ts). The
 * whole line made every question about a 2.5 MB one-line book take 12 s (each of 20 passages
 * analysed whole).
 */
function likelyPart(file: FileMemory, index: number, lineNo: number, line: string): string {
  if (line.length <= LONG_LINE_CHARS) return line;
  const on = (i: number): boolean => file.startLines[i]! <= lineNo && lineNo <= file.endLines[i]!;
  let first = index;
  let last = index;
  while (first > 0 && on(first - 1)) first--;
  while (last + 1 < file.segmentsRead && on(last + 1)) last++;
  const at = Math.round(((index - first + 0.5) / (last - first + 1)) * line.length);
  let from = Math.max(0, at - LIKELY_PART_CHARS);
  let to = Math.min(line.length, at + LIKELY_PART_CHARS);
  while (from > 0 && from < to && /\S/u.test(line[from - 1]!)) from++;
  while (to < line.length && to > from && /\S/u.test(line[to]!)) to--;
  return line.slice(from, to);
}

/** A hit's whole place: its segment's lines, or its definition unit's. */
function hitCitation(hit: Hit): Citation {
  return { path: hit.file.path, ...hitLines(hit), score: hit.score, sources: hit.sources };
}

/** Reads cited files again (once each per query) to quote them, and says when one changed since it was read. */
export class SourceTexts {
  private readonly texts = new Map<string, Promise<CachedText | undefined>>();
  readonly warnings: string[] = [];

  constructor(private readonly ctx: QueryContext) {}

  async lines(file: FileMemory): Promise<string[] | undefined> {
    return (await this.text(file))?.lines;
  }

  private text(file: FileMemory): Promise<CachedText | undefined> {
    let p = this.texts.get(file.path);
    if (!p) {
      p = this.load(file);
      this.texts.set(file.path, p);
    }
    return p;
  }

  private async load(file: FileMemory): Promise<CachedText | undefined> {
    let abs: string;
    try {
      abs = await resolveInside(this.ctx.root, file.path);
    } catch (e) {
      this.warn((e as Error).message);
      return undefined;
    }
    let size: number;
    let mtimeMs: number;
    try {
      ({ size, mtimeMs } = await stat(abs));
      if (size !== file.size || Math.abs(mtimeMs - file.mtimeMs) > 1) {
        this.warn(`${file.path} changed since it was read; its quoted lines may have moved. Read the workspace again to catch up.`);
      }
    } catch {
      this.warn(`${file.path} no longer exists; it cannot be quoted. Read the workspace again to catch up.`);
      return undefined;
    }
    const cache = this.ctx.textCache;
    const cached = cache?.get(file.path);
    if (cached && cached.size === size && cached.mtimeMs === mtimeMs) {
      cache!.delete(file.path);
      cache!.set(file.path, cached); // most recently used last
      return cached;
    }
    const r = await loadText(abs, { maxFileBytes: this.ctx.maxFileBytes, maxProseBytes: this.ctx.maxProseBytes });
    if (!r.ok) { this.warn(`${file.path} cannot be read again: ${r.reason}`); return undefined; }
    const text: CachedText = { size, mtimeMs, lines: r.text.split('\n') };
    if (cache) {
      cache.set(file.path, text);
      while (cache.size > TEXT_CACHE_FILES) cache.delete(cache.keys().next().value!);
    }
    return text;
  }

  /**
   * A segment's own text as lines, for a segment of a file indexed by its segments' text
   * (lexicalIndex.ts indexedByTokens: a line of a book's length): the segment's tokens decoded,
   * as the reader read them, so that a prose file written as one line is quoted and read by the
   * span head where each segment lies, not as that one line. Only for a file the reader loaded
   * whole (a streamed one was cut into pieces of its own) of at most MAX_RETOKENIZED characters:
   * the file is tokenized again, once, when first cited (a 900 KB one-line book: 0.7 s).
   * Undefined for any other segment, or when the decoded text does not cover the segment's lines.
   */
  private async ownLines(file: FileMemory, text: CachedText, index: number, startLine: number, endLine: number): Promise<string[] | undefined> {
    if (isStreamed(file.path, file.size) || !indexedByTokens(text.lines.slice(startLine - 1, endLine))) return undefined;
    if (text.lines.reduce((n, l) => n + l.length + 1, 0) > MAX_RETOKENIZED) return undefined;
    const { tokenizer, config } = this.ctx.model;
    text.segments ??= Promise.resolve().then(() => tokenizer.segment(tokenizer.tokenizeLines(text.lines.join('\n')), config.segmentLength)
      .map((seg) => tokenizer.segmentText(seg)));
    const own = sentencesOf(await text.segments, index)?.split('\n');
    if (own && own.length === endLine - startLine + 2 && own[own.length - 1] === '') own.pop();
    return own && own.length === endLine - startLine + 1 ? own : undefined;
  }

  private warn(message: string): void {
    if (this.warnings.includes(message)) return;
    this.warnings.push(message);
    this.ctx.logger.warn(message);
  }

  /** A hit's whole segment (or definition unit) with its lines; undefined when the file cannot be read. */
  async segment(hit: Hit): Promise<SegmentLines | undefined> {
    const text = await this.text(hit.file);
    if (!text) return undefined;
    const citation = hitCitation(hit);
    const end = Math.min(citation.endLine, text.lines.length);
    if (end < citation.startLine) return undefined;
    const whole = text.lines.slice(citation.startLine - 1, end);
    const lines = hit.unit ? whole
      : await this.ownLines(hit.file, text, hit.index, citation.startLine, end) ?? whole.map((l, i) => likelyPart(hit.file, hit.index, citation.startLine + i, l));
    return { citation: { ...citation, endLine: end }, lines };
  }

  async segments(hits: readonly Hit[]): Promise<SegmentLines[]> {
    return (await Promise.all(hits.map((h) => this.segment(h)))).filter((s): s is SegmentLines => s !== undefined);
  }
}

interface Stream {
  emit(event: AnswerEvent): void;
}

function stream(options: QueryOptions | undefined): Stream {
  return {
    emit(event) {
      try { options?.onEvent?.(event); } catch { /* a listener's failure must not break the answer */ }
    },
  };
}

function sameCitations(a: readonly Citation[], b: readonly Citation[]): boolean {
  return a.length === b.length && a.every((c, i) => {
    const d = b[i]!;
    return c.path === d.path && c.startLine === d.startLine && c.endLine === d.endLine && c.score === d.score
      && c.sources.length === d.sources.length && c.sources.every((x, j) => x === d.sources[j]);
  });
}

/**
 * Sends the finished parts as one stream (citations, the text, done) and returns the answer.
 * `sent`: citations already sent (what retrieval found, see ask); sent again only if they changed.
 */
function finish(ctx: QueryContext, options: QueryOptions | undefined, parts: AnswerParts, texts: SourceTexts, started: number, sent?: readonly Citation[]): Answer {
  const s = stream(options);
  if (!sent || !sameCitations(sent, parts.citations)) s.emit({ type: 'citations', citations: parts.citations });
  const answer: Answer = {
    ...parts, coverage: ctx.coverage(), millisecondsToFirstToken: performance.now() - started, warnings: texts.warnings,
  };
  s.emit({ type: 'token', text: parts.text });
  s.emit({ type: 'done', answer });
  return answer;
}

function noMemoryError(): Error {
  return new Error('Nothing has been read yet: run "Mnemo: Read Workspace" (or `mnemo read <dir>`) first, then ask again.');
}

/**
 * The span head's answer, and the passages the answer quotes (at most CITATIONS). The head reads
 * prose (text, Markdown, documents, books), never code: on the dev code sets of eval:qa (attr,
 * yaml, htmlparser2; 312 questions) the first citation was on the answer's lines for 38 questions
 * with every span taken as the answer (its passage first) against 60 without span answers, while
 * on the dev book's planted facts the confident spans were exactly the value (npm run eval:qa --
 * --tune-span). The span head's code task (a function's name) does not carry over to whole
 * repositories; a code question gets the quoted passages.
 *
 * One passage is read: the first of `segments` that mentions what the question names
 * (answerType.ts mentionsSubjects), which is the first passage whenever it does or the question
 * names nothing. A passage that never names Kelmarsh cannot say when the boat for Kelmarsh
 * leaves, whatever keyword search ranked first (a verse about a "ferry boat" above the planted
 * line). A question that names something is given more candidates than it cites
 * (STORY_CANDIDATES), and the first about its subject takes the last citation's place when it
 * lies beyond them: keyword search ranks a verse with "boat" three times above the one line that
 * names Wexmoor once (test KJV at 10M). Of the passages about a thing of two words ("the brass
 * compass"), the first that says them side by side is read (answerType.ts mentionsPhrases): a verse
 * with pillars of brass that a line did compass about is about both words, and answers nothing
 * (test KJV at 1M). Both rules left the dev books' answers as they were (npm run eval:qa --
 * --sets dev --sizes 4k,128k,1M,10M). Reading the next passages about the subject in turn until
 * one passes did not: on the dev handbook it gave 2 more exact answers and 6 more wrong. Spans
 * taken from lower passages by confidence alone were wrong 3 times of 7 on the test book at
 * 128k, before answers had to be of the asked type and about the question's subject; with
 * the subject rules the dev book's facts went from 40 to 44 answered exactly at the re-tuned
 * threshold, and unanswerable questions answered from 2 of 48 to 0 (npm run eval:qa --
 * --tune-span). An earlier rule read every passage and gave no answer when another held a more
 * confident span; it withheld 3 exact answers on the dev book and caught no wrong one.
 *
 * A question about where someone is now (`whereNow`, "Where is Mary?") is read from the passage about them
 * that comes last in the file, among all `segments` (more than are cited: see STORY_CANDIDATES):
 * a story tells where a person went many times, and the last time decides (bAbI's QA1). Keyword
 * search ranks such passages by their words, not their order.
 */
async function proseSpan(ctx: QueryContext, question: string, segments: readonly SegmentLines[], whereNow: boolean, signal?: AbortSignal): Promise<{ span?: SpanAnswer; segments: SegmentLines[] }> {
  const cited = segments.slice(0, CITATIONS);
  const first = segments[0];
  if (!first || kindOfPath(first.citation.path) === 'code') return { segments: cited };
  const texts = segments.map((s) => s.lines.join('\n'));
  const about = segments.map((s, i) => kindOfPath(s.citation.path) !== 'code' && mentionsSubjects(question, texts[i]!));
  // Of those, the first that says the question's things as phrases ("the brass compass"), when one does.
  const phrased = about.findIndex((a, i) => a && mentionsPhrases(question, texts[i]!));
  let at = phrased >= 0 ? phrased : Math.max(0, about.indexOf(true));
  if (whereNow) {
    const path = segments[at]!.citation.path;
    segments.forEach((s, i) => { if (about[i] && s.citation.path === path && s.citation.startLine > segments[at]!.citation.startLine) at = i; });
  }
  const shown = at < CITATIONS ? cited : [...cited.slice(0, CITATIONS - 1), segments[at]!];
  const passes = (s: SpanAnswer | undefined): boolean => !!s && s.confidence >= spanThresholdOf(ctx, question, s);
  let span = await extractSpan(ctx.model, question, [texts[at]!], signal);
  if (!passes(span)) {
    const focused = await lineSpan(ctx, question, segments[at]!, signal);
    if (focused?.sole && passes(focused)) span = focused;
  }
  return { span: span && { ...span, passageIndex: Math.min(at, CITATIONS - 1) }, segments: shown };
}

/** The confidence a span answer to `question` must reach: its kind's, or the sole answers' (answerType.ts spanThresholdFor). */
function spanThresholdOf(ctx: QueryContext, question: string, span: SpanAnswer | undefined): number {
  return spanThresholdFor(ctx.model.config.answers, question, span?.sole) ?? DEFAULT_SPAN_THRESHOLD;
}

/**
 * The span head's answer from the one line of `segment` that matches the question best (answer.ts
 * bestLines), offsets into the segment's text; of a segment that is one long line (a book written
 * as one line), from the stretch of it a quote shows (answer.ts lineStretch); undefined when the
 * segment is one short line. The
 * head reads a passage's other lines too, and they can draw its probability away from the line
 * that answers: on the test KJV at 10M, "Where does Perpetua Lark store the extra lantern?" got
 * "Stonehaven Quay" at 0.89 from the planted line alone, and from the same line between two verses
 * about the ark in Obededom's house no answer of the asked kind at all. Read only where the whole
 * passage gave no answer that passes, and taken only when it is a sole answer (span.ts) that
 * passes its threshold: on the dev handbook any answer of the line that passed gave 3 more exact
 * answers and 1 more wrong one ("Bruce Perens" as the city Ian Murdock died in), sole ones 2 more
 * exact and none wrong.
 */
async function lineSpan(ctx: QueryContext, question: string, segment: SegmentLines, signal?: AbortSignal): Promise<SpanAnswer | undefined> {
  const weights = termWeights(question, [segment]);
  if (segment.lines.length < 2) {
    const line = segment.lines[0] ?? '';
    if (line.length <= MAX_QUOTED_LINE) return undefined;
    const { start, end } = lineStretch(line, weights);
    const span = await extractSpan(ctx.model, question, [line.slice(start, end)], signal);
    return span && { ...span, start: span.start + start, end: span.end + start };
  }
  const i = bestLines(segment, weights, 1).startLine - segment.citation.startLine;
  const line = segment.lines[i];
  if (line === undefined || line.trim() === '') return undefined;
  const offset = segment.lines.slice(0, i).reduce((n, l) => n + l.length + 1, 0);
  const span = await extractSpan(ctx.model, question, [line], signal);
  return span && { ...span, start: span.start + offset, end: span.end + offset };
}

/**
 * The best CITATIONS of `segments` (fused, best first) once the rerank graph has read each beside
 * the question. Each citation's score becomes the combined score that ordered it.
 */
async function reranked(ctx: QueryContext, question: string, segments: readonly SegmentLines[], params: RerankParams, signal?: AbortSignal): Promise<SegmentLines[]> {
  if (segments.length < 2) return segments.slice();
  const rel = await relevance(ctx.model, question, segments.map((s) => s.lines.join('\n')), signal);
  return rerankOrder(segments.map((s) => s.citation.score), rel, params.weight).slice(0, CITATIONS)
    .map(({ index, score }) => ({ ...segments[index]!, citation: { ...segments[index]!.citation, score } }));
}

/**
 * Text the decoder writes, when model.json declares this kind of text measured good; undefined
 * otherwise. Not streamed: it is shown only once whole and checked not to be a fragment.
 */
async function declaredGeneration(
  ctx: QueryContext, kind: 'ask' | 'summary' | 'explain', options: QueryOptions | undefined,
  prompt: (budget: (fixed: number, answerTokens: number) => number) => Promise<{ prompt: number[]; memory: Float32Array | undefined }>,
): Promise<string | undefined> {
  if (ctx.model.config.answers?.generation?.[kind] !== true) return undefined;
  const maxTokens = options?.maxTokens ?? DEFAULT_ANSWER_TOKENS;
  const p = await prompt((fixed, answerTokens) => contextBudget(ctx.model, fixed, Math.min(maxTokens, answerTokens)));
  if (!p.memory) return undefined;
  const g = await generate(ctx.model, p.prompt, p.memory, { maxTokens, signal: options?.signal });
  return isFragment(g.text) ? undefined : g.text.trim();
}

export async function ask(ctx: QueryContext, question: string, options?: QueryOptions): Promise<Answer> {
  const started = performance.now();
  if (ctx.memory.segmentCount === 0) throw noMemoryError();
  const texts = new SourceTexts(ctx);
  const mode = options?.retrieval ?? 'auto';
  // The rerank graph re-orders fused candidates only ('lexical' and 'model' stay what they say),
  // and not for a hover, which must answer within ~300 ms.
  const rerank = mode === 'auto' && !options?.fast ? rerankParams(ctx.model, options?.rerankWeight) : undefined;
  // A story tells where someone went many times: a question about where they are now looks
  // through more passages about them than it cites, for the latest (proseSpan).
  const whereNow = asksWhereNow(question);
  // "Where is the teapot?" goes through whoever last handled it (whereThing.ts): it looks through
  // as many passages about the thing as a story has sentences.
  const thing = asksWhereThing(question);
  const wanted = Math.max(rerank?.candidates ?? CITATIONS, whereNow || thing || namesSomething(question) ? STORY_CANDIDATES : 0);
  const retrieval = { fusionWeight: options?.fusionWeight, lexicalMargin: options?.lexicalMargin, candidates: options?.fast ? 32 : undefined };
  const hits = await retrieve(ctx, question, wanted, mode, retrieval);
  const candidates = await texts.segments(hits);
  if (candidates.length === 0) {
    const text = hits.length === 0
      ? 'Nothing in memory matches the words of the question. Try other words, or the name of a file or function.'
      : 'The passages found cannot be quoted: their files cannot be read now (see the notes).';
    return finish(ctx, options, { text, kind: 'passages', passages: [], citations: [] }, texts, started);
  }
  // What retrieval found is sent at once, before the rerank graph and the span head read (on a
  // 10M-token book the span head's reading of five passages was ~60 % of the time to the
  // citations: bench/latency.ts). These are the citations of the answer unless the rerank graph
  // re-orders them or a confident span narrows one and puts it first; then finish sends the final
  // list again before the text.
  const found = buildAnswer({ question, segments: candidates.slice(0, CITATIONS) }).citations;
  stream(options).emit({ type: 'citations', citations: found });
  // The rerank graph reads the fused candidates after they are sent (~4 ms a candidate on the
  // 2-core CPU: 30 in 115 ms, npm run eval:qa -- --tune-rerank).
  const segments = rerank ? await reranked(ctx, question, candidates, rerank, options?.signal) : candidates;
  // The span head reads the question beside one segment (proseSpan says which); its span is the
  // answer only when its calibrated confidence reaches the model's threshold (buildAnswer decides).
  // "Where is the teapot?" is read by the rule of whereThing.ts when the latest sentence about the
  // thing says who took it, who left it or where it is; any other question, and that one when the
  // rule cannot read the sentence, as proseSpan says. The rule looks through every candidate (the
  // rerank graph's first ones first; a repeat is cited once, buildAnswer), not only the cited.
  const hop = thing === undefined ? undefined : await whereThing(question, thing, rerank ? [...segments, ...candidates] : candidates, {
    find: async (q) => texts.segments(await retrieve(ctx, q, STORY_CANDIDATES, mode, retrieval)),
    read: (q, passage) => extractSpan(ctx.model, q, [passage], options?.signal),
  }, CITATIONS);
  const read = hop ?? await proseSpan(ctx, question, segments, whereNow, options?.signal);
  const generated = await declaredGeneration(ctx, 'ask', options, async (budget) => {
    const q = ctx.model.tokenizer.encode(question).slice(0, ctx.model.config.maxQueryTokens);
    const context = ctx.model.tokenizer.encode(segments[0]!.lines.join('\n')).slice(0, budget(q.length + 3, 64));
    return { prompt: askPrompt(ctx.model, context, q), memory: ctx.memory.fileMemory(segments[0]!.citation.path) ?? ctx.memory.workspaceMemory() };
  });
  // The lines quoted from each passage are those with the most words of the question, and of the
  // question the span head was asked about the thing's holder ("Where is Ottoline?").
  const quoteFor = hop && hop.asked !== question ? `${question} ${hop.asked}` : question;
  // The threshold is that of the question the span head was asked ("Where is Ottoline?" for the teapot).
  const spanThreshold = spanThresholdOf(ctx, hop?.asked ?? question, read.span);
  const parts = buildAnswer({ question: quoteFor, segments: read.segments, span: read.span, spanThreshold, generated });
  return finish(ctx, options, parts, texts, started, found);
}

/** Segments under `filter` whose keys lie closest to their mean key: the most typical ones. */
function centralSegments(memory: WorkspaceMemory, k: number, filter?: (f: FileMemory) => boolean): Hit[] {
  const K = memory.shape.keyDim;
  const mean = new Float32Array(K);
  let n = 0;
  for (const f of memory.entries()) {
    if (filter && !filter(f)) continue;
    for (let s = 0; s < f.segmentsRead; s++) { for (let i = 0; i < K; i++) mean[i]! += f.keys[s * K + i]!; n++; }
  }
  if (n === 0) return [];
  let norm = 0;
  for (let i = 0; i < K; i++) norm += mean[i]! * mean[i]!;
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < K; i++) mean[i]! /= norm;
  return topSegments(memory, mean, k, filter);
}

/** The opening lines of a file as a passage. */
async function openingPassage(texts: SourceTexts, file: FileMemory): Promise<Passage | undefined> {
  const lines = await texts.lines(file);
  if (!lines || file.segmentsRead === 0) return undefined;
  const r = openingLines(lines);
  // Found by neither retriever: a file's opening is quoted because it is the opening.
  const segment: SegmentLines = { citation: { path: file.path, startLine: 1, endLine: lines.length, score: 1, sources: [] }, lines };
  return passageOf(segment, r.startLine, r.endLine);
}

/** Typical lines of each segment, picked by the words the segments share. */
function typicalPassages(segments: readonly SegmentLines[]): Passage[] {
  const weights = topicWeights(segments);
  return segments.map((s) => { const r = bestLines(s, weights); return passageOf(s, r.startLine, r.endLine, weights); });
}

function overlaps(a: Citation, b: Citation): boolean {
  return a.path === b.path && a.startLine <= b.endLine && b.startLine <= a.endLine;
}

/** Passages without repeats of a place already quoted. */
function disjoint(passages: readonly (Passage | undefined)[]): Passage[] {
  const out: Passage[] = [];
  for (const p of passages) if (p && !out.some((q) => overlaps(q.citation, p.citation))) out.push(p);
  return out;
}

/**
 * An extractive summary: what the files say about themselves (a file's opening comment or
 * first lines) and their most typical passages, quoted. No generated word unless model.json
 * declares summaries measured good.
 */
export async function summarize(ctx: QueryContext, target: SummaryTarget, options?: QueryOptions): Promise<Answer> {
  const started = performance.now();
  const texts = new SourceTexts(ctx);
  let label: string;
  let memory: Float32Array | undefined;
  let passages: Passage[];
  let lead: string;

  switch (target.kind) {
    case 'workspace':
    case 'folder': {
      const prefix = target.kind === 'folder' ? target.path.replace(/\/+$/, '') : '';
      const all = prefix === '' || prefix === '.';
      const inFolder = (f: FileMemory): boolean => all || f.path.startsWith(prefix + '/');
      label = all ? basename(ctx.root) : prefix;
      memory = all ? ctx.memory.workspaceMemory() : ctx.memory.folderMemory(prefix);
      if (!memory) throw all ? noMemoryError() : new Error(`Nothing under ${prefix} has been read (it may be excluded, skipped or not read yet). Read the workspace, then ask again.`);
      // A README at the top of the folder says what it is; then the most typical files' openings.
      const top = all ? '' : `${prefix}/`;
      const readme = [...ctx.memory.entries()].find((f) => inFolder(f) && /^readme(\.\w+)?$/i.test(f.path.slice(top.length)));
      const central = centralSegments(ctx.memory, 12, inFolder);
      const files = [...new Set([...(readme ? [readme] : []), ...central.map((h) => h.file)])].slice(0, 4);
      passages = disjoint(await Promise.all(files.map((f) => openingPassage(texts, f))));
      lead = `What the files of ${label} say about themselves, quoted: the openings of ${passages.length === 1 ? 'its most typical file' : `${passages.length} of its most typical files`}.`;
      break;
    }
    case 'file': {
      label = target.path;
      const file = ctx.memory.get(target.path);
      if (!file) throw new Error(`${target.path} has not been read (it may be excluded, skipped or not read yet). Read the workspace, then ask again.`);
      memory = ctx.memory.fileMemory(target.path);
      const central = centralSegments(ctx.memory, 3, (f) => f === file);
      const opening = await openingPassage(texts, file);
      passages = disjoint([opening, ...typicalPassages(await texts.segments(central))]).slice(0, 3);
      lead = `What ${label} says about itself, quoted: its opening lines and its most typical passages.`;
      break;
    }
    case 'selection': {
      label = `${target.path}:${target.startLine}-${target.endLine}`;
      memory = ctx.memory.fileMemory(target.path) ?? ctx.memory.workspaceMemory();
      if (ctx.memory.segmentCount === 0) throw noMemoryError();
      // The selection is in front of the reader already; what helps is where else the same things are.
      const selection: Citation = { path: target.path, startLine: target.startLine, endLine: target.endLine, score: 1, sources: [] };
      const hits = (await retrieve(ctx, target.text.slice(0, 2000), 12, 'lexical')).filter((h) => !overlaps(hitCitation(h), selection));
      const segments = await texts.segments(hits.slice(0, 4));
      passages = buildAnswer({ question: target.text.slice(0, 2000), segments }).passages.slice();
      lead = passages.length > 0 ? `The places in memory most like the selection (${label}), quoted:` : `Nothing else in memory is like the selection (${label}).`;
      break;
    }
  }
  const generated = await declaredGeneration(ctx, 'summary', options, async (budget) => {
    const p = ctx.model.tokenizer.encode(label).slice(0, 32);
    const context = ctx.model.tokenizer.encode(target.kind === 'selection' ? target.text : passages.map((x) => x.text).join('\n')).slice(0, budget(p.length + 4, 96));
    return { prompt: summarizePrompt(ctx.model, p, context), memory };
  });
  const parts: AnswerParts = {
    text: composeText(generated ?? lead, passages), kind: generated ? 'generated' : 'passages', passages, citations: passages.map((p) => p.citation),
  };
  return finish(ctx, options, parts, texts, started);
}

/** Patterns of lines that define `symbol`, strongest first. */
function definitionPatterns(symbol: string): RegExp[] {
  const s = escapeRegExp(symbol);
  return [
    new RegExp(`^\\s*(export\\s+)?(default\\s+)?(declare\\s+)?(abstract\\s+)?(async\\s+)?(function\\*?|class|interface|type|enum|namespace|module|struct|trait|union)\\s+${s}\\b`),
    new RegExp(`^\\s*(async\\s+)?(def|fn|func|pub\\s+fn|pub\\s+struct|pub\\s+enum|impl|macro_rules!)\\s+${s}\\b`),
    new RegExp(`^\\s*#\\s*define\\s+${s}\\b`),
    new RegExp(`^\\s*(export\\s+)?(const|let|var)\\s+${s}\\b`),
    new RegExp(`^\\s*(public\\s+|private\\s+|protected\\s+|static\\s+|readonly\\s+|async\\s+|get\\s+|set\\s+)*${s}\\s*(<[^>]*>)?\\s*\\([^)]*\\)\\s*(:[^;{]*)?\\{?\\s*$`),
    new RegExp(`^\\s*(self\\.)?${s}\\s*(:[^=]+)?=(?!=)`),
    new RegExp(`^[\\w\\s\\*]*\\b${s}\\s*\\([^;]*\\)\\s*\\{?\\s*$`),
  ];
}

interface Definition { readonly segment: SegmentLines; readonly line: number; readonly strength: number }

function findDefinition(segments: readonly SegmentLines[], symbol: string): Definition | undefined {
  const patterns = definitionPatterns(symbol);
  let best: Definition | undefined;
  for (const segment of segments) {
    for (let i = 0; i < segment.lines.length; i++) {
      const text = segment.lines[i]!;
      if (!text.includes(symbol)) continue;
      const p = patterns.findIndex((re) => re.test(text));
      if (p < 0) continue;
      const strength = patterns.length - p;
      if (!best || strength > best.strength) best = { segment, line: segment.citation.startLine + i, strength };
      break;
    }
    if (best && best.strength === patterns.length) break;
  }
  return best;
}

/** Lines shown for a definition: its line and what follows in the segment, up to a blank line. */
const DEFINITION_LINES = 6;

/**
 * A symbol explained from memory: where it is defined and where it is used, as quoted lines.
 * Candidates come from the lexical index (the symbol's own name), the model's keys (trained to
 * map a name to its definition) and the file the cursor is in.
 */
export async function explain(ctx: QueryContext, query: SymbolQuery, options?: QueryOptions): Promise<Explanation> {
  const started = performance.now();
  if (ctx.memory.segmentCount === 0) throw noMemoryError();
  const texts = new SourceTexts(ctx);
  const fast = options?.fast ?? false;
  const byWords = lexicalSegments(ctx.memory, ctx.lexical, query.symbol, fast ? 24 : 64);
  const here = ctx.memory.get(query.path);
  const local: Hit[] = here ? Array.from({ length: here.segmentsRead }, (_, index) => ({ file: here, index, score: 0, sources: [] })) : [];
  const seen = new Set<string>();
  const fresh = (h: Hit): boolean => {
    const k = `${h.file.path}#${h.index}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  };
  // Only segments that hold the name can define or use it.
  const word = new RegExp(`(^|[^\\w$])${escapeRegExp(query.symbol)}($|[^\\w$])`);
  const holding = async (hits: readonly Hit[]): Promise<SegmentLines[]> => (await texts.segments(hits.filter(fresh))).filter((s) => s.lines.some((l) => word.test(l)));
  // The name's own segments and the cursor's file first; the model's keys (trained to map a name
  // to its definition) only when those hold no definition, so a hover reads few files.
  const segments = await holding([...byWords, ...local]);
  let definition = findDefinition(segments, query.symbol);
  if (!definition) {
    const more = await holding(topSegments(ctx.memory, await queryKey(ctx.model, query.symbol), fast ? 16 : 48));
    definition = findDefinition(more, query.symbol);
    segments.push(...more);
  }

  let defPassage: Passage | undefined;
  if (definition) {
    const s = definition.segment;
    let end = definition.line;
    while (end + 1 <= s.citation.endLine && end - definition.line < DEFINITION_LINES - 1 && s.lines[end + 1 - s.citation.startLine]!.trim() !== '') end++;
    defPassage = passageOf(s, definition.line, end);
  }
  const uses: Passage[] = [];
  for (const s of segments) {
    if (uses.length >= CITATIONS) break;
    const i = s.lines.findIndex((l, i) => word.test(l) && !(defPassage && overlaps(defPassage.citation, { ...s.citation, startLine: s.citation.startLine + i, endLine: s.citation.startLine + i })));
    if (i < 0) continue;
    const line = s.citation.startLine + i;
    const p = passageOf(s, line, line);
    if (!uses.some((u) => overlaps(u.citation, p.citation))) uses.push(p);
  }
  const passages = [...(defPassage ? [defPassage] : []), ...uses];
  const name = `\`${query.symbol.replace(/`/g, '')}\``;
  const lead = defPassage
    ? `${name} is defined at ${defPassage.citation.path}:${defPassage.citation.startLine}${uses.length ? `, and used in the places below` : ''}.`
    : uses.length ? `No definition of ${name} was found in what has been read; places that use it:` : `${name} was not found in what has been read.`;
  const generated = await declaredGeneration(ctx, 'explain', options, async (budget) => {
    const anchor = defPassage ?? passages[0];
    const tok = ctx.model.tokenizer;
    const p = tok.encode(anchor?.citation.path ?? query.path).slice(0, 32);
    const sym = tok.encode(query.symbol).slice(0, 16);
    const context = tok.encode(anchor?.text ?? '').slice(0, budget(p.length + sym.length + 5, fast ? HOVER_TOKENS : 96));
    return { prompt: explainPrompt(ctx.model, p, context, sym), memory: ctx.memory.fileMemory(anchor?.citation.path ?? query.path) ?? ctx.memory.workspaceMemory() };
  });
  const parts: AnswerParts = {
    text: composeText(generated ?? lead, passages), kind: generated ? 'generated' : 'passages', passages, citations: passages.map((p) => p.citation),
  };
  const answer = finish(ctx, options, parts, texts, started);
  return { ...answer, definition: defPassage?.citation, uses: uses.map((u) => u.citation) };
}
