// The model's real tokenizer: ids are those of the whole text, every token is tagged with the
// lines it lies on, and segments are exactly segmentLength long.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { readModelConfig } from '../../src/core/model';
import { MnemoTokenizer } from '../../src/core/tokenizer';
import { FIXTURE_CODEBASE, modelDir, noModel } from './helpers';

const skip = noModel();

async function load(): Promise<{ tok: MnemoTokenizer; S: number }> {
  const config = await readModelConfig(modelDir());
  return { tok: await MnemoTokenizer.load(join(modelDir(), config.tokenizer), config.specialTokens.pad), S: config.segmentLength };
}

test('tokenizeLines gives the ids of the whole text and round-trips', { skip }, async () => {
  const { tok } = await load();
  const text = (await readFile(join(FIXTURE_CODEBASE, 'js', 'ignore.js'), 'utf8')).repeat(3); // > one chunk
  const t = tok.tokenizeLines(text);
  assert.deepEqual([...t.ids], tok.encode(text));
  assert.equal(tok.decode(t.ids), text);
});

test('every token lies on the lines it is tagged with', { skip }, async () => {
  const { tok } = await load();
  const text = await readFile(join(FIXTURE_CODEBASE, 'py', 'textwrap.py'), 'utf8');
  const lines = text.split('\n');
  const t = tok.tokenizeLines(text);
  for (let i = 0; i < t.ids.length; i++) {
    const piece = tok.decode([t.ids[i]!]);
    const visible = piece.replace(/\s+/g, '');
    if (visible === '' || piece.includes('\ufffd')) continue;
    const span = lines.slice(t.startLines[i]! - 1, t.endLines[i]!).join('\n');
    assert.ok(span.includes(visible), `token ${i} ${JSON.stringify(piece)} is not on lines ${t.startLines[i]}-${t.endLines[i]}`);
  }
  assert.equal(t.endLines[t.ids.length - 1], lines.length - (text.endsWith('\n') ? 1 : 0));
});

test('segments are segmentLength long, padded at the end, with increasing line ranges', { skip }, async () => {
  const { tok, S } = await load();
  const text = await readFile(join(FIXTURE_CODEBASE, 'py', 'shlex.py'), 'utf8');
  const t = tok.tokenizeLines(text);
  const segs = tok.segment(t, S);
  assert.equal(segs.length, Math.ceil(t.ids.length / S));
  for (const [i, s] of segs.entries()) {
    assert.equal(s.ids.length, S);
    assert.equal(s.length, i < segs.length - 1 ? S : t.ids.length - S * (segs.length - 1));
    assert.ok(s.startLine <= s.endLine);
    if (i > 0) assert.ok(s.startLine >= segs[i - 1]!.startLine);
  }
  assert.equal(segs[0]!.startLine, 1);
  const last = segs[segs.length - 1]!;
  assert.ok([...last.ids.subarray(last.length)].every((v) => v === tok.padId));
});

test('ids do not depend on what the memo of word pieces holds, nor on its starting again when full', { skip }, async () => {
  const text = await readFile(join(FIXTURE_CODEBASE, 'py', 'textwrap.py'), 'utf8');
  const cold = (await load()).tok;
  const want = cold.encode(text);
  assert.deepEqual(cold.encode(text), want, 'every word remembered');
  const { tok } = await load();
  // More distinct words than the memo holds (50,000): it fills and starts again empty.
  const words = Array.from({ length: 60_000 }, (_, i) => `w${i.toString(36)}q`).join(' ');
  assert.equal(tok.decode(tok.encode(words)), words);
  assert.deepEqual(tok.encode(text), want, 'after the memo started again');
  assert.equal(cold.decode(want), text);
});

test('encodeWithOffsets: each token covers the text it decodes to, multi-byte characters included', { skip }, async () => {
  const { tok } = await load();
  const text = 'The code of the amber gate is 48213 (X7-42-QZ), café 日本 😀 <|sep|> done.\n\tNext line';
  const t = tok.encodeWithOffsets(text);
  assert.deepEqual(t.ids, tok.encode(text));
  // tokens cover the text in order, end to end
  assert.equal(t.starts[0], 0);
  assert.equal(t.ends[t.ends.length - 1], text.length);
  for (let i = 0; i < t.ids.length; i++) {
    assert.ok(t.starts[i]! <= t.ends[i]! && (i === 0 || t.starts[i]! >= t.starts[i - 1]!), `token ${i} offsets ${t.starts[i]}..${t.ends[i]}`);
    const piece = tok.decode([t.ids[i]!]);
    // a whole-character token decodes to exactly its slice (a split emoji or CJK byte does not)
    if (!piece.includes('\ufffd') && t.ids[i]! > 8) assert.equal(text.slice(t.starts[i], t.ends[i]), piece, `token ${i}`);
  }
  // the tokens that hold "48213" map back to it, and to nothing more than its leading space
  const at = text.indexOf('48213');
  const first = t.starts.findIndex((s, i) => t.ends[i]! > at);
  const last = t.ends.findIndex((e) => e >= at + 5);
  assert.equal(text.slice(t.starts[first], t.ends[last]), ' 48213');
});
