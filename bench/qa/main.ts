// The question-answering evaluation: held-out code and books (models/heldout.json), lexical,
// model keys and fused retrieval side by side; writes its section of BENCHMARKS.md.
//   npm run eval:qa                         test sets, books at 4k, 128k and 1M tokens, bAbI
//                                           QA1/QA2 stories hidden in the book at 16k, 128k, 1M
//   npm run eval:qa -- --quick              a fixed sample of each test code set and 4k books
//                                           (writes .cache/bench/BENCHMARKS.quick.md)
//   npm run eval:qa -- --sets dev,kjv       splits and/or sources (email, click, kjv, …)
//   npm run eval:qa -- --sets dev,natural   hand-written questions on real books (bench/qa/natural/,
//                                           Debian packages; a book not installed is skipped); by
//                                           book: debian-handbook (dev), gnu-standards,
//                                           debian-reference (test). Never in --quick or tuning;
//                                           dev failures go to .cache/bench/qa/natural-dev.md
//   npm run eval:qa -- --sizes 4k,1M,10M    book sizes (10M reads for a long time on a CPU)
//   npm run eval:qa -- --babi-sizes 16k     bAbI QA1/QA2 haystack sizes (bench/qa/babiSets.ts;
//                                           default 16k,128k,1M, 16k with --quick); --no-babi: none
//   npm run eval:qa -- --model DIR          another model folder (default models/mnemo-m2)
//   npm run eval:qa -- --render             writes the section again from the last results.json
//   npm run eval:qa -- --tune               dev sets only (books 4k and 128k unless --sizes):
//                                           the fused mode's lexical share and lexical margin on
//                                           a grid (bench/qa/tune.ts), prints the grid and the
//                                           best (model.json retrieval.fusionWeight and
//                                           retrieval.lexicalMargin, and per language
//                                           retrieval.languages) and writes it to
//                                           .cache/bench/qa/tune.md; writes nothing else
//   npm run eval:qa -- --tune-rerank        dev sets (books 4k, 128k unless --sizes): the rerank
//                                           graph's weight and candidates (bench/qa/tuneRerank.ts);
//                                           prints the grid and the choice, saved in
//                                           .cache/bench/qa/rerank.md; writes nothing else
//   npm run eval:qa -- --tune-span          dev sets (books 4k, 128k unless --sizes):
//                                           model.json answers.spanThreshold, the lowest span
//                                           confidence keeping 95% exact answers on the dev
//                                           book's facts and every dev set's top-1 citation
//                                           (bench/qa/spanThreshold.ts); writes
//                                           .cache/bench/qa/span-threshold.md and nothing else
// Workspaces and the engine's memory of them are kept in .cache/bench/qa (re-runs reuse them);
// per-question outcomes go to .cache/bench/qa/results.json.
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { loadModel, readModelConfig, type ModelConfig } from '../../src/core/model';
import { MnemoTokenizer } from '../../src/core/tokenizer';
import type { Question, QuestionSet, Split } from './questions';
import { formatQaSection, groupSummaries, spliceSection, summarise } from './report';
import { naturalFailures } from './naturalReport';
import { readNaturalBooks } from './natural';
import { MODE_QUERY, modelCacheKey, modesFor, runSet, type Mode, type SetOutcome } from './run';
import { findRepoRoot, parseSize, sizeLabel } from '../common';
import { BABI_SIZES } from './babiSets';
import { BOOK_SIZES, buildSets, readHeldout, type SetSelection } from './sets';
import { tuneSpanThreshold } from './spanThreshold';
import { tuneRerank } from './tuneRerank';
import { tuneReport, tuneSet, type TunedSet } from './tune';

const repoRoot = findRepoRoot(__dirname);
const cacheRoot = join(repoRoot, '.cache', 'bench', 'qa');

