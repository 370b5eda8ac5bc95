// Scoring of the hand-written natural questions (bench/qa/natural.ts, run.ts, report.ts): an
// answer is exact only when its answer sentence is an accepted answer (case, spaces, quotes and
// surrounding punctuation aside), wrong when a span claims anything else, unsure when only
// passages came; the evidence line must be found in the file as the engine reads it; the counts
// of the report are those outcomes. The shipped question files are checked against the installed
// books when their Debian packages are there.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { findRepoRoot } from '../../bench/common';
import { parseQaArgs } from '../../bench/qa/main';
import { linesHolding, matchingFiles, NATURAL_ALIAS, naturalSet, readNaturalBooks, type NaturalBook } from '../../bench/qa/natural';
import { naturalFailures } from '../../bench/qa/naturalReport';
import type { Question } from '../../bench/qa/questions';
import { formatQaSection, groupSummaries } from '../../bench/qa/report';
import { normalise, score, verdictOf, type Outcome, type SetOutcome } from '../../bench/qa/run';

const span = (text: string) => ({ kind: 'span' as const, text: `${text}\n\n> quoted passage`, citations: [] });

test('verdictOf: exact for an accepted answer however cased, quoted or punctuated; wrong for any other span; unsure for passages', () => {
  const accepted = ['Bruce Perens'];
  assert.equal(verdictOf(accepted, span('Bruce Perens')), 'exact');
  assert.equal(verdictOf(accepted, span('bruce perens.')), 'exact');
  assert.equal(verdictOf(accepted, span('“Bruce  Perens”')), 'exact');
  assert.equal(verdictOf(accepted, span('Debian Manifesto')), 'wrong');
  assert.equal(verdictOf(accepted, span('Bruce Perens, Ian Jackson')), 'wrong', 'a longer span is not the answer');
  assert.equal(verdictOf(accepted, span('Perens')), 'wrong', 'half a name is not the answer');
  assert.equal(verdictOf(accepted, { kind: 'generated', text: 'Ian Murdock' }), 'wrong', 'generated text claims an answer too');
  assert.equal(verdictOf(accepted, { kind: 'passages', text: 'I am not sure. These passages may help:\n\n> Bruce Perens' }), 'unsure');
  // Only the first paragraph is the answer: the quoted passage after it may hold anything.
  assert.equal(verdictOf(['1993'], { kind: 'span', text: '1993\n\nWhen he created Debian, in 1993, ...' }), 'exact');
  assert.equal(verdictOf(['/etc/cron.weekly/', '/etc/cron.weekly'], span('/etc/cron.weekly')), 'exact');
  assert.equal(verdictOf(['crontab -e'], span('crontab')), 'wrong');
});

test('normalise: lower case, one space, no surrounding quotes or punctuation; inner punctuation kept', () => {
  assert.equal(normalise('  “April of 2007.” '), 'april of 2007');
  assert.equal(normalise('SHELL = /bin/sh'), 'shell = /bin/sh');
  assert.equal(normalise('(75%)'), '75%');
  assert.equal(normalise('foo-69.96.tar.gz.'), 'foo-69.96.tar.gz');
  assert.notEqual(normalise('/usr/local'), normalise('usr/local'));
});

