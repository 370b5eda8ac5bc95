// The model side's scan over every stored key: the same hits, scores and order as a plain loop
// (the unrolled loop adds the products in the same order, so scores are bit-identical), equal
// scores in memory order, and only segments read and files under the filter.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KEY_SCALE, WorkspaceMemory, type FileMemory } from '../../src/core/memory';
import { topSegments } from '../../src/core/retrieve';

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
}

function file(path: string, keys: Int8Array, segmentsRead: number): FileMemory {
  const n = keys.length;
  return {
    path, size: 1, mtimeMs: 0, sha1: path, tokens: 1, segmentsRead, segmentsTotal: segmentsRead, keys,
    startLines: new Uint32Array(n).fill(1), endLines: new Uint32Array(n).fill(1), memory: undefined,
  };
}

/** The scan as first written: one product a step, hits kept in memory order. */
function plainTop(memory: WorkspaceMemory, key: Float32Array, k: number, filter?: (f: FileMemory) => boolean): { path: string; index: number; score: number }[] {
  const all: { path: string; index: number; score: number }[] = [];
  for (const f of memory.entries()) {
    if (filter && !filter(f)) continue;
    for (let s = 0; s < f.segmentsRead; s++) {
      let dot = 0;
      for (let i = 0; i < key.length; i++) dot += key[i]! * f.keys[s * key.length + i]!;
      all.push({ path: f.path, index: s, score: dot / KEY_SCALE });
    }
  }
  return all.sort((a, b) => b.score - a.score).slice(0, k); // stable: equal scores keep memory order
}

for (const K of [8, 10, 128]) {
  test(`top segments over every key equal a plain loop's, K = ${K}`, () => {
    const rand = prng(K);
    const memory = new WorkspaceMemory({ segmentLength: 128, memorySize: 1, dModel: 1, keyDim: K });
    const segments = [300, 1, 57, 0, 420];
    segments.forEach((n, f) => {
      const keys = new Int8Array((n + 3) * K).map(() => Math.round(rand() * 254 - 127));
      // Repeated keys tie exactly: they must come in memory order.
      if (n > 40) keys.copyWithin(20 * K, 5 * K, 6 * K);
      memory.put(file(`f${f}.txt`, keys, n)); // 3 more keys than read: never scored
    });
    const key = new Float32Array(K).map(() => rand() * 2 - 1);
    for (const k of [1, 5, 100, 2000]) {
      const got = topSegments(memory, key, k).map((h) => ({ path: h.file.path, index: h.index, score: h.score }));
      assert.deepEqual(got, plainTop(memory, key, k), `k = ${k}`);
    }
    const filter = (f: FileMemory): boolean => f.path !== 'f4.txt';
    assert.deepEqual(topSegments(memory, key, 50, filter).map((h) => ({ path: h.file.path, index: h.index, score: h.score })), plainTop(memory, key, 50, filter));
    const tie = topSegments(memory, Float32Array.from(memory.get('f0.txt')!.keys.subarray(5 * K, 6 * K)), 2);
    assert.deepEqual(tie.map((h) => [h.file.path, h.index]), [['f0.txt', 5], ['f0.txt', 20]]);
  });
}
