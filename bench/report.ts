// Turns the measurements of one run into the table `npm run bench` prints, and BENCHMARKS.md.
import type { ModelConfig } from '../src/core/model';
import type { AttentionOutcome, Method, ReadOutcome } from './jobs';
import type { Machine } from './machine';
import type { Needle, NeedleKind } from './needles';

export interface Row {
  readonly measure: string;
  readonly workspace: string;
  readonly result: string;
  readonly goal: string;
  readonly verdict: string;
}

export interface ReportInput {
  readonly options: { readonly quick: boolean; readonly command: string; readonly sizes: readonly number[]; readonly finished: boolean };
  readonly machine: Machine;
  readonly config: ModelConfig;
  /** The title line of the model's MODEL_CARD.md: says whether it is a trained export. */
  readonly modelCard?: string;
  readonly results: readonly { readonly size: number; readonly planned: number; readonly outcome?: ReadOutcome; readonly error?: string }[];
  /** The same reads on a GPU provider; empty when the machine has none. */
  readonly gpuResults: ReportInput['results'];
  readonly focusSize: number;
  readonly needles: readonly Needle[];
  readonly attention: AttentionOutcome | undefined;
  readonly attentionError: string | undefined;
  readonly minutes: number;
  readonly flops: {
    readonly formula: string;
    recurrent(n: number): number;
    full(n: number): number;
    fullBytes(n: number): number;
    /** FLOPs of decoder_prefill's logits at T positions, counted into its measured rate. */
    logits(T: number): number;
  };
}

const ALL_SIZES = [1e4, 1e5, 1e6, 2e6, 1e7];

function label(n: number): string {
  return n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n);
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

