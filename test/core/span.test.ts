// Answers copied from passages (src/core/span.ts): the span decoding on logits whose best span is
// known, and the real model's span graph on passages whose answer is known.
import assert from 'node:assert/strict';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadModel } from '../../src/core/model';
import { bestInRow, bestPairInRow, extractSpan, hardBreaks, tokenBreaks, wholeWords } from '../../src/core/span';
import { modelDir, noModel, recordingLogger, tempDir } from './helpers';

const skip = noModel();

test('bestInRow picks the best start <= end within the passage and the span limit', () => {
  // 2 question positions, then a passage of 6 tokens; end before start and spans longer than 3 are not allowed
  const start = Float32Array.from([9, 9, -10, 5, 0, 0, 0, 0]);
  const end = Float32Array.from([9, 9, 8, 0, 0, 3, 0, 7]);
  const r = bestInRow(start, end, 2, 6, 3);
  // the question's positions never count; end 0 is best alone but precedes start 1 (and start 0 is
  // poor); end 5 is 5 tokens from start 1, over the limit of 3: the best allowed is (1, 3)
  assert.equal(r.start, 1);
  assert.equal(r.end, 3);
  const loose = bestInRow(start, end, 2, 6, 6);
  assert.deepEqual([loose.start, loose.end], [1, 5]);
});

test('bestPairInRow takes the end given the start, within the passage and the span limit', () => {
  // 2 question positions, then a passage of 4 tokens; width 3: row t holds the ends t, t+1, t+2
  const start = Float32Array.from([9, 9, 0, 6, 0, 0]);
  const pairs = Float32Array.from([
    9, 9, 9, /* question */ 9, 9, 9,
    0, 0, 0, /* passage 0 */ 5, 0, 1, /* passage 1: ends at itself */ 0, 0, 9, /* passage 2 */ 0, 9, 9 /* passage 3 */,
  ]);
  const r = bestPairInRow(start, pairs, 3, 2, 4, 3);
  assert.deepEqual([r.start, r.end], [1, 1]);
  // the log-probabilities: start 1's softmax over the passage, then end 1 among the ends 1, 2, 3
  const ls = 6 - Math.log(3 + Math.exp(6));
  const le = 5 - Math.log(Math.exp(5) + 1 + Math.exp(1));
  assert.ok(Math.abs(r.logProb - (ls + le)) < 1e-9, `logProb ${r.logProb}`);
  // start 3 is the last passage token: of its row only j = 0 lies inside the passage, so its
  // end-given-start probability is 1 and the scores there beyond the passage never count
  const last = bestPairInRow(Float32Array.from([0, 0, 0, 0, 0, 9]), pairs, 3, 2, 4, 3);
  assert.deepEqual([last.start, last.end], [3, 3]);
  // the span limit cuts the row as well: with maxSpan 1 every span is one token
  const one = bestPairInRow(Float32Array.from([0, 0, 0, 0, 9, 0]), pairs, 3, 2, 4, 1);
  assert.deepEqual([one.start, one.end], [2, 2]);
});

test('no span crosses a token that holds a line break', () => {
  // a passage of 4 tokens after 2 question positions; the start is surely token 0, and given it
  // the end is token 2
  const start = Float32Array.from([0, 0, 20, 0, 0, 0]);
  const pairs = Float32Array.from([
    0, 0, 0, 0, 0, 0,
    0, 0, 9, /* start 0: best end 2 */ 0, 0, 0, 0, 0, 0, 0, 0, 0,
  ]);
  assert.deepEqual((({ start: s, end: e }) => [s, e])(bestPairInRow(start, pairs, 3, 2, 4, 3)), [0, 2]);
  // token 1 holds a line break: from start 0 only the span 0..0 is left; token 1 starts nothing
  const r = bestPairInRow(start, pairs, 3, 2, 4, 3, Uint8Array.from([0, 1, 0, 0]));
  assert.deepEqual([r.start, r.end], [0, 0]);
  const e = Float32Array.from([0, 0, 0, 0, 9, 0]);
  const i = bestInRow(start, e, 2, 4, 4, Uint8Array.from([0, 1, 0, 0]));
  assert.ok(i.start !== 1 && !(i.start <= 1 && i.end >= 1), `span ${i.start}..${i.end} holds the break`);
});

test('a line break ends an answer after a sentence or clause and around a blank line, not mid-sentence', () => {
  const text = 'The ferry leaves at half past\nsix each morning. Ask Sabine\nWren.\nGe2 The key is 34898,\nand "go."\nThen\n\nNext';
  const nl = [...text.matchAll(/\n/g)].map((m) => m.index!);
  const hard = hardBreaks(text);
  // soft: "past|six" and "Sabine|Wren" wrap a sentence; hard: after "Wren.", "34898,", "go."' and
  // both breaks of the blank line
  assert.deepEqual(nl.map((i) => hard.has(i)), [false, false, true, true, true, true, true]);
  // per token: a token holding a soft break only is not marked
  assert.deepEqual([...tokenBreaks(text, { ids: [1, 2, 3], starts: [0, 29, 30], ends: [29, 30, 33] })], [0, 0, 0]);
  const wren = text.indexOf('Wren.') + 5;
  assert.deepEqual([...tokenBreaks(text, { ids: [1, 2], starts: [wren - 5, wren], ends: [wren, wren + 1] })], [0, 1]);
  assert.equal(hardBreaks('one line').size, 0);
});

