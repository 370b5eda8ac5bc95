// Real inputs for the benchmarks, none of them written here:
// - the TypeScript compiler as npm ships it (node_modules/typescript),
// - a slice of the Linux kernel's C sources (Debian's linux-source-6.1 tarball),
// - the kernel's documentation as Debian ships it (linux-doc-6.1, reStructuredText).
//
// Sources are prepared once into `.cache/bench/sources`; each workspace is a folder of
// copies made fresh for every run, because the benchmarks edit files in it (needles,
// catch-up). A workspace of N tokens takes about a third of N from each source, files
// chosen in a fixed pseudo-random order, so every size has the same mix of code and prose.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DEFAULT_EXCLUDES } from '../src/core/scanner';
import type { MnemoTokenizer } from '../src/core/tokenizer';

export type Pool = 'typescript' | 'linux' | 'linux-doc';
export const POOLS: readonly Pool[] = ['typescript', 'linux', 'linux-doc'];

export interface SourceFile {
  readonly pool: Pool;
  /** Path below the pool's folder, forward slashes. */
  readonly rel: string;
  readonly bytes: number;
}

/** Workspace-relative path of a source file: `<pool>/<rel>`. */
export function workspacePath(file: SourceFile): string {
  return `${file.pool}/${file.rel}`;
}

const LINUX_TARBALL = '/usr/src/linux-source-6.1.tar.xz';
const LINUX_TOP = 'linux-source-6.1';
// Subsystems taken from the kernel: far more than 10M tokens of C between them.
const LINUX_DIRS = ['kernel', 'mm', 'fs', 'lib', 'block', 'ipc', 'init', 'net', 'include/linux'];
const LINUX_DOC = '/usr/share/doc/linux-doc-6.1/Documentation';

/**
 * Files larger than this are left out of every pool, so that one minified bundle does not
 * make up a whole workspace and so that every file chosen is one the engine reads.
 */
export const MAX_SOURCE_BYTES = 1 << 20;

// Folders the engine's scanner never reads (e.g. the kernel's Documentation/target/): files
// below them would be planned but not read, so they are left out of the pools.
const EXCLUDED_FOLDERS = new Set(DEFAULT_EXCLUDES.filter((p) => /^[\w.-]+\/$/.test(p)).map((p) => p.slice(0, -1)));

function readByEngine(rel: string): boolean {
  return !rel.split('/').slice(0, -1).some((part) => EXCLUDED_FOLDERS.has(part));
}

function walk(root: string): string[] {
  const out: string[] = [];
  const visit = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      const st = statSync(full);
      if (st.isDirectory()) visit(full);
      else if (st.isFile()) out.push(full);
    }
  };
  if (existsSync(root)) visit(root);
  return out;
}

function toPosix(path: string): string {
  return path.split(sep).join('/');
}

function missing(what: string, fix: string): Error {
  return new Error(`${what} is missing. Install it with: ${fix}`);
}

function prepareTypescript(repoRoot: string, dest: string): void {
  const pkg = join(repoRoot, 'node_modules', 'typescript');
  if (!existsSync(join(pkg, 'package.json'))) throw missing('node_modules/typescript', 'npm install');
  for (const full of walk(pkg)) {
    if (!/\.(js|ts)$/.test(full)) continue;
    const target = join(dest, relative(pkg, full));
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(full, target);
  }
}

function prepareLinux(dest: string, log: (line: string) => void): void {
  if (!existsSync(LINUX_TARBALL)) {
    throw missing(LINUX_TARBALL, 'apt-get update && apt-get install -y linux-source-6.1');
  }
  log(`extracting ${LINUX_DIRS.join(', ')} (*.c, *.h) from ${LINUX_TARBALL}; this takes a minute or two`);
  const patterns = LINUX_DIRS.map((d) => `${LINUX_TOP}/${d}/*.[ch]`);
  execFileSync('tar', ['-xJf', LINUX_TARBALL, '-C', dest, '--strip-components=1', '--wildcards', ...patterns], { stdio: 'inherit' });
}

function prepareLinuxDoc(dest: string): void {
  if (!existsSync(LINUX_DOC)) throw missing(LINUX_DOC, 'apt-get update && apt-get install -y linux-doc');
  for (const full of walk(LINUX_DOC)) {
    const m = /^(.*\.(rst|txt))\.gz$/.exec(full);
    if (!m) continue;
    const target = join(dest, relative(LINUX_DOC, m[1]));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, gunzipSync(readFileSync(full)));
  }
}