function si(x: number, unit: string): string {
  const prefixes: [number, string][] = [[1e18, 'E'], [1e15, 'P'], [1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']];
  for (const [f, p] of prefixes) if (Math.abs(x) >= f) return `${(x / f).toPrecision(3)} ${p}${unit}`;
  return `${x.toPrecision(3)} ${unit}`;
}

function duration(seconds: number): string {
  if (seconds < 1) return `${(seconds * 1000).toFixed(0)} ms`;
  if (seconds < 120) return `${seconds.toFixed(1)} s`;
  if (seconds < 7200) return `${(seconds / 60).toFixed(1)} min`;
  if (seconds < 2 * 86400) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(0)} days`;
}

function verdict(ok: boolean): string {
  return ok ? 'met' : 'missed';
}

/** max/min − 1 over the values: how far from flat. */
function spread(xs: readonly number[]): number {
  return Math.max(...xs) / Math.min(...xs) - 1;
}

export function buildRows(input: ReportInput): Row[] {
  const rows: Row[] = [];
  const add = (measure: string, workspace: string, result: string, goal = '', v = ''): void => {
    rows.push({ measure, workspace, result, goal, verdict: v });
  };
  const measured = input.results.filter((r) => r.outcome) as { size: number; planned: number; outcome: ReadOutcome }[];

  for (const size of ALL_SIZES) {
    const r = input.results.find((x) => x.size === size);
    if (!r) {
      const why = input.options.sizes.includes(size) ? 'not run: the run was stopped before this size' : 'not run in this run (see the command)';
      add('Reading throughput, CPU', label(size), why);
      continue;
    }
    if (!r.outcome) { add('Reading throughput, CPU', label(size), `failed: ${r.error}`); continue; }
    const o = r.outcome;
    add('Reading throughput, CPU', label(size), `${Math.round(o.tokens / o.seconds).toLocaleString('en-US')} tokens/s (${o.tokens.toLocaleString('en-US')} tokens, ${o.files} files, ${duration(o.seconds)})`);
  }
  if (input.gpuResults.length === 0) add('Reading throughput, GPU', 'all', 'not run: no GPU on this machine');
  for (const r of input.gpuResults) {
    const o = r.outcome;
    add('Reading throughput, GPU', label(r.size), o ? `${Math.round(o.tokens / o.seconds).toLocaleString('en-US')} tokens/s on the ${o.device} provider` : `failed: ${r.error}`);
  }

  if (measured.length > 0) {
    const perToken = measured.map((r) => (r.outcome.seconds / r.outcome.tokens) * 1e6);
    const cpuPerToken = measured.map((r) => (r.outcome.cpuSeconds / r.outcome.tokens) * 1e6);
    const rss = measured.map((r) => r.outcome.maxRssKiB / 1024);
    measured.forEach((r, i) => {
      add('Time per token', label(r.size), `${perToken[i]!.toFixed(1)} µs wall, ${cpuPerToken[i]!.toFixed(1)} µs CPU (load average ${r.outcome.loadAverage.toFixed(1)} at the end)`);
      const end = r.outcome.memoryAtEnd;
      const breakdown = end ? `; at the end ${end.rssMiB} MiB resident, of which JS heap ${end.heapUsedMiB} MiB and ArrayBuffers ${end.arrayBuffersMiB} MiB` : '';
      add('Peak resident memory', label(r.size), `${rss[i]!.toFixed(0)} MiB (${(r.outcome.maxRssOpenKiB / 1024).toFixed(0)} MiB once the model is loaded${breakdown})`);
    });
    // Over every size, and again without the smallest (seconds long, so start-up weighs on it).
    const groups = [measured.map((_, i) => i)];
    if (measured.length > 2 && measured[0]!.size < 1e5) groups.push(groups[0]!.slice(1));
    for (const idx of groups) {
      if (idx.length < 2) continue;
      const sizes = idx.map((i) => label(measured[i]!.size)).join(', ');
      const s = spread(idx.map((i) => perToken[i]!));
      const c = spread(idx.map((i) => cpuPerToken[i]!));
      // Wall time carries the load of other processes on a shared machine; CPU time much less.
      add('Time per token: spread over sizes', sizes, `${(s * 100).toFixed(1)} % wall, ${(c * 100).toFixed(1)} % CPU (max/min − 1)`, '≤ 10 % (linear time)', `wall ${verdict(s <= 0.1)}, CPU ${verdict(c <= 0.1)}`);
      const m = spread(idx.map((i) => rss[i]!));
      add('Peak resident memory: spread over sizes', sizes, `${(m * 100).toFixed(1)} % (max/min − 1)`, '≤ 10 % (constant memory)', verdict(m <= 0.1));
    }
    for (const r of measured) {
      const mb = r.outcome.diskBytes / 1e6 / (r.outcome.tokens / 1e6);
      // Below a million tokens the fixed part of the saved file (header, per-file records) weighs in.
      const judged = r.size >= 1e6;
      add('Saved memory per million tokens', label(r.size), `${mb.toFixed(2)} MB (${(r.outcome.diskBytes / 1e6).toFixed(2)} MB for ${r.outcome.tokens.toLocaleString('en-US')} tokens)`, judged ? '≤ 8 MB' : '', judged ? verdict(mb <= 8) : '');
    }
  }

  const focus = measured.find((r) => r.size === input.focusSize)?.outcome;
  const focusLabel = label(input.focusSize);
  if (focus?.focus) {
    const f = focus.focus;
    const fraction = f.catchUp.seconds / focus.seconds;
    add('Catch-up after appending a line to one file', focusLabel, `${(fraction * 100).toFixed(2)} % of a full read (${duration(f.catchUp.seconds)} for ${f.catchUp.filesRead} file, ${f.catchUp.tokensRead.toLocaleString('en-US')} tokens; full read ${duration(focus.seconds)})`, '≤ 2 %', verdict(fraction <= 0.02));
    if (f.failures.length) add('Failed answers (left out of the latencies)', focusLabel, f.failures.join('; '));
    const latency = (measure: string, ms: readonly number[], goalMs: number, goal: string): void => {
      if (ms.length === 0) { add(measure, focusLabel, 'not measured: every attempt failed (see the failed answers)', goal, 'missed'); return; }
      const m = median(ms);
      add(measure, focusLabel, `${m.toFixed(0)} ms median of ${ms.length} (${Math.min(...ms).toFixed(0)}–${Math.max(...ms).toFixed(0)})`, goal, verdict(m <= goalMs));
    };
    latency('ask: time to the first answer token', f.askFirstTokenMs, 1500, '≤ 1.5 s');
    latency('Hover: whole explain (fast mode)', f.hoverMs, 300, '≤ 300 ms');
    const kinds: NeedleKind[] = ['passkey', 'describe', 'name'];
    for (const kind of [...kinds, undefined]) {
      const of = f.needles.filter((n) => kind === undefined || n.kind === kind);
      if (of.length === 0) continue;
      const score = (m: Method): string => `${of.filter((n) => n.top1[m]).length}/${of.length}`;
      add(`Top-1 retrieval, ${kind ?? 'all'} needles`, focusLabel, `model keys ${score('model')}, lexical index ${score('lexical')}, engine (fused, auto) ${score('auto')}`);
    }
  } else {
    add('Catch-up, latency, retrieval', focusLabel, 'not measured: the read of this workspace failed');
  }

  const { flops, config } = input;
  for (const n of [input.focusSize, 1e7]) {
    const rec = flops.recurrent(n);
    const full = flops.full(n);
    add('FLOPs to read, recurrent vs full attention', label(n), `${si(rec, 'FLOP')} vs ${si(full, 'FLOP')} (full attention ×${(full / rec).toFixed(0)}); full attention would hold ${si(flops.fullBytes(n), 'B')}`);
  }
  if (input.attention) {
    for (const row of input.attention.rows) {
      add('Measured: decoder_prefill (full attention) vs reader segments', `${row.tokens} tokens`, `${(row.fullSeconds * 1000).toFixed(1)} ms vs ${(row.recurrentSeconds * 1000).toFixed(1)} ms`);
    }
    const last = input.attention.rows[input.attention.rows.length - 1]!;
    // FLOP rate of full attention at the longest T it has positions for.
    const rate = (flops.full(last.tokens + config.memorySize) + flops.logits(last.tokens)) / last.fullSeconds;
    for (const n of [input.focusSize, 1e7]) {
      const t = flops.full(n) / rate;
      const rec = focus ? (n * focus.seconds) / focus.tokens : NaN;
      add('EXTRAPOLATED: full attention over the whole input', label(n), `≈ ${duration(t)} at the ${si(rate, 'FLOP/s')} measured at ${last.tokens} tokens; recurrent reading ${Number.isNaN(rec) ? 'n/a' : `${duration(rec)} (measured rate)`}; the model has positions for only ${config.maxDecoderPositions}`);
    }
  } else {
    add('Measured: full attention vs reader segments', '', `failed: ${input.attentionError}`);
  }
  return rows;
}

function markdownTable(rows: readonly Row[]): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  return [
    '| Measure | Workspace | Result | Goal | Verdict |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${esc(r.measure)} | ${esc(r.workspace)} | ${esc(r.result)} | ${esc(r.goal)} | ${esc(r.verdict)} |`),
  ].join('\n');
}

