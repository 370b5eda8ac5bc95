// Natural questions on real books: questions a reader asks in their own words, written by hand
// by reading each book (bench/qa/natural/*.json), each with the exact answers accepted and the
// line of the book that holds the answer, or `null` when the book does not say. The books are
// Debian packages; a book whose package is not installed is skipped with one line, so nothing
// that CI runs needs them.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { htmlToText } from '../../src/core/text';
import type { Place, Question, QuestionSet, Split } from './questions';
import { syncFolder } from './workspace';

/** One hand-written question: `answers` null = the book does not answer it. */
export interface NaturalQuestion {
  readonly id: string;
  /** who, when, number, command, file, option, term, where, what: for reading the results only. */
  readonly type: string;
  readonly question: string;
  readonly answers: readonly string[] | null;
  /** A file under the book's root and a verbatim piece of the text of a line holding the answer; any one of them. */
  readonly evidence?: readonly { readonly file: string; readonly quote: string }[];
}

/** One file of bench/qa/natural. */
export interface NaturalBook {
  readonly name: string;
  readonly title: string;
  /** The Debian package that installs the book. */
  readonly package: string;
  /** Where that package puts the book. */
  readonly root: string;
  /** Which files of the root make the workspace: a name, or a pattern with `*` (no folders below the root). */
  readonly files: string;
  readonly split: Split;
  readonly questions: readonly NaturalQuestion[];
}

export const NATURAL_DIR = join('bench', 'qa', 'natural');
/** `--sets natural` selects every natural book of the asked splits; each is also selected by its name. */
export const NATURAL_ALIAS = 'natural';

export function readNaturalBooks(repoRoot: string): NaturalBook[] {
  const dir = join(repoRoot, NATURAL_DIR);
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as NaturalBook);
}

/** Text with no whitespace, lower case: HTML's line breaks and inline tags never split a quote. */
const squash = (s: string): string => s.replace(/\s+/g, '').toLowerCase();

/**
 * The lines of `text` (1-based) whose words hold `quote`; the engine's own HTML text, whose line
 * numbers are the file's, so that they compare with its citations.
 */
export function linesHolding(text: string, quote: string): number[] {
  const want = squash(quote);
  const out: number[] = [];
  text.split('\n').forEach((line, i) => { if (squash(line).includes(want)) out.push(i + 1); });
  return out;
}

/** The files of `root` that `pattern` names (`*` matches any characters but `/`). */
export function matchingFiles(root: string, pattern: string): string[] {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}$`);
  return readdirSync(root, { withFileTypes: true }).filter((e) => e.isFile() && re.test(e.name)).map((e) => e.name).sort();
}

/**
 * The workspace and questions of one natural book, or a reason it is skipped (its package is
 * not installed). Evidence that no line of its file holds is an error in the question file.
 */
export function naturalSet(book: NaturalBook, workspaces: string): QuestionSet | { skipped: string } {
  if (!existsSync(book.root)) return { skipped: `natural/${book.name}: skipped, Debian package ${book.package} is not installed (no ${book.root})` };
  const files = matchingFiles(book.root, book.files);
  if (files.length === 0) return { skipped: `natural/${book.name}: skipped, no ${book.files} in ${book.root} (package ${book.package})` };
  const dir = join(workspaces, 'natural', book.name);
  const contents = new Map(files.map((f) => [f, readFileSync(join(book.root, f))] as const));
  syncFolder(dir, contents);
  const texts = new Map<string, string>();
  const textOf = (file: string): string => {
    let text = texts.get(file);
    if (text === undefined) {
      const bytes = contents.get(file);
      if (!bytes) throw new Error(`bench/qa/natural/${book.name}.json: evidence file ${file} is not among the workspace's files (${book.files})`);
      const raw = bytes.toString('utf8');
      text = file.endsWith('.html') ? htmlToText(raw).text : raw;
      texts.set(file, text);
    }
    return text;
  };
  const name = `natural/${book.name}`;
  const questions: Question[] = [];
  const unanswerable: Question[] = [];
  for (const q of book.questions) {
    if (q.answers === null) {
      unanswerable.push({ id: `${name}/${q.id}`, kind: 'unanswerable', question: q.question, template: q.type, answers: [] });
      continue;
    }
    const answers: Place[] = (q.evidence ?? []).flatMap((e) => {
      const lines = linesHolding(textOf(e.file), e.quote);
      if (lines.length === 0) throw new Error(`bench/qa/natural/${book.name}.json ${q.id}: no line of ${e.file} holds "${e.quote}"`);
      return lines.map((line) => ({ path: e.file, startLine: line, endLine: line }));
    });
    if (answers.length === 0) throw new Error(`bench/qa/natural/${book.name}.json ${q.id}: an answerable question needs evidence`);
    questions.push({ id: `${name}/${q.id}`, kind: 'natural', question: q.question, template: q.type, accepted: q.answers, answers });
  }
  return { name, group: name, source: book.name, split: book.split, kind: 'natural', workspace: dir, questions, unanswerable };
}
