// Unanswerable questions of the QA evaluation (bench/qa/books.ts, run.ts, report.ts): asked of
// a subject no planted fact names, scored apart from the planted facts, and counted as answered
// anyway only when a span came. A question that names a planted subject, a run that differs from
// the last, or an unanswerable outcome that moves a planted-fact figure fails here.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cutBook, factQuestions, plantFacts, unanswerableFacts, unanswerableQuestions } from '../../bench/qa/books';
import type { Question } from '../../bench/qa/questions';
import { formatQaSection, groupSummaries } from '../../bench/qa/report';
import { score, type Outcome, type SetOutcome } from '../../bench/qa/run';
import { answeredAnyway } from '../../bench/qa/spanThreshold';

const book = Array.from({ length: 400 }, (_, i) => `Ge${i}:1 And it came to pass on day ${i}.`).join('\n');
const haystack = cutBook(book, 8000, 100);

/** The slot values a question fills into its template ("Who guided the {group} …" → ["salt traders"]). */
function subjects(question: string, template: string): string[] {
  const pattern = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{(\w+)\\?\}/g, '(.+?)')}$`);
  const m = pattern.exec(question);
  assert.ok(m, `"${question}" is not made from "${template}"`);
  return m.slice(1);
}

test('unanswerable questions: one per planted fact, same templates, never a subject or value planted in that haystack', () => {
  for (const perDepth of [1, 2, 4]) {
    for (let seed = 0; seed < 60; seed++) {
      const { facts } = plantFacts(haystack, perDepth, seed);
      const asked = unanswerableFacts(facts, seed);
      assert.equal(asked.length, facts.length, `seed ${seed}: as many as the planted facts`);
      assert.deepEqual(asked.map((u) => u.template), facts.map((f) => f.template), 'the same templates, in order');
      const questions = unanswerableQuestions('b/4k#0', asked);
      const planted = factQuestions('b/4k#0', 'b.txt', facts);
      const named: string[] = [];
      for (const q of questions) {
        for (const s of subjects(q.question, q.template!)) {
          named.push(s);
          for (const f of facts) assert.ok(!f.fact.includes(s), `seed ${seed}: "${q.question}" names "${s}", planted in "${f.fact}"`);
        }
        assert.ok(!planted.some((p) => p.question === q.question));
      }
      assert.equal(new Set(named).size, named.length, `seed ${seed}: no subject asked twice`);
    }
  }
});

test('unanswerable questions: deterministic from the seed, and no value, answers or id of a planted fact', () => {
  const { facts } = plantFacts(haystack, 2, 7);
  assert.deepEqual(unanswerableFacts(facts, 7), unanswerableFacts(facts, 7));
  const others = [8, 9, 10, 11].map((seed) => unanswerableFacts(facts, seed).map((u) => u.question).join('|'));
  assert.ok(others.some((o) => o !== unanswerableFacts(facts, 7).map((u) => u.question).join('|')), 'the seed chooses the subjects');
  const questions = unanswerableQuestions('b/128k#1', unanswerableFacts(facts, 7));
  const ids = new Set(factQuestions('b/128k#1', 'b.txt', facts).map((q) => q.id));
  for (const q of questions) {
    assert.equal(q.kind, 'unanswerable');
    assert.equal(q.value, undefined);
    assert.deepEqual(q.answers, []);
    assert.ok(!ids.has(q.id), `${q.id} is a planted fact's id`);
  }
  assert.equal(new Set(questions.map((q) => q.id)).size, questions.length);
});

const cite = (path: string, a: number, b: number) => ({ path, startLine: a, endLine: b, score: 1, sources: [] });
const unanswerable: Question = { id: 'b/4k#0/u0', kind: 'unanswerable', question: 'Who guided the salt traders through the desert?', answers: [] };
const span = (confidence: number) => ({ text: 'Alaric Stone\n\n`b.txt:10`\n```\nThe caravan of the lamplighters was led across the desert by a guide called Alaric Stone.\n```', kind: 'span' as const, confidence, citations: [cite('b.txt', 10, 10)], coverage: 1, millisecondsToFirstToken: 0, passages: [] });
const notSure = { text: 'I am not sure of the answer. These are the passages that match the question best:\n\n`b.txt:10`', kind: 'passages' as const, citations: [cite('b.txt', 10, 10)], coverage: 1, millisecondsToFirstToken: 0, passages: [] };

test('scoring: a span answer to an unanswerable question is answered anyway, "not sure" with passages is not', () => {
  const wrong = score(unanswerable, 'auto', span(0.8), 3, 5, undefined);
  assert.equal(wrong.answeredAnyway, true);
  assert.equal(wrong.confidence, 0.8);
  assert.equal(score(unanswerable, 'auto', notSure, 3, 5, undefined).answeredAnyway, false);
  // A planted fact's outcome never carries the flag.
  const fact: Question = { id: 'b/4k#0/0', kind: 'fact', question: 'Who guided the lamplighters through the desert?', value: 'Alaric Stone', answers: [{ path: 'b.txt', startLine: 10, endLine: 10 }] };
  assert.equal(score(fact, 'auto', span(0.8), 3, 5, 'Alaric Stone').answeredAnyway, undefined);
});

