// The on-disk container for one workspace's saved memory. What goes in the sections is the
// engine's business; this module makes saving atomic and loading trustworthy.
//
// Layout of a workspace's cache folder:
//   CURRENT                     pointer: {"format", "generation", "manifestSha256"}
//   gen-<time>-<random>/        one complete snapshot
//     header.json               SnapshotHeader
//     section-000.bin ...       the engine's sections, raw
//     manifest.json             name, file, size and sha256 of every section, sha256 of the header
//   LOCK                        held by the one process reading into or writing the folder
//                               (pid, host, time); a read holds it from start to end, so two
//                               processes never read the same workspace at once
//
// A write fills a new generation folder, flushes every file and the folder to disk, then swaps
// CURRENT by writing a temporary file, flushing it and renaming it over the old one. Until that
// rename the old CURRENT names the old generation, which is untouched; after it, the new one is
// complete on disk. So a process killed at any point leaves a loadable snapshot. Old
// generations and temporary files are removed after the swap, or by the next write. A write
// that fails (a full disk, a read-only folder) removes its half-written generation and throws
// CacheWriteError naming the folder; CURRENT still names the last good snapshot.
import { createHash, randomBytes } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { link, lstat, mkdir, readFile, readdir, rename, rm, rmdir, stat, unlink, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { errorCode, fsyncDir, throwIfAborted, writeFileDurable } from './fsutil';

export const STORE_FORMAT = 1;

export interface SnapshotHeader {
  readonly format: number;
  readonly modelId: string;
  readonly modelVersion: string;
  readonly root: string;
  readonly createdAt: string;
  /** The engine's own JSON. */
  readonly meta: unknown;
}

export type CacheErrorKind = 'missing' | 'corrupt' | 'foreign' | 'version';

/** A saved snapshot that cannot be used: there is none, it is damaged, or it belongs to another model or workspace. */
export class CacheError extends Error {
  override readonly name = 'CacheError';
  constructor(readonly kind: CacheErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Another live process is reading into or writing the same cache folder. */
export class CacheLockedError extends Error {
  override readonly name = 'CacheLockedError';
  constructor(readonly lockPath: string, readonly holder: LockInfo | undefined) {
    super(
      `Another Mnemo process (pid ${holder?.pid ?? 'unknown'} on ${holder?.host ?? 'unknown host'}) is reading or saving this workspace's memory. ` +
      `Try again when it has finished; if no such process is running, delete ${lockPath}.`,
    );
  }
}

/** The cache folder cannot be written: full, read-only, or not ours. The last good snapshot stands. */
export class CacheWriteError extends Error {
  override readonly name = 'CacheWriteError';
  constructor(readonly dir: string, readonly code: string | undefined, cause: unknown) {
    super(`Cannot save the memory in ${dir}: ${describeWriteError(code, cause)}. The memory saved before is kept.`, { cause });
  }
}

function describeWriteError(code: string | undefined, cause: unknown): string {
  switch (code) {
    case 'ENOSPC': return 'the disk is full (ENOSPC); free some space there, or use another cache folder';
    case 'EDQUOT': return 'your disk quota is used up (EDQUOT); free some space there, or use another cache folder';
    case 'EROFS': return 'the folder is on a read-only file system (EROFS); use another cache folder';
    case 'EACCES':
    case 'EPERM': return `permission denied (${code}); make the folder writable, or use another cache folder`;
    default: return cause instanceof Error ? cause.message : String(cause);
  }
}

/** Runs `write`, turning a file-system failure into CacheWriteError for `dir`. */
async function writing<T>(dir: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (err instanceof CacheWriteError || err instanceof CacheLockedError || errorCode(err) === undefined) throw err;
    throw new CacheWriteError(dir, errorCode(err), err);
  }
}

const POINTER = 'CURRENT';
const MANIFEST = 'manifest.json';
const HEADER = 'header.json';
const LOCK = 'LOCK';
const GENERATION_PREFIX = 'gen-';
const TEMP_MARK = '.tmp-';

interface Pointer {
  readonly format: number;
  readonly generation: string;
  readonly manifestSha256: string;
}

interface SectionEntry {
  readonly name: string;
  readonly file: string;
  readonly bytes: number;
  readonly sha256: string;
}

interface Manifest {
  readonly format: number;
  readonly headerSha256: string;
  readonly headerBytes: number;
  readonly sections: readonly SectionEntry[];
}

/**
 * The cache folder of one workspace: a readable name plus a hash of the folder's real path, so
 * two workspaces with the same name never share, and a workspace opened through a symbolic link
 * finds its memory.
 */
export function workspaceCacheDir(cacheRoot: string, root: string): string {
  let real: string;
  try { real = realpathSync.native(root); } catch { real = resolve(root); }
  // Windows and macOS paths differ only in case for the same folder.
  const key = process.platform === 'win32' || process.platform === 'darwin' ? real.toLowerCase() : real;
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 16);
  const name = basename(real).replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[.]+/, '').slice(0, 40) || 'root';
  return join(cacheRoot, `${name}-${hash}`);
}

