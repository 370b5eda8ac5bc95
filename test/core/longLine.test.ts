// A prose file written as one line (a book without line breaks, under STREAM_BYTES so it is
// loaded whole) is indexed by its segments' decoded text, as a streamed book is, not by the one
// line every segment lies on: that made reading a 900 KB one-line book 22 times slower and its
// saved memory 60 times larger (lexicalIndex.ts LONG_LINE_CHARS). Its citations quote each
// segment's own part of the line, and the span head reads that part.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { openEngine } from '../../src/core/engine';
import { LONG_LINE_CHARS } from '../../src/core/lexicalIndex';
import { loadModel } from '../../src/core/model';
import { STREAM_BYTES } from '../../src/core/streamedText';
import { modelDir, noModel, recordingLogger, tempDir } from './helpers';
import { assertRebuiltIndexEqual, savedLexical } from './rebuiltIndex';

const skip = noModel();
const FACT = 'The ferry to Kelmarsh leaves the harbour at twenty past five each morning.';
const NOUNS = ['miller', 'weaver', 'carter', 'smith', 'baker', 'tanner', 'cooper', 'mason'];
const GOODS = ['flour', 'cloth', 'timber', 'iron', 'bread', 'leather', 'barrels', 'stone'];

test('a book written as one line is indexed, quoted and read segment by segment', { skip }, async () => {
  const t = await tempDir('long-line');
  const model = await loadModel(modelDir(), 'cpu', recordingLogger());
  try {
    const root = join(t.path, 'ws');
    await mkdir(root);
    const sentences: string[] = [];
    for (let i = 0; i < 2400; i++) sentences.push(`On day ${i + 1} the ${NOUNS[i % 8]} sold ${GOODS[(i * 3) % 8]} to the ${NOUNS[(i * 5 + 1) % 8]} at the market.`);
    sentences.splice(1500, 0, FACT);
    const line = sentences.join(' ');
    assert.ok(line.length > 8 * LONG_LINE_CHARS && Buffer.byteLength(line) < STREAM_BYTES, `${line.length} characters`);
    await writeFile(join(root, 'book.txt'), `${line}\n`);

    const cacheDir = join(t.path, 'cache');
    const engine = await openEngine({ root, cacheDir, modelDir: modelDir(), device: 'cpu', logger: recordingLogger() });
    try {
      const read = await engine.read();
      assert.equal(read.filesRead, 1);
      const a = await engine.ask('At what time does the boat for Kelmarsh depart?', { retrieval: 'lexical' });
      assert.equal(a.citations[0]?.startLine, 1);
      const quote = a.passages[0]!.text;
      assert.ok(quote.includes('Kelmarsh'), quote);
      assert.ok(!quote.startsWith('On day 1 '), 'the quote is the line\'s start, not the part that was found');
      assert.ok(quote.length < 1000, `${quote.length} characters quoted`);
      assert.equal(a.kind, 'span', a.text.slice(0, 300));
      assert.equal(a.text.split('\n\n')[0], 'twenty past five');
      // Passages of other parts of the line are quoted beside it, each once.
      const other = await engine.ask('Who sold timber to the weaver?', { retrieval: 'lexical' });
      assert.ok(other.passages.length >= 3, `${other.passages.length} passages`);
      assert.equal(new Set(other.passages.map((p) => p.text)).size, other.passages.length);
    } finally {
      await engine.dispose();
    }

    // The index holds each part of the line about once, not the line once a segment.
    const built = await savedLexical(model, root, cacheDir);
    assert.ok(built.length < 4 * line.length, `the index is ${built.length} bytes for a ${line.length}-character line`);
    // An index rebuilt from the file (the saved one damaged) is the one built while reading it.
    await assertRebuiltIndexEqual(model, root, cacheDir);
  } finally {
    await model.runtime.dispose();
    await t.cleanup();
  }
});

test('a streamed book written as one line is quoted and read where a segment likely lies, not as the whole line', { skip }, async () => {
  const t = await tempDir('long-line-streamed');
  try {
    const root = join(t.path, 'ws');
    await mkdir(root);
    const sentences: string[] = [];
    for (let i = 0; Buffer.byteLength(sentences.join(' ')) < STREAM_BYTES * 1.2; i++) sentences.push(`On day ${i + 1} the ${NOUNS[i % 8]} sold ${GOODS[(i * 3) % 8]} to the ${NOUNS[(i * 5 + 1) % 8]} at the market.`);
    sentences.splice(Math.floor(sentences.length * 0.6), 0, FACT);
    await writeFile(join(root, 'book.txt'), `${sentences.join(' ')}\n`);
    const engine = await openEngine({ root, cacheDir: join(t.path, 'cache'), modelDir: modelDir(), device: 'cpu', logger: recordingLogger() });
    try {
      await engine.read();
      const a = await engine.ask('At what time does the boat for Kelmarsh depart?', { retrieval: 'lexical' });
      assert.equal(a.citations[0]?.startLine, 1);
      assert.ok(a.passages[0]!.text.includes('Kelmarsh'), a.passages[0]!.text);
      assert.equal(a.kind, 'span', a.text.slice(0, 300));
      assert.equal(a.text.split('\n\n')[0], 'twenty past five');
    } finally {
      await engine.dispose();
    }
  } finally {
    await t.cleanup();
  }
});
