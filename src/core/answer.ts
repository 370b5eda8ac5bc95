// What an answer says, built from what was retrieved. Pure functions: no model, no files.
// An answer is never a fragment of model output: it is the span the model's span head copied
// (when it is confident), or a plain "not sure" with the best passages quoted, or generated
// text only where model.json declares that kind measured good and the text is a whole sentence.
import { analyze } from './analyze';
import type { Answer, Citation, Passage } from './api';
import type { SpanAnswer } from './span';

export type { SpanAnswer };


/** A retrieved segment: its whole line range as cited, and those lines. */
export interface SegmentLines {
  readonly citation: Citation;
  /** Lines `citation.startLine..citation.endLine`, in order. */
  readonly lines: readonly string[];
}

/** Confidence a span needs when model.json names no threshold. */
export const DEFAULT_SPAN_THRESHOLD = 0.5;
/** Lines quoted from one segment, at most. */
export const PASSAGE_LINES = 6;
/** Longer lines (minified code, data) are cut in quotes; the citation still names the line. */
export const MAX_QUOTED_LINE = 400;
/** A character of a word. */
const WORD = /[\p{L}\p{N}_]/u;

export type AnswerParts = Pick<Answer, 'text' | 'kind' | 'confidence' | 'passages' | 'citations'>;

/** Weight of each question term: rarer among the candidate lines = more telling. */
export function termWeights(question: string, segments: readonly SegmentLines[]): Map<string, number> {
  const terms = new Set(analyze(question));
  const df = new Map<string, number>();
  let lines = 0;
  for (const s of segments) {
    for (const line of s.lines) {
      lines++;
      for (const t of new Set(analyze(line))) if (terms.has(t)) df.set(t, (df.get(t) ?? 0) + 1);
    }
  }
  const out = new Map<string, number>();
  for (const t of terms) out.set(t, Math.log(1 + (lines + 1) / (1 + (df.get(t) ?? 0))));
  return out;
}

/**
 * The lines of a segment that match the question best: the window of at most `maxLines` lines
 * covering the most (weighted) question terms, trimmed to start and end on matching lines. A
 * segment with no matching line (found by the model's keys alone) gives its first lines.
 */
export function bestLines(segment: SegmentLines, weights: ReadonlyMap<string, number>, maxLines = PASSAGE_LINES): { startLine: number; endLine: number } {
  const first = segment.citation.startLine;
  const matched = segment.lines.map((line) => new Set(analyze(line).filter((t) => weights.has(t))));
  let best: { i: number; j: number; score: number } | undefined;
  for (let i = 0; i < matched.length; i++) {
    if (matched[i]!.size === 0) continue;
    const covered = new Set<string>();
    for (let j = i; j < Math.min(matched.length, i + maxLines); j++) {
      if (matched[j]!.size === 0) continue;
      for (const t of matched[j]!) covered.add(t);
      let score = 0;
      for (const t of covered) score += weights.get(t)!;
      // Of windows covering the same terms, the shortest: the citation is as precise as it can be.
      score -= 1e-3 * (j - i);
      if (!best || score > best.score + 1e-9) best = { i, j, score };
    }
  }
  if (best) return { startLine: first + best.i, endLine: first + best.j };
  let i = segment.lines.findIndex((l) => l.trim() !== '');
  if (i < 0) i = 0;
  let j = Math.min(segment.lines.length - 1, i + Math.min(maxLines, 4) - 1);
  while (j > i && segment.lines[j]!.trim() === '') j--;
  return { startLine: first + i, endLine: first + j };
}

/**
 * Lines `startLine..endLine` of a segment as a passage, citation narrowed to them. A line longer
 * than MAX_QUOTED_LINE is quoted in part: around `focus` (an offset into the segment's text, the
 * answer's start) when it falls in that line, else where the `weights`' terms weigh most, else
 * its start.
 */
export function passageOf(segment: SegmentLines, startLine: number, endLine: number, weights?: ReadonlyMap<string, number>, focus?: number): Passage {
  const c = segment.citation;
  const from = Math.max(c.startLine, startLine);
  const to = Math.min(c.endLine, Math.max(from, endLine));
  let offset = segment.lines.slice(0, from - c.startLine).reduce((n, l) => n + l.length + 1, 0);
  const text = segment.lines.slice(from - c.startLine, to - c.startLine + 1).map((l) => {
    const at = focus !== undefined && focus >= offset && focus <= offset + l.length ? focus - offset : undefined;
    offset += l.length + 1;
    return quotedLine(l, weights, at);
  }).join('\n');
  return { citation: { ...c, startLine: from, endLine: to }, text };
}

/** `line`, or its MAX_QUOTED_LINE characters around `at` or the most weighted terms (lineStretch), marked cut with "…". */
function quotedLine(line: string, weights: ReadonlyMap<string, number> | undefined, at: number | undefined): string {
  if (line.length <= MAX_QUOTED_LINE) return line;
  const { start, end } = lineStretch(line, weights, at);
  return `${start > 0 ? '…' : ''}${line.slice(start, end)}${end < line.length ? '…' : ''}`;
}