// ---- writing ------------------------------------------------------------------------------

/**
 * Saves a snapshot atomically, replacing the current one only once the new one is complete on
 * disk. Waits up to `lockWaitMs` (default 15 s) for another writer, then throws CacheLockedError;
 * `lock` is a lock the caller already holds (a read in progress, see lockCache). A failure to
 * write throws CacheWriteError and leaves no part of the new snapshot behind.
 */
export async function writeSnapshot(
  dir: string,
  header: Omit<SnapshotHeader, 'format' | 'createdAt'>,
  sections: Record<string, Uint8Array>,
  options: { lockWaitMs?: number; lock?: CacheLock } = {},
): Promise<{ bytes: number }> {
  await writing(dir, () => mkdir(dir, { recursive: true }));
  const held = options.lock;
  if (held && held.dir !== dir) throw new Error(`The lock held is for ${held.dir}, not ${dir}.`);
  const release = held ? async () => { await held.touch(); } : await writing(dir, () => acquireLock(dir, options.lockWaitMs));
  const generation = `${GENERATION_PREFIX}${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  const genDir = join(dir, generation);
  const temp = join(dir, `${POINTER}${TEMP_MARK}${randomBytes(4).toString('hex')}`);
  let committed = false;
  try {
    return await writing(dir, async () => {
      await mkdir(genDir);

      const full: SnapshotHeader = {
        format: STORE_FORMAT, modelId: header.modelId, modelVersion: header.modelVersion,
        root: header.root, createdAt: new Date().toISOString(), meta: header.meta,
      };
      const headerBytes = Buffer.from(JSON.stringify(full, null, 1));
      await writeFileDurable(join(genDir, HEADER), headerBytes);

      const entries: SectionEntry[] = [];
      let total = headerBytes.length;
      for (const [name, data] of Object.entries(sections)) {
        const file = `section-${String(entries.length).padStart(3, '0')}.bin`;
        await writeFileDurable(join(genDir, file), data);
        entries.push({ name, file, bytes: data.length, sha256: sha256(data) });
        total += data.length;
      }

      const manifest: Manifest = { format: STORE_FORMAT, headerSha256: sha256(headerBytes), headerBytes: headerBytes.length, sections: entries };
      const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 1));
      await writeFileDurable(join(genDir, MANIFEST), manifestBytes);
      await fsyncDir(genDir);
      total += manifestBytes.length;

      const pointer: Pointer = { format: STORE_FORMAT, generation, manifestSha256: sha256(manifestBytes) };
      const pointerBytes = Buffer.from(JSON.stringify(pointer));
      await writeFileDurable(temp, pointerBytes);
      await rename(temp, join(dir, POINTER)); // the commit point
      committed = true;
      await fsyncDir(dir);
      total += pointerBytes.length;

      await removeStale(dir, generation);
      return { bytes: total };
    });
  } catch (err) {
    // Nothing half-written stays: without the commit the new generation is unused, so it goes.
    if (!committed) {
      await rm(genDir, { recursive: true, force: true }).catch(() => undefined);
      await rm(temp, { force: true }).catch(() => undefined);
    }
    throw err;
  } finally {
    await release();
  }
}

/** Removes every generation but `keep`, and temporary files left by interrupted writes. */
async function removeStale(dir: string, keep: string): Promise<void> {
  for (const name of await readdir(dir)) {
    if (name === keep || name === POINTER || name === LOCK) continue;
    if (name.startsWith(GENERATION_PREFIX) || name.includes(TEMP_MARK)) {
      await rm(join(dir, name), { recursive: true, force: true });
    }
  }
}

// ---- reading ------------------------------------------------------------------------------

/**
 * Loads the current snapshot after checking that it was made by the expected model for the
 * expected workspace and that every byte matches its checksum. Throws CacheError.
 */
export async function readSnapshot(
  dir: string,
  expect: { modelId: string; modelVersion: string; root: string },
): Promise<{ header: SnapshotHeader; sections: Record<string, Uint8Array> }> {
  // A writer may swap CURRENT and delete the old generation while we read it; if CURRENT moved
  // on, read the new one.
  for (let attempt = 0; ; attempt++) {
    const pointer = await readPointer(dir);
    try {
      return await readGeneration(dir, pointer, expect);
    } catch (err) {
      if (!(err instanceof CacheError) || err.kind !== 'corrupt' || attempt >= 3) throw err;
      const now = await readPointer(dir).catch(() => undefined);
      if (now === undefined || now.generation === pointer.generation) throw err;
    }
  }
}

async function readPointer(dir: string): Promise<Pointer> {
  let raw: Buffer;
  try {
    raw = await readFile(join(dir, POINTER));
  } catch (err) {
    if (errorCode(err) === 'ENOENT' || errorCode(err) === 'ENOTDIR') throw new CacheError('missing', `No saved memory in ${dir}.`, { cause: err });
    throw new CacheError('corrupt', `Cannot read ${join(dir, POINTER)}: ${(err as Error).message}`, { cause: err });
  }
  const pointer = parseJson<Pointer>(raw, join(dir, POINTER));
  if (typeof pointer.format !== 'number' || typeof pointer.generation !== 'string' || typeof pointer.manifestSha256 !== 'string'
    || !pointer.generation.startsWith(GENERATION_PREFIX) || pointer.generation.includes('/') || pointer.generation.includes('\\')) {
    if (typeof pointer.format === 'number' && pointer.format !== STORE_FORMAT) {
      throw new CacheError('version', `The saved memory in ${dir} uses store format ${pointer.format}; this Mnemo reads format ${STORE_FORMAT}.`);
    }
    throw new CacheError('corrupt', `${join(dir, POINTER)} is not a snapshot pointer.`);
  }
  if (pointer.format !== STORE_FORMAT) {
    throw new CacheError('version', `The saved memory in ${dir} uses store format ${pointer.format}; this Mnemo reads format ${STORE_FORMAT}.`);
  }
  return pointer;
}

async function readGeneration(
  dir: string,
  pointer: Pointer,
  expect: { modelId: string; modelVersion: string; root: string },
): Promise<{ header: SnapshotHeader; sections: Record<string, Uint8Array> }> {
  const genDir = join(dir, pointer.generation);
  const manifestBytes = await readPart(genDir, MANIFEST);
  if (sha256(manifestBytes) !== pointer.manifestSha256) throw new CacheError('corrupt', `${join(genDir, MANIFEST)} does not match its checksum.`);
  const manifest = parseJson<Manifest>(manifestBytes, join(genDir, MANIFEST));
  if (!Array.isArray(manifest.sections)) throw new CacheError('corrupt', `${join(genDir, MANIFEST)} lists no sections.`);

  const headerBytes = await readPart(genDir, HEADER);
  if (headerBytes.length !== manifest.headerBytes || sha256(headerBytes) !== manifest.headerSha256) {
    throw new CacheError('corrupt', `${join(genDir, HEADER)} does not match its checksum.`);
  }
  const header = parseJson<SnapshotHeader>(headerBytes, join(genDir, HEADER));
  if (header.format !== STORE_FORMAT) {
    throw new CacheError('version', `The saved memory uses store format ${header.format}; this Mnemo reads format ${STORE_FORMAT}.`);
  }
  if (header.modelId !== expect.modelId) {
    throw new CacheError('foreign', `The saved memory was made by model ${header.modelId}, not ${expect.modelId}; it must be read again.`);
  }
  if (header.modelVersion !== expect.modelVersion) {
    throw new CacheError('version', `The saved memory was made by ${header.modelId} version ${header.modelVersion}, not ${expect.modelVersion}; it must be read again.`);
  }
  if (resolve(header.root) !== resolve(expect.root)) {
    throw new CacheError('foreign', `The saved memory in ${dir} belongs to ${header.root}, not ${expect.root}.`);
  }

  const sections: [string, Uint8Array][] = [];
  for (const entry of manifest.sections) {
    if (typeof entry.file !== 'string' || !/^section-\d+\.bin$/.test(entry.file)) {
      throw new CacheError('corrupt', `${join(genDir, MANIFEST)} names an invalid section file.`);
    }
    const data = await readPart(genDir, entry.file);
    if (data.length !== entry.bytes) {
      throw new CacheError('corrupt', `Section "${entry.name}" is ${data.length} bytes, expected ${entry.bytes} (${join(genDir, entry.file)}).`);
    }
    if (sha256(data) !== entry.sha256) throw new CacheError('corrupt', `Section "${entry.name}" does not match its checksum (${join(genDir, entry.file)}).`);
    sections.push([entry.name, new Uint8Array(data.buffer, data.byteOffset, data.byteLength)]);
  }
  return { header, sections: Object.fromEntries(sections) };
}

async function readPart(genDir: string, file: string): Promise<Buffer> {
  try {
    return await readFile(join(genDir, file));
  } catch (err) {
    throw new CacheError('corrupt', `Cannot read ${join(genDir, file)}: ${(err as Error).message}`, { cause: err });
  }
}

function parseJson<T>(bytes: Uint8Array, path: string): T {
  try {
    const value: unknown = JSON.parse(Buffer.from(bytes).toString('utf8'));
    if (value === null || typeof value !== 'object') throw new Error('not an object');
    return value as T;
  } catch (err) {
    throw new CacheError('corrupt', `${path} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}

