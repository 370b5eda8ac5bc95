// The lexical index and the pure parts of retrieval and answering: term analysis, the index's
// updates and its saved form, the fusion's guarantees, and what an answer may say.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../src/core/analyze';
import { bestLines, buildAnswer, composeText, isFragment, NOT_SURE, openingLines, type SegmentLines } from '../../src/core/answer';
import { LexicalIndex, segmentTexts, streamedIndexText } from '../../src/core/lexicalIndex';
import { confidentPrefix, fuse, fusionLanguage, fusionParams, queryLanguage, type FusionParams, type RetrieveContext } from '../../src/core/retrieve';

test('analysis splits identifiers, keeps them whole, stems English and keeps numbers whole', () => {
  assert.deepEqual(analyze('getUserName'), ['getusername', 'get', 'user', 'name']);
  assert.deepEqual(analyze('parse_json_file'), ['parse_json_file', 'pars', 'json', 'file']);
  assert.deepEqual(analyze('HTMLParser'), ['htmlparser', 'html', 'parser']);
  assert.deepEqual(analyze('How does the wrapper wrap paragraphs?'), ['wrapper', 'wrap', 'paragraph']);
  assert.deepEqual(analyze('version 3.14, code 0x1F and error 404'), ['version', '3.14', 'code', '0x1f', 'error', '404']);
  assert.deepEqual(analyze('__init__ $scope'), ['init', 'scope']);
});

test('a streamed segment is indexed with the line the one before left unfinished, so a cut line is found whole', () => {
  // Decoded ids end anywhere: here inside "cloak" (as they did in the 10M-token KJV haystack) and inside "Violetta".
  const parts = ['Ge7:16 And the LORD shut him in.\nIn the ledger the wool c', 'loak is priced at 58187 silver coins.\nViolet', 'ta went back to the cellar.\n'];
  const indexText = streamedIndexText();
  const texts = parts.map((p, i) => indexText(i, p));
  assert.equal(texts[1], 'In the ledger the wool cloak is priced at 58187 silver coins.\nViolet');
  assert.equal(texts[2], 'Violetta went back to the cellar.\n');
  const ix = LexicalIndex.empty();
  ix.addSegments('kjv.txt', 'k1', 0, texts);
  ix.addSegments('other.txt', 'o1', 0, ['The wool of the sheep.\nA cloak of zeal.']);
  assert.deepEqual(ix.query('the ledger of the wool cloak', 5).map((h) => [h.path, h.segment]).at(0), ['kjv.txt', 1]);
  // A segment after a gap carries nothing; a line longer than the carry is cut at a word.
  assert.equal(streamedIndexText()(5, 'x\ny'), 'x\ny');
  const long = streamedIndexText();
  long(0, `start ${'word '.repeat(400)}end`);
  const carried = long(1, '\n').slice(0, -1);
  assert.ok(carried.length <= 1024 && carried.startsWith('word') && carried.endsWith('end'), carried.slice(0, 40));
});

const FILE_A = ['def dedent(text):', '    """Remove any common leading whitespace from every line."""', '    return text', '', 'def indent(text, prefix):', '    """Add prefix to the beginning of selected lines."""', '    return prefix + text'];
const FILE_B = ['# Shell-like lexical analysis', 'class shlex:', '    """A lexical analyzer class for simple shell-like syntaxes."""', '    pass'];

function indexOf(): LexicalIndex {
  const ix = LexicalIndex.empty();
  ix.addSegments('py/textwrap.py', 'a1', 0, segmentTexts(FILE_A, [1, 5], [4, 7], 2));
  ix.addSegments('py/shlex.py', 'b1', 0, segmentTexts(FILE_B, [1], [4], 1));
  return ix;
}

test('the index finds the segment whose words a question uses, by stem and by split identifier', () => {
  const ix = indexOf();
  assert.deepEqual(ix.query('removing leading whitespace', 5).map((h) => [h.path, h.segment]).at(0), ['py/textwrap.py', 0]);
  assert.deepEqual(ix.query('prefixes added to selected lines', 5).map((h) => [h.path, h.segment]).at(0), ['py/textwrap.py', 1]);
  assert.deepEqual(ix.query('shell lexical analyzer', 5).map((h) => h.path).at(0), 'py/shlex.py');
  assert.deepEqual(ix.query('the of and', 5), [], 'stop words alone match nothing');
  const top = ix.query('dedent', 5);
  assert.ok(top[0]!.score > 0 && top.every((h, i) => i === 0 || h.score <= top[i - 1]!.score), 'best first');
});

