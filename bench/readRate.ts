// Reading rate: the whole engine reading a workspace against the reader graph alone on the same
// segments, back to back in one process, so that a figure taken under other load (a training job
// shares the 2 cores) can still be compared with its baseline.
//
//   nice npm run bench:read-rate -- [--size 1M] [--rounds 2] [--model DIR] [--write]
//                                   [--digest FILE] [--against FILE] [--engine-only] [--root DIR]
//
// The workspace is the one `npm run bench` reads at that size (bench/corpus.ts: a third each of
// the TypeScript compiler, kernel C and kernel documentation), kept in
// .cache/bench/workspaces/read-rate-<size> between runs. Each round first runs the graph alone:
// every file tokenized and cut into segments beforehand (not timed), then the same schedule as
// reader.ts (8 rows, longest file first, a row that finishes takes the next file), timing only the
// reader calls. Then the engine reads the workspace from nothing (`openEngine(...).read()`, a fresh
// cache folder), timed as `npm run bench` times it (ReadResult.seconds); the time its reader calls
// took inside that read is counted too, so the rest is what the engine adds around the graph.
// --digest writes what the read stored (bench/storedDigest.ts) to FILE; --against compares with
// one written before (e.g. by the code before a change) and exits 1 if anything stored differs.
// --root DIR reads that folder instead (e.g. one holding a book of 1 MiB or more, which the engine
// streams; the bench's workspaces hold none). --engine-only skips the graph alone (e.g. under `node --cpu-prof`, to profile the engine's read).
// --write puts the table into BENCHMARKS.md between the read-rate markers.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { findRepoRoot, parseSize, sizeLabel } from './common';
import type { Logger } from '../src/core/api';
import { openEngine } from '../src/core/engine';
import { loadModel, memoryVersionOf, type LoadedModel } from '../src/core/model';
import { ModelRuntime } from '../src/core/runtime';
import { scanWorkspace } from '../src/core/scanner';
import { readSnapshot, workspaceCacheDir } from '../src/core/store';
import { loadText } from '../src/core/text';
import type { Segment } from '../src/core/tokenizer';
import { buildWorkspace, calibrate, planWorkspace, prepareSources } from './corpus';
import { describeMachine } from './machine';
import { withSection } from './sections';
import { digestDifferences, storedDigest, type StoredDigest } from './storedDigest';

export const READ_RATE_START = '<!-- read-rate:start -->';
export const READ_RATE_END = '<!-- read-rate:end -->';

/** Rows of the reader batch, as the engine's BATCH_ROWS. */
const ROWS = 8;

const repoRoot = findRepoRoot(__dirname);
const cacheRoot = join(repoRoot, '.cache', 'bench');

