// The ONNX graphs, run by onnxruntime-node, against the PyTorch outputs saved by the exporters in
// <model>/fixtures/parity.json (and rerank-parity.json for the rerank graph). Memory starts at memory_init (broadcast over the batch) and is
// carried from step to step, as the reader does.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadModel, type LoadedModel } from '../../src/core/model';
import { modelDir, noModel, recordingLogger } from './helpers';

interface Parity {
  tolerance: number;
  reader: { steps: { input_ids: number[][]; attention_mask: number[][]; memory_out: number[][][]; key: number[][] }[] };
  query: { input_ids: number[][]; attention_mask: number[][]; query_key: number[][] };
  decoder: { memory: number[][][]; prompt_ids: number[][]; prefill_logits_last: number[][]; step_ids: number[]; step_logits: number[][] };
  span?: { input_ids: number[][]; attention_mask: number[][]; start_logits: number[][]; end_logits: number[][]; has_answer: number[] };
}

const skip = noModel();
const flat = (x: unknown): number[] => (Array.isArray(x) ? x.flat(Infinity as 1) as number[] : [x as number]);
const ints = (x: unknown): BigInt64Array => BigInt64Array.from(flat(x), (v) => BigInt(v));

function maxDiff(actual: ArrayLike<number>, expected: readonly number[], what: string): number {
  assert.equal(actual.length, expected.length, `${what}: ${actual.length} values, PyTorch has ${expected.length}`);
  let m = 0;
  for (let i = 0; i < expected.length; i++) m = Math.max(m, Math.abs(actual[i]! - expected[i]!));
  return m;
}

let model: LoadedModel;
let fx: Parity;

test('parity with PyTorch', { skip }, async (t) => {
  model = await loadModel(modelDir(), 'cpu', recordingLogger());
  fx = JSON.parse(await readFile(join(modelDir(), 'fixtures', 'parity.json'), 'utf8')) as Parity;
  const tol = fx.tolerance;
  const { memorySize: M, dModel: D } = model.config;

  await t.test('reader: memory and keys over carried steps', async () => {
    const B = fx.reader.steps[0]!.input_ids.length;
    let memory = new Float32Array(B * M * D);
    for (let b = 0; b < B; b++) memory.set(model.memoryInit, b * M * D);
    for (const [i, step] of fx.reader.steps.entries()) {
      const out = await model.runtime.readSegments(ints(step.input_ids), ints(step.attention_mask), memory);
      const dm = maxDiff(out.memory, flat(step.memory_out), `step ${i} memory_out`);
      const dk = maxDiff(out.keys, flat(step.key), `step ${i} key`);
      assert.ok(dm <= tol && dk <= tol, `step ${i}: memory diff ${dm}, key diff ${dk}, tolerance ${tol}`);
      memory = Float32Array.from(flat(step.memory_out)); // carry PyTorch's memory, as the fixture did
    }
  });

  await t.test('query: query_key', async () => {
    const B = fx.query.input_ids.length;
    const key = await model.runtime.encodeQuery(ints(fx.query.input_ids), ints(fx.query.attention_mask), B);
    const d = maxDiff(key, flat(fx.query.query_key), 'query_key');
    assert.ok(d <= tol, `query_key diff ${d}, tolerance ${tol}`);
  });

  await t.test('decoder: prefill and steps with the KV cache', async () => {
    const prompt = ints(fx.decoder.prompt_ids);
    let out = await model.runtime.prefill(prompt, Float32Array.from(flat(fx.decoder.memory)));
    const d0 = maxDiff(out.logits, flat(fx.decoder.prefill_logits_last), 'prefill_logits_last');
    assert.ok(d0 <= tol, `prefill logits diff ${d0}, tolerance ${tol}`);
    assert.equal(out.cache.length, M + prompt.length);
    for (const [i, id] of fx.decoder.step_ids.entries()) {
      out = await model.runtime.step(id, out.cache);
      const d = maxDiff(out.logits, fx.decoder.step_logits[i]!, `step ${i} logits`);
      assert.ok(d <= tol, `step ${i} logits diff ${d}, tolerance ${tol}`);
    }
  });

  await t.test('span: start, end and has-answer logits (when the folder has the span graph)', { skip: !model.runtime.hasSpan && 'no span graph in this folder' }, async () => {
    const sp = fx.span;
    assert.ok(sp, 'model.json declares graphs.span but fixtures/parity.json has no span case: re-export the folder');
    const B = sp.input_ids.length;
    const T = sp.input_ids[0]!.length;
    const out = await model.runtime.spanLogits(ints(sp.input_ids), ints(sp.attention_mask), B);
    // padded positions (mask 0) are never read; compare real tokens only
    const mask = flat(sp.attention_mask);
    const real = (xs: ArrayLike<number>): number[] => Array.from(xs).filter((_, i) => mask[i] === 1);
    assert.equal(out.start.length, B * T);
    const ds = maxDiff(real(out.start), real(flat(sp.start_logits)), 'start_logits');
    const de = maxDiff(real(out.end), real(flat(sp.end_logits)), 'end_logits');
    const dh = maxDiff(out.hasAnswer, flat(sp.has_answer), 'has_answer');
    assert.ok(ds <= tol && de <= tol && dh <= tol, `span diffs start ${ds}, end ${de}, has ${dh}, tolerance ${tol}`);
  });

  await t.test('rerank: relevance logits (when the folder has the rerank graph)', { skip: !model.runtime.hasRerank && 'no rerank graph in this folder' }, async () => {
    const file = join(modelDir(), 'fixtures', 'rerank-parity.json');
    const rr = JSON.parse(await readFile(file, 'utf8').catch(() => 'null')) as { tolerance: number; input_ids: number[][]; attention_mask: number[][]; relevance: number[] } | null;
    assert.ok(rr, 'model.json declares graphs.rerank but fixtures/rerank-parity.json is missing: re-export the reranker');
    const out = await model.runtime.relevance(ints(rr.input_ids), ints(rr.attention_mask), rr.input_ids.length);
    const d = maxDiff(out, rr.relevance, 'relevance');
    assert.ok(d <= rr.tolerance, `relevance diff ${d}, tolerance ${rr.tolerance}`);
  });

  await model.runtime.dispose();
});