test('a file updated in the index loses its old words and gains the new ones; a removed file is gone', () => {
  const ix = indexOf();
  ix.addSegments('py/textwrap.py', 'a2', 0, ['def dedent(text):\n    """Strip the shared indentation margin."""']);
  assert.equal(ix.query('common leading whitespace', 5).length, 0, 'old words are gone');
  assert.deepEqual(ix.query('shared indentation margin', 5).map((h) => [h.path, h.segment]), [['py/textwrap.py', 0]]);
  assert.deepEqual(ix.fileState('py/textwrap.py'), { segments: 1, sha1: 'a2' });
  ix.removeFile('py/shlex.py');
  assert.equal(ix.query('shell lexical analyzer', 5).length, 0);
  assert.equal(ix.documentCount, 1);
});

test('segments are appended in order as the reader stores them; a gap is refused', () => {
  const ix = LexicalIndex.empty();
  ix.addSegments('a.txt', 's', 0, ['alpha beta']);
  ix.addSegments('a.txt', 's', 1, ['gamma delta']);
  assert.deepEqual(ix.query('gamma', 5).map((h) => h.segment), [1]);
  assert.throws(() => ix.addSegments('b.txt', 's', 3, ['x']), /first segment/);
});

test('the index survives serialisation; damaged bytes are refused, never half loaded', () => {
  const ix = indexOf();
  ix.removeFile('py/shlex.py');
  ix.addSegments('py/shlex.py', 'b2', 0, ['class shlex: a lexical analyzer']);
  const bytes = ix.serialize();
  const back = LexicalIndex.deserialize(bytes);
  for (const q of ['leading whitespace', 'selected lines prefix', 'lexical analyzer']) assert.deepEqual(back.query(q, 5), ix.query(q, 5), q);
  assert.deepEqual(back.fileState('py/shlex.py'), { segments: 1, sha1: 'b2' });
  assert.throws(() => LexicalIndex.deserialize(bytes.slice(0, bytes.length >> 1)), /bytes|truncated/);
  assert.throws(() => LexicalIndex.deserialize(new TextEncoder().encode('{"format":1,"files":[]}')), /not an index/);
  const wrongFormat = bytes.slice();
  wrongFormat[4] = 99;
  assert.throws(() => LexicalIndex.deserialize(wrongFormat), /format/);
  // The header names a document id it does not hold (same length, so only the check can tell).
  const text = new TextDecoder().decode(bytes);
  const forged = new TextEncoder().encode(text.replace('"py/shlex.py","b2",[', '"py/shlex.py","b2",[9'));
  assert.equal(forged.length, bytes.length + 1);
  assert.throws(() => LexicalIndex.deserialize(forged));
});

// Plain convex fusion: margin 1 keeps no lexical place (except a lone candidate's).
const convex = (weight: number): FusionParams => ({ weight, lexicalMargin: 1 });

test('fusion: w = 1 is the lexical order, w = 0 the model order, a missing side counts as its minimum', () => {
  const lexical = [{ key: 'a', score: 9 }, { key: 'b', score: 5 }, { key: 'c', score: 1 }];
  const model = [{ key: 'c', score: 0.9 }, { key: 'd', score: 0.5 }, { key: 'b', score: 0.1 }];
  assert.deepEqual(fuse(lexical, model, convex(1)).map((f) => f.key).slice(0, 3), ['a', 'b', 'c']);
  assert.deepEqual(fuse(lexical, model, convex(0)).map((f) => f.key).slice(0, 2), ['c', 'd']);
  const half = fuse(lexical, model, convex(0.5));
  assert.deepEqual(half.find((f) => f.key === 'd'), { key: 'd', score: 0.5 * 0 + 0.5 * 0.5, lexical: false, model: true });
  assert.deepEqual(half.find((f) => f.key === 'c'), { key: 'c', score: 0.5, lexical: true, model: true });
});

