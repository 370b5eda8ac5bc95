// EVALUATION ONLY: training must not use the fact wordings or slot lists below.
//
// Span answers on fact wordings that neither the QA evaluation (books.ts) nor any tuning uses:
// how far the answer rules of src/core/answerType.ts, shaped on the dev book's eight wordings,
// carry to others. Each fact is planted on a line of its own in a passage of the dev book
// (linux-doc), the passage is given (no retrieval), and its question is asked with answer types
// and the subject check, and without them (the span head's own best span), side by side. Each
// passage is also asked the same wording about another subject, which it cannot answer.
//
//   npm run build && node out/bench/qa/wordings.js [--model DIR] [--n 64]
import { join, resolve } from 'node:path';
import { spanThresholdFor } from '../../src/core/answerType';
import { loadModel } from '../../src/core/model';
import { extractSpan } from '../../src/core/span';
import { findRepoRoot } from '../common';
import { prng } from '../corpus';
import { cutBook, loadBook } from './books';
import { readHeldout } from './sets';

interface Wording { readonly fact: string; readonly question: string; readonly value: string }

// Subjects are slots the question names, so that another subject makes an unanswerable question.
const WORDINGS: readonly Wording[] = [
  { fact: 'Captain {name} commands the ship called the {thing}.', question: 'Who is in charge of the {thing}?', value: 'name' },
  { fact: '{name} left the lighthouse last spring and now lives in {place}.', question: 'Where does {name} live these days?', value: 'place' },
  { fact: 'The vault under the {thing} opens with the number {number}.', question: 'Which number unlocks the vault under the {thing}?', value: 'number' },
  { fact: 'Every week the {group} meet at {hour} sharp.', question: 'What time do the {group} gather?', value: 'hour' },
  { fact: '{name} paid {number} crowns for the {item}.', question: 'How much did {name} spend on the {item}?', value: 'number' },
  { fact: 'The mayor of {place} is a woman named {name}.', question: 'Who governs {place}?', value: 'name' },
  { fact: 'The road from {place} to the coast is {number} miles long.', question: 'How far is the coast from {place}?', value: 'number' },
  { fact: '{name} was raised in a village called {place}.', question: 'Which village did {name} grow up in?', value: 'place' },
];

const SLOTS: Record<string, readonly string[]> = {
  name: ['Hester Graves', 'Julian Moss', 'Agatha Brook', 'Silas Penrose', 'Imogen Hale', 'Rufus Carrow', 'Delia Frost', 'Ambrose Kite'],
  place: ['Brackenford', 'Lowmarsh', 'Eastwold', 'Thornbury', 'Galloway Point', 'Redcliffe', 'Ashcombe', 'Millbrook'],
  thing: ['stone bridge', 'watch house', 'chapel', 'iron foundry', 'sea wall', 'corn exchange'],
  group: ['weavers', 'harbour pilots', 'coal porters', 'chandlers', 'bell ringers', 'tide watchers'],
  item: ['silver flask', 'leather satchel', 'brass lantern', 'oak chest', 'linen shirt', 'clay pipe'],
  hour: ['half past nine', 'a quarter past four', 'eleven', 'eight', 'ten to six', 'three'],
};

/** A wording with its slots filled, none of them in `used` (which it extends). */
function fill(w: Wording, rand: () => number, used: Set<string>): { fact: string; question: string; value: string } {
  const slots: Record<string, string> = {};
  for (const m of `${w.fact} ${w.question}`.matchAll(/\{(\w+)\}/g)) {
    const key = m[1]!;
    if (slots[key] !== undefined) continue;
    let v = '';
    do v = key === 'number' ? String(1000 + Math.floor(rand() * 90000)) : SLOTS[key]![Math.floor(rand() * SLOTS[key]!.length)]!; while (used.has(v));
    used.add(v);
    slots[key] = v;
  }
  const put = (s: string): string => s.replace(/\{(\w+)\}/g, (_, k: string) => slots[k]!);
  return { fact: put(w.fact), question: put(w.question), value: slots[w.value]! };
}

interface Tally { exactAny: number; answered: number; exact: number; unanswerableAnswered: number }

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const value = (flag: string): string | undefined => { const i = argv.indexOf(flag); return i >= 0 ? argv[i + 1] : undefined; };
  const repoRoot = findRepoRoot(__dirname);
  const modelDir = resolve(repoRoot, value('--model') ?? join('models', 'mnemo-m2'));
  const n = Number(value('--n') ?? 64);
  const model = await loadModel(modelDir, 'cpu', { info() {}, debug() {}, warn() {}, error() {} });
  const threshold = model.config.answers?.spanThreshold ?? 0.5;
  // Typed decoding is the product's: each question's threshold is its answer type's, or the sole
  // answers' where the span is one (spanThresholdFor).
  const thresholdOf = (question: string, typed: boolean, sole: boolean): number => (typed ? spanThresholdFor(model.config.answers, question, sole) : undefined) ?? threshold;
  const book = loadBook(readHeldout(repoRoot).books.dev[0]!);
  const rand = prng(7);
  const tally = { typed: { exactAny: 0, answered: 0, exact: 0, unanswerableAnswered: 0 }, untyped: { exactAny: 0, answered: 0, exact: 0, unanswerableAnswered: 0 } } satisfies Record<string, Tally>;
  for (let i = 0; i < n; i++) {
    const wording = WORDINGS[i % WORDINGS.length]!;
    const used = new Set<string>();
    const fact = fill(wording, rand, used);
    const other = fill(wording, rand, used);
    const lines = cutBook(book, 1400, Math.floor(rand() * (book.length - 5000))).split('\n');
    lines.splice(Math.floor(lines.length / 2), 0, fact.fact);
    const passage = lines.join('\n');
    for (const [mode, typed] of [['typed', true], ['untyped', false]] as const) {
      const t: Tally = tally[mode];
      const span = await extractSpan(model, fact.question, [passage], undefined, { typed });
      const exact = span !== undefined && span.text.trim() === fact.value;
      if (exact) t.exactAny++;
      if (span && span.confidence >= thresholdOf(fact.question, typed, span.sole)) { t.answered++; if (exact) t.exact++; }
      const wrong = await extractSpan(model, other.question, [passage], undefined, { typed });
      if (wrong && wrong.confidence >= thresholdOf(other.question, typed, wrong.sole)) t.unanswerableAnswered++;
    }
  }
  await model.runtime.dispose();
  const row = (name: string, t: Tally): string => `| ${name} | ${t.exactAny} | ${t.answered} | ${t.exact} | ${t.answered ? (100 * t.exact / t.answered).toFixed(1) : '-'} | ${t.unanswerableAnswered} |`;
  process.stdout.write([
    `Span answers on ${WORDINGS.length} fact wordings no evaluation or tuning uses, ${n} facts planted in dev-book passages (passage given); ${n} questions about other subjects those passages cannot answer. Model ${model.config.id} ${model.config.version}, threshold ${threshold}${model.config.answers?.spanThresholds ? ` (typed answers: ${JSON.stringify(model.config.answers.spanThresholds)} by kind)` : ''}${model.config.answers?.soleThreshold !== undefined ? `, sole answers ${model.config.answers.soleThreshold}` : ''}.`,
    '',
    '| decoding | exact at any confidence | answered (≥ threshold) | exact | precision % | unanswerable answered |',
    '|---|---:|---:|---:|---:|---:|',
    row('typed answers + subject check (shipped)', tally.typed),
    row("the head's own best span", tally.untyped),
    '',
  ].join('\n'));
}

main().catch((e: unknown) => { process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`); process.exit(1); });
