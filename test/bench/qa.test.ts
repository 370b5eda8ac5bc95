// The question generators of the QA evaluation (bench/qa) give the right answers on tiny inputs
// whose answers are known by construction: a wrong line range, a docstring left in the copy, a
// fact at another line or a value that is not the planted one fails here.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cutBook, plantFacts } from '../../bench/qa/books';
import { buildCodeWorkspace, codeQuestionSets } from '../../bench/qa/code';
import { PYTHON, scriptDefinitions } from '../../bench/qa/definitions';
import { removeLines } from '../../bench/qa/edit';
import { spliceSection, SECTION_BEGIN, SECTION_END } from '../../bench/qa/report';
import { parseQaArgs } from '../../bench/qa/main';
import { normalise, score } from '../../bench/qa/run';
import { MARGIN_GRID, settingKey, tuneReport, WEIGHT_GRID, type Scored, type TunedSet } from '../../bench/qa/tune';
import { chooseByType, chooseThreshold, chooseWithCitations, top1At } from '../../bench/qa/spanThreshold';
import { firstSentence } from '../../bench/qa/sentence';
import { reword, VERB_TEMPLATES } from '../../bench/qa/templates';
import { tempDir } from '../core/helpers';

const repoRoot = process.cwd();

const PY = `"""A module of three documented definitions."""

import os


def alpha(x):
    """Return the alpha value of the given number.

    More words that are not the first sentence.
    """
    return x + 1


@staticmethod
def skipped(y): """Inline docstrings share a line with code, so they are not asked."""; return y


class Beta:
    """A container for beta readings, e.g. from the sensor."""

    limit = 3

    def gamma(self):
        """Compute the gamma correction for every stored reading."""
        total = 0
        return total
`;

/** 1-based line of the first line of `text` that starts with `start` (after indentation). */
function lineOf(text: string, start: string): number {
  const i = text.split('\n').findIndex((l) => l.trimStart().startsWith(start));
  assert.ok(i >= 0, `no line starting with ${start}`);
  return i + 1;
}

test('python: docstring questions map to the definition lines in a copy without docstrings', { skip: existsSync(PYTHON) ? false : `no ${PYTHON}` }, async () => {
  const src = await tempDir('qa-src');
  const ws = await tempDir('qa-ws');
  try {
    writeFileSync(join(src.path, 'mod.py'), PY);
    const built = await buildCodeWorkspace(repoRoot, { name: 'tiny', language: 'python', root: src.path }, ws.path);
    const copy = readFileSync(join(ws.path, 'mod.py'), 'utf8');
    for (const words of ['alpha value', 'beta readings', 'gamma correction', 'A module of three']) assert.ok(!copy.includes(words), `"${words}" left in the copy`);
    assert.ok(copy.includes('Inline docstrings'), 'an inline docstring cannot be removed by whole lines and stays');
    const [docstring, reworded] = codeQuestionSets('tiny', 'test', ws.path, built.defs, built.readable);
    const byQuestion = new Map(docstring!.questions.map((q) => [q.question, q.answers]));
    assert.deepEqual([...byQuestion.keys()].sort(), [
      'A container for beta readings, e.g. from the sensor.',
      'Compute the gamma correction for every stored reading.',
      'Return the alpha value of the given number.',
    ]);
    assert.deepEqual(byQuestion.get('Return the alpha value of the given number.'), [{ path: 'mod.py', startLine: lineOf(copy, 'def alpha'), endLine: lineOf(copy, 'return x + 1') }]);
    // A class's own part: from `class` to the line before its first method.
    assert.deepEqual(byQuestion.get('A container for beta readings, e.g. from the sensor.'), [{ path: 'mod.py', startLine: lineOf(copy, 'class Beta'), endLine: lineOf(copy, 'def gamma') - 1 }]);
    assert.deepEqual(byQuestion.get('Compute the gamma correction for every stored reading.'), [{ path: 'mod.py', startLine: lineOf(copy, 'def gamma'), endLine: lineOf(copy, 'return total') }]);
    // Reworded questions have the same answers as their docstring question, in other words.
    assert.equal(reworded!.questions.length, 3);
    for (const q of reworded!.questions) {
      const twin = docstring!.questions.find((d) => d.id.replace('docstring', 'reworded') === q.id)!;
      assert.deepEqual(q.answers, twin.answers);
      assert.notEqual(q.question, twin.question);
    }
  } finally {
    await src.cleanup();
    await ws.cleanup();
  }
});