test('fusion with w > 1/2 keeps a first place that the lexical side scores within (1 − w)/w of its best', () => {
  // Random lists: the guarantee must hold whatever the model says.
  let seed = 7;
  const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (const w of [0.6, 0.8, 0.9]) {
    for (let trial = 0; trial < 200; trial++) {
      const keys = Array.from({ length: 12 }, (_, i) => `k${i}`);
      const lexical = keys.filter(() => rand() < 0.6).map((key) => ({ key, score: rand() * 10 })).sort((a, b) => b.score - a.score);
      const model = keys.filter(() => rand() < 0.6).map((key) => ({ key, score: rand() * 2 - 1 })).sort((a, b) => b.score - a.score);
      if (lexical.length < 2) continue;
      const top = fuse(lexical, model, convex(w))[0]!;
      const lo = lexical.at(-1)!.score;
      const hi = lexical[0]!.score;
      const own = lexical.find((c) => c.key === top.key);
      assert.ok(own, `w=${w}: the fused first place was found by the lexical side`);
      assert.ok((own.score - lo) / (hi - lo) >= 1 - (1 - w) / w - 1e-9, `w=${w}: fused first place is near the lexical best`);
    }
  }
});

// A document where one segment holds the number a question asks about, another shares the rest
// of its words, and keys (as given below, not computed) prefer that other segment.
const PROXY_DOC = [
  'The admin proxy listens on port 48213 and forwards requests to the backend pool.',
  'The public proxy listens on the port set in proxy.conf; which proxy listens where is logged at start.',
  'Each proxy forwards requests with a timeout of thirty seconds.',
  'Workers restart when the proxy sends a reload signal.',
  'Logs of every request are kept for a week.',
];

function proxyLists(question: string, keys: Record<number, number>): { lexical: { key: string; score: number }[]; model: { key: string; score: number }[] } {
  const ix = LexicalIndex.empty();
  ix.addSegments('docs/proxy.md', 's1', 0, PROXY_DOC);
  const lexical = ix.query(question, 10).map((h) => ({ key: String(h.segment), score: h.score }));
  const model = Object.entries(keys).map(([key, score]) => ({ key, score })).sort((a, b) => b.score - a.score);
  return { lexical, model };
}

test('fusion keeps a confident lexical first place (an exact number) first, even when the keys prefer another segment', () => {
  const { lexical, model } = proxyLists('Which proxy listens on port 48213?', { 1: 0.62, 2: 0.41, 3: 0.35, 0: 0.3 });
  assert.equal(lexical[0]!.key, '0', 'BM25 puts the segment with the number first');
  const drop = 1 - lexical[1]!.score / lexical[0]!.score;
  assert.ok(drop > 0.25 && drop < 0.43, `a clear raw drop (${drop.toFixed(2)}) that min-max normalisation hides at w = 0.7`);
  // Plain convex fusion (the rule before the margin) lets the keys overrule it.
  assert.equal(fuse(lexical, model, convex(0.7))[0]!.key, '1');
  const fused = fuse(lexical, model, { weight: 0.7, lexicalMargin: 0.25 });
  assert.equal(fused[0]!.key, '0');
  assert.ok(fused.every((f, i) => i === 0 || f.score <= fused[i - 1]!.score), 'scores still fall down the list');
});

test("fusion still lets the keys reorder where the lexical side is unsure (a near-tie at the top)", () => {
  const { lexical, model } = proxyLists('Which proxy forwards requests?', { 0: 0.6, 1: 0.5, 2: 0.2 });
  assert.deepEqual(lexical.slice(0, 2).map((c) => c.key), ['2', '0']);
  assert.ok(1 - lexical[1]!.score / lexical[0]!.score < 0.25, 'the first two are close in BM25');
  assert.equal(fuse(lexical, model, { weight: 0.7, lexicalMargin: 0.25 })[0]!.key, '0', 'the keys break the near-tie');
  // Keeping the whole lexical order (margin 0) would not.
  assert.equal(fuse(lexical, model, { weight: 0.7, lexicalMargin: 0 })[0]!.key, '2');
});