/**
 * The MAX_QUOTED_LINE characters of a long line that a quote shows: around `at`, else where the
 * `weights`' terms weigh most, else its start; from a word's start to a word's end.
 */
export function lineStretch(line: string, weights: ReadonlyMap<string, number> | undefined, at?: number): { start: number; end: number } {
  let start = at !== undefined ? at - MAX_QUOTED_LINE / 4 : weights ? densest(line, weights) : 0;
  start = Math.max(0, Math.min(line.length - MAX_QUOTED_LINE, start));
  while (start > 0 && start < line.length && WORD.test(line[start - 1]!) && WORD.test(line[start]!)) start++;
  let end = Math.min(line.length, start + MAX_QUOTED_LINE);
  while (end < line.length && end > start && WORD.test(line[end - 1]!) && WORD.test(line[end]!)) end--;
  return { start, end };
}

/** Where the MAX_QUOTED_LINE characters of `line` holding the most weight of distinct terms start. */
function densest(line: string, weights: ReadonlyMap<string, number>): number {
  const hits: { at: number; term: string }[] = [];
  for (const m of line.matchAll(/[\p{L}\p{N}_]+/gu)) for (const t of analyze(m[0])) if (weights.has(t)) hits.push({ at: m.index, term: t });
  let best = 0;
  let bestScore = 0;
  for (let i = 0; i < hits.length; i++) {
    const seen = new Set<string>();
    let score = 0;
    for (let j = i; j < hits.length && hits[j]!.at < hits[i]!.at + MAX_QUOTED_LINE * 0.8; j++) {
      if (seen.has(hits[j]!.term)) continue;
      seen.add(hits[j]!.term);
      score += weights.get(hits[j]!.term)!;
    }
    if (score > bestScore + 1e-9) { bestScore = score; best = Math.max(0, hits[i]!.at - MAX_QUOTED_LINE / 10); }
  }
  return best;
}

/**
 * Drops passages that quote a line an earlier one quotes (neighbouring segments share the line
 * where one ends and the next begins), so no line is quoted twice. Two parts of one long line
 * (the segments of a book written as one line) are different quotes of it.
 */
function distinct(passages: readonly Passage[]): Passage[] {
  const out: Passage[] = [];
  for (const p of passages) {
    const c = p.citation;
    const quoted = new Set(p.text.split('\n'));
    if (!out.some((q) => q.citation.path === c.path && q.citation.startLine <= c.endLine && c.startLine <= q.citation.endLine && q.text.split('\n').some((l) => quoted.has(l)))) out.push(p);
  }
  return out;
}

/** "path:12" or "path:12-20". */
export function placeLabel(c: Citation): string {
  return c.endLine > c.startLine ? `${c.path}:${c.startLine}-${c.endLine}` : `${c.path}:${c.startLine}`;
}

