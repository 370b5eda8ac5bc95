// Builds every question set of the evaluation from models/heldout.json: its workspaces under
// `<cache>/workspaces` and its questions. Dev sets are the only ones tuning may look at; the
// figures reported are the test sets'.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sizeLabel } from '../common';
import { shuffled } from '../corpus';
import { cutBook, factQuestions, loadBook, plantFacts, unanswerableFacts, unanswerableQuestions, type BookSource } from './books';
import { babiHaystack, babiSetsOf, BABI_SIZES } from './babiSets';
import { codeSets, type CodeSource } from './code';
import type { QuestionSet, Split } from './questions';
import { NATURAL_ALIAS, naturalSet, readNaturalBooks } from './natural';
import { syncFolder } from './workspace';

interface Heldout {
  readonly code: Record<Split, CodeSource[]>;
  readonly books: Record<Split, BookSource[]>;
}

export function readHeldout(repoRoot: string): Heldout {
  return JSON.parse(readFileSync(join(repoRoot, 'models', 'heldout.json'), 'utf8')) as Heldout;
}

/** Haystack sizes in tokens, and how many haystacks and facts per depth each gets. */
export const BOOK_SIZES: readonly { readonly tokens: number; readonly haystacks: number; readonly perDepth: number }[] = [
  { tokens: 4_000, haystacks: 8, perDepth: 1 },
  { tokens: 128_000, haystacks: 2, perDepth: 2 },
  { tokens: 1_000_000, haystacks: 1, perDepth: 4 },
  { tokens: 10_000_000, haystacks: 1, perDepth: 4 },
];


export interface SetSelection {
  readonly splits: readonly Split[];
  /** Source names (email, kjv, …); empty = every source of the splits. */
  readonly sources: readonly string[];
  /** Book sizes in tokens. */
  readonly sizes: readonly number[];
  /** Questions kept per code set (a fixed sample); undefined = all. */
  readonly codeSample?: number;
  /** Haystacks per book size, at most; undefined = BOOK_SIZES's. */
  readonly haystacks?: number;
  /** bAbI haystack sizes in tokens (babiSets.ts BABI_SIZES); empty or undefined = none. */
  readonly babiSizes?: readonly number[];
  /**
   * The hand-written questions on real books (natural.ts) of the splits, selected like the other
   * sources (by name, or all of them by 'natural'); false: none (tuning leaves them out).
   */
  readonly natural?: boolean;
}

/** Bytes of the book per token of the model's tokenizer, from a sample of the book. */
export type BytesPerToken = (sample: string) => number;

export async function buildSets(
  repoRoot: string, workspaces: string, selection: SetSelection, bytesPerToken: BytesPerToken, log: (line: string) => void,
): Promise<QuestionSet[]> {
  const heldout = readHeldout(repoRoot);
  const wanted = (name: string): boolean => selection.sources.length === 0 || selection.sources.includes(name);
  const sets: QuestionSet[] = [];
  for (const split of selection.splits) {
    for (const source of heldout.code[split].filter((s) => wanted(s.name))) {
      const dir = join(workspaces, 'code', source.name);
      const built = await codeSets(repoRoot, source, split, dir);
      for (const set of built) {
        const questions = selection.codeSample === undefined ? set.questions : shuffled(set.questions, 0xc0de).slice(0, selection.codeSample);
        sets.push({ ...set, questions });
      }
      log(`${source.name} (${split}): ${built.map((s) => `${s.questions.length} ${s.name.split('/')[1]}`).join(', ')} questions${selection.codeSample !== undefined ? `, ${selection.codeSample} of each asked` : ''}`);
    }
    for (const source of heldout.books[split].filter((s) => wanted(s.name))) {
      const sizes = BOOK_SIZES.filter((s) => selection.sizes.includes(s.tokens));
      const babiSizes = BABI_SIZES.filter((s) => selection.babiSizes?.includes(s.tokens));
      if (sizes.length === 0 && babiSizes.length === 0) continue;
      const book = loadBook(source);
      const bpt = bytesPerToken(book.slice(Math.floor(book.length / 2), Math.floor(book.length / 2) + 300_000));
      log(`${source.name} (${split}): ${(book.length / 1e6).toFixed(1)} MB, about ${Math.round(book.length / bpt / 1000)}k tokens (${bpt.toFixed(2)} bytes a token)`);
      for (const size of sizes) {
        const count = Math.min(size.haystacks, selection.haystacks ?? size.haystacks);
        for (let h = 0; h < count; h++) {
          const name = `${source.name}/${sizeLabel(size.tokens)}`;
          // Each haystack of one size starts elsewhere in the book, so they are different texts.
          const haystack = cutBook(book, Math.round(size.tokens * bpt), Math.floor((h * book.length) / count));
          const seed = 1000 * size.tokens + h + (split === 'dev' ? 7 : 0);
          const { text, facts } = plantFacts(haystack, size.perDepth, seed);
          const file = `${source.name}.txt`;
          const dir = join(workspaces, 'books', `${source.name}-${sizeLabel(size.tokens)}-${h}`);
          syncFolder(dir, new Map([[file, text]]));
          sets.push({
            name: `${name}#${h}`, group: name, source: source.name, split, kind: 'book', workspace: dir, tokens: size.tokens,
            questions: factQuestions(`${name}#${h}`, file, facts),
            // As many as the planted facts, from the same templates, about subjects not planted here.
            unanswerable: unanswerableQuestions(`${name}#${h}`, unanswerableFacts(facts, seed)),
          });
        }
      }
      for (const size of babiSizes) {
        const count = Math.min(size.haystacks, selection.haystacks ?? size.haystacks);
        for (let h = 0; h < count; h++) {
          const { folder, text, hidden } = babiHaystack(book, source.name, split, size.tokens, bpt, h, count, size.stories);
          const file = `${source.name}.txt`;
          const dir = join(workspaces, 'babi', folder);
          syncFolder(dir, new Map([[file, text]]));
          sets.push(...babiSetsOf(source.name, split, size.tokens, h, dir, file, hidden));
        }
      }
    }
    if (selection.natural === false) continue;
    for (const book of readNaturalBooks(repoRoot).filter((b) => b.split === split && (wanted(b.name) || selection.sources.includes(NATURAL_ALIAS)))) {
      const set = naturalSet(book, workspaces);
      if ('skipped' in set) { log(set.skipped); continue; }
      sets.push(set);
      log(`${set.name} (${split}): ${set.questions.length} questions with answers, ${set.unanswerable?.length ?? 0} the book does not answer`);
    }
  }
  return sets;
}
