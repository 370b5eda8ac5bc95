import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReadProgress } from '../../src/core/api';
import type { MemoryView } from '../../src/extension/format';
import { NothingReadError } from '../../src/core/errors';
import {
  ProgressIncrements, formatAgo, formatBytes, formatEta, formatTokens, memorySummary, progressMessage, skipHints, skippedSummary,
  statusBarContent, userMessage,
} from '../../src/extension/format';

const progress = (p: Partial<ReadProgress> = {}): ReadProgress => ({
  phase: 'reading', tokensRead: 123_000, tokensTotal: 1_200_000, filesRead: 45, filesTotal: 300,
  tokensPerSecond: 2500, etaSeconds: 110, device: 'cpu', ...p,
});

const view = (v: Partial<MemoryView> = {}): MemoryView => ({
  folderName: 'app', state: 'ready', restricted: false, files: 300, tokens: 1_200_000, ...v,
});

test('formatTokens scales to k, M and B', () => {
  assert.equal(formatTokens(0), '0');
  assert.equal(formatTokens(950), '950');
  assert.equal(formatTokens(1234), '1.2k');
  assert.equal(formatTokens(123_000), '123k');
  assert.equal(formatTokens(999_999), '1M');
  assert.equal(formatTokens(1_200_000), '1.2M');
  assert.equal(formatTokens(12_400_000), '12M');
  assert.equal(formatTokens(2_000_000_000), '2B');
  assert.equal(formatTokens(Number.NaN), '0');
});

test('formatEta rounds up and is undefined while unknown', () => {
  assert.equal(formatEta(undefined), undefined);
  assert.equal(formatEta(-1), undefined);
  assert.equal(formatEta(0.2), '1s');
  assert.equal(formatEta(45), '45s');
  assert.equal(formatEta(110), '2m');
  assert.equal(formatEta(3600), '1h');
  assert.equal(formatEta(3900), '1h 5m');
});

test('formatBytes and formatAgo', () => {
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(3.4 * 1024), '3.4 KB');
  assert.equal(formatBytes(34 * 1024 * 1024), '34 MB');
  const now = Date.parse('2026-01-01T12:00:00Z');
  assert.equal(formatAgo('2026-01-01T11:55:00Z', now), '5 min ago');
  assert.equal(formatAgo(undefined, now), undefined);
  assert.equal(formatAgo('not a date', now), undefined);
});

test('progressMessage shows tokens, files, ETA and rate', () => {
  assert.equal(progressMessage(progress()), '123k of 1.2M tokens · 45/300 files · ETA 2m · 2.5k tok/s');
  assert.equal(progressMessage(progress({ phase: 'scanning', etaSeconds: undefined })), 'Finding files · 123k of ~1.2M tokens · 45/300 files');
});

test('ProgressIncrements only moves forward and sums to at most 100', () => {
  const inc = new ProgressIncrements();
  assert.equal(inc.next({ tokensRead: 10, tokensTotal: 100 }), 10);
  assert.equal(inc.next({ tokensRead: 10, tokensTotal: 200 }), 0, 'total grew: no step back');
  assert.equal(inc.next({ tokensRead: 50, tokensTotal: 100 }), 40);
  assert.equal(inc.next({ tokensRead: 500, tokensTotal: 100 }), 50);
  assert.equal(inc.next({ tokensRead: 5, tokensTotal: 0 }), 0);
});

test('status bar while reading, paused, done, failed and restricted', () => {
  assert.equal(statusBarContent([view({ state: 'reading', progress: progress() })]).text, '$(database) Mnemo 123k/1.2M tok · ETA 2m · cpu');
  assert.equal(statusBarContent([view({ state: 'paused', progress: progress({ phase: 'paused' }) })]).text, '$(debug-pause) Mnemo paused 123k/1.2M tok');
  assert.equal(statusBarContent([view()]).text, '$(database) Mnemo ✓ 1.2M tok');
  assert.equal(statusBarContent([view({ state: 'failed', tokens: 0, error: 'no reader.onnx' })]).text, '$(error) Mnemo');
  assert.equal(statusBarContent([view({ state: 'unloaded', tokens: 0, restricted: true })]).text, '$(shield) Mnemo');
  assert.equal(statusBarContent([]).text, '$(database) Mnemo');
});

test('status bar tooltip escapes folder names and errors', () => {
  const { tooltip } = statusBarContent([view({ folderName: '[x](command:evil)', state: 'failed', error: '<img src=x>' })]);
  assert.ok(!tooltip.includes('[x](command:evil)'));
  assert.ok(!/(^|[^\\])</.test(tooltip), 'every < is escaped');
  assert.match(tooltip, /\\\[x\\\]/);
});

test('status bar sums folders being read', () => {
  const text = statusBarContent([
    view({ state: 'reading', progress: progress({ tokensRead: 100_000, tokensTotal: 1_000_000, etaSeconds: 30 }) }),
    view({ folderName: 'b', state: 'reading', progress: progress({ tokensRead: 23_000, tokensTotal: 200_000, etaSeconds: 110 }) }),
  ]).text;
  assert.equal(text, '$(database) Mnemo 123k/1.2M tok · ETA 2m · cpu');
});

test('memorySummary tells the chat what memory there is', () => {
  assert.match(memorySummary([view({ state: 'reading', progress: progress() })]).text, /^Reading: 123k of 1\.2M tokens \(10%\) · ETA 2m\./);
  assert.equal(memorySummary([view()]).text, '1.2M tokens in memory from 300 files.');
  assert.match(memorySummary([view({ state: 'unloaded', tokens: 0, restricted: true })]).text, /Restricted Mode/);
  assert.match(memorySummary([view({ state: 'unloaded', tokens: 0 })]).text, /not loaded yet/);
  assert.equal(memorySummary([view({ state: 'reading', progress: progress() })]).reading, true);
});

test('skipped files are worded with the VS Code settings that would read them', () => {
  const counts = [
    { kind: 'too-large' as const, setting: 'maxFileBytes' as const, count: 2, examples: ['gen/big.js', 'gen/b.js'], largestBytes: 4_404_412, limit: 2_097_152 },
    { kind: 'unknown-type' as const, count: 3, examples: ['a.csv'] },
  ];
  assert.equal(skippedSummary(counts), '5 skipped (2 too large, 3 not text or code)');
  assert.deepEqual(skipHints(counts), ['2 files larger than mnemo.maxFileBytes (2 MB) (e.g. gen/big.js): set mnemo.maxFileBytes to 4500000 or more (4.2 MB) to read them.']);
  assert.ok(skipHints(counts).every((h) => !h.includes('--')));
});

test('"nothing read yet" names the VS Code command, not the CLI', () => {
  const text = userMessage(new NothingReadError('/w'));
  assert.match(text, /Mnemo: Read Workspace into Memory/);
  assert.doesNotMatch(text, /mnemo read/);
});
