// A quick retrieval check with the real model: every Python function or class with a docstring
// in a folder becomes a question (its docstring's first sentence), answered by the right file
// at lines overlapping the definition and its docstring. Top-1 for 'lexical', 'model' and
// 'auto'. The docstrings stay in the files, so this is the easy, docstring-shaped case; the
// evaluation in bench/qa holds the harder sets.
//
//   npm run build && nice node out/bench/docstringTop1.js <folder> [--weights 0.8,0.9] [--cache <dir>] [--model <dir>]
//
// --weights: fusion weights (lexical share) to score 'auto' with, besides the default. Tune only
// on the dev sets of models/heldout.json.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Logger, RetrievalMode } from '../src/core/api';
import { openEngine } from '../src/core/engine';

const quiet: Logger = { info() {}, debug() {}, warn() {}, error(m) { process.stderr.write(`${m}\n`); } };

interface Question { readonly question: string; readonly path: string; readonly start: number; readonly end: number }

function questions(root: string, paths: readonly string[]): Question[] {
  const out: Question[] = [];
  for (const path of paths.filter((p) => p.endsWith('.py'))) {
    const lines = readFileSync(join(root, path), 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (!/^\s*(def|class)\s+\w+/.test(line)) return;
      let j = i;
      while (j < lines.length - 1 && !/:\s*(#.*)?$/.test(lines[j]!)) j++;
      const doc = /^\s*[rbuRBU]?("""|''')\s*(.*)$/.exec(lines[j + 1] ?? '');
      if (!doc) return;
      // The summary line is on the quotes' line, or (PEP 257's other style) the next one.
      const first = doc[2]!.replace(/("""|''').*$/, '').trim() || (lines[j + 2] ?? '').replace(/("""|''').*$/, '').trim();
      const sentence = first.split(/(?<=\.)\s/)[0]!.trim();
      if (sentence.split(/\s+/).length < 4) return;
      let end = j + 1;
      while (end < lines.length - 1 && !lines[end]!.includes(doc[1]!, end === j + 1 ? lines[end]!.indexOf(doc[1]!) + 3 : 0)) end++;
      out.push({ question: sentence, path, start: i + 1, end: end + 1 });
    });
  }
  return out;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const at = (name: string): string | undefined => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
  const root = resolve(args.find((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1]!.startsWith('--'))) ?? 'test/fixtures/codebase');
  const temp = at('--cache') ? undefined : await mkdtemp(join(tmpdir(), 'mnemo-top1-'));
  const engine = await openEngine({ root, cacheDir: at('--cache') ?? temp!, modelDir: resolve(at('--model') ?? 'models/mnemo-m2'), device: 'cpu', logger: quiet });
  try {
    const r = await engine.read();
    const paths = [...new Set((await import('node:fs')).readdirSync(root, { recursive: true }).map(String))];
    const qs = questions(root, paths.map((p) => p.split('\\').join('/')));
    const weights = (at('--weights') ?? '').split(',').filter((w) => w !== '').map(Number);
    const runs: { label: string; retrieval: RetrievalMode; fusionWeight?: number }[] = [
      { label: 'lexical', retrieval: 'lexical' }, { label: 'model', retrieval: 'model' }, { label: 'auto', retrieval: 'auto' },
      ...weights.map((w) => ({ label: `auto w=${w}`, retrieval: 'auto' as const, fusionWeight: w })),
    ];
    const hits = runs.map(() => 0);
    const ms = runs.map(() => 0);
    for (const q of qs) {
      for (const [i, run] of runs.entries()) {
        const t = performance.now();
        const a = await engine.ask(q.question, { retrieval: run.retrieval, fusionWeight: run.fusionWeight });
        ms[i]! += performance.now() - t;
        const c = a.citations[0];
        if (c && c.path === q.path && c.startLine <= q.end && c.endLine >= q.start) hits[i]!++;
      }
    }
    process.stdout.write(`${root}: ${engine.status().tokens} tokens (${r.tokensRead} read now), ${qs.length} docstring questions; top-1 ` +
      runs.map((run, i) => `${run.label} ${hits[i]}/${qs.length} (${(ms[i]! / Math.max(1, qs.length)).toFixed(0)} ms/ask)`).join(', ') + '\n');
  } finally {
    await engine.dispose();
    if (temp) await rm(temp, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => { process.stderr.write(`${(e as Error).stack ?? e}\n`); process.exitCode = 1; });
