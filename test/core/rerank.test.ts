// The rerank stage's order: a convex combination of the fused and the relevance scores over the
// short list, each min-max normalised; its edges (weight 0 and 1, ties, a constant side).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rerankOrder } from '../../src/core/rerank';

const order = (fused: number[], rel: number[], w: number): number[] => rerankOrder(fused, rel, w).map((o) => o.index);

test('weight 0 keeps the fused order; weight 1 is the relevance order', () => {
  const fused = [0.9, 0.7, 0.5, 0.1];
  const rel = [-2, 3, 0.5, 4];
  assert.deepEqual(order(fused, rel, 0), [0, 1, 2, 3]);
  assert.deepEqual(order(fused, rel, 1), [3, 1, 2, 0]);
});

test('in between, a clear fused lead survives a small weight on relevance and yields to a large one', () => {
  // fused normalised [1, 0.5, 0]; relevance normalised [0, 1, 0]
  assert.deepEqual(order([3, 2, 1], [0, 10, 0], 0.3), [0, 1, 2], 'index 0: 0.7 beats index 1: 0.35 + 0.3');
  assert.deepEqual(order([3, 2, 1], [0, 10, 0], 0.6), [1, 0, 2], 'index 1: 0.2 + 0.6 beats index 0: 0.4');
});

test('the combined scores fall down the list and ties keep the fused order', () => {
  const out = rerankOrder([5, 4, 3, 2], [1, 1, 1, 1], 0.5);
  assert.deepEqual(out.map((o) => o.index), [0, 1, 2, 3], 'constant relevance changes nothing');
  for (let i = 1; i < out.length; i++) assert.ok(out[i]!.score <= out[i - 1]!.score);
  assert.deepEqual(order([1, 1, 1], [0, 0, 0], 0.5), [0, 1, 2]);
});

test('lists of different lengths are refused', () => {
  assert.throws(() => rerankOrder([1, 2], [1], 0.5), /2 fused scores but 1 relevance/);
});