export function formatReport(input: ReportInput): { table: string; markdown: string } {
  const rows = buildRows(input);
  const table = markdownTable(rows);
  const m = input.machine;
  const c = input.config;
  const notRun = ALL_SIZES.filter((s) => !input.results.some((r) => r.size === s)).map(label);
  const byKind = (k: NeedleKind): number => input.needles.filter((n) => n.kind === k).length;
  const markdown = `# Benchmarks

Written by \`${input.options.command}\` on ${new Date().toISOString().slice(0, 10)} (${input.options.finished ? 'the run took' : 'the run was stopped after'} ${input.minutes.toFixed(0)} min).
Benchmarks are not tests and never run in CI; \`npm run bench -- --quick\` proves that the
benchmark itself still works.

## Machine

- CPU: ${m.cpu}, ${m.cores} cores; ${m.memoryGiB} GiB memory; ${m.os}
- GPU: ${m.gpu} (the GPU rows say so when there is none)
- Node ${m.node}, onnxruntime-node ${m.onnxruntime}, execution provider \`cpu\`
- Model: ${c.id} ${c.version} (S=${c.segmentLength}, M=${c.memorySize}, D=${c.dModel}, ${c.nLayers} layers, ${c.nHeads} heads, K=${c.keyDim})${input.modelCard ? `; its MODEL_CARD.md: "${input.modelCard}". Retrieval by model keys measures its training; every other row depends only on its shape.` : ''}
- Load when the run started: ${m.load}.
  The machine is shared: model training may run beside the benchmark, so absolute times are
  pessimistic and vary; compare the numbers of one run with each other (ratios, spreads).

## Results

${table}

## How each number is made

- **Inputs**, real and written by no one here, prepared by \`bench/corpus.ts\` into \`.cache/bench\`:
  the TypeScript compiler as npm ships it (\`node_modules/typescript\`: its .js and .d.ts files),
  a slice of Debian's \`linux-source-6.1\` (\`.c\`/\`.h\` of kernel, mm, fs, lib, block, ipc, init,
  net, include/linux) and Debian's \`linux-doc-6.1\` (the reStructuredText of Documentation/).
  A workspace of N tokens takes about a third of N from each, files in a fixed pseudo-random
  order; files over 1 MiB are left out, and so is any file over 1/16 of the workspace's tokens
  (a file is read serially in one row of the reader's batch of 8: one file holding a quarter of
  a workspace would be read alone at the end and the sizes would compare their largest files).
  Small workspaces are therefore made of small files, with more padding in their last
  segments. Token counts in the table are the engine's own.
- **Throughput, time per token, memory**: each workspace is read by \`openEngine(...).read()\`
  with a fresh cache, on the \`cpu\` provider, in a process of its own; peak resident memory is
  that process's \`ru_maxrss\` (\`process.resourceUsage().maxRSS\`). Seconds are the read's own
  (\`ReadResult.seconds\`), model loading excluded; CPU time is the process's user + system
  time over the read, which other load on the machine disturbs less than wall time.
- **Saved memory**: \`status().diskBytes\` after the read, per million tokens read.
- **Catch-up**: after the ${label(input.focusSize)} read, one line is appended to one C file,
  \`notifyChanged\` is called with it and \`read()\` runs again; its seconds over the full read's.
  The line is appended at the end, so the file is read from its old last segment on
  (\`src/core/resume.ts\`); an edit elsewhere in a file reads the whole file again.
- **Latency** on the ${label(input.focusSize)} workspace: \`ask\`'s \`millisecondsToFirstToken\`
  (retrieval and prompt building included) and the whole of \`explain\` in fast (hover) mode.
- **Retrieval**: ${byKind('passkey')} passkey sentences planted in documentation files ("What is the passkey
  for the amber falcon vault?"), ${byKind('describe')} JSDoc descriptions from TypeScript's .d.ts files
  (the answer is the documented declaration) and ${byKind('name')} "Where is the interface X defined?"
  questions. A needle counts when the first citation is in its file and overlaps its lines.
  The three methods rank the same stored segments: model keys alone, the lexical index alone
  (BM25 over code-aware terms), and the engine's default ('auto', the two fused).
- **Full attention**: FLOPs from model.json, ${input.flops.formula}. Time is measured with
  the model's own \`decoder_prefill\` graph over T tokens (plus M memory positions) against the
  reader graph reading the same T tokens as segments, up to the positions the model has.
  Rows marked EXTRAPOLATED are not measured: they scale the FLOPs at the rate measured at the
  longest T.
${notRun.length ? `- **Not run in this run**: ${notRun.join(', ')} (see the command above${input.options.finished ? '' : ' and the rows that say why'}).\n` : ''}${input.options.quick ? '- **Quick mode**: only a few needles and repeats; numbers prove the benchmark works, not the engine.\n' : ''}`;
  return { table, markdown };
}