/** Books are one file each; the 10M haystack is ~40 MB. */
const MAX_FILE_BYTES = 256 * 2 ** 20;
/** Questions asked per code set in a quick run, and its sources: one Python and one JavaScript repository and the test book (CI runs it; it must stay near a minute). */
const QUICK_SAMPLE = 15;
const QUICK_SOURCES = ['email', 'commander', 'kjv'];

export interface QaOptions {
  readonly quick: boolean;
  readonly tune: boolean;
  /** Choose answers.spanThreshold on the dev book's facts (spanThreshold.ts). */
  readonly tuneSpan?: boolean;
  /** Choose retrieval.rerankWeight and rerankCandidates on the dev sets (tuneRerank.ts). */
  readonly tuneRerank?: boolean;
  /** Write the section again from the last results.json, measuring nothing. */
  readonly render?: boolean;
  readonly modelDir: string;
  readonly selection: SetSelection;
  /** Markdown file whose QA section is written; undefined = none. */
  readonly out?: string;
  readonly command: string;
}

/** Flags eval:qa takes: those with a value, then switches. An unknown one is an error, never a full run. */
const VALUE_FLAGS = ['--sets', '--sizes', '--babi-sizes', '--model', '--out'];
const SWITCHES = ['--quick', '--tune', '--tune-span', '--tune-rerank', '--render', '--no-babi'];

/** The usage text: this file's opening comment. */
export const QA_USAGE = `Usage:
  npm run eval:qa [-- options]
    --sets dev,kjv,...   splits (test, dev) and/or sources (email, click, kjv, ...,
                         natural: the hand-written questions on real books); default test
    --sizes 4k,128k,1M   book sizes (also 10M: a long read on a CPU)
    --babi-sizes 16k,... bAbI QA1/QA2 haystack sizes (default 16k,128k,1M); --no-babi: none
    --model DIR          model folder (default models/mnemo-m2)
    --out FILE           where the section is written (default BENCHMARKS.md)
    --quick              a fixed sample of the test sets, 4k books, 16k bAbI
    --render             write the section again from the last results.json
    --tune               choose the fusion settings on the dev sets (writes nothing else)
    --tune-span          choose answers.spanThreshold on the dev sets (writes nothing else)
    --tune-rerank        choose the rerank graph's weight on the dev sets (writes nothing else)
    --help               this text`;

export function parseQaArgs(argv: readonly string[], command = 'npm run eval:qa'): QaOptions {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (VALUE_FLAGS.includes(a)) {
      if (argv[i + 1] === undefined || argv[i + 1]!.startsWith('--')) throw new Error(`${a} needs a value\n${QA_USAGE}`);
      i++;
    } else if (!SWITCHES.includes(a)) throw new Error(`unknown option ${a}\n${QA_USAGE}`);
  }
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const quick = argv.includes('--quick');
  const tuneSpan = argv.includes('--tune-span');
  const tuneRerank = argv.includes('--tune-rerank');
  const tune = argv.includes('--tune') && !tuneSpan && !tuneRerank;
  const tuning = tune || tuneSpan || tuneRerank;
  const names = value('--sets')?.split(',').map((s) => s.trim()).filter(Boolean) ?? [];
  const splits = names.filter((n): n is Split => n === 'test' || n === 'dev');
  const sources = names.filter((n) => n !== 'test' && n !== 'dev');
  const sizes = value('--sizes')?.split(',').map(parseSize) ?? (quick ? [4_000] : tuneSpan || tuneRerank || tune ? [4_000, 128_000] : [4_000, 128_000, 1_000_000]);
  for (const s of sizes) if (!BOOK_SIZES.some((b) => b.tokens === s)) throw new Error(`--sizes: ${sizeLabel(s)} is not one of ${BOOK_SIZES.map((b) => sizeLabel(b.tokens)).join(', ')}`);
  // Tuning never looks at the bAbI stories: they are measured, not tuned on.
  const babiSizes = tuning || argv.includes('--no-babi') ? [] : value('--babi-sizes')?.split(',').map(parseSize) ?? (quick ? [16_000] : BABI_SIZES.map((b) => b.tokens));
  for (const s of babiSizes) if (!BABI_SIZES.some((b) => b.tokens === s)) throw new Error(`--babi-sizes: ${sizeLabel(s)} is not one of ${BABI_SIZES.map((b) => sizeLabel(b.tokens)).join(', ')}`);
  const selection: SetSelection = {
    // Tuning looks at dev sets only, whatever else is asked.
    splits: tuning ? ['dev'] : splits.length ? splits : ['test'],
    sources: names.length ? sources : quick && !tune ? QUICK_SOURCES : [], sizes,
    codeSample: quick ? QUICK_SAMPLE : undefined,
    haystacks: quick ? 2 : undefined,
    babiSizes,
    // Retrieval tuning leaves the hand-written natural questions alone (bench/qa/natural.ts); the
    // span threshold counts the dev book's answers among the dev answers it must keep precise.
    natural: !tune && !tuneRerank,
  };
  const out = value('--out') ?? (quick ? '.cache/bench/BENCHMARKS.quick.md' : 'BENCHMARKS.md');
  return {
    quick, tune, tuneSpan, tuneRerank, render: argv.includes('--render'), selection, command: [command, ...(argv.length ? ['--', ...argv] : [])].join(' '),
    modelDir: resolve(repoRoot, value('--model') ?? 'models/mnemo-m2'),
    out: tuning ? undefined : resolve(repoRoot, out),
  };
}

