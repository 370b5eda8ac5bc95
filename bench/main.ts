// The benchmarks: `npm run bench` prints one table and writes it to BENCHMARKS.md.
//   npm run bench                          every size (10k, 100k, 1M, 2M, 10M tokens)
//   npm run bench -- --sizes 10k,100k,1M   some sizes; answers are measured on the largest up to 1M
//   npm run bench -- --quick               10k and 100k, a few needles: proves the benchmark works
//                                          (writes .cache/bench/BENCHMARKS.quick.md, not BENCHMARKS.md)
// Other flags: --model DIR (default models/mnemo-m2), --out FILE, --render (writes the report
// of the last run again from .cache/bench/run/measured.json, measuring nothing), --no-qa.
// Then the question-answering evaluation (bench/qa, also `npm run eval:qa`) writes its own
// section of the same file: its quick variant with --quick, else its default sets (books up to
// 1M tokens; 10M only with `npm run eval:qa -- --sizes 10M`).
// Every read runs in a child process (bench/child.ts) so that its peak memory is its own.
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseSize, sizeLabel } from './common';
import { MnemoTokenizer } from '../src/core/tokenizer';
import { readModelConfig, type ModelConfig } from '../src/core/model';
import { FLOP_FORMULA, fullAttentionBytes, fullAttentionFlops, logitFlops, recurrentFlops } from './attention';
import type { AttentionJob, AttentionOutcome, Job, ReadJob, ReadOutcome } from './jobs';
import { buildWorkspace, calibrate, planWorkspace, POOLS, prepareSources, shuffled, sourcePath, workspacePath, type SourceFile } from './corpus';
import { describeMachine } from './machine';
import { HOST_DELAY_END, HOST_DELAY_START, markedSection, withSection } from './sections';
import { describeNeedles, nameNeedles, plantPasskeys, type Needle } from './needles';
import { formatReport, type ReportInput } from './report';
import { parseQaArgs, runQa } from './qa/main';
import { extractSection } from './qa/report';

const repoRoot = resolve(__dirname, '..', '..');
const cacheRoot = join(repoRoot, '.cache', 'bench');

interface Options {
  readonly quick: boolean;
  readonly sizes: number[];
  readonly modelDir: string;
  readonly out: string;
  readonly command: string;
}


function parseArgs(argv: readonly string[]): Options {
  const quick = argv.includes('--quick');
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const sizes = value('--sizes')?.split(',').map(parseSize) ?? (quick ? [1e4, 1e5] : [1e4, 1e5, 1e6, 2e6, 1e7]);
  const modelDir = resolve(repoRoot, value('--model') ?? 'models/mnemo-m2');
  const out = resolve(repoRoot, value('--out') ?? (quick ? '.cache/bench/BENCHMARKS.quick.md' : 'BENCHMARKS.md'));
  return { quick, sizes: sizes.sort((a, b) => a - b), modelDir, out, command: ['npm run bench', ...(argv.length ? ['--', ...argv] : [])].join(' ') };
}

