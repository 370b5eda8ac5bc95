// `mnemo`: the command-line front end on src/core. Reads a folder into memory and answers
// questions about it with citations, all locally. Run `mnemo --help` for the commands.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Answer, Citation, DevicePreference, Engine, Logger, MemoryStatus, Passage, ReadProgress, RetrievalMode } from '../core/api';
import { openEngine } from '../core/engine';
import { NothingReadError, QuestionError } from '../core/errors';
import { checkQuestion } from '../core/question';
import { formatBytes } from '../core/fsutil';
import { CacheLockedError, CacheWriteError } from '../core/store';
import { loadText } from '../core/text';
import { isInside, resolveInside, unsafeRelativePath } from '../core/workspacePath';
import { DEFAULT_RESCAN_SECONDS, runMcpServer } from '../mcp/main';
import { formatSeconds, progressLine, skipHints, skippedClause } from './words';

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
  --model <dir>          model folder (default: models/mnemo-m2 beside the installed package)
  --cache <dir>          where memories are saved (default: $XDG_CACHE_HOME/mnemo or ~/.cache/mnemo)
  --device <d>           auto | cpu | webgpu | cuda (default auto)
  --max-file-bytes <n>   skip code and other files larger than this (default 2 MiB: bigger ones
                         are almost always generated or minified)
  --max-prose-bytes <n>  skip prose (text, Markdown, reStructuredText, HTML, PDF) larger than
                         this (default 64 MiB: whole books are read)
  --include <pattern>    read only files matching this gitignore-style pattern (repeatable)
  --exclude <pattern>    never read files matching this pattern (repeatable)
                         These four are remembered with the folder's memory: later commands
                         use them until given again.
  --max-tokens <n>       upper bound on generated tokens
  --retrieval <r>        auto | lexical | model: how passages are found (default auto,
                         the lexical index and the model's keys fused)
  --rescan-seconds <n>   mcp: seconds between checks for changed files (default ${DEFAULT_RESCAN_SECONDS}; 0: only on start)
  --json                 machine-readable output on stdout
  --verbose              log progress details on stderr
  -h, --help             this text
  --version              the version of mnemo and of its model

Exit codes: 0 done, 1 failed, 2 bad usage, 130 cancelled (what was read is saved).`;

class UsageError extends Error {}

/** Set by `mnemo mcp`: its stdin listener would keep the process alive after the server stopped. */
let exitWhenDone = false;
/** Longer arguments are refused before the model loads (see run). */
const MAX_ARGUMENT_CHARS = 16_384;

interface Args {
  readonly command: string;
  readonly positional: string[];
  readonly flags: Map<string, string | true>;
}

const VALUE_FLAGS = new Set(['model', 'cache', 'device', 'max-file-bytes', 'max-prose-bytes', 'max-tokens', 'retrieval', 'rescan-seconds']);
/** Options that may be given more than once; their values are joined with a newline. */
const LIST_FLAGS = new Set(['include', 'exclude']);
const BOOL_FLAGS = new Set(['json', 'verbose', 'help', 'version']);

export function parseArgs(argv: readonly string[]): Args {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
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
      const before = flags.get(name);
      flags.set(name, LIST_FLAGS.has(name) && typeof before === 'string' ? `${before}\n${value}` : value);
      continue;
    }
    positional.push(a);
  }
  return { command: positional.shift() ?? '', positional, flags };
}

function flag(args: Args, name: string): string | undefined {
  const v = args.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

function listFlag(args: Args, name: string): string[] | undefined {
  const v = flag(args, name);
  return v === undefined ? undefined : v.split('\n').filter((x) => x.trim() !== '');
}

function intFlag(args: Args, name: string): number | undefined {
  const v = flag(args, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${name} must be a positive whole number (got "${v}").`);
  return n;
}

/** The model shipped beside the bundle (dist/cli.js → models/mnemo-m2), or $MNEMO_MODEL_DIR. */
function defaultModelDir(): string {
  if (process.env['MNEMO_MODEL_DIR']) return resolve(process.env['MNEMO_MODEL_DIR']);
  for (const candidate of [join(__dirname, '..', 'models', 'mnemo-m2'), join(__dirname, 'models', 'mnemo-m2')]) {
    if (existsSync(join(candidate, 'model.json'))) return candidate;
  }
  return join(__dirname, '..', 'models', 'mnemo-m2');
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
    warn: (m) => { shownWarnings.add(m); write('warning', m); },
    // Failures reach the user once, as the command's own error message.
    error: (m) => { if (verbose) write('error', m); },
  };
}