test('an answer is whole words on its line, without the punctuation closing its sentence', () => {
  const text = 'The bird was a cormorant.\nGe2 The key is 34898.';
  const at = (word: string, from = 0, to = word.length): string => {
    const i = text.indexOf(word);
    const r = wholeWords(text, i + from, i + to);
    return text.slice(r.start, r.end);
  };
  assert.equal(at('cormorant', 1), 'cormorant', 'a start inside a word moves to its first letter');
  assert.equal(at('cormorant', 0, 4), 'cormorant', 'an end inside a word moves to its last letter');
  assert.equal(at('34898.'), '34898', 'the full stop after a number is not part of it');
  assert.equal(at(' a cormorant'), 'a cormorant', 'the space a byte-level token carries is dropped');
  assert.equal(at('.'), '.', 'a span that is only punctuation is kept as it is');
});

test('a model folder without the span graph gives no span answer', { skip }, async () => {
  const t = await tempDir('nospan');
  try {
    const dir = join(t.path, 'm');
    await cp(modelDir(), dir, { recursive: true });
    const mj = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    delete mj.graphs.span;
    await writeFile(join(dir, 'model.json'), JSON.stringify(mj));
    const model = await loadModel(dir, 'cpu', recordingLogger());
    try {
      assert.equal(model.runtime.hasSpan, false);
      assert.equal(await extractSpan(model, 'What is the code?', ['The code is 7.']), undefined);
    } finally { await model.runtime.dispose(); }
  } finally { await t.cleanup(); }
});

test('the span graph points into the planted number, and a span that is not exact stays below the threshold', { skip }, async (t) => {
  const model = await loadModel(modelDir(), 'cpu', recordingLogger());
  try {
    // a folder whose model.json has no "answers" makes no claim about its spans (CI's tiny model)
    if (!model.runtime.hasSpan || !model.config.answers) { t.skip('no span graph with measured answers in this model folder'); return; }
    const passages = [
      'In the beginning God created the heaven and the earth. The access code for the copper mill is 55107.',
      'And the earth was without form, and void. The access code for the amber gate is 48213. And God said, Let there be light.',
    ];
    const a = await extractSpan(model, 'What code unlocks the amber gate?', passages);
    assert.ok(a);
    assert.equal(a.passageIndex, 1, `span from passage ${a.passageIndex}: "${a.text}"`);
    assert.equal(passages[1]!.slice(a.start, a.end), a.text);
    const at = passages[1]!.indexOf('48213');
    assert.ok(a.start < at + 5 && a.end > at, `span "${a.text}" at ${a.start}..${a.end} misses the number at ${at}`);
    assert.ok(a.confidence > 0 && a.confidence <= 1, `confidence ${a.confidence}`);
    // the product rule: a wrong answer must not be shown as the answer
    if (a.text !== '48213') {
      assert.ok(a.confidence < model.config.answers.spanThreshold, `inexact span "${a.text}" has confidence ${a.confidence} >= threshold`);
    }
  } finally { await model.runtime.dispose(); }
});

test('a passage longer than one window is read in windows; the span maps back to its characters', { skip }, async (t) => {
  const model = await loadModel(modelDir(), 'cpu', recordingLogger());
  try {
    if (!model.runtime.hasSpan) { t.skip('no span graph in this model folder'); return; }
    const verse = 'And the earth was without form, and void; and darkness was upon the face of the deep. ';
    const long = verse.repeat(30) + 'The access code for the amber gate is 48213. ' + verse.repeat(10); // ~900 tokens
    assert.ok(model.tokenizer.encode(long).length > 600);
    const a = await extractSpan(model, 'What code unlocks the amber gate?', ['A short passage.', long]);
    assert.ok(a);
    const p = ['A short passage.', long][a.passageIndex]!;
    assert.ok(a.start >= 0 && a.start < a.end && a.end <= p.length, `offsets ${a.start}..${a.end}`);
    assert.equal(p.slice(a.start, a.end), a.text);
    assert.equal(a.text, a.text.trim());
  } finally { await model.runtime.dispose(); }
});

test('a question asking for a number or a time gets no span without one; a name may be a description', { skip }, async (t) => {
  const model = await loadModel(modelDir(), 'cpu', recordingLogger());
  try {
    if (!model.runtime.hasSpan) { t.skip('no span graph in this model folder'); return; }
    // Exodus 38:4, the verse keyword search put first for the brass compass's price.
    const verse = 'And he made for the altar a brasen grate of network under the compass thereof beneath unto the midst of it. The brass compass lay there.';
    assert.equal(await extractSpan(model, 'How much does the brass compass cost?', [verse]), undefined);
    assert.equal(await extractSpan(model, 'At what time does the brass compass arrive?', [verse]), undefined);
    const priced = `${verse} The brass compass is priced at 12062 silver coins.`;
    assert.equal((await extractSpan(model, 'How much does the brass compass cost?', [priced]))?.text, '12062');
  } finally { await model.runtime.dispose(); }
});