function log(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

/** Runs bench/child.js on one job; its stderr passes through. */
async function runChild<T>(job: Job): Promise<T> {
  const jobFile = `${job.out}.job.json`;
  writeFileSync(jobFile, JSON.stringify(job));
  const code = await new Promise<number | null>((done, fail) => {
    const child = spawn(process.execPath, [join(__dirname, 'child.js'), jobFile], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', fail);
    child.on('exit', (c) => done(c));
  });
  if (code !== 0) throw new Error(`the measurement process for ${job.task} exited with ${code}`);
  return JSON.parse(readFileSync(job.out, 'utf8')) as T;
}

interface Focus {
  readonly size: number;
  readonly needles: Needle[];
  readonly editFile: string;
}

/** Plants and picks the needles in the focus workspace, and the file the catch-up edits. */
function prepareFocus(dir: string, plan: readonly SourceFile[], size: number, quick: boolean): Focus {
  const n = quick ? 2 : 20;
  const needles = [...plantPasskeys(dir, plan, n), ...describeNeedles(dir, plan, n), ...nameNeedles(dir, plan, quick ? 2 : 10)];
  const code = shuffled(plan.filter((f) => f.pool === 'linux' && f.rel.endsWith('.c')), 3);
  const edit = code[0] ?? plan[0]!;
  return { size, needles, editFile: workspacePath(edit) };
}

export interface SizeResult {
  readonly size: number;
  readonly planned: number;
  readonly outcome?: ReadOutcome;
  readonly error?: string;
}

function modelCardTitle(modelDir: string): string | undefined {
  try {
    return /^#\s*(.+)$/m.exec(readFileSync(join(modelDir, 'MODEL_CARD.md'), 'utf8'))?.[1]?.trim();
  } catch {
    return undefined;
  }
}

/** Everything a report is made of, as plain data. */
type Measured = Omit<ReportInput, 'flops'>;

function render(measured: Measured, out: string): { table: string } {
  const config = measured.config;
  const report = formatReport({
    ...measured,
    flops: { formula: FLOP_FORMULA, recurrent: (n) => recurrentFlops(config, n), full: (n) => fullAttentionFlops(config, n), fullBytes: (n) => fullAttentionBytes(config, n), logits: (T) => logitFlops(config, T) },
  });
  // The QA evaluation, the host-delay and latency benchmarks write their own sections, after this
  // report's; notes written by hand sit between them. A new report replaces only its own part,
  // what comes before the QA section, and keeps everything from there on as it was.
  let old = '';
  try { old = readFileSync(out, 'utf8'); } catch { /* no file yet */ }
  const previous = extractSection(old);
  let next = previous ? `${report.markdown.replace(/\s*$/, '')}\n\n${old.slice(old.indexOf(previous))}` : report.markdown;
  const host = markedSection(old, HOST_DELAY_START, HOST_DELAY_END);
  if (host) next = withSection(next, host, HOST_DELAY_START, HOST_DELAY_END);
  writeFileSync(out, next);
  return report;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  if (process.argv.includes('--render')) {
    // Writes the report of the last run again (after a change to bench/report.ts), measuring nothing.
    const file = join(cacheRoot, 'run', 'measured.json');
    const report = render(JSON.parse(readFileSync(file, 'utf8')) as Measured, options.out);
    process.stdout.write(`${report.table}\n`);
    log(`wrote ${options.out} from ${file}`);
    return;
  }
  const started = Date.now();
  const machine = describeMachine(repoRoot);
  log(`${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB; ${machine.load}`);
  const runDir = join(cacheRoot, 'run');
  rmSync(runDir, { recursive: true, force: true });
  mkdirSync(runDir, { recursive: true });
  // Every measurement of a run uses one copy of the model, even if the folder is re-exported meanwhile.
  const modelDir = join(runDir, 'model');
  let config: ModelConfig;
  try {
    await readModelConfig(options.modelDir);
    cpSync(options.modelDir, modelDir, { recursive: true });
    config = await readModelConfig(modelDir);
  } catch (e) {
    throw new Error(`No usable model at ${options.modelDir} (${(e as Error).message.split('\n')[0]}). Pass --model DIR or put the model folder there.`);
  }
  log(`model ${config.id} ${config.version} from ${options.modelDir}`);
  const modelCard = modelCardTitle(modelDir);
  const files = prepareSources(repoRoot, cacheRoot, log);
  const tokenizer = await MnemoTokenizer.load(join(modelDir, config.tokenizer), config.specialTokens.pad);
  const bytesPerToken = calibrate(cacheRoot, tokenizer, files);
  log(`bytes per token: ${POOLS.map((p) => `${p} ${bytesPerToken[p].toFixed(2)}`).join(', ')}`);
  const count = (f: SourceFile): number => Math.ceil(f.bytes / bytesPerToken[f.pool]);

  const focusSize = [...options.sizes].reverse().find((s) => s <= 1e6) ?? options.sizes[0]!;

  // The same model without recurrence, first: it needs little time and no workspace.
  log('full attention against recurrent reading, same tokens');
  const docText = files.filter((f) => f.pool === 'linux-doc').sort((a, b) => b.bytes - a.bytes)[0]!;
  const maxT = config.maxDecoderPositions - config.memorySize;
  const lengths = [...new Set([64, 128, 256, maxT].filter((t) => t <= maxT))].sort((a, b) => a - b);
  let attention: AttentionOutcome | undefined;
  let attentionError: string | undefined;
  try {
    attention = await runChild<AttentionOutcome>({
      task: 'attention', out: join(runDir, 'attention.json'), modelDir,
      textFile: sourcePath(cacheRoot, docText), lengths, repeats: options.quick ? 2 : 5,
    } satisfies AttentionJob);
  } catch (e) {
    attentionError = (e as Error).message;
    log(`full attention: ${attentionError}`);
  }

  const results: SizeResult[] = [];
  const gpu = machine.gpu !== 'none';
  const gpuResults: SizeResult[] = [];
  let focus: Focus | undefined;
  // The report is written after every size, so that a run stopped before its largest sizes
  // (10M tokens takes long) still leaves the table of what it measured, all from this run.
  const writeReport = (finished: boolean): { table: string } => {
    const measured: Measured = {
      options: { quick: options.quick, command: options.command, sizes: options.sizes, finished },
      machine, config, modelCard, results, gpuResults, focusSize, needles: focus?.needles ?? [],
      attention, attentionError, minutes: (Date.now() - started) / 60000,
    };
    // Kept beside the run, so that `--render` can write the report again without measuring.
    writeFileSync(join(runDir, 'measured.json'), JSON.stringify(measured));
    return render(measured, options.out);
  };
  for (const size of options.sizes) {
    const plan = planWorkspace(files, size, count);
    const planned = plan.reduce((s, f) => s + count(f), 0);
    const dir = join(cacheRoot, 'workspaces', sizeLabel(size));
    buildWorkspace(cacheRoot, plan, dir);
    const isFocus = size === focusSize;
    if (isFocus) focus = prepareFocus(dir, plan, size, options.quick);
    log(`reading ${sizeLabel(size)}: ${plan.length} files, about ${planned} tokens${isFocus ? `; then ${focus!.needles.length} needles, latency and catch-up` : ''}`);
    try {
      const outcome = await runChild<ReadOutcome>({
        task: 'read', out: join(runDir, `read-${sizeLabel(size)}.json`), root: dir,
        cacheDir: join(runDir, `cache-${sizeLabel(size)}`), modelDir, device: 'cpu',
        focus: isFocus ? { needles: focus!.needles, latencyRepeats: options.quick ? 2 : 7, editFile: focus!.editFile } : undefined,
      } satisfies ReadJob);
      log(`  ${outcome.tokens} tokens in ${outcome.seconds.toFixed(1)} s (${Math.round(outcome.tokens / outcome.seconds)} tokens/s), peak RSS ${(outcome.maxRssKiB / 1024).toFixed(0)} MiB`);
      results.push({ size, planned, outcome });
    } catch (e) {
      log(`  ${sizeLabel(size)} failed: ${(e as Error).message}`);
      results.push({ size, planned, error: (e as Error).message });
    }
    if (gpu) {
      // The same read on whatever GPU provider the runtime picks (it falls back to cpu, and says so).
      try {
        const outcome = await runChild<ReadOutcome>({
          task: 'read', out: join(runDir, `read-gpu-${sizeLabel(size)}.json`), root: dir,
          cacheDir: join(runDir, `cache-gpu-${sizeLabel(size)}`), modelDir, device: 'auto',
        } satisfies ReadJob);
        log(`  on ${outcome.device}: ${Math.round(outcome.tokens / outcome.seconds)} tokens/s`);
        gpuResults.push({ size, planned, outcome });
      } catch (e) {
        gpuResults.push({ size, planned, error: (e as Error).message });
      }
    }
    // Workspaces of millions of tokens are rebuilt each run; do not leave them behind.
    if (size > 1e6) rmSync(dir, { recursive: true, force: true });
    writeReport(false);
  }

  const report = writeReport(true);
  process.stdout.write(`${report.table}\n`);
  log(`wrote ${options.out}`);
  if (results.some((r) => r.error) || attentionError) process.exitCode = 1;

  if (!process.argv.includes('--no-qa')) {
    log('question answering over held-out code and books (bench/qa)');
    try {
      const qaArgs = [...(options.quick ? ['--quick'] : []), '--model', options.modelDir, '--out', options.out];
      const qa = await runQa({ ...parseQaArgs(qaArgs), command: options.command });
      if (qa.section) process.stdout.write(`${qa.section}\n`);
    } catch (e) {
      log(`question answering failed: ${(e as Error).message}`);
      process.exitCode = 1;
    }
  }
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`bench: ${(e as Error).message}\n`);
    process.exit(1);
  });
}