// ---- deleting and measuring -----------------------------------------------------------------

/** Deletes the saved memory. CURRENT goes first, so an interrupted delete reads as "missing". */
export async function deleteSnapshot(dir: string): Promise<void> {
  try { await stat(dir); } catch (err) { if (errorCode(err) === 'ENOENT') return; throw err; }
  const release = await acquireLock(dir);
  try {
    await rm(join(dir, POINTER), { force: true });
    await fsyncDir(dir);
    for (const name of await readdir(dir)) {
      if (name !== LOCK) await rm(join(dir, name), { recursive: true, force: true });
    }
  } finally {
    await release();
  }
  await rmdir(dir).catch(() => undefined); // another process may have started a new write
}

/** Bytes the cache folder takes on disk, counting leftovers of interrupted writes; 0 when there is none. */
export async function snapshotBytes(dir: string): Promise<number> {
  let total = 0;
  let names: string[];
  try { names = await readdir(dir); } catch { return 0; }
  for (const name of names) {
    const path = join(dir, name);
    try {
      const st = await lstat(path);
      total += st.isDirectory() ? await snapshotBytes(path) : st.size;
    } catch { /* removed while counting */ }
  }
  return total;
}

// ---- the lock ---------------------------------------------------------------------------------

/** The cache folder's lock, held by this process (see lockCache). */
export interface CacheLock {
  readonly dir: string;
  /** Marks the lock as still in use (a long read on a shared folder is not taken for dead). */
  touch(): Promise<void>;
  release(): Promise<void>;
}

