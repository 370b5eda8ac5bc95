// Measures the structure index, summaries and symbol lookups on a real folder, at a token budget.
//   npm run build && nice node out/bench/structure.js <folder> [--tokens 1000000] [--tokenizer models/mnemo-m2/tokenizer.json]
// Files are taken in path order until the budget is reached, counted with the model's tokenizer.
// Times are CPU time of this process (the machine is shared), except the one marked wall.
// Prints: parse time, section size per million tokens, summary time (cold and warm) and
// symbol-lookup times (the first builds the name-use index).
import { join, resolve } from 'node:path';
import { MnemoTokenizer } from '../src/core/tokenizer';
import { scanWorkspace } from '../src/core/scanner';
import { loadText } from '../src/core/text';
import { StructureIndex } from '../src/core/structure/index';
import { lookupSymbol } from '../src/core/structure/lookup';
import { summarizeStructure } from '../src/core/summary/summarize';

/** CPU milliseconds this process used since `from` (user + system): fair on a shared, loaded machine. */
function cpuMs(from: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1000;
}

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

async function main(): Promise<void> {
  const folder = resolve(process.argv[2] ?? '.');
  const budget = Number(option('--tokens', '1000000'));
  const tokenizer = await MnemoTokenizer.load(resolve(option('--tokenizer', join(__dirname, '..', '..', 'models', 'mnemo-m2', 'tokenizer.json'))), 0);
  const scan = await scanWorkspace(folder, {});
  const files = [...scan.files].sort((a, b) => (a.path < b.path ? -1 : 1));
  const index = new StructureIndex();
  const tokens = new Map<string, number>();
  let total = 0;
  let parseMs = 0;
  let chars = 0;
  for (const f of files) {
    if (total >= budget) break;
    const r = await loadText(f.absPath);
    if (!r.ok) continue;
    const n = tokenizer.encode(r.text).length;
    tokens.set(f.path, n);
    total += n;
    chars += r.text.length;
    const c = process.cpuUsage();
    await index.update(f.path, r.text, String(f.size));
    parseMs += cpuMs(c);
  }
  let definitions = 0;
  let names = 0;
  for (const f of index.entries()) { definitions += f.definitions.length; names += f.references.names.length; }
  const t0 = process.cpuUsage();
  const bytes = index.serialize();
  const serializeMs = cpuMs(t0);
  const t1 = process.cpuUsage();
  StructureIndex.deserialize(bytes);
  const deserializeMs = cpuMs(t1);

  const input = { root: folder, title: folder.split('/').pop()!, structure: index, files: tokens };
  const s0 = process.cpuUsage();
  const w0 = performance.now();
  const summary = await summarizeStructure(input, { kind: 'workspace' });
  const summaryColdMs = cpuMs(s0);
  const summaryColdWallMs = performance.now() - w0;
  const s1 = process.cpuUsage();
  await summarizeStructure(input, { kind: 'workspace' });
  const summaryWarmMs = cpuMs(s1);

  // Hovers over names that files really use, spread over the workspace.
  const queries: { path: string; line: number; symbol: string }[] = [];
  const all = [...index.entries()];
  for (let i = 0; queries.length < 200 && i < all.length * 4; i++) {
    const f = all[(i * 7919) % all.length]!;
    const k = (i * 104729) % Math.max(1, f.references.names.length);
    const name = f.references.names[k];
    if (name && index.definitionsNamed(name).length > 0) queries.push({ path: f.path, line: f.references.firstLines[k]!, symbol: name });
  }
  const times: number[] = [];
  let found = 0;
  for (const q of queries) {
    const t = process.cpuUsage();
    const info = lookupSymbol(index, q);
    times.push(cpuMs(t));
    if (info) found++;
  }
  const first = times[0] ?? 0;
  const sorted = times.slice(1).sort((a, b) => a - b);
  const pct = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
  console.log(JSON.stringify({
    folder, files: tokens.size, structuredFiles: index.size, tokens: total, chars, definitions, distinctNamesPerFileSum: names,
    parseSeconds: +(parseMs / 1000).toFixed(2),
    sectionBytes: bytes.length, sectionBytesPerMillionTokens: Math.round(bytes.length / (total / 1e6)),
    serializeMs: Math.round(serializeMs), deserializeMs: Math.round(deserializeMs),
    summaryColdMs: Math.round(summaryColdMs), summaryColdWallMs: Math.round(summaryColdWallMs), summaryWarmMs: Math.round(summaryWarmMs),
    summaryCitations: summary.citations.length, summaryWarnings: summary.warnings.length,
    hoverQueries: queries.length, hoverFound: found, hoverFirstMs: +first.toFixed(1), hoverP50Ms: +pct(0.5).toFixed(2), hoverP95Ms: +pct(0.95).toFixed(2), hoverMaxMs: +(sorted[sorted.length - 1] ?? 0).toFixed(2),
  }, null, 1));
  if (process.argv.includes('--print')) console.log(`\n${summary.text}\n\n----- document -----\n${summary.document}`);
}

main().catch((e) => { console.error(e); process.exit(1); });