test('the lexical order is kept down to the first step that is not a clear drop, and nothing below it', () => {
  const list = (...scores: number[]): { key: string; score: number }[] => scores.map((score, i) => ({ key: `l${i}`, score }));
  assert.equal(confidentPrefix(list(10, 5, 4.9, 1), 0.3), 2);
  assert.equal(confidentPrefix(list(10, 9, 1), 0.3), 0, 'a close second: nothing is kept');
  assert.equal(confidentPrefix(list(10), 0.3), 1);
  assert.equal(confidentPrefix(list(10, 9, 8), 0), 3, 'margin 0: the whole lexical order');
  assert.equal(confidentPrefix(list(10, 9, 8), 1), 0, 'margin 1: plain convex fusion');
  // Random lists: the kept places come first, in lexical order, and scores never rise.
  let seed = 11;
  const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let trial = 0; trial < 300; trial++) {
    const keys = Array.from({ length: 10 }, (_, i) => `k${i}`);
    const lexical = keys.filter(() => rand() < 0.7).map((key) => ({ key, score: rand() * 10 })).sort((a, b) => b.score - a.score);
    const model = keys.filter(() => rand() < 0.7).map((key) => ({ key, score: rand() * 2 - 1 })).sort((a, b) => b.score - a.score);
    const params = { weight: rand(), lexicalMargin: rand() * 0.6 };
    const fused = fuse(lexical, model, params);
    const n = confidentPrefix(lexical, params.lexicalMargin);
    assert.deepEqual(fused.slice(0, n).map((f) => f.key), lexical.slice(0, n).map((c) => c.key));
    assert.ok(fused.every((f, i) => i === 0 || f.score <= fused[i - 1]!.score + 1e-12));
    assert.equal(new Set(fused.map((f) => f.key)).size, new Set([...lexical, ...model].map((c) => c.key)).size);
  }
});

const segment = (path: string, startLine: number, lines: string[], score = 1): SegmentLines => ({
  citation: { path, startLine, endLine: startLine + lines.length - 1, score, sources: ['lexical'] }, lines,
});
const RUTH = segment('texts/ruth-1.txt', 4, [
  '1 Now it came to pass in the days when the judges ruled, that there was a famine in the',
  'land. And a certain man of Bethlehemjudah went to sojourn in the country of Moab, he,',
  'and his wife, and his two sons.',
  '2 And the name of the man was Elimelech, and the name of his wife Naomi, and the name',
  'of his two sons Mahlon and Chilion, Ephrathites of Bethlehemjudah. And they came into',
  'the country of Moab, and continued there.',
  '3 And Elimelech Naomi\'s husband died; and she was left, and her two sons.',
  '4 And they took them wives of the women of Moab; the name of the one was Orpah, and the',
]);

test('a passage answer says it is not sure and quotes the lines that match, cited precisely', () => {
  const a = buildAnswer({ question: 'Where did Elimelech and his wife Naomi go to sojourn?', segments: [RUTH] });
  assert.equal(a.kind, 'passages');
  assert.ok(a.text.startsWith(NOT_SURE));
  assert.equal(a.passages.length, 1);
  const p = a.passages[0]!;
  assert.deepEqual(a.citations, [p.citation]);
  assert.ok(p.citation.startLine >= 4 && p.citation.endLine <= 11 && p.citation.endLine - p.citation.startLine < 6);
  assert.ok(p.text.includes('Elimelech, and the name of his wife Naomi'), p.text);
  assert.ok(a.text.includes(`\`texts/ruth-1.txt:${p.citation.startLine}-${p.citation.endLine}\`\n\`\`\`\n${p.text}\n\`\`\``));
  assert.equal(p.text, RUTH.lines.slice(p.citation.startLine - 4, p.citation.endLine - 3).join('\n'), 'the quote is exactly the cited lines');
});

test('a confident span is the answer, cited at its own line; a doubtful or broken one is not', () => {
  const text = RUTH.lines.join('\n');
  const start = text.indexOf('the country of Moab');
  const span = { text: 'the country of Moab', passageIndex: 0, start, end: start + 'the country of Moab'.length, confidence: 0.9, sole: false };
  const a = buildAnswer({ question: 'Where did they go?', segments: [RUTH], span, spanThreshold: 0.7 });
  assert.equal(a.kind, 'span');
  assert.equal(a.confidence, 0.9);
  assert.equal(a.text.split('\n\n')[0], 'the country of Moab');
  assert.deepEqual([a.citations[0]!.startLine, a.citations[0]!.endLine], [5, 5]);
  assert.equal(buildAnswer({ question: 'Where did they go?', segments: [RUTH], span: { ...span, confidence: 0.5 }, spanThreshold: 0.7 }).kind, 'passages');
  assert.equal(buildAnswer({ question: 'Where did they go?', segments: [RUTH], span: { ...span, end: text.length + 5 } }).kind, 'passages');
  assert.equal(buildAnswer({ question: 'Where did they go?', segments: [RUTH], span: { ...span, passageIndex: 3 } }).kind, 'passages');
  // cut inside a word at either end ("the country of Mo", "he country of Moab"): a fragment, not an answer
  assert.equal(buildAnswer({ question: 'Where did they go?', segments: [RUTH], span: { ...span, end: span.end - 2 }, spanThreshold: 0.7 }).kind, 'passages');
  assert.equal(buildAnswer({ question: 'Where did they go?', segments: [RUTH], span: { ...span, start: span.start + 1 }, spanThreshold: 0.7 }).kind, 'passages');
  // whole words, even one: an answer
  const moab = text.indexOf('Moab');
  assert.equal(buildAnswer({ question: 'Where did they go?', segments: [RUTH], span: { ...span, start: moab, end: moab + 4 }, spanThreshold: 0.7 }).text.split('\n\n')[0], 'Moab');
  // only function words ("the", "of"): says nothing, not an answer
  const of = text.indexOf('of Moab');
  assert.equal(buildAnswer({ question: 'Where did they go?', segments: [RUTH], span: { ...span, start: of, end: of + 2 }, spanThreshold: 0.7 }).kind, 'passages');
});