/**
 * Takes the cache folder's lock for a whole read, so that two processes (the CLI and the
 * extension, two terminals) never read the same workspace at once: the second waits here until
 * the first has finished and saved, then finds its work done. Waits as long as `signal` allows
 * (default: without end); `onWait` is called once if another live process holds the lock.
 * Throws CacheWriteError when the folder cannot be written at all.
 */
export async function lockCache(
  dir: string,
  options: { signal?: AbortSignal; waitMs?: number; onWait?: (holder: LockInfo | undefined) => void } = {},
): Promise<CacheLock> {
  await writing(dir, () => mkdir(dir, { recursive: true }));
  const release = await writing(dir, () => acquireLock(dir, options.waitMs ?? Number.POSITIVE_INFINITY, options.signal, options.onWait));
  const path = join(dir, LOCK);
  return {
    dir,
    touch: async () => { const now = new Date(); await utimes(path, now, now).catch(() => undefined); },
    release,
  };
}

export interface LockInfo {
  readonly pid: number;
  readonly host: string;
  readonly createdAt: string;
  readonly token: string;
}

const LOCK_WAIT_MS = 15_000;
const LOCK_POLL_MS = 100;
/** A lock from another machine (shared folder) is presumed dead after this long. */
const FOREIGN_LOCK_STALE_MS = 60 * 60 * 1000;
/** A lock file that is still empty or garbled after this long was left by a crash. */
const UNREADABLE_LOCK_STALE_MS = 10_000;

