// The engine in a worker thread behaves as the engine on the caller's thread: it reads, streams
// progress and answers, cancels, reports errors by name, answers status() without a round trip,
// and keeps the caller's event loop free while it reads.
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { test } from 'node:test';
import type { AnswerEvent, Engine } from '../../src/core/api';
import { openEngineInWorker } from '../../src/core/host/remoteEngine';
import { copyCodebase, modelDir, noModel, recordingLogger } from './helpers';

const skip = noModel();
const WORKER = resolve('dist', 'engineWorker.js');

test('read, ask and status through the worker; the caller\'s event loop stays free', { skip }, async () => {
  const ws = await copyCodebase();
  const logger = recordingLogger();
  let engine: Engine | undefined;
  try {
    engine = await openEngineInWorker({ root: ws.root, cacheDir: ws.cache, modelDir: modelDir(), device: 'cpu', logger }, WORKER);
    assert.equal(engine.status().files, 0);
    const phases = new Set<string>();
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const r = await engine.read({ onProgress: (p) => phases.add(p.phase) });
    delay.disable();
    assert.equal(r.filesRead, 5);
    assert.ok(phases.has('reading') && phases.has('done'), [...phases].join(','));
    assert.equal(engine.status().files, 5, 'status() reflects the finished read');
    assert.equal(engine.isReading, false);
    assert.ok(logger.lines.some((l) => /^info: Read 5 files/.test(l)), 'the worker\'s log lines reach the caller\'s logger');
    // The read ran for seconds; on the caller's thread nothing waited on the model.
    const p99 = delay.percentile(99) / 1e6;
    process.stderr.write(`# caller's event-loop delay during the read: p99 ${p99.toFixed(1)} ms, max ${(delay.max / 1e6).toFixed(1)} ms\n`);
    assert.ok(p99 < 200, `p99 event-loop delay ${p99} ms`);

    const events: AnswerEvent[] = [];
    const a = await engine.ask('bisect insort sorted list', { retrieval: 'lexical', onEvent: (e) => events.push(e), maxTokens: 4 });
    assert.equal(a.citations[0]?.path, 'py/bisect.py');
    assert.equal(events[0]?.type, 'citations');
    assert.equal(events[events.length - 1]?.type, 'done');

    const controller = new AbortController();
    controller.abort();
    await assert.rejects(engine.summarize({ kind: 'file', path: 'no/such/file.py' }, { signal: controller.signal }), (e: Error) => e.message.includes('no/such/file.py'));
  } finally {
    await engine?.dispose();
    await ws.cleanup();
  }
});

test('a model that cannot load fails the open with the engine\'s message', async () => {
  const ws = await copyCodebase();
  try {
    await assert.rejects(
      openEngineInWorker({ root: ws.root, cacheDir: ws.cache, modelDir: resolve(ws.root, 'no-model-here'), device: 'cpu' }, WORKER),
      /model/i,
    );
  } finally {
    await ws.cleanup();
  }
});
