// Known-item search in a book: can a reader find a line they remember a few words of? Lines of the
// book are drawn at random (a fixed seed, lines of 60 characters or more with 6 or more distinct
// words of 4 letters or more), 4 of each line's words are asked (in the order drawn, nothing
// else), and a question counts when the first citation holds the line. Lexical retrieval only:
// this measures the index, not the model.
//
//   npm run build && node out/bench/knownItem.js --root DIR [--n 400] [--cache DIR] [--model DIR]
//
// DIR is a folder holding the book (e.g. a haystack of `npm run eval:qa`,
// .cache/bench/qa/workspaces/books/linux-doc-1M-0); --cache is where its memory is kept (default:
// .cache/bench/known-item), read first if it is not there. Prints "hits/asked".
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findRepoRoot } from './common';
import { analyze } from '../src/core/analyze';
import { openEngine } from '../src/core/engine';

const WORDS_ASKED = 4;

/** A seeded generator of numbers in [0, 1) (a linear congruence: the same lines every run). */
function seeded(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}

/** The distinct words of `line` that can be asked: 4 letters or more, not stop words. */
function askable(line: string): string[] {
  return [...new Set((line.match(/\p{L}{4,}/gu) ?? []).filter((w) => analyze(w).length > 0))];
}

async function main(argv: readonly string[]): Promise<void> {
  const value = (flag: string): string | undefined => { const i = argv.indexOf(flag); return i >= 0 ? argv[i + 1] : undefined; };
  const repo = findRepoRoot(__dirname);
  const rootArg = value('--root');
  if (!rootArg) throw new Error('--root DIR is needed: the folder holding the book');
  const root = resolve(rootArg);
  const n = Number(value('--n') ?? 400);
  const engine = await openEngine({
    root, cacheDir: resolve(value('--cache') ?? join(repo, '.cache', 'bench', 'known-item')),
    modelDir: resolve(value('--model') ?? join(repo, 'models', 'mnemo-m2')), device: 'cpu', maxFileBytes: 256 * 2 ** 20,
    logger: { info() {}, warn() {}, error() {}, debug() {} },
  });
  try {
    await engine.read();
    const file = readdirSync(root).find((f) => !f.startsWith('.'));
    if (!file) throw new Error(`${root} holds no file`);
    const lines = readFileSync(join(root, file), 'utf8').split('\n');
    const random = seeded(12345);
    let asked = 0;
    let hits = 0;
    for (let tries = 0; asked < n && tries < 100 * n; tries++) {
      const i = Math.floor(random() * lines.length);
      const words = askable(lines[i]!);
      if (lines[i]!.length < 60 || words.length < 6) continue;
      const pick: string[] = [];
      while (pick.length < WORDS_ASKED) {
        const w = words[Math.floor(random() * words.length)]!;
        if (!pick.includes(w)) pick.push(w);
      }
      const a = await engine.ask(pick.join(' '), { retrieval: 'lexical', maxTokens: 1 });
      const c = a.citations[0];
      asked++;
      if (c && c.path === file && c.startLine <= i + 1 && i + 1 <= c.endLine) hits++;
    }
    console.log(`${file}: ${hits}/${asked} lines cited first (${(100 * hits / Math.max(1, asked)).toFixed(1)}%)`);
  } finally {
    await engine.dispose();
  }
}

main(process.argv.slice(2)).catch((e: unknown) => {
  console.error((e as Error).message);
  process.exit(1);
});
