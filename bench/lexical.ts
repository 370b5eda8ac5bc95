// The lexical index at scale, without the model (the index does not need it): real text is
// tokenized and cut into segments exactly as the engine does, every segment goes into a
// LexicalIndex, and we measure build time, bytes on disk, load time and query latency.
//
//   npm run build && nice node out/bench/lexical.js [--tokens 1e6,1e7] [--queries 200]
//
// Text: the TypeScript compiler in node_modules, Python's standard library and the Linux
// kernel's documentation (Debian's python3.11 and linux-doc-6.1), a third each, files taken in
// a fixed shuffled order. Queries: the first sentence of docstrings found in that Python code
// (the shape of a developer's question) and a few hand-written questions.
//
// Measured on the 2-core development machine, shared (load 6-9), 2026-11-30:
//   1M tokens (7,940 segments):   1.93 MiB on disk, load 123 ms, save 174 ms, query median 0.2 ms, p95 9.9 ms, max 84 ms
//   10M tokens (80,110 segments): 17.8 MiB on disk (1.78 MiB per million tokens), load 0.97 s, save 0.97 s,
//                                 heap 307 MiB, query median 1.2 ms, p95 10.9 ms, max 117 ms (206 questions, top 100)
// MiniSearch 7.2 in the same place (load ~13-17): 3.3 MiB per million tokens; at 10M load 112 s,
// 2 GiB heap, query median 384 ms, p95 3.8 s.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { LexicalIndex, segmentTexts } from '../src/core/lexicalIndex';
import { MnemoTokenizer } from '../src/core/tokenizer';
import { MAX_SOURCE_BYTES, shuffled } from './corpus';

const SEGMENT = 128;
const REPO = process.cwd();
const SOURCES: readonly { name: string; root: string; ext: RegExp }[] = [
  { name: 'typescript', root: join(REPO, 'node_modules', 'typescript', 'lib'), ext: /\.(js|ts)$/ },
  { name: 'python', root: '/usr/lib/python3.11', ext: /\.py$/ },
  { name: 'linux-doc', root: '/usr/share/doc/linux-doc-6.1/Documentation', ext: /\.(rst|txt)(\.gz)?$/ },
];
const HAND_QUESTIONS = [
  'How do I pretty-print JSON with indentation?',
  'parse command line arguments',
  'where is the page cache written back to disk',
  'wrap a paragraph of text to a given width',
  'createSourceFile scanner token',
  'how are signals delivered to a process',
];

function walk(root: string, ext: RegExp): string[] {
  const out: string[] = [];
  const visit = (dir: string): void => {
    let names: string[];
    try { names = readdirSync(dir).sort(); } catch { return; }
    for (const name of names) {
      const full = join(dir, name);
      const st = statSync(full);
      if (st.isDirectory()) { if (name !== 'test' && name !== 'tests' && name !== 'site-packages') visit(full); }
      else if (ext.test(name) && st.size > 0 && st.size <= MAX_SOURCE_BYTES) out.push(full);
    }
  };
  if (existsSync(root)) visit(root);
  return out;
}

function readText(file: string): string {
  const bytes = readFileSync(file);
  return (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
}

/** First sentences of Python docstrings, as questions. */
function docstringQuestions(text: string, into: string[], max: number): void {
  for (const m of text.matchAll(/def \w+\([^)]*\)[^:]*:\s*\n\s+(?:"""|''')([^\n]{25,120})/g)) {
    if (into.length >= max) return;
    const q = m[1]!.split(/(?<=\.)\s/)[0]!.replace(/["'`]+$/, '').trim();
    if (q.split(/\s+/).length >= 4) into.push(q);
  }
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const at = (name: string): string | undefined => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
  const sizes = (at('--tokens') ?? '1e6,1e7').split(',').map(Number);
  const queryCount = Number(at('--queries') ?? '200');
  const tokenizer = await MnemoTokenizer.load(join(REPO, 'models', 'mnemo-m2', 'tokenizer.json'), 0);
  const pools = SOURCES.map((s) => shuffled(walk(s.root, s.ext), 0x5eed).map((f) => ({ source: s, file: f })));
  for (const [i, s] of SOURCES.entries()) {
    if (pools[i]!.length === 0) process.stderr.write(`lexical bench: no ${s.name} files under ${s.root}; the mix will lack it\n`);
  }

  for (const target of sizes) {
    const index = LexicalIndex.empty();
    const questions: string[] = [];
    let tokens = 0;
    let segments = 0;
    let textBytes = 0;
    let tokenizeMs = 0;
    let indexMs = 0;
    const cursor = pools.map(() => 0);
    let p = 0;
    while (tokens < target && cursor.some((c, i) => c < pools[i]!.length)) {
      p = (p + 1) % pools.length;
      const pool = pools[p]!;
      if (cursor[p]! >= pool.length) continue;
      const { source, file } = pool[cursor[p]!++]!;
      const text = readText(file);
      let t = performance.now();
      const tok = tokenizer.tokenizeLines(text);
      const segs = tokenizer.segment(tok, SEGMENT);
      tokenizeMs += performance.now() - t;
      t = performance.now();
      const lines = text.split('\n');
      index.addSegments(`${source.name}/${relative(source.root, file)}`, String(cursor[p]), 0,
        segmentTexts(lines, segs.map((s) => s.startLine), segs.map((s) => s.endLine), segs.length));
      indexMs += performance.now() - t;
      if (source.name === 'python') docstringQuestions(text, questions, queryCount);
      tokens += tok.ids.length;
      segments += segs.length;
      textBytes += Buffer.byteLength(text);
    }
    let t = performance.now();
    const bytes = index.serialize();
    const saveMs = performance.now() - t;
    t = performance.now();
    const loaded = LexicalIndex.deserialize(bytes);
    const loadMs = performance.now() - t;

    const qs = [...HAND_QUESTIONS, ...questions];
    for (const q of qs.slice(0, 5)) loaded.query(q, 100); // warm up
    const times: number[] = [];
    let empty = 0;
    for (const q of qs) {
      const s = performance.now();
      const hits = loaded.query(q, 100);
      times.push(performance.now() - s);
      if (hits.length === 0) empty++;
    }
    times.sort((a, b) => a - b);
    const heapMb = process.memoryUsage().heapUsed / 2 ** 20;
    const perM = bytes.byteLength / (tokens / 1e6);
    process.stdout.write(
      `${(tokens / 1e6).toFixed(2)}M tokens (${segments} segments, ${(textBytes / 2 ** 20).toFixed(1)} MiB of text): ` +
      `tokenize ${(tokenizeMs / 1000).toFixed(1)} s, index ${(indexMs / 1000).toFixed(1)} s; ` +
      `index ${(bytes.byteLength / 2 ** 20).toFixed(1)} MiB on disk = ${(perM / 2 ** 20).toFixed(2)} MiB per million tokens; ` +
      `save ${saveMs.toFixed(0)} ms, load ${loadMs.toFixed(0)} ms; heap ${heapMb.toFixed(0)} MiB; ` +
      `query (top 100) over ${qs.length} questions: median ${percentile(times, 0.5).toFixed(1)} ms, p95 ${percentile(times, 0.95).toFixed(1)} ms, max ${times[times.length - 1]!.toFixed(1)} ms; ${empty} found nothing\n`,
    );
  }
}

main().catch((e: unknown) => { process.stderr.write(`${(e as Error).stack ?? e}\n`); process.exitCode = 1; });