test('report: unanswerable outcomes fill their own column and move no planted-fact figure', () => {
  const outcome = (id: string, top1: boolean, exact: boolean): Outcome => ({ id, mode: 'auto', top1File: true, top1Lines: top1, reciprocalRank: top1 ? 1 : 0, citations: 5, retrievalMs: 10, answerMs: 12, inFirstPassage: top1, exact });
  const set = { name: 'b/4k#0', group: 'b/4k', source: 'b', split: 'dev' as const, kind: 'book' as const, workspace: 'w', tokens: 4000, questions: 2 };
  const read = { seconds: 1, tokens: 4000, filesRead: 1, filesReused: 0, skipped: [] };
  const planted = [outcome('b/4k#0/0', true, true), outcome('b/4k#0/1', false, false)];
  const without: SetOutcome = { set, read, outcomes: planted };
  const asked = [score(unanswerable, 'auto', span(0.9), 10, 12, undefined), score({ ...unanswerable, id: 'b/4k#0/u1' }, 'auto', notSure, 10, 12, undefined)];
  const withThem: SetOutcome = { set: { ...set, unanswerable: 2 }, read, outcomes: planted, unanswerable: asked };
  const depth = (id: string): string | undefined => (id.includes('/u') ? undefined : 'start');
  const [before] = groupSummaries([without], depth);
  const [after] = groupSummaries([withThem], depth);
  assert.deepEqual(after!.modes, before!.modes, 'n, top-1, MRR, first passage, exact and latency unchanged');
  assert.deepEqual(after!.byDepth, before!.byDepth);
  assert.equal(before!.unanswerable, undefined);
  assert.deepEqual(after!.unanswerable, { auto: [1, 2] });
  const section = formatQaSection({ command: 'c', date: 'd', minutes: 1, model: 'm', quick: false, modes: ['auto'], load: 'l', groups: [after!], notRun: [] });
  const row = section.split('\n').find((l) => l.startsWith('| b/4k |'))!;
  assert.match(row, /\| 50\.0 \(of 2\) \|/);
  assert.match(section, /Unanswerable: answered anyway/);
  const old = formatQaSection({ command: 'c', date: 'd', minutes: 1, model: 'm', quick: false, modes: ['auto'], load: 'l', groups: [before!], notRun: [] });
  assert.equal(old.split('\n').find((l) => l.startsWith('| b/4k |'))!.split('|').length, row.split('|').length, 'results without them keep the table square');
});

test('span threshold grid: an unanswerable question is answered at t when its span confidence reaches t', () => {
  const confidences = [0.95, 0.7, 0.61, 0.3, -1];
  assert.equal(answeredAnyway(confidences, 0), 4, 'no span at all (-1) is never answered');
  assert.equal(answeredAnyway(confidences, 0.61), 3);
  assert.equal(answeredAnyway(confidences, 0.9), 1);
  assert.equal(answeredAnyway(confidences, 0.99), 0);
});

test('report: planted facts are also counted exact by the wording of their question, unanswerable ones never', () => {
  const outcome = (id: string, exact: boolean): Outcome => ({ id, mode: 'auto', top1File: true, top1Lines: true, reciprocalRank: 1, citations: 5, retrievalMs: 10, answerMs: 12, inFirstPassage: true, exact });
  const set = (group: string) => ({ name: `${group}#0`, group, source: 'b', split: 'test' as const, kind: 'book' as const, workspace: 'w', tokens: 4000, questions: 3, unanswerable: 1 });
  const read = { seconds: 1, tokens: 4000, filesRead: 1, filesReused: 0, skipped: [] };
  const wording: Record<string, string> = { 'b/4k#0/0': 'What number opens the {thing}?', 'b/4k#0/1': 'What number opens the {thing}?', 'b/4k#0/2': 'Who guided the {group} through the desert?', 'b/1M#0/0': 'What number opens the {thing}?' };
  const results: SetOutcome[] = [
    { set: set('b/4k'), read, outcomes: [outcome('b/4k#0/0', true), outcome('b/4k#0/1', false), outcome('b/4k#0/2', true)], unanswerable: [score({ ...unanswerable, id: 'b/4k#0/u0' }, 'auto', span(0.9), 10, 12, undefined)] },
    { set: set('b/1M'), read, outcomes: [outcome('b/1M#0/0', true)] },
  ];
  const groups = groupSummaries(results, () => 'start', (id) => wording[id]);
  assert.deepEqual(groups[0]!.byWording, { 'What number opens the {thing}?': { auto: [1, 2] }, 'Who guided the {group} through the desert?': { auto: [1, 1] } });
  assert.deepEqual(groups[1]!.byWording, { 'What number opens the {thing}?': { auto: [1, 1] } });
  const section = formatQaSection({ command: 'c', date: 'd', minutes: 1, model: 'm', quick: false, modes: ['auto'], load: 'l', groups, notRun: [] });
  assert.match(section, /\| Question \| b\/4k \| b\/1M \|/);
  assert.ok(section.includes('| What number opens the {thing}? | 1/2 | 1/1 |'), section);
  assert.ok(section.includes('| Who guided the {group} through the desert? | 1/1 | – |'), section);
});
