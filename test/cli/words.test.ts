// The CLI's wording of progress and skipped files, without a terminal.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReadProgress, SkipCount } from '../../src/core/api';
import { formatSeconds, progressLine, skipHints, skippedClause } from '../../src/cli/words';

const progress: ReadProgress = {
  phase: 'reading', tokensRead: 1_234_567, tokensTotal: 98_765_432, filesRead: 1234, filesTotal: 56789,
  tokensPerSecond: 2345, etaSeconds: 16 * 3600 + 27 * 60 + 35, device: 'cpu',
};

test('the progress line never cuts its ETA, at any terminal width', () => {
  for (let columns = 20; columns <= 220; columns++) {
    const line = progressLine(progress, columns);
    assert.ok(line.length <= Math.max(columns - 1, 'ETA 16:27:35'.length + 5), `${columns}: ${line}`);
    assert.ok(line.endsWith('ETA 16:27:35'), `${columns} columns: "${line}"`);
  }
  assert.match(progressLine(progress, 200), /^\[#?\.+\] +1% reading 1,234,567\/98,765,432 tokens, |^\[[#.]+\] +1% reading/);
});

test('hours, minutes and seconds in full; "estimating…" before the rate is known', () => {
  assert.equal(formatSeconds(16 * 3600 + 27 * 60 + 3), '16:27:03');
  assert.equal(formatSeconds(65), '1:05');
  assert.equal(formatSeconds(undefined), 'estimating…');
  assert.equal(progressLine({ ...progress, etaSeconds: undefined }, 200).endsWith('ETA estimating…'), true);
  assert.equal(progressLine({ ...progress, phase: 'scanning', etaSeconds: undefined }, 200).includes('ETA'), false);
});

test('skipped files are counted by reason, with the option and a value that would read them', () => {
  const counts: SkipCount[] = [
    { kind: 'binary', count: 2, examples: ['a.bin', 'b.dat'] },
    { kind: 'too-large', setting: 'maxFileBytes', count: 1, examples: ['gen/big.js'], largestBytes: 4_404_412, limit: 2 * 1024 * 1024 },
    { kind: 'too-large', setting: 'maxProseBytes', count: 1, examples: ['books/all.txt'], largestBytes: 80_000_000, limit: 64 * 1024 * 1024 },
  ];
  assert.equal(skippedClause(counts), '4 skipped (2 binary, 2 too large)');
  assert.equal(skippedClause([]), '0 skipped');
  assert.deepEqual(skipHints(counts), [
    '1 file over --max-file-bytes (2 MiB), e.g. gen/big.js (4.2 MiB): pass --max-file-bytes 4500000 to read it.',
    '1 file over --max-prose-bytes (64 MiB), e.g. books/all.txt (76 MiB): pass --max-prose-bytes 81000000 to read it.',
  ]);
});