/**
 * Takes the cache folder's write lock, waiting up to 15 s for a live holder and taking over
 * the lock of a process that died. Returns the release function.
 */
async function acquireLock(
  dir: string, waitMs = LOCK_WAIT_MS, signal?: AbortSignal, onWait?: (holder: LockInfo | undefined) => void,
): Promise<() => Promise<void>> {
  const path = join(dir, LOCK);
  const mine: LockInfo = { pid: process.pid, host: hostname(), createdAt: new Date().toISOString(), token: randomBytes(8).toString('hex') };
  const deadline = Date.now() + waitMs;
  let told = false;
  for (;;) {
    throwIfAborted(signal);
    try {
      await writeFileDurable(path, JSON.stringify(mine), 'wx');
      return async () => {
        const held = await readLock(path);
        if (held.info?.token === mine.token) await unlink(path).catch(() => undefined);
      };
    } catch (err) {
      if (errorCode(err) !== 'EEXIST') throw err;
    }
    const held = await readLock(path);
    if (held.missing) continue;
    if (isStale(held)) {
      await breakLock(path, held.raw);
      continue;
    }
    if (Date.now() >= deadline) throw new CacheLockedError(path, held.info);
    if (!told) { told = true; onWait?.(held.info); }
    await new Promise((r) => setTimeout(r, LOCK_POLL_MS));
  }
}

interface HeldLock {
  readonly missing: boolean;
  readonly raw: string;
  readonly info: LockInfo | undefined;
  readonly ageMs: number;
}

async function readLock(path: string): Promise<HeldLock> {
  try {
    const [raw, st] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    let info: LockInfo | undefined;
    try {
      const parsed = JSON.parse(raw) as LockInfo;
      if (typeof parsed.pid === 'number' && typeof parsed.host === 'string' && typeof parsed.token === 'string') info = parsed;
    } catch { /* still being written, or garbled by a crash */ }
    return { missing: false, raw, info, ageMs: Date.now() - st.mtimeMs };
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return { missing: true, raw: '', info: undefined, ageMs: 0 };
    throw err;
  }
}

function isStale(held: HeldLock): boolean {
  if (held.info === undefined) return held.ageMs > UNREADABLE_LOCK_STALE_MS;
  if (held.info.host !== hostname()) return held.ageMs > FOREIGN_LOCK_STALE_MS;
  return !processAlive(held.info.pid);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errorCode(err) === 'EPERM'; // exists, owned by someone else
  }
}

/**
 * Removes a dead holder's lock. Moves it aside first and checks that what moved is the lock that
 * was judged stale: if another process replaced it in between, the fresh lock is put back.
 */
async function breakLock(path: string, staleRaw: string): Promise<void> {
  const aside = `${path}${TEMP_MARK}${randomBytes(4).toString('hex')}`;
  try {
    await rename(path, aside);
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return;
    throw err;
  }
  const moved = await readFile(aside, 'utf8').catch(() => staleRaw);
  if (moved !== staleRaw) await link(aside, path).catch(() => undefined);
  await unlink(aside).catch(() => undefined);
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