const JS = `/**
 * Tiny command helpers.
 */
'use strict';

/**
 * Parse the command line flags into an options object.
 * @param {string[]} argv
 */
function parseFlags(argv) {
  return {};
}

/**
 * Represents one registered sub command of the program.
 */
class Sub {
  /**
   * Set the description shown in the help output.
   */
  describe(text) {
    this.text = text;
  }
}

exports.parseFlags = parseFlags;
`;

test('javascript: JSDoc before a function, class or method gives its lines, and is removed', () => {
  const found = scriptDefinitions('lib/cmd.js', JS);
  const edit = removeLines(JS, found.docRanges);
  assert.ok(!edit.text.includes('/**'), 'every JSDoc block is removed');
  const byName = new Map(found.defs.map((d) => [d.name, d]));
  assert.deepEqual([...byName.keys()].sort(), ['Sub', 'describe', 'parseFlags']);
  const at = (name: string): [number, number] => [edit.map(byName.get(name)!.line)!, edit.map(byName.get(name)!.endLine)!];
  assert.deepEqual(at('parseFlags'), [lineOf(edit.text, 'function parseFlags'), lineOf(edit.text, 'return {}') + 1]);
  assert.deepEqual(at('describe'), [lineOf(edit.text, 'describe(text)'), lineOf(edit.text, 'this.text = text') + 1]);
  assert.deepEqual(at('Sub'), [lineOf(edit.text, 'class Sub'), lineOf(edit.text, 'class Sub')]);
  assert.equal(firstSentence(byName.get('parseFlags')!.doc), 'Parse the command line flags into an options object.');
  assert.equal(firstSentence(byName.get('describe')!.doc), 'Set the description shown in the help output.');
});

test('first sentences: abbreviations do not end them; short or non-prose ones are dropped', () => {
  assert.equal(firstSentence('Read a file, e.g. a log, into lines.  Then more.'), 'Read a file, e.g. a log, into lines.');
  assert.equal(firstSentence('Summary line without a stop\nthat wraps.\n\nBody.'), 'Summary line without a stop that wraps.');
  assert.equal(firstSentence('Constructor.'), undefined);
  assert.equal(firstSentence('>>> f(1)\n2'), undefined);
});

test('reworded questions: deterministic, from the evaluation templates, without the leading verb', () => {
  const a = reword('Return the alpha value of the given number.', 'seed');
  const b = reword('Return the alpha value of the given number.', 'seed');
  assert.deepEqual(a, b);
  assert.ok(a && VERB_TEMPLATES.includes(a.template));
  assert.ok(!/\breturn\b/i.test(a.question), a.question);
  assert.match(a.question, /alpha data of count/);
  assert.equal(reword('Return `foo_bar`.', 'seed'), undefined, 'nothing left once identifiers go');
});

test('planted facts: each fact is on its stated line, the value is in it exactly and not in the question', () => {
  const book = Array.from({ length: 400 }, (_, i) => `Ge${i}:1 And it came to pass on day ${i}.`).join('\n');
  const haystack = cutBook(book, 8000, 100);
  const { text, facts } = plantFacts(haystack, 2, 42);
  const lines = text.split('\n');
  assert.equal(facts.length, 6);
  assert.equal(lines.length, haystack.split('\n').length + 6);
  for (const f of facts) {
    assert.equal(lines[f.line - 1], f.fact);
    assert.ok(f.fact.includes(f.value), `${f.value} not in ${f.fact}`);
    assert.ok(!f.question.includes(f.value), `the question gives the value away: ${f.question}`);
  }
  const where = (d: string): number[] => facts.filter((f) => f.depth === d).map((f) => f.line / lines.length);
  assert.ok(Math.max(...where('start')) < 0.1 && Math.min(...where('end')) > 0.9);
  assert.ok(where('middle').every((x) => x > 0.4 && x < 0.6));
  assert.equal(new Set(facts.map((f) => f.question)).size, 6, 'no two facts answer the same question');
  assert.deepEqual(plantFacts(haystack, 2, 42).facts, facts, 'deterministic');
});

test('a haystack longer than its book repeats the book and ends at a line end', () => {
  const text = cutBook('one\ntwo\n', 20);
  assert.equal(text, 'one\ntwo\none\ntwo\none\n');
});

