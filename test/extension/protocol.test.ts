import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyMessage, citationLabel, coverageNote, restoreHistory } from '../../src/shared/chat';
import type { ChatEntry } from '../../src/shared/protocol';
import { MAX_QUESTION_LENGTH, isFromWebview, isToWebview } from '../../src/shared/protocol';

const entry = (e: Partial<ChatEntry> = {}): ChatEntry => ({
  id: 'a', kind: 'ask', prompt: 'q', folder: 'file:///w', folderName: 'w', text: '', citations: [], state: 'streaming', createdAt: 1, ...e,
});

test('isFromWebview accepts each message and refuses the malformed', () => {
  for (const ok of [
    { type: 'ready' }, { type: 'clear' }, { type: 'showLogs' },
    { type: 'ask', id: 'w1', question: 'where?' }, { type: 'cancel', id: 'w1' }, { type: 'copy', id: 'w1' },
    { type: 'openCitation', folder: 'file:///w', citation: { path: 'a.ts', startLine: 1, endLine: 2 } },
  ]) assert.ok(isFromWebview(ok), JSON.stringify(ok));
  for (const bad of [
    null, 'ready', {}, { type: 'eval' }, { type: 'ask', id: 'w1', question: '   ' }, { type: 'ask', question: 'q' },
    { type: 'ask', id: 'w1', question: 'x'.repeat(MAX_QUESTION_LENGTH + 1) }, { type: 'cancel', id: '' },
    { type: 'openCitation', folder: 'f', citation: { path: 'a', startLine: 2, endLine: 1 } },
    { type: 'openCitation', folder: 'f', citation: { path: 'a', startLine: 1.5, endLine: 2 } },
  ]) assert.ok(!isFromWebview(bad), JSON.stringify(bad));
});

test('isToWebview checks the extension side too', () => {
  assert.ok(isToWebview({ type: 'token', id: 'a', text: 'x' }));
  assert.ok(isToWebview({ type: 'done', id: 'a', outcome: { kind: 'cancelled' } }));
  assert.ok(isToWebview({ type: 'history', entries: [], multiRoot: false }));
  assert.ok(!isToWebview({ type: 'token', id: 'a' }));
  assert.ok(!isToWebview({ type: 'citations', id: 'a', citations: [{ path: 'a' }] }));
});

test('applyMessage streams an entry to its end', () => {
  let entries = applyMessage([], { type: 'start', entry: entry() });
  entries = applyMessage(entries, { type: 'citations', id: 'a', citations: [{ path: 'a.ts', startLine: 1, endLine: 3 }] });
  entries = applyMessage(entries, { type: 'token', id: 'a', text: 'Hel' });
  entries = applyMessage(entries, { type: 'token', id: 'a', text: 'lo' });
  assert.equal(entries[0].text, 'Hello');
  entries = applyMessage(entries, { type: 'done', id: 'a', outcome: { kind: 'answer', text: 'Hello.', citations: [], coverage: 0.5 } });
  assert.deepEqual({ ...entries[0] }, { ...entry(), text: 'Hello.', state: 'done', coverage: 0.5 });
  const late = applyMessage(entries, { type: 'token', id: 'a', text: 'late' });
  assert.equal(late[0].text, 'Hello.', 'tokens after done are ignored');
  const errored = applyMessage([entry()], { type: 'done', id: 'a', outcome: { kind: 'error', message: 'no model' } });
  assert.equal(errored[0].state, 'error');
  assert.equal(errored[0].error, 'no model');
});

test('start replaces an entry with the same id (the webview shows it first)', () => {
  const entries = applyMessage([entry({ folder: '' })], { type: 'start', entry: entry() });
  assert.equal(entries.length, 1);
  assert.equal(entries[0].folder, 'file:///w');
});

test('restoreHistory drops junk and ends interrupted streams', () => {
  const restored = restoreHistory([entry(), entry({ id: 'b', state: 'done' }), { id: 3 }, null]);
  assert.deepEqual(restored.map((e) => [e.id, e.state]), [['a', 'cancelled'], ['b', 'done']]);
  assert.deepEqual(restoreHistory('nope'), []);
});

test('coverage note and citation labels', () => {
  assert.equal(coverageNote(1), undefined);
  assert.equal(coverageNote(undefined), undefined);
  assert.equal(coverageNote(0.4), 'Answered from 40% of the workspace read so far.');
  assert.equal(coverageNote(0.001), 'Answered from 1% of the workspace read so far.');
  assert.equal(coverageNote(0), 'Answered before any of the workspace was read.');
  assert.equal(citationLabel({ path: 'a.ts', startLine: 3, endLine: 3 }), 'a.ts:3');
  assert.equal(citationLabel({ path: 'a.ts', startLine: 3, endLine: 9 }), 'a.ts:3-9');
});
