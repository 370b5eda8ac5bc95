// The workspace memory's bookkeeping: fp16 round trips, the running sum that makes adding and
// removing files cheap, and serialisation to store sections. Pure data, no model needed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { floatArrayToHalf, floatToHalf, halfToFloat, quantizeKey, WorkspaceMemory, type FileMemory } from '../../src/core/memory';

const shape = { segmentLength: 4, memorySize: 2, dModel: 3, keyDim: 2 };

function file(path: string, fill: number, segments = 2): FileMemory {
  const keys = new Int8Array(segments * shape.keyDim);
  for (let s = 0; s < segments; s++) quantizeKey(Float32Array.of(0.6, -0.8), keys, s * shape.keyDim);
  return {
    path, size: 10, mtimeMs: 1, sha1: 'x', tokens: segments * 4 - 1, segmentsRead: segments, segmentsTotal: segments,
    keys, startLines: Uint32Array.from({ length: segments }, (_, i) => i * 3 + 1),
    endLines: Uint32Array.from({ length: segments }, (_, i) => i * 3 + 3),
    memory: floatArrayToHalf(new Float32Array(shape.memorySize * shape.dModel).fill(fill)),
  };
}

test('fp16 round trips within half precision', () => {
  for (const v of [0, 1, -1, 0.1, 3.14159, 65504, -2.5e-5, 1e-8, 123.456]) {
    const back = halfToFloat(floatToHalf(v));
    assert.ok(Math.abs(back - v) <= Math.max(Math.abs(v) * 1e-3, 6e-8), `${v} -> ${back}`);
  }
  assert.equal(halfToFloat(floatToHalf(1e6)), Infinity);
});

test('workspace memory is the mean of file memories, kept under add and remove', () => {
  const ws = new WorkspaceMemory(shape);
  assert.equal(ws.workspaceMemory(), undefined);
  ws.put(file('a.ts', 1));
  ws.put(file('b.ts', 3));
  ws.put(file('dir/c.ts', 5));
  assert.deepEqual([...ws.workspaceMemory()!], new Array(6).fill(3));
  assert.deepEqual([...ws.folderMemory('dir')!], new Array(6).fill(5));
  ws.remove('b.ts');
  assert.deepEqual([...ws.workspaceMemory()!], new Array(6).fill(3));
  ws.put(file('a.ts', 7)); // replacing a file swaps its share of the sum
  assert.deepEqual([...ws.workspaceMemory()!], new Array(6).fill(6));
  assert.equal(ws.segmentCount, 4);
  assert.equal(ws.tokensRead, 14);
});

test('serialize and deserialize keep every file, key, line and memory', () => {
  const ws = new WorkspaceMemory(shape);
  ws.put(file('a.ts', 1, 3));
  const partial = file('b.md', 2, 1);
  partial.segmentsTotal = 5;
  partial.tokens = 20;
  ws.put(partial);
  ws.put({ ...file('empty.txt', 0, 0), memory: undefined, tokens: 0 });
  const { sections, meta } = ws.serialize();
  assert.equal(meta['segments'], 4);
  const back = WorkspaceMemory.deserialize(shape, sections);
  assert.equal(back.fileCount, 3);
  assert.deepEqual([...back.get('a.ts')!.startLines], [1, 4, 7]);
  assert.deepEqual([...back.get('a.ts')!.keys], [76, -102, 76, -102, 76, -102]);
  assert.equal(back.get('b.md')!.segmentsRead, 1);
  assert.equal(back.get('b.md')!.segmentsTotal, 5);
  assert.equal(back.tokensRead, 11 + 4);
  assert.equal(back.get('empty.txt')!.memory, undefined);
  assert.deepEqual([...back.workspaceMemory()!], new Array(6).fill(1.5));
  assert.throws(() => WorkspaceMemory.deserialize(shape, { ...sections, keys: new Uint8Array(3) }), /keys hold 3 bytes/);
});

test('a tail memory and its prefix hash are saved for a file read to the end; an older snapshot without them loads; a damaged one is refused', () => {
  const ws = new WorkspaceMemory(shape);
  const tail = Float32Array.from({ length: shape.memorySize * shape.dModel }, (_, i) => i + 0.1); // 0.1 is not an fp16 value
  ws.put({ ...file('a.ts', 1, 3), prefixHash: 'abc', tailMemory: tail });
  ws.put(file('b.ts', 2, 3));
  // Cut off mid-way: its tail (if the reader got to it) is not what an edit would resume from.
  const partial = { ...file('c.ts', 3, 2), segmentsTotal: 5, tokens: 20, prefixHash: 'def', tailMemory: tail };
  ws.put(partial);
  const { sections } = ws.serialize();
  assert.equal(sections['tails']!.byteLength, tail.byteLength, 'one tail, float32');
  const back = WorkspaceMemory.deserialize(shape, sections);
  assert.equal(back.get('a.ts')!.prefixHash, 'abc');
  assert.deepEqual(back.get('a.ts')!.tailMemory, tail);
  assert.deepEqual([back.get('b.ts')!.tailMemory, back.get('b.ts')!.prefixHash], [undefined, undefined]);
  assert.deepEqual([back.get('c.ts')!.tailMemory, back.get('c.ts')!.prefixHash], [undefined, undefined]);

  // A snapshot written before tails were kept: no section, no `tail` in the file list.
  const table = JSON.parse(new TextDecoder().decode(sections['files'])) as Record<string, unknown>[];
  const { tails: _, ...noTails } = sections;
  const older = { ...noTails, files: new TextEncoder().encode(JSON.stringify(table.map(({ tail: _t, prefixHash: _h, ...rest }) => rest))) };
  const old = WorkspaceMemory.deserialize(shape, older);
  assert.deepEqual([old.get('a.ts')!.tailMemory, old.get('a.ts')!.prefixHash], [undefined, undefined]);
  assert.deepEqual(old.get('a.ts')!.keys, back.get('a.ts')!.keys);

  assert.throws(() => WorkspaceMemory.deserialize(shape, noTails), /section "tails" is missing/);
  assert.throws(() => WorkspaceMemory.deserialize(shape, { ...sections, tails: new Uint8Array(8) }), /tail memories hold 2 values, expected 6/);
  const noHash = table.map((r) => (r['path'] === 'a.ts' ? { ...r, prefixHash: undefined } : r));
  assert.throws(() => WorkspaceMemory.deserialize(shape, { ...sections, files: new TextEncoder().encode(JSON.stringify(noHash)) }), /tail memory for a\.ts without a prefix hash/);
});