test('scoring: top-1 lines, reciprocal rank and exact value', () => {
  const question = { id: 'q', kind: 'fact' as const, question: 'What number opens the cellar door?', value: '48213', answers: [{ path: 'kjv.txt', startLine: 10, endLine: 10 }] };
  const cite = (path: string, a: number, b: number) => ({ path, startLine: a, endLine: b, score: 1, sources: [] });
  const wrongFirst = score(question, 'lexical', { text: ' 48213.', citations: [cite('kjv.txt', 20, 30), cite('kjv.txt', 5, 12)], coverage: 1, millisecondsToFirstToken: 0, kind: 'generated', passages: [] }, 3, 5, 'x 48213 y');
  assert.equal(wrongFirst.top1File, true);
  assert.equal(wrongFirst.top1Lines, false);
  assert.equal(wrongFirst.reciprocalRank, 0.5);
  assert.equal(wrongFirst.exact, true);
  assert.equal(wrongFirst.inFirstPassage, true);
  const fragment = score(question, 'auto', { text: 'library', citations: [cite('kjv.txt', 9, 11)], coverage: 1, millisecondsToFirstToken: 0, kind: 'generated', passages: [] }, 3, 5, 'no value here');
  assert.equal(fragment.top1Lines, true);
  assert.equal(fragment.exact, false);
  assert.equal(fragment.inFirstPassage, false);
  // A span answer: the answer sentence, then its passage quoted under its citation.
  const quoted = (text: string, kind: 'span' | 'passages') => score(question, 'auto', { text, citations: [cite('kjv.txt', 10, 10)], coverage: 1, millisecondsToFirstToken: 0, kind, passages: [] }, 3, 5, 'The pass key is 48213.');
  assert.equal(quoted('48213\n\n`kjv.txt:10`\n```\nThe pass key for the cellar door is 48213.\n```', 'span').exact, true);
  assert.equal(quoted('48213 silver\n\n`kjv.txt:10`\n```\nIt is priced at 48213 silver coins.\n```', 'span').exact, false);
  assert.equal(quoted('I am not sure of the answer.\n\n`kjv.txt:10`\n```\n48213\n```', 'passages').exact, false);
  assert.equal(normalise('"Port Idris."'), 'port idris');
});

test('removing lines keeps track of where the others went', () => {
  const edit = removeLines('a\nb\nc\nd\ne', [[2, 3]]);
  assert.equal(edit.text, 'a\nd\ne');
  assert.deepEqual([1, 2, 3, 4, 5].map(edit.map), [1, undefined, undefined, 2, 3]);
});

test('the QA section of BENCHMARKS.md is replaced, and the rest kept', () => {
  const section = (x: string): string => `${SECTION_BEGIN}\n${x}\n${SECTION_END}`;
  const once = spliceSection('# Benchmarks\n\nother rows\n', section('first'));
  assert.equal(once, `# Benchmarks\n\nother rows\n\n${section('first')}\n`);
  assert.equal(spliceSection(once, section('second')), `# Benchmarks\n\nother rows\n\n${section('second')}\n`);
});

test('the evaluation copy of a folder skips source maps (they hold the docstrings)', async () => {
  const src = await tempDir('qa-map');
  const ws = await tempDir('qa-map-ws');
  try {
    mkdirSync(join(src.path, 'lib'));
    writeFileSync(join(src.path, 'lib', 'a.js'), JS);
    writeFileSync(join(src.path, 'lib', 'a.js.map'), '{"sourcesContent":["Parse the command line flags"]}');
    await buildCodeWorkspace(repoRoot, { name: 'm', language: 'javascript', root: src.path }, ws.path);
    assert.ok(existsSync(join(ws.path, 'lib', 'a.js')));
    assert.ok(!existsSync(join(ws.path, 'lib', 'a.js.map')));
  } finally {
    await src.cleanup();
    await ws.cleanup();
  }
});

test('span threshold: the lowest confidence whose answers keep the target precision, with enough of them', () => {
  const a = (confidence: number, exact: boolean) => ({ confidence, exact });
  // 0.9 and above: 4 of 4 right; down to 0.6: 5 of 6; down to 0.2: 6 of 8.
  const answers = [a(0.99, true), a(0.95, true), a(0.92, true), a(0.9, true), a(0.7, false), a(0.6, true), a(0.3, false), a(0.2, true)];
  assert.deepEqual(chooseThreshold(answers, 0.95, 3), { threshold: 0.9, answered: 4, right: 4 });
  assert.deepEqual(chooseThreshold(answers, 0.8, 3), { threshold: 0.6, answered: 6, right: 5 });
  // Too few answers above any threshold that keeps the precision: no threshold.
  assert.equal(chooseThreshold(answers, 0.95, 5).threshold, undefined);
  // Equal confidences go in or out together.
  assert.deepEqual(chooseThreshold([a(0.9, true), a(0.8, true), a(0.8, false)], 0.9, 1), { threshold: 0.9, answered: 1, right: 1 });
});