function arg(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function log(line: string): void {
  process.stderr.write(`[read-rate ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

const quiet: Logger = { info() {}, debug() {}, warn: (m) => log(`warn: ${m}`), error: (m) => log(`error: ${m}`) };

/** The workspace `npm run bench` reads at `size`, built once and kept (its files' stats stay put). */
async function workspace(size: number, model: LoadedModel): Promise<string> {
  const dir = join(cacheRoot, 'workspaces', `read-rate-${sizeLabel(size)}`);
  const done = `${dir}.built`;
  if (existsSync(done) && existsSync(dir)) return dir;
  const files = prepareSources(repoRoot, cacheRoot, log);
  const bytesPerToken = calibrate(cacheRoot, model.tokenizer, files);
  const plan = planWorkspace(files, size, (f) => Math.ceil(f.bytes / bytesPerToken[f.pool]));
  log(`building ${dir}: ${plan.length} files`);
  buildWorkspace(cacheRoot, plan, dir);
  writeFileSync(done, `${plan.length} files\n`);
  return dir;
}

interface Timed {
  readonly tokens: number;
  readonly seconds: number;
  /** Seconds inside the reader graph's calls. */
  readonly graphSeconds: number;
  readonly calls: number;
}

/** Every file the engine would read, tokenized and segmented as the engine does, longest first. */
async function segmentsOf(root: string, model: LoadedModel): Promise<Segment[][]> {
  const scan = await scanWorkspace(root, {});
  const files: { size: number; segments: Segment[] }[] = [];
  for (const f of scan.files) {
    const loaded = await loadText(f.absPath, {});
    if (!loaded.ok) continue;
    files.push({ size: f.size, segments: model.tokenizer.segment(model.tokenizer.tokenizeLines(loaded.text), model.config.segmentLength) });
  }
  // As the engine's queue: longest first, so a long file starts early.
  return files.sort((a, b) => b.size - a.size).map((f) => f.segments);
}

/** The reader graph alone over `files`, scheduled as reader.ts schedules them. */
async function graphAlone(model: LoadedModel, files: readonly Segment[][]): Promise<Timed> {
  const { segmentLength: S, memorySize: M, dModel: D } = model.config;
  const rows: { segments: Segment[]; at: number; memory: Float32Array }[] = [];
  let next = 0;
  let tokens = 0;
  let graphMs = 0;
  let calls = 0;
  const started = performance.now();
  while (true) {
    while (rows.length < ROWS && next < files.length) {
      const segments = files[next++]!;
      if (segments.length > 0) rows.push({ segments, at: 0, memory: model.memoryInit });
    }
    if (rows.length === 0) break;
    const B = rows.length;
    const ids = new BigInt64Array(B * S);
    const mask = new BigInt64Array(B * S);
    const memory = new Float32Array(B * M * D);
    rows.forEach((row, b) => {
      const seg = row.segments[row.at]!;
      for (let i = 0; i < S; i++) {
        ids[b * S + i] = BigInt(seg.ids[i]!);
        mask[b * S + i] = i < seg.length ? 1n : 0n;
      }
      memory.set(row.memory, b * M * D);
      tokens += seg.length;
    });
    const t0 = performance.now();
    const out = await model.runtime.readSegments(ids, mask, memory);
    graphMs += performance.now() - t0;
    calls++;
    for (let b = B - 1; b >= 0; b--) {
      const row = rows[b]!;
      row.memory = out.memory.slice(b * M * D, (b + 1) * M * D);
      if (++row.at >= row.segments.length) rows.splice(b, 1);
    }
  }
  return { tokens, seconds: (performance.now() - started) / 1000, graphSeconds: graphMs / 1000, calls };
}

/** Time spent in reader calls by every runtime of this process (the engine's own included). */
const graphClock = { ms: 0, calls: 0 };
const readSegments = ModelRuntime.prototype.readSegments;
ModelRuntime.prototype.readSegments = async function timedReadSegments(this: ModelRuntime, ...args: Parameters<typeof readSegments>) {
  const t0 = performance.now();
  try {
    return await readSegments.apply(this, args);
  } finally {
    graphClock.ms += performance.now() - t0;
    graphClock.calls++;
  }
};

/** The engine reading `root` from nothing; what it stored, as a digest. */
async function engineRead(root: string, modelDir: string): Promise<Timed & { digest: StoredDigest; files: number; checkpoints: number; checkpointSeconds: number }> {
  const cacheDir = join(tmpdir(), `mnemo-read-rate-${process.pid}`);
  rmSync(cacheDir, { recursive: true, force: true });
  mkdirSync(cacheDir, { recursive: true });
  // The engine logs every checkpoint's duration at debug level: the time spent saving mid-read.
  const checkpoints: number[] = [];
  const logger: Logger = { ...quiet, debug: (m) => { const c = /^Checkpoint: .* saved in (\d+) ms/.exec(m); if (c) checkpoints.push(Number(c[1])); } };
  const engine = await openEngine({ root, modelDir, cacheDir, device: 'cpu', logger });
  try {
    const before = { ...graphClock };
    const result = await engine.read();
    const graph = { ms: graphClock.ms - before.ms, calls: graphClock.calls - before.calls };
    const config = JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8')) as Parameters<typeof memoryVersionOf>[0] & { id: string; keyDim: number; memorySize: number; dModel: number; segmentLength: number };
    const { sections } = await readSnapshot(workspaceCacheDir(cacheDir, resolve(root)), { modelId: config.id, modelVersion: memoryVersionOf(config), root: resolve(root) });
    return {
      tokens: result.tokensRead, seconds: result.seconds, graphSeconds: graph.ms / 1000, calls: graph.calls, files: result.filesRead,
      checkpoints: checkpoints.length, checkpointSeconds: checkpoints.reduce((a, b) => a + b, 0) / 1000,
      digest: storedDigest(config, sections),
    };
  } finally {
    await engine.dispose();
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

const rate = (t: { tokens: number }, seconds: number): string => Math.round(t.tokens / seconds).toLocaleString('en-US');

async function main(): Promise<void> {
  const size = parseSize(arg('--size') ?? '1M');
  const rounds = Math.max(1, Number(arg('--rounds') ?? '2'));
  const modelDir = resolve(repoRoot, arg('--model') ?? 'models/mnemo-m2');
  const machineBefore = describeMachine(repoRoot);
  const loadBefore = loadavg()[0]!;
  log(`${machineBefore.cpu}; ${machineBefore.load}`);

  const model = await loadModel(modelDir, 'cpu', quiet);
  const rows: string[] = [];
  const digests: StoredDigest[] = [];
  let files = 0;
  try {
    const given = arg('--root');
    const root = given ? resolve(given) : await workspace(size, model);
    const engineOnly = process.argv.includes('--engine-only');
    const segments = engineOnly ? [] : await segmentsOf(root, model);
    for (let r = 1; r <= rounds; r++) {
      if (!engineOnly) {
        const alone = await graphAlone(model, segments);
        log(`round ${r}: graph alone ${rate(alone, alone.graphSeconds)} tokens/s (${alone.tokens} tokens, ${alone.calls} calls, ${alone.graphSeconds.toFixed(1)} s)`);
        rows.push(`| ${r} | reader graph alone, same segments and schedule | ${alone.tokens.toLocaleString('en-US')} | ${alone.graphSeconds.toFixed(1)} | **${rate(alone, alone.graphSeconds)}** | ${alone.calls.toLocaleString('en-US')} calls |`);
      }
      const engine = await engineRead(root, modelDir);
      files = engine.files;
      digests.push(engine.digest);
      const share = (100 * engine.graphSeconds) / engine.seconds;
      const saving = `${engine.checkpoints} checkpoints ${engine.checkpointSeconds.toFixed(1)} s`;
      log(`round ${r}: engine ${rate(engine, engine.seconds)} tokens/s (${engine.tokens} tokens in ${engine.seconds.toFixed(1)} s; ${engine.graphSeconds.toFixed(1)} s of it in ${engine.calls} reader calls, ${share.toFixed(0)} %; ${saving}), load ${loadavg()[0]!.toFixed(2)}`);
      rows.push(
        `| ${r} | whole engine read (\`engine.read()\`, fresh memory) | ${engine.tokens.toLocaleString('en-US')} | ${engine.seconds.toFixed(1)} | **${rate(engine, engine.seconds)}** | reader calls ${engine.graphSeconds.toFixed(1)} s (${share.toFixed(0)} % of the read), ${rate(engine, engine.graphSeconds)} tokens/s inside them; ${saving} |`,
      );
    }
  } finally {
    await model.runtime.dispose();
  }

  const problems: string[] = [];
  for (let i = 1; i < digests.length; i++) for (const d of digestDifferences(digests[0]!, digests[i]!)) problems.push(`round ${i + 1} against round 1: ${d}`);
  const digestFile = arg('--digest');
  if (digestFile) {
    writeFileSync(digestFile, JSON.stringify(digests[0], null, 1));
    log(`wrote what the read stored to ${digestFile}`);
  }
  const against = arg('--against');
  let sameAs = '';
  if (against) {
    const d = digestDifferences(JSON.parse(readFileSync(against, 'utf8')) as StoredDigest, digests[0]!);
    for (const line of d) problems.push(`against ${against}: ${line}`);
    if (d.length === 0) sameAs = `What the read stored is identical, file by file and section by section (bench/storedDigest.ts), to the digest in ${against}.`;
  }
  for (const p of problems) log(`STORED RESULT DIFFERS: ${p}`);
  if (sameAs) log(sameAs);

  const machineAfter = describeMachine(repoRoot);
  const section = [
    READ_RATE_START,
    `## Reading rate: the engine against the reader graph alone (\`bench/readRate.ts\`)`,
    '',
    `Command: \`npm run build && nice npm run bench:read-rate -- ${process.argv.slice(2).join(' ')}\`, ${new Date().toISOString().slice(0, 10)}; model ${model.config.id} ${model.config.version}, \`cpu\` provider.`.replace(' -- `', '`'),
    `Machine: ${machineBefore.cpu}, ${machineBefore.cores} cores, ${machineBefore.memoryGiB} GiB, ${machineBefore.os}, Node ${machineBefore.node}, onnxruntime-node ${machineBefore.onnxruntime}.`,
    `Load: at the start ${machineBefore.load}; at the end ${machineAfter.load} (1-min load ${loadBefore.toFixed(2)} → ${loadavg()[0]!.toFixed(2)}).`,
    `Workspace: ${arg('--root') ? `${arg('--root')} (${files} files)` : `\`npm run bench\`'s ${sizeLabel(size)} mix (${files} files)`}. The graph alone runs first in each round on the same segments, ${ROWS} rows, longest file first; only its reader calls are timed. The engine's figure is \`npm run bench\`'s (tokens / ReadResult.seconds, scanning and the final save included).`,
    '',
    '| round | what | tokens | seconds | tokens/s | notes |',
    '|---:|---|---:|---:|---:|---|',
    ...rows,
    ...(sameAs ? ['', sameAs] : []),
    ...(problems.length ? ['', ...problems.map((p) => `Stored result differs: ${p}.`)] : []),
    READ_RATE_END,
  ].join('\n');
  process.stdout.write(`${section}\n`);
  if (process.argv.includes('--write')) {
    const file = join(repoRoot, 'BENCHMARKS.md');
    writeFileSync(file, withSection(readFileSync(file, 'utf8'), section, READ_RATE_START, READ_RATE_END));
    log(`wrote the read-rate section of ${file}`);
  }
  if (problems.length) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`read-rate: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  });
}
