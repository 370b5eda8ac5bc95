// Query latency over a large memory: how long a question takes to reach its citations and its
// first answer token, per retrieval mode (issue 8's goal at 10M tokens on the 2-core CPU: ≤ 100 ms
// to the citations, ≤ 1 s to the first token). Beside it, in the same run and on the same
// questions, the baseline: the lexical index alone (the floor bench/lexical.ts measures), so a
// figure taken under other load can still be compared.
//
//   nice npm run bench:latency -- [--size 10M] [--rounds 3] [--model DIR] [--cache DIR] [--write] [--citations FILE]
//
// The workspace is the QA evaluation's KJV haystack of that size (bench/qa/sets.ts, one ~26 MB
// file at 10M) and the memory is the one `npm run eval:qa` keeps in .cache/bench/qa/memory/<model>:
// one read serves both (at 10M about 20 minutes of CPU), and a run over a saved memory only
// loads it. Questions: the set's planted-fact questions and phrases of the haystack's own verses
// ("Where is it written that …"), fixed by a seed. Every question is asked `rounds` times in
// each mode, through `openEngine(...).ask` in this process (the extension runs the same engine in
// a worker thread; the thread hop is not counted here). The first question after loading also
// reads the cited file, so it is reported on its own.
// --write puts the table into BENCHMARKS.md between the latency markers. --citations FILE writes
// every answer's citations of the first round (JSON), to check that a change kept them.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import type { Citation, Logger, QueryOptions, RetrievalMode } from '../src/core/api';
import { openEngine } from '../src/core/engine';
import { LexicalIndex } from '../src/core/lexicalIndex';
import { memoryVersionOf, readModelConfig } from '../src/core/model';
import { readSnapshot, workspaceCacheDir } from '../src/core/store';
import { MnemoTokenizer } from '../src/core/tokenizer';
import { shuffled } from './corpus';
import { describeMachine } from './machine';
import { findRepoRoot, parseSize, sizeLabel } from './common';
import { BOOK_SIZES, buildSets } from './qa/sets';
import { modelCacheKey } from './qa/run';
import { withSection } from './sections';

export const LATENCY_START = '<!-- latency:start -->';
export const LATENCY_END = '<!-- latency:end -->';

const repoRoot = findRepoRoot(__dirname);
const qaCache = join(repoRoot, '.cache', 'bench', 'qa');
/** As eval:qa: the 10M haystack is one file of ~26 MB. */
const MAX_FILE_BYTES = 256 * 2 ** 20;
const MODES: readonly RetrievalMode[] = ['lexical', 'model', 'auto'];
/** Verse questions added to the planted-fact ones. */
const VERSE_QUESTIONS = 28;
/** Candidates the engine takes from the lexical side (retrieve.ts CANDIDATES). */
const LEXICAL_TOP = 100;