test('span threshold with citations: no dev set may lose its first citation to a wrong confident span', () => {
  const fact = (confidence: number, exact: boolean, top1Span: boolean) => ({ group: 'book/4k', fact: true, confidence, exact, top1Span, top1Plain: true });
  const code = (confidence: number, top1Span: boolean, top1Plain: boolean) => ({ group: 'code/docstring', fact: false, confidence, exact: false, top1Span, top1Plain });
  const facts = [fact(0.99, true, true), fact(0.9, true, true), fact(0.8, true, true), fact(0.7, true, true), fact(0.4, false, false)];
  assert.equal(chooseWithCitations(facts.map((f) => ({ ...f }))).threshold ?? -1, -1, 'fewer than MIN_ANSWERED answers: none');
  const many = [...facts, fact(0.98, true, true), fact(0.97, true, true), fact(0.96, true, true), fact(0.95, true, true), fact(0.94, true, true)];
  // Without code questions the facts alone decide: 0.7 keeps 9 of 9 (0.4 would add a wrong one).
  assert.equal(chooseWithCitations(many).threshold, 0.7);
  // A code question whose confident (0.75) span takes the first citation from the right place:
  // at 0.7 that set loses one; at 0.8 it does not.
  assert.equal(chooseWithCitations([...many, code(0.75, false, true)]).threshold, 0.8);
  // A confident span that moves a wrong first citation to the right one is no loss.
  assert.equal(chooseWithCitations([...many, code(0.75, true, false)]).threshold, 0.7);
  assert.deepEqual(Object.fromEntries(top1At([...many, code(0.75, false, true)], 0.7)), { 'book/4k': { span: 10, plain: 10 }, 'code/docstring': { span: 0, plain: 1 } });
  // A span answer to an unanswerable question is a wrong answer: one at 0.75 (of 10 answers at
  // 0.7, 9 right = 90% < 95%) pushes the threshold above it; one at 0.5, or none (-1), does not.
  assert.equal(chooseWithCitations(many, [0.75]).threshold, 0.8);
  assert.equal(chooseWithCitations(many, [0.5, -1]).threshold, 0.7);
  assert.deepEqual(chooseWithCitations(many, [0.75]), { threshold: 0.8, answered: 8, right: 8 });
});

test('span thresholds by answer type: each kind is chosen on its own questions; a kind with too few answers gets none', () => {
  const q = (type: 'number' | 'person', confidence: number, exact: boolean) => ({ group: 'book/4k', fact: true, type, confidence, exact, top1Span: exact, top1Plain: true });
  // Numbers: 9 right from 0.72 up, a wrong one at 0.5. Names: 8 right from 0.85 up, wrong ones at 0.8 and 0.78.
  const numbers = [0.99, 0.95, 0.9, 0.88, 0.85, 0.8, 0.78, 0.75, 0.72].map((c) => q('number', c, true));
  const names = [0.99, 0.98, 0.97, 0.95, 0.93, 0.9, 0.88, 0.85].map((c) => q('person', c, true));
  const trials = [...numbers, q('number', 0.5, false), ...names, q('person', 0.8, false), q('person', 0.78, false)];
  const byType = chooseByType(trials, [{ confidence: 0.74, type: 'number' }]);
  // The unanswerable number question answered at 0.74 is a wrong answer: 0.72 would keep 9 of 10.
  assert.equal(byType.number?.threshold, 0.75);
  assert.equal(byType.person?.threshold, 0.85);
  assert.equal(byType.place, undefined, 'no place questions: no threshold of its own');
  // The one threshold over both kinds must admit neither wrong name: 0.85 (0.75 would let both in).
  assert.equal(chooseWithCitations(trials, [0.74]).threshold, 0.85);
  // Too few names to measure: no threshold of their own.
  assert.equal(chooseByType(names.slice(0, 5), []).person, undefined);
});

// One tuned dev set: `at(weight, margin)` gives its questions' outcomes under a setting
// (undefined: the lexical outcomes).
function tuned(group: string, languages: (string | undefined)[], vetoOnly: boolean, lexical: Scored[], at: (w: number, m: number) => Scored[] | undefined): TunedSet {
  const fused = new Map(WEIGHT_GRID.flatMap((weight) => MARGIN_GRID.map((lexicalMargin) => [settingKey({ weight, lexicalMargin }), at(weight, lexicalMargin) ?? lexical] as const)));
  return { group, questions: lexical.length, lexical, fused, agreement: lexical.length, languages, vetoOnly };
}
const hit: Scored = { top1: true, file: true, rr: 1 };
const miss: Scored = { top1: false, file: true, rr: 0.5 };

