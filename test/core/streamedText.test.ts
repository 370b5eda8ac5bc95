// A large file streamed piece by piece must give exactly the segments of the file tokenized
// whole: the same ids and the same line ranges, from the start and from any resumed segment.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadModel } from '../../src/core/model';
import { STREAM_BYTES, streamText } from '../../src/core/streamedText';
import { decodeText } from '../../src/core/text';
import type { Segment } from '../../src/core/tokenizer';
import { FIXTURE_CODEBASE, modelDir, noModel, recordingLogger, tempDir } from './helpers';
import { readFile } from 'node:fs/promises';

const skip = noModel();

/**
 * About 700 KB of real prose and code (three pieces of the stream) with a byte order mark, in
 * either line ending: the fixture files, repeated. streamText takes any size; the engine gives it
 * files of STREAM_BYTES and more.
 */
async function bigText(crlf: boolean): Promise<Buffer> {
  const parts: string[] = [];
  for (const f of ['py/textwrap.py', 'py/shlex.py', 'js/ignore.js', 'py/bisect.py']) parts.push(await readFile(join(FIXTURE_CODEBASE, f), 'utf8'));
  let text = '';
  for (let i = 0; text.length < 700_000; i++) text += `Part ${i}: naïve café ✓\n` + parts.join('\n');
  if (crlf) text = text.replace(/\n/g, '\r\n');
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
}

test('a streamed file yields the same segments as the file tokenized whole', { skip }, async () => {
  const model = await loadModel(modelDir(), 'cpu', recordingLogger());
  const t = await tempDir('stream');
  try {
    const S = model.config.segmentLength;
    for (const crlf of [false, true]) {
      const bytes = await bigText(crlf);
      const path = join(t.path, crlf ? 'crlf.txt' : 'lf.txt');
      await writeFile(path, bytes);
      const whole = model.tokenizer.segment(model.tokenizer.tokenizeLines(decodeText(bytes).text), S);
      const streamed = await streamText(path, model.tokenizer, S);
      assert.equal(streamed.ok, true);
      if (streamed.ok !== true) return;
      assert.equal(streamed.source.count, whole.length);
      const key = (s: { length: number; startLine: number; endLine: number; ids: Int32Array }): string => `${s.length} ${s.startLine}-${s.endLine} ${s.ids.join(',')}`;
      for (let i = 0; i < whole.length; i++) {
        const seg: Segment = await streamed.source.at(i);
        if (key(seg) !== key(whole[i]!)) assert.equal(key(seg), key(whole[i]!), `segment ${i} of ${whole.length} (crlf ${crlf})`);
      }
      // A read resumed in the middle (after a kill) starts at the right token.
      for (const from of [1, Math.floor(whole.length / 2), whole.length - 1]) {
        assert.equal(key(await streamed.source.at(from)), key(whole[from]!), `resumed at ${from}`);
      }
    }
    // Not UTF-8: left to the whole-file loader, which knows Windows-1252.
    const latin = Buffer.alloc(STREAM_BYTES + 10, 0x61);
    latin[100] = 0xe9;
    await writeFile(join(t.path, 'latin1.txt'), latin);
    assert.deepEqual(await streamText(join(t.path, 'latin1.txt'), model.tokenizer, S), { ok: 'whole' });
    const binary = Buffer.alloc(STREAM_BYTES + 10, 0);
    await writeFile(join(t.path, 'zeros.txt'), binary);
    assert.equal((await streamText(join(t.path, 'zeros.txt'), model.tokenizer, S)).ok, false);
  } finally {
    await model.runtime.dispose();
    await t.cleanup();
  }
});