test('a span beside a colon that joins two words is cut out of a reference, not an answer', () => {
  const verse = { citation: { path: 'texts/kjv.txt', startLine: 1, endLine: 1, score: 1, sources: ['lexical' as const] }, lines: ['Ge35:19 And Rachel died, and was buried in the way to Ephrath.'] };
  const span = (start: number, end: number) => ({ text: verse.lines[0]!.slice(start, end), passageIndex: 0, start, end, confidence: 0.9, sole: false });
  const ask = (start: number, end: number) => buildAnswer({ question: 'What did Jacob set up?', segments: [verse], span: span(start, end), spanThreshold: 0.7 });
  assert.equal(ask(0, 4).kind, 'passages'); // "Ge35" of "Ge35:19"
  assert.equal(ask(5, 7).kind, 'passages'); // "19" of "Ge35:19"
  const rachel = verse.lines[0]!.indexOf('Rachel');
  assert.equal(ask(rachel, rachel + 6).text.split('\n\n')[0], 'Rachel');
  // A colon and a space end a word: "Note: Rachel" keeps "Note" whole.
  const note = { ...verse, lines: ['Note: Rachel died.'] };
  assert.equal(buildAnswer({ question: 'What is it?', segments: [note], span: { ...span(0, 4), text: 'Note' }, spanThreshold: 0.7 }).kind, 'span');
});

test('in a script written without spaces, a span may begin and end anywhere', () => {
  const zh = { citation: { path: 'texts/zh.txt', startLine: 1, endLine: 1, score: 1, sources: ['lexical' as const] }, lines: ['以利米勒往摩押地去寄居。'] };
  const at = zh.lines[0]!.indexOf('摩押地');
  const a = buildAnswer({ question: '他们往哪里去?', segments: [zh], span: { text: '摩押地', passageIndex: 0, start: at, end: at + 3, confidence: 0.9, sole: false }, spanThreshold: 0.7 });
  assert.equal(a.kind, 'span');
  assert.equal(a.text.split('\n\n')[0], '摩押地');
});

test('generated text is shown only whole: fragments fall back to quoted passages', () => {
  for (const fragment of [' the file.', 'library', 'cellar', 'They went to the country of']) {
    assert.ok(isFragment(fragment), fragment);
    assert.equal(buildAnswer({ question: 'Where did they go?', segments: [RUTH], generated: fragment }).kind, 'passages', fragment);
  }
  const whole = 'They went to sojourn in the country of Moab.';
  assert.ok(!isFragment(whole));
  assert.equal(buildAnswer({ question: 'Where did they go?', segments: [RUTH], generated: whole }).kind, 'generated');
});

test('every cited segment is quoted; a segment with no matching word gives its first lines', () => {
  const other = segment('a.js', 10, ['', 'function unrelated() {', '  return 1;', '}', '', '']);
  const a = buildAnswer({ question: 'Elimelech Moab', segments: [RUTH, other] });
  assert.equal(a.passages.length, 2);
  assert.deepEqual([a.passages[1]!.citation.startLine, a.passages[1]!.citation.endLine], [11, 13]);
  assert.deepEqual(bestLines(other, new Map()), { startLine: 11, endLine: 13 });
});

test('a quoted line holding a fence cannot close the quote early', () => {
  const p = { citation: { path: 'a.md', startLine: 1, endLine: 1, score: 1, sources: [] }, text: '```js' };
  assert.equal(composeText('Lead.', [p]), 'Lead.\n\n`a.md:1`\n````\n```js\n````');
});

