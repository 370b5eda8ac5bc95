// The questions of the question-answering evaluation, as plain data (JSON in the results).

/** A place that answers a question: 1-based inclusive lines of a workspace-relative file. */
export interface Place {
  readonly path: string;
  readonly startLine: number;
  readonly endLine: number;
}

/**
 * - docstring: the first sentence of a definition's docstring, asked of a copy without it.
 * - reworded: a developer's question made from that sentence by bench/qa/templates.ts.
 * - fact: a question about a fact sentence planted in a book.
 * - unanswerable: a fact template's question about a subject nothing in the book's haystack
 *   names (bench/qa/books.ts unanswerableFacts); no value, no answers: only "not sure" is right.
 * - natural: a question written by hand by reading a real book (bench/qa/natural.ts), in the
 *   reader's words; `accepted` holds its exact answers, `answers` the lines that hold them.
 * - qa1, qa2: bAbI-like questions about a story hidden in a book (bench/qa/babi.ts): "Where is
 *   <person>?" and "Where is the <object>?"; the value is a location word, the answer the line
 *   of the move that decides it.
 */
export type QuestionKind = 'docstring' | 'reworded' | 'fact' | 'unanswerable' | 'qa1' | 'qa2' | 'natural';

export interface Question {
  readonly id: string;
  readonly kind: QuestionKind;
  readonly question: string;
  /** Any of these answers it (a docstring shared by copies of one definition has several). */
  readonly answers: readonly Place[];
  /** The exact answer text (facts: the planted value). */
  readonly value?: string;
  /** Natural questions: every exact answer accepted (answer spans as the book writes them, and equivalent forms). */
  readonly accepted?: readonly string[];
  /** Where the fact was planted in its book. */
  readonly depth?: 'start' | 'middle' | 'end';
  /** The template the question was made from (reworded questions, facts). */
  readonly template?: string;
  /** qa1, qa2: the person or object asked about. */
  readonly subject?: string;
  /** qa1, qa2: every sentence of the question's story, in order (the deciding one is in `answers`). */
  readonly story?: readonly Place[];
}

export type Split = 'test' | 'dev';

/** One workspace and the questions asked of it. */
export interface QuestionSet {
  /** e.g. "email/docstring", "kjv/4k#2" (the third 4k haystack). */
  readonly name: string;
  /** What the report adds up: "email/docstring", "kjv/4k" (every 4k haystack). */
  readonly group: string;
  readonly source: string;
  readonly split: Split;
  /** book: planted facts; babi: bAbI-like stories hidden in a book (one task a set); natural: hand-written questions on a real book. */
  readonly kind: 'code' | 'book' | 'babi' | 'natural';
  /** Absolute path of the workspace the engine reads. */
  readonly workspace: string;
  /** Approximate tokens of the workspace (books: the haystack size asked for). */
  readonly tokens?: number;
  readonly questions: readonly Question[];
  /**
   * Books: questions the haystack cannot answer, asked after `questions` and scored apart from
   * them (run.ts SetOutcome.unanswerable), so that no figure of the questions above moves.
   */
  readonly unanswerable?: readonly Question[];
}

export function overlaps(place: Place | undefined, answer: Place): boolean {
  return place !== undefined && place.path === answer.path && place.startLine <= answer.endLine && place.endLine >= answer.startLine;
}
