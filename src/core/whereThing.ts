// "Where is the teapot?" over a story: a rule of the engine over the text it retrieves, not the
// memory model. A thing is where the person who last took it is now, or where the person who last
// put it down was when they did (bAbI's QA2, Weston et al. 2015: two supporting facts). The span
// head alone cannot make that second hop: "Ottoline picked up the teapot." holds no place. So the
// engine reads the latest sentence about the thing and, when it says who took or left it, asks
// the span head where that person is, in the latest passage about them (as for "Where is
// Ottoline?", query.ts proseSpan) or the latest up to the moment they left it. Anything else
// (no such sentence, a sentence it cannot read plainly) leaves the question to the ordinary path.
// On bAbI QA2 stories hidden in a book (npm run eval:qa) it took exact answers from 0% to 93.8 /
// 100 / 91.7% at 16k / 128k / 1M on the dev book (the misses: "not sure", both passages cited)
// and 100% at each size on the test book, with the lexical index; QA1 and the planted facts unchanged.
//
// Verbs are bAbI's, which are plain English: took, got, grabbed, picked up; dropped, discarded,
// put down, left. A sentence is read only when it is exactly "<Name> <verb> the <thing>.": a
// pronoun, a longer clause or a wrapped line is not guessed at.
import type { SegmentLines } from './answer';
import { isNameWord } from './answerType';
import { escapeRegExp } from './regexp';
import type { SpanAnswer } from './span';
import { kindOfPath } from './text';

const TAKE = String.raw`picked\s+up|took|got|grabbed`;
const DROP = String.raw`dropped|discarded|put\s+down|left`;
const DETERMINER = String.raw`(?:the|a|an|his|her|their)`;
const NAME = String.raw`\p{Lu}[\p{L}'’-]*`;
// Verbs that place a thing itself: "The teapot is in the kitchen.", "The keys lay under the mat."
const PLACED = String.raw`(?:is|are|was|were|lies|lie|lay|sits|sit|sat|stands|stand|stood|hangs|hang|hung)\s+(?:still\s+)?(?:in|on|at|inside|under|beneath|behind|near|by|beside|upon)\s`;

/** Where a handling or placing sentence is: its segment and its line range in the file. */
interface Clause {
  readonly segment: SegmentLines;
  /** Character offsets into the segment's text (lines joined by "\n"). */
  readonly start: number;
  readonly end: number;
  readonly line: number;
  readonly endLine: number;
  /** Column of the clause's start on `line`: orders clauses that share a line. */
  readonly column: number;
}

export type ThingSentence =
  | { readonly kind: 'take' | 'drop'; readonly person: string }
  | { readonly kind: 'placed' };

/** A phrase of words as a pattern: any white space between them, whole words at both ends. */
function phrase(words: string): string {
  return `(?<![\\p{L}\\p{N}])${words.trim().split(/\s+/u).map(escapeRegExp).join('\\s+')}(?![\\p{L}\\p{N}])`;
}

/**
 * What a clause says of `thing`: someone took it or let go of it, or it is somewhere; undefined
 * for anything else. The clause is the whole sentence, from its start to its full stop.
 */
export function readThingSentence(clause: string, thing: string): ThingSentence | undefined {
  const t = phrase(thing);
  const handled = new RegExp(`^\\s*(${NAME}(?:\\s+${NAME}){0,2})\\s+(${TAKE}|${DROP})\\s+${DETERMINER}\\s+${t}\\s*[.!]\\s*$`, 'iu').exec(clause);
  if (handled) {
    // The pattern ignores case for the verbs and the thing; a name must still be capitalised.
    const person = handled[1]!.split(/\s+/u);
    if (!person.every((w) => /^\p{Lu}/u.test(w) && isNameWord(w))) return undefined;
    return { kind: new RegExp(`^(?:${TAKE})$`, 'iu').test(handled[2]!.replace(/\s+/gu, ' ')) ? 'take' : 'drop', person: person.join(' ') };
  }
  if (new RegExp(`^\\s*${DETERMINER}\\s+${t}\\s+${PLACED}[^.!?]*[.!]\\s*$`, 'iu').test(clause)) return { kind: 'placed' };
  return undefined;
}

/** Whether a clause says only that someone handled a thing: it tells nothing of where they are. */
function handlesSomething(clause: string): boolean {
  return new RegExp(`^\\s*${NAME}(?:\\s+${NAME}){0,2}\\s+(?:${TAKE}|${DROP})\\s+${DETERMINER}\\s+\\S[^\\n]*[.!]\\s*$`, 'u').test(clause);
}

/**
 * The clause around offset `at` of `text`: from the end of the sentence or the line before it to
 * the end of its sentence or its line. A story's sentence inserted as a line of its own in
 * wrapped prose is its own clause; a sentence wrapped over two lines is not read whole, and then
 * matches none of the patterns (the rule leaves it alone).
 */
