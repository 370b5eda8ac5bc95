// Catch-up after an edit at the end of a file reads only from the old last segment on, with the
// real model and runtime; what it leaves behind (keys, line ranges, final memory, tail, the
// lexical index) must be exactly what a fresh engine reading the edited files from scratch
// leaves. An edit in the middle reads the whole file again.
import assert from 'node:assert/strict';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Engine } from '../../src/core/api';
import { openEngine } from '../../src/core/engine';
import { LexicalIndex } from '../../src/core/lexicalIndex';
import { WorkspaceMemory } from '../../src/core/memory';
import { readModelConfig } from '../../src/core/model';
import { readSnapshot } from '../../src/core/store';
import { copyCodebase, modelDir, noModel, recordingLogger } from './helpers';

const skip = noModel();
const EDITED = 'py/textwrap.py';

async function open(root: string, cacheDir: string) {
  const logger = recordingLogger();
  const engine = await openEngine({ root, cacheDir, modelDir: modelDir(), device: 'cpu', logger });
  return { engine, logger };
}

/** What `engine` saved: its memory and its lexical index, as the next open would load them. */
async function saved(engine: Engine): Promise<{ memory: WorkspaceMemory; lexical: LexicalIndex }> {
  const s = engine.status();
  const { sections } = await readSnapshot(s.cachePath, { modelId: s.modelId, modelVersion: s.memoryVersion, root: s.root });
  const config = await readModelConfig(modelDir());
  return { memory: WorkspaceMemory.deserialize(config, sections), lexical: LexicalIndex.deserialize(sections['lexical']!) };
}

/** Every file's keys, lines, memories and prefix hash are the same bits in both; every query of the edited file's text scores the same segments alike. */
function assertSame(got: { memory: WorkspaceMemory; lexical: LexicalIndex }, want: { memory: WorkspaceMemory; lexical: LexicalIndex }, lines: string[]): void {
  assert.deepEqual(got.memory.paths().sort(), want.memory.paths().sort());
  for (const w of want.memory.entries()) {
    const g = got.memory.get(w.path)!;
    assert.deepEqual([g.sha1, g.tokens, g.segmentsRead, g.segmentsTotal], [w.sha1, w.tokens, w.segmentsRead, w.segmentsTotal], w.path);
    assert.deepEqual(g.startLines, w.startLines, `${w.path}: start lines`);
    assert.deepEqual(g.endLines, w.endLines, `${w.path}: end lines`);
    assert.deepEqual(g.keys, w.keys, `${w.path}: keys`);
    assert.deepEqual(g.memory, w.memory, `${w.path}: final memory`);
    assert.equal(g.prefixHash, w.prefixHash, `${w.path}: prefix hash`);
    assert.deepEqual(g.tailMemory, w.tailMemory, `${w.path}: tail memory`);
  }
  // The lexical index: each segment's text of the edited file as a query (every term of it),
  // every document it touches and its score; a segment indexed empty or missing would differ.
  const e = want.memory.get(EDITED)!;
  const byPlace = (hits: ReturnType<LexicalIndex['query']>) => hits.map((h) => `${h.path}#${h.segment} ${h.score}`).sort();
  for (let i = 0; i < e.segmentsRead; i++) {
    const q = lines.slice(e.startLines[i]! - 1, e.endLines[i]!).join('\n');
    const hits = got.lexical.query(q, 1e6);
    assert.ok(hits.some((h) => h.path === EDITED && h.segment === i), `segment ${i} of ${EDITED} is in the index`);
    assert.deepEqual(byPlace(hits), byPlace(want.lexical.query(q, 1e6)), `lexical scores for segment ${i}'s text`);
  }
}

test('an edit at the end of a file is read from its old last segment, with the bits of a full read, also after reopening', { skip }, async () => {
  const ws = await copyCodebase();
  const engines: Engine[] = [];
  try {
    const a = await open(ws.root, ws.cache);
    engines.push(a.engine);
    await a.engine.read();
    const before = (await saved(a.engine)).memory.get(EDITED)!;
    assert.ok(before.segmentsTotal >= 16 && before.tailMemory && before.prefixHash, `${EDITED} keeps a tail (${before.segmentsTotal} segments)`);
    const S = (await readModelConfig(modelDir())).segmentLength;

    for (const [round, line] of [[1, '\n# one more line, edited after the first read\n'], [2, 'def twice(x):\n    return x * 2\n']] as const) {
      if (round === 2) {
        // The tail comes back from the saved memory: a new engine resumes too.
        await a.engine.dispose();
        engines.length = 0;
        Object.assign(a, await open(ws.root, ws.cache));
        engines.push(a.engine);
      }
      const old = (await saved(a.engine)).memory.get(EDITED)!;
      await appendFile(join(ws.root, EDITED), line);
      a.engine.notifyChanged([EDITED]);
      a.logger.lines.length = 0;
      const r = await a.engine.read();
      const after = await saved(a.engine);
      const e = after.memory.get(EDITED)!;
      const at = old.segmentsTotal - 1;
      assert.equal(r.filesRead, 1);
      assert.ok(a.logger.lines.includes(`debug: ${EDITED}: resumed at segment ${at} of ${e.segmentsTotal}.`), a.logger.lines.join('\n'));
      assert.equal(r.tokensRead, e.tokens - at * S, 'only the segments from the old last one on are read (and counted)');
      assert.ok(e.tokens > old.tokens);

      const fresh = await open(ws.root, join(ws.cache, '..', `fresh-${round}`));
      engines.push(fresh.engine);
      const full = await fresh.engine.read();
      assert.equal(full.tokensRead, full.tokensTotal);
      assert.ok(!fresh.logger.lines.some((l) => l.includes('resumed')));
      assertSame(after, await saved(fresh.engine), (await readFile(join(ws.root, EDITED), 'utf8')).split('\n'));
      await fresh.engine.dispose();
      engines.pop();
    }
  } finally {
    for (const e of engines) await e.dispose();
    await ws.cleanup();
  }
});

test('an edit in the middle of a file reads it all again', { skip }, async () => {
  const ws = await copyCodebase();
  const { engine, logger } = await open(ws.root, ws.cache);
  try {
    await engine.read();
    const path = join(ws.root, EDITED);
    const text = await readFile(path, 'utf8');
    const middle = text.indexOf('\n', text.length >> 1) + 1;
    await writeFile(path, `${text.slice(0, middle)}# a comment in the middle\n${text.slice(middle)}`);
    logger.lines.length = 0;
    const r = await engine.read();
    const e = (await saved(engine)).memory.get(EDITED)!;
    assert.equal(r.filesRead, 1);
    assert.equal(r.tokensRead, e.tokens, 'the whole file is read again');
    assert.ok(!logger.lines.some((l) => l.includes('resumed')), logger.lines.join('\n'));
    assert.ok(e.tailMemory && e.prefixHash, 'and keeps a new tail');
  } finally {
    await engine.dispose();
    await ws.cleanup();
  }
});
