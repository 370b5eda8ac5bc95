// Reads R token streams through a model folder's reader.onnx (the shipped graph, i.e. what the
// extension runs), batched across streams. Used by evaluate.py for long haystacks.
//   node models/mnemo/read_streams.mjs MODEL_DIR JOB_PREFIX
// JOB_PREFIX.json: {rows, segments, snapshots: [segment index, ...], hasInit: bool}
// JOB_PREFIX.tokens: int32 [rows, segments, S] (0 = padding); JOB_PREFIX.init: float32 [rows, M, D]
// writes JOB_PREFIX.keys: float32 [rows, segments, K]; JOB_PREFIX.mems: float32 [rows, snapshots, M, D]
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url + '/../../../');
const ort = require('onnxruntime-node');

const [dir, job] = process.argv.slice(2);
const mj = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
const spec = JSON.parse(readFileSync(job + '.json', 'utf8'));
const { segmentLength: S, memorySize: M, dModel: D, keyDim: K } = mj;
const R = spec.rows, N = spec.segments;
const f32 = (p) => { const b = readFileSync(p); return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)); };
const tb = readFileSync(job + '.tokens');
const tokens = new Int32Array(tb.buffer.slice(tb.byteOffset, tb.byteOffset + tb.byteLength));
if (tokens.length !== R * N * S) throw new Error(`tokens: ${tokens.length} != ${R}*${N}*${S}`);
const sess = await ort.InferenceSession.create(join(dir, mj.graphs.reader.file),
  { intraOpNumThreads: Number(process.env.THREADS || 2), executionProviders: ['cpu'] });
let mem;
if (spec.hasInit) mem = f32(job + '.init');
else { const mi = f32(join(dir, mj.memoryInit)); mem = Float32Array.from({ length: R * M * D }, (_, i) => mi[i % (M * D)]); }
const keys = new Float32Array(R * N * K);
const snaps = new Map(spec.snapshots.map((s, i) => [s, i]));
const mems = new Float32Array(R * spec.snapshots.length * M * D);
const ids = new BigInt64Array(R * S), am = new BigInt64Array(R * S);
const t0 = performance.now();
for (let n = 0; n < N; n++) {
  for (let r = 0; r < R; r++) for (let s = 0; s < S; s++) {
    const t = tokens[(r * N + n) * S + s];
    ids[r * S + s] = BigInt(t); am[r * S + s] = t === 0 ? 0n : 1n;
  }
  const out = await sess.run({ input_ids: new ort.Tensor('int64', ids, [R, S]), attention_mask: new ort.Tensor('int64', am, [R, S]),
    memory: new ort.Tensor('float32', mem, [R, M, D]) });
  mem = out.memory_out.data;
  for (let r = 0; r < R; r++) keys.set(out.key.data.subarray(r * K, (r + 1) * K), (r * N + n) * K);
  if (snaps.has(n)) { const j = snaps.get(n); for (let r = 0; r < R; r++) mems.set(mem.subarray(r * M * D, (r + 1) * M * D), (r * spec.snapshots.length + j) * M * D); }
}
writeFileSync(job + '.keys', Buffer.from(keys.buffer));
writeFileSync(job + '.mems', Buffer.from(mems.buffer));
const sec = (performance.now() - t0) / 1000;
console.log(JSON.stringify({ rows: R, segments: N, seconds: sec, tokensPerSecond: R * N * S / sec }));
