// The reader's int64 inputs: written as two 32-bit halves, they must hold the bytes BigInt() would.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fillInt64, fillMask } from '../../src/core/reader';

test('fillInt64 writes the same bytes as BigInt() for every id, negative ones too', () => {
  const ids = Int32Array.from([0, 1, 2, 8191, 65535, 2 ** 31 - 1, -1, -2, -(2 ** 31), 12345]);
  const out = new BigInt64Array(3 + ids.length + 2).fill(7n);
  fillInt64(out, 3, ids);
  const want = new BigInt64Array(out.length).fill(7n);
  ids.forEach((id, i) => { want[3 + i] = BigInt(id); });
  assert.deepEqual(out, want);
});

test('fillMask marks the real tokens of a row and clears its padding', () => {
  const out = new BigInt64Array(12).fill(9n);
  fillMask(out, 2, 8, 5);
  assert.deepEqual([...out], [9n, 9n, 1n, 1n, 1n, 1n, 1n, 0n, 0n, 0n, 9n, 9n]);
  fillMask(out, 2, 8, 8);
  assert.deepEqual([...out.subarray(2, 10)], [1n, 1n, 1n, 1n, 1n, 1n, 1n, 1n]);
  fillMask(out, 2, 8, 0);
  assert.deepEqual([...out.subarray(2, 10)], [0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n]);
});