/** Makes sure every pool is prepared under `<cacheRoot>/sources` and lists its files. */
export function prepareSources(repoRoot: string, cacheRoot: string, log: (line: string) => void): SourceFile[] {
  const sources = join(cacheRoot, 'sources');
  const listing = join(sources, 'files.json');
  if (existsSync(listing)) return JSON.parse(readFileSync(listing, 'utf8')) as SourceFile[];
  const prepare: Record<Pool, (dest: string) => void> = {
    typescript: (dest) => prepareTypescript(repoRoot, dest),
    linux: (dest) => prepareLinux(dest, log),
    'linux-doc': (dest) => prepareLinuxDoc(dest),
  };
  const files: SourceFile[] = [];
  for (const pool of POOLS) {
    const dest = join(sources, pool);
    if (!existsSync(dest)) {
      // Prepared beside its place and renamed, so that an interrupted run leaves nothing half done.
      log(`preparing source "${pool}"`);
      const partial = `${dest}.partial`;
      rmSync(partial, { recursive: true, force: true });
      mkdirSync(partial, { recursive: true });
      prepare[pool](partial);
      renameSync(partial, dest);
    }
    for (const full of walk(dest)) {
      const bytes = statSync(full).size;
      const rel = toPosix(relative(dest, full));
      if (bytes === 0 || bytes > MAX_SOURCE_BYTES || !readByEngine(rel)) continue;
      files.push({ pool, rel, bytes });
    }
  }
  writeFileSync(listing, JSON.stringify(files));
  return files;
}

export function sourcePath(cacheRoot: string, file: SourceFile): string {
  return join(cacheRoot, 'sources', file.pool, file.rel);
}

/** A small deterministic PRNG (mulberry32), so every run picks the same files. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = items.slice();
  const rand = prng(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Tokens in one source file: exact from the model's tokenizer, or estimated. */
export type TokenCount = (file: SourceFile) => number;

/** Bytes / 4, the estimate used until a tokenizer is at hand. */
export const estimateTokens: TokenCount = (file) => Math.ceil(file.bytes / 4);

/**
 * No file in a workspace holds more than this share of its tokens. A file is read in order,
 * one segment after another, in one row of the reader's batch (8 rows); a file holding a
 * quarter of the workspace would leave the others done and be read alone at the end, and the
 * sizes would then compare their largest files rather than the engine's scaling.
 */
export const MAX_FILE_SHARE = 1 / 16;

/**
 * The files of a workspace of about `tokens` tokens: a third from each pool (a pool that
 * runs dry leaves its share to the others), files taken in a fixed shuffled order and
 * skipped when they would overshoot the pool's share or exceed MAX_FILE_SHARE.
 */
export function planWorkspace(files: readonly SourceFile[], tokens: number, count: TokenCount): SourceFile[] {
  const largest = tokens * MAX_FILE_SHARE;
  const byPool = POOLS.map((pool) => shuffled(files.filter((f) => f.pool === pool && count(f) <= largest), 0x5eed));
  const totals = byPool.map((list) => list.reduce((s, f) => s + count(f), 0));
  // Smallest pool first, so that what it cannot supply goes to the larger ones.
  const order = [0, 1, 2].sort((a, b) => totals[a] - totals[b]);
  const chosen: SourceFile[] = [];
  let left = tokens;
  order.forEach((p, i) => {
    const share = left / (order.length - i);
    let room = share;
    for (const f of byPool[p]) {
      if (room < share * 0.01) break;
      const n = count(f);
      if (n <= room) {
        chosen.push(f);
        room -= n;
      }
    }
    left -= share - room;
  });
  return chosen.sort((a, b) => workspacePath(a).localeCompare(workspacePath(b)));
}

/** Copies the planned files into a fresh folder `dir`. */
export function buildWorkspace(cacheRoot: string, plan: readonly SourceFile[], dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  for (const f of plan) {
    const target = join(dir, workspacePath(f));
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(sourcePath(cacheRoot, f), target);
  }
}

/** Bytes per token of each source, from the model's tokenizer on a sample of its files. */
export function calibrate(cacheRoot: string, tokenizer: MnemoTokenizer, files: readonly SourceFile[]): Record<Pool, number> {
  const out = {} as Record<Pool, number>;
  for (const pool of POOLS) {
    let bytes = 0;
    let tokens = 0;
    for (const f of shuffled(files.filter((x) => x.pool === pool), 99)) {
      if (bytes > 1_000_000) break;
      const text = readFileSync(sourcePath(cacheRoot, f), 'utf8');
      bytes += f.bytes;
      tokens += tokenizer.encode(text).length;
    }
    out[pool] = bytes / Math.max(1, tokens);
  }
  return out;
}
