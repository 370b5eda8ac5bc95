// Loads a reranker folder (rerank/export.py) in onnxruntime-node, checks rerank.onnx against
// fixtures/parity.json (PyTorch's logits), and times a batch of 20 candidates on one thread.
//   node models/mnemo/rerank/check_onnx.mjs /tmp/rerank-initial
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url + '/../../../../');
const ort = require('onnxruntime-node');

const dir = process.argv[2];
const info = JSON.parse(readFileSync(join(dir, 'rerank.json'), 'utf8'));
const fx = JSON.parse(readFileSync(join(dir, 'fixtures', 'parity.json'), 'utf8'));
const s = await ort.InferenceSession.create(join(dir, info.graph.file), { intraOpNumThreads: 1, executionProviders: ['cpu'] });
const names = (a) => JSON.stringify(a);
if (names(s.inputNames) !== names(info.graph.inputs) || names(s.outputNames) !== names(info.graph.outputs)) {
  throw new Error(`names ${s.inputNames} -> ${s.outputNames} differ from rerank.json`);
}
const i64 = (rows) => new ort.Tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), [rows.length, rows[0].length]);
const r = await s.run({ input_ids: i64(fx.input_ids), attention_mask: i64(fx.attention_mask) });
if (r.relevance.dims.join() !== String(fx.input_ids.length)) throw new Error(`relevance dims ${r.relevance.dims}`);
let worst = 0;
fx.relevance.forEach((want, i) => { worst = Math.max(worst, Math.abs(r.relevance.data[i] - want)); });
console.log(`relevance: onnx ${Array.from(r.relevance.data, (v) => v.toFixed(4)).join(' ')}`);
console.log(`        torch ${fx.relevance.map((v) => v.toFixed(4)).join(' ')}`);
console.log(`max |diff| ${worst.toExponential(2)} (tolerance ${fx.tolerance})`);
// one question against 20 candidates of full length: [bos] 24 question tokens [sep] 160 [eos]
const T = 1 + 24 + 1 + info.input.maxPassageTokens + 1;
const row = Array.from({ length: T }, (_, t) => (t === 0 ? 1 : t === 25 ? 8 : t === T - 1 ? 2 : 9 + ((t * 7919) % 8000)));
const batch = Array.from({ length: 20 }, () => row);
const ones = batch.map((x) => x.map(() => 1));
await s.run({ input_ids: i64(batch), attention_mask: i64(ones) });
const n = 5;
const t0 = performance.now();
for (let k = 0; k < n; k++) await s.run({ input_ids: i64(batch), attention_mask: i64(ones) });
const ms = (performance.now() - t0) / n;
console.log(`20 candidates x ${T} tokens, 1 thread: ${ms.toFixed(0)} ms a batch (${(ms / 20).toFixed(1)} ms a candidate)`);
if (!(worst <= fx.tolerance)) { console.error('PARITY FAILED'); process.exit(1); }
console.log('parity ok');
