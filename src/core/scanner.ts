// Finds the files of a workspace to read: walks the folder tree, applies .gitignore files,
// .git/info/exclude and the caller's include/exclude patterns, follows symbolic links that stay
// inside the workspace, and explains every file it leaves out.
import type { Dirent, Stats } from 'node:fs';
import { lstat, readFile, readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import type { Logger, SkipKind, SkippedFile } from './api';
import { describeFsError, errorCode, throwIfAborted } from './fsutil';
import { IgnoreChain, PatternSet } from './ignore';
import { sizeLimitFor } from './limits';
import { kindOfPath, tooLargeReason } from './text';
import { isInside } from './workspacePath';

const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

export interface ScannedFile {
  /** Workspace-relative, forward slashes. */
  readonly path: string;
  readonly absPath: string;
  readonly size: number;
  readonly mtimeMs: number;
}

export interface ScanOptions {
  /** If non-empty, only files matching one of these patterns are read (gitignore syntax or VS Code globs). */
  readonly include?: readonly string[];
  /**
   * Patterns never to read, on top of .gitignore files (gitignore syntax or VS Code globs such as
   * `**\/*.log`). Replaces DEFAULT_EXCLUDES when given: pass `[...DEFAULT_EXCLUDES, ...yours]` to
   * keep them. `.git` folders are skipped whatever this says.
   */
  readonly exclude?: readonly string[];
  /** Code and other files that are not prose larger than this are skipped. Default 2 MiB. */
  readonly maxFileBytes?: number;
  /** Prose, HTML and PDF files larger than this are skipped. Default 64 MiB. */
  readonly maxProseBytes?: number;
  readonly signal?: AbortSignal;
  readonly logger?: Logger;
}

export interface ScanResult {
  /** Sorted by path. */
  readonly files: ScannedFile[];
  /** Sorted by path. Ignored folders appear once, not file by file. */
  readonly skipped: SkippedFile[];
}


/** What a workspace holds that is not worth reading: tool folders, build output, generated and binary files. */
export const DEFAULT_EXCLUDES: readonly string[] = [
  // version control and dependencies
  '.git/', '.hg/', '.svn/', 'node_modules/', 'bower_components/', 'vendor/bundle/',
  '.venv/', 'venv/', '__pycache__/', '.tox/', '.mypy_cache/', '.pytest_cache/', '.gradle/',
  // build output
  'dist/', 'out/', 'build/', 'target/', '.next/', '.nuxt/', '.cache/', 'coverage/',
  // lockfiles
  'package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lockb', 'bun.lock',
  'Cargo.lock', 'poetry.lock', 'Pipfile.lock', 'uv.lock', 'composer.lock', 'Gemfile.lock', 'go.sum',
  'flake.lock', 'pubspec.lock', 'packages.lock.json', 'mix.lock',
  // generated
  '*.min.js', '*.min.css', '*.map', '*.pyc', '*.class', '.DS_Store',
  // images, media, fonts
  '*.{png,jpg,jpeg,gif,bmp,ico,icns,webp,avif,tif,tiff,psd,heic,xcf}',
  '*.{mp3,mp4,m4a,mov,avi,mkv,webm,wav,flac,ogg,opus}',
  '*.{ttf,otf,woff,woff2,eot}',
  // archives and binaries
  '*.{zip,tar,gz,tgz,bz2,xz,zst,7z,rar,jar,war,ear,whl,deb,rpm,dmg,iso,apk,vsix}',
  '*.{exe,dll,so,dylib,o,obj,a,lib,pdb,wasm,node,bin,dat}',
  '*.{onnx,pt,pth,safetensors,ckpt,gguf,npy,npz,h5,pkl,parquet,arrow}',
  '*.{sqlite,sqlite3,db}',
];

/** True for paths whose extension names code, text, markup or a document Mnemo can read (HTML, PDF). */
export function isReadableKind(path: string): boolean {
  return kindOfPath(path) !== undefined;
}

interface DirTask {
  readonly abs: string;
  /** Workspace-relative with a trailing slash; '' for the root. */
  readonly rel: string;
  /** The folder's real path, for loop detection. */
  readonly real: string;
  readonly chain: IgnoreChain;
}

interface LinkTask {
  readonly abs: string;
  readonly rel: string;
  readonly chain: IgnoreChain;
}

const STAT_BATCH = 32;

export async function scanWorkspace(root: string, options: ScanOptions = {}): Promise<ScanResult> {
  const { signal, logger } = options;
  const exclude = new PatternSet(options.exclude ?? DEFAULT_EXCLUDES);
  const include = new PatternSet(options.include ?? []);
  const rootAbs = resolve(root);
  let rootReal: string;
  try {
    rootReal = await realpath(rootAbs);
    if (!(await stat(rootReal)).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
  } catch (err) {
    throw new Error(`Cannot scan workspace folder ${rootAbs}: ${describeFsError(err)}.`, { cause: err });
  }

  const files: ScannedFile[] = [];
  const skipped: SkippedFile[] = [];
  const visitedDirs = new Set<string>();
  /** Real path of every file taken -> its workspace path, so a link to it is not read twice. */
  const takenFiles = new Map<string, string>();
  const dirs: DirTask[] = [];
  const links: LinkTask[] = [];

  const skip = (path: string, kind: SkipKind, reason: string, quiet = false, extra: Partial<SkippedFile> = {}): void => {
    skipped.push({ path, kind, reason, ...extra });
    (quiet ? logger?.debug : logger?.info)?.call(logger, `Skipped ${path}: ${reason}`);
  };

  /** Why `rel` (a folder when it ends with '/') is left out by ignore files or patterns, or undefined. */
  const excludedBecause = (rel: string, chain: IgnoreChain): { kind: 'ignored' | 'excluded'; reason: string } | undefined => {
    const by = chain.ignoredBy(rel);
    if (by !== undefined) return { kind: 'ignored', reason: `ignored by ${by}` };
    if (exclude.matches(rel)) return { kind: 'excluded', reason: 'matches an exclude pattern (given, or one of the defaults)' };
    return undefined;
  };

  /** Applies the file filters and the size limit, then takes the file. */
  const consider = (rel: string, abs: string, real: string, st: Stats): void => {
    const dup = takenFiles.get(real);
    if (dup !== undefined) return skip(rel, 'duplicate', `a symbolic link to ${dup}, which is read under its own path`, true);
    const included = include.size > 0 && include.matches(rel);
    if (include.size > 0 && !included) return skip(rel, 'not-included', 'not matched by any include pattern', true, { setting: 'include' });
    if (!included && !isReadableKind(rel)) {
      return skip(rel, 'unknown-type', 'not a known text, code or document type (an include pattern reads it)', true);
    }
    const { limit, setting } = sizeLimitFor(kindOfPath(rel), options);
    if (st.size > limit) {
      return skip(rel, 'too-large', tooLargeReason(st.size, limit, setting), false, { bytes: st.size, limit, setting });
    }
    takenFiles.set(real, rel);
    files.push({ path: rel, absPath: abs, size: st.size, mtimeMs: st.mtimeMs });
  };

  /** Adds the rules of ignore file `rel` to `chain`, for paths below folder `base`. */
  const readIgnoreFile = async (abs: string, rel: string, base: string, chain: IgnoreChain): Promise<IgnoreChain> => {
    try {
      return chain.with(base, await readFile(abs, 'utf8'), rel);
    } catch (err) {
      if (errorCode(err) !== 'ENOENT') logger?.warn(`Could not read ${rel}, its rules are not applied: ${describeFsError(err)}.`);
      return chain;
    }
  };

  const walk = async (dir: DirTask): Promise<void> => {
    visitedDirs.add(dir.real);
    let entries: Dirent[];
    try {
      entries = await readdir(dir.abs, { withFileTypes: true });
    } catch (err) {
      if (dir.rel === '') throw new Error(`Cannot read workspace folder ${rootAbs}: ${describeFsError(err)}.`, { cause: err });
      return skip(dir.rel.slice(0, -1), 'unreadable', `folder could not be read: ${describeFsError(err)}`);
    }
    entries.sort((a, b) => compare(a.name, b.name));

    let chain = dir.chain;
    if (dir.rel === '') chain = await readIgnoreFile(join(dir.abs, '.git', 'info', 'exclude'), '.git/info/exclude', '', chain);
    if (entries.some((e) => e.name === '.gitignore' && !e.isDirectory())) {
      chain = await readIgnoreFile(join(dir.abs, '.gitignore'), `${dir.rel}.gitignore`, dir.rel, chain);
    }

    const candidates: { rel: string; abs: string }[] = [];
    for (const entry of entries) {
      throwIfAborted(signal);
      const rel = dir.rel + entry.name;
      const abs = join(dir.abs, entry.name);
      const type = await entryType(entry, abs);
      if (type === 'dir' && entry.name === '.git') continue;
      // A name with a line break or other control character could pass for other lines or
      // paths wherever it is shown (a citation, a log), so such files are left out.
      if (CONTROL_CHARACTERS.test(entry.name)) { skip(JSON.stringify(rel), 'bad-name', 'its name holds a line break or another control character'); continue; }
      if (type === 'vanished') { skip(rel, 'unreadable', describeFsError({ code: 'ENOENT' })); continue; }
      const because = excludedBecause(type === 'dir' ? `${rel}/` : rel, chain);
      if (because !== undefined) {
        skip(rel, because.kind, type === 'dir' ? `folder ${because.reason}` : because.reason, true);
        continue;
      }
      if (type === 'dir') dirs.push({ abs, rel: `${rel}/`, real: join(dir.real, entry.name), chain });
      else if (type === 'link') links.push({ abs, rel, chain });
      else if (type === 'file') candidates.push({ rel, abs });
      else skip(rel, 'special', `not a regular file (${type})`);
    }

    for (let i = 0; i < candidates.length; i += STAT_BATCH) {
      throwIfAborted(signal);
      const batch = candidates.slice(i, i + STAT_BATCH);
      const stats = await Promise.all(batch.map((c) => stat(c.abs).then(
        (st) => ({ st }),
        (err: unknown) => ({ err }),
      )));
      batch.forEach((c, k) => {
        const r = stats[k];
        if (!('st' in r)) return skip(c.rel, 'unreadable', describeFsError(r.err));
        if (!r.st.isFile()) return skip(c.rel, 'special', 'it was replaced by something that is not a file while reading');
        consider(c.rel, c.abs, join(dir.real, c.rel.slice(dir.rel.length)), r.st);
      });
    }
  };

  const follow = async (link: LinkTask): Promise<void> => {
    let target: string;
    let st: Stats;
    try {
      target = await realpath(link.abs);
      st = await stat(target);
    } catch (err) {
      const code = errorCode(err);
      return skip(link.rel, 'unreadable', code === 'ENOENT' ? 'a broken symbolic link' : code === 'ELOOP' ? 'a symbolic link loop' : describeFsError(err));
    }
    if (!isInside(rootReal, target)) return skip(link.rel, 'outside-workspace', `a symbolic link to ${target}, outside the workspace`);
    const targetRel = relative(rootReal, target).split(sep).join('/') || '.';
    if (st.isDirectory()) {
      if (visitedDirs.has(target)) return skip(link.rel, 'duplicate', `a symbolic link to the folder ${targetRel}, which is already read (a loop or a duplicate)`, true);
      const because = excludedBecause(`${link.rel}/`, link.chain);
      if (because !== undefined) return skip(link.rel, because.kind, `folder ${because.reason}`, true);
      dirs.push({ abs: link.abs, rel: `${link.rel}/`, real: target, chain: link.chain });
    } else if (st.isFile()) {
      consider(link.rel, link.abs, target, st);
    } else {
      skip(link.rel, 'special', 'a symbolic link to something that is not a file or folder');
    }
  };

  dirs.push({ abs: rootAbs, rel: '', real: rootReal, chain: IgnoreChain.empty() });
  // Real folders first, links after: a link is then recognised as a duplicate of what the walk
  // already read, whatever the alphabetical order of the two.
  while (dirs.length > 0 || links.length > 0) {
    throwIfAborted(signal);
    const dir = dirs.shift();
    if (dir !== undefined) await walk(dir);
    else await follow(links.shift()!);
  }

  files.sort((a, b) => compare(a.path, b.path));
  skipped.sort((a, b) => compare(a.path, b.path));
  logger?.info(`Scanned ${rootAbs}: ${files.length} files to read, ${skipped.length} skipped.`);
  return { files, skipped };
}

type EntryType = 'dir' | 'file' | 'link' | 'vanished' | 'FIFO' | 'socket' | 'device';

async function entryType(entry: Dirent, abs: string): Promise<EntryType> {
  let e: Dirent | Stats = entry;
  // Some file systems do not report types in readdir; ask for them.
  if (!entry.isFile() && !entry.isDirectory() && !entry.isSymbolicLink() && !entry.isFIFO() && !entry.isSocket()
    && !entry.isBlockDevice() && !entry.isCharacterDevice()) {
    try { e = await lstat(abs); } catch { return 'vanished'; }
  }
  if (e.isSymbolicLink()) return 'link';
  if (e.isDirectory()) return 'dir';
  if (e.isFile()) return 'file';
  if (e.isFIFO()) return 'FIFO';
  if (e.isSocket()) return 'socket';
  return 'device';
}


/** Code-unit order: the same on every machine, unlike localeCompare. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
