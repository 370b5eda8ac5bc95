// The one place that decides whether a workspace-relative path may be read. Paths arrive from
// the scanner, from a saved memory (which anyone with access to the cache folder can edit), from
// questions and from front ends; none of them may name a file outside the workspace, whether by
// `..`, an absolute path, or a symbolic link that leads out.
import { realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';

/** A path that cannot be allowed, with the reason in words. */
export class OutsideWorkspaceError extends Error {
  override readonly name = 'OutsideWorkspaceError';
}

/**
 * Why `path` is not a plain workspace-relative path (forward slashes, no `.`/`..`/empty parts,
 * not absolute, no control characters), or undefined when it is one.
 */
export function unsafeRelativePath(path: string): string | undefined {
  if (typeof path !== 'string' || path.length === 0) return 'it is empty';
  if (/[\u0000-\u001f\u007f]/.test(path)) return 'it holds control characters';
  if (path.startsWith('/') || isAbsolute(path) || /^[A-Za-z]:/.test(path)) return 'it is absolute';
  if (path.includes('\\')) return 'it holds a backslash';
  for (const part of path.split('/')) {
    if (part === '' || part === '.' || part === '..') return `it has a "${part || '(empty)'}" part`;
  }
  return undefined;
}

/** True when `target` (absolute) is `root` itself or lies below it. */
export function isInside(root: string, target: string): boolean {
  const rel = relative(root, target);
  if (rel === '') return true;
  return rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/**
 * The absolute path of workspace file `path`, checked lexically and then after following
 * symbolic links: throws OutsideWorkspaceError when it would leave `root`. A file that does not
 * exist passes the lexical check and is left to the caller's read to report.
 */
export async function resolveInside(root: string, path: string): Promise<string> {
  const why = unsafeRelativePath(path);
  if (why) throw new OutsideWorkspaceError(`${JSON.stringify(path)} is not a path inside the workspace (${why}); it is not read.`);
  const abs = join(root, path);
  let real: string;
  let rootReal: string;
  try {
    [real, rootReal] = await Promise.all([realpath(abs), realpath(root)]);
  } catch {
    return abs;
  }
  if (!isInside(rootReal, real)) {
    throw new OutsideWorkspaceError(`${path} leads outside the workspace (to ${real}); it is not read.`);
  }
  return abs;
}
