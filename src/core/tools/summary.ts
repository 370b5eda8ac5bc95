// `mnemo_summary` for every front end: the map of a folder or a file. A folder's map lists what
// it holds as the reader sees it (subfolders with their sizes, files); every map adds the
// passages most typical of it and, when the engine marks it worth showing, Mnemo's own summary.
import { stat } from 'node:fs/promises';
import type { Engine, SummaryTarget } from '../api';
import { AbortError, throwIfAborted } from '../fsutil';
import { DEFAULT_EXCLUDES, scanWorkspace, type ScannedFile } from '../scanner';
import { OutsideWorkspaceError, resolveInside, unsafeRelativePath } from '../workspacePath';
import { coverageLine, emptyMemoryText, ToolInputError } from './coverage';
import { passagesOf, type ContractAnswer, type Passage } from './passages';
import { CappedText, MAX_RESULT_CHARS, oneLine } from './plainText';
import { renderPassage } from './search';

/** Most entries a folder's map lists of each kind. */
const MAX_ENTRIES = 60;

export interface SummaryOptions {
  readonly signal?: AbortSignal;
  readonly maxChars?: number;
  /** The engine's own scan settings, so the map lists what the reader reads. */
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
  readonly maxFileBytes?: number;
}

export interface SummaryResult {
  /** Workspace-relative; '' for the whole folder. */
  readonly path: string;
  readonly kind: 'workspace' | 'folder' | 'file';
  readonly passages: readonly Passage[];
  readonly text: string;
}

/**
 * The target a caller's path names: '' or '.' is the whole folder. Throws ToolInputError for a
 * path that is not inside the folder or does not exist.
 */
export async function summaryTarget(root: string, path: unknown): Promise<{ path: string; target: SummaryTarget }> {
  if (path !== undefined && typeof path !== 'string') throw new ToolInputError('"path" must be a string, relative to the folder\'s root (e.g. "src" or "src/main.ts"), or "." for the whole folder.');
  const p = (path ?? '').trim().replace(/^\.\/+/, '').replace(/\/+$/, '');
  if (p === '' || p === '.') return { path: '', target: { kind: 'workspace' } };
  const why = unsafeRelativePath(p);
  if (why) throw new ToolInputError(`"path" must be relative to the folder's root, with forward slashes and no ".." (${JSON.stringify(oneLine(p, 200))}: ${why}).`);
  let abs: string;
  try {
    abs = await resolveInside(root, p);
  } catch (e) {
    if (e instanceof OutsideWorkspaceError) throw new ToolInputError(`${oneLine(p, 200)} leads outside the folder; only paths inside it can be summarised.`);
    throw e;
  }
  try {
    const st = await stat(abs);
    return { path: p, target: st.isDirectory() ? { kind: 'folder', path: p } : { kind: 'file', path: p } };
  } catch {
    throw new ToolInputError(`${oneLine(p, 200)} does not exist in this folder. Paths are relative to its root, e.g. "src" or "src/main.ts"; "." is the whole folder.`);
  }
}

export async function summary(engine: Engine, path: string | undefined, options: SummaryOptions = {}): Promise<SummaryResult> {
  const { signal } = options;
  const { path: p, target } = await summaryTarget(engine.root, path);
  throwIfAborted(signal);
  const kind = target.kind === 'workspace' ? 'workspace' : target.kind === 'folder' ? 'folder' : 'file';
  const out = new CappedText(options.maxChars ?? MAX_RESULT_CHARS);
  const name = p === '' ? 'the whole folder' : p;
  const map = await mapOf(engine, target, signal);
  const status = engine.status();
  out.add(status.segments > 0 ? coverageLine(status, map.answer?.coverage ?? 0) : emptyMemoryText(engine));
  out.add(`Map of ${kind === 'file' ? 'file' : 'folder'} ${oneLine(name)}:`);
  if (kind !== 'file') {
    out.add(await listing(engine.root, p, options));
  }
  throwIfAborted(signal);
  if (map.note) out.add(`Note: ${oneLine(map.note, 400)}`);
  const shown = map.answer && (map.answer.kind === 'generated' || map.answer.kind === 'span') && map.answer.text.trim();
  if (shown) out.add(`Mnemo's summary (written by its model): ${oneLine(shown, 1500)}`);
  const passages = map.answer ? (await passagesOf(engine.root, map.answer, options.maxFileBytes)).filter((x) => x.text.trim().length > 0) : [];
  if (passages.length > 0) {
    out.add(kind === 'file' ? 'How the file begins:' : 'The passages most typical of it:');
    passages.forEach((x, i) => out.add(renderPassage(x, i + 1)));
  }
  return { path: p, kind, passages, text: out.toString() };
}

/**
 * The engine's summary of `target`. The one call to replace when the layered structural summary
 * of this round lands; a memory that cannot summarise yet gives a note instead of a failure.
 */
async function mapOf(engine: Engine, target: SummaryTarget, signal: AbortSignal | undefined): Promise<{ answer?: ContractAnswer; note?: string }> {
  if (engine.status().segments === 0) return {};
  try {
    return { answer: await engine.summarize(target, { signal, maxTokens: 96 }) };
  } catch (e) {
    if (signal?.aborted || (e as Error).name === 'AbortError') throw new AbortError();
    return { note: (e as Error).message };
  }
}

/** Subfolders (files, bytes) and files directly in `prefix`, as the reader's scan sees them. */
async function listing(root: string, prefix: string, options: SummaryOptions): Promise<string> {
  const exclude = options.exclude && options.exclude.length > 0 ? [...DEFAULT_EXCLUDES, ...options.exclude] : undefined;
  const scan = await scanWorkspace(root, { include: options.include, exclude, maxFileBytes: options.maxFileBytes, signal: options.signal });
  const base = prefix === '' ? '' : `${prefix}/`;
  const inside = scan.files.filter((f) => f.path.startsWith(base));
  if (inside.length === 0) return 'It holds no file Mnemo reads (everything in it is ignored, excluded, binary or too large).';
  const folders = new Map<string, { files: number; bytes: number }>();
  const files: ScannedFile[] = [];
  for (const f of inside) {
    const rest = f.path.slice(base.length);
    const slash = rest.indexOf('/');
    if (slash < 0) { files.push(f); continue; }
    const dir = rest.slice(0, slash);
    const entry = folders.get(dir) ?? { files: 0, bytes: 0 };
    entry.files++;
    entry.bytes += f.size;
    folders.set(dir, entry);
  }
  const total = inside.reduce((n, f) => n + f.size, 0);
  const lines = [`${inside.length} files Mnemo reads, ${kb(total)} in all.`];
  const dirs = [...folders.entries()].sort((a, b) => b[1].bytes - a[1].bytes);
  if (dirs.length > 0) {
    lines.push('Folders (largest first):');
    for (const [dir, e] of dirs.slice(0, MAX_ENTRIES)) lines.push(`  ${oneLine(base + dir)}/  ${e.files} files, ${kb(e.bytes)}`);
    if (dirs.length > MAX_ENTRIES) lines.push(`  … and ${dirs.length - MAX_ENTRIES} more folders`);
  }
  if (files.length > 0) {
    lines.push('Files:');
    for (const f of files.slice(0, MAX_ENTRIES)) lines.push(`  ${oneLine(f.path)}  ${kb(f.size)}`);
    if (files.length > MAX_ENTRIES) lines.push(`  … and ${files.length - MAX_ENTRIES} more files`);
  }
  return lines.join('\n');
}

function kb(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
