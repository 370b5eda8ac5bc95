// `mnemo`: the command-line front end on src/core. Reads a folder into memory and answers
// questions about it with citations, all locally. Run `mnemo --help` for the commands.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Answer, Citation, DevicePreference, Engine, Logger, Passage, ReadProgress, RetrievalMode } from '../core/api';
import { openEngine } from '../core/engine';
import { DEFAULT_RESCAN_SECONDS, runMcpServer } from '../mcp/main';

const USAGE = `mnemo: read a folder into a recurrent memory and ask it questions, locally.

Usage:
  mnemo read <dir>                       read (or catch up on) the folder
  mnemo ask <dir> "question"             answer from the memory, with citations
  mnemo summarize <dir> [path]           summarize the folder, a subfolder or a file
  mnemo explain <dir> <file>:<line> <symbol>
  mnemo status <dir>                     what is in memory, on disk, and where
  mnemo forget <dir>                     delete the folder's saved memory
  mnemo mcp [dir]                        serve the folder's memory to MCP clients over stdio
                                         (default dir: the current folder); catches up on
                                         start and re-scans for changes while it runs

Options:
  --model <dir>          model folder (default: models/mnemo-m1 beside the installed package)
  --cache <dir>          where memories are saved (default: $XDG_CACHE_HOME/mnemo or ~/.cache/mnemo)
  --device <d>           auto | cpu | webgpu | cuda (default auto)
  --max-file-bytes <n>   skip files larger than this
  --max-tokens <n>       upper bound on generated tokens
  --retrieval <r>        auto | lexical | model: how passages are found (default auto,
                         the lexical index and the model's keys fused)
  --include <pattern>    read files matching it even if ignored (gitignore syntax; repeatable)
  --exclude <pattern>    never read files matching it, besides .gitignore and the defaults (repeatable)
  --rescan-seconds <n>   mcp: seconds between checks for changed files (default ${DEFAULT_RESCAN_SECONDS}; 0: only on start)
  --json                 machine-readable output on stdout
  --verbose              log progress details on stderr
  -h, --help             this text

Exit codes: 0 done, 1 failed, 2 bad usage, 130 cancelled (what was read is saved).`;

class UsageError extends Error {}

/** Set by `mnemo mcp`: its stdin listener would keep the process alive after the server stopped. */
let exitWhenDone = false;

interface Args {
  readonly command: string;
  readonly positional: string[];
  readonly flags: Map<string, string | true>;
  /** Values of the flags that may be given more than once, in order. */
  readonly lists: Map<string, string[]>;
}

const VALUE_FLAGS = new Set(['model', 'cache', 'device', 'max-file-bytes', 'max-tokens', 'retrieval', 'rescan-seconds']);
const BOOL_FLAGS = new Set(['json', 'verbose', 'help']);
const LIST_FLAGS = new Set(['include', 'exclude']);

export function parseArgs(argv: readonly string[]): Args {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  const lists = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-h') { flags.set('help', true); continue; }
    if (a === '--') { positional.push(...argv.slice(i + 1)); break; }
    if (a.startsWith('--')) {
      const [name, inline] = a.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
      if (BOOL_FLAGS.has(name)) { flags.set(name, true); continue; }
      if (!VALUE_FLAGS.has(name) && !LIST_FLAGS.has(name)) throw new UsageError(`Unknown option --${name}.`);
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value.`);
      if (LIST_FLAGS.has(name)) lists.set(name, [...(lists.get(name) ?? []), value]);
      else flags.set(name, value);
      continue;
    }
    positional.push(a);
  }
  return { command: positional.shift() ?? '', positional, flags, lists };
}

function flag(args: Args, name: string): string | undefined {
  const v = args.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

function intFlag(args: Args, name: string): number | undefined {
  const v = flag(args, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${name} must be a positive whole number (got "${v}").`);
  return n;
}

/** The model shipped beside the bundle (dist/cli.js → models/mnemo-m1), or $MNEMO_MODEL_DIR. */
function defaultModelDir(): string {
  if (process.env['MNEMO_MODEL_DIR']) return resolve(process.env['MNEMO_MODEL_DIR']);
  for (const candidate of [join(__dirname, '..', 'models', 'mnemo-m1'), join(__dirname, 'models', 'mnemo-m1')]) {
    if (existsSync(join(candidate, 'model.json'))) return candidate;
  }
  return join(__dirname, '..', 'models', 'mnemo-m1');
}

