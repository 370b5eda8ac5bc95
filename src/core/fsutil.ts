// Small file-system helpers shared by the scanner, the text loader and the store:
// cancellation, error wording and durable writes.
import { open } from 'node:fs/promises';

/** Thrown when an AbortSignal cancels a long operation; callers test `err.name === 'AbortError'`. */
export class AbortError extends Error {
  override readonly name = 'AbortError';
  constructor(message = 'The operation was cancelled', options?: { cause?: unknown }) {
    super(message, options);
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortError(undefined, { cause: signal.reason });
}

/** The `code` of a Node system error (`ENOENT`, `EACCES`, ...), or undefined. */
export function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Says in words why a path could not be read, for skip reasons and logs. */
export function describeFsError(err: unknown): string {
  switch (errorCode(err)) {
    case 'ENOENT': return 'it vanished before it could be read';
    case 'EACCES':
    case 'EPERM': return 'permission denied';
    case 'ENOTDIR': return 'a folder on its path was replaced by a file while reading';
    case 'EISDIR': return 'it is a folder, not a file';
    case 'ELOOP': return 'too many levels of symbolic links';
    case 'EMFILE':
    case 'ENFILE': return 'too many open files';
    case 'EIO': return 'input/output error from the disk';
    default: return err instanceof Error ? err.message : String(err);
  }
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = -1;
  do { value /= 1024; unit++; } while (value >= 1024 && unit < units.length - 1);
  return `${value >= 10 || Number.isInteger(value) ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}

/**
 * Flushes a folder's entries (new names, renames) to disk. POSIX needs this after a rename for
 * the rename itself to survive a power cut; Windows cannot open folders this way and its
 * renames are journaled, so failures there are ignored.
 */
export async function fsyncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (err) {
    if (process.platform !== 'win32') throw err;
  } finally {
    await handle?.close();
  }
}

/** Writes `data` to a new file and flushes it to disk before returning. */
export async function writeFileDurable(path: string, data: Uint8Array | string, flag = 'wx'): Promise<void> {
  const handle = await open(path, flag, 0o644);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}