test('a file opening: the docstring or leading comment, else the first paragraph', () => {
  assert.deepEqual(openingLines(['"""Text wrapping and filling.', '"""', '', 'import re']), { startLine: 1, endLine: 2 });
  assert.deepEqual(openingLines(['#!/usr/bin/env node', '// The CLI.', '// Reads folders.', 'const x = 1;']), { startLine: 2, endLine: 3 });
  assert.deepEqual(openingLines(['/* A', ' * B', ' */', 'int x;']), { startLine: 1, endLine: 3 });
  assert.deepEqual(openingLines(['', 'THE BOOK OF RUTH', 'King James Version', '', '1 Now']), { startLine: 2, endLine: 3 });
});

test('equal scores come in path and segment order, whatever order the files were indexed in', () => {
  const text = 'the ferry leaves the harbour at seven';
  const files = ['c/three.txt', 'a/one.txt', 'b/two.txt'];
  const orders = [files, [...files].reverse(), [files[1]!, files[2]!, files[0]!]];
  const results = orders.map((order) => {
    const ix = new LexicalIndex();
    for (const path of order) ix.addSegments(path, 's', 0, [text, text]);
    // k = 3 of 6 equal scores: the bounded selection must keep the same three too.
    return [ix.query('ferry harbour', 3), ix.query('ferry harbour', 10)].map((hits) => hits.map((h) => `${h.path}#${h.segment}`));
  });
  assert.deepEqual(results[0], [['a/one.txt#0', 'a/one.txt#1', 'b/two.txt#0'], ['a/one.txt#0', 'a/one.txt#1', 'b/two.txt#0', 'b/two.txt#1', 'c/three.txt#0', 'c/three.txt#1']]);
  assert.deepEqual(results[1], results[0]);
  assert.deepEqual(results[2], results[0]);
});

test('fusion language of a file: TypeScript counts as JavaScript; prose, data and minified files have none', () => {
  assert.equal(fusionLanguage('src/core/retrieve.ts'), 'javascript');
  assert.equal(fusionLanguage('lib/index.mjs'), 'javascript');
  assert.equal(fusionLanguage('ui/App.tsx'), 'javascript');
  assert.equal(fusionLanguage('pkg/attr/_make.py'), 'python');
  assert.equal(fusionLanguage('main.go'), 'go');
  assert.equal(fusionLanguage('README.md'), undefined);
  assert.equal(fusionLanguage('package.json'), undefined);
  assert.equal(fusionLanguage('dist/app.min.js'), undefined);
});

test("a query's language is the one most of the lexical side's first 10 files are in; a tie goes to the one ranked first", () => {
  assert.equal(queryLanguage(['a.py', 'README.md', 'b.js', 'c.ts', 'd.py', 'e.mjs']), 'javascript');
  assert.equal(queryLanguage(['a.py', 'b.js', 'c.js', 'd.py']), 'python');
  assert.equal(queryLanguage(['README.md', 'a.py', 'guide.txt']), undefined);
  // The 11th and later candidates do not count.
  assert.equal(queryLanguage([...Array(6).fill('a.py'), ...Array(4).fill('b.ts'), ...Array(5).fill('c.ts')]), 'python');
  assert.equal(queryLanguage([]), undefined);
});

test('fusion settings: the caller, else the query language\'s own in model.json, else model.json\'s shared ones, else the defaults', () => {
  // Only model.config.retrieval is read.
  const ctx = (retrieval: unknown): RetrieveContext => ({ model: { config: { retrieval } } }) as unknown as RetrieveContext;
  const declared = ctx({ fusionWeight: 0.6, lexicalMargin: 0.05, languages: { javascript: { fusionWeight: 0.9 }, python: { fusionWeight: 0.3, lexicalMargin: 0.2 } } });
  assert.deepEqual(fusionParams(declared, {}, 'javascript'), { weight: 0.9, lexicalMargin: 0.05 });
  assert.deepEqual(fusionParams(declared, {}, 'python'), { weight: 0.3, lexicalMargin: 0.2 });
  assert.deepEqual(fusionParams(declared, {}, 'go'), { weight: 0.6, lexicalMargin: 0.05 });
  assert.deepEqual(fusionParams(declared, {}), { weight: 0.6, lexicalMargin: 0.05 });
  assert.deepEqual(fusionParams(declared, { fusionWeight: 0.4 }, 'python'), { weight: 0.4, lexicalMargin: 0.2 });
  assert.deepEqual(fusionParams(ctx(undefined), {}, 'python'), { weight: 0.9, lexicalMargin: 0.1 });
});