function defaultCacheDir(): string {
  const xdg = process.env['XDG_CACHE_HOME'];
  return join(xdg && xdg.length > 0 ? xdg : join(homedir(), '.cache'), 'mnemo');
}

function stderrLogger(verbose: boolean): Logger {
  const write = (level: string, m: string): void => { clearLine(); process.stderr.write(`mnemo ${level}: ${m}\n`); };
  return {
    info: (m) => { if (verbose) write('info', m); },
    debug: (m) => { if (verbose) write('debug', m); },
    warn: (m) => write('warning', m),
    // Failures reach the user once, as the command's own error message.
    error: (m) => { if (verbose) write('error', m); },
  };
}

let barShown = false;
function clearLine(): void {
  if (barShown) { process.stderr.write('\r\x1b[2K'); barShown = false; }
}

function formatSeconds(s: number | undefined): string {
  if (s === undefined || !Number.isFinite(s)) return '--:--';
  const t = Math.round(s);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = t % 60;
  return (h > 0 ? `${h}:${String(m).padStart(2, '0')}` : `${m}`) + `:${String(sec).padStart(2, '0')}`;
}

function progressPrinter(json: boolean): (p: ReadProgress) => void {
  const tty = process.stderr.isTTY === true && !json;
  let lastLine = 0;
  let lastPhase = '';
  let lastTokens = 0;
  return (p) => {
    const pct = p.tokensTotal > 0 ? Math.min(1, p.tokensRead / p.tokensTotal) : 0;
    const stats = `${p.tokensRead.toLocaleString('en-US')}/${p.tokensTotal.toLocaleString('en-US')} tokens, ` +
      `${p.filesRead}/${p.filesTotal} files, ${Math.round(p.tokensPerSecond).toLocaleString('en-US')} tok/s, ETA ${formatSeconds(p.etaSeconds)}`;
    if (tty) {
      const width = 24;
      const fill = Math.round(pct * width);
      const bar = `[${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${(pct * 100).toFixed(0).padStart(3)}% ${p.phase} ${stats}`;
      const cols = process.stderr.columns ?? 100;
      process.stderr.write(`\r\x1b[2K${bar.slice(0, cols - 1)}`);
      barShown = true;
    } else {
      const now = Date.now();
      if (now - lastLine < 2000 && p.phase === lastPhase && !(p.phase === 'reading' && p.tokensRead > 0 && lastTokens === 0)) return;
      lastLine = now;
      lastPhase = p.phase;
      lastTokens = p.tokensRead;
      process.stderr.write(`mnemo: ${p.phase} ${(pct * 100).toFixed(1)}% ${stats}\n`);
    }
  };
}

function cite(c: Citation): string {
  return c.endLine > c.startLine ? `${c.path}:${c.startLine}-${c.endLine}` : `${c.path}:${c.startLine}`;
}

/** The passage's lines, numbered like an editor's gutter. */
function quote(p: Passage): string {
  const width = String(p.citation.endLine).length;
  return p.text.split('\n').map((line, i) => `  ${String(p.citation.startLine + i).padStart(width)} | ${line}`).join('\n');
}

function printAnswer(a: Answer, json: boolean, extra: Record<string, unknown> = {}): void {
  if (json) {
    process.stdout.write(JSON.stringify({ ...a, ...extra }, null, 2) + '\n');
    return;
  }
  // The first paragraph of an answer's text is its answer sentence (see api.ts's Answer.text).
  const lead = a.passages.length > 0 ? a.text.split('\n\n', 1)[0]! : a.text;
  process.stdout.write(`${lead}\n`);
  for (const p of a.passages) {
    const found = p.citation.sources.length > 0 ? `  (${p.citation.sources.join('+')}, score ${p.citation.score.toFixed(3)})` : '';
    process.stdout.write(`\n${cite(p.citation)}${found}\n${quote(p)}\n`);
  }
  for (const w of a.warnings ?? []) process.stdout.write(`\nNote: ${w}\n`);
  if (a.coverage < 1) process.stdout.write(`\nNote: answered from ${(a.coverage * 100).toFixed(1)}% of the folder; read it fully with \`mnemo read\`.\n`);
}

