// EVALUATION ONLY. bAbI-like stories (bench/qa/babi.ts) hidden in a long book, BABILong-style
// (Kuratov et al. 2024, arXiv 2406.10149): each story's sentences in order, each on a line of
// its own, at random places across the whole haystack; several stories a haystack, with
// distinct people and objects; one question a story, asked of the engine as a user would
// ("Where is Ottoline?"). The haystack is one of the book haystacks of bench/qa/books.ts
// (cutBook), cut elsewhere in the book.
import { sizeLabel } from '../common';
import { prng, shuffled } from '../corpus';
import { OBJECTS, PEOPLE, qa1Story, qa2Story, type Story, type Task } from './babi';
import { cutBook } from './books';
import type { Place, Question, QuestionSet, Split } from './questions';

/** Haystack sizes in tokens, how many haystacks each, and stories of each task a haystack. */
export const BABI_SIZES: readonly { readonly tokens: number; readonly haystacks: number; readonly stories: number }[] = [
  { tokens: 16_000, haystacks: 8, stories: 2 },
  { tokens: 128_000, haystacks: 2, stories: 6 },
  { tokens: 1_000_000, haystacks: 1, stories: 12 },
];

export const TASKS: readonly Task[] = ['qa1', 'qa2'];

export interface HiddenStory {
  readonly story: Story;
  /** 1-based line of each sentence in the haystack. */
  readonly lines: readonly number[];
}

/** Whether `word` occurs in `text` as a whole word, in any case. */
function mentions(text: string, word: string): boolean {
  return new RegExp(`\\b${word}\\b`, 'i').test(text);
}

/**
 * `perTask` stories of each task (QA1 first), 2-3 people each, no person or object in two
 * stories, none that `haystack` already mentions (the lists are checked against both books, so
 * this drops nothing there; it keeps the labels true on any other text).
 */
export function makeStories(haystack: string, perTask: number, rand: () => number): Story[] {
  const people = shuffled(PEOPLE.filter((p) => !mentions(haystack, p)), Math.floor(rand() * 2 ** 32));
  const objects = shuffled(OBJECTS.filter((o) => !mentions(haystack, o)), Math.floor(rand() * 2 ** 32));
  const stories: Story[] = [];
  for (const task of TASKS) {
    for (let i = 0; i < perTask; i++) {
      const cast = people.splice(0, 2 + Math.floor(rand() * 2));
      if (cast.length < 2 || (task === 'qa2' && objects.length === 0)) throw new Error(`too few people or objects left for ${perTask} stories of each task (bench/qa/babi.ts)`);
      stories.push(task === 'qa1' ? qa1Story(rand, cast) : qa2Story(rand, cast, objects.shift()!));
    }
  }
  return stories;
}

/**
 * `haystack` with every story's sentences inserted as lines of their own: each story's at
 * positions drawn uniformly across the whole text, kept in the story's order. Returns the text
 * and each sentence's final line.
 */
export function hideStories(haystack: string, stories: readonly Story[], rand: () => number): { text: string; hidden: HiddenStory[] } {
  const lines = haystack.split('\n');
  // Before which book line each sentence goes (1..lines.length-1: after the first line, before the
  // last, which is the empty rest after the final newline), sorted within its story.
  const planned = stories.flatMap((story, s) => story.sentences
    .map(() => 1 + Math.floor(rand() * (lines.length - 1)))
    .sort((a, b) => a - b)
    .map((at, k) => ({ at, s, k })));
  // Stable: at one position, stories in order, and each story's sentences in order.
  planned.sort((a, b) => a.at - b.at || a.s - b.s || a.k - b.k);
  const out: string[] = [];
  const lineOf = stories.map((st) => st.sentences.map(() => 0));
  let next = 0;
  lines.forEach((line, i) => {
    for (; next < planned.length && planned[next]!.at === i; next++) {
      const p = planned[next]!;
      out.push(stories[p.s]!.sentences[p.k]!);
      lineOf[p.s]![p.k] = out.length;
    }
    out.push(line);
  });
  return { text: out.join('\n'), hidden: stories.map((story, s) => ({ story, lines: lineOf[s]! })) };
}

/** One question per hidden story of `task`: the answer is the deciding sentence's line. */
export function babiQuestions(setName: string, path: string, hidden: readonly HiddenStory[], task: Task): Question[] {
  const place = (line: number): Place => ({ path, startLine: line, endLine: line });
  return hidden.filter((h) => h.story.task === task).map((h, i) => ({
    id: `${setName}/${i}`, kind: task, question: h.story.question, value: h.story.answer, subject: h.story.subject,
    answers: [place(h.lines[h.story.deciding]!)], story: h.lines.map(place),
  }));
}

/** One bAbI haystack: its workspace folder's name, its text, and its stories with their lines. */
export interface BabiHaystack {
  readonly folder: string;
  readonly text: string;
  readonly hidden: readonly HiddenStory[];
}

/**
 * Haystack `h` of `count` of a size: the book cut to `tokens` (from its own place in the book,
 * half a step from the planted-fact haystacks'), with its stories hidden in it.
 */
export function babiHaystack(book: string, bookName: string, split: Split, tokens: number, bytesPerToken: number, h: number, count: number, perTask: number): BabiHaystack {
  const haystack = cutBook(book, Math.round(tokens * bytesPerToken), Math.floor(((h + 0.5) * book.length) / count));
  const rand = prng((0xbab1 * 7919 + 1000 * tokens + h + (split === 'dev' ? 7 : 0)) >>> 0);
  const stories = makeStories(haystack, perTask, rand);
  const { text, hidden } = hideStories(haystack, stories, rand);
  return { folder: `${bookName}-${sizeLabel(tokens)}-${h}`, text, hidden };
}

/** The sets of one haystack: one per task, both over the same workspace (read once, saved memory reused). */
export function babiSetsOf(bookName: string, split: Split, tokens: number, h: number, workspace: string, file: string, hidden: readonly HiddenStory[]): QuestionSet[] {
  return TASKS.map((task) => {
    const group = `${bookName}/${task}/${sizeLabel(tokens)}`;
    return {
      name: `${group}#${h}`, group, source: bookName, split, kind: 'babi' as const, workspace, tokens,
      questions: babiQuestions(`${group}#${h}`, file, hidden, task),
    };
  });
}