let barShown = false;
function clearLine(): void {
  if (barShown) { process.stderr.write('\r\x1b[2K'); barShown = false; }
}

function progressPrinter(json: boolean): (p: ReadProgress) => void {
  const tty = process.stderr.isTTY === true && !json;
  let lastLine = 0;
  let lastPhase = '';
  let lastTokens = 0;
  return (p) => {
    if (tty) {
      process.stderr.write(`\r\x1b[2K${progressLine(p, process.stderr.columns ?? 100)}`);
      barShown = true;
    } else {
      const now = Date.now();
      if (now - lastLine < 2000 && p.phase === lastPhase && !(p.phase === 'reading' && p.tokensRead > 0 && lastTokens === 0)) return;
      lastLine = now;
      lastPhase = p.phase;
      lastTokens = p.tokensRead;
      const pct = p.tokensTotal > 0 ? Math.min(1, p.tokensRead / p.tokensTotal) : 0;
      process.stderr.write(
        `mnemo: ${p.phase} ${(pct * 100).toFixed(1)}% ${p.tokensRead.toLocaleString('en-US')}/${p.tokensTotal.toLocaleString('en-US')} tokens, ` +
        `${p.filesRead}/${p.filesTotal} files, ${Math.round(p.tokensPerSecond).toLocaleString('en-US')} tok/s, ETA ${formatSeconds(p.etaSeconds)}\n`,
      );
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

/** The folder as the user typed it, for messages that suggest a command. */
let givenDir = '.';

/** Warnings the logger has shown already, so an answer's notes do not repeat them. */
const shownWarnings = new Set<string>();

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
  for (const w of a.warnings ?? []) if (!shownWarnings.has(w)) process.stdout.write(`\nNote: ${w}\n`);
  if (a.coverage < 1) process.stdout.write(`\nNote: answered from ${(a.coverage * 100).toFixed(1)}% of the folder; read it fully with \`mnemo read\`.\n`);
}

/** The version of this mnemo (package.json beside the bundle) and of the model it would use. */
function versionText(modelDir: string): string {
  const version = packageVersion();
  let model = `no model at ${modelDir}`;
  try {
    const m = JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8')) as { id: string; version: string };
    model = `model ${m.id} ${m.version} (${modelDir})`;
  } catch { /* reported as missing */ }
  return `mnemo ${version}, Node ${process.versions.node}, ${model}`;
}

/** Options that shape the memory and how they are set on the command line. */
function shapingLines(s: MemoryStatus): string[] {
  const o = s.options;
  return [
    `  --max-file-bytes ${o.maxFileBytes} (${formatBytes(o.maxFileBytes)}), --max-prose-bytes ${o.maxProseBytes} (${formatBytes(o.maxProseBytes)})` +
    (o.include.length > 0 ? `, --include ${o.include.join(' --include ')}` : '') +
    (o.exclude.length > 0 ? `, --exclude ${o.exclude.join(' --exclude ')}` : ''),
  ];
}

/**
 * A path given for `summarize` or `explain`: relative to the folder, or absolute inside it.
 * Returns the workspace-relative path with forward slashes; throws a UsageError otherwise.
 */
export function workspaceRelative(root: string, given: string): string {
  const cleaned = given.replace(/\\/g, '/').replace(/^(\.\/)+/, '').replace(/\/+$/, '');
  if (isAbsolute(given)) {
    const abs = resolve(given);
    if (!isInside(root, abs)) throw new UsageError(`${given} is not inside ${root}; give a path inside the folder (relative to it, or absolute).`);
    return relative(root, abs).split(sep).join('/') || '.';
  }
  if (cleaned === '' || cleaned === '.') return '.';
  const why = unsafeRelativePath(cleaned);
  if (why) throw new UsageError(`${given} is not a path inside ${root} (${why}).`);
  return cleaned;
}

async function run(argv: readonly string[], json: boolean): Promise<number> {
  const args = parseArgs(argv);
  if (args.flags.has('version')) {
    process.stdout.write(versionText(resolve(flag(args, 'model') ?? defaultModelDir())) + '\n');
    return 0;
  }
  if (args.flags.has('help') || args.command === '' || args.command === 'help') {
    process.stdout.write(USAGE + '\n');
    return args.command === '' && !args.flags.has('help') ? 2 : 0;
  }
  const known = ['read', 'ask', 'summarize', 'explain', 'status', 'forget', 'mcp'];
  if (!known.includes(args.command)) throw new UsageError(`Unknown command "${args.command}".`);
  const dir = args.positional[0] ?? (args.command === 'mcp' ? '.' : undefined);
  if (!dir) throw new UsageError(`mnemo ${args.command} needs a folder.`);
  givenDir = dir;
  const root = resolve(dir);
  if (!existsSync(root)) throw new UsageError(`The folder ${root} does not exist.`);
  if (!statSync(root).isDirectory()) {
    throw new UsageError(`mnemo ${args.command} needs a folder, and ${root} is a file. Give the folder that holds it (e.g. \`mnemo ${args.command} ${dirOf(dir)}\`).`);
  }
  const device = (flag(args, 'device') ?? 'auto') as DevicePreference;
  if (!['auto', 'cpu', 'webgpu', 'cuda'].includes(device)) throw new UsageError(`--device must be auto, cpu, webgpu or cuda (got "${device}").`);
  const retrieval = flag(args, 'retrieval') as RetrievalMode | undefined;
  if (retrieval && !['auto', 'lexical', 'model'].includes(retrieval)) throw new UsageError(`--retrieval must be auto, lexical or model (got "${retrieval}").`);
  const maxTokens = intFlag(args, 'max-tokens');
  const maxFileBytes = intFlag(args, 'max-file-bytes');
  const maxProseBytes = intFlag(args, 'max-prose-bytes');
  const modelDir = resolve(flag(args, 'model') ?? defaultModelDir());
  if (!existsSync(join(modelDir, 'model.json'))) {
    throw new Error(`No model folder at ${modelDir} (model.json not found). Pass --model <dir> or set MNEMO_MODEL_DIR.`);
  }
  // Checked before the model loads: with ~50 KB of command line, loading onnxruntime-node
  // crashed the process (SIGSEGV, seen with a 100 KB question), so no answer could say why.
  const question = args.command === 'ask' ? args.positional.slice(1).join(' ') : '';
  if (args.command === 'ask' && !question.trim()) throw new UsageError('mnemo ask needs a question, e.g. `mnemo ask . "Where are settings read?"`.');
  if (args.command === 'ask') checkQuestion(question);
  const longest = argv.reduce((n, a) => Math.max(n, a.length), 0);
  if (longest > MAX_ARGUMENT_CHARS) throw new UsageError(`An argument is ${longest.toLocaleString('en-US')} characters long; mnemo takes up to ${MAX_ARGUMENT_CHARS.toLocaleString('en-US')}.`);

  if (args.command === 'mcp') {
    const rescan = flag(args, 'rescan-seconds') ?? String(DEFAULT_RESCAN_SECONDS);
    const rescanSeconds = Number(rescan);
    if (!Number.isFinite(rescanSeconds) || rescanSeconds < 0) throw new UsageError(`--rescan-seconds must be a number of seconds, 0 or more (got "${rescan}").`);
    exitWhenDone = true;
    return runMcpServer({
      root, modelDir, cacheDir: resolve(flag(args, 'cache') ?? defaultCacheDir()), device,
      include: listFlag(args, 'include'), exclude: listFlag(args, 'exclude'),
      maxFileBytes: intFlag(args, 'max-file-bytes'), maxProseBytes: intFlag(args, 'max-prose-bytes'), rescanSeconds, verbose: args.flags.has('verbose'), version: packageVersion(),
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
    // Left undefined when not given, so the values the memory was read with apply.
    maxFileBytes, maxProseBytes, include: listFlag(args, 'include'), exclude: listFlag(args, 'exclude'),
    logger: stderrLogger(args.flags.has('verbose')),
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
            `${r.cancelled ? 'Cancelled' : 'Read'}: ${r.filesRead} files read, ${r.filesReused} reused, ${r.filesRemoved} removed, ${skippedClause(s.skipped)}; ` +
            `${r.tokensRead.toLocaleString('en-US')} tokens in ${r.seconds.toFixed(1)} s (${rate.toLocaleString('en-US')} tokens/s on ${s.device}).\n` +
            skipHints(s.skipped).map((h) => `  ${h}\n`).join('') +
            `Memory: ${s.files} files, ${s.tokens.toLocaleString('en-US')} tokens, ${s.diskBytes.toLocaleString('en-US')} bytes at ${s.cachePath}\n`,
          );
        }
        return r.cancelled ? 130 : 0;
      }
      case 'ask': {
        printAnswer(await engine.ask(question, q), json);
        return cancel.signal.aborted ? 130 : 0;
      }
      case 'summarize': {
        const given = args.positional[1];
        const path = given === undefined ? '.' : workspaceRelative(root, given);
        if (engine.status().files === 0) throw new NothingReadError(root);
        const target = path === '.' ? { kind: 'workspace' as const } : await refineTarget(root, path);
        printAnswer(await engine.summarize(target, q), json);
        return cancel.signal.aborted ? 130 : 0;
      }
      case 'explain': {
        const at = args.positional[1];
        const symbol = args.positional[2];
        const m = at ? /^(.*):(\d+)$/.exec(at) : null;
        if (!m || !symbol) throw new UsageError('mnemo explain needs <file>:<line> and a symbol, e.g. `mnemo explain . src/a.ts:12 parseArgs`.');
        const path = workspaceRelative(root, m[1]!);
        const line = Number(m[2]);
        await checkLine(root, path, line);
        const e = await engine.explain({ path, line, character: 0, symbol }, q);
        if (!json && e.definition) process.stdout.write(`\nDefinition: ${cite(e.definition)}`);
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
            `\n  last read ${s.lastReadAt ?? 'never'}${s.lastReadAt ? `, ${skippedClause(s.skipped)}` : ''}\n` +
            skipHints(s.skipped).map((h) => `  ${h}\n`).join('') +
            `  read with:\n${shapingLines(s).map((l) => `  ${l}\n`).join('')}`,
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
  for (const candidate of [join(__dirname, '..', 'package.json'), join(__dirname, 'package.json')]) {
    try {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { version?: unknown };
      if (typeof pkg.version === 'string') return pkg.version;
    } catch { /* next */ }
  }
  return 'unknown';
}

function dirOf(path: string): string {
  const d = resolve(path, '..');
  return relative(process.cwd(), d) || '.';
}

/** A path names a folder when it is one on disk. */
async function refineTarget(root: string, path: string): Promise<{ kind: 'folder' | 'file'; path: string }> {
  const { stat } = await import('node:fs/promises');
  try {
    const st = await stat(await resolveInside(root, path));
    return st.isDirectory() ? { kind: 'folder', path } : { kind: 'file', path };
  } catch (e) {
    if ((e as Error).name === 'OutsideWorkspaceError') throw new UsageError((e as Error).message);
    throw new UsageError(`${path} does not exist in ${root}.`);
  }
}

/** `explain` needs a file that exists in the folder and a line that is in it. */
async function checkLine(root: string, path: string, line: number): Promise<void> {
  let abs: string;
  try {
    abs = await resolveInside(root, path);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (!existsSync(abs)) throw new UsageError(`${path} does not exist in ${root}.`);
  if (statSync(abs).isDirectory()) throw new UsageError(`${path} is a folder; explain needs a file and a line in it.`);
  const loaded = await loadText(abs);
  const lines = loaded.ok ? loaded.text.split('\n').length : (await readFile(abs, 'utf8')).split('\n').length;
  if (line < 1 || line > lines) throw new UsageError(`${path} has ${lines.toLocaleString('en-US')} lines; line ${line} is past its end.`);
}

/** What a failure means for the user of the CLI, and its exit code. */
function describeFailure(e: unknown): { message: string; code: number; kind: string } {
  if (e instanceof UsageError) return { message: e.message, code: 2, kind: 'usage' };
  if (e instanceof QuestionError) return { message: e.message, code: 2, kind: 'question' };
  if (e instanceof NothingReadError) {
    const dir = /^[\w./~+-]+$/.test(givenDir) ? givenDir : JSON.stringify(givenDir);
    return { message: `Nothing of ${e.root} has been read yet: run \`mnemo read ${dir}\` first, then ask again.`, code: 1, kind: 'nothing-read' };
  }
  if (e instanceof CacheWriteError) return { message: `${e.message} (Pass --cache <dir> to save memories elsewhere.)`, code: 1, kind: 'cache-write' };
  if (e instanceof CacheLockedError) return { message: e.message, code: 1, kind: 'cache-locked' };
  return { message: (e as Error)?.message ?? String(e), code: 1, kind: 'failed' };
}

const argv = process.argv.slice(2);
const jsonOutput = argv.includes('--json');
run(argv, jsonOutput).then(
  (code) => {
    process.exitCode = code;
    if (exitWhenDone) process.exit(code);
  },
  (e: unknown) => {
    clearLine();
    const f = describeFailure(e);
    if (jsonOutput) {
      process.stdout.write(JSON.stringify({ error: { kind: f.kind, message: f.message, exitCode: f.code } }, null, 2) + '\n');
    } else {
      process.stderr.write(`mnemo: ${f.message}\n${f.code === 2 && f.kind === 'usage' ? 'Run `mnemo --help` for usage.\n' : ''}`);
    }
    process.exitCode = f.code;
  },
);