function arg(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function log(line: string): void {
  process.stderr.write(`[latency ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

const quiet: Logger = { info() {}, debug() {}, warn: (m) => log(`warn: ${m}`), error: (m) => log(`error: ${m}`) };

/** Questions made of the haystack's own lines: six words of a long verse line, fixed by a seed. */
function verseQuestions(text: string, n: number): string[] {
  const lines = text.split('\n').filter((l) => l.split(/\s+/).length >= 12 && !/\d{3,}/.test(l));
  return shuffled(lines, 0x1a7e).slice(0, n).map((l) => {
    const words = l.replace(/^\d+:\d+\s*/, '').replace(/[^\p{L}\s']/gu, ' ').split(/\s+/).filter(Boolean);
    const from = Math.min(3, Math.max(0, words.length - 6));
    return `Where is it written that ${words.slice(from, from + 6).join(' ').toLowerCase()}?`;
  });
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : NaN;
}

interface Row {
  readonly what: string;
  readonly samples: number;
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
}

function row(what: string, ms: readonly number[]): Row {
  const s = [...ms].sort((a, b) => a - b);
  return { what, samples: s.length, p50: percentile(s, 0.5), p95: percentile(s, 0.95), max: s[s.length - 1] ?? NaN };
}

async function main(): Promise<void> {
  const size = parseSize(arg('--size') ?? '10M');
  if (!BOOK_SIZES.some((b) => b.tokens === size)) throw new Error(`--size: ${sizeLabel(size)} is not one of ${BOOK_SIZES.map((b) => sizeLabel(b.tokens)).join(', ')}`);
  const rounds = Math.max(1, Number(arg('--rounds') ?? '3'));
  const modelDir = resolve(repoRoot, arg('--model') ?? 'models/mnemo-m2');
  const config = await readModelConfig(modelDir);
  // --cache: another folder of saved memories (e.g. one kept in /tmp between checkouts).
  const cacheDir = resolve(arg('--cache') ?? join(qaCache, 'memory', modelCacheKey(modelDir)));
  mkdirSync(cacheDir, { recursive: true });
  const machineBefore = describeMachine(repoRoot);
  const loadBefore = loadavg()[0]!;

  const tokenizer = await MnemoTokenizer.load(join(modelDir, config.tokenizer), config.specialTokens.pad);
  const bytesPerToken = (sample: string): number => Buffer.byteLength(sample, 'utf8') / Math.max(1, tokenizer.encode(sample).length);
  const [set] = await buildSets(repoRoot, join(qaCache, 'workspaces'), { splits: ['test'], sources: ['kjv'], sizes: [size], haystacks: 1 }, bytesPerToken, log);
  if (!set) throw new Error('models/heldout.json names no test book "kjv"');
  const haystack = readFileSync(join(set.workspace, 'kjv.txt'), 'utf8');
  const questions = [...set.questions.map((q) => q.question), ...verseQuestions(haystack, VERSE_QUESTIONS)];

  const opened = performance.now();
  const engine = await openEngine({ root: set.workspace, modelDir, cacheDir, device: 'cpu', maxFileBytes: MAX_FILE_BYTES, logger: quiet });
  try {
    const loadMs = performance.now() - opened;
    const r = await engine.read();
    if (r.filesRead > 0) log(`read ${r.filesRead} file(s) in ${r.seconds.toFixed(0)} s (no saved memory for this model yet; later runs reuse it)`);
    const status = engine.status();
    log(`${set.workspace}: ${status.tokens} tokens, ${status.segments} segments; memory loaded in ${(loadMs / 1000).toFixed(1)} s`);

    // Baseline: the lexical index alone, loaded from the same snapshot.
    const { sections } = await readSnapshot(workspaceCacheDir(cacheDir, resolve(set.workspace)), { modelId: config.id, modelVersion: memoryVersionOf(config), root: resolve(set.workspace) });
    const index = LexicalIndex.deserialize(sections['lexical']!);
    const indexMs: number[] = [];
    for (let round = 0; round < rounds; round++) {
      for (const q of questions) {
        const t0 = performance.now();
        index.query(q, LEXICAL_TOP);
        indexMs.push(performance.now() - t0);
      }
    }

    const citations = new Map<RetrievalMode, number[]>(MODES.map((m) => [m, []]));
    const firstToken = new Map<RetrievalMode, number[]>(MODES.map((m) => [m, []]));
    let cold: { mode: RetrievalMode; citations: number; token: number } | undefined;
    const cited: { question: string; mode: RetrievalMode; citations: readonly Citation[] }[] = [];
    for (let round = 0; round < rounds; round++) {
      for (const q of questions) {
        for (const mode of MODES) {
          const t0 = performance.now();
          let atCitations: number | undefined;
          let atToken: number | undefined;
          const options: QueryOptions = {
            retrieval: mode, maxTokens: 16,
            onEvent: (e) => {
              if (e.type === 'citations' && atCitations === undefined) atCitations = performance.now();
              if (e.type === 'token' && atToken === undefined) atToken = performance.now();
            },
          };
          const answer = await engine.ask(q, options);
          const end = performance.now();
          if (round === 0) cited.push({ question: q, mode, citations: answer.citations });
          const c = (atCitations ?? end) - t0;
          const t = (atToken ?? end) - t0;
          if (!cold) { cold = { mode, citations: c, token: t }; continue; }
          citations.get(mode)!.push(c);
          firstToken.get(mode)!.push(t);
        }
      }
    }
    const citationsFile = arg('--citations');
    if (citationsFile) writeFileSync(citationsFile, JSON.stringify(cited, null, 1));
    const rows: Row[] = [
      row('baseline: lexical index alone (top 100)', indexMs),
      ...MODES.map((m) => row(`'${m}': question → citations`, citations.get(m)!)),
      ...MODES.map((m) => row(`'${m}': question → first answer token`, firstToken.get(m)!)),
    ];
    const machineAfter = describeMachine(repoRoot);
    const section = render({
      command: `node out/bench/latency.js ${process.argv.slice(2).join(' ')}`.trim(), size, tokens: status.tokens, segments: status.segments,
      questions: questions.length, rounds, model: `${config.id} ${config.version}`, loadMs, cold: cold!, rows,
      machine: `${machineBefore.cpu}, ${machineBefore.cores} cores, ${machineBefore.memoryGiB} GiB, ${machineBefore.os}, Node ${machineBefore.node}, onnxruntime-node ${machineBefore.onnxruntime}`,
      load: `at the start ${machineBefore.load}; at the end ${machineAfter.load} (1-min load ${loadBefore.toFixed(2)} → ${loadavg()[0]!.toFixed(2)})`,
    });
    process.stdout.write(`${section}\n`);
    if (process.argv.includes('--write')) {
      const file = join(repoRoot, 'BENCHMARKS.md');
      writeFileSync(file, withSection(readFileSync(file, 'utf8'), section, LATENCY_START, LATENCY_END));
      log(`wrote the latency section of ${file}`);
    }
  } finally {
    await engine.dispose();
  }
}

function render(r: {
  command: string; size: number; tokens: number; segments: number; questions: number; rounds: number; model: string;
  loadMs: number; cold: { mode: RetrievalMode; citations: number; token: number }; rows: readonly Row[]; machine: string; load: string;
}): string {
  const f = (ms: number): string => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));
  return [
    LATENCY_START,
    `## Query latency at ${sizeLabel(r.size)} tokens (\`bench/latency.ts\`)`,
    '',
    `Command: \`npm run build && nice ${r.command}\`, ${new Date().toISOString().slice(0, 10)}; model ${r.model}, \`cpu\` provider.`,
    `Machine: ${r.machine}. Load: ${r.load}.`,
    `Memory: the KJV haystack of bench/qa (${r.tokens.toLocaleString('en-US')} tokens, ${r.segments.toLocaleString('en-US')} segments, one file), loaded in ${(r.loadMs / 1000).toFixed(1)} s.`,
    `${r.questions} questions (planted facts and verse phrases) × ${r.rounds} rounds per mode; the first ask after loading ('${r.cold.mode}', ${f(r.cold.citations)} ms to its citations, ${f(r.cold.token)} ms to its first token) also reads the cited file and is left out of the rows.`,
    'Goal (issue 8): ≤ 100 ms to the citations, ≤ 1 s to the first answer token.',
    '',
    '| what | n | p50 ms | p95 ms | max ms |',
    '|---|---:|---:|---:|---:|',
    ...r.rows.map((x) => `| ${x.what} | ${x.samples} | ${f(x.p50)} | ${f(x.p95)} | ${f(x.max)} |`),
    LATENCY_END,
  ].join('\n');
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`latency: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  });
}
