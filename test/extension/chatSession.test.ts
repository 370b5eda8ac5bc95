import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Answer, QueryOptions } from '../../src/core/api';
import { ChatSession, HISTORY_KEY } from '../../src/extension/chatSession';
import type { ToWebview } from '../../src/shared/protocol';

function store(initial?: unknown) {
  const data = new Map<string, unknown>(initial === undefined ? [] : [[HISTORY_KEY, initial]]);
  return { data, get: (key: string) => data.get(key), update: async (key: string, value: unknown) => { data.set(key, value); } };
}

const answer = (text: string): Answer => ({
  text, kind: 'generated', passages: [], citations: [{ path: 'a.ts', startLine: 1, endLine: 2, score: 0.9, sources: ['lexical'] }], coverage: 0.5, millisecondsToFirstToken: 3,
});
const request = { id: 'w1', kind: 'ask' as const, prompt: 'where?', folder: 'file:///w', folderName: 'w' };

test('a streamed answer reaches the webview and ends with one done', async () => {
  const s = store();
  const session = new ChatSession(s);
  const sent: ToWebview[] = [];
  session.attach((m) => sent.push(m), false);
  let seen: QueryOptions | undefined;
  await session.run(request, async (options) => {
    seen = options;
    options.onEvent?.({ type: 'citations', citations: answer('').citations });
    options.onEvent?.({ type: 'token', text: 'In ' });
    options.onEvent?.({ type: 'token', text: 'store.ts' });
    return answer('In store.ts');
  }, 128);
  assert.equal(seen?.maxTokens, 128);
  assert.deepEqual(sent.map((m) => m.type), ['history', 'start', 'citations', 'token', 'token', 'done']);
  const done = sent.at(-1)!;
  assert.ok(done.type === 'done' && done.outcome.kind === 'answer');
  assert.deepEqual(done.outcome.citations, [{ path: 'a.ts', startLine: 1, endLine: 2 }], 'scores stay in the extension');
  const saved = s.data.get(HISTORY_KEY) as { text: string; state: string }[];
  assert.equal(saved[0].text, 'In store.ts');
  assert.equal(saved[0].state, 'done');
  assert.equal(session.isRunning('w1'), false);
});

test('quoted passages and warnings reach the webview with the answer sentence apart', async () => {
  const session = new ChatSession(store());
  const sent: ToWebview[] = [];
  session.attach((m) => sent.push(m), false);
  const citation = { path: 'texts/ruth-1.txt', startLine: 5, endLine: 6, score: 1, sources: ['lexical' as const, 'model' as const] };
  const quoted = 'land. And a certain man of Bethlehemjudah went to sojourn in the country of Moab, he,\nand his wife, and his two sons.';
  await session.run(request, async () => ({
    text: `I am not sure of the answer.\n\n\`texts/ruth-1.txt:5-6\`\n\`\`\`\n${quoted}\n\`\`\``, kind: 'passages',
    passages: [{ citation, text: quoted }], citations: [citation], coverage: 1, millisecondsToFirstToken: 1,
    warnings: ['texts/ruth-1.txt changed since it was read; its quoted lines may have moved. Read the workspace again to catch up.'],
  }), 64);
  const done = sent.at(-1)!;
  assert.ok(done.type === 'done' && done.outcome.kind === 'answer');
  assert.equal(done.outcome.lead, 'I am not sure of the answer.');
  assert.deepEqual(done.outcome.passages, [{ citation: { path: 'texts/ruth-1.txt', startLine: 5, endLine: 6 }, text: quoted }]);
  assert.match(done.outcome.warnings?.[0] ?? '', /changed since it was read/);
  const entry = session.history().at(-1)!;
  assert.equal(entry.passages?.length, 1);
  assert.equal(entry.warnings?.length, 1);
});

test('cancel aborts the engine call and ends the stream as cancelled', async () => {
  const session = new ChatSession(store());
  const sent: ToWebview[] = [];
  session.attach((m) => sent.push(m), false);
  const running = session.run(request, (options) => new Promise<Answer>((_, reject) => {
    options.signal?.addEventListener('abort', () => reject(new Error('aborted')));
    options.onEvent?.({ type: 'token', text: 'partial' });
  }), 64);
  session.cancel('w1');
  await running;
  const dones = sent.filter((m) => m.type === 'done');
  assert.equal(dones.length, 1);
  assert.deepEqual(dones[0], { type: 'done', id: 'w1', outcome: { kind: 'cancelled' } });
  assert.equal(session.history()[0].state, 'cancelled');
});

test('errors end the stream with the message and are reported', async () => {
  const errors: string[] = [];
  const session = new ChatSession(store(), (m) => errors.push(m));
  await session.run(request, () => Promise.reject(new Error('model folder has no reader.onnx')), 64);
  assert.equal(session.history()[0].state, 'error');
  assert.equal(session.history()[0].error, 'model folder has no reader.onnx');
  assert.deepEqual(errors, ['model folder has no reader.onnx']);
});

test('history survives a reload, interrupted answers show as cancelled, clear empties it', async () => {
  const s = store([{ ...request, id: 'old', text: 'half', citations: [], state: 'streaming', createdAt: 1 }]);
  const session = new ChatSession(s);
  assert.equal(session.history()[0].state, 'cancelled');
  const sent: ToWebview[] = [];
  session.attach((m) => sent.push(m), true);
  assert.deepEqual(sent[0], { type: 'history', entries: session.history(), multiRoot: true });
  session.clear();
  assert.deepEqual(session.history(), []);
  assert.deepEqual(s.data.get(HISTORY_KEY), []);
  assert.deepEqual(sent.at(-1), { type: 'history', entries: [], multiRoot: true });
});

test('a detached view misses nothing: the history has it when it comes back', async () => {
  const session = new ChatSession(store());
  await session.run({ ...request, id: undefined }, async () => answer('done while hidden'), 64);
  const sent: ToWebview[] = [];
  session.attach((m) => sent.push(m), false);
  assert.ok(sent[0].type === 'history' && sent[0].entries[0].text === 'done while hidden');
  assert.equal(session.textOf(session.history()[0].id), 'done while hidden');
});