function clauseAround(text: string, at: number): { start: number; end: number } {
  let start = 0;
  for (const m of text.slice(0, at).matchAll(/[.!?]["'’”)\]]*\s+|\n/gu)) start = m.index + m[0].length;
  const after = /[.!?]["'’”)\]]*(?=\s|$)|\n/u.exec(text.slice(at));
  const end = after ? at + after.index + (after[0] === '\n' ? 0 : after[0].length) : text.length;
  return { start, end };
}

/** Every clause of the prose segments of `path` that mentions `words` (a pattern), in file order. */
function clausesMentioning(segments: readonly SegmentLines[], path: string, pattern: RegExp): Clause[] {
  const seen = new Set<string>();
  const out: Clause[] = [];
  for (const segment of segments) {
    if (segment.citation.path !== path) continue;
    const text = segment.lines.join('\n');
    for (const m of text.matchAll(pattern)) {
      const { start, end } = clauseAround(text, m.index);
      const lineStart = text.lastIndexOf('\n', start - 1) + 1;
      const line = segment.citation.startLine + (text.slice(0, start).match(/\n/gu)?.length ?? 0);
      const endLine = segment.citation.startLine + (text.slice(0, Math.max(start, end - 1)).match(/\n/gu)?.length ?? 0);
      const column = start - lineStart;
      // Neighbouring segments share a line: one clause, whichever segment holds it.
      const key = `${line}:${column}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ segment, start, end, line, endLine, column });
    }
  }
  return out.sort((a, b) => a.line - b.line || a.column - b.column);
}

function textOf(c: Clause): string {
  return c.segment.lines.join('\n').slice(c.start, c.end);
}

/** Lines `from..to` of a segment, as a segment of their own. */
function narrowed(s: SegmentLines, from: number, to: number): SegmentLines {
  const c = s.citation;
  return { citation: { ...c, startLine: from, endLine: to }, lines: s.lines.slice(from - c.startLine, to - c.startLine + 1) };
}

function samePlace(a: SegmentLines, b: SegmentLines): boolean {
  return a.citation.path === b.citation.path && a.citation.startLine <= b.citation.endLine && b.citation.startLine <= a.citation.endLine;
}

/** What the engine gives the rule: retrieval and the span head (query.ts). */
export interface Reader {
  /** Retrieved passages for `question`, best first (prose and code alike). */
  find(question: string): Promise<readonly SegmentLines[]>;
  /** The span head's answer to `question` in `passage`. */
  read(question: string, passage: string): Promise<SpanAnswer | undefined>;
}

export interface ThingAnswer {
  /** The span head's answer, in `segments[0]`. */
  readonly span?: SpanAnswer;
  /** The passages to cite: where the answer was read first, then the thing's sentence, then the others found. */
  readonly segments: SegmentLines[];
  /** The question the span head was asked ("Where is Ottoline?" for the teapot she took). */
  readonly asked: string;
}

/**
 * Where `thing` is, by the rule above, over `segments` (retrieved for `question`, best first, at
 * least as many as a story's sentences: query.ts STORY_CANDIDATES) and a second retrieval about
 * its holder. Undefined when the latest sentence about the thing says nothing the rule reads, or
 * no passage says where its holder was: the caller then answers as it would any question.
 * `cite`: how many passages an answer cites.
 */
export async function whereThing(question: string, thing: string, segments: readonly SegmentLines[], reader: Reader, cite: number): Promise<ThingAnswer | undefined> {
  const pattern = new RegExp(phrase(thing), 'giu');
  const mentions = new RegExp(phrase(thing), 'iu');
  const prose = (s: SegmentLines): boolean => kindOfPath(s.citation.path) !== 'code';
  const about = segments.find((s) => prose(s) && mentions.test(s.lines.join('\n')));
  if (!about) return undefined;
  // The file of the best passage about the thing tells its story; its latest sentence decides.
  const path = about.citation.path;
  const latest = clausesMentioning(segments, path, pattern).pop();
  if (!latest) return undefined;
  const said = readThingSentence(textOf(latest), thing);
  if (!said) return undefined;
  const thingSegment = narrowed(latest.segment, latest.line, latest.endLine);
  const others = (first: readonly SegmentLines[]): SegmentLines[] => [
    ...first, ...segments.filter((s) => !first.some((f) => samePlace(f, s))),
  ].slice(0, cite);
  if (said.kind === 'placed') {
    const span = await reader.read(question, thingSegment.lines.join('\n'));
    return { span, segments: others([thingSegment]), asked: question };
  }
  // Where the person is now (took it), or was when they let go of it (up to that sentence).
  const asked = `Where is ${said.person}?`;
  const found = [...segments, ...(await reader.find(asked))].filter(prose);
  const named = new RegExp(phrase(said.person), 'gu');
  const before = (c: Clause): boolean => said.kind === 'take' || c.line < latest.line || (c.line === latest.line && c.column <= latest.column);
  const placing = clausesMentioning(found, path, named).filter((c) => before(c) && !handlesSomething(textOf(c)));
  const last = placing.pop();
  if (!last) return undefined;
  const s = last.segment;
  const personSegment = said.kind === 'drop' && s.citation.endLine > latest.line ? narrowed(s, s.citation.startLine, Math.max(latest.line, last.endLine)) : s;
  const span = await reader.read(asked, personSegment.lines.join('\n'));
  return { span, segments: others([personSegment, thingSegment]), asked };
}