function log(line: string): void {
  process.stderr.write(`[qa ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

async function bytesPerTokenOf(modelDir: string): Promise<(sample: string) => number> {
  const config = await readModelConfig(modelDir);
  const tokenizer = await MnemoTokenizer.load(join(modelDir, config.tokenizer), config.specialTokens.pad);
  return (sample) => Buffer.byteLength(sample, 'utf8') / Math.max(1, tokenizer.encode(sample).length);
}

/** Runs the evaluation; returns the Markdown section (also spliced into options.out). */
export async function runQa(options: QaOptions): Promise<{ section?: string; results: readonly SetOutcome[]; tune?: string }> {
  runStarted = Date.now();
  if (options.render) {
    // The last run's outcomes, written again (after a change to bench/qa/report.ts), measuring nothing.
    const file = join(cacheRoot, 'results.json');
    const saved = JSON.parse(readFileSync(file, 'utf8')) as SavedResults;
    const section = renderSection(saved, saved.finished ?? true);
    if (options.out) writeFileSync(options.out, spliceSection(existsSync(options.out) ? readFileSync(options.out, 'utf8') : '# Benchmarks\n', section));
    log(`wrote the QA section of ${options.out} from ${file}`);
    return { section, results: saved.results };
  }
  const config = await readModelConfig(options.modelDir);
  const memoryDir = join(cacheRoot, 'memory', modelCacheKey(options.modelDir));
  mkdirSync(memoryDir, { recursive: true });
  log(`model ${config.id} ${config.version} from ${options.modelDir}; memory cached in ${memoryDir}`);
  const sets = await buildSets(repoRoot, join(cacheRoot, 'workspaces'), options.selection, await bytesPerTokenOf(options.modelDir), log);
  if (options.tune) return { results: [], tune: await tune(options, sets, memoryDir) };
  if (options.tuneSpan) {
    const body = `${options.command} (${new Date().toISOString().slice(0, 10)})\n\n${await tuneSpanThreshold(options.modelDir, sets, memoryDir, MAX_FILE_BYTES, log)}\n`;
    writeFileSync(join(cacheRoot, 'span-threshold.md'), body);
    return { results: [], tune: body };
  }
  if (options.tuneRerank) {
    const body = `${options.command} (${new Date().toISOString().slice(0, 10)})\n\n${await tuneRerank(options.modelDir, sets, memoryDir, MAX_FILE_BYTES, log)}\n`;
    writeFileSync(join(cacheRoot, 'rerank.md'), body);
    return { results: [], tune: body };
  }
  const questions = new Map<string, Question>();
  for (const s of sets) for (const q of [...s.questions, ...(s.unanswerable ?? [])]) questions.set(q.id, q);
  const results: SetOutcome[] = [];
  const modes = modesFor(config);
  for (const set of sets) {
    const t0 = Date.now();
    const r = await runSet(set, { modelDir: options.modelDir, cacheDir: memoryDir, modes, maxFileBytes: MAX_FILE_BYTES, log });
    results.push(r);
    const by = modes.map((m) => {
      const of = r.outcomes.filter((o) => o.mode === m);
      return of.length ? `${m} ${of.filter((o) => o.top1Lines).length}/${of.length}` : undefined;
    }).filter(Boolean);
    const exact = set.kind === 'babi' ? `; exact ${modes.map((m) => {
      const of = r.outcomes.filter((o) => o.mode === m);
      return `${m} ${of.filter((o) => o.exact).length}/${of.length}`;
    }).join(', ')}` : '';
    const natural = set.kind === 'natural' ? `; exact / wrong / unsure ${modes.map((m) => {
      const of = r.outcomes.filter((o) => o.mode === m);
      return `${m} ${(['exact', 'wrong', 'unsure'] as const).map((v) => of.filter((o) => o.verdict === v).length).join('/')}`;
    }).join(', ')}` : '';
    const anyway = r.unanswerable?.length ? `; unanswerable answered anyway ${modes.map((m) => {
      const of = r.unanswerable!.filter((o) => o.mode === m);
      return `${m} ${of.filter((o) => o.answeredAnyway).length}/${of.length}`;
    }).join(', ')}` : '';
    // Written after every set, so that a run stopped before its largest books still leaves
    // what it measured.
    writeReport(options, config, questions, results, false);
    log(`${set.name}: ${r.read.filesRead} files read, ${r.read.filesReused} reused from saved memory (${r.read.tokens} tokens, ${r.read.seconds.toFixed(1)} s); top-1 lines ${by.join(', ')}${exact}${natural}${anyway} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
  const section = writeReport(options, config, questions, results, true);
  const failures = naturalFailures(results.filter((r) => r.set.kind === 'natural' && r.set.split === 'dev'), questions, readNaturalBooks(repoRoot));
  if (failures) {
    writeFileSync(join(cacheRoot, 'natural-dev.md'), `${options.command} (${new Date().toISOString().slice(0, 10)})\n\n${failures}`);
    log(`wrote the dev natural questions' wrong answers and uncited evidence to ${join(cacheRoot, 'natural-dev.md')}`);
  }
  return { section, results };
}

function writeResults(options: QaOptions, config: ModelConfig, questions: ReadonlyMap<string, Question>, results: readonly SetOutcome[], finished: boolean): SavedResults {
  mkdirSync(cacheRoot, { recursive: true });
  const body: SavedResults = {
    command: options.command, model: `${config.id} ${config.version}`, quick: options.quick, sizes: options.selection.sizes, babiSizes: options.selection.babiSizes ?? [],
    minutes: (Date.now() - runStarted) / 60000, load: `${startLoad.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end`,
    finished, questions: [...questions.values()], results,
  };
  writeFileSync(join(cacheRoot, 'results.json'), JSON.stringify(body, null, 1));
  return body;
}

const startLoad = loadavg()[0]!;
let runStarted = Date.now();

/** What results.json holds: enough to write the section again (`--render`). */
interface SavedResults {
  readonly command: string;
  readonly model: string;
  readonly quick?: boolean;
  readonly sizes?: readonly number[];
  readonly babiSizes?: readonly number[];
  readonly minutes?: number;
  readonly load?: string;
  readonly finished?: boolean;
  readonly questions: Question[];
  readonly results: readonly SetOutcome[];
}

/** The modes the saved outcomes hold, in the report's order. */
function modesIn(results: readonly SetOutcome[]): Mode[] {
  const seen = new Set(results.flatMap((r) => r.outcomes.map((o) => o.mode)));
  return (Object.keys(MODE_QUERY) as Mode[]).filter((m) => seen.has(m));
}

function renderSection(saved: SavedResults, finished: boolean): string {
  const questions = new Map(saved.questions.map((q) => [q.id, q]));
  const groups = groupSummaries(saved.results, (id) => questions.get(id)?.depth, (id) => questions.get(id)?.template);
  const wantedSizes = saved.sizes ?? [];
  const notRun = [
    ...(finished ? [] : ['the sets after the last row (the run was stopped or is still running)']),
    ...BOOK_SIZES.filter((b) => !wantedSizes.includes(b.tokens)).map((b) => `${sizeLabel(b.tokens)}-token books`),
    ...BABI_SIZES.filter((b) => !(saved.babiSizes ?? []).includes(b.tokens)).map((b) => `${sizeLabel(b.tokens)}-token bAbI haystacks`),
  ];
  return formatQaSection({
    command: saved.command, date: new Date().toISOString().slice(0, 10), minutes: saved.minutes ?? NaN,
    model: saved.model, quick: saved.quick ?? false, groups, notRun, load: saved.load ?? 'not recorded',
    modes: modesIn(saved.results),
  });
}

function writeReport(options: QaOptions, config: ModelConfig, questions: ReadonlyMap<string, Question>, results: readonly SetOutcome[], finished: boolean): string {
  const saved = writeResults(options, config, questions, results, finished);
  const section = renderSection(saved, finished);
  if (options.out) {
    const before = existsSync(options.out) ? readFileSync(options.out, 'utf8') : '# Benchmarks\n';
    writeFileSync(options.out, spliceSection(before, section));
    if (finished) log(`wrote the QA section of ${options.out}`);
  }
  return section;
}

/** Ranks every dev set under every fusion setting of the grid; prints and saves the table and the choice. */
async function tune(options: QaOptions, sets: readonly QuestionSet[], memoryDir: string): Promise<string> {
  const model = await loadModel(options.modelDir, 'cpu', { info() {}, debug() {}, warn: log, error: log });
  // Sources this model's training read (models/heldout.json readByTraining) may only veto.
  const read = new Set(readHeldout(repoRoot).code.dev.filter((s) => s.readByTraining?.includes(model.config.id)).map((s) => s.name));
  const tuned: TunedSet[] = [];
  try {
    for (const set of sets) {
      const t0 = Date.now();
      tuned.push(await tuneSet(set, model, options.modelDir, memoryDir, MAX_FILE_BYTES, read.has(set.source)));
      log(`${set.name}: ${set.questions.length} questions ranked under every setting (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    }
  } finally {
    await model.runtime.dispose();
  }
  const { text } = tuneReport(tuned);
  const body = `${options.command} (${((Date.now() - runStarted) / 60000).toFixed(1)} min, ${new Date().toISOString().slice(0, 10)})\n\n${text}\n`;
  mkdirSync(cacheRoot, { recursive: true });
  writeFileSync(join(cacheRoot, 'tune.md'), body);
  return body;
}

// Run as a command only when this file is the entry point: bundled into out/bench/main.js (the
// main benchmark imports runQa), `require.main === module` is true there too, and the main
// benchmark's own flags would start a second, unwanted QA run.
if (require.main === module && /qa[\\/]main\.js$/.test(process.argv[1] ?? '') && (process.argv.includes('--help') || process.argv.includes('-h'))) {
  process.stdout.write(`${QA_USAGE}\n`);
} else if (require.main === module && /qa[\\/]main\.js$/.test(process.argv[1] ?? '')) {
  Promise.resolve().then(() => runQa(parseQaArgs(process.argv.slice(2)))).then(({ section, tune: tuned }) => {
    if (section) process.stdout.write(`${section}\n`);
    if (tuned) process.stdout.write(tuned);
  }).catch((e: unknown) => {
    process.stderr.write(`eval:qa: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  });
}
