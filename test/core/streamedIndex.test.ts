// A book over STREAM_BYTES is read piece by piece, and its segments' text for the lexical index
// is their decoded ids, which can end inside a word. Every word must still be in the index whole:
// a planted name cut by a segment boundary ("Violet" | "ta") was not found by its name. An index
// rebuilt from the file must be the same one, or a rebuild would rank the book differently.
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { openEngine } from '../../src/core/engine';
import { loadModel } from '../../src/core/model';
import { STREAM_BYTES, streamText } from '../../src/core/streamedText';
import { FIXTURE_CODEBASE, modelDir, noModel, recordingLogger, tempDir } from './helpers';
import { assertRebuiltIndexEqual, savedLexical } from './rebuiltIndex';

const skip = noModel();
const SYLLABLES = ['zor', 'vex', 'quil', 'thar', 'mund', 'bras', 'kel', 'fyn', 'drov', 'plim'];

/** An invented name of several tokens, one per `i`: "Zorvexquilthar"-like, never a real word. */
function inventedName(i: number): string {
  let s = '';
  for (let k = 0, n = i + 1000; k < 4; k++, n = Math.floor(n / 10)) s += SYLLABLES[n % 10]!;
  return s[0]!.toUpperCase() + s.slice(1);
}

test('every word of a streamed book is in the lexical index whole, also one cut by a segment boundary', { skip }, async () => {
  const t = await tempDir('streamed-index');
  const model = await loadModel(modelDir(), 'cpu', recordingLogger());
  try {
    const root = join(t.path, 'ws');
    await mkdir(root);
    const filler = (await Promise.all(['py/textwrap.py', 'py/shlex.py'].map((f) => readFile(join(FIXTURE_CODEBASE, f), 'utf8')))).join('\n').split('\n');
    const lines: string[] = [];
    const planted = new Map<string, number>(); // name → line
    for (let i = 0, f = 0; Buffer.byteLength(lines.join('\n')) < STREAM_BYTES * 1.1; i++) {
      for (let k = 0; k < 20; k++) lines.push(filler[f++ % filler.length]!);
      const name = inventedName(i);
      lines.push(`${name} keeps the ledger of the mill.`);
      planted.set(name, lines.length);
    }
    const path = join(root, 'book.txt');
    await writeFile(path, `${lines.join('\n')}\n`);

    // The fixture must hold the case: some planted name is cut by a segment boundary.
    const streamed = await streamText(path, model.tokenizer, model.config.segmentLength);
    assert.equal(streamed.ok, true);
    if (streamed.ok !== true) return;
    const segmentText: string[] = [];
    for (let i = 0; i < streamed.source.count; i++) {
      const s = await streamed.source.at(i);
      segmentText.push(model.tokenizer.decode(s.ids.subarray(0, s.length)));
    }
    const cut = [...planted.keys()].filter((name) => !segmentText.some((s) => s.includes(name)));
    assert.ok(cut.length > 0, 'no planted name is cut by a segment boundary: the test proves nothing');

    const engine = await openEngine({ root, cacheDir: join(t.path, 'cache'), modelDir: modelDir(), device: 'cpu', logger: recordingLogger() });
    try {
      await engine.read();
      for (const name of cut) {
        const a = await engine.ask(name, { retrieval: 'lexical', maxTokens: 4 });
        const first = a.citations[0];
        const line = planted.get(name)!;
        assert.ok(first && first.startLine <= line && line <= first.endLine, `${name} (line ${line}, cut by a boundary) is cited at ${first ? `${first.startLine}-${first.endLine}` : 'nothing'}`);
      }
    } finally {
      await engine.dispose();
    }

    // An index rebuilt from the file (the saved one damaged) is the one built while reading it, byte for byte.
    await assertRebuiltIndexEqual(model, root, join(t.path, 'cache'));
  } finally {
    await model.runtime.dispose();
    await t.cleanup();
  }
});

test('a streamed book whose read was cancelled and continued is indexed as one read from the start', { skip }, async () => {
  const t = await tempDir('streamed-continued');
  try {
    const root = join(t.path, 'ws');
    await mkdir(root);
    // Long invented words, so that the segment boundary where the read stops falls inside one.
    const lines: string[] = [];
    for (let i = 0; Buffer.byteLength(lines.join('\n')) < STREAM_BYTES * 1.1; i++) {
      lines.push(Array.from({ length: 6 }, (_, k) => `${inventedName(i * 6 + k)}${inventedName(i * 6 + k + 5)}`.toLowerCase()).join(' '));
    }
    await writeFile(join(root, 'book.txt'), `${lines.join('\n')}\n`);
    const lexicalOf = async (cacheDir: string): Promise<Uint8Array> => {
      const model = await loadModel(modelDir(), 'cpu', recordingLogger());
      try {
        return await savedLexical(model, root, cacheDir);
      } finally {
        await model.runtime.dispose();
      }
    };

    const whole = await openEngine({ root, cacheDir: join(t.path, 'whole'), modelDir: modelDir(), device: 'cpu', logger: recordingLogger() });
    await whole.read();
    await whole.dispose();

    const cacheDir = join(t.path, 'continued');
    let engine = await openEngine({ root, cacheDir, modelDir: modelDir(), device: 'cpu', logger: recordingLogger() });
    const cancel = new AbortController();
    const first = await engine.read({ signal: cancel.signal, onProgress: (p) => { if (p.phase === 'reading' && p.tokensRead > p.tokensTotal / 3) cancel.abort(); } });
    await engine.dispose();
    assert.equal(first.cancelled, true);
    assert.ok(first.tokensRead > 0 && first.tokensRead < first.tokensTotal, `${first.tokensRead} of ${first.tokensTotal}`);
    const logger = recordingLogger();
    engine = await openEngine({ root, cacheDir, modelDir: modelDir(), device: 'cpu', logger });
    await engine.read();
    await engine.dispose();
    assert.ok(logger.lines.some((l) => /continuing at segment [1-9]/.test(l)), logger.lines.join('\n'));

    const [a, b] = [await lexicalOf(join(t.path, 'whole')), await lexicalOf(cacheDir)];
    assert.ok(Buffer.from(a).equals(Buffer.from(b)), `the continued read's index differs (${b.length} bytes against ${a.length})`);
  } finally {
    await t.cleanup();
  }
});