test('linesHolding and matchingFiles: evidence found on its line in the HTML as the engine reads it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mnemo-natural-'));
  try {
    const html = '<html>\n<body>\n<p>Ian Murdock, <em>founder</em> of the\nDebian project, was its first leader.</p>\n<p>The file <code>/etc/apt/sources.list</code> lists sources.</p>\n</body>\n</html>\n';
    writeFileSync(join(dir, 'a.html'), html);
    writeFileSync(join(dir, 'b.html'), '<p>Bruce Perens</p>\n');
    writeFileSync(join(dir, 'c.txt'), 'x');
    mkdirSync(join(dir, 'images'));
    assert.deepEqual(matchingFiles(dir, '*.html'), ['a.html', 'b.html']);
    assert.deepEqual(matchingFiles(dir, 'b.html'), ['b.html']);
    const book: NaturalBook = {
      name: 'tiny', title: 'Tiny', package: 'tiny-doc', root: dir, files: '*.html', split: 'dev',
      questions: [
        { id: 'q1', type: 'who', question: 'Who founded Debian?', answers: ['Ian Murdock'], evidence: [{ file: 'a.html', quote: 'Ian Murdock, founder of the' }] },
        { id: 'q2', type: 'file', question: 'Which file lists sources?', answers: ['/etc/apt/sources.list'], evidence: [{ file: 'a.html', quote: 'The file /etc/apt/sources.list lists' }] },
        { id: 'q3', type: 'when', question: 'When was Bruce born?', answers: null },
      ],
    };
    const set = naturalSet(book, join(dir, 'ws'));
    assert.ok(!('skipped' in set));
    assert.deepEqual(set.questions.map((q) => q.answers), [[{ path: 'a.html', startLine: 3, endLine: 3 }], [{ path: 'a.html', startLine: 5, endLine: 5 }]]);
    assert.deepEqual(set.unanswerable!.map((q) => [q.id, q.kind]), [['natural/tiny/q3', 'unanswerable']]);
    assert.equal(readFileSync(join(set.workspace, 'b.html'), 'utf8'), '<p>Bruce Perens</p>\n', 'the book copied as it is');
    assert.ok(!existsSync(join(set.workspace, 'c.txt')));
    assert.deepEqual(linesHolding('a\nb c\nb  c d', 'b c'), [2, 3]);
    const wrong = { ...book, questions: [{ id: 'q9', type: 'who', question: '?', answers: ['x'], evidence: [{ file: 'a.html', quote: 'not in the book' }] }] };
    assert.throws(() => naturalSet(wrong, join(dir, 'ws')), /q9: no line of a\.html holds/);
    const missing = naturalSet({ ...book, root: join(dir, 'absent') }, join(dir, 'ws'));
    assert.ok('skipped' in missing && /package tiny-doc is not installed/.test(missing.skipped));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('score and report: exact, wrong and unsure counted per mode; evidence first and anywhere; dev failures listed', () => {
  const place = { path: 'a.html', startLine: 10, endLine: 10 };
  const q = (id: string): Question => ({ id: `natural/tiny/${id}`, kind: 'natural', question: `${id}?`, accepted: ['Bruce Perens'], answers: [place] });
  const cite = (startLine: number) => ({ path: 'a.html', startLine, endLine: startLine + 2, score: 1 });
  const answers = [
    { kind: 'span' as const, text: 'Bruce Perens', citations: [cite(9)] }, // exact, evidence first
    { kind: 'span' as const, text: 'Debian Manifesto', citations: [cite(40), cite(10)] }, // wrong, evidence second
    { kind: 'passages' as const, text: 'I am not sure.', citations: [cite(40)] }, // unsure, not cited
    { kind: 'span' as const, text: 'bruce perens.', citations: [cite(30)] }, // exact, not cited
  ];
  const outcomes: Outcome[] = answers.map((a, i) => score(q(`q${i}`), 'lexical', a as never, 1, 2, undefined));
  assert.deepEqual(outcomes.map((o) => o.verdict), ['exact', 'wrong', 'unsure', 'exact']);
  assert.deepEqual(outcomes.map((o) => o.top1Lines), [true, false, false, false]);
  assert.deepEqual(outcomes.map((o) => o.anyCited), [true, true, false, false]);
  const u: Question = { id: 'natural/tiny/u0', kind: 'unanswerable', question: 'u?', answers: [] };
  const unanswerable = [score(u, 'lexical', { kind: 'span', text: 'Ian Jackson', citations: [] } as never, 1, 2, undefined)];
  const result: SetOutcome = {
    set: { name: 'natural/tiny', group: 'natural/tiny', source: 'tiny', split: 'dev', kind: 'natural', workspace: '/w', questions: 4, unanswerable: 1 },
    read: { seconds: 1, tokens: 1234, filesRead: 1, filesReused: 0, skipped: [] }, outcomes, unanswerable,
  };
  const [g] = groupSummaries([result], () => undefined);
  const m = g!.modes.lexical!;
  assert.deepEqual([m.n, m.exact, m.wrong, m.unsure, m.top1Lines, m.anyCited], [4, 0.5, 0.25, 0.25, 0.25, 0.5]);
  const section = formatQaSection({ command: 'c', date: 'd', minutes: 1, model: 'm', quick: false, modes: ['lexical'], load: 'l', groups: [g!], notRun: [] });
  assert.match(section, /\| natural\/tiny \| dev \| 1,234 \| 4 \| 2 \| \*\*1\*\* \| 1 \| 1 \(of 1\) \| 1 \| 2 \| /);
  const questions = new Map([...[0, 1, 2, 3].map((i) => [`natural/tiny/q${i}`, q(`q${i}`)] as const), [u.id, u] as const]);
  const listed = naturalFailures([result], questions, []);
  assert.match(listed, /4 questions/, 'the wrong answer, the two uncited ones and the unanswerable one answered');
  assert.match(listed, /\*\*q1\*\*[^\n]*\n[^\n]*\n[^\n]*\n  - lexical: \*\*wrong\*\*: Debian Manifesto \(evidence cited, first citation a\.html:40-42\)/);
  assert.ok(!/\*\*q0\*\*/.test(listed), 'an exact answer with its evidence first is not a failure');
  assert.match(listed, /\*\*u0\*\*[\s\S]*answered anyway\*\*: Ian Jackson/);
});

test('the shipped question files: ids unique, a fifth or so unanswerable, every evidence line found in the installed book', () => {
  const books = readNaturalBooks(findRepoRoot(__dirname));
  assert.deepEqual(books.map((b) => [b.name, b.split]).sort(), [['debian-handbook', 'dev'], ['debian-reference', 'test'], ['gnu-standards', 'test']]);
  const ws = mkdtempSync(join(tmpdir(), 'mnemo-natural-'));
  try {
    for (const book of books) {
      const ids = book.questions.map((q) => q.id);
      assert.equal(new Set(ids).size, ids.length, `${book.name}: ids unique`);
      const none = book.questions.filter((q) => q.answers === null).length;
      assert.ok(none / book.questions.length >= 0.15 && none / book.questions.length <= 0.3, `${book.name}: ${none} of ${book.questions.length} unanswerable`);
      for (const q of book.questions) if (q.answers !== null) assert.ok(q.answers.length > 0 && (q.evidence?.length ?? 0) > 0, `${book.name} ${q.id}`);
      if (!existsSync(book.root)) continue; // the package is not installed here: nothing to check the lines against
      const set = naturalSet(book, join(ws, book.name));
      assert.ok(!('skipped' in set));
      assert.equal(set.questions.length + set.unanswerable!.length, book.questions.length);
    }
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
});

test('selection: --quick (what CI runs) and retrieval tuning never take the natural books; --tune-span, --sets natural or a book name does', () => {
  const names = readNaturalBooks(findRepoRoot(__dirname)).map((b) => b.name);
  const quick = parseQaArgs(['--quick']).selection;
  assert.ok(quick.sources.length > 0 && !quick.sources.some((s) => s === NATURAL_ALIAS || names.includes(s)), 'quick names its sources, none of them natural');
  for (const flag of ['--tune', '--tune-rerank']) assert.equal(parseQaArgs([flag]).selection.natural, false, flag);
  const span = parseQaArgs(['--tune-span']).selection;
  assert.ok(span.natural !== false && span.splits.length === 1 && span.splits[0] === 'dev', 'the span threshold counts the dev natural book only');
  assert.deepEqual(parseQaArgs(['--sets', 'dev,natural']).selection.sources, [NATURAL_ALIAS]);
  assert.deepEqual(parseQaArgs(['--sets', 'test,gnu-standards']).selection.sources, ['gnu-standards']);
});
