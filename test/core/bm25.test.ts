import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bm25Scores, fuseRanks, terms } from '../../src/core/bm25';

test('terms split identifiers at camelCase and snake_case joints', () => {
  assert.deepEqual(terms('parseHTTPHeader read_file'), ['parsehttpheader', 'parse', 'http', 'header', 'read_file', 'read', 'file']);
});

test('BM25 ranks the document that holds the rare query terms first', () => {
  const docs = ['def wrap(text, width): return lines', 'the quick brown fox', 'import os\nimport sys', 'wrap wrap text into lines of width'];
  const s = bm25Scores('how does wrap split text by width', docs);
  assert.ok(s[0]! > s[1]! && s[3]! > s[2]!);
  assert.equal(s[1], 0);
});

test('rank fusion rewards items both lists like', () => {
  const f = fuseRanks([3, 2, 1], [1, 3, 2]);
  assert.ok(f[1]! > f[2]!);
});