function tunedSets(vetoOnly: boolean): TunedSet[] {
  return [
    // Python: only (0.3, 0.05) finds the first question's answer first.
    tuned('p/docstring', ['python', 'python'], false, [miss, miss], (w, m) => (w === 0.3 && m === 0.05 ? [hit, miss] : undefined)),
    // JavaScript that may choose: (0.9, 0.2), (0.8, 0.2) and (0.5, 0.5) find it first.
    tuned('j/docstring', ['javascript'], false, [miss], (w, m) => ((w === 0.9 && m === 0.2) || (w === 0.8 && m === 0.2) || (w === 0.5 && m === 0.5) ? [hit] : undefined)),
    // JavaScript the model was trained on: (0.8, m >= 0.1) loses its first question, (0.5, 0.5) gains the second.
    tuned('jv/docstring', ['javascript', 'javascript'], vetoOnly, [hit, miss], (w, m) => (w === 0.8 && m >= 0.1 ? [miss, miss] : w === 0.5 && m === 0.5 ? [hit, hit] : undefined)),
  ];
}

test('fusion tuning: each language gets the best setting no dev group loses with; a veto-only set can forbid a setting but not choose one', () => {
  const vetoed = tuneReport(tunedSets(true)).chosen;
  assert.deepEqual([vetoed.languages.get('python')!.weight, vetoed.languages.get('python')!.margin], [0.3, 0.05]);
  // (0.8, 0.2) loses on the veto-only set; (0.5, 0.5) ties (0.9, 0.2) on the set that may choose, and the more lexical wins.
  assert.deepEqual([vetoed.languages.get('javascript')!.weight, vetoed.languages.get('javascript')!.margin], [0.9, 0.2]);
  // The shared setting over every question: (0.9, 0.2) gains on j, (0.3, 0.05) on p; j's gain is a whole group's.
  assert.deepEqual([vetoed.global.weight, vetoed.global.margin], [0.9, 0.2]);
  assert.equal(vetoed.languages.get('javascript')!.worst, 0);

  // Counted as a set that may choose, the second set's gain at (0.5, 0.5) wins.
  const counted = tuneReport(tunedSets(false)).chosen;
  assert.deepEqual([counted.languages.get('javascript')!.weight, counted.languages.get('javascript')!.margin], [0.5, 0.5]);
});

test('fusion tuning: with no setting that gains without a loss, the lexical order is chosen', () => {
  const sets = [tuned('p/docstring', ['python', 'python'], false, [hit, miss], (w) => (w < 1 ? [miss, hit] : undefined))];
  const { chosen } = tuneReport(sets);
  const p = chosen.languages.get('python')!;
  assert.ok(p.weight === 1 || p.margin === 0, `lexical order: weight 1 or margin 0 (got ${p.weight}/${p.margin})`);
  assert.equal(p.worst, 0);
});

test('fusion tuning: a setting that gains top-1 lines but loses a top-1 file or MRR on a group is not chosen', () => {
  const wrongFile: Scored = { top1: false, file: false, rr: 0.5 };
  const lost: Scored = { top1: false, file: true, rr: 0 };
  const five = ['python', 'python', 'python', 'python', 'python'];
  const sets = [
    // (0.5, 0.5) gains two questions' lines but moves a third's first citation to another file;
    // (0.6, 0.5) gains two but loses three answers from the citations (MRR 0.5 → 0.4);
    // (0.7, 0.5) gains one and loses nothing.
    tuned('p/docstring', five, false, [miss, miss, miss, miss, miss], (w, m) =>
      m !== 0.5 ? undefined
        : w === 0.5 ? [hit, hit, wrongFile, miss, miss]
          : w === 0.6 ? [hit, hit, lost, lost, lost]
            : w === 0.7 ? [hit, miss, miss, miss, miss] : undefined),
  ];
  const { chosen } = tuneReport(sets);
  const p = chosen.languages.get('python')!;
  assert.deepEqual([p.weight, p.margin, p.ok], [0.7, 0.5, true]);
});

test('eval:qa refuses an unknown option or a flag without its value instead of running everything', () => {
  assert.throws(() => parseQaArgs(['--help-me']), /unknown option --help-me/);
  assert.throws(() => parseQaArgs(['--sizes']), /--sizes needs a value/);
  assert.throws(() => parseQaArgs(['--sets', '--quick']), /--sets needs a value/);
  const o = parseQaArgs(['--sets', 'dev', '--sizes', '4k', '--no-babi']);
  assert.deepEqual(o.selection.splits, ['dev']);
  assert.deepEqual(o.selection.sizes, [4_000]);
  assert.deepEqual(o.selection.babiSizes, []);
});
