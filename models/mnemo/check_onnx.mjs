// Loads the graphs of a model folder (four, and span.onnx when model.json declares it) in onnxruntime-node, runs them with the contract's
// shapes, and compares against fixtures/parity.json (the PyTorch outputs).
//   node models/mnemo/check_onnx.mjs models/mnemo-m2
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url + '/../../../');
const ort = require('onnxruntime-node');

const dir = process.argv[2];
const mj = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
const fx = JSON.parse(readFileSync(join(dir, 'fixtures', 'parity.json'), 'utf8'));
const opts = { intraOpNumThreads: 2, executionProviders: ['cpu'] };
const s = {};
for (const [name, g] of Object.entries(mj.graphs)) {
  s[name] = await ort.InferenceSession.create(join(dir, g.file), opts);
  const ok = JSON.stringify(s[name].inputNames) === JSON.stringify(g.inputs) &&
    JSON.stringify(s[name].outputNames) === JSON.stringify(g.outputs);
  if (!ok) throw new Error(`${name}: names ${s[name].inputNames} -> ${s[name].outputNames} differ from model.json`);
}
const flat = (a) => (Array.isArray(a) ? a.flat(Infinity) : [a]);
const i64 = (a, dims) => new ort.Tensor('int64', BigInt64Array.from(flat(a).map(BigInt)), dims);
const f32 = (a, dims) => new ort.Tensor('float32', Float32Array.from(flat(a)), dims);
let worst = 0;
const cmp = (what, got, want) => {
  want = flat(want);
  if (got.length !== want.length) throw new Error(`${what}: ${got.length} values, expected ${want.length}`);
  let d = 0; for (let i = 0; i < got.length; i++) d = Math.max(d, Math.abs(got[i] - want[i]));
  worst = Math.max(worst, d);
  console.log(`${what.padEnd(28)} max |diff| ${d.toExponential(2)}`);
};
const { memorySize: M, dModel: D, segmentLength: S } = mj;
// The reader graph's own key width: model.json's keyDim is the static key table's when it has one.
const K = mj.staticKeys ? mj.config.key_dim : mj.keyDim;
const mib = readFileSync(join(dir, mj.memoryInit));
const memInit = new Float32Array(mib.buffer.slice(mib.byteOffset, mib.byteOffset + mib.byteLength));
if (memInit.length !== M * D) throw new Error('memory_init.bin has the wrong size');
const B = 2;
let mem = new ort.Tensor('float32', Float32Array.from({ length: B * M * D }, (_, i) => memInit[i % (M * D)]), [B, M, D]);
let t0 = performance.now();
for (const [i, st] of fx.reader.steps.entries()) {
  const r = await s.reader.run({ input_ids: i64(st.input_ids, [B, S]), attention_mask: i64(st.attention_mask, [B, S]), memory: mem });
  if (r.key.dims.join() !== [B, K].join() || r.memory_out.dims.join() !== [B, M, D].join()) throw new Error('reader shapes');
  cmp(`reader step ${i} memory_out`, r.memory_out.data, st.memory_out);
  cmp(`reader step ${i} key`, r.key.data, st.key);
  mem = r.memory_out;
}
const q = fx.query;
const Q = q.input_ids[0].length;
const rq = await s.query.run({ input_ids: i64(q.input_ids, [B, Q]), attention_mask: i64(q.attention_mask, [B, Q]) });
cmp('query_key', rq.query_key.data, q.query_key);
const d = fx.decoder;
const T = d.prompt_ids[0].length;
const rp = await s.decoderPrefill.run({ input_ids: i64(d.prompt_ids, [1, T]), memory: f32(d.memory, [1, M, D]) });
const V = mj.vocabSize;
if (rp.logits.dims.join() !== [1, T, V].join()) throw new Error(`prefill logits dims ${rp.logits.dims}`);
const hd = D / mj.nHeads;
if (rp.present_keys.dims.join() !== [mj.nLayers, 1, mj.nHeads, M + T, hd].join()) throw new Error(`present dims ${rp.present_keys.dims}`);
cmp('prefill logits[-1]', rp.logits.data.slice((T - 1) * V), d.prefill_logits_last);
let pk = rp.present_keys, pv = rp.present_values;
for (const [i, id] of d.step_ids.entries()) {
  const r = await s.decoderStep.run({ input_ids: i64([id], [1, 1]), past_keys: pk, past_values: pv });
  cmp(`step ${i} logits`, r.logits.data, d.step_logits[i]);
  pk = r.present_keys; pv = r.present_values;
}
// span graph (optional in the contract): start/end logits per token and the has-answer logit
if (mj.graphs.span) {
  if (!fx.span) throw new Error('model.json declares graphs.span but fixtures/parity.json has no span case');
  const sp = fx.span, Tn = sp.input_ids[0].length;
  const r = await s.span.run({ input_ids: i64(sp.input_ids, [B, Tn]), attention_mask: i64(sp.attention_mask, [B, Tn]) });
  if (r.start_logits.dims.join() !== [B, Tn].join() || r.has_answer.dims.join() !== [B].join()) throw new Error('span shapes');
  // padded positions of row 1 are not compared: their logits are never read
  const real = (a) => flat(a).filter((_, i) => flat(sp.attention_mask)[i] === 1);
  const realGot = (t) => Array.from(t).filter((_, i) => flat(sp.attention_mask)[i] === 1);
  cmp('span start_logits', realGot(r.start_logits.data), real(sp.start_logits));
  cmp('span end_logits', realGot(r.end_logits.data), real(sp.end_logits));
  cmp('span has_answer', r.has_answer.data, sp.has_answer);
  // the end given the start (optional): [b, t, j] for every start t, padded rows' starts skipped
  if (mj.graphs.span.outputs.includes('end_given_start')) {
    const J = r.end_given_start.dims[2];
    const keep = (i) => flat(sp.attention_mask)[Math.floor(i / J)] === 1;
    cmp('span end_given_start', Array.from(r.end_given_start.data).filter((_, i) => keep(i)), flat(sp.end_given_start).filter((_, i) => keep(i)));
  }
}
// reading speed: segments of S tokens, batch 1 and 8
for (const b of [1, 8]) {
  const ids = i64(Array(b * S).fill(100), [b, S]), am = i64(Array(b * S).fill(1), [b, S]);
  let m = f32(Array(b * M * D).fill(0), [b, M, D]);
  t0 = performance.now(); let n = 0;
  while (performance.now() - t0 < 3000) { m = (await s.reader.run({ input_ids: ids, attention_mask: am, memory: m })).memory_out; n++; }
  console.log(`reader batch ${b}: ${Math.round(n * b * S / ((performance.now() - t0) / 1000))} tokens/s`);
}
console.log(worst <= fx.tolerance ? `OK (worst ${worst.toExponential(2)} <= ${fx.tolerance})` : `FAIL worst ${worst}`);
process.exit(worst <= fx.tolerance ? 0 : 1);
