// Answers copied from passages (src/core/span.ts): the span decoding on logits whose best span is
// known, and the real model's span graph on passages whose answer is known.
import assert from 'node:assert/strict';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadModel } from '../../src/core/model';
import { bestInRow, extractSpan } from '../../src/core/span';
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