async function run(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv);
  if (args.flags.has('help') || args.command === '' || args.command === 'help') {
    process.stdout.write(USAGE + '\n');
    return args.command === '' && !args.flags.has('help') ? 2 : 0;
  }
  const known = ['read', 'ask', 'summarize', 'explain', 'status', 'forget', 'mcp'];
  if (!known.includes(args.command)) throw new UsageError(`Unknown command "${args.command}".`);
  const dir = args.positional[0] ?? (args.command === 'mcp' ? '.' : undefined);
  if (!dir) throw new UsageError(`mnemo ${args.command} needs a folder.`);
  const root = resolve(dir);
  if (!existsSync(root)) throw new UsageError(`The folder ${root} does not exist.`);
  const json = args.flags.has('json');
  const device = (flag(args, 'device') ?? 'auto') as DevicePreference;
  if (!['auto', 'cpu', 'webgpu', 'cuda'].includes(device)) throw new UsageError(`--device must be auto, cpu, webgpu or cuda (got "${device}").`);
  const retrieval = flag(args, 'retrieval') as RetrievalMode | undefined;
  if (retrieval && !['auto', 'lexical', 'model'].includes(retrieval)) throw new UsageError(`--retrieval must be auto, lexical or model (got "${retrieval}").`);
  const maxTokens = intFlag(args, 'max-tokens');
  const modelDir = resolve(flag(args, 'model') ?? defaultModelDir());
  if (!existsSync(join(modelDir, 'model.json'))) {
    throw new Error(`No model folder at ${modelDir} (model.json not found). Pass --model <dir> or set MNEMO_MODEL_DIR.`);
  }

  if (args.command === 'mcp') {
    const rescan = flag(args, 'rescan-seconds') ?? String(DEFAULT_RESCAN_SECONDS);
    const rescanSeconds = Number(rescan);
    if (!Number.isFinite(rescanSeconds) || rescanSeconds < 0) throw new UsageError(`--rescan-seconds must be a number of seconds, 0 or more (got "${rescan}").`);
    exitWhenDone = true;
    return runMcpServer({
      root, modelDir, cacheDir: resolve(flag(args, 'cache') ?? defaultCacheDir()), device,
      include: args.lists.get('include'), exclude: args.lists.get('exclude'),
      maxFileBytes: intFlag(args, 'max-file-bytes'), rescanSeconds, verbose: args.flags.has('verbose'), version: packageVersion(),
    });
  }

  // Ctrl-C cancels cleanly (what was read is saved); a second Ctrl-C quits at once.
  const cancel = new AbortController();
  let interrupts = 0;
  process.on('SIGINT', () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    clearLine();
    process.stderr.write('mnemo: cancelling; saving what was read (Ctrl-C again to quit now)\n');
    cancel.abort();
  });

  const engine: Engine = await openEngine({
    root, modelDir, cacheDir: resolve(flag(args, 'cache') ?? defaultCacheDir()), device,
    include: args.lists.get('include'), exclude: args.lists.get('exclude'),
    maxFileBytes: intFlag(args, 'max-file-bytes'), logger: stderrLogger(args.flags.has('verbose')),
  });
  try {
    // An answer is printed once whole: it is never a stream of model fragments.
    const q = { signal: cancel.signal, maxTokens, retrieval };
    switch (args.command) {
      case 'read': {
        const r = await engine.read({ signal: cancel.signal, onProgress: progressPrinter(json) });
        clearLine();
        const s = engine.status();
        if (json) {
          process.stdout.write(JSON.stringify({ ...r, status: s }, null, 2) + '\n');
        } else {
          const rate = r.seconds > 0 ? Math.round(r.tokensRead / r.seconds) : 0;
          process.stdout.write(
            `${r.cancelled ? 'Cancelled' : 'Read'}: ${r.filesRead} files read, ${r.filesReused} reused, ${r.filesRemoved} removed, ${r.filesSkipped.length} skipped; ` +
            `${r.tokensRead.toLocaleString('en-US')} tokens in ${r.seconds.toFixed(1)} s (${rate.toLocaleString('en-US')} tokens/s on ${s.device}).\n` +
            `Memory: ${s.files} files, ${s.tokens.toLocaleString('en-US')} tokens, ${s.diskBytes.toLocaleString('en-US')} bytes at ${s.cachePath}\n`,
          );
        }
        return r.cancelled ? 130 : 0;
      }
      case 'ask': {
        const question = args.positional.slice(1).join(' ').trim();
        if (!question) throw new UsageError('mnemo ask needs a question.');
        printAnswer(await engine.ask(question, q), json);
        return cancel.signal.aborted ? 130 : 0;
      }
      case 'summarize': {
        const path = args.positional[1];
        const status = engine.status();
        if (status.files === 0) throw new Error(`Nothing of ${root} is in memory yet: run \`mnemo read ${dir}\` first.`);
        const target = !path || path === '.' ? { kind: 'workspace' as const } : { kind: 'file' as const, path };
        printAnswer(await engine.summarize(await refineTarget(root, target), q), json);
        return cancel.signal.aborted ? 130 : 0;
      }
      case 'explain': {
        const at = args.positional[1];
        const symbol = args.positional[2];
        const m = at ? /^(.*):(\d+)$/.exec(at) : null;
        if (!m || !symbol) throw new UsageError('mnemo explain needs <file>:<line> and a symbol, e.g. `mnemo explain . src/a.ts:12 parseArgs`.');
        const e = await engine.explain({ path: m[1]!.replace(/\\/g, '/'), line: Number(m[2]), character: 0, symbol }, q);
        printAnswer(e, json);
        return cancel.signal.aborted ? 130 : 0;
      }
      case 'status': {
        const s = engine.status();
        if (json) process.stdout.write(JSON.stringify(s, null, 2) + '\n');
        else {
          process.stdout.write(
            `${s.root}\n  model ${s.modelId} ${s.modelVersion} on ${s.device}\n  ${s.files} files, ${s.segments} segments, ${s.tokens.toLocaleString('en-US')} tokens\n` +
            `  ${s.diskBytes.toLocaleString('en-US')} bytes on disk at ${s.cachePath}` +
            (s.tokens > 0 ? ` (${Math.round(s.diskBytes / (s.tokens / 1e6)).toLocaleString('en-US')} bytes per million tokens)` : '') +
            `\n  last read ${s.lastReadAt ?? 'never'}\n`,
          );
        }
        return 0;
      }
      case 'forget': {
        const before = engine.status();
        await engine.forget();
        if (json) process.stdout.write(JSON.stringify({ forgotten: true, cachePath: before.cachePath, bytes: before.diskBytes }) + '\n');
        else process.stdout.write(`Forgot ${before.files} files (${before.diskBytes.toLocaleString('en-US')} bytes at ${before.cachePath}).\n`);
        return 0;
      }
    }
    return 2;
  } finally {
    await engine.dispose();
  }
}

/** The version in package.json beside the bundle (dist/cli.js → package.json). */
function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** A path names a folder when it is one on disk. */
async function refineTarget(root: string, target: { kind: 'workspace' } | { kind: 'folder' | 'file'; path: string }) {
  if (target.kind === 'workspace') return target;
  const { stat } = await import('node:fs/promises');
  const path = target.path.replace(/\\/g, '/').replace(/^\.\//, '');
  try {
    const st = await stat(join(root, path));
    return st.isDirectory() ? { kind: 'folder' as const, path: path.replace(/\/+$/, '') } : { kind: 'file' as const, path };
  } catch {
    throw new UsageError(`${path} does not exist in ${root}.`);
  }
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    if (exitWhenDone) process.exit(code);
  },
  (e: unknown) => {
    clearLine();
    if (e instanceof UsageError) {
      process.stderr.write(`mnemo: ${e.message}\nRun \`mnemo --help\` for usage.\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`mnemo: ${(e as Error).message}\n`);
      process.exitCode = 1;
    }
  },
);