/** Text of an answer: the lead paragraph, then each passage as its place and a fenced quote. */
export function composeText(lead: string, passages: readonly Passage[]): string {
  const parts = [lead.replace(/\s*\n\s*\n\s*/g, ' ').trim()];
  for (const p of passages) {
    const longest = Math.max(0, ...[...p.text.matchAll(/`+/g)].map((m) => m[0].length));
    const fence = '`'.repeat(Math.max(3, longest + 1));
    parts.push(`\`${placeLabel(p.citation)}\`\n${fence}\n${p.text}\n${fence}`);
  }
  return parts.join('\n\n');
}

/**
 * Whether generated text is too broken to show: fewer than three words, or cut off without an
 * ending. Declared-good generation still has to pass this.
 */
export function isFragment(text: string): boolean {
  const t = text.trim();
  return t.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length < 3 || !/[.!?:)"'`\]]$/.test(t);
}

// Scripts written without spaces between words: any character boundary may end a word there.
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}]/u;

/**
 * Whether offset `at` of `text` falls inside a word ("Fatim|a", "579|0390687"), or beside a colon
 * joining two words ("Ge35|:19", a verse's reference; "12|:30").
 */
function cutsWord(text: string, at: number): boolean {
  const before = text[at - 1];
  const after = text[at];
  if (before === undefined || after === undefined) return false;
  if (after === ':' && WORD.test(before) && WORD.test(text[at + 1] ?? '')) return true;
  if (before === ':' && WORD.test(after) && WORD.test(text[at - 2] ?? '')) return true;
  return WORD.test(before) && WORD.test(after) && !UNSPACED.test(before) && !UNSPACED.test(after);
}

/**
 * A span that can be the answer: inside its passage, not blank, not only function words, and
 * whole words: a span cut inside a word is a fragment ("Fatim" of "Fatima", "579039" of "5790390687") whatever its
 * confidence.
 */
function validSpan(span: SpanAnswer | undefined, segments: readonly SegmentLines[]): span is SpanAnswer {
  if (!span) return false;
  const s = segments[span.passageIndex];
  if (!s || !Number.isInteger(span.start) || !Number.isInteger(span.end)) return false;
  const text = s.lines.join('\n');
  if (!(span.start >= 0 && span.end > span.start && span.end <= text.length && text.slice(span.start, span.end).trim() !== '')) return false;
  // Only function words ("him", "of the") say nothing, however confident the head is.
  if (analyze(text.slice(span.start, span.end)).length === 0) return false;
  return !cutsWord(text, span.start) && !cutsWord(text, span.end);
}

/** Lines of a segment that hold characters `start..end` of its text. */
function spanLines(segment: SegmentLines, start: number, end: number): { startLine: number; endLine: number } {
  const text = segment.lines.join('\n');
  const before = (offset: number): number => text.slice(0, offset).split('\n').length - 1;
  return { startLine: segment.citation.startLine + before(start), endLine: segment.citation.startLine + before(Math.max(start, end - 1)) };
}

export const NOT_SURE = 'I am not sure of the answer. These are the passages that match the question best:';

/**
 * The answer to a question from its retrieved segments (ranked), an optional span from the
 * model's span head, and optional generated text the caller may show (declared good).
 */
export function buildAnswer(input: {
  readonly question: string;
  readonly segments: readonly SegmentLines[];
  readonly span?: SpanAnswer;
  readonly spanThreshold?: number;
  readonly generated?: string;
}): AnswerParts {
  const { question, segments } = input;
  const weights = termWeights(question, segments);
  const quoted = distinct(segments.map((s) => { const r = bestLines(s, weights); return passageOf(s, r.startLine, r.endLine, weights); }));
  const threshold = input.spanThreshold ?? DEFAULT_SPAN_THRESHOLD;
  if (validSpan(input.span, segments) && input.span.confidence >= threshold) {
    const span = input.span;
    const seg = segments[span.passageIndex]!;
    const r = spanLines(seg, span.start, span.end);
    const first = passageOf(seg, r.startLine, r.endLine, weights, span.start);
    const passages = distinct([first, ...quoted.filter((p) => p.citation.path !== first.citation.path || p.citation.endLine < r.startLine || p.citation.startLine > r.endLine)]);
    const lead = seg.lines.join('\n').slice(span.start, span.end).replace(/\s+/g, ' ').trim();
    return { text: composeText(lead, passages), kind: 'span', confidence: span.confidence, passages, citations: passages.map((p) => p.citation) };
  }
  if (input.generated !== undefined && !isFragment(input.generated)) {
    return { text: composeText(input.generated, quoted), kind: 'generated', passages: quoted, citations: quoted.map((p) => p.citation) };
  }
  return { text: composeText(NOT_SURE, quoted), kind: 'passages', passages: quoted, citations: quoted.map((p) => p.citation) };
}

/**
 * Weights for quoting a typical passage when there is no question: a term weighs the number of
 * the given segments it occurs in, counted only when it occurs in two or more (the topic of a
 * file or folder recurs; a one-off word does not).
 */
export function topicWeights(segments: readonly SegmentLines[]): Map<string, number> {
  const count = new Map<string, number>();
  for (const s of segments) for (const t of new Set(analyze(s.lines.join('\n')))) count.set(t, (count.get(t) ?? 0) + 1);
  const out = new Map<string, number>();
  for (const [t, n] of count) if (n >= 2 && t.length > 2) out.set(t, n);
  return out;
}

/**
 * The opening of a file that says what it is: its leading comment or docstring (after a shebang,
 * blank lines and a license header are not skipped: a license is what some files open with),
 * else its first non-blank lines. 1-based inclusive range into `lines`.
 */
export function openingLines(lines: readonly string[], maxLines = 12): { startLine: number; endLine: number } {
  let i = 0;
  while (i < lines.length && (lines[i]!.trim() === '' || (i === 0 && lines[i]!.startsWith('#!')))) i++;
  if (i >= lines.length) return { startLine: 1, endLine: 1 };
  const t = lines[i]!.trim();
  let j = i;
  if (/^("""|''')/.test(t)) {
    // A docstring runs to its closing quotes.
    const q = t.slice(0, 3);
    if (!(t.length > 3 && t.endsWith(q))) while (j + 1 < lines.length && j - i < maxLines - 1 && !lines[j]!.trim().includes(q, j === i ? 3 : 0)) j++;
  } else if (/^(\/\/|#|--|;|\/\*|\*|%|<!--|\.\.)/.test(t)) {
    const block = t.startsWith('/*') || t.startsWith('<!--');
    while (j + 1 < lines.length && j - i < maxLines - 1) {
      const next = lines[j + 1]!.trim();
      if (block ? lines[j]!.includes('*/') || lines[j]!.includes('-->') : !/^(\/\/|#|--|;|%|\.\.)/.test(next) || next === '') break;
      j++;
    }
  } else {
    // Prose or code without a leading comment: its first paragraph.
    while (j + 1 < lines.length && j - i < Math.min(maxLines, 8) - 1 && lines[j + 1]!.trim() !== '') j++;
  }
  return { startLine: i + 1, endLine: j + 1 };
}
