// How long the caller's event loop waits while a workspace is read: the engine on the caller's
// own thread (how the extension ran before) against the engine in a worker thread (how it runs
// now). In VS Code the caller is the extension host, shared by every extension, so its delay is
// what a user feels as a frozen editor. Both reads run in this process, one after the other, on
// the same workspace, each into an empty cache.
//   npm run build && node out/bench/hostDelay.js [--tokens 1M] [--model DIR]
// Writes its table into BENCHMARKS.md between the host-delay markers (the rest is left alone).
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Engine, EngineOptions } from '../src/core/api';
import { openEngine } from '../src/core/engine';
import { openEngineInWorker } from '../src/core/host/remoteEngine';
import { buildWorkspace, planWorkspace, prepareSources, type SourceFile } from './corpus';
import { describeMachine } from './machine';
import { HOST_DELAY_END as END, HOST_DELAY_START as START, withSection } from './sections';

const repoRoot = resolve(__dirname, '..', '..');
const cacheRoot = join(repoRoot, '.cache', 'bench');
/** Bytes per token of the mixed pools, close enough to plan a workspace (measured tokens are reported). */
const BYTES_PER_TOKEN = 3.5;

interface Row {
  readonly where: string;
  readonly tokens: number;
  readonly seconds: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

function arg(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function parseTokens(s: string): number {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(s);
  if (!m) throw new Error(`--tokens: "${s}" is not a size like 100k or 1M`);
  return Math.round(Number(m[1]) * ({ k: 1e3, m: 1e6 }[m[2]!.toLowerCase()] ?? 1));
}

async function measure(where: string, open: (o: EngineOptions) => Promise<Engine>, root: string): Promise<Row> {
  const cacheDir = join(cacheRoot, 'host-delay', `cache-${where}`);
  rmSync(cacheDir, { recursive: true, force: true });
  const modelDir = resolve(repoRoot, arg('--model') ?? 'models/mnemo-m2');
  const engine = await open({ root, cacheDir, modelDir, device: 'cpu' });
  try {
    const h = monitorEventLoopDelay({ resolution: 5 });
    h.enable();
    const r = await engine.read();
    h.disable();
    const ms = (ns: number): number => ns / 1e6;
    return { where, tokens: r.tokensRead, seconds: r.seconds, p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) };
  } finally {
    await engine.dispose();
  }
}

function render(rows: readonly Row[]): string {
  const machine = describeMachine(repoRoot);
  const lines = [
    START,
    '## Event-loop delay of the host while reading',
    '',
    `Command: \`node out/bench/hostDelay.js ${process.argv.slice(2).join(' ')}\` (after \`npm run build\`), ${new Date().toISOString().slice(0, 10)}.`,
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}, onnxruntime-node ${machine.onnxruntime}; ${machine.load}.`,
    'The delay is how late a timer on the caller\'s thread fires (perf_hooks.monitorEventLoopDelay, 5 ms resolution) during the whole read; goal p99 ≤ 50 ms.',
    '',
    '| engine runs | tokens read | read (s) | delay p50 (ms) | delay p99 (ms) | delay max (ms) |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.where} | ${r.tokens.toLocaleString('en-US')} | ${r.seconds.toFixed(1)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.max.toFixed(1)} |`),
    END,
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const tokens = parseTokens(arg('--tokens') ?? '1M');
  const files = prepareSources(repoRoot, cacheRoot, (l) => process.stderr.write(`${l}\n`));
  const plan = planWorkspace(files, tokens, (f: SourceFile) => Math.ceil(f.bytes / BYTES_PER_TOKEN));
  const root = join(cacheRoot, 'host-delay', `ws-${tokens}`);
  if (!existsSync(root)) {
    mkdirSync(root, { recursive: true });
    buildWorkspace(cacheRoot, plan, root);
  }
  const worker = resolve(__dirname, '..', '..', 'dist', 'engineWorker.js');
  const rows = [
    await measure('on the caller\'s thread (before)', openEngine, root),
    await measure('in a worker thread (now)', (o) => openEngineInWorker(o, worker), root),
  ];
  const table = render(rows);
  process.stdout.write(`${table}\n`);
  const out = resolve(repoRoot, arg('--out') ?? 'BENCHMARKS.md');
  writeFileSync(out, withSection(existsSync(out) ? readFileSync(out, 'utf8') : '', table, START, END));
}

main().catch((e: unknown) => {
  process.stderr.write(`hostDelay: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
